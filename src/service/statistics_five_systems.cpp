// The five systems (五项制度) per city or county (GET /api/v1/statistics/five-systems,
// docs/five-systems.md): patrols and their findings (分级巡查抽查), warning disposal on time
// (预警信息处置), the data-quality online rate (数据质量), circulars and who has not acknowledged
// them (信息通报), and the enterprises' routine use (企业端日常使用). Built from per-enterprise
// rows (storage::PatrolStore::five_systems, circular_notices; StatisticsStore::disposal by
// enterprise) summed per region here.
#include <algorithm>
#include <map>
#include <set>

#include "statistics_detail.hpp"

namespace hazmon::service::stats {
using report::Cell;
using report::Table;
namespace chr = std::chrono;

namespace {
struct Sums {
  std::string code, name;
  long long enterprises = 0, expected = 0, patrolled = 0;
  storage::FiveSystemsEnterprise f;  // the sums of its enterprises' figures
  storage::DisposalCount d;
  std::set<long long> circulars;
  long long notices = 0, acknowledged = 0, ack_overdue = 0, ack_late = 0;

  void add(const storage::FiveSystemsEnterprise& e) {
    ++enterprises;
    if (e.expected) ++expected;
    if (e.patrols > 0) ++patrolled;
    f.patrols += e.patrols, f.patrols_online += e.patrols_online,
        f.patrols_onsite += e.patrols_onsite;
    f.findings += e.findings, f.findings_closed += e.findings_closed,
        f.findings_answered += e.findings_answered, f.findings_open += e.findings_open,
        f.findings_overdue += e.findings_overdue;
    f.dq_period_s += e.dq_period_s, f.dq_online_s += e.dq_online_s;
    f.logins += e.logins, f.login_days += e.login_days, f.commitments += e.commitments,
        f.commitments_late += e.commitments_late, f.checkins += e.checkins,
        f.checkin_days += e.checkin_days, f.feedbacks += e.feedbacks;
  }
  void add(const storage::DisposalCount& x) {
    d.events += x.events, d.pushed += x.pushed, d.on_time += x.on_time, d.late += x.late,
        d.unanswered_overdue += x.unanswered_overdue, d.awaiting += x.awaiting,
        d.overdue += x.overdue;
  }
  void add(const storage::CircularNotice& n) {
    circulars.insert(n.circular_id);
    ++notices;
    if (n.acknowledged) ++acknowledged;
    if (n.overdue) ++ack_overdue;
    if (n.late) ++ack_late;  // acknowledged after the deadline: stays visible (attack 12.24)
  }

