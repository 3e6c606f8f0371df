// GET /api/v1/statistics/{alarms,warnings,video-events}: one metric grouped by city, enterprise,
// hazard source, type or level, with its breakdown, and per period (statistics_detail.hpp).
#include <algorithm>
#include <map>

#include "statistics_detail.hpp"

namespace hazmon::service::stats {
using report::Cell;
using report::Table;

namespace {

// The (group, split) cells folded into one row per group, ranked by count.
struct GroupRows {
  json rows = json::array();
  json totals_breakdown;
  long long total = 0, total_open = 0, groups = 0;
};

std::string group_name(const GroupedAsk& a, const storage::GroupSplit& g) {
  if (a.group == StatGroup::type)
    return a.metric == StatMetric::alarms     ? alarm_type_zh(*g.key)
           : a.metric == StatMetric::warnings ? warning_category_zh(*g.key)
                                              : video_analyser_zh(*g.key);
  if (a.group == StatGroup::level) return warning_level_zh(*g.key);
  if (!g.key) return "未关联危险源";
  return g.name;
}

GroupRows fold_groups(const GroupedAsk& a, const SeriesDef& series,
                      const std::vector<storage::GroupSplit>& cells) {
  struct Acc {
    json row;
    long long count = 0, open = 0, overdue = 0;
  };
  std::map<std::optional<std::string>, Acc> groups;
  GroupRows out;
  out.totals_breakdown = zero_counts(series);
  for (const auto& g : cells) {
    auto& acc = groups[g.key];
    if (acc.row.is_null()) {
      acc.row = {{"key", opt(g.key)},
                 {"name", group_name(a, g)},
                 {"city_code", opt(g.city_code)},
                 {"city_name", opt(g.city_name)},
                 {"company_code", opt(g.company_code)},
                 {"company_name", opt(g.company_name)},
                 {"breakdown", zero_counts(series)}};
    }
    acc.count += g.count;
    acc.open += g.open;
    acc.overdue += g.overdue;
    for (const auto& [k, n] : g.count_by) {
      add_count(acc.row["breakdown"], k, n);
      add_count(out.totals_breakdown, k, n);
    }
    out.total += g.count;
    out.total_open += g.open;
  }
  std::vector<Acc*> ordered;
  for (auto& [k, acc] : groups) ordered.push_back(&acc);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Acc* x, const Acc* y) { return x->count > y->count; });
  long long rank = 0, last = -1;
  for (auto* acc : ordered) {
    if (acc->count != last) ++rank, last = acc->count;
    if (static_cast<int>(out.rows.size()) >= a.limit) break;
    json row = acc->row;
    row["rank"] = rank;
    row["count"] = acc->count;
    row["open"] = acc->open;
    row["overdue"] = a.metric == StatMetric::warnings ? json(acc->overdue) : json(nullptr);
    row["false_alarm_rate"] = a.metric == StatMetric::video_events
                                  ? rate(row["breakdown"]["rejected"].get<long long>(),
                                         row["breakdown"]["rejected"].get<long long>() +
                                             row["breakdown"]["confirmed"].get<long long>())
                                  : json(nullptr);
    out.rows.push_back(std::move(row));
  }
  out.groups = static_cast<long long>(groups.size());
  return out;
}

