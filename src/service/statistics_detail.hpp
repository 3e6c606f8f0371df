#pragma once
// What the statistics service's files share (statistics_service.cpp: parameters, the overview and
// the trend; statistics_grouped.cpp; statistics_rankings.cpp): Beijing-time buckets, query
// parameters, series definitions, and the answers built from the store's rows. Private to
// src/service.
#include <nlohmann/json.hpp>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/report/table.hpp>
#include <hazmon/service/statistics_result.hpp>
#include <hazmon/service/statistics_service.hpp>
#include <hazmon/storage/patrol_store.hpp>
#include <hazmon/storage/statistics_store.hpp>

namespace hazmon::service::stats {
using core::SysTime;
using nlohmann::json;
using storage::StatBucket;
using storage::StatFilter;
using storage::StatGroup;
using storage::StatMetric;
using storage::StatSplit;

extern const std::vector<std::string> kAlarmTypes, kLevels, kAnalysers, kReviewStates;

// ---- Beijing-time buckets
SysTime floor_bucket(SysTime t, StatBucket b);
SysTime next_bucket(SysTime t, StatBucket b);
std::string bucket_label(SysTime t, StatBucket b);
std::string compact_date(SysTime t);  // 20261206

// ---- parameters (400 on a bad value)
const std::string* param(const StatQuery& q, const char* key);  // null: absent or empty
std::string choice(const StatQuery& q, const char* key, std::initializer_list<const char*> allowed,
                   const char* def);
// A Beijing date (yyyy-MM-dd: its 00:00 UTC+8, or the next day's for an inclusive `to`) or a time.
SysTime instant(const std::string& v, const char* key, bool end_of_day);
int limit_param(const StatQuery& q);  // 1..1000, default 100

// ---- values and cells
json opt(const std::optional<std::string>& v);
json rate(long long num, long long den);  // null when den is 0; four decimals
report::Cell rate_cell(const json& r);
report::Cell opt_cell(const json& v);

StatMetric metric_of(const std::string& m);
const char* metric_zh(StatMetric m);
const char* metric_key(StatMetric m);

// ---- series: the split keys of a metric with their Chinese names
struct SeriesDef {
  StatSplit split;
  std::vector<std::string> keys;
  std::string (*name)(const std::string&);
};
SeriesDef trend_series(StatMetric m);
SeriesDef breakdown_series(StatMetric m);
json key_list(const SeriesDef& s);
json zero_counts(const SeriesDef& s);
void add_count(json& counts, const std::string& key, long long n);
// Every bucket of [from, to) with its counts (zeros included).
json bucket_rows(const std::vector<storage::BucketCount>& cells, const SeriesDef& s, StatBucket b,
                 SysTime from, SysTime to, json& totals, const char* label_key,
                 const char* total_key);

// ---- one request
// The checked range and filters of one request, and their echo in the answer.
struct Range {
  StatFilter f;
  json filters;
  std::string scope_label;  // 全省 / a region / an enterprise: for the export's notes
};
// The export's notes: the title, the range in Beijing time, the scope, the export time.
std::vector<std::string> notes(const std::string& title, const Range& c, SysTime now);
std::string file_range(const Range& c);  // 20261201-20261206

// ---- answers from the store's rows (no database); `now` is the export time of the notes
struct GroupedAsk {
  StatMetric metric;
  StatGroup group;
  std::string group_s;
  StatBucket period;
  std::string period_s;
  int limit = 100;
};
StatisticsResult grouped_result(const GroupedAsk& a, Range& c,
                                const std::vector<storage::GroupSplit>& cells,
                                const std::vector<storage::BucketCount>& per_period, SysTime now);
StatisticsResult ranking_result(const std::string& by, int limit, Range& c,
                                const std::vector<storage::GroupSplit>& alarms,
                                const std::vector<storage::GroupSplit>& warnings,
                                const std::vector<storage::GroupSplit>& video,
                                const std::vector<storage::Region>& cities, SysTime now);
StatisticsResult video_review_result(const std::string& by, int limit, Range& c,
                                     const std::vector<storage::GroupSplit>& cells, SysTime now);
StatisticsResult disposal_result(const std::string& by, int limit, Range& c,
                                 const std::vector<storage::DisposalCount>& cells, SysTime now);

// The five systems (五项制度) per city or county (statistics_five_systems.cpp).
struct FiveSystemsInput {
  std::vector<storage::FiveSystemsEnterprise> enterprises;
  std::optional<std::vector<storage::CircularNotice>> circulars;  // nullopt: no circular tables
  std::vector<storage::DisposalCount> disposal;                   // by enterprise
  SysTime today_end{};
};
StatisticsResult five_systems_result(const std::string& by, Range& c, const FiveSystemsInput& in,
                                     SysTime now);

}  // namespace hazmon::service::stats