  json body(long long days, bool with_circulars) const {
    long long expected_commitments = expected * days;
    json j = {{"enterprises", enterprises},
              {"expected_enterprises", expected},
              {"patrols",
               {{"total", f.patrols},
                {"online", f.patrols_online},
                {"onsite", f.patrols_onsite},
                {"enterprises_patrolled", patrolled},
                {"coverage_rate", rate(patrolled, enterprises)}}},
              {"findings",
               {{"total", f.findings},
                {"open", f.findings_open},
                {"answered", f.findings_answered},
                {"closed", f.findings_closed},
                {"overdue", f.findings_overdue},
                {"closed_rate", rate(f.findings_closed, f.findings)}}},
              {"disposal",
               {{"events", d.events},
                {"pushed", d.pushed},
                {"fed_back_on_time", d.on_time},
                {"fed_back_late", d.late},
                {"unanswered_overdue", d.unanswered_overdue},
                {"timeliness_rate", rate(d.on_time, d.on_time + d.late + d.unanswered_overdue)}}},
              {"data_quality",
               {{"online_rate", rate(f.dq_online_s, f.dq_period_s)},
                {"period_s", f.dq_period_s},
                {"online_s", f.dq_online_s}}},
              {"routine_use",
               {{"logins", f.logins},
                {"login_days", f.login_days},
                {"commitments", f.commitments},
                {"commitments_expected", expected_commitments},
                {"commitments_late", f.commitments_late},
                {"commitment_rate",
                 rate(std::min(f.commitments, expected_commitments), expected_commitments)},
                {"checkins", f.checkins},
                {"checkin_days", f.checkin_days},
                {"feedbacks", f.feedbacks}}}};
    if (with_circulars)
      j["circulars"] = {{"published", static_cast<long long>(circulars.size())},
                        {"notices", notices},
                        {"acknowledged", acknowledged},
                        {"unacknowledged", notices - acknowledged},
                        {"overdue", ack_overdue},
                        {"acknowledged_late", ack_late}};
    else
      j["circulars"] = nullptr;
    return j;
  }
};

Table five_systems_table(const std::string& by, const json& rows, const json& totals) {
  Table t;
  t.title = by == "city" ? "五项制度统计（按市）" : "五项制度统计（按县区）";
  t.columns = {{"代码"}, {"名称"}};
  for (const char* h :
       {"企业数", "巡查次数", "线上巡查", "现场抽查", "发现问题", "未整改", "待确认", "已销号",
        "超期未整改", "预警事件", "按时反馈", "超时反馈", "超期未反馈"})
    t.columns.push_back({h, 0, 0});
  t.columns.push_back({"反馈及时率"});
  t.columns.push_back({"数据在线率"});
  for (const char* h :
       {"通报", "未签收", "逾期签收", "登录次数", "承诺份数", "应承诺份数", "迟报承诺", "值班签到"})
    t.columns.push_back({h, 0, 0});
  auto add = [&](const json& row, const std::string& code, const std::string& name) {
    std::vector<Cell> cs{Cell::of_text(code), Cell::of_text(name),
                         Cell::of_int(row["enterprises"].get<long long>())};
    auto i = [&](const char* part, const char* key) {
      cs.push_back(Cell::of_int(row[part][key].get<long long>()));
    };
    i("patrols", "total"), i("patrols", "online"), i("patrols", "onsite");
    i("findings", "total"), i("findings", "open"), i("findings", "answered");
    i("findings", "closed"), i("findings", "overdue");
    i("disposal", "events"), i("disposal", "fed_back_on_time"), i("disposal", "fed_back_late");
    i("disposal", "unanswered_overdue");
    cs.push_back(rate_cell(row["disposal"]["timeliness_rate"]));
    cs.push_back(rate_cell(row["data_quality"]["online_rate"]));
    if (row["circulars"].is_null()) {
      for (int k = 0; k < 3; ++k) cs.push_back(Cell::blank());
    } else {
      i("circulars", "published"), i("circulars", "unacknowledged");
      i("circulars", "acknowledged_late");
    }
    i("routine_use", "logins"), i("routine_use", "commitments");
    i("routine_use", "commitments_expected"), i("routine_use", "commitments_late");
    i("routine_use", "checkins");
    t.rows.push_back(std::move(cs));
  };
  for (const auto& row : rows)
    add(row, row["code"].get<std::string>(), row["name"].get<std::string>());
  add(totals, "", "合计");
  return t;
}
}  // namespace

StatisticsResult five_systems_result(const std::string& by, Range& c, const FiveSystemsInput& in,
                                     SysTime now) {
  // The days whose commitments are expected: the range's Beijing days up to today.
  auto end = std::min(c.f.to, in.today_end);
  long long days =
      end > c.f.from ? (chr::duration_cast<chr::hours>(end - c.f.from).count() + 23) / 24 : 0;
  std::map<std::string, Sums> groups;
  std::map<std::string, std::string> group_of;  // company_code → group code
  Sums total;
  for (const auto& e : in.enterprises) {
    std::string code = by == "city" ? e.region_code.substr(0, 4) + "00" : e.region_code;
    auto& g = groups[code];
    if (g.code.empty()) {
      g.code = code;
      auto name = by == "city" ? e.city_name : e.county_name;
      g.name = name ? *name : code;
    }
    g.add(e);
    total.add(e);
    group_of[e.company_code] = code;
  }
  for (const auto& d : in.disposal) {
    auto it = group_of.find(d.key);
    if (it == group_of.end()) continue;  // an inactive enterprise's old events
    groups[it->second].add(d);
    total.add(d);
  }
  if (in.circulars)
    for (const auto& n : *in.circulars) {
      auto it = group_of.find(n.company_code);
      if (it == group_of.end()) continue;
      groups[it->second].add(n);
      total.add(n);
    }
  const bool with_circulars = in.circulars.has_value();
  json rows = json::array();
  for (const auto& [code, g] : groups) {
    json row = g.body(days, with_circulars);
    row["code"] = g.code;
    row["name"] = g.name;
    rows.push_back(std::move(row));
  }
  json totals = total.body(days, with_circulars);
  c.filters["by"] = by;
  StatisticsResult r;
  Table t = five_systems_table(by, rows, totals);
  t.notes = notes(t.title, c, now);
  r.tables.push_back(std::move(t));
  r.body = {{"filters", c.filters},
            {"days", days},
            {"totals", totals},
            {"rows", std::move(rows)},
            // The records behind each figure (the dashboard links them).
            {"records",
             {{"patrols", "/api/v1/patrols"},
              {"findings", "/api/v1/patrol-findings"},
              {"disposal", "/api/v1/statistics/disposal"},
              {"data_quality", "/api/v1/data-quality"},
              {"circulars", "/api/v1/circulars"},
              {"routine_use", "/api/v1/routine-use"}}}};
  r.file_name = std::string(by == "city" ? "五项制度_按市_" : "五项制度_按县区_") + file_range(c);
  r.ascii_file_name = "five-systems-" + by + "-" + file_range(c);
  return r;
}

}  // namespace hazmon::service::stats
