#include <hazmon/service/statistics_service.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <regex>
#include <set>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/statistics_store.hpp>

namespace hazmon::service {
using core::Errc;
using core::Error;
using core::SysTime;
using nlohmann::json;
using report::Cell;
using report::Column;
using report::Table;
using storage::StatBucket;
using storage::StatFilter;
using storage::StatGroup;
using storage::StatMetric;
using storage::StatSplit;
namespace chr = std::chrono;

std::string alarm_type_zh(const std::string& t) {
  static const std::map<std::string, std::string> k = {{"HH", "高高报"},
                                                       {"H", "高报"},
                                                       {"L", "低报"},
                                                       {"LL", "低低报"},
                                                       {"SWITCH", "开关量报警"},
                                                       {"OUT_OF_RANGE", "超量程"},
                                                       {"OFFLINE", "测点离线"},
                                                       {"FROZEN", "数据冻结"},
                                                       {"DEVICE_FAULT", "设备故障"},
                                                       {"GATEWAY_OFFLINE", "网关离线"}};
  auto it = k.find(t);
  return it == k.end() ? t : it->second;
}
std::string warning_level_zh(const std::string& l) {
  static const std::map<std::string, std::string> k = {
      {"red", "红色"}, {"orange", "橙色"}, {"yellow", "黄色"}, {"blue", "蓝色"}};
  auto it = k.find(l);
  return it == k.end() ? l : it->second;
}
std::string warning_category_zh(const std::string& c) {
  static const std::map<std::string, std::string> k = {
      {"threshold", "阈值预警"},    {"duration", "持续报警预警"}, {"combination", "组合预警"},
      {"data_quality", "数据质量"}, {"video_ai", "视频AI预警"},   {"commitment", "安全承诺"}};
  auto it = k.find(c);
  return it == k.end() ? c : it->second;
}
std::string video_analyser_zh(const std::string& a) {
  static const std::map<std::string, std::string> k = {
      {"leave_post", "人员脱岗"}, {"fire", "火焰"}, {"smoke", "烟雾"}, {"leak", "泄漏"}};
  auto it = k.find(a);
  return it == k.end() ? a : it->second;
}
std::string review_state_zh(const std::string& s) {
  static const std::map<std::string, std::string> k = {
      {"pending", "待审核"}, {"confirmed", "已确认"}, {"rejected", "误报"}};
  auto it = k.find(s);
  return it == k.end() ? s : it->second;
}

namespace {
const std::vector<std::string> kAlarmTypes = {
    "HH",           "H",       "L",      "LL",           "SWITCH",
    "OUT_OF_RANGE", "OFFLINE", "FROZEN", "DEVICE_FAULT", "GATEWAY_OFFLINE"};
const std::vector<std::string> kLevels = {"red", "orange", "yellow", "blue"};
const std::vector<std::string> kAnalysers = {"leave_post", "fire", "smoke", "leak"};
const std::vector<std::string> kReviewStates = {"pending", "confirmed", "rejected"};
const std::vector<std::string> kCategories = {"threshold",    "duration", "combination",
                                              "data_quality", "video_ai", "commitment"};

constexpr auto kBeijing = chr::hours(8);
constexpr auto kDay = chr::hours(24);

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

std::string local_date(SysTime t) { return report::beijing_time(t).substr(0, 10); }
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

// A Beijing date (yyyy-MM-dd: its 00:00 UTC+8, or the next day's for an inclusive `to`) or a time.
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
}  // namespace

struct StatisticsService::Impl {
  storage::Database& db;
  const core::Clock& clock;
  StatisticsSettings s;
  storage::StatisticsStore store;
  // Overview answers by scope ("p", "r140100", "e14010500001") with the time they were made.
  std::mutex cache_mu;
  std::map<std::string, std::pair<SysTime, std::shared_ptr<const std::string>>> cache;
  // The last refresh_point_counts(): when it counted, and what.
  std::mutex points_mu;
  SysTime points_at{};
  std::shared_ptr<const std::vector<storage::EnterprisePointCount>> points;

  // The checked range and filters of one request, and their echo in the answer.
  struct Ctx {
    StatFilter f;
    json filters;
    std::string scope_label;  // 全省 / a region / an enterprise: for the export's notes
  };

  static void person(const model::Principal& who) {
    if (!who.is_person())
      throw Error(Errc::forbidden, "statistics are for people, not machine credentials");
  }

