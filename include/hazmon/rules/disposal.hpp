#pragma once
// The disposal (处置) state machine of a warning event: who may do what in which state,
// deadlines per level, overdue marking and escalation. Pure: the caller passes the time.
//
//   pending_review ─confirm→ pending ─push→ pushed ─feedback→ fed_back ─check→ checked ─close→
//   closed
//        └─dismiss→ closed                      ↑────reject─────┘
//
// pending_review is for events a person must confirm before anything is sent (video AI);
// sensor events start at pending and are pushed by the system at once. `supervise` (督办) adds
// a note in any open state; `raise_level` (the rules) and `escalate` (a missed deadline) are the
// system's own records. docs/architecture.md ("Warning events") has the table.
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/rules/warning_rules.hpp>

namespace hazmon::rules {

// The enums live in model/warning.hpp (storage and api read and write them too).
using model::ActorKind;
using model::disposal_action_from_string;
using model::disposal_state_from_string;
using model::DisposalAction;
using model::DisposalState;
using model::feedback_cause_from_string;
using model::FeedbackCause;

// Who acts, as the disposal rules see it: the role and the kind of its scope must agree
// (an enterprise user of an enterprise, a county officer of a region, …).
// nullopt: the principal takes no part in disposal (operators, machine credentials, or a role
// whose scope kind does not fit it).
std::optional<ActorKind> actor_kind_of(const model::Principal& p);

struct StageDeadlines {
  std::chrono::minutes feedback;  // pushed → fed_back
  std::chrono::minutes check;     // fed_back → checked
  std::chrono::minutes close;     // checked → closed
};

struct DisposalSettings {
  // Indexed by level − 1: blue, yellow, orange, red.
  std::array<StageDeadlines, 4> deadlines{{
      {std::chrono::minutes(240), std::chrono::minutes(48 * 60), std::chrono::minutes(7 * 24 * 60)},
      {std::chrono::minutes(120), std::chrono::minutes(24 * 60), std::chrono::minutes(7 * 24 * 60)},
      {std::chrono::minutes(60), std::chrono::minutes(24 * 60), std::chrono::minutes(72 * 60)},
      {std::chrono::minutes(30), std::chrono::minutes(12 * 60), std::chrono::minutes(72 * 60)},
  }};
  bool escalate_level = true;  // a missed deadline raises the level by one (below red)
  int max_escalations = 3;     // after that a missed deadline is only marked
};

struct EventState {
  DisposalState state = DisposalState::pending;
  WarningLevel level = WarningLevel::blue;
  std::optional<SysTime> deadline;  // of the current stage
  bool overdue = false;             // some deadline was missed (stays set)
  int escalations = 0;
};

struct TransitionRequest {
  DisposalAction action = DisposalAction::supervise;
  std::optional<FeedbackCause> cause;
  std::string measures, text;
};

enum class Refusal { forbidden, wrong_state, invalid };

struct TransitionOutcome {
  std::optional<Refusal> refused;
  std::string message;  // why, for a person
  std::string field;    // for invalid: the request field ("cause", "measures", "text")
  EventState next;
};

// The deadline of the stage a state starts, counted from `entered`; none for states without one.
std::optional<SysTime> stage_deadline(DisposalState s, WarningLevel level, SysTime entered,
                                      const DisposalSettings& st);

// One transition requested by `who` at `now`. Order of checks: the actor's kind may take this
// action at all (forbidden), the state allows it (wrong_state), the level allows this actor
// (closing red/orange is the province's: forbidden), the request is complete (invalid).
TransitionOutcome apply_transition(const EventState& e, const TransitionRequest& r, ActorKind who,
                                   SysTime now, const DisposalSettings& st);

// The actions `who` may take now (for the dashboard's buttons).
std::vector<DisposalAction> allowed_actions(const EventState& e, ActorKind who);

// The rules raised the level: the current stage's deadline shrinks to the new level's if sooner.
EventState on_level_raised(const EventState& e, WarningLevel level, SysTime now,
                           const DisposalSettings& st);

// A deadline passed: marked overdue, escalated (level + 1 unless red or escalate_level is off,
// one more escalation, which widens the recipients) and given a fresh deadline for the new
// level. nullopt when nothing changes (no deadline, not passed, or escalations used up and
// already overdue).
std::optional<EventState> on_deadline(const EventState& e, SysTime now, const DisposalSettings& st);

// Who is told about an event: the enterprise and its county always, the city from orange, the
// province at red; each escalation adds the next tier up.
std::vector<ActorKind> recipients(WarningLevel level, int escalations);

}  // namespace hazmon::rules
