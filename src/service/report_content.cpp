// A daily or weekly report's content (JSON, stored with the report; rendered by
// report_service.cpp as HTML, XLSX and PDF) from its period's figures (report_detail.hpp).
#include <algorithm>
#include <string>

#include <hazmon/report/table.hpp>

#include "report_detail.hpp"

namespace hazmon::service::report_detail {
using nlohmann::json;

namespace {

const char* alarm_name(const std::string& t) {
  if (t == "HH") return "高高报";
  if (t == "H") return "高报";
  if (t == "L") return "低报";
  if (t == "LL") return "低低报";
  if (t == "SWITCH") return "开关量报警";
  return "其他";
}
const char* level_name(const std::string& l) {
  if (l == "red") return "红色";
  if (l == "orange") return "橙色";
  if (l == "yellow") return "黄色";
  if (l == "blue") return "蓝色";
  return "其他";
}
const char* status_name(const std::string& s) {
  if (s == "pending_review") return "待审核";
  if (s == "pending") return "待推送";
  if (s == "pushed") return "待反馈";
  if (s == "fed_back") return "待核查";
  if (s == "checked") return "待办结";
  if (s == "closed") return "已办结";
  return "其他";
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json dq_row(const DataQualityFigures& f) {
  const auto& s = f.sums;
  return {{"city_code", s.city_code},
          {"city_name", s.city_name},
          {"company_code", s.company_code},
          {"company_name", s.company_name},
          {"points", s.points},
          {"online_rate", opt(f.online_rate)},
          {"completeness", opt(f.completeness)},
          {"timeliness", opt(f.timeliness)},
          {"flagged", s.flagged},
          {"data_faults", s.out_of_range + s.frozen + s.offline + s.device_fault},
          {"meets_target", f.meets_target}};
}

// The headline figures beside the previous period's.
json figures(const ContentInputs& in) {
  const auto &cur = in.cur, &prev = in.prev;
  auto fig = [](const char* key, const char* name, std::int64_t v, std::int64_t p) {
    return json{{"key", key},
                {"name", name},
                {"value", v},
                {"previous", p},
                {"change", (v - p > 0 ? "+" : "") + std::to_string(v - p)}};
  };
  return json::array({
      fig("alarms", "工艺报警（次）", cur.alarms, prev.alarms),
      fig("data_faults", "数据异常（次）", cur.data_faults, prev.data_faults),
      fig("warnings", "预警事件（起）", cur.warnings, prev.warnings),
      fig("warnings_closed", "办结预警（起）", cur.warnings_closed, prev.warnings_closed),
      fig("video_events", "视频AI事件（条）", cur.video_events, prev.video_events),
      fig("video_confirmed", "视频AI确认（条）", cur.video_confirmed, prev.video_confirmed),
      fig("video_rejected", "视频AI误报（条）", cur.video_rejected, prev.video_rejected),
      fig("flagged", "质量标记数据（条）", in.dq.totals.sums.flagged,
          in.dq_prev.totals.sums.flagged),
  });
}

json online_rates(const ContentInputs& in) {
  const double target = in.target_online_rate;
  auto rate_row = [&](const char* key, const char* name, std::optional<double> v,
                      std::optional<double> p, const char* basis) {
    return json{{"key", key},
                {"name", name},
                {"rate", opt(v)},
                {"previous", opt(p)},
                // Unknown (no data rolled up for the period yet): neither met nor missed.
                {"meets", v ? json(*v >= target) : json(nullptr)},
                {"basis", basis}};
  };
  std::optional<double> camera_rate;
  if (in.state.cameras > 0)
    camera_rate =
        static_cast<double>(in.state.cameras_online) / static_cast<double>(in.state.cameras);
  return json::array({
      rate_row("enterprise", "企业在线率", in.dq.enterprise_online_rate,
               in.dq_prev.enterprise_online_rate, "各企业点位在线率的平均"),
      rate_row("point", "点位在线率", in.dq.totals.online_rate, in.dq_prev.totals.online_rate,
               "有数据时长 ÷ 统计时长"),
      rate_row("camera", "视频在线率", camera_rate, std::nullopt,
               "生成报告时在线的摄像头 ÷ 摄像头总数"),
  });
}

json by_level(const std::vector<storage::LevelCount>& cur_l,
              const std::vector<storage::LevelCount>& prev_l, bool alarm) {
  json a = json::array();
  for (const auto& l : cur_l) {
    std::int64_t p = 0;
    for (const auto& q : prev_l)
      if (q.level == l.level) p = q.count;
    a.push_back({{"level", l.level},
                 {"name", alarm ? alarm_name(l.level) : level_name(l.level)},
                 {"count", l.count},
                 {"previous", p}});
  }
  return a;
}

// by_city, and video_city_ranking ranked by confirmed events (dense rank), as the video
// statistics rank cities.
void cities_and_video(const ContentInputs& in, json& c) {
  json cities = json::array();
  json ranking = json::array();
  for (const auto& city : in.cur.cities) {
    json row{{"city_code", city.city_code},
             {"city_name", city.city_name},
             {"alarms", city.alarms},
             {"warnings", city.warnings},
             {"video_confirmed", city.video_confirmed},
             {"video_rejected", city.video_rejected},
             {"online_rate", nullptr}};
    for (const auto& d : in.dq.items)
      if (d.sums.city_code == city.city_code) row["online_rate"] = opt(d.online_rate);
    cities.push_back(row);
    auto reviewed = city.video_confirmed + city.video_rejected;
    ranking.push_back(
        {{"city_code", city.city_code},
         {"city_name", city.city_name},
         {"confirmed", city.video_confirmed},
         {"rejected", city.video_rejected},
         {"false_alarm_rate",
          reviewed > 0 ? json(double(city.video_rejected) / double(reviewed)) : json(nullptr)}});
  }
  std::stable_sort(ranking.begin(), ranking.end(), [](const json& a, const json& b) {
    return a["confirmed"].get<std::int64_t>() > b["confirmed"].get<std::int64_t>();
  });
  std::int64_t rank = 0, last = -1;
  for (auto& r : ranking) {
    if (r["confirmed"].get<std::int64_t>() != last) ++rank;
    last = r["confirmed"].get<std::int64_t>();
    r["rank"] = rank;
  }
  const auto& cur = in.cur;
  c["by_city"] = cities;
  c["video"] = {{"events", cur.video_events},
                {"confirmed", cur.video_confirmed},
                {"rejected", cur.video_rejected},
                {"pending", cur.video_pending},
                {"false_alarm_rate", cur.video_confirmed + cur.video_rejected > 0
                                         ? json(double(cur.video_rejected) /
                                                double(cur.video_confirmed + cur.video_rejected))
                                         : json(nullptr)}};
  c["video_city_ranking"] = ranking;
}

// top_enterprises, overdue_disposals, data_quality_bottom and data_quality.
void lists_and_quality(const ContentInputs& in, json& c) {
  json top = json::array();
  for (const auto& e : in.cur.top_enterprises)
    top.push_back({{"company_code", e.company_code},
                   {"company_name", e.company_name},
                   {"city_name", e.city_name},
                   {"alarms", e.alarms},
                   {"warnings", e.warnings},
                   {"red_orange", e.red_orange}});
  c["top_enterprises"] = top;
  json overdue = json::array();
  for (const auto& o : in.state.overdue)
    overdue.push_back({{"id", o.id},
                       {"event_no", o.event_no},
                       {"company_code", o.company_code},
                       {"company_name", o.company_name},
                       {"level", o.level},
                       {"level_name", level_name(o.level)},
                       {"status", o.status},
                       {"status_name", status_name(o.status)},
                       {"deadline", o.deadline}});
  c["overdue_disposals"] = overdue;
  json bottom = json::array();
  for (const auto& b : in.dq.bottom) bottom.push_back(dq_row(b));
  c["data_quality_bottom"] = bottom;
  const auto& t = in.dq.totals;
  c["data_quality"] = {
      {"points", t.sums.points},
      {"online_rate", opt(t.online_rate)},
      {"completeness", opt(t.completeness)},
      {"timeliness", opt(t.timeliness)},
      {"flagged", t.sums.flagged},
      {"data_faults", t.sums.out_of_range + t.sums.frozen + t.sums.offline + t.sums.device_fault},
      {"enterprises_meeting_target", in.dq.enterprises_meeting_target},
      {"enterprises", in.dq.enterprises}};
}

// Items needing attention, from the figures above (c["online_rates"] among them).
json attention(const ContentInputs& in, const json& c) {
  const auto &cur = in.cur, &prev = in.prev;
  const auto& dq = in.dq;
  json out = json::array();
  auto pct = [](double v) { return percent(json(v)); };
  std::string unknown;
  for (const auto& r : c["online_rates"]) {
    if (r["rate"].is_number() && !r["meets"].get<bool>())
      out.push_back(r["name"].get<std::string>() + " " + pct(r["rate"].get<double>()) + "，低于 " +
                    pct(in.target_online_rate) + " 的目标。");
    if (!r["rate"].is_number())
      unknown += (unknown.empty() ? "" : "、") + r["name"].get<std::string>();
  }
  // A rate nobody can state is not "nothing to report": the duty officer checks why.
  if (!unknown.empty())
    out.push_back(
        unknown +
        "本期尚无数据（统计期内没有已汇总的数据质量或摄像头），无法判断是否达标，请核实。");
  {
    // One line for the cities below the target, worst first (dq.items are ordered so).
    std::string below;
    int n = 0;
    for (const auto& d : dq.items)
      if (d.online_rate && !d.meets_target) {
        below += std::string(n++ ? "、" : "") + d.sums.city_name + " " + pct(*d.online_rate);
      }
    if (n > 0)
      out.push_back("点位在线率未达标的城市（" + std::to_string(n) + " 个）：" + below + "。");
  }
  if (in.state.red_orange_open > 0)
    out.push_back(std::to_string(in.state.red_orange_open) + " 起红色、橙色预警事件尚未办结。");
  if (in.state.overdue_open > 0)
    out.push_back(std::to_string(in.state.overdue_open) + " 起预警事件超过处置期限未办结。");
  if (cur.video_pending > 0)
    out.push_back(std::to_string(cur.video_pending) + " 条视频AI事件尚待人工审核。");
  if (prev.alarms > 0 && cur.alarms >= prev.alarms * 3 / 2 && cur.alarms - prev.alarms >= 10)
    out.push_back("工艺报警 " + std::to_string(cur.alarms) + " 次，较上期（" +
                  std::to_string(prev.alarms) + " 次）明显上升。");
  if (!dq.bottom.empty() && dq.bottom.front().online_rate && !dq.bottom.front().meets_target)
    out.push_back("数据质量最差的企业：" + dq.bottom.front().sums.company_name + "（在线率 " +
                  pct(*dq.bottom.front().online_rate) + "）。");
  if (out.empty()) out.push_back("本期无需特别关注的事项。");
  return out;
}

}  // namespace

json report_content(const ContentInputs& in) {
  json c;
  c["kind"] = in.kind;
  c["kind_name"] = in.kind == "daily" ? "日报" : "周报";
  c["scope"] = {{"code", in.scope_code}, {"name", in.scope_name}};
  c["period"] = {{"from", storage::format_day(in.from)}, {"to", storage::format_day(in.to)}};
  c["previous_period"] = {{"from", storage::format_day(in.pfrom)},
                          {"to", storage::format_day(in.pto)}};
  c["generated_at"] = report::beijing_time(in.now);
  c["target_online_rate"] = in.target_online_rate;
  c["figures"] = figures(in);
  const auto& state = in.state;
  c["registry"] = {{"enterprises", state.enterprises},
                   {"points", state.points},
                   {"cameras", state.cameras},
                   {"cameras_online", state.cameras_online},
                   {"red_orange_open", state.red_orange_open},
                   {"overdue_open", state.overdue_open}};
  c["online_rates"] = online_rates(in);
  c["alarms_by_level"] = by_level(in.cur.alarms_by_level, in.prev.alarms_by_level, true);
  c["warnings_by_level"] = by_level(in.cur.warnings_by_level, in.prev.warnings_by_level, false);
  cities_and_video(in, c);
  lists_and_quality(in, c);
  c["attention"] = attention(in, c);
  return c;
}

}  // namespace hazmon::service::report_detail