  // from/to with defaults, the range bounded by max_days; region_code and company_code checked
  // against the scope.
  Ctx context(const model::Principal& who, const StatQuery& q, StatBucket unit,
              SysTime default_from_span_end, chr::hours default_span, int max_days,
              bool company_allowed = true) {
    person(who);
    Ctx c;
    c.f.scope = who.scope;
    auto* from = param(q, "from");
    auto* to = param(q, "to");
    c.f.to = to ? instant(*to, "to", true) : default_from_span_end;
    c.f.from = from ? instant(*from, "from", false) : c.f.to - default_span;
    if (!(c.f.from < c.f.to))
      throw Error(Errc::validation_failed, "from must be before to",
                  {{"/from", "must be before to"}});
    if (c.f.to - c.f.from > chr::hours(24) * max_days)
      throw Error(Errc::validation_failed,
                  "the range is longer than " + std::to_string(max_days) + " days",
                  {{"/to", "at most " + std::to_string(max_days) + " days after from"}});
    auto* region = param(q, "region_code");
    auto* company = param(q, "company_code");
    static const std::regex kRegion("[1-9][0-9]{5}"), kCompany("[0-9]{11}");
    if (region && !std::regex_match(*region, kRegion))
      throw Error(Errc::bad_request, "region_code must be six digits");
    if (company && !company_allowed)
      throw Error(Errc::bad_request, "company_code is not a filter of this endpoint");
    if (company && !std::regex_match(*company, kCompany))
      throw Error(Errc::bad_request, "company_code must be eleven digits");
    if (region || company) {
      auto tx = db.begin();
      if (region && !store.region_in_scope(tx, who.scope, *region))
        throw Error(Errc::not_found, "no such region");
      if (company && !store.enterprise_in_scope(tx, who.scope, *company))
        throw Error(Errc::not_found, "no such enterprise");
    }
    if (region) c.f.region_code = *region;
    if (company) c.f.company_code = *company;
    c.filters = {{"from", core::format_rfc3339(c.f.from)},
                 {"to", core::format_rfc3339(c.f.to)},
                 {"from_label", bucket_label(c.f.from, unit)},
                 {"to_label", bucket_label(floor_bucket(c.f.to - chr::seconds(1), unit), unit)},
                 {"region_code", region ? json(*region) : json(nullptr)},
                 {"company_code", company ? json(*company) : json(nullptr)}};
    switch (who.scope.kind) {
      case model::ScopeKind::province:
        c.scope_label = "全省";
        break;
      case model::ScopeKind::region:
        c.scope_label = "辖区 " + who.scope.region_code;
        break;
      case model::ScopeKind::enterprise:
        c.scope_label = "企业 " + who.scope.company_code;
        break;
    }
    if (region) c.scope_label += "，区划 " + *region;
    if (company) c.scope_label += "，企业 " + *company;
    return c;
  }

  SysTime today_end() const {
    return next_bucket(floor_bucket(clock.now(), StatBucket::day), StatBucket::day);
  }

  std::vector<std::string> notes(const std::string& title, const Ctx& c) const {
    return {title,
            "统计时段（北京时间）：" + report::beijing_time(c.f.from) + " 至 " +
                report::beijing_time(c.f.to) + "（不含）",
            "范围：" + c.scope_label, "导出时间：" + report::beijing_time(clock.now())};
  }

