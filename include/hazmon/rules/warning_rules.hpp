#pragma once
// Warning rules (预警规则): which alarm episodes become warning events (预警事件), at what
// level, and when an alarm joins the event already open on its hazard source. Pure: no I/O;
// time comes with each alarm change and with on_tick(now).
//
// Fixed, not configurable (DOMAIN.md §2): data faults, alarms suppressed by a filing and late
// alarms (resends, old collect times) never make or change an event. A hazard source has at
// most one open event: while it is open every process alarm on that hazard source is linked to
// it, and rules only ever raise its level. The defaults that migration 0005 seeds are
// `default_warning_rules()`; docs/architecture.md ("Warning events") explains them.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/warning.hpp>
#include <hazmon/rules/point_machine.hpp>

namespace hazmon::rules {

// Level and category live in model/warning.hpp (storage and api read and write them too).
using model::chinese_name;
using model::to_string;
using model::warning_category_from_string;
using model::warning_level_from_string;
using model::WarningCategory;
using model::WarningLevel;
// `steps` levels up, never above red.
WarningLevel raise_level(WarningLevel l, int steps);

// The process alarm types a rule may name (data faults never make events).
bool is_process_alarm_type(std::string_view type);

// The rank of a unit that is not a major hazard source, or of an enterprise-level point (ADR
// 0019): rules select it as "unranked" and give it its own level, never rank 4's.
inline constexpr int kUnranked = 0;

struct WarningRule {
  std::int64_t id = 0;
  std::string name;
  bool enabled = true;
  WarningCategory category = WarningCategory::threshold;
  // Where it applies: the province (everywhere), a region (by the prefix of the enterprise's
  // region code) or one enterprise.
  model::Scope scope;
  std::vector<std::string> alarm_types;  // HH, H, L, LL, SWITCH
  std::vector<int> hazard_ranks;  // 1–4 or kUnranked; empty: every rank 1–4 (not kUnranked)
  std::chrono::seconds min_duration{0};  // the episode must have lasted this long
  // min_points ≥ 2 makes a combination rule: that many distinct points of one hazard source
  // alarming (open, or active within `window`) lift the event `level_step` levels above the
  // higher of the single-alarm level and level_by_rank.
  int min_points = 1;
  std::chrono::seconds window{600};
  std::array<std::optional<WarningLevel>, 4>
      level_by_rank{};                         // [rank - 1]; empty: rule silent for that rank
  std::optional<WarningLevel> unranked_level;  // level_by_rank's "unranked"; empty: silent
  int level_step = 0;

  bool is_combination() const { return min_points >= 2; }
  // The level for a rank 1–4 or kUnranked; empty: the rule is silent there.
  std::optional<WarningLevel> level_for(int rank) const {
    if (rank == kUnranked) return unranked_level;
    if (rank < 1 || rank > 4) return std::nullopt;
    return level_by_rank[static_cast<std::size_t>(rank - 1)];
  }
};

struct RuleProblem {
  std::string field;  // JSON name of the field, e.g. "alarm_types"
  std::string message;
};
std::vector<RuleProblem> check_rule(const WarningRule& r);

// The defaults migrations 0005 (ids 1–5) and 0020 (6–9, for unranked units) seed, same order.
std::vector<WarningRule> default_warning_rules();

// One alarm change as IngestService reports it, plus what the rules need about its hazard
// source (rank, enterprise region). A point without a hazard source has an empty hazard_code,
// rank kUnranked and, when it sits on a non-major unit, that unit's prodcell_id: events group by
// hazard source, else by unit, else by enterprise (ADR 0019).
struct AlarmInput {
  std::int32_t point_id = 0;
  std::string quota_code, company_code, hazard_code, region_code;
  std::string prodcell_id;  // only when hazard_code is empty
  int hazard_rank = 4;
  Transition transition = Transition::raised;
  std::string type;  // for escalated: the new type
  bool data_fault = false, suppressed = false, late = false;
  SysTime start, at;
  double value = 0;
  std::optional<double> threshold;
};

// An alarm as linked to an event.
struct AlarmRef {
  std::int32_t point_id = 0;
  std::string quota_code, type;
  SysTime start;
  double value = 0;
  std::optional<double> threshold;
};

struct WarningDecision {
  enum class Kind {
    open_or_raise,  // the hazard source must have an open event of at least `level`: create one or
                    // raise it
    attach,         // link `alarms` to the open event, if there is one
  };
  Kind kind = Kind::open_or_raise;
  std::string company_code, hazard_code;
  std::string prodcell_id;                  // the non-major unit, when hazard_code is empty
  WarningLevel level = WarningLevel::blue;  // open_or_raise only
  std::int64_t rule_id = 0;
  std::string rule_name;
  WarningCategory category = WarningCategory::threshold;
  std::vector<AlarmRef> alarms;  // the triggering alarm first
  SysTime at;
};

// Follows alarm changes per hazard source and decides. Single-threaded; the service owns one.
class WarningEngine {
 public:
  explicit WarningEngine(std::vector<WarningRule> rules = default_warning_rules());
  void set_rules(std::vector<WarningRule> rules);
  const std::vector<WarningRule>& rules() const { return rules_; }

