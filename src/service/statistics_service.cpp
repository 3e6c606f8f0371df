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
#include <hazmon/storage/patrol_store.hpp>
#include <hazmon/storage/statistics_store.hpp>

#include "statistics_detail.hpp"

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

// The helpers shared with statistics_grouped.cpp and statistics_rankings.cpp.
using namespace stats;  // NOLINT(google-build-using-namespace): this module's own detail

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

  using Ctx = stats::Range;  // the checked range and filters of one request

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
    return stats::notes(title, c, clock.now());
  }

  static std::string file_range(const Ctx& c) { return stats::file_range(c); }
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
                       {"open_warnings", m.open_warnings},
                       {"hot_work", m.hot_work},
                       {"confined_space", m.confined_space}});
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
  stats::GroupedAsk a{metric_of(metric_s), StatGroup::city, "", StatBucket::day, "", 100};
  a.group_s = choice(q, "group_by",
                     {"city", "enterprise", "hazard_source", "type", "level", "rank"}, "city");
  if (a.group_s == "level" && a.metric != StatMetric::warnings)
    throw Error(Errc::bad_request,
                "group_by level is for warnings; alarms and video events group by type");
  a.group = a.group_s == "city"            ? StatGroup::city
            : a.group_s == "enterprise"    ? StatGroup::enterprise
            : a.group_s == "hazard_source" ? StatGroup::hazard_source
            : a.group_s == "type"          ? StatGroup::type
            : a.group_s == "rank"          ? StatGroup::rank
                                           : StatGroup::level;
  a.period_s = choice(q, "period", {"day", "week", "month"}, "day");
  a.period = a.period_s == "day"    ? StatBucket::day
             : a.period_s == "week" ? StatBucket::week
                                    : StatBucket::month;
  a.limit = limit_param(q);
  auto c = i.context(who, q, StatBucket::day, i.today_end(), chr::hours(24 * 30),
                     a.period == StatBucket::day    ? 366
                     : a.period == StatBucket::week ? 731
                                                    : 1096);
  auto series = breakdown_series(a.metric);
  std::vector<storage::GroupSplit> cells;
  std::vector<storage::BucketCount> per_period;
  {
    auto tx = i.db.begin();
    cells = i.store.by_group_split(tx, a.metric, series.split, a.group, c.f);
    per_period = i.store.by_bucket(tx, a.metric, series.split, a.period, c.f);
  }
  return stats::grouped_result(a, c, cells, per_period, i.clock.now());
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
  return stats::ranking_result(by, limit, c, alarms, warnings, video, cities, i.clock.now());
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
  return stats::video_review_result(by, limit, c, cells, i.clock.now());
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
  return stats::disposal_result(by, limit, c, cells, i.clock.now());
}

StatisticsResult StatisticsService::five_systems(const model::Principal& who, const StatQuery& q) {
  auto& i = *impl_;
  Impl::person(who);
  auto by = choice(q, "by", {"city", "county"}, "city");
  auto c = i.context(who, q, StatBucket::day, i.today_end(), chr::hours(24 * 30), 366, false);
  auto now = i.clock.now();
  stats::FiveSystemsInput in;
  in.today_end = i.today_end();
  {
    auto tx = i.db.begin();
    storage::PatrolStore ps;
    in.enterprises =
        ps.five_systems(tx, c.f.scope, c.f.region_code, c.f.company_code, c.f.from, c.f.to, now);
    in.circulars = ps.circular_notices(tx, c.f.scope, c.f.region_code, c.f.company_code, c.f.from,
                                       c.f.to, now);
    in.disposal = i.store.disposal(tx, StatGroup::enterprise, c.f, now);
  }
  return stats::five_systems_result(by, c, in, now);
}

}  // namespace hazmon::service
