#pragma once
// Data quality (数据质量, docs/data-quality.md): the rules over the sums that
// storage::DataQualityStore reads — rates, the 99.5 % target, the bottom list — the scope and
// period checks of GET /api/v1/data-quality, and the rollup schedule that the aggregation
// ticker drives (closed days once, then again `recompute_days` later; the current day every
// `refresh_interval`).
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/data_quality_store.hpp>

namespace hazmon::storage {
class Database;
}
namespace hazmon::report {
struct Table;
}

namespace hazmon::service {

struct DataQualitySettings {
  double target_online_rate = 0.995;  // the national target
  storage::DataQualityRollupSettings rollup;
  std::chrono::seconds refresh_interval{600};  // the current day's rows are recomputed this often
  int recompute_days = 2;  // closed days recomputed when the day turns (late readings, resends)
  int max_days = 92;       // longest period one request may ask for
  std::int64_t max_export_rows = 200000;  // csv/xlsx above this: 413 too_large
};
// The config's `data_quality` section; rollup.offline_after_s is ingest.offline_after_s (app).
void from_json(const nlohmann::json& j, DataQualitySettings& s);

struct DataQualityRequest {
  std::string level = "enterprise";  // point | enterprise | city
  std::string from, to;              // YYYY-MM-DD, Beijing time; empty: yesterday / today
  std::string company_code, city_code;
  int bottom = 10;
  std::int64_t limit = 100, offset = 0;  // limit 0: every row (exports)
  // Exports: the totals are not in the file (not read); the bottom list only where the file has
  // its sheet (XLSX).
  bool with_totals = true, with_bottom = true;
};

struct DataQualityFigures {
  storage::DataQualitySums sums;
  std::optional<double> online_rate, completeness, timeliness;
  bool meets_target = false;
};

struct DataQualityResult {
  std::string level;
  storage::BeijingDay from = 0, to = 0;
  std::string from_text, to_text;  // YYYY-MM-DD
  double target_online_rate = 0.995;
  int timely_within_s = 60;
  std::optional<core::SysTime> computed_until;  // of the last day asked for, if rolled up
  DataQualityFigures totals;
  std::vector<DataQualityFigures> items;
  std::int64_t total = 0;
  std::vector<DataQualityFigures> bottom;
  // summary() only: the enterprises' own online rates over the period, averaged (each
  // enterprise counts once), and how many of them meet the target.
  std::optional<double> enterprise_online_rate;
  std::int64_t enterprises = 0, enterprises_meeting_target = 0;
};

class DataQualityService {
 public:
  DataQualityService(storage::Database& db, DataQualitySettings s, const core::Clock& clock);

  // Throws core::Error: bad_request for a bad level, day, order or a period longer than
  // max_days; not_found for a company or region code outside the caller's scope.
  DataQualityResult query(const model::Principal& who, const DataQualityRequest& req) const;
  // The figures of a whole period for a scope (reports): totals, `items` one row per city over
  // the whole period, the enterprises' bottom list and their averaged online rate.
  DataQualityResult summary(const model::Scope& scope, storage::BeijingDay from,
                            storage::BeijingDay to, int bottom) const;

  // Called by the aggregation ticker (IngestService's maintenance): rolls up what is due.
  // Returns the rollup rows written.
  long long refresh();

  const DataQualitySettings& settings() const { return s_; }

 private:
  DataQualityFigures figures(const storage::DataQualitySums& s) const;

  storage::Database& db_;
  DataQualitySettings s_;
  const core::Clock& clock_;
  std::mutex refresh_mu_;
  std::optional<core::SysTime> last_today_refresh_;
};

nlohmann::json to_json(const DataQualityFigures& f);
nlohmann::json to_json(const DataQualityResult& r);
// The items table (and the bottom list) for csv/xlsx, headers in Chinese.
report::Table items_table(const DataQualityResult& r);
report::Table bottom_table(const DataQualityResult& r);

}  // namespace hazmon::service
