#pragma once
// The province's view of the city platforms that forward to it (migration 0031, docs/federation.md
// "Province side"): each city_platform credential with what it actually sent, read from
// upload_batch (forwarded_by, app_id, newest_collect_ts).
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>

namespace hazmon::storage {

class Tx;

struct CityPlatformRow {
  long long id = 0;
  std::string app_id, region_code, region_name, description;
  bool is_active = true;
  core::SysTime created_at{};
  // The latest forwarded upload, and the latest that carried accepted readings (heartbeats and
  // empty uploads do not keep a platform from being silent).
  std::optional<core::SysTime> last_upload_at, last_data_at;
  long long uploads_24h = 0, rows_24h = 0, enterprises_24h = 0;
  // Arrival lag over the last hour's uploads with readings: received minus the newest reading's
  // collect time, in seconds.
  long long lag_uploads_1h = 0;
  std::optional<double> lag_median_s, lag_p95_s;
  // The platform's city's 转发 duty (city_duty 'city_forwarding', migration 0026), if it has one.
  std::optional<std::string> duty_status, duty_deadline;
};

// One enterprise a platform forwarded for within the last 24 hours.
struct CityPlatformEnterpriseRow {
  std::string app_id, company_code, name;
  core::SysTime last_upload_at{};
  long long uploads = 0, rows = 0;
};

class CityPlatformStore {
 public:
  // The city_platform credentials whose region starts with `region_prefix` ("" = all), by region
  // and appId; the 24 h and 1 h figures end at `now` (the service clock, as the connection
  // status's window: attack 13.28).
  std::vector<CityPlatformRow> platforms(Tx& tx, const std::string& region_prefix,
                                         core::SysTime now) const;
  // The enterprises those credentials forwarded for in the last 24 hours, by appId, then latest
  // upload first.
  std::vector<CityPlatformEnterpriseRow> enterprises(Tx& tx,
                                                     const std::vector<std::string>& app_ids,
                                                     core::SysTime now) const;
};

}  // namespace hazmon::storage
