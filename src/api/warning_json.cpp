// Warning events, their alarms and disposal records as GET /warning-events answers them.
#include "warning_json.hpp"

#include <hazmon/api/warning_push.hpp>

#include <hazmon/core/time_format.hpp>

#include "json_values.hpp"

namespace hazmon::api::warning_json {
using json_values::or_null;
using json_values::time_or_null;
using nlohmann::json;

namespace {
template <typename E>
json name_or_null(const std::optional<E>& v) {
  return v ? json(model::to_string(*v)) : json(nullptr);
}
}  // namespace

json event(const model::WarningEvent& e) {
  return {{"id", e.id},
          {"event_no", e.event_no},
          {"source", model::to_string(e.source)},
          {"company_code", e.company_code},
          {"company_name", e.company_name},
          {"hazard_code", or_null(e.hazard_code)},
          {"hazard_name", or_null(e.hazard_name)},
          {"hazard_rank", or_null(e.hazard_rank)},
          {"prodcell_id", or_null(e.prodcell_id)},
          {"prodcell_name", or_null(e.prodcell_name)},
          {"county_code", or_null(e.county_code)},
          {"city_code", or_null(e.city_code)},
          {"level", model::to_string(e.level)},
          {"initial_level", model::to_string(e.initial_level)},
          {"rule_id", or_null(e.rule_id)},
          {"category", model::to_string(e.category)},
          {"content", e.content},
          {"status", model::to_string(e.status)},
          {"first_ts", core::format_rfc3339_pg(e.first_ts)},
          {"last_ts", core::format_rfc3339_pg(e.last_ts)},
          {"deadline_ts", time_or_null(e.deadline_ts)},
          {"feedback_deadline_ts", time_or_null(e.feedback_deadline_ts)},
          {"check_deadline_ts", time_or_null(e.check_deadline_ts)},
          {"close_deadline_ts", time_or_null(e.close_deadline_ts)},
          {"overdue", e.overdue},
          {"escalation_count", e.escalation_count},
          {"feedback_cause", name_or_null(e.feedback_cause)},
          {"feedback_measures", or_null(e.feedback_measures)},
          {"closed_ts", time_or_null(e.closed_ts)}};
}

json alarm(const model::WarningAlarmLink& a) {
  return {{"alarm_id", or_null(a.alarm_id)},
          {"quota_code", a.quota_code},
          {"alarm_type", a.alarm_type},
          {"start_ts", core::format_rfc3339_pg(a.start_ts)},
          {"value", or_null(a.value)},
          {"threshold", or_null(a.threshold)},
          {"linked_at", core::format_rfc3339_pg(a.linked_at)},
          {"end_ts", time_or_null(a.end_ts)},
          {"peak_value", or_null(a.peak_value)},
          {"suppressed", or_null(a.suppressed)}};
}

json record(const model::DisposalRecord& r) {
  return {{"id", r.id},
          {"at", core::format_rfc3339_pg(r.at)},
          {"actor_id", or_null(r.actor_id)},
          {"actor_name", r.actor_name},
          {"actor_role", model::to_string(r.actor_role)},
          {"user_role", r.user_role},
          {"action", model::to_string(r.action)},
          {"from_status", model::to_string(r.from_status)},
          {"to_status", model::to_string(r.to_status)},
          {"level_before", model::to_string(r.level_before)},
          {"level_after", model::to_string(r.level_after)},
          {"cause", name_or_null(r.cause)},
          {"measures", r.measures},
          {"text", r.text},
          {"deadline_ts", time_or_null(r.deadline_ts)},
          {"overdue", r.overdue}};
}

json recipients(const std::vector<model::ActorKind>& v) {
  json out = json::array();
  for (auto k : v) out.push_back(model::to_string(k));
  return out;
}

json detail(const model::WarningEventDetail& d) {
  auto ev = event(d.event);
  json alarms = json::array(), records = json::array(), actions = json::array();
  for (const auto& a : d.alarms) alarms.push_back(alarm(a));
  for (const auto& r : d.records) records.push_back(record(r));
  for (auto a : d.allowed_actions) actions.push_back(model::to_string(a));
  ev["alarms"] = alarms;
  ev["records"] = records;
  ev["recipients"] = recipients(d.recipients);
  ev["allowed_actions"] = actions;
  return ev;
}

json page(const model::WarningEventPage& p, int limit, long long offset) {
  json items = json::array();
  for (const auto& e : p.items) items.push_back(event(e));
  return {{"items", items}, {"total", p.total}, {"limit", limit}, {"offset", offset}};
}

}  // namespace hazmon::api::warning_json

namespace hazmon::api {

nlohmann::json warning_push_json(const model::WarningPush& p) {
  auto out = warning_json::event(p.event);
  out["recipients"] = warning_json::recipients(p.recipients);
  out["push_reason"] = p.push_reason;
  return out;
}

}  // namespace hazmon::api
