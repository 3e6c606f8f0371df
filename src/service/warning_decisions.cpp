// The worker's job: alarm changes through rules::WarningEngine into warning events (create,
// link, raise), the system's push, the periodic deadline check with escalation, the start-up
// restore of open state, and the on_push listeners. Runs on the worker thread only.
#include <prometheus/counter.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/database.hpp>

#include <algorithm>
#include <cstdio>

#include "warning_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using namespace std::chrono;
using rules::DisposalAction;
using rules::DisposalState;
using rules::WarningLevel;

namespace warning_detail {

std::string ts(core::SysTime t) { return core::format_rfc3339(t); }

rules::EventState state_of(const storage::EventStateRow& row) {
  rules::EventState e;
  e.state = row.status;
  e.level = row.level;
  switch (e.state) {
    case DisposalState::pushed:
      e.deadline = row.feedback_deadline_ts;
      break;
    case DisposalState::fed_back:
      e.deadline = row.check_deadline_ts;
      break;
    case DisposalState::checked:
      e.deadline = row.close_deadline_ts;
      break;
    default:
      break;
  }
  e.overdue = row.overdue;
  e.escalations = row.escalation_count;
  return e;
}

rules::EventState state_of(const model::WarningEvent& ev) {
  storage::EventStateRow row;
  row.status = ev.status;
  row.level = ev.level;
  row.feedback_deadline_ts = ev.feedback_deadline_ts;
  row.check_deadline_ts = ev.check_deadline_ts;
  row.close_deadline_ts = ev.close_deadline_ts;
  row.overdue = ev.overdue;
  row.escalation_count = ev.escalation_count;
  return state_of(row);
}

storage::EventStateWrite write_of(const rules::EventState& e) {
  return {e.state, e.level, e.deadline, e.overdue, e.escalations};
}

std::string event_no(core::SysTime first, long long id) {
  auto day = floor<days>(first + hours(8));
  year_month_day ymd{day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "YJ%04d%02u%02u%06lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), id);
  return buf;
}

std::pair<std::optional<std::string>, std::optional<std::string>> county_and_city(
    const std::string& region) {
  if (auto lvl = model::region_level(region)) {
    if (*lvl == model::RegionLevel::county) return {region, region.substr(0, 4) + "00"};
    if (*lvl == model::RegionLevel::city) return {std::nullopt, region};
  }
  return {std::nullopt, std::nullopt};
}

std::string target_key(const std::string& company, const std::string& hazard,
                       const std::string& unit) {
  return hazard.empty() ? company + "||" + unit : company + "|" + hazard;
}

const char* actor_name_zh(rules::ActorKind k) {
  switch (k) {
    case rules::ActorKind::system:
      return "系统";
    case rules::ActorKind::enterprise:
      return "企业";
    case rules::ActorKind::county:
      return "县区";
    case rules::ActorKind::city:
      return "市";
    case rules::ActorKind::province:
      return "省";
  }
  return "";
}

std::string recipients_zh(rules::WarningLevel level, int escalations) {
  std::string who;
  for (auto k : rules::recipients(level, escalations))
    who += std::string(who.empty() ? "" : "、") + actor_name_zh(k);
  return who;
}

namespace {
const char* stage_name(DisposalState s) {
  switch (s) {
    case DisposalState::pushed:
      return "企业反馈";
    case DisposalState::fed_back:
      return "核查";
    case DisposalState::checked:
      return "办结";
    default:
      return "处置";
  }
}

const char* alarm_type_name(const std::string& t) {
  if (t == "HH") return "高高报警";
  if (t == "H") return "高报警";
  if (t == "L") return "低报警";
  if (t == "LL") return "低低报警";
  if (t == "SWITCH") return "开关量报警";
  return "报警";
}

const char* rank_name(int rank) {
  static const char* kNames[] = {"一", "二", "三", "四"};
  return rank >= 1 && rank <= 4 ? kNames[rank - 1] : "";
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string content_of(const rules::WarningDecision& d, const HazardInfo& info,
                       const std::string& point_name) {
  std::string out = info.company_name + info.hazard_name;
  if (info.rank >= 1 && info.rank <= 4)
    out += std::string("（") + rank_name(info.rank) + "级重大危险源）";
  else if (info.rank == rules::kUnranked)
    out += info.hazard_name.empty() ? "企业级监测点（非重大危险源）" : "（非重大危险源）";
  if (!d.alarms.empty()) {
    const auto& a = d.alarms.front();
    out += (point_name.empty() ? a.quota_code : point_name + "（" + a.quota_code + "）") +
           alarm_type_name(a.type) + "，当前值" + num(a.value);
    if (a.threshold) out += "，报警阈值" + num(*a.threshold);
    if (d.alarms.size() > 1) out += "，共" + std::to_string(d.alarms.size()) + "个监测点报警";
  }
  out += "；依据规则“" + d.rule_name + "”产生" + rules::chinese_name(d.level) + "预警。";
  return out;
}
}  // namespace
}  // namespace warning_detail

using namespace warning_detail;

// Puts stored events and platform alarms into the engine: open alarms at `now`, ended ones
// (reload_companies' window) at their end. A restart and a node's takeover share it.
void WarningService::Impl::load_state(const std::vector<storage::OpenSensorEvent>& open,
                                      const std::vector<storage::OpenAlarm>& alarms,
                                      core::SysTime now) {
  for (const auto& e : open) {
    engine.restore_event(e.company_code, e.hazard_code, e.level,
                         e.category == rules::WarningCategory::combination, e.prodcell_id);
    open_ids[target_key(e.company_code, e.hazard_code, e.prodcell_id)] = e.id;
  }
  for (const auto& a : alarms) {
    rules::AlarmInput in;
    in.point_id = a.point_id;
    in.quota_code = a.quota_code;
    in.company_code = a.company_code;
    in.hazard_code = a.hazard_code;
    in.prodcell_id = a.prodcell_id;
    in.region_code = a.region_code;
    in.hazard_rank = a.hazard_code.empty() ? rules::kUnranked : a.rank;
    in.type = a.alarm_type;
    in.start = a.start_ts;
    in.at = a.end_ts.value_or(now);
    in.value = a.value;
    in.threshold = a.threshold;
    engine.restore_alarm(in, a.linked_open, a.linked_any, a.end_ts);
  }
}

void WarningService::Impl::restore() {
  auto now = clock.now();
  auto [open, alarms] = db.in_tx([&](storage::Tx& tx) {
    return std::make_pair(events.open_sensor_events(tx), events.open_platform_alarms(tx));
  });
  load_state(open, alarms, now);
  log->info("warning state restored: {} open events, {} open alarms", open.size(), alarms.size());
}

const HazardInfo& WarningService::Impl::hazard_info(const std::string& hazard_code) {
  auto now = clock.now();
  auto it = hazards.find(hazard_code);
  if (it != hazards.end() && now - it->second.loaded < minutes(10)) return it->second;
  auto row = db.in_tx([&](storage::Tx& tx) { return events.hazard(tx, hazard_code); });
  HazardInfo info;
  info.loaded = now;
  if (row) {
    info.rank = row->rank;
    info.region_code = row->region_code;
    info.company_name = row->company_name;
    info.hazard_name = row->hazard_name;
  }
  return hazards[hazard_code] = info;
}

const HazardInfo& WarningService::Impl::unranked_info(const std::string& company_code,
                                                      const std::string& prodcell_id) {
  auto now = clock.now();
  auto key = target_key(company_code, "", prodcell_id);
  auto it = hazards.find(key);
  if (it != hazards.end() && now - it->second.loaded < minutes(10)) return it->second;
  auto row = db.in_tx(
      [&](storage::Tx& tx) { return events.unranked_target(tx, company_code, prodcell_id); });
  HazardInfo info;
  info.loaded = now;
  info.rank = rules::kUnranked;
  if (row) {
    info.region_code = row->region_code;
    info.company_name = row->company_name;
    info.hazard_name = row->hazard_name;
  }
  return hazards[key] = info;
}

const HazardInfo& WarningService::Impl::target_info(const rules::WarningDecision& d) {
  return d.hazard_code.empty() ? unranked_info(d.company_code, d.prodcell_id)
                               : hazard_info(d.hazard_code);
}

void WarningService::Impl::handle_alarm(const model::AlarmEvent& w) {
  if (w.data_fault || !rules::is_process_alarm_type(model::to_string(w.type))) return;
  if (w.transition != model::AlarmTransition::cleared && (w.suppressed || w.late)) return;
  rules::AlarmInput in;
  in.point_id = w.point_id;
  in.quota_code = w.quota_code;
  in.company_code = w.company_code;
  in.hazard_code = w.hazard_code;
  // Without a hazard source the event groups by the point's unit, or by the enterprise.
  if (w.hazard_code.empty()) in.prodcell_id = w.prodcell_id;
  in.transition = w.transition;
  in.type = model::to_string(w.type);
  in.data_fault = w.data_fault;
  in.suppressed = w.suppressed;
  in.late = w.late;
  in.start = core::SysTime{milliseconds(w.start_ms)};
  in.at = core::SysTime{milliseconds(w.at_ms)};
  in.value = w.value;
  in.threshold = w.threshold;
  if (in.transition != rules::Transition::cleared) {
    const auto& info = w.hazard_code.empty() ? unranked_info(w.company_code, in.prodcell_id)
                                             : hazard_info(w.hazard_code);
    in.hazard_rank = info.rank;
    in.region_code = info.region_code;
  }
  for (auto& d : engine.on_alarm(in)) apply_or_retry(std::move(d));
}

void WarningService::Impl::apply_or_retry(rules::WarningDecision d, int attempts) {
  try {
    apply(d);
  } catch (const std::exception& e) {
    ++n_failures;
    if (attempts + 1 >= 20) {
      log->error("warning decision for hazard {} dropped after {} attempts: {}", d.hazard_code,
                 attempts + 1, e.what());
      return;
    }
    log->warn("warning decision for hazard {} failed ({}); retried at the next tick", d.hazard_code,
              e.what());
    retry.push_back({std::move(d), attempts + 1});
  }
}

void WarningService::Impl::link_alarms(storage::Tx& tx, long long event_id,
                                       const std::vector<rules::AlarmRef>& alarms,
                                       core::SysTime now) {
  for (const auto& a : alarms)
    events.link_alarm(tx, event_id,
                      {a.point_id, a.start, a.quota_code, a.type, a.value, a.threshold}, now);
}

void WarningService::Impl::record(storage::Tx& tx, long long event_id, core::SysTime at,
                                  const model::Principal* who, rules::ActorKind kind,
                                  DisposalAction action, const rules::EventState& before,
                                  const rules::EventState& after,
                                  const std::optional<rules::FeedbackCause>& cause,
                                  const std::string& measures, const std::string& text) {
  storage::NewDisposalRecord r;
  r.event_id = event_id;
  r.at = at;
  if (who) r.actor_id = who->id;
  r.actor_name = who ? who->name : std::string("system");
  r.actor_role = kind;
  r.user_role = who ? std::string(model::to_string(who->role)) : std::string();
  r.action = action;
  r.from_status = before.state;
  r.to_status = after.state;
  r.level_before = before.level;
  r.level_after = after.level;
  r.cause = cause;
  r.measures = measures;
  r.text = text;
  r.deadline_ts = after.deadline;
  r.overdue = after.overdue;
  events.add_record(tx, r);
}

void WarningService::Impl::save_state(storage::Tx& tx, long long id, const rules::EventState& e) {
  events.save_state(tx, id, write_of(e));
}

// The system pushes a pending event (the on_push listeners hear of it after the commit).
rules::EventState WarningService::Impl::push(storage::Tx& tx, long long id,
                                             const rules::EventState& e, core::SysTime now) {
  rules::TransitionRequest req{DisposalAction::push, std::nullopt, {}, {}};
  auto o = rules::apply_transition(e, req, rules::ActorKind::system, now, s.disposal);
  if (o.refused) return e;
  save_state(tx, id, o.next);
  record(tx, id, now, nullptr, rules::ActorKind::system, DisposalAction::push, e, o.next,
         std::nullopt, {}, "已推送至：" + recipients_zh(o.next.level, o.next.escalations));
  return o.next;
}

// An alarm joins the open event; a higher level raises it. True when the level was raised.
bool WarningService::Impl::raise_open_event(storage::Tx& tx, const rules::WarningDecision& d,
                                            const storage::EventStateRow& row, core::SysTime now,
                                            std::optional<WarningLevel>& new_level) {
  link_alarms(tx, row.id, d.alarms, now);
  events.touch(tx, row.id, d.at);
  if (d.kind == rules::WarningDecision::Kind::attach) return false;
  auto before = state_of(row);
  if (d.level <= before.level) return false;
  auto after = rules::on_level_raised(before, d.level, now, s.disposal);
  save_state(tx, row.id, after);
  std::string text = "依据规则“" + d.rule_name + "”，预警级别由" +
                     rules::chinese_name(before.level) + "升为" + rules::chinese_name(after.level);
  if (!d.alarms.empty())
    text += "：" + d.alarms.front().quota_code + alarm_type_name(d.alarms.front().type);
  record(tx, row.id, now, nullptr, rules::ActorKind::system, DisposalAction::raise_level, before,
         after, std::nullopt, {}, text);
  new_level = after.level;
  return true;
}

// A new event: created pending, then pushed by the system. Returns its id.
long long WarningService::Impl::create_event(storage::Tx& tx, const rules::WarningDecision& d,
                                             const HazardInfo& info, core::SysTime now) {
  std::string point_name;
  if (!d.alarms.empty())
    point_name = events.point_name(tx, d.alarms.front().quota_code).value_or("");
  storage::NewWarningEvent e;
  e.id = events.next_id(tx);
  e.first_ts = d.at;
  for (const auto& a : d.alarms) e.first_ts = std::min(e.first_ts, a.start);
  e.event_no = event_no(e.first_ts, e.id);
  e.source = model::WarningSource::sensor;
  e.company_code = d.company_code;
  if (!d.hazard_code.empty())
    e.hazard_code = d.hazard_code;
  else if (!d.prodcell_id.empty())
    e.prodcell_id = d.prodcell_id;
  std::tie(e.county_code, e.city_code) = county_and_city(info.region_code);
  e.level = d.level;
  if (d.rule_id > 0) e.rule_id = d.rule_id;
  e.category = d.category;
  e.content = content_of(d, info, point_name);
  e.status = DisposalState::pending;
  e.last_ts = d.at;
  events.insert(tx, e);
  link_alarms(tx, e.id, d.alarms, now);
  rules::EventState created;
  created.state = DisposalState::pending;
  created.level = d.level;
  record(tx, e.id, now, nullptr, rules::ActorKind::system, DisposalAction::create, created, created,
         std::nullopt, {}, e.content);
  push(tx, e.id, created, now);
  return e.id;
}

void WarningService::Impl::apply(const rules::WarningDecision& d) {
  auto now = clock.now();
  auto key = target_key(d.company_code, d.hazard_code, d.prodcell_id);
  std::optional<std::string> push_reason;
  long long event_id = 0;
  std::optional<WarningLevel> new_level;
  const HazardInfo* info = nullptr;
  if (d.kind == rules::WarningDecision::Kind::open_or_raise) info = &target_info(d);
  db.in_tx([&](storage::Tx& tx) {
    auto row = events.lock_open_sensor_event(tx, d.company_code, d.hazard_code, d.prodcell_id);
    if (row) {
      event_id = row->id;
      if (raise_open_event(tx, d, *row, now, new_level)) push_reason = "level_raised";
      return;
    }
    if (d.kind == rules::WarningDecision::Kind::attach) return;  // closed meanwhile
    event_id = create_event(tx, d, *info, now);
    push_reason = "created";
  });
  if (event_id == 0) return;
  if (push_reason && *push_reason == "created") {
    open_ids[key] = event_id;
    ++n_created;
    if (m_created) m_created->Increment();
    log->info("warning event {} created: company={} hazard={} level={} rule={}", event_id,
              d.company_code, d.hazard_code, rules::to_string(d.level), d.rule_id);
  } else if (new_level) {
    open_ids[key] = event_id;
    ++n_raised;
    engine.event_level(d.company_code, d.hazard_code, *new_level, d.prodcell_id);
    log->info("warning event {} raised to {} by rule {}", event_id, rules::to_string(*new_level),
              d.rule_id);
  }
  if (push_reason) notify(event_id, *push_reason);
}

std::optional<model::WarningPush> WarningService::Impl::push_of(long long id,
                                                                const std::string& reason) {
  auto ev = db.in_tx([&](storage::Tx& tx) { return events.find(tx, id); });
  if (!ev) return std::nullopt;
  auto st = state_of(*ev);
  model::WarningPush p;
  p.event = std::move(*ev);
  p.recipients = rules::recipients(st.level, st.escalations);
  p.push_reason = reason;
  return p;
}

void WarningService::Impl::notify(long long id, const std::string& reason) {
  std::vector<std::function<void(const model::WarningPush&)>> hooks;
  {
    std::lock_guard lock(hook_mu);
    hooks = push_hooks;
  }
  if (hooks.empty()) return;
  try {
    auto out = push_of(id, reason);
    if (!out) return;
    // Each listener on its own: a failing one (say, the SMS gateway) must not starve the others.
    for (auto& hook : hooks) {
      try {
        hook(*out);
      } catch (const std::exception& e) {
        log->warn("on_push listener for warning event {} failed: {}", id, e.what());
      }
    }
  } catch (const std::exception& e) {
    log->warn("on_push for warning event {} failed: {}", id, e.what());
  }
}

// Missed deadlines: overdue, escalation, a fresh deadline, a new push.
void WarningService::Impl::check_deadlines(core::SysTime now) {
  auto due = db.in_tx(
      [&](storage::Tx& tx) { return events.past_deadline(tx, now, s.disposal.max_escalations); });
  for (auto id : due) {
    try {
      escalate(id, now);
    } catch (const std::exception& e) {
      ++n_failures;
      log->warn("deadline check of warning event {} failed: {}", id, e.what());
    }
  }
}

void WarningService::Impl::escalate(long long id, core::SysTime now) {
  std::optional<rules::EventState> changed;
  std::string company, hazard, unit;
  bool sensor = false;
  db.in_tx([&](storage::Tx& tx) {
    auto row = events.lock(tx, id);
    if (!row) return;
    auto before = state_of(*row);
    auto after = rules::on_deadline(before, now, s.disposal);
    if (!after) return;
    save_state(tx, id, *after);
    std::string text = std::string(stage_name(before.state)) + "期限" +
                       (before.deadline ? ts(*before.deadline) : "") + "已过，标记逾期";
    if (after->level != before.level)
      text += std::string("；预警级别由") + rules::chinese_name(before.level) + "升为" +
              rules::chinese_name(after->level);
    if (after->escalations != before.escalations)
      text += "；第" + std::to_string(after->escalations) + "次升级，通知范围：" +
              recipients_zh(after->level, after->escalations);
    record(tx, id, now, nullptr, rules::ActorKind::system, DisposalAction::escalate, before, *after,
           std::nullopt, {}, text);
    changed = after;
    company = row->company_code;
    hazard = row->hazard_code.value_or("");
    unit = row->prodcell_id.value_or("");
    sensor = row->source == model::WarningSource::sensor;
  });
  if (!changed) return;
  ++n_escalated;
  if (m_escalated) m_escalated->Increment();
  log->info("warning event {} overdue: level={} escalations={}", id,
            rules::to_string(changed->level), changed->escalations);
  if (sensor) engine.event_level(company, hazard, changed->level, unit);
  notify(id, "escalated");
}

void WarningService::Impl::handle_tick() {
  auto now = clock.now();
  std::deque<Pending> again;
  again.swap(retry);
  for (auto& p : again) apply_or_retry(std::move(p.decision), p.attempts);
  for (auto& d : engine.on_tick(now, ticked_companies())) apply_or_retry(std::move(d));
  try {
    check_deadlines(now);
  } catch (const std::exception& e) {
    ++n_failures;
    log->warn("deadline check skipped: {}", e.what());
  }
}

}  // namespace hazmon::service
