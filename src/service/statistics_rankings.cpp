// Rankings from the store's rows (statistics_detail.hpp): cities or enterprises by warnings and
// alarms (GET /api/v1/statistics/ranking), video review by false-alarm rate (…/video-review), and
// disposal timeliness (…/disposal).
#include <algorithm>
#include <map>

#include "statistics_detail.hpp"

namespace hazmon::service::stats {
using report::Cell;
using report::Table;

namespace {

// ---- ranking -----------------------------------------------------------------------------------

struct RankAcc {
  std::string code, name, city_code;
  std::optional<std::string> city_name;
  long long alarms = 0, warnings = 0, overdue = 0, reviewed = 0, rejected = 0;
  std::map<std::string, long long> levels;
};

// Every city in range (none forgotten for having no rows) and every key the store returned.
std::map<std::string, RankAcc> fold_ranking(const std::vector<storage::GroupSplit>& alarms,
                                            const std::vector<storage::GroupSplit>& warnings,
                                            const std::vector<storage::GroupSplit>& video,
                                            const std::vector<storage::Region>& cities) {
  std::map<std::string, RankAcc> acc;
  for (const auto& city : cities) {
    auto& a = acc[city.code];
    a.code = a.city_code = city.code;
    a.name = city.name;
    a.city_name = city.name;
  }
  auto at = [&](const storage::GroupSplit& g) -> RankAcc& {
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
  return acc;
}

json ranking_figures(RankAcc& a) {
  json row = {{"alarms", a.alarms}, {"warnings", a.warnings}};
  for (const auto& l : kLevels) row[l] = a.levels.count(l) ? a.levels[l] : 0;
  row["overdue"] = a.overdue;
  row["video_reviewed"] = a.reviewed;
  row["video_rejected"] = a.rejected;
  row["false_alarm_rate"] = rate(a.rejected, a.reviewed);
  return row;
}

Table ranking_table(const std::string& by, const json& rows) {
  Table t;
  t.title = by == "city" ? "地市排名" : "企业排名";
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
  return t;
}

// ---- video review ------------------------------------------------------------------------------

struct ReviewAcc {
  json row;
  long long events = 0, pending = 0, confirmed = 0, rejected = 0;
};

void fill_review(json& row, const ReviewAcc& a) {
  row["events"] = a.events;
  row["pending"] = a.pending;
  row["confirmed"] = a.confirmed;
  row["rejected"] = a.rejected;
  row["reviewed"] = a.confirmed + a.rejected;
  row["false_alarm_rate"] = rate(a.rejected, a.confirmed + a.rejected);
}

std::map<std::string, ReviewAcc> fold_review(const std::vector<storage::GroupSplit>& cells,
                                             ReviewAcc& tot) {
  std::map<std::string, ReviewAcc> acc;
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
  for (auto& [k, a] : acc) fill_review(a.row, a);
  return acc;
}

// Highest false-alarm rate first (nothing reviewed last), then most rejections.
json review_rows(std::map<std::string, ReviewAcc>& acc, int limit) {
  std::vector<ReviewAcc*> ordered;
  for (auto& [k, a] : acc) ordered.push_back(&a);
  auto key = [](const ReviewAcc* a) {
    const auto& r = a->row["false_alarm_rate"];
    return std::make_pair(r.is_null() ? -1.0 : r.get<double>(), a->rejected);
  };
  std::stable_sort(ordered.begin(), ordered.end(),
                   [&](const ReviewAcc* x, const ReviewAcc* y) { return key(x) > key(y); });
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
  return rows;
}

Table review_table(const std::string& by, const json& rows) {
  Table t;
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
  return t;
}

// ---- disposal ----------------------------------------------------------------------------------

void fill_disposal(json& row, const storage::DisposalCount& d) {
  row["events"] = d.events;
  row["pushed"] = d.pushed;
  row["fed_back_on_time"] = d.on_time;
  row["fed_back_late"] = d.late;
  row["unanswered_overdue"] = d.unanswered_overdue;
  row["awaiting_feedback"] = d.awaiting;
  row["overdue"] = d.overdue;
  row["timeliness_rate"] = rate(d.on_time, d.on_time + d.late + d.unanswered_overdue);
}

// Lowest timeliness first (the ones to chase); nothing to measure last.
json disposal_rows(std::vector<json>& all, int limit) {
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
  return rows;
}

Table disposal_table(const std::string& by, const json& rows) {
  Table t;
  t.title = by == "city" ? "处置及时率（按市）" : "处置及时率（按企业）";
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
  return t;
}

}  // namespace

StatisticsResult ranking_result(const std::string& by, int limit, Range& c,
                                const std::vector<storage::GroupSplit>& alarms,
                                const std::vector<storage::GroupSplit>& warnings,
                                const std::vector<storage::GroupSplit>& video,
                                const std::vector<storage::Region>& cities, SysTime now) {
  auto acc = fold_ranking(alarms, warnings, video, cities);
  std::vector<RankAcc*> ordered;
  for (auto& [k, a] : acc) ordered.push_back(&a);
  std::stable_sort(ordered.begin(), ordered.end(), [](const RankAcc* x, const RankAcc* y) {
    return x->warnings != y->warnings ? x->warnings > y->warnings : x->alarms > y->alarms;
  });
  json rows = json::array();
  RankAcc tot;
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
                {"city_name", opt(a->city_name)}};
    row.update(ranking_figures(*a));
    rows.push_back(std::move(row));
  }
  c.filters["by"] = by;
  c.filters["limit"] = limit;
  StatisticsResult r;
  Table t = ranking_table(by, rows);
  t.notes = notes(t.title, c, now);
  r.tables.push_back(std::move(t));
  r.body = {{"filters", c.filters},
            {"totals", ranking_figures(tot)},
            {"total_rows", static_cast<long long>(acc.size())},
            {"rows", std::move(rows)}};
  r.file_name = std::string(by == "city" ? "地市排名_" : "企业排名_") + file_range(c);
  r.ascii_file_name = "ranking-" + by + "-" + file_range(c);
  return r;
}

