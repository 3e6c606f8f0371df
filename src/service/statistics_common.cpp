// The statistics service's shared helpers (statistics_detail.hpp).
#include "statistics_detail.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

namespace hazmon::service::stats {
using core::Errc;
using core::Error;
using report::Cell;
namespace chr = std::chrono;

const std::vector<std::string> kAlarmTypes = {
    "HH",           "H",       "L",      "LL",           "SWITCH",
    "OUT_OF_RANGE", "OFFLINE", "FROZEN", "DEVICE_FAULT", "GATEWAY_OFFLINE"};
const std::vector<std::string> kLevels = {"red", "orange", "yellow", "blue"};
const std::vector<std::string> kAnalysers = {"leave_post", "fire", "smoke", "leak"};
const std::vector<std::string> kReviewStates = {"pending", "confirmed", "rejected"};

namespace {
constexpr auto kBeijing = chr::hours(8);
constexpr auto kDay = chr::hours(24);
}  // namespace

// ---- Beijing-time buckets ---------------------------------------------------------------------

SysTime floor_bucket(SysTime t, StatBucket b) {
  switch (b) {
    case StatBucket::hour:
      return chr::floor<chr::hours>(t);
    case StatBucket::day:
      return SysTime(chr::floor<chr::days>(t + kBeijing)) - kBeijing;
    case StatBucket::week: {
      chr::sys_days d = chr::floor<chr::days>(t + kBeijing);
      chr::weekday wd{d};
      return SysTime(d - chr::days(wd.iso_encoding() - 1)) - kBeijing;
    }
    case StatBucket::month: {
      chr::year_month_day ymd{chr::floor<chr::days>(t + kBeijing)};
      return SysTime(chr::sys_days(ymd.year() / ymd.month() / 1)) - kBeijing;
    }
  }
  return t;
}

SysTime next_bucket(SysTime t, StatBucket b) {
  switch (b) {
    case StatBucket::hour:
      return t + chr::hours(1);
    case StatBucket::day:
      return t + kDay;
    case StatBucket::week:
      return t + 7 * kDay;
    case StatBucket::month: {
      chr::year_month_day ymd{chr::floor<chr::days>(t + kBeijing)};
      auto next = ymd.year() / ymd.month() / 1 + chr::months(1);
      return SysTime(chr::sys_days(next)) - kBeijing;
    }
  }
  return t;
}

namespace {
std::string local_date(SysTime t) { return report::beijing_time(t).substr(0, 10); }
}  // namespace
std::string bucket_label(SysTime t, StatBucket b) {
  auto s = report::beijing_time(t);
  return b == StatBucket::hour ? s.substr(0, 14) + "00" : s.substr(0, 10);
}
std::string compact_date(SysTime t) {
  auto d = local_date(t);
  d.erase(std::remove(d.begin(), d.end(), '-'), d.end());
  return d;
}

// ---- parameters --------------------------------------------------------------------------------

const std::string* param(const StatQuery& q, const char* key) {
  auto it = q.find(key);
  return it == q.end() || it->second.empty() ? nullptr : &it->second;
}

std::string choice(const StatQuery& q, const char* key, std::initializer_list<const char*> allowed,
                   const char* def) {
  auto* v = param(q, key);
  if (!v) return def;
  for (const char* a : allowed)
    if (*v == a) return *v;
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw Error(Errc::bad_request, std::string(key) + " must be one of " + list);
}

SysTime instant(const std::string& v, const char* key, bool end_of_day) {
  static const std::regex kDate(R"((\d{4})-(\d{2})-(\d{2}))");
  std::smatch m;
  if (std::regex_match(v, m, kDate)) {
    chr::year_month_day ymd{chr::year(std::stoi(m[1])),
                            chr::month(static_cast<unsigned>(std::stoi(m[2]))),
                            chr::day(static_cast<unsigned>(std::stoi(m[3])))};
    int y = std::stoi(m[1]);
    if (!ymd.ok() || y < 2000 || y > 2200)
      throw Error(Errc::bad_request, std::string(key) + ": no such date " + v);
    SysTime t = SysTime(chr::sys_days(ymd)) - kBeijing;
    return end_of_day ? t + kDay : t;
  }
  auto t = core::parse_time(v);
  if (!t)
    throw Error(Errc::bad_request,
                std::string(key) +
                    " must be a date yyyy-MM-dd or a time (RFC 3339 or yyyy-MM-dd HH:mm:ss)");
  if (*t < SysTime(chr::sys_days(chr::year(2000) / 1 / 1)) ||
      *t > SysTime(chr::sys_days(chr::year(2200) / 1 / 1)))
    throw Error(Errc::bad_request, std::string(key) + " is out of range");
  return *t;
}

int limit_param(const StatQuery& q) {
  auto* v = param(q, "limit");
  if (!v) return 100;
  if (v->empty() || v->size() > 4 || v->find_first_not_of("0123456789") != std::string::npos)
    throw Error(Errc::bad_request, "limit must be a whole number from 1 to 1000");
  int n = std::stoi(*v);
  if (n < 1 || n > 1000)
    throw Error(Errc::bad_request, "limit must be a whole number from 1 to 1000");
  return n;
}

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json rate(long long num, long long den) {
  if (den <= 0) return nullptr;
  return std::round(static_cast<double>(num) / static_cast<double>(den) * 10000.0) / 10000.0;
}
Cell rate_cell(const json& r) {
  return r.is_null() ? Cell::blank() : Cell::of_percent(r.get<double>());
}
Cell opt_cell(const json& v) {
  return v.is_string() ? Cell::of_text(v.get<std::string>()) : Cell::blank();
}

StatMetric metric_of(const std::string& m) {
  if (m == "alarms") return StatMetric::alarms;
  if (m == "warnings") return StatMetric::warnings;
  if (m == "video_events" || m == "video-events") return StatMetric::video_events;
  throw Error(Errc::bad_request, "metric must be alarms, warnings or video_events");
}
const char* metric_zh(StatMetric m) {
  return m == StatMetric::alarms ? "报警" : m == StatMetric::warnings ? "预警事件" : "视频AI事件";
}
const char* metric_key(StatMetric m) {
  return m == StatMetric::alarms     ? "alarms"
         : m == StatMetric::warnings ? "warnings"
                                     : "video_events";
}

// ---- series ------------------------------------------------------------------------------------

SeriesDef trend_series(StatMetric m) {
  switch (m) {
    case StatMetric::alarms:
      return {StatSplit::alarm_type, kAlarmTypes, alarm_type_zh};
    case StatMetric::warnings:
      return {StatSplit::level, kLevels, warning_level_zh};
    case StatMetric::video_events:
      return {StatSplit::analyser, kAnalysers, video_analyser_zh};
  }
  return {StatSplit::alarm_type, kAlarmTypes, alarm_type_zh};
}
SeriesDef breakdown_series(StatMetric m) {
  if (m == StatMetric::video_events)
    return {StatSplit::review_state, kReviewStates, review_state_zh};
  return trend_series(m);
}
json key_list(const SeriesDef& s) {
  json out = json::array();
  for (const auto& k : s.keys) out.push_back({{"key", k}, {"name", s.name(k)}});
  return out;
}
json zero_counts(const SeriesDef& s) {
  json out = json::object();
  for (const auto& k : s.keys) out[k] = 0;
  return out;
}
void add_count(json& counts, const std::string& key, long long n) {
  counts[key] = (counts.contains(key) ? counts[key].get<long long>() : 0) + n;
}

json bucket_rows(const std::vector<storage::BucketCount>& cells, const SeriesDef& s, StatBucket b,
                 SysTime from, SysTime to, json& totals, const char* label_key,
                 const char* total_key) {
  json out = json::array();
  std::map<SysTime, json*> index;
  for (SysTime t = floor_bucket(from, b); t < to; t = next_bucket(t, b)) {
    out.push_back({{label_key, bucket_label(t, b)},
                   {"start", core::format_rfc3339(t)},
                   {total_key, 0},
                   {std::string(total_key) == "total" ? "counts" : "breakdown", zero_counts(s)}});
  }
  for (auto& row : out) {
    auto t = core::parse_time(row["start"].get<std::string>());
    index[*t] = &row;
  }
  const char* counts_key = std::string(total_key) == "total" ? "counts" : "breakdown";
  for (const auto& c : cells) {
    auto it = index.find(c.start);
    if (it == index.end()) continue;  // cannot happen: the SQL buckets the same way
    json& row = *it->second;
    row[total_key] = row[total_key].get<long long>() + c.count;
    add_count(row[counts_key], c.key, c.count);
    add_count(totals, c.key, c.count);
  }
  return out;
}

// ---- one request -------------------------------------------------------------------------------

std::vector<std::string> notes(const std::string& title, const Range& c, SysTime now) {
  return {title,
          "统计时段（北京时间）：" + report::beijing_time(c.f.from) + " 至 " +
              report::beijing_time(c.f.to) + "（不含）",
          "范围：" + c.scope_label, "导出时间：" + report::beijing_time(now)};
}

std::string file_range(const Range& c) {
  return compact_date(c.f.from) + "-" + compact_date(c.f.to - chr::seconds(1));
}

}  // namespace hazmon::service::stats
