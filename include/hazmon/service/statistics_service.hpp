#pragma once
// The overview (总览) and the statistics API (统计分析): query parameters checked and turned into a
// scoped, bounded range (Beijing-time hours, days, ISO weeks and months), figures from
// storage::StatisticsStore, answers as JSON and as report::Tables for the CSV/XLSX downloads (the
// same rows). Definitions: docs/api.md, "Overview and statistics".
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct StatisticsSettings {
  std::chrono::seconds offline_after{300};      // ingest.offline_after_s
  std::chrono::milliseconds overview_cache{0};  // statistics.overview_cache_ms; 0: no reuse
  // statistics.point_counts_max_age_s: the overview's point counts come from the last
  // refresh_point_counts() while it is younger than this; 0 (or none yet): counted per request.
  std::chrono::seconds point_counts_max_age{0};
};
// The config's `statistics` section; offline_after is ingest.offline_after_s (app).
void from_json(const nlohmann::json& j, StatisticsSettings& s);

// One answer (statistics_result.hpp: its JSON body needs the whole nlohmann/json.hpp, which
// callers that only hold the service need not pay for).
struct StatisticsResult;

using StatQuery = std::map<std::string, std::string>;

class StatisticsService {
 public:
  StatisticsService(storage::Database& db, const core::Clock& clock, StatisticsSettings settings);
  ~StatisticsService();

  // People only (403 for machine credentials). Bad parameters: 400 (syntax, unknown values), 422
  // (from not before to, range too long), 404 (region_code / company_code unknown or outside the
  // caller's scope).
  nlohmann::json overview(const model::Principal& who);
  // The overview as JSON text, reused for the same scope for `overview_cache` (what the route
  // sends).
  std::shared_ptr<const std::string> overview_text(const model::Principal& who);
  // Counts every enterprise's points online once, for all scopes (the overview's dear part at
  // national scale); serve calls it after each minute's aggregation.
  void refresh_point_counts();
  StatisticsResult trend(const model::Principal& who, const StatQuery& q);
  // metric: "alarms", "warnings" or "video-events".
  StatisticsResult grouped(const model::Principal& who, const std::string& metric,
                           const StatQuery& q);
  StatisticsResult ranking(const model::Principal& who, const StatQuery& q);
  StatisticsResult video_review(const model::Principal& who, const StatQuery& q);
  StatisticsResult disposal(const model::Principal& who, const StatQuery& q);
  // The five systems' records (五项制度, docs/five-systems.md) per city or county: patrols and
  // findings, warning disposal, data quality, circulars, routine use.
  StatisticsResult five_systems(const model::Principal& who, const StatQuery& q);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Chinese names shown next to codes (exports, the dashboard's tables).
std::string alarm_type_zh(const std::string& type);
std::string warning_level_zh(const std::string& level);
std::string warning_category_zh(const std::string& category);
std::string video_analyser_zh(const std::string& analyser);
std::string review_state_zh(const std::string& state);

}  // namespace hazmon::service