  std::vector<WarningDecision> on_alarm(const AlarmInput& a);
  // Minimum durations reached by open alarms; with `ticks`, of the enterprises it accepts only
  // (node.cluster: those whose rules state this node holds, ADR 0028).
  std::vector<WarningDecision> on_tick(
      SysTime now, const std::function<bool(const std::string& company_code)>& ticks = {});

  // The event of this hazard source (or, with an empty hazard_code, of this non-major unit or
  // of the enterprise's own points) was closed: the next qualifying alarm opens a new one.
  // Alarms that were linked to it make a new event only by qualifying for a higher level.
  void event_closed(const std::string& company_code, const std::string& hazard_code,
                    const std::string& prodcell_id = {});
  // The level was raised outside the rules (deadline escalation).
  void event_level(const std::string& company_code, const std::string& hazard_code,
                   WarningLevel level, const std::string& prodcell_id = {});

  // After a restart: an open event and the open alarms (with whether they were linked to an
  // open event, or to any event at all).
  void restore_event(const std::string& company_code, const std::string& hazard_code,
                     WarningLevel level, bool combination_applied,
                     const std::string& prodcell_id = {});
  // `end`: an episode that has ended (a reload keeps those within the combination window).
  void restore_alarm(const AlarmInput& a, bool linked_to_open_event, bool linked_to_any_event,
                     std::optional<SysTime> end = std::nullopt);
  // Drops everything known about an enterprise's hazard sources (before a reload of its state
  // evaluated by another node, or when another node holds it).
  void forget_company(const std::string& company_code);
  // The enterprises it holds state for.
  std::vector<std::string> companies() const;

  std::size_t tracked_hazards() const { return hazards_.size(); }

 private:
  struct Tracked {
    AlarmInput alarm;
    std::optional<SysTime> end;
    std::optional<WarningLevel> fired;  // highest level this alarm has produced so far
    bool linked = false;                // linked to the open event
    bool spent = false;                 // linked to an event that is closed now
  };
  struct Hazard {
    std::string company_code, hazard_code, prodcell_id, region_code;
    int rank = 4;
    bool event_open = false;
    WarningLevel event_level = WarningLevel::blue;
    bool combination_applied = false;
    std::map<std::pair<std::int32_t, std::int64_t>, Tracked> alarms;  // (point, start) → episode
  };
  struct Verdict {
    std::optional<WarningLevel> level;
    const WarningRule* rule = nullptr;
  };

  Hazard& hazard_of(const AlarmInput& a);
  bool applies(const WarningRule& r, const Hazard& h, const std::string& type) const;
  Verdict single_level(const Hazard& h, const Tracked& t, SysTime now) const;
  void decide(Hazard& h, Tracked* trigger, SysTime now, bool allow_combination,
              std::vector<WarningDecision>& out);
  struct Combination {
    Verdict verdict;
    std::vector<Tracked*> alarms;  // the members
    bool is_new = false;           // not yet applied to the open event
  };
  // The highest combination rule that holds for h now (see decide); `trigger_counts`: the
  // trigger is worth something alone.
  Combination combination(Hazard& h, const Tracked* trigger, bool trigger_counts, SysTime now,
                          bool allow_combination, std::optional<WarningLevel> best) const;
  void prune(Hazard& h, SysTime now);
  std::chrono::seconds longest_window() const;

  std::vector<WarningRule> rules_;
  std::map<std::string, Hazard> hazards_;  // key_of(company, hazard, unit)
};

}  // namespace hazmon::rules