// The export's first table: one row per group, as the answer's rows.
Table group_table(const GroupedAsk& a, const SeriesDef& series, const json& rows) {
  Table t;
  t.columns = {{"排名", 0, 0}, {"代码"}, {"名称"}};
  const bool with_city = a.group == StatGroup::enterprise || a.group == StatGroup::hazard_source;
  if (with_city) t.columns.push_back({"所属市"});
  if (a.group == StatGroup::hazard_source) t.columns.push_back({"企业名称"});
  t.columns.push_back({"数量", 0, 0});
  t.columns.push_back({a.metric == StatMetric::alarms     ? "未消警"
                       : a.metric == StatMetric::warnings ? "未办结"
                                                          : "待审核",
                       0, 0});
  if (a.metric == StatMetric::warnings) t.columns.push_back({"超期", 0, 0});
  if (a.metric == StatMetric::video_events) t.columns.push_back({"误报率"});
  for (const auto& k : series.keys) t.columns.push_back({series.name(k), 0, 0});
  for (const auto& row : rows) {
    std::vector<Cell> cells_out{Cell::of_int(row["rank"].get<long long>()), opt_cell(row["key"]),
                                Cell::of_text(row["name"].get<std::string>())};
    if (with_city) cells_out.push_back(opt_cell(row["city_name"]));
    if (a.group == StatGroup::hazard_source) cells_out.push_back(opt_cell(row["company_name"]));
    cells_out.push_back(Cell::of_int(row["count"].get<long long>()));
    cells_out.push_back(Cell::of_int(row["open"].get<long long>()));
    if (a.metric == StatMetric::warnings)
      cells_out.push_back(Cell::of_int(row["overdue"].get<long long>()));
    if (a.metric == StatMetric::video_events)
      cells_out.push_back(rate_cell(row["false_alarm_rate"]));
    for (const auto& k : series.keys)
      cells_out.push_back(Cell::of_int(row["breakdown"][k].get<long long>()));
    t.rows.push_back(std::move(cells_out));
  }
  return t;
}

// The export's second table: one row per period.
Table period_table(const GroupedAsk& a, const SeriesDef& series, const json& periods) {
  Table p;
  p.columns = {{a.period == StatBucket::day    ? "日期"
                : a.period == StatBucket::week ? "周（起始日）"
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
  return p;
}

}  // namespace

StatisticsResult grouped_result(const GroupedAsk& a, Range& c,
                                const std::vector<storage::GroupSplit>& cells,
                                const std::vector<storage::BucketCount>& per_period, SysTime now) {
  auto series = breakdown_series(a.metric);
  auto g = fold_groups(a, series, cells);
  json dummy = zero_counts(series);
  auto periods =
      bucket_rows(per_period, series, a.period, c.f.from, c.f.to, dummy, "period", "count");
  c.filters["metric"] = metric_key(a.metric);
  c.filters["group_by"] = a.group_s;
  c.filters["period"] = a.period_s;
  c.filters["limit"] = a.limit;

  static const std::map<std::string, std::string> kGroupZh = {
      {"city", "按市"},   {"enterprise", "按企业"}, {"hazard_source", "按危险源"},
      {"type", "按类型"}, {"level", "按等级"},      {"rank", "按危险源级别"}};
  static const std::map<std::string, std::string> kPeriodZh = {
      {"day", "按日"}, {"week", "按周"}, {"month", "按月"}};
  const std::string title = std::string(metric_zh(a.metric)) + "统计";
  StatisticsResult r;
  Table t = group_table(a, series, g.rows);
  t.title = title + "（" + kGroupZh.at(a.group_s) + "）";
  t.notes = notes(t.title, c, now);
  Table p = period_table(a, series, periods);
  p.title = title + "（" + kPeriodZh.at(a.period_s) + "）";
  p.notes = notes(p.title, c, now);
  r.tables.push_back(std::move(t));
  r.tables.push_back(std::move(p));
  r.body = {
      {"filters", c.filters},
      {"breakdown_keys", key_list(series)},
      {"totals", {{"count", g.total}, {"open", g.total_open}, {"breakdown", g.totals_breakdown}}},
      {"total_rows", g.groups},
      {"rows", std::move(g.rows)},
      {"periods", std::move(periods)}};
  r.file_name = title + "_" + kGroupZh.at(a.group_s) + "_" + file_range(c);
  r.ascii_file_name =
      "statistics-" + std::string(metric_key(a.metric)) + "-" + a.group_s + "-" + file_range(c);
  return r;
}

}  // namespace hazmon::service::stats