  static std::string file_range(const Ctx& c) {
    return compact_date(c.f.from) + "-" + compact_date(c.f.to - chr::seconds(1));
  }
};

StatisticsService::StatisticsService(storage::Database& db, const core::Clock& clock,
                                     StatisticsSettings settings)
    : impl_(new Impl{db, clock, settings, {}, {}, {}, {}, {}, {}}) {}
StatisticsService::~StatisticsService() = default;

json StatisticsService::overview(const model::Principal& who) {
  Impl::person(who);
  auto now = impl_->clock.now();
  std::shared_ptr<const std::vector<storage::EnterprisePointCount>> points;
  SysTime points_at = now;
  if (impl_->s.point_counts_max_age.count() > 0) {
    std::lock_guard lock(impl_->points_mu);
    if (impl_->points && now - impl_->points_at <= impl_->s.point_counts_max_age) {
      points = impl_->points;
      points_at = impl_->points_at;
    }
  }
  auto tx = impl_->db.begin();
  auto d = impl_->store.overview(tx, who.scope, now, impl_->s.offline_after, points.get());
  auto count = [](const storage::OnlineCount& c) {
    return json{{"online", c.online}, {"total", c.total}};
  };
  json by_type = json::object();
  long long alarms = 0;
  for (const auto& t : kAlarmTypes) {
    auto it = d.open_alarms_by_type.find(t);
    long long n = it == d.open_alarms_by_type.end() ? 0 : it->second;
    by_type[t] = n;
    alarms += n;
  }
  json levels = {{"total", 0}};
  long long warnings = 0;
  for (const auto& l : kLevels) {
    auto it = d.open_warnings_by_level.find(l);
    long long n = it == d.open_warnings_by_level.end() ? 0 : it->second;
    levels[l] = n;
    warnings += n;
  }
  levels["total"] = warnings;
  json markers = json::array();
  for (const auto& m : d.markers) {
    markers.push_back({{"company_code", m.company_code},
                       {"name", m.name},
                       {"city_code", m.city_code},
                       {"city_name", opt(m.city_name)},
                       {"county_code", opt(m.county_code)},
                       {"county_name", opt(m.county_name)},
                       {"lon", m.lon ? json(*m.lon) : json(nullptr)},
                       {"lat", m.lat ? json(*m.lat) : json(nullptr)},
                       {"worst_level", opt(m.worst_level)},
                       {"online", m.online},
                       {"open_alarms", m.open_alarms},
                       {"open_warnings", m.open_warnings}});
  }
  return {{"generated_at", core::format_rfc3339(now)},
          {"points_counted_at", core::format_rfc3339(points_at)},
          {"counts",
           {{"enterprises", count(d.enterprises)},
            {"gateways", count(d.gateways)},
            {"points", count(d.points)},
            {"cameras", count(d.cameras)}}},
          {"alarms_open", {{"total", alarms}, {"by_type", by_type}}},
          {"warnings_open", levels},
          {"review_waiting",
           {{"total", d.video_pending + d.warnings_pending_review},
            {"video_events", d.video_pending},
            {"warning_events", d.warnings_pending_review}}},
          {"overdue_disposals", d.overdue_disposals},
          {"enterprises", std::move(markers)}};
}

void StatisticsService::refresh_point_counts() {
  auto& i = *impl_;
  auto now = i.clock.now();
  auto counts = [&] {
    auto tx = i.db.begin();
    return std::make_shared<const std::vector<storage::EnterprisePointCount>>(
        i.store.point_counts(tx, now, i.s.offline_after));
  }();
  std::lock_guard lock(i.points_mu);
  i.points_at = now;
  i.points = std::move(counts);
}

std::shared_ptr<const std::string> StatisticsService::overview_text(const model::Principal& who) {
  auto& i = *impl_;
  Impl::person(who);
  const std::string key = who.scope.kind == model::ScopeKind::province ? "p"
                          : who.scope.kind == model::ScopeKind::region
                              ? "r" + who.scope.region_code
                              : "e" + who.scope.company_code;
  const auto ttl = i.s.overview_cache;
  if (ttl.count() > 0) {
    std::lock_guard lock(i.cache_mu);
    auto it = i.cache.find(key);
    if (it != i.cache.end() && i.clock.now() - it->second.first < ttl) return it->second.second;
  }
  // Made outside the lock: two callers missing at once both compute (rare, and both are right).
  auto made = i.clock.now();
  auto text = std::make_shared<const std::string>(
      overview(who).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (ttl.count() > 0) {
    std::lock_guard lock(i.cache_mu);
    if (i.cache.size() >= 1024) {  // bounded: drop what has expired, or everything
      std::erase_if(i.cache, [&](const auto& kv) { return made - kv.second.first >= ttl; });
      if (i.cache.size() >= 1024) i.cache.clear();
    }
    i.cache[key] = {made, text};
  }
  return text;
}

namespace {
struct SeriesDef {
  StatSplit split;
  std::vector<std::string> keys;
  std::string (*name)(const std::string&);
};
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

// Every bucket of [from, to) with its counts (zeros included).
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
}  // namespace

StatisticsResult StatisticsService::trend(const model::Principal& who, const StatQuery& q) {
  auto& i = *impl_;
  Impl::person(who);
  auto* m = param(q, "metric");
  if (!m) throw Error(Errc::bad_request, "metric is required (alarms, warnings or video_events)");
  if (*m != "alarms" && *m != "warnings" && *m != "video_events")
    throw Error(Errc::bad_request, "metric must be one of alarms, warnings, video_events");
  auto metric = metric_of(*m);
  auto bucket_s = choice(q, "bucket", {"hour", "day"}, "hour");
  auto bucket = bucket_s == "hour" ? StatBucket::hour : StatBucket::day;
  auto now = i.clock.now();
  SysTime end = bucket == StatBucket::hour ? floor_bucket(now, StatBucket::hour) + chr::hours(1)
                                           : i.today_end();
  auto c = i.context(who, q, bucket, end,
                     bucket == StatBucket::hour ? chr::hours(24) : chr::hours(24 * 30),
                     bucket == StatBucket::hour ? 31 : 366);
  auto series = trend_series(metric);
  std::vector<storage::BucketCount> cells;
  {
    auto tx = i.db.begin();
    cells = i.store.by_bucket(tx, metric, series.split, bucket, c.f);
  }
  json totals = zero_counts(series);
  auto buckets = bucket_rows(cells, series, bucket, c.f.from, c.f.to, totals, "label", "total");
  long long total = 0;
  for (const auto& [k, v] : totals.items()) total += v.get<long long>();
  c.filters["metric"] = *m;
  c.filters["bucket"] = bucket_s;

  StatisticsResult r;
  Table t;
  t.title = std::string(metric_zh(metric)) + "趋势";
  t.notes = i.notes(std::string(metric_zh(metric)) + "趋势（按" +
                        (bucket == StatBucket::hour ? "小时" : "日") + "）",
                    c);
  t.columns.push_back({bucket == StatBucket::hour ? "时段" : "日期"});
  t.columns.push_back({"合计", 0, 0});
  for (const auto& k : series.keys) t.columns.push_back({series.name(k), 0, 0});
  for (const auto& b : buckets) {
    std::vector<Cell> row{Cell::of_text(b["label"].get<std::string>()),
                          Cell::of_int(b["total"].get<long long>())};
    for (const auto& k : series.keys) row.push_back(Cell::of_int(b["counts"][k].get<long long>()));
    t.rows.push_back(std::move(row));
  }
  r.tables.push_back(std::move(t));
  r.body = {{"filters", c.filters},
            {"series", key_list(series)},
            {"buckets", std::move(buckets)},
            {"totals", {{"total", total}, {"counts", totals}}}};
  r.file_name = std::string(metric_zh(metric)) + "趋势_" + Impl::file_range(c);
  r.ascii_file_name =
      "trend-" + std::string(metric_key(metric)) + "-" + bucket_s + "-" + Impl::file_range(c);
  return r;
}

StatisticsResult StatisticsService::grouped(const model::Principal& who,
                                            const std::string& metric_s, const StatQuery& q) {
  auto& i = *impl_;
  Impl::person(who);
  auto metric = metric_of(metric_s);
  auto group_s =
      choice(q, "group_by", {"city", "enterprise", "hazard_source", "type", "level"}, "city");
  if (group_s == "level" && metric != StatMetric::warnings)
    throw Error(Errc::bad_request,
                "group_by level is for warnings; alarms and video events group by type");
  StatGroup group = group_s == "city"            ? StatGroup::city
                    : group_s == "enterprise"    ? StatGroup::enterprise
                    : group_s == "hazard_source" ? StatGroup::hazard_source
                    : group_s == "type"          ? StatGroup::type
                                                 : StatGroup::level;
  auto period_s = choice(q, "period", {"day", "week", "month"}, "day");
  StatBucket period = period_s == "day"    ? StatBucket::day
                      : period_s == "week" ? StatBucket::week
                                           : StatBucket::month;
  int limit = limit_param(q);
  auto c = i.context(who, q, StatBucket::day, i.today_end(), chr::hours(24 * 30),
                     period == StatBucket::day    ? 366
                     : period == StatBucket::week ? 731
                                                  : 1096);
  auto series = breakdown_series(metric);
  std::vector<storage::GroupSplit> cells;
  std::vector<storage::BucketCount> per_period;
  {
    auto tx = i.db.begin();
    cells = i.store.by_group_split(tx, metric, series.split, group, c.f);
    per_period = i.store.by_bucket(tx, metric, series.split, period, c.f);
  }
  // Fold the (group, split) cells into one row per group.
  struct Acc {
    json row;
    long long count = 0, open = 0, overdue = 0;
  };
  std::map<std::optional<std::string>, Acc> groups;
  json totals_breakdown = zero_counts(series);
  long long total = 0, total_open = 0;
  for (const auto& g : cells) {
    auto& a = groups[g.key];
    if (a.row.is_null()) {
      std::string name = g.name;
      if (group == StatGroup::type) {
        name = metric == StatMetric::alarms     ? alarm_type_zh(*g.key)
               : metric == StatMetric::warnings ? warning_category_zh(*g.key)
                                                : video_analyser_zh(*g.key);
      } else if (group == StatGroup::level) {
        name = warning_level_zh(*g.key);
      } else if (!g.key) {
        name = "未关联危险源";
      }
      a.row = {{"key", opt(g.key)},
               {"name", name},
               {"city_code", opt(g.city_code)},
               {"city_name", opt(g.city_name)},
               {"company_code", opt(g.company_code)},
               {"company_name", opt(g.company_name)},
               {"breakdown", zero_counts(series)}};
    }
    a.count += g.count;
    a.open += g.open;
    a.overdue += g.overdue;
    for (const auto& [k, n] : g.count_by) {
      add_count(a.row["breakdown"], k, n);
      add_count(totals_breakdown, k, n);
    }
    total += g.count;
    total_open += g.open;
  }
  std::vector<Acc*> ordered;
  for (auto& [k, a] : groups) ordered.push_back(&a);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Acc* x, const Acc* y) { return x->count > y->count; });
  json rows = json::array();
  long long rank = 0, last = -1;
  for (auto* a : ordered) {
    if (a->count != last) ++rank, last = a->count;
    if (static_cast<int>(rows.size()) >= limit) break;
    json row = a->row;
    row["rank"] = rank;
    row["count"] = a->count;
    row["open"] = a->open;
    row["overdue"] = metric == StatMetric::warnings ? json(a->overdue) : json(nullptr);
    row["false_alarm_rate"] = metric == StatMetric::video_events
                                  ? rate(row["breakdown"]["rejected"].get<long long>(),
                                         row["breakdown"]["rejected"].get<long long>() +
                                             row["breakdown"]["confirmed"].get<long long>())
                                  : json(nullptr);
    rows.push_back(std::move(row));
  }
  json dummy = zero_counts(series);
  auto periods =
      bucket_rows(per_period, series, period, c.f.from, c.f.to, dummy, "period", "count");
  c.filters["metric"] = metric_key(metric);
  c.filters["group_by"] = group_s;
  c.filters["period"] = period_s;
  c.filters["limit"] = limit;