StatisticsResult video_review_result(const std::string& by, int limit, Range& c,
                                     const std::vector<storage::GroupSplit>& cells, SysTime now) {
  ReviewAcc tot;
  auto acc = fold_review(cells, tot);
  json rows = review_rows(acc, limit);
  json totals = json::object();
  fill_review(totals, tot);
  c.filters["by"] = by;
  c.filters["limit"] = limit;
  static const std::map<std::string, std::string> kByZh = {
      {"city", "按市"}, {"enterprise", "按企业"}, {"camera", "按摄像头"}};
  StatisticsResult r;
  Table t = review_table(by, rows);
  t.title = "视频AI审核统计（" + kByZh.at(by) + "）";
  t.notes = notes(t.title, c, now);
  r.tables.push_back(std::move(t));
  r.body = {{"filters", c.filters},
            {"totals", totals},
            {"total_rows", static_cast<long long>(acc.size())},
            {"rows", std::move(rows)}};
  r.file_name = "视频AI审核统计_" + kByZh.at(by) + "_" + file_range(c);
  r.ascii_file_name = "video-review-" + by + "-" + file_range(c);
  return r;
}

StatisticsResult disposal_result(const std::string& by, int limit, Range& c,
                                 const std::vector<storage::DisposalCount>& cells, SysTime now) {
  storage::DisposalCount tot;
  std::vector<json> all;
  for (const auto& d : cells) {
    tot.events += d.events, tot.pushed += d.pushed, tot.on_time += d.on_time, tot.late += d.late,
        tot.unanswered_overdue += d.unanswered_overdue, tot.awaiting += d.awaiting,
        tot.overdue += d.overdue;
    json row = {{"code", d.key},
                {"name", d.name},
                {"city_code", d.city_code},
                {"city_name", opt(d.city_name)}};
    fill_disposal(row, d);
    all.push_back(std::move(row));
  }
  json rows = disposal_rows(all, limit);
  json totals = json::object();
  fill_disposal(totals, tot);
  c.filters["by"] = by;
  c.filters["limit"] = limit;
  StatisticsResult r;
  Table t = disposal_table(by, rows);
  t.notes = notes(t.title, c, now);
  r.tables.push_back(std::move(t));
  r.body = {{"filters", c.filters},
            {"totals", totals},
            {"total_rows", static_cast<long long>(all.size())},
            {"rows", std::move(rows)}};
  r.file_name =
      std::string(by == "city" ? "处置及时率_按市_" : "处置及时率_按企业_") + file_range(c);
  r.ascii_file_name = "disposal-" + by + "-" + file_range(c);
  return r;
}

}  // namespace hazmon::service::stats
