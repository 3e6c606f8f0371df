#include <hazmon/rules/warning_rules.hpp>

#include <algorithm>
#include <set>

namespace hazmon::rules {
using namespace std::chrono;

namespace {
std::int64_t ms_of(SysTime t) { return duration_cast<milliseconds>(t.time_since_epoch()).count(); }

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

AlarmRef ref_of(const AlarmInput& a) {
  return {a.point_id, a.quota_code, a.type, a.start, a.value, a.threshold};
}

// The engine's key of an event target: a hazard source, else a non-major unit, else the
// enterprise's own points (ADR 0019).
std::string key_of(const std::string& company, const std::string& hazard, const std::string& unit) {
  if (!hazard.empty()) return company + "|" + hazard;
  return company + "||" + unit;
}

std::optional<WarningLevel> max_level(std::optional<WarningLevel> a,
                                      std::optional<WarningLevel> b) {
  if (!a) return b;
  if (!b) return a;
  return std::max(*a, *b);
}
}  // namespace

WarningLevel raise_level(WarningLevel l, int steps) {
  int v = std::clamp(static_cast<int>(l) + steps, static_cast<int>(WarningLevel::blue),
                     static_cast<int>(WarningLevel::red));
  return static_cast<WarningLevel>(v);
}

bool is_process_alarm_type(std::string_view type) {
  return type == "HH" || type == "H" || type == "L" || type == "LL" || type == "SWITCH";
}

std::vector<RuleProblem> check_rule(const WarningRule& r) {
  std::vector<RuleProblem> out;
  if (r.name.empty() || r.name.size() > 200) out.push_back({"name", "a name of 1 to 200 bytes"});
  if (r.category != WarningCategory::threshold && r.category != WarningCategory::duration &&
      r.category != WarningCategory::combination)
    out.push_back({"category", "sensor rules are threshold, duration or combination"});
  if (r.alarm_types.empty()) out.push_back({"alarm_types", "name at least one alarm type"});
  std::set<std::string> seen;
  for (const auto& t : r.alarm_types) {
    if (!is_process_alarm_type(t))
      out.push_back(
          {"alarm_types", "only HH, H, L, LL and SWITCH make events; data faults never do"});
    else if (!seen.insert(t).second)
      out.push_back({"alarm_types", t + " is listed twice"});
  }
  for (int rank : r.hazard_ranks)
    if (rank != kUnranked && (rank < 1 || rank > 4))
      out.push_back({"hazard_ranks", "ranks are 1 to 4 or \"unranked\""});
  if (r.min_duration < seconds(0) || r.min_duration > hours(24 * 7))
    out.push_back({"min_duration_s", "0 to 604800 seconds"});
  if (r.min_points < 1 || r.min_points > 100) out.push_back({"min_points", "1 to 100 points"});
  if (r.window < seconds(1) || r.window > hours(24))
    out.push_back({"window_s", "1 to 86400 seconds"});
  if (r.level_step < 0 || r.level_step > 3) out.push_back({"level_step", "0 to 3 levels"});
  bool any_level =
      r.unranked_level.has_value() || std::any_of(r.level_by_rank.begin(), r.level_by_rank.end(),
                                                  [](auto& l) { return l.has_value(); });
  if (!r.is_combination() && !any_level)
    out.push_back({"level_by_rank", "give a level for at least one rank"});
  if (r.is_combination() && !any_level && r.level_step == 0)
    out.push_back({"level_step", "a combination rule needs a level step or a level by rank"});
  if (r.unranked_level &&
      std::find(r.hazard_ranks.begin(), r.hazard_ranks.end(), kUnranked) == r.hazard_ranks.end())
    out.push_back({"level_by_rank",
                   "an \"unranked\" level needs \"unranked\" in hazard_ranks (an empty list "
                   "is ranks 1–4)"});
  if (!r.is_combination() && r.level_step != 0)
    out.push_back({"level_step", "only combination rules (min_points ≥ 2) step levels"});
  if (r.category == WarningCategory::combination && !r.is_combination())
    out.push_back({"min_points", "a combination rule needs at least 2 points"});
  if (r.category != WarningCategory::combination && r.is_combination())
    out.push_back({"category", "a rule over several points is a combination rule"});
  return out;
}

std::vector<WarningRule> default_warning_rules() {
  using L = WarningLevel;
  std::vector<WarningRule> v(5);
  v[0].id = 1;
  v[0].name = "一、二级重大危险源高高/低低/开关量报警";
  v[0].category = WarningCategory::threshold;
  v[0].alarm_types = {"HH", "LL", "SWITCH"};
  v[0].hazard_ranks = {1, 2};
  v[0].level_by_rank = {L::red, L::orange, std::nullopt, std::nullopt};

  v[1].id = 2;
  v[1].name = "三、四级重大危险源高高/低低/开关量报警";
  v[1].category = WarningCategory::threshold;
  v[1].alarm_types = {"HH", "LL", "SWITCH"};
  v[1].hazard_ranks = {3, 4};
  v[1].level_by_rank = {std::nullopt, std::nullopt, L::yellow, L::blue};

  v[2].id = 3;
  v[2].name = "高/低报警持续10分钟";
  v[2].category = WarningCategory::duration;
  v[2].alarm_types = {"H", "L"};
  v[2].min_duration = minutes(10);
  v[2].level_by_rank = {L::yellow, L::yellow, L::blue, L::blue};

  v[3].id = 4;
  v[3].name = "高高/低低报警持续30分钟";
  v[3].category = WarningCategory::duration;
  v[3].alarm_types = {"HH", "LL"};
  v[3].hazard_ranks = {3, 4};
  v[3].min_duration = minutes(30);
  v[3].level_by_rank = {std::nullopt, std::nullopt, L::orange, L::yellow};

  v[4].id = 5;
  v[4].name = "同一危险源10分钟内2个及以上监测点报警";
  v[4].category = WarningCategory::combination;
  v[4].alarm_types = {"HH", "H", "L", "LL", "SWITCH"};
  v[4].min_points = 2;
  v[4].window = minutes(10);
  v[4].level_by_rank = {L::yellow, L::yellow, L::blue, L::blue};
  v[4].level_step = 1;

  // Migration 0020: units that are not major hazard sources and enterprise-level points get
  // the levels of a rank-4 source, through rules of their own (ADR 0019).
  v.resize(9);
  v[5].id = 6;
  v[5].name = "非重大危险源高高/低低/开关量报警";
  v[5].category = WarningCategory::threshold;
  v[5].alarm_types = {"HH", "LL", "SWITCH"};
  v[5].hazard_ranks = {kUnranked};
  v[5].unranked_level = L::blue;

  v[6].id = 7;
  v[6].name = "非重大危险源高/低报警持续10分钟";
  v[6].category = WarningCategory::duration;
  v[6].alarm_types = {"H", "L"};
  v[6].hazard_ranks = {kUnranked};
  v[6].min_duration = minutes(10);
  v[6].unranked_level = L::blue;

  v[7].id = 8;
  v[7].name = "非重大危险源高高/低低报警持续30分钟";
  v[7].category = WarningCategory::duration;
  v[7].alarm_types = {"HH", "LL"};
  v[7].hazard_ranks = {kUnranked};
  v[7].min_duration = minutes(30);
  v[7].unranked_level = L::yellow;

  v[8].id = 9;
  v[8].name = "非重大危险源同一单元10分钟内2个及以上监测点报警";
  v[8].category = WarningCategory::combination;
  v[8].alarm_types = {"HH", "H", "L", "LL", "SWITCH"};
  v[8].hazard_ranks = {kUnranked};
  v[8].min_points = 2;
  v[8].window = minutes(10);
  v[8].unranked_level = L::blue;
  v[8].level_step = 1;
  return v;
}

WarningEngine::WarningEngine(std::vector<WarningRule> rules) : rules_(std::move(rules)) {}

void WarningEngine::set_rules(std::vector<WarningRule> rules) { rules_ = std::move(rules); }

std::chrono::seconds WarningEngine::longest_window() const {
  seconds w{600};
  for (const auto& r : rules_)
    if (r.enabled && r.is_combination()) w = std::max(w, r.window);
  return w;
}

WarningEngine::Hazard& WarningEngine::hazard_of(const AlarmInput& a) {
  const std::string& unit = a.hazard_code.empty() ? a.prodcell_id : std::string();
  auto& h = hazards_[key_of(a.company_code, a.hazard_code, unit)];
  h.company_code = a.company_code;
  h.hazard_code = a.hazard_code;
  h.prodcell_id = unit;
  h.region_code = a.region_code;
  // No hazard source: unranked, whatever the caller said (never rank 4 by default).
  h.rank = a.hazard_code.empty() ? kUnranked : std::clamp(a.hazard_rank, 1, 4);
  return h;
}

bool WarningEngine::applies(const WarningRule& r, const Hazard& h, const std::string& type) const {
  if (!r.enabled || !contains(r.alarm_types, type)) return false;
  // An empty hazard_ranks is every rank 1–4: an unranked target needs a rule that names it.
  if (r.hazard_ranks.empty()
          ? h.rank == kUnranked
          : std::find(r.hazard_ranks.begin(), r.hazard_ranks.end(), h.rank) == r.hazard_ranks.end())
    return false;
  switch (r.scope.kind) {
    case model::ScopeKind::province:
      return true;
    case model::ScopeKind::region:
      return h.region_code.rfind(r.scope.region_prefix(), 0) == 0;
    case model::ScopeKind::enterprise:
      return h.company_code == r.scope.company_code;
  }
  return false;
}

WarningEngine::Verdict WarningEngine::single_level(const Hazard& h, const Tracked& t,
                                                   SysTime now) const {
  Verdict v;
  auto lasted = (t.end ? *t.end : now) - t.alarm.start;
  for (const auto& r : rules_) {
    if (r.is_combination() || !applies(r, h, t.alarm.type)) continue;
    if (r.min_duration > seconds(0) && lasted < r.min_duration) continue;
    auto l = r.level_for(h.rank);
    if (l && (!v.level || *l > *v.level)) {
      v.level = l;
      v.rule = &r;
    }
  }
  return v;
}

// Combination rules: distinct points of this hazard source alarming within the window. A new
// combination needs a new alarm (raised or escalated) among them; once applied to the open
// event it keeps lifting the level while the event is open.
WarningEngine::Combination WarningEngine::combination(Hazard& h, const Tracked* trigger,
                                                      bool trigger_counts, SysTime now,
                                                      bool allow_combination,
                                                      std::optional<WarningLevel> best) const {
  Combination combo;
  for (const auto& r : rules_) {
    if (!r.enabled || !r.is_combination()) continue;
    bool applied = h.event_open && h.combination_applied;
    if (!applied && (!allow_combination || !trigger_counts || !applies(r, h, trigger->alarm.type)))
      continue;
    std::set<std::int32_t> points;
    std::vector<Tracked*> members;
    for (auto& [key, t] : h.alarms) {
      if (!applies(r, h, t.alarm.type)) continue;
      if (t.end && *t.end < now - r.window) continue;
      auto lasted = (t.end ? *t.end : now) - t.alarm.start;
      if (r.min_duration > seconds(0) && lasted < r.min_duration) continue;
      points.insert(t.alarm.point_id);
      members.push_back(&t);
    }
    if (!applied && static_cast<int>(points.size()) < r.min_points) continue;
    auto base = max_level(best, r.level_for(h.rank));
    if (!base) continue;
    auto l = raise_level(*base, r.level_step);
    if (!combo.verdict.level || l > *combo.verdict.level) {
      combo.verdict = {l, &r};
      combo.alarms = std::move(members);
      combo.is_new = !applied;
    }
  }
  return combo;
}

void WarningEngine::decide(Hazard& h, Tracked* trigger, SysTime now, bool allow_combination,
                           std::vector<WarningDecision>& out) {
  // What each alarm is worth alone. An alarm of a closed event is worth something again only
  // once it qualifies for more than it produced then.
  std::map<const Tracked*, std::optional<WarningLevel>> worth;
  Verdict best;
  Tracked* best_alarm = nullptr;
  for (auto& [key, t] : h.alarms) {
    auto v = single_level(h, t, now);
    if (t.spent && v.level && t.fired && *v.level <= *t.fired) v = {};
    worth[&t] = v.level;
    if (v.level && (!best.level || *v.level > *best.level)) {
      best = v;
      best_alarm = &t;
    }
  }
  auto counts = [&](const Tracked* t) { return t && (!t->spent || worth[t]); };

  auto c = combination(h, trigger, counts(trigger), now, allow_combination, best.level);
  const Verdict& combo = c.verdict;
  bool combo_new = c.is_new;
  auto& combo_alarms = c.alarms;
  bool use_combo = combo.level && (!best.level || *combo.level > *best.level);
  Verdict want = use_combo ? combo : best;

  auto link = [&](WarningDecision& d, Tracked* t) {
    if (!t || t->linked) return;
    d.alarms.push_back(ref_of(t->alarm));
    t->linked = true;
    t->spent = false;
    t->fired = max_level(t->fired, worth[t]);
  };

  if (want.level && (!h.event_open || *want.level > h.event_level)) {
    WarningDecision d;
    d.kind = WarningDecision::Kind::open_or_raise;
    d.company_code = h.company_code;
    d.hazard_code = h.hazard_code;
    d.prodcell_id = h.prodcell_id;
    d.level = *want.level;
    d.rule_id = want.rule->id;
    d.rule_name = want.rule->name;
    d.category = want.rule->category;
    d.at = now;
    h.event_open = true;
    h.event_level = *want.level;
    if (use_combo && combo_new) h.combination_applied = true;
    // The alarm that decided comes first, linked before or not (the service words the event by it).
    Tracked* first = counts(trigger) ? trigger : best_alarm;
    if (first && first->linked) d.alarms.push_back(ref_of(first->alarm));
    link(d, first);
    link(d, best_alarm);
    if (use_combo)
      for (auto* t : combo_alarms) link(d, t);
    for (auto& [key, t] : h.alarms)
      if (counts(&t)) link(d, &t);
    out.push_back(std::move(d));
  } else if (h.event_open && counts(trigger) && !trigger->linked) {
    WarningDecision d;
    d.kind = WarningDecision::Kind::attach;
    d.company_code = h.company_code;
    d.hazard_code = h.hazard_code;
    d.prodcell_id = h.prodcell_id;
    d.level = h.event_level;
    d.at = now;
    link(d, trigger);
    out.push_back(std::move(d));
  }
  for (auto& [key, t] : h.alarms)
    if (t.linked) t.fired = max_level(t.fired, worth[&t]);
}

void WarningEngine::prune(Hazard& h, SysTime now) {
  auto keep = longest_window();
  for (auto it = h.alarms.begin(); it != h.alarms.end();) {
    if (it->second.end && *it->second.end < now - keep)
      it = h.alarms.erase(it);
    else
      ++it;
  }
}

std::vector<WarningDecision> WarningEngine::on_alarm(const AlarmInput& a) {
  std::vector<WarningDecision> out;
  if (!is_process_alarm_type(a.type) || a.data_fault) return out;
  auto key = std::make_pair(a.point_id, ms_of(a.start));
  if (a.transition == Transition::cleared) {
    // Clears are followed even when late: an episode must not stay open here forever.
    auto it = hazards_.find(key_of(a.company_code, a.hazard_code,
                                   a.hazard_code.empty() ? a.prodcell_id : std::string()));
    if (it == hazards_.end()) return out;
    auto& h = it->second;
    auto t = h.alarms.find(key);
    if (t == h.alarms.end()) return out;
    t->second.end = a.at;
    decide(h, &t->second, a.at, false, out);  // a minimum duration may be reached only now
    prune(h, a.at);
    return out;
  }
  if (a.suppressed || a.late) return out;
  auto& h = hazard_of(a);
  auto [t, inserted] =
      h.alarms.try_emplace(key, Tracked{a, std::nullopt, std::nullopt, false, false});
  if (!inserted) {
    t->second.alarm.type = a.type;
    t->second.alarm.value = a.value;
    t->second.alarm.threshold = a.threshold;
    t->second.alarm.at = a.at;
  }
  decide(h, &t->second, a.at, true, out);
  prune(h, a.at);
  return out;
}

std::vector<WarningDecision> WarningEngine::on_tick(
    SysTime now, const std::function<bool(const std::string&)>& ticks) {
  std::vector<WarningDecision> out;
  for (auto it = hazards_.begin(); it != hazards_.end();) {
    auto& h = it->second;
    if (ticks && !ticks(h.company_code)) {
      ++it;
      continue;
    }
    prune(h, now);
    decide(h, nullptr, now, false, out);
    if (h.alarms.empty() && !h.event_open)
      it = hazards_.erase(it);
    else
      ++it;
  }
  return out;
}

void WarningEngine::event_closed(const std::string& company_code, const std::string& hazard_code,
                                 const std::string& prodcell_id) {
  auto it = hazards_.find(key_of(company_code, hazard_code, prodcell_id));
  if (it == hazards_.end()) return;
  auto& h = it->second;
  h.event_open = false;
  h.combination_applied = false;
  h.event_level = WarningLevel::blue;
  for (auto& [key, t] : h.alarms) {
    if (!t.linked) continue;
    t.linked = false;
    t.spent = true;
  }
}

void WarningEngine::event_level(const std::string& company_code, const std::string& hazard_code,
                                WarningLevel level, const std::string& prodcell_id) {
  auto it = hazards_.find(key_of(company_code, hazard_code, prodcell_id));
  if (it == hazards_.end() || !it->second.event_open) return;
  it->second.event_level = std::max(it->second.event_level, level);
}

void WarningEngine::restore_event(const std::string& company_code, const std::string& hazard_code,
                                  WarningLevel level, bool combination_applied,
                                  const std::string& prodcell_id) {
  const std::string& unit = hazard_code.empty() ? prodcell_id : std::string();
  auto& h = hazards_[key_of(company_code, hazard_code, unit)];
  h.company_code = company_code;
  h.hazard_code = hazard_code;
  h.prodcell_id = unit;
  if (hazard_code.empty()) h.rank = kUnranked;
  h.event_open = true;
  h.event_level = level;
  h.combination_applied = combination_applied;
}

void WarningEngine::restore_alarm(const AlarmInput& a, bool linked_to_open_event,
                                  bool linked_to_any_event, std::optional<SysTime> end) {
  if (!is_process_alarm_type(a.type) || a.data_fault || a.suppressed || a.late) return;
  auto& h = hazard_of(a);
  Tracked t{a, end, std::nullopt, linked_to_open_event,
            linked_to_any_event && !linked_to_open_event};
  // Linked before the restart: it produced at least what it is worth now.
  if (linked_to_any_event) t.fired = single_level(h, t, a.at).level;
  h.alarms.insert_or_assign(std::make_pair(a.point_id, ms_of(a.start)), std::move(t));
}

}  // namespace hazmon::rules

namespace hazmon::rules {

void WarningEngine::forget_company(const std::string& company_code) {
  for (auto it = hazards_.begin(); it != hazards_.end();) {
    if (it->second.company_code == company_code)
      it = hazards_.erase(it);
    else
      ++it;
  }
}

std::vector<std::string> WarningEngine::companies() const {
  std::set<std::string> seen;
  for (const auto& [key, h] : hazards_) seen.insert(h.company_code);
  return {seen.begin(), seen.end()};
}

}  // namespace hazmon::rules