  static const std::map<std::string, std::string> kGroupZh = {{"city", "按市"},
                                                              {"enterprise", "按企业"},
                                                              {"hazard_source", "按危险源"},
                                                              {"type", "按类型"},
                                                              {"level", "按等级"}};
  static const std::map<std::string, std::string> kPeriodZh = {
      {"day", "按日"}, {"week", "按周"}, {"month", "按月"}};
  const std::string title = std::string(metric_zh(metric)) + "统计";
  StatisticsResult r;
  Table t;
  t.title = title + "（" + kGroupZh.at(group_s) + "）";
  t.notes = i.notes(t.title, c);
  t.columns = {{"排名", 0, 0}, {"代码"}, {"名称"}};
  if (group == StatGroup::enterprise || group == StatGroup::hazard_source) {
    t.columns.push_back({"所属市"});
  }
  if (group == StatGroup::hazard_source) t.columns.push_back({"企业名称"});
  t.columns.push_back({"数量", 0, 0});
  t.columns.push_back({metric == StatMetric::alarms     ? "未消警"
                       : metric == StatMetric::warnings ? "未办结"
                                                        : "待审核",
                       0, 0});
  if (metric == StatMetric::warnings) t.columns.push_back({"超期", 0, 0});
  if (metric == StatMetric::video_events) t.columns.push_back({"误报率"});
  for (const auto& k : series.keys) t.columns.push_back({series.name(k), 0, 0});
  for (const auto& row : rows) {
    std::vector<Cell> cells_out{Cell::of_int(row["rank"].get<long long>()), opt_cell(row["key"]),
                                Cell::of_text(row["name"].get<std::string>())};
    if (group == StatGroup::enterprise || group == StatGroup::hazard_source)
      cells_out.push_back(opt_cell(row["city_name"]));
    if (group == StatGroup::hazard_source) cells_out.push_back(opt_cell(row["company_name"]));
    cells_out.push_back(Cell::of_int(row["count"].get<long long>()));
    cells_out.push_back(Cell::of_int(row["open"].get<long long>()));
    if (metric == StatMetric::warnings)
      cells_out.push_back(Cell::of_int(row["overdue"].get<long long>()));
    if (metric == StatMetric::video_events) cells_out.push_back(rate_cell(row["false_alarm_rate"]));
    for (const auto& k : series.keys)
      cells_out.push_back(Cell::of_int(row["breakdown"][k].get<long long>()));
    t.rows.push_back(std::move(cells_out));
  }
  Table p;
  p.title = title + "（" + kPeriodZh.at(period_s) + "）";
  p.notes = i.notes(p.title, c);
  p.columns = {{period == StatBucket::day    ? "日期"
                : period == StatBucket::week ? "周（起始日）"
                                             : "月（起始日）"},
               {"数量", 0, 0}};
  for (const auto& k : series.keys) p.columns.push_back({series.name(k), 0, 0});
  for (const auto& row : periods) {
    std::vector<Cell> cells_out{Cell::of_text(row["period"].get<std::string>()),
                                Cell::of_int(row["count"].get<long long>())};
    for (const auto& k : series.keys)
      cells_out.push_back(Cell::of_int(row["breakdown"][k].get<long long>()));
    p.rows.push_back(std::move(cells_out));
  }
  r.tables.push_back(std::move(t));
  r.tables.push_back(std::move(p));
  r.body = {{"filters", c.filters},
            {"breakdown_keys", key_list(series)},
            {"totals", {{"count", total}, {"open", total_open}, {"breakdown", totals_breakdown}}},
            {"total_rows", static_cast<long long>(groups.size())},
            {"rows", std::move(rows)},
            {"periods", std::move(periods)}};
  r.file_name = title + "_" + kGroupZh.at(group_s) + "_" + Impl::file_range(c);
  r.ascii_file_name =
      "statistics-" + std::string(metric_key(metric)) + "-" + group_s + "-" + Impl::file_range(c);
  return r;
}

