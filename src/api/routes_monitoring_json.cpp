#include "routes_monitoring_json.hpp"

#include <hazmon/core/time_format.hpp>

#include <optional>
#include <string>

namespace hazmon::api {
using nlohmann::json;

namespace {
json time_json(core::SysTime t) { return core::format_rfc3339_pg(t); }
json time_json(const std::optional<core::SysTime>& t) { return t ? time_json(*t) : json(nullptr); }
template <typename T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json point_json(const model::PointRef& p) {
  return {{"quota_code", p.quota_code},
          {"name", p.name},
          {"unit", or_null(p.unit)},
          {"company_code", p.company_code}};
}

json latest_item(const model::LatestValue& v) {
  return {{"quota_code", v.quota_code},
          {"name", v.name},
          {"company_code", v.company_code},
          {"hazard_code", or_null(v.hazard_code)},
          {"equip_code", or_null(v.equip_code)},
          {"indicator_type", v.indicator_type},
          {"value_kind", v.value_kind},
          {"unit", or_null(v.unit)},
          {"ll", or_null(v.ll)},
          {"l", or_null(v.l)},
          {"h", or_null(v.h)},
          {"hh", or_null(v.hh)},
          {"value", or_null(v.value)},
          {"quality", or_null(v.quality)},
          {"collect_ts", time_json(v.collect_ts)},
          {"received_ts", time_json(v.received_ts)},
          {"online", v.online}};
}

json alarm_item(const model::AlarmEpisode& a) {
  return {{"id", a.id},
          {"quota_code", a.quota_code},
          {"company_code", a.company_code},
          {"hazard_code", or_null(a.hazard_code)},
          {"equip_code", or_null(a.equip_code)},
          {"alarm_type", a.alarm_type},
          {"is_data_fault", a.is_data_fault},
          {"threshold", or_null(a.threshold)},
          {"start_ts", time_json(a.start_ts)},
          {"raised_ts", time_json(a.raised_ts)},
          {"end_ts", time_json(a.end_ts)},
          {"peak_value", or_null(a.peak_value)},
          {"peak_ts", time_json(a.peak_ts)},
          {"last_value", or_null(a.last_value)},
          {"suppressed", a.suppressed},
          {"late", a.late},
          {"origin", a.origin},
          {"duration_s", a.duration_s},
          {"company_name", or_null(a.company_name)},
          {"hazard_name", or_null(a.hazard_name)},
          {"point_name", or_null(a.point_name)},
          {"unit", or_null(a.unit)}};
}
}  // namespace

json latest_json(const model::Page<model::LatestValue>& page, int limit, long long offset) {
  auto items = json::array();
  for (const auto& v : page.items) items.push_back(latest_item(v));
  return {{"items", std::move(items)}, {"total", page.total}, {"limit", limit}, {"offset", offset}};
}

json history_json(const service::PointHistory& h) {
  auto items = json::array();
  for (const auto& r : h.items)
    items.push_back({{"collect_ts", time_json(r.collect_ts)},
                     {"value", r.value},
                     {"quality", r.quality},
                     {"received_ts", time_json(r.received_ts)}});
  return {{"point", point_json(h.point)},
          {"from", h.from},
          {"to", h.to},
          {"items", std::move(items)},
          {"truncated", h.truncated}};
}

json aggregates_json(const service::PointAggregates& a) {
  auto items = json::array();
  for (const auto& b : a.items)
    items.push_back({{"bucket", time_json(b.bucket)},
                     {"min", b.min},
                     {"max", b.max},
                     {"mean", b.mean},
                     {"last", b.last},
                     {"count", b.count}});
  return {{"point", point_json(a.point)},
          {"interval", a.interval},
          {"from", a.from},
          {"to", a.to},
          {"items", std::move(items)}};
}

json alarms_json(const model::Page<model::AlarmEpisode>& page, int limit, long long offset) {
  auto items = json::array();
  for (const auto& a : page.items) items.push_back(alarm_item(a));
  return {{"items", std::move(items)}, {"total", page.total}, {"limit", limit}, {"offset", offset}};
}

json filing_json(const model::Filing& f) {
  return {{"id", f.id},
          {"company_code", f.company_code},
          {"target_kind", f.target_kind},
          {"target_code", f.target_code},
          {"filing_type", f.filing_type},
          {"starts_at", time_json(f.starts_at)},
          {"ends_at", time_json(f.ends_at)},
          {"reason", f.reason},
          {"person", f.person},
          {"created_by", or_null(f.created_by)},
          {"created_at", time_json(f.created_at)},
          {"status", f.status},
          {"approved_by", or_null(f.approved_by)},
          {"approved_at", time_json(f.approved_at)},
          {"rejected_by", or_null(f.rejected_by)},
          {"rejected_at", time_json(f.rejected_at)},
          {"decision_note", f.decision_note}};
}

json filing_json(const service::FilingAnswer& a) {
  auto j = filing_json(a.filing);
  if (a.pending_reason) j["pending_reason"] = *a.pending_reason;
  return j;
}

json filings_json(const std::vector<model::Filing>& filings) {
  auto items = json::array();
  for (const auto& f : filings) items.push_back(filing_json(f));
  return {{"items", std::move(items)}};
}

}  // namespace hazmon::api
