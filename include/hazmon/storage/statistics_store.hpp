#pragma once
// The SQL behind the overview (总览) and the statistics API, returning typed rows. Every query is
// cut to a Scope with storage::scope_predicate (rows outside it are absent) and, optionally, to one
// region (a city or county prefix) or one enterprise. Times are UTC instants; buckets are Beijing
// days, ISO weeks (Monday) and months (UTC+8). Definitions are in docs/api.md, "Overview and
// statistics".
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

// What a statistics query covers: the caller's scope, a half-open time range [from, to) and
// optional narrower filters (already checked to lie inside the scope).
struct StatFilter {
  model::Scope scope;
  core::SysTime from{}, to{};
  std::string region_code;   // a city or county code; empty: the whole scope
  std::string company_code;  // empty: every enterprise
};

enum class StatMetric { alarms, warnings, video_events };
// The key each count is split by: alarm type, warning level, warning category, video analyser or
// review state (pending, confirmed, rejected).
enum class StatSplit { alarm_type, level, category, analyser, review_state };
enum class StatBucket { hour, day, week, month };
// rank: "1"–"4" by the hazard source's rank, "unranked" for non-major units and enterprise-level
// points (非重大危险源, ADR 0019), null for warnings about no monitored object (commitments, …).
enum class StatGroup { city, enterprise, hazard_source, type, level, camera, rank };

struct BucketCount {
  core::SysTime start;  // the bucket's first instant (UTC)
  std::string key;      // the split key
  long long count = 0;
};

// One (group, split key) cell of a grouped count.
struct GroupCount {
  std::optional<std::string> key;  // the group's code; null: no hazard source
  std::string name;  // the group's name (city, enterprise, hazard source, camera) or ""
  std::optional<std::string> city_code, city_name, company_code, company_name;
  std::string split;  // the split key
  long long count = 0;
  long long open = 0;     // alarms still open, events not closed, video events pending
  long long overdue = 0;  // warning events marked overdue (0 for the other metrics)
};

// One group with its counts split by key (what by_group returns as one cell per key).
struct GroupSplit {
  std::optional<std::string> key;
  std::string name;
  std::optional<std::string> city_code, city_name, company_code, company_name;
  long long count = 0, open = 0, overdue = 0;
  std::map<std::string, long long> count_by, open_by,
      overdue_by;  // split key → (keys with rows only)
};

struct DisposalCount {
  std::string key, name, city_code;
  std::optional<std::string> city_name;
  long long events = 0, pushed = 0, on_time = 0, late = 0, unanswered_overdue = 0, awaiting = 0,
            overdue = 0;
};

struct Region {
  std::string code, name;
};

struct OnlineCount {
  long long online = 0, total = 0;
};

struct EnterpriseMarker {
  std::string company_code, name, region_code, city_code;
  std::optional<std::string> city_name, county_code, county_name;
  std::optional<double> lon, lat;
  std::optional<std::string> worst_level;  // red, orange, yellow, blue
  bool online = false;
  long long open_alarms = 0, open_warnings = 0;
  // Special work permits in progress (特殊作业, migration 0019): hot work and confined space.
  long long hot_work = 0, confined_space = 0;
};

// An enterprise's monitoring points and how many are online: the dear part of the overview at
// national scale (441,000 points joined with their latest values: 0.6 s), counted once for all
// scopes by StatisticsService::refresh_point_counts and summed per scope.
struct EnterprisePointCount {
  std::string company_code, region_code;
  OnlineCount points;
};

struct OverviewData {
  OnlineCount enterprises, gateways, points, cameras;
  std::map<std::string, long long> open_alarms_by_type;     // only types with open alarms
  std::map<std::string, long long> open_warnings_by_level;  // only levels with open events
  long long video_pending = 0, warnings_pending_review = 0, overdue_disposals = 0;
  std::vector<EnterpriseMarker> markers;  // one per active enterprise, by company_code
};

class StatisticsStore {
 public:
  // `offline_after` is ingest.offline_after_s: the shortest window in which a gateway or point
  // counts as online (3 × the gateway's interval when that is longer).
  // `point_counts`: counted beforehand for every enterprise (point_counts below); null: counted
  // here.
  OverviewData overview(Tx& tx, const model::Scope& scope, core::SysTime now,
                        std::chrono::seconds offline_after,
                        const std::vector<EnterprisePointCount>* point_counts = nullptr) const;
  // Every enterprise's points (active, in use) and those online at `now`, by company_code.
  std::vector<EnterprisePointCount> point_counts(Tx& tx, core::SysTime now,
                                                 std::chrono::seconds offline_after) const;

  // Counts per bucket and split key (only non-zero cells; the service fills the gaps).
  std::vector<BucketCount> by_bucket(Tx& tx, StatMetric metric, StatSplit split, StatBucket bucket,
                                     const StatFilter& f) const;
  // Counts per group, split by key: one row per group. StatGroup::level only for warnings, camera
  // only for video events, type is the alarm type / warning category / analyser.
  std::vector<GroupSplit> by_group_split(Tx& tx, StatMetric metric, StatSplit split,
                                         StatGroup group, const StatFilter& f) const;
  // The same as one cell per (group, split key).
  std::vector<GroupCount> by_group(Tx& tx, StatMetric metric, StatSplit split, StatGroup group,
                                   const StatFilter& f) const;
  // Disposal timeliness of warning events first raised in the range, per city or enterprise.
  std::vector<DisposalCount> disposal(Tx& tx, StatGroup group, const StatFilter& f,
                                      core::SysTime now) const;

  // The cities inside the scope (narrowed to f.region_code's city when set), by code.
  std::vector<Region> cities(Tx& tx, const model::Scope& scope,
                             const std::string& region_code) const;
  // Whether a region / enterprise exists inside the scope (the API answers 404 otherwise).
  bool region_in_scope(Tx& tx, const model::Scope& scope, const std::string& region_code) const;
  bool enterprise_in_scope(Tx& tx, const model::Scope& scope,
                           const std::string& company_code) const;
};

}  // namespace hazmon::storage