StatisticsResult StatisticsService::ranking(const model::Principal& who, const StatQuery& q) {
  auto& i = *impl_;
  Impl::person(who);
  auto by = choice(q, "by", {"city", "enterprise"}, "city");
  int limit = limit_param(q);
  auto c = i.context(who, q, StatBucket::day, i.today_end(), chr::hours(24 * 30), 366, false);
  StatGroup group = by == "city" ? StatGroup::city : StatGroup::enterprise;
  std::vector<storage::GroupSplit> alarms, warnings, video;
  std::vector<storage::Region> cities;
  {
    auto tx = i.db.begin();
    alarms = i.store.by_group_split(tx, StatMetric::alarms, StatSplit::alarm_type, group, c.f);
    warnings = i.store.by_group_split(tx, StatMetric::warnings, StatSplit::level, group, c.f);
    video =
        i.store.by_group_split(tx, StatMetric::video_events, StatSplit::review_state, group, c.f);
    if (group == StatGroup::city) cities = i.store.cities(tx, who.scope, c.f.region_code);
  }
  struct Acc {
    std::string code, name, city_code;
    std::optional<std::string> city_name;
    long long alarms = 0, warnings = 0, overdue = 0, reviewed = 0, rejected = 0;
    std::map<std::string, long long> levels;
  };
  std::map<std::string, Acc> acc;
  for (const auto& city : cities) {
    auto& a = acc[city.code];
    a.code = a.city_code = city.code;
    a.name = city.name;
    a.city_name = city.name;
  }
  auto at = [&](const storage::GroupSplit& g) -> Acc& {
    auto& a = acc[g.key.value_or("")];
    if (a.code.empty()) {
      a.code = g.key.value_or("");
      a.name = g.name;
      a.city_code = g.city_code.value_or("");
      a.city_name = g.city_name;
    }
    return a;
  };
  auto split = [](const storage::GroupSplit& g, const char* k) {
    auto it = g.count_by.find(k);
    return it == g.count_by.end() ? 0LL : it->second;
  };
  for (const auto& g : alarms) at(g).alarms += g.count;
  for (const auto& g : warnings) {
    auto& a = at(g);
    a.warnings += g.count;
    a.overdue += g.overdue;
    for (const auto& [k, n] : g.count_by) a.levels[k] += n;
  }
  for (const auto& g : video) {
    auto& a = at(g);
    a.reviewed += split(g, "confirmed") + split(g, "rejected");
    a.rejected += split(g, "rejected");
  }
  std::vector<Acc*> ordered;
  for (auto& [k, a] : acc) ordered.push_back(&a);
  std::stable_sort(ordered.begin(), ordered.end(), [](const Acc* x, const Acc* y) {
    return x->warnings != y->warnings ? x->warnings > y->warnings : x->alarms > y->alarms;
  });
  json rows = json::array();
  Acc tot;
  long long rank = 0;
  std::pair<long long, long long> last{-1, -1};
  for (auto* a : ordered) {
    tot.alarms += a->alarms, tot.warnings += a->warnings, tot.overdue += a->overdue,
        tot.reviewed += a->reviewed, tot.rejected += a->rejected;
    for (const auto& [k, v] : a->levels) tot.levels[k] += v;
    if (std::make_pair(a->warnings, a->alarms) != last) ++rank, last = {a->warnings, a->alarms};
    if (static_cast<int>(rows.size()) >= limit) continue;
    json row = {{"rank", rank},
                {"code", a->code},
                {"name", a->name},
                {"city_code", a->city_code},
                {"city_name", opt(a->city_name)},
                {"alarms", a->alarms},
                {"warnings", a->warnings}};
    for (const auto& l : kLevels) row[l] = a->levels.count(l) ? a->levels[l] : 0;
    row["overdue"] = a->overdue;
    row["video_reviewed"] = a->reviewed;
    row["video_rejected"] = a->rejected;
    row["false_alarm_rate"] = rate(a->rejected, a->reviewed);
    rows.push_back(std::move(row));
  }
  json totals = {{"alarms", tot.alarms}, {"warnings", tot.warnings}};
  for (const auto& l : kLevels) totals[l] = tot.levels.count(l) ? tot.levels[l] : 0;
  totals["overdue"] = tot.overdue;
  totals["video_reviewed"] = tot.reviewed;
  totals["video_rejected"] = tot.rejected;
  totals["false_alarm_rate"] = rate(tot.rejected, tot.reviewed);
  c.filters["by"] = by;
  c.filters["limit"] = limit;

  StatisticsResult r;
  Table t;
  t.title = by == "city" ? "地市排名" : "企业排名";
  t.notes = i.notes(t.title, c);
  t.columns = {{"排名", 0, 0},
               {by == "city" ? "城市代码" : "企业代码"},
               {by == "city" ? "城市" : "企业名称"}};
  if (by == "enterprise") t.columns.push_back({"所属市"});
  for (const char* h :
       {"报警数", "预警事件数", "红色", "橙色", "黄色", "蓝色", "超期", "视频已审核", "视频误报"})
    t.columns.push_back({h, 0, 0});
  t.columns.push_back({"视频误报率"});
  for (const auto& row : rows) {
    std::vector<Cell> cs{Cell::of_int(row["rank"].get<long long>()),
                         Cell::of_text(row["code"].get<std::string>()),
                         Cell::of_text(row["name"].get<std::string>())};
    if (by == "enterprise") cs.push_back(opt_cell(row["city_name"]));
    for (const char* k : {"alarms", "warnings", "red", "orange", "yellow", "blue", "overdue",
                          "video_reviewed", "video_rejected"})
      cs.push_back(Cell::of_int(row[k].get<long long>()));
    cs.push_back(rate_cell(row["false_alarm_rate"]));
    t.rows.push_back(std::move(cs));
  }
  r.tables.push_back(std::move(t));
  r.body = {{"filters", c.filters},
            {"totals", totals},
            {"total_rows", static_cast<long long>(acc.size())},
            {"rows", std::move(rows)}};
  r.file_name = std::string(by == "city" ? "地市排名_" : "企业排名_") + Impl::file_range(c);
  r.ascii_file_name = "ranking-" + by + "-" + Impl::file_range(c);
  return r;
}

