#pragma once
// Data quality from the stored readings and alarm episodes (docs/data-quality.md): a daily
// rollup per point and Beijing-time day (`data_quality_day`, migration 0012) filled from the
// readings, and scoped sums over it per point, enterprise, city or the whole scope.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

// What the rollup needs to know besides the readings.
struct DataQualityRollupSettings {
  int offline_after_s = 300;  // a reading keeps its point online this long (ingest.offline_after_s)
  int default_interval_s =
      60;  // expected spacing of readings when the gateway has no acquisition_interval_s
  int timely_within_s = 60;  // received no later than this after collect time → timely
  // The current day's incremental rollup reads again the readings collected this long before its
  // last run: a reading that arrives up to this late is counted as a whole-day recomputation
  // counts it; one that arrives later is counted when the day is closed (rolled up whole).
  int incremental_lookback_s = 900;
};

// A Beijing-time day as days since 1970-01-01 (UTC+8 civil date).
using BeijingDay = std::int64_t;
BeijingDay beijing_day_of(core::SysTime t);
core::SysTime beijing_day_start(BeijingDay d);  // 00:00 Beijing time = 16:00 UTC the day before
std::string format_day(BeijingDay d);           // "2026-12-05"
std::optional<BeijingDay> parse_day(const std::string& s);  // strict YYYY-MM-DD, a real date

enum class DataQualityLevel { point, enterprise, city, total };

// Sums over point-days; rates are the service's business (service::DataQualityService).
struct DataQualitySums {
  std::optional<BeijingDay> day;  // set when grouped by day
  std::string city_code, city_name, company_code, company_name, quota_code, point_name;
  std::int64_t points = 0;  // point-days
  std::int64_t period_s = 0, online_s = 0, expected = 0, received = 0, received_capped = 0,
               timely = 0, flagged = 0;
  std::int64_t out_of_range = 0, frozen = 0, offline = 0, device_fault = 0;
};

struct DataQualityQuery {
  model::Scope scope;
  BeijingDay from = 0, to = 0;  // both included
  DataQualityLevel level = DataQualityLevel::enterprise;
  bool by_day = true;
  std::string company_code;  // optional filter (already checked against the scope by the caller)
  std::string region_code;   // optional filter: a city or county code
  // Order: by_day rows by day, then worst online rate first; otherwise worst first (online
  // rate, completeness, most data faults). limit 0 = all.
  std::int64_t limit = 0, offset = 0;
};

struct DataQualityPage {
  std::vector<DataQualitySums> rows;
  std::int64_t total = 0;  // rows before limit / offset
};

class DataQualityStore {
 public:
  // Recomputes the rows of Beijing day `day` from the readings up to `until` (the day's end or
  // earlier for the current day). Idempotent; returns the rows written.
  long long rollup(Tx& tx, BeijingDay day, core::SysTime until,
                   const DataQualityRollupSettings& s) const;
  // The same rows, brought from the last run of `day` up to `until` from the readings collected
  // since that run's stable mark (`until` less incremental_lookback_s) only: the cost is that of
  // the interval and the lookback, not of the day. Equal to rollup() for readings that arrive at
  // most incremental_lookback_s after their collect time (tests/integration/data_quality_pgtest).
  // Starts afresh (the whole day so far) when the day has no incremental state: its first run, or
  // rows written by rollup(), or a clock that went back. Returns the rows written.
  long long rollup_incremental(Tx& tx, BeijingDay day, core::SysTime until,
                               const DataQualityRollupSettings& s) const;
  DataQualityPage query(Tx& tx, const DataQualityQuery& q) const;
  // The latest computed_until among the rollup rows of `day`, if any.
  std::optional<core::SysTime> computed_until(Tx& tx, BeijingDay day) const;
};

}  // namespace hazmon::storage
