// The province's view of the city platforms that forward to it (晋应急发〔2021〕247号 二(一): 晋中,
// 运城, 长治 push from their own platforms; docs/federation.md "Province side"): each
// city_platform credential with what it actually sent, from upload_batch (migration 0031).
#include <hazmon/core/error.hpp>
#include <hazmon/service/roster.hpp>
#include <hazmon/storage/city_platform_store.hpp>
#include <hazmon/storage/database.hpp>

#include <nlohmann/json.hpp>

#include <map>

#include "roster_json.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using model::Role;
using nlohmann::json;
using roster_json::time_or_null;

namespace {
const storage::CityPlatformStore kPlatforms;

json number_or_null(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

json RosterService::city_platforms(const model::Principal& who, std::optional<int> silent_minutes) {
  // The province's people read every platform; a city officer the platforms of its own city.
  // Counties, enterprises and machines have no city platform to watch.
  std::string prefix;
  switch (who.role) {
    case Role::province_admin:
    case Role::province_officer:
    case Role::operator_:
      break;
    case Role::city_officer:
      prefix = who.scope.region_prefix();
      break;
    default:
      throw Error(Errc::forbidden, "this role does not see the city platforms");
  }
  int minutes = silent_minutes.value_or(connection_.city_platform_silent_minutes);
  int max_minutes = connection_.max_silent_hours * 60;
  if (minutes < 1 || minutes > max_minutes)
    throw Error(Errc::bad_request, "silent_minutes must be between 1 and " +
                                       std::to_string(max_minutes) +
                                       " (connection.max_silent_hours × 60)");
  // The windows end at the service clock's now, as the connection status's (attack 13.28).
  const auto now = clock_ ? clock_->now() : std::chrono::system_clock::now();
  auto tx = db_.begin();
  auto rows = kPlatforms.platforms(tx, prefix, now);
  std::vector<std::string> ids;
  for (const auto& r : rows) ids.push_back(r.app_id);
  std::map<std::string, json> forwarded_for;
  for (const auto& e : kPlatforms.enterprises(tx, ids, now)) {
    auto& list = forwarded_for[e.app_id];
    if (list.is_null()) list = json::array();
    list.push_back({{"company_code", e.company_code},
                    {"name", e.name},
                    {"last_upload_at", storage::format_timestamptz(e.last_upload_at)},
                    {"uploads", e.uploads},
                    {"rows", e.rows}});
  }
  auto silent_after = std::chrono::minutes(minutes);
  json items = json::array();
  int silent = 0, active = 0;
  for (const auto& r : rows) {
    // Silent: an active credential with no forwarded readings within the window (never counts;
    // heartbeats and empty uploads do not count: attack 13.8).
    bool is_silent = r.is_active && (!r.last_data_at || *r.last_data_at < now - silent_after);
    silent += is_silent ? 1 : 0;
    active += r.is_active ? 1 : 0;
    auto it = forwarded_for.find(r.app_id);
    items.push_back({{"id", r.id},
                     {"app_id", r.app_id},
                     {"region_code", r.region_code},
                     {"region_name", r.region_name},
                     {"description", r.description},
                     {"is_active", r.is_active},
                     {"created_at", storage::format_timestamptz(r.created_at)},
                     {"last_upload_at", time_or_null(r.last_upload_at)},
                     {"last_data_at", time_or_null(r.last_data_at)},
                     {"silent", is_silent},
                     {"uploads_24h", r.uploads_24h},
                     {"rows_24h", r.rows_24h},
                     {"enterprises_24h", r.enterprises_24h},
                     {"enterprises", it == forwarded_for.end() ? json::array() : it->second},
                     {"lag_1h",
                      {{"uploads", r.lag_uploads_1h},
                       {"median_s", number_or_null(r.lag_median_s)},
                       {"p95_s", number_or_null(r.lag_p95_s)}}},
                     {"city_forwarding_duty", r.duty_status ? json{{"status", *r.duty_status},
                                                                   {"deadline", *r.duty_deadline}}
                                                            : json(nullptr)}});
  }
  return {{"generated_at", storage::format_timestamptz(now)},
          {"silent_minutes", minutes},
          {"totals", {{"platforms", rows.size()}, {"active", active}, {"silent", silent}}},
          {"items", std::move(items)}};
}

}  // namespace hazmon::service
