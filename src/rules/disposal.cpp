#include <hazmon/rules/disposal.hpp>

#include <algorithm>
#include <utility>

namespace hazmon::rules {
using namespace std::chrono;

namespace {
using A = DisposalAction;
using S = DisposalState;
using K = ActorKind;

// The transition table: action, the states it starts from, where it leads (nullopt: stays),
// and who may take it.
struct Row {
  A action;
  std::vector<S> from;
  std::optional<S> to;
  std::vector<K> actors;
};

const std::vector<Row>& table() {
  static const std::vector<Row> kTable = {
      {A::confirm, {S::pending_review}, S::pending, {K::county, K::city, K::province}},
      {A::dismiss, {S::pending_review}, S::closed, {K::county, K::city, K::province}},
      {A::push, {S::pending}, S::pushed, {K::system}},
      {A::feedback, {S::pushed}, S::fed_back, {K::enterprise}},
      {A::reject, {S::fed_back}, S::pushed, {K::county, K::city, K::province}},
      {A::check, {S::fed_back}, S::checked, {K::county, K::city}},
      {A::close, {S::checked}, S::closed, {K::city, K::province}},
      {A::supervise,
       {S::pending_review, S::pending, S::pushed, S::fed_back, S::checked},
       std::nullopt,
       {K::city, K::province}},
      {A::raise_level,
       {S::pending_review, S::pending, S::pushed, S::fed_back, S::checked},
       std::nullopt,
       {K::system}},
      {A::escalate,
       {S::pending_review, S::pending, S::pushed, S::fed_back, S::checked},
       std::nullopt,
       {K::system}},
  };
  return kTable;
}

const Row* row_of(A a) {
  for (const auto& r : table())
    if (r.action == a) return &r;
  return nullptr;
}

const StageDeadlines& deadlines_of(WarningLevel l, const DisposalSettings& st) {
  return st.deadlines[static_cast<std::size_t>(static_cast<int>(l) - 1)];
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }
}  // namespace

std::optional<ActorKind> actor_kind_of(const model::Principal& p) {
  using model::Role;
  using model::ScopeKind;
  switch (p.role) {
    case Role::province_admin:
    case Role::province_officer:
      if (p.scope.kind == ScopeKind::province) return ActorKind::province;
      return std::nullopt;
    case Role::city_officer:
      if (p.scope.kind == ScopeKind::region &&
          model::region_level(p.scope.region_code) == model::RegionLevel::city)
        return ActorKind::city;
      return std::nullopt;
    case Role::county_officer:
      if (p.scope.kind == ScopeKind::region &&
          model::region_level(p.scope.region_code) == model::RegionLevel::county)
        return ActorKind::county;
      return std::nullopt;
    case Role::enterprise_user:
      if (p.scope.kind == ScopeKind::enterprise) return ActorKind::enterprise;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<SysTime> stage_deadline(DisposalState s, WarningLevel level, SysTime entered,
                                      const DisposalSettings& st) {
  const auto& d = deadlines_of(level, st);
  switch (s) {
    case S::pushed:
      return entered + d.feedback;
    case S::fed_back:
      return entered + d.check;
    case S::checked:
      return entered + d.close;
    default:
      return std::nullopt;
  }
}

TransitionOutcome apply_transition(const EventState& e, const TransitionRequest& r, ActorKind who,
                                   SysTime now, const DisposalSettings& st) {
  TransitionOutcome out;
  out.next = e;
  const Row* row = row_of(r.action);
  auto refuse = [&](Refusal why, std::string msg, std::string field = {}) {
    out.refused = why;
    out.message = std::move(msg);
    out.field = std::move(field);
    out.next = e;
    return out;
  };
  if (!row)
    return refuse(Refusal::invalid, "events are created by the rules, not by a transition",
                  "action");
  if (std::find(row->actors.begin(), row->actors.end(), who) == row->actors.end())
    return refuse(Refusal::forbidden, std::string("a ") + to_string(who) + " actor may not " +
                                          to_string(r.action) + " a warning event");
  if (std::find(row->from.begin(), row->from.end(), e.state) == row->from.end())
    return refuse(Refusal::wrong_state, std::string("cannot ") + to_string(r.action) +
                                            " an event that is " + to_string(e.state));
  // The city supervises red and orange warnings; closing them is the province's.
  if (r.action == A::close && who == K::city && e.level >= WarningLevel::orange)
    return refuse(Refusal::forbidden, "red and orange warnings are closed by the province");
  if (r.action == A::feedback) {
    if (!r.cause) return refuse(Refusal::invalid, "feedback names a cause", "cause");
    if (blank(r.measures))
      return refuse(Refusal::invalid, "feedback describes the measures taken", "measures");
  }
  if ((r.action == A::reject || r.action == A::dismiss || r.action == A::supervise) &&
      blank(r.text))
    return refuse(Refusal::invalid, std::string(to_string(r.action)) + " needs a text", "text");

  if (row->to) {
    out.next.state = *row->to;
    out.next.deadline = stage_deadline(*row->to, e.level, now, st);
  }
  return out;
}

std::vector<DisposalAction> allowed_actions(const EventState& e, ActorKind who) {
  std::vector<DisposalAction> out;
  for (const auto& row : table()) {
    TransitionRequest probe{row.action, FeedbackCause::false_alarm, "x", "x"};
    if (!apply_transition(e, probe, who, SysTime{}, DisposalSettings{}).refused)
      out.push_back(row.action);
  }
  return out;
}

EventState on_level_raised(const EventState& e, WarningLevel level, SysTime now,
                           const DisposalSettings& st) {
  EventState n = e;
  if (level <= e.level) return n;
  n.level = level;
  if (auto d = stage_deadline(e.state, level, now, st); d && (!e.deadline || *d < *e.deadline))
    n.deadline = d;
  return n;
}

std::optional<EventState> on_deadline(const EventState& e, SysTime now,
                                      const DisposalSettings& st) {
  if (e.state == S::closed || !e.deadline || now < *e.deadline) return std::nullopt;
  if (e.escalations >= st.max_escalations) {
    if (e.overdue) return std::nullopt;
    EventState n = e;
    n.overdue = true;
    return n;
  }
  EventState n = e;
  n.overdue = true;
  ++n.escalations;
  if (st.escalate_level) n.level = raise_level(e.level, 1);
  n.deadline = stage_deadline(e.state, n.level, now, st);
  if (!n.deadline) n.deadline = now + deadlines_of(n.level, st).feedback;
  return n;
}

std::vector<ActorKind> recipients(WarningLevel level, int escalations) {
  int tiers = level == WarningLevel::red      ? 3
              : level == WarningLevel::orange ? 2
                                              : 1;  // beyond the enterprise
  tiers = std::min(3, tiers + std::max(0, escalations));
  std::vector<ActorKind> out{K::enterprise, K::county};
  if (tiers >= 2) out.push_back(K::city);
  if (tiers >= 3) out.push_back(K::province);
  return out;
}

}  // namespace hazmon::rules