StatisticsResult StatisticsService::video_review(const model::Principal& who, const StatQuery& q) {
  auto& i = *impl_;
  Impl::person(who);
  auto by = choice(q, "by", {"city", "enterprise", "camera"}, "city");
  int limit = limit_param(q);
  auto c = i.context(who, q, StatBucket::day, i.today_end(), chr::hours(24 * 30), 366);
  StatGroup group = by == "city"         ? StatGroup::city
                    : by == "enterprise" ? StatGroup::enterprise
                                         : StatGroup::camera;
  std::vector<storage::GroupSplit> cells;
  {
    auto tx = i.db.begin();
    cells =
        i.store.by_group_split(tx, StatMetric::video_events, StatSplit::review_state, group, c.f);
  }
  struct Acc {
    json row;
    long long events = 0, pending = 0, confirmed = 0, rejected = 0;
  };
  std::map<std::string, Acc> acc;
  Acc tot;
  for (const auto& g : cells) {
    auto& a = acc[g.key.value_or("")];
    if (a.row.is_null())
      a.row = {{"code", g.key.value_or("")},
               {"name", g.name},
               {"city_code", g.city_code.value_or("")},
               {"city_name", opt(g.city_name)},
               {"company_code", opt(g.company_code)},
               {"company_name", opt(g.company_name)}};
    for (auto* x : {&a, &tot}) {
      x->events += g.count;
      for (const auto& [k, n] : g.count_by) {
        if (k == "pending") x->pending += n;
        if (k == "confirmed") x->confirmed += n;
        if (k == "rejected") x->rejected += n;
      }
    }
  }
  auto fill = [](json& row, const Acc& a) {
    row["events"] = a.events;
    row["pending"] = a.pending;
    row["confirmed"] = a.confirmed;
    row["rejected"] = a.rejected;
    row["reviewed"] = a.confirmed + a.rejected;
    row["false_alarm_rate"] = rate(a.rejected, a.confirmed + a.rejected);
  };
  std::vector<Acc*> ordered;
  for (auto& [k, a] : acc) {
    fill(a.row, a);
    ordered.push_back(&a);
  }
  // Highest false-alarm rate first (nothing reviewed last), then most rejections.
  auto key = [](const Acc* a) {
    const auto& r = a->row["false_alarm_rate"];
    return std::make_pair(r.is_null() ? -1.0 : r.get<double>(), a->rejected);
  };
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const Acc* x, const Acc* y) { return key(x) > key(y); });
  json rows = json::array();
  long long rank = 0;
  std::pair<double, long long> last{-2, -1};
  for (auto* a : ordered) {
    if (key(a) != last) ++rank, last = key(a);
    if (static_cast<int>(rows.size()) >= limit) break;
    json row = a->row;
    row["rank"] = rank;
    rows.push_back(std::move(row));
  }
  json totals = json::object();
  fill(totals, tot);
  c.filters["by"] = by;
  c.filters["limit"] = limit;

  static const std::map<std::string, std::string> kByZh = {
      {"city", "按市"}, {"enterprise", "按企业"}, {"camera", "按摄像头"}};
  StatisticsResult r;
  Table t;
  t.title = "视频AI审核统计（" + kByZh.at(by) + "）";
  t.notes = i.notes(t.title, c);
  t.columns = {{"排名", 0, 0}, {by == "camera" ? "摄像头编号" : "代码"}, {"名称"}};
  if (by != "city") t.columns.push_back({"所属市"});
  if (by == "camera") t.columns.push_back({"企业名称"});
  for (const char* h : {"事件数", "待审核", "已确认", "误报", "已审核"})
    t.columns.push_back({h, 0, 0});
  t.columns.push_back({"误报率"});
  for (const auto& row : rows) {
    std::vector<Cell> cs{Cell::of_int(row["rank"].get<long long>()),
                         Cell::of_text(row["code"].get<std::string>()),
                         Cell::of_text(row["name"].get<std::string>())};
    if (by != "city") cs.push_back(opt_cell(row["city_name"]));
    if (by == "camera") cs.push_back(opt_cell(row["company_name"]));
    for (const char* k : {"events", "pending", "confirmed", "rejected", "reviewed"})
      cs.push_back(Cell::of_int(row[k].get<long long>()));
    cs.push_back(rate_cell(row["false_alarm_rate"]));
    t.rows.push_back(std::move(cs));
  }
  r.tables.push_back(std::move(t));
  r.body = {{"filters", c.filters},
            {"totals", totals},
            {"total_rows", static_cast<long long>(acc.size())},
            {"rows", std::move(rows)}};
  r.file_name = "视频AI审核统计_" + kByZh.at(by) + "_" + Impl::file_range(c);
  r.ascii_file_name = "video-review-" + by + "-" + Impl::file_range(c);
  return r;
}

StatisticsResult StatisticsService::disposal(const model::Principal& who, const StatQuery& q) {
  auto& i = *impl_;
  Impl::person(who);
  auto by = choice(q, "by", {"city", "enterprise"}, "city");
  int limit = limit_param(q);
  auto c = i.context(who, q, StatBucket::day, i.today_end(), chr::hours(24 * 30), 366);
  std::vector<storage::DisposalCount> cells;
  {
    auto tx = i.db.begin();
    cells = i.store.disposal(tx, by == "city" ? StatGroup::city : StatGroup::enterprise, c.f,
                             i.clock.now());
  }
  storage::DisposalCount tot;
  auto fill = [](json& row, const storage::DisposalCount& d) {
    row["events"] = d.events;
    row["pushed"] = d.pushed;
    row["fed_back_on_time"] = d.on_time;
    row["fed_back_late"] = d.late;
    row["unanswered_overdue"] = d.unanswered_overdue;
    row["awaiting_feedback"] = d.awaiting;
    row["overdue"] = d.overdue;
    row["timeliness_rate"] = rate(d.on_time, d.on_time + d.late + d.unanswered_overdue);
  };
  std::vector<json> all;
  for (const auto& d : cells) {
    tot.events += d.events, tot.pushed += d.pushed, tot.on_time += d.on_time, tot.late += d.late,
        tot.unanswered_overdue += d.unanswered_overdue, tot.awaiting += d.awaiting,
        tot.overdue += d.overdue;
    json row = {{"code", d.key},
                {"name", d.name},
                {"city_code", d.city_code},
                {"city_name", opt(d.city_name)}};
    fill(row, d);
    all.push_back(std::move(row));
  }
  // Lowest timeliness first (the ones to chase); nothing to measure last.
  auto key = [](const json& r) {
    const auto& t = r["timeliness_rate"];
    return std::make_pair(t.is_null() ? 2.0 : t.get<double>(),
                          -r["unanswered_overdue"].get<long long>());
  };
  std::stable_sort(all.begin(), all.end(),
                   [&](const json& x, const json& y) { return key(x) < key(y); });
  json rows = json::array();
  long long rank = 0;
  std::pair<double, long long> last{-1, 1};
  for (auto& row : all) {
    if (key(row) != last) ++rank, last = key(row);
    if (static_cast<int>(rows.size()) >= limit) break;
    row["rank"] = rank;
    rows.push_back(row);
  }
  json totals = json::object();
  fill(totals, tot);
  c.filters["by"] = by;
  c.filters["limit"] = limit;

  StatisticsResult r;
  Table t;
  t.title = by == "city" ? "处置及时率（按市）" : "处置及时率（按企业）";
  t.notes = i.notes(t.title, c);
  t.columns = {{"排名", 0, 0}, {"代码"}, {"名称"}};
  if (by == "enterprise") t.columns.push_back({"所属市"});
  for (const char* h :
       {"预警事件", "已推送", "按时反馈", "超时反馈", "超期未反馈", "待反馈", "超期事件"})
    t.columns.push_back({h, 0, 0});
  t.columns.push_back({"反馈及时率"});
  for (const auto& row : rows) {
    std::vector<Cell> cs{Cell::of_int(row["rank"].get<long long>()),
                         Cell::of_text(row["code"].get<std::string>()),
                         Cell::of_text(row["name"].get<std::string>())};
    if (by == "enterprise") cs.push_back(opt_cell(row["city_name"]));
    for (const char* k : {"events", "pushed", "fed_back_on_time", "fed_back_late",
                          "unanswered_overdue", "awaiting_feedback", "overdue"})
      cs.push_back(Cell::of_int(row[k].get<long long>()));
    cs.push_back(rate_cell(row["timeliness_rate"]));
    t.rows.push_back(std::move(cs));
  }
  r.tables.push_back(std::move(t));
  r.body = {{"filters", c.filters},
            {"totals", totals},
            {"total_rows", static_cast<long long>(all.size())},
            {"rows", std::move(rows)}};
  r.file_name =
      std::string(by == "city" ? "处置及时率_按市_" : "处置及时率_按企业_") + Impl::file_range(c);
  r.ascii_file_name = "disposal-" + by + "-" + Impl::file_range(c);
  return r;
}

}  // namespace hazmon::service
