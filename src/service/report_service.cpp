#include <hazmon/service/report_service.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <spdlog/spdlog.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/notify/message.hpp>
#include <hazmon/notify/smtp_mailer.hpp>
#include <hazmon/report/table.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/statistics_store.hpp>

namespace hazmon::service {

using core::Errc;
using core::Error;
using nlohmann::json;
using storage::BeijingDay;
using namespace std::chrono;

namespace {

int iso_weekday(BeijingDay d) {
  return static_cast<int>(((d % 7) + 7 + 3) % 7) + 1;
}  // 1970-01-01 was a Thursday

std::pair<BeijingDay, BeijingDay> period_of(const std::string& kind, BeijingDay d) {
  if (kind == "daily") return {d, d};
  BeijingDay monday = d - (iso_weekday(d) - 1);
  return {monday, monday + 6};
}

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

std::string percent(const json& v) {
  if (!v.is_number()) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v.get<double>() * 100.0);
  return buf;
}

std::string escape_html(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "—";
  return v.dump();
}

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

// Every table of a report, in the order of the HTML page: {title, header keys and names, rows}.
struct Section {
  std::string id, title;
  std::vector<std::pair<std::string, std::string>> columns;  // content key → header
  std::vector<std::string> percent_keys;
};

const std::vector<Section>& sections() {
  static const std::vector<Section> v = {
      {"figures",
       "一、总体情况",
       {{"name", "指标"}, {"value", "本期"}, {"previous", "上期"}, {"change", "变化"}},
       {}},
      {"online_rates",
       "二、在线率（目标 ≥99.5%）",
       {{"name", "类别"},
        {"rate", "在线率"},
        {"previous", "上期"},
        {"meets", "达标"},
        {"basis", "口径"}},
       {"rate", "previous"}},
      {"alarms_by_level",
       "三、报警（按级别）",
       {{"name", "级别"}, {"count", "本期"}, {"previous", "上期"}},
       {}},
      {"warnings_by_level",
       "四、预警事件（按级别）",
       {{"name", "级别"}, {"count", "本期"}, {"previous", "上期"}},
       {}},
      {"by_city",
       "五、各市报警、预警与视频AI",
       {{"city_name", "城市"},
        {"alarms", "报警"},
        {"warnings", "预警"},
        {"video_confirmed", "视频AI确认"},
        {"video_rejected", "视频AI误报"},
        {"online_rate", "点位在线率"}},
       {"online_rate"}},
      {"top_enterprises",
       "六、报警预警较多的企业",
       {{"company_name", "企业"},
        {"city_name", "城市"},
        {"alarms", "报警"},
        {"warnings", "预警"},
        {"red_orange", "红橙预警"}},
       {}},
      {"overdue_disposals",
       "七、超期未办结的预警事件",
       {{"event_no", "事件编号"},
        {"company_name", "企业"},
        {"level_name", "级别"},
        {"status_name", "状态"},
        {"deadline", "期限"}},
       {}},
      {"video_city_ranking",
       "八、视频AI 确认与误报（地市排名）",
       {{"rank", "排名"},
        {"city_name", "城市"},
        {"confirmed", "确认"},
        {"rejected", "误报"},
        {"false_alarm_rate", "误报率"}},
       {"false_alarm_rate"}},
      {"data_quality_bottom",
       "九、数据质量后进企业",
       {{"company_name", "企业"},
        {"city_name", "城市"},
        {"online_rate", "在线率"},
        {"completeness", "完整率"},
        {"timeliness", "及时率"},
        {"data_faults", "数据异常"}},
       {"online_rate", "completeness", "timeliness"}},
  };
  return v;
}

std::string cell_text(const Section& sec, const std::string& key, const json& row) {
  const json& v = row.contains(key) ? row[key] : json(nullptr);
  if (std::find(sec.percent_keys.begin(), sec.percent_keys.end(), key) != sec.percent_keys.end())
    return percent(v);
  if (key == "value" || key == "previous" || key == "change") {
    if (row.value("unit", "") == "rate") {
      if (key == "change") return row.contains("change") ? text_of(row["change"]) : "—";
      return percent(v);
    }
  }
  if (v.is_boolean()) return v.get<bool>() ? "是" : "否";
  return text_of(v);
}

bool is_process_alarm(const std::string& t) {
  return t == "HH" || t == "H" || t == "L" || t == "LL" || t == "SWITCH";
}

// The shared figures of a period from the statistics engineer's StatisticsStore (its definitions:
// alarms by start, filing-suppressed ones left out; warning events by first alarm; reviewable
// video events by start), split the way the report shows them.
storage::PeriodFigures period_figures(storage::Tx& tx, const model::Scope& scope,
                                      core::SysTime from, core::SysTime to, int top_n) {
  using storage::StatGroup;
  using storage::StatMetric;
  using storage::StatSplit;
  storage::StatisticsStore st;
  storage::StatFilter f;
  f.scope = scope;
  f.from = from;
  f.to = to;
  storage::PeriodFigures p;
  std::map<std::string, std::int64_t> by_type, by_level;
  for (const auto& g :
       st.by_group(tx, StatMetric::alarms, StatSplit::alarm_type, StatGroup::type, f))
    by_type[g.split] += g.count;
  for (const char* t : {"HH", "H", "L", "LL", "SWITCH"}) {
    p.alarms_by_level.push_back({t, by_type[t]});
    p.alarms += by_type[t];
  }
  for (const auto& [t, n] : by_type)
    if (!is_process_alarm(t)) p.data_faults += n;
  for (const auto& g : st.by_group(tx, StatMetric::warnings, StatSplit::level, StatGroup::level, f))
    by_level[g.split] += g.count;
  for (const char* l : {"red", "orange", "yellow", "blue"}) {
    p.warnings_by_level.push_back({l, by_level[l]});
    p.warnings += by_level[l];
  }
  p.warnings_closed = storage::ReportStore{}.warnings_closed(tx, scope, from, to);
  for (const auto& g :
       st.by_group(tx, StatMetric::video_events, StatSplit::review_state, StatGroup::type, f)) {
    p.video_events += g.count;
    if (g.split == "confirmed") p.video_confirmed += g.count;
    if (g.split == "rejected") p.video_rejected += g.count;
    if (g.split == "pending") p.video_pending += g.count;
  }
  // Every city of the scope, with zeros.
  std::map<std::string, storage::CityFigures> cities;
  for (const auto& c : st.cities(tx, scope, ""))
    cities[c.code] = storage::CityFigures{c.code, c.name};
  auto city_of = [&](const storage::GroupCount& g) -> storage::CityFigures* {
    if (!g.key) return nullptr;
    auto it = cities.find(*g.key);
    return it == cities.end() ? nullptr : &it->second;
  };
  for (const auto& g :
       st.by_group(tx, StatMetric::alarms, StatSplit::alarm_type, StatGroup::city, f))
    if (auto* c = city_of(g); c && is_process_alarm(g.split)) c->alarms += g.count;
  for (const auto& g : st.by_group(tx, StatMetric::warnings, StatSplit::level, StatGroup::city, f))
    if (auto* c = city_of(g)) c->warnings += g.count;
  for (const auto& g :
       st.by_group(tx, StatMetric::video_events, StatSplit::review_state, StatGroup::city, f)) {
    if (auto* c = city_of(g)) {
      if (g.split == "confirmed") c->video_confirmed += g.count;
      if (g.split == "rejected") c->video_rejected += g.count;
    }
  }
  for (auto& [code, c] : cities) p.cities.push_back(c);
  // Enterprises: most red/orange events, then alarms + warnings.
  std::map<std::string, storage::EnterpriseFigures> ents;
  auto ent_of = [&](const storage::GroupCount& g) -> storage::EnterpriseFigures& {
    auto& e = ents[g.key.value_or("")];
    e.company_code = g.key.value_or("");
    e.company_name = g.name;
    e.city_name = g.city_name.value_or("");
    return e;
  };
  for (const auto& g :
       st.by_group(tx, StatMetric::alarms, StatSplit::alarm_type, StatGroup::enterprise, f))
    if (is_process_alarm(g.split)) ent_of(g).alarms += g.count;
  for (const auto& g :
       st.by_group(tx, StatMetric::warnings, StatSplit::level, StatGroup::enterprise, f)) {
    auto& e = ent_of(g);
    e.warnings += g.count;
    if (g.split == "red" || g.split == "orange") e.red_orange += g.count;
  }
  for (auto& [code, e] : ents) p.top_enterprises.push_back(e);
  std::sort(p.top_enterprises.begin(), p.top_enterprises.end(), [](const auto& a, const auto& b) {
    if (a.red_orange != b.red_orange) return a.red_orange > b.red_orange;
    if (a.alarms + a.warnings != b.alarms + b.warnings)
      return a.alarms + a.warnings > b.alarms + b.warnings;
    return a.company_code < b.company_code;
  });
  if (static_cast<int>(p.top_enterprises.size()) > top_n)
    p.top_enterprises.resize(static_cast<std::size_t>(top_n));
  return p;
}

// The state at generation: the overview's online counts and overdue disposals, and the list of
// overdue events.
struct CurrentState {
  std::int64_t enterprises = 0, points = 0, cameras = 0, cameras_online = 0, red_orange_open = 0,
               overdue_open = 0;
  std::vector<storage::OverdueEvent> overdue;
};

CurrentState current_state(storage::Tx& tx, const model::Scope& scope, core::SysTime now,
                           int offline_after_s, int top_n) {
  auto ov =
      storage::StatisticsStore{}.overview(tx, scope, now, std::chrono::seconds(offline_after_s));
  CurrentState c;
  c.enterprises = ov.enterprises.total;
  c.points = ov.points.total;
  c.cameras = ov.cameras.total;
  c.cameras_online = ov.cameras.online;
  for (const char* l : {"red", "orange"})
    if (auto it = ov.open_warnings_by_level.find(l); it != ov.open_warnings_by_level.end())
      c.red_orange_open += it->second;
  c.overdue_open = ov.overdue_disposals;
  c.overdue = storage::ReportStore{}.overdue(tx, scope, now, top_n);
  return c;
}

}  // namespace

ReportService::ReportService(storage::Database& db, DataQualityService& dq, ReportSettings s,
                             const core::Clock& clock, notify::Mailer* mailer)
    : db_(db), dq_(dq), s_(std::move(s)), clock_(clock), mailer_(mailer) {}

std::string ReportService::province_code() const {
  auto r = db_.in_tx([](storage::Tx& tx) {
    return tx.exec_one("SELECT code FROM region WHERE level = 'province' ORDER BY code LIMIT 1");
  });
  return r.is_null() ? std::string("140000") : r["code"].get<std::string>();
}

storage::ReportRow ReportService::generate(const model::Principal& who, const json& body) {
  using model::Role;
  if (!who.is_person() || who.scope.kind == model::ScopeKind::enterprise ||
      who.role == Role::operator_)
    throw Error(Errc::forbidden, "reports are generated by province, city and county users");
  std::vector<core::FieldError> errs;
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object", {{"", "not an object"}});
  for (auto& [k, v] : body.items())
    if (k != "kind" && k != "date" && k != "replace" && k != "email")
      errs.push_back({"/" + k, "unknown field"});
  std::string kind =
      body.contains("kind") && body["kind"].is_string() ? body["kind"].get<std::string>() : "";
  if (kind != "daily" && kind != "weekly") errs.push_back({"/kind", "must be daily or weekly"});
  std::optional<BeijingDay> day;
  if (body.contains("date") && body["date"].is_string())
    day = storage::parse_day(body["date"].get<std::string>());
  if (!day)
    errs.push_back({"/date", "must be a day YYYY-MM-DD"});
  else if (*day > storage::beijing_day_of(clock_.now()))
    errs.push_back({"/date", "is in the future (Beijing time)"});
  for (const char* k : {"replace", "email"})
    if (body.contains(k) && !body[k].is_boolean())
      errs.push_back({std::string("/") + k, "must be true or false"});
  if (!errs.empty()) throw Error(Errc::validation_failed, "the report request is not valid", errs);
  std::string scope_code =
      who.scope.kind == model::ScopeKind::province ? province_code() : who.scope.region_code;
  auto row = generate_for(kind, scope_code, *day, who.id, who.name, body.value("replace", false));
  if (body.value("email", false)) {
    int n = email(row, s_.recipients);
    db_.in_tx([&](storage::Tx& tx) { storage::ReportStore{}.set_emailed(tx, row.id, n); });
    row.emailed_to = n;
  }
  return row;
}

storage::ReportRow ReportService::generate_for(const std::string& kind,
                                               const std::string& scope_code, BeijingDay day,
                                               std::optional<std::int64_t> created_by,
                                               const std::string& created_by_name, bool replace) {
  auto [from, to] = period_of(kind, day);
  const BeijingDay len = to - from + 1;
  const BeijingDay pfrom = from - len, pto = to - len;
  auto scope = storage::report_scope(scope_code);
  auto now = clock_.now();
  storage::ReportStore store;
  auto [cur, prev, state, scope_name] = db_.in_tx([&](storage::Tx& tx) {
    if (!replace && store.exists(tx, kind, scope_code, from))
      throw Error(Errc::conflict,
                  "a " + kind + " report of this period exists; ask with replace to make it again");
    return std::make_tuple(
        period_figures(tx, scope, storage::beijing_day_start(from),
                       storage::beijing_day_start(to + 1), s_.top_n),
        period_figures(tx, scope, storage::beijing_day_start(pfrom),
                       storage::beijing_day_start(pto + 1), s_.top_n),
        current_state(tx, scope, now, dq_.settings().rollup.offline_after_s, s_.top_n),
        store.region_name(tx, scope_code));
  });
  // Data quality of the period and the one before (the rollup of closed days).
  auto dq = dq_.summary(scope, from, to, s_.top_n);
  auto dq_prev = dq_.summary(scope, pfrom, pto, s_.top_n);

  json c;
  c["kind"] = kind;
  c["kind_name"] = kind == "daily" ? "日报" : "周报";
  c["scope"] = {{"code", scope_code}, {"name", scope_name}};
  c["period"] = {{"from", storage::format_day(from)}, {"to", storage::format_day(to)}};
  c["previous_period"] = {{"from", storage::format_day(pfrom)}, {"to", storage::format_day(pto)}};
  c["generated_at"] = report::beijing_time(now);
  c["target_online_rate"] = dq_.settings().target_online_rate;
  auto fig = [](const char* key, const char* name, std::int64_t v, std::int64_t p) {
    return json{{"key", key},
                {"name", name},
                {"value", v},
                {"previous", p},
                {"change", (v - p > 0 ? "+" : "") + std::to_string(v - p)}};
  };
  c["figures"] = json::array({
      fig("alarms", "工艺报警（次）", cur.alarms, prev.alarms),
      fig("data_faults", "数据异常（次）", cur.data_faults, prev.data_faults),
      fig("warnings", "预警事件（起）", cur.warnings, prev.warnings),
      fig("warnings_closed", "办结预警（起）", cur.warnings_closed, prev.warnings_closed),
      fig("video_events", "视频AI事件（条）", cur.video_events, prev.video_events),
      fig("video_confirmed", "视频AI确认（条）", cur.video_confirmed, prev.video_confirmed),
      fig("video_rejected", "视频AI误报（条）", cur.video_rejected, prev.video_rejected),
      fig("flagged", "质量标记数据（条）", dq.totals.sums.flagged, dq_prev.totals.sums.flagged),
  });
  c["registry"] = {{"enterprises", state.enterprises},
                   {"points", state.points},
                   {"cameras", state.cameras},
                   {"cameras_online", state.cameras_online},
                   {"red_orange_open", state.red_orange_open},
                   {"overdue_open", state.overdue_open}};
  const double target = dq_.settings().target_online_rate;
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
  if (state.cameras > 0)
    camera_rate = static_cast<double>(state.cameras_online) / static_cast<double>(state.cameras);
  c["online_rates"] = json::array({
      rate_row("enterprise", "企业在线率", dq.enterprise_online_rate,
               dq_prev.enterprise_online_rate, "各企业点位在线率的平均"),
      rate_row("point", "点位在线率", dq.totals.online_rate, dq_prev.totals.online_rate,
               "有数据时长 ÷ 统计时长"),
      rate_row("camera", "视频在线率", camera_rate, std::nullopt,
               "生成报告时在线的摄像头 ÷ 摄像头总数"),
  });
  auto by_level = [](const std::vector<storage::LevelCount>& cur_l,
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
  };
  c["alarms_by_level"] = by_level(cur.alarms_by_level, prev.alarms_by_level, true);
  c["warnings_by_level"] = by_level(cur.warnings_by_level, prev.warnings_by_level, false);
  json cities = json::array();
  json ranking = json::array();
  for (const auto& city : cur.cities) {
    json row{{"city_code", city.city_code},
             {"city_name", city.city_name},
             {"alarms", city.alarms},
             {"warnings", city.warnings},
             {"video_confirmed", city.video_confirmed},
             {"video_rejected", city.video_rejected},
             {"online_rate", nullptr}};
    for (const auto& d : dq.items)
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
  // Ranked by confirmed events (dense rank), as the video statistics rank cities.
  std::stable_sort(ranking.begin(), ranking.end(), [](const json& a, const json& b) {
    return a["confirmed"].get<std::int64_t>() > b["confirmed"].get<std::int64_t>();
  });
  std::int64_t rank = 0, last = -1;
  for (auto& r : ranking) {
    if (r["confirmed"].get<std::int64_t>() != last) ++rank;
    last = r["confirmed"].get<std::int64_t>();
    r["rank"] = rank;
  }
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
  json top = json::array();
  for (const auto& e : cur.top_enterprises)
    top.push_back({{"company_code", e.company_code},
                   {"company_name", e.company_name},
                   {"city_name", e.city_name},
                   {"alarms", e.alarms},
                   {"warnings", e.warnings},
                   {"red_orange", e.red_orange}});
  c["top_enterprises"] = top;
  json overdue = json::array();
  for (const auto& o : state.overdue)
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
  for (const auto& b : dq.bottom) bottom.push_back(dq_row(b));
  c["data_quality_bottom"] = bottom;
  c["data_quality"] = {{"points", dq.totals.sums.points},
                       {"online_rate", opt(dq.totals.online_rate)},
                       {"completeness", opt(dq.totals.completeness)},
                       {"timeliness", opt(dq.totals.timeliness)},
                       {"flagged", dq.totals.sums.flagged},
                       {"data_faults", dq.totals.sums.out_of_range + dq.totals.sums.frozen +
                                           dq.totals.sums.offline + dq.totals.sums.device_fault},
                       {"enterprises_meeting_target", dq.enterprises_meeting_target},
                       {"enterprises", dq.enterprises}};
  // Items needing attention, from the figures above.
  json attention = json::array();
  auto pct = [](double v) { return percent(json(v)); };
  std::string unknown;
  for (const auto& r : c["online_rates"]) {
    if (r["rate"].is_number() && !r["meets"].get<bool>())
      attention.push_back(r["name"].get<std::string>() + " " + pct(r["rate"].get<double>()) +
                          "，低于 " + pct(target) + " 的目标。");
    if (!r["rate"].is_number())
      unknown += (unknown.empty() ? "" : "、") + r["name"].get<std::string>();
  }
  // A rate nobody can state is not "nothing to report": the duty officer checks why.
  if (!unknown.empty())
    attention.push_back(
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
      attention.push_back("点位在线率未达标的城市（" + std::to_string(n) + " 个）：" + below +
                          "。");
  }
  if (state.red_orange_open > 0)
    attention.push_back(std::to_string(state.red_orange_open) + " 起红色、橙色预警事件尚未办结。");
  if (state.overdue_open > 0)
    attention.push_back(std::to_string(state.overdue_open) + " 起预警事件超过处置期限未办结。");
  if (cur.video_pending > 0)
    attention.push_back(std::to_string(cur.video_pending) + " 条视频AI事件尚待人工审核。");
  if (prev.alarms > 0 && cur.alarms >= prev.alarms * 3 / 2 && cur.alarms - prev.alarms >= 10)
    attention.push_back("工艺报警 " + std::to_string(cur.alarms) + " 次，较上期（" +
                        std::to_string(prev.alarms) + " 次）明显上升。");
  if (!dq.bottom.empty() && dq.bottom.front().online_rate && !dq.bottom.front().meets_target)
    attention.push_back("数据质量最差的企业：" + dq.bottom.front().sums.company_name + "（在线率 " +
                        pct(*dq.bottom.front().online_rate) + "）。");
  if (attention.empty()) attention.push_back("本期无需特别关注的事项。");
  c["attention"] = attention;

  storage::NewReport n;
  n.kind = kind;
  n.scope_code = scope_code;
  n.period_from = from;
  n.period_to = to;
  n.title_prefix = s_.title_prefix;
  n.content = c.dump();
  n.created_by = created_by;
  n.created_by_name = created_by_name;
  n.replace = replace;
  return db_.in_tx([&](storage::Tx& tx) { return store.create(tx, std::move(n)); });
}

json ReportService::list(const model::Principal& who, const std::string& kind, std::int64_t limit,
                         std::int64_t offset) const {
  if (!who.is_person())
    throw Error(Errc::forbidden, "reports are for people, not machine credentials");
  if (!kind.empty() && kind != "daily" && kind != "weekly")
    throw Error(Errc::bad_request, "kind must be daily or weekly");
  std::int64_t total = 0;
  auto rows = db_.in_tx([&](storage::Tx& tx) {
    return storage::ReportStore{}.list(tx, who.scope, kind, limit, offset, &total);
  });
  json items = json::array();
  for (const auto& r : rows) items.push_back(to_json(r, false));
  return {{"items", items}, {"total", total}};
}

storage::ReportRow ReportService::get(const model::Principal& who, std::int64_t id) const {
  if (!who.is_person())
    throw Error(Errc::forbidden, "reports are for people, not machine credentials");
  auto r =
      db_.in_tx([&](storage::Tx& tx) { return storage::ReportStore{}.get(tx, who.scope, id); });
  if (!r) throw Error(Errc::not_found, "no such report");
  return *r;
}

json ReportService::to_json(const storage::ReportRow& r, bool with_content) const {
  json formats = json::array({"html", "xlsx"});
  if (pdf_available()) formats.push_back("pdf");
  json j{{"id", r.id},
         {"kind", r.kind},
         {"number", r.number},
         {"title", r.title},
         {"period_from", storage::format_day(r.period_from)},
         {"period_to", storage::format_day(r.period_to)},
         {"scope_code", r.scope_code},
         {"scope_name", r.scope_name},
         {"created_at", r.created_at},
         {"created_by", r.created_by_name ? json(*r.created_by_name) : json(nullptr)},
         {"emailed_to", r.emailed_to},
         {"formats", formats}};
  if (with_content) j["content"] = json::parse(r.content);
  return j;
}

std::string ReportService::html(const storage::ReportRow& r) const {
  auto c = json::parse(r.content);
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>"
    << escape_html(r.title) << "</title>\n<style>\n"
    << "@page { size: A4; margin: 14mm 12mm; }\n"
    << "body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"WenQuanYi Micro Hei\", "
       "\"Microsoft YaHei\", sans-serif;"
       " font-size: 10.5pt; color: #111; margin: 0; }\n"
    << "h1 { font-size: 18pt; text-align: center; color: #b00; margin: 0 0 4pt; letter-spacing: "
       "1pt; }\n"
    << ".meta { text-align: center; font-size: 9.5pt; border-bottom: 2px solid #b00; "
       "padding-bottom: 4pt; margin-bottom: 8pt; }\n"
    << "h2 { font-size: 11.5pt; margin: 10pt 0 4pt; }\n"
    << "table { border-collapse: collapse; width: 100%; font-size: 9pt; page-break-inside: auto; "
       "}\n"
    << "th, td { border: 1px solid #999; padding: 2pt 4pt; text-align: center; }\n"
    << "th { background: #eee; }\n"
    << "td.l { text-align: left; }\n"
    << ".bad { color: #b00; font-weight: bold; }\n"
    << "ul { margin: 2pt 0 0 14pt; padding: 0; }\n"
    << "</style></head><body>\n";
  o << "<h1>" << escape_html(r.title) << "</h1>\n";
  o << "<div class=\"meta\">" << escape_html(c.value("scope", json::object()).value("name", ""))
    << "　统计期间：" << escape_html(c["period"]["from"].get<std::string>()) << " 至 "
    << escape_html(c["period"]["to"].get<std::string>()) << "（北京时间）　上期："
    << escape_html(c["previous_period"]["from"].get<std::string>()) << " 至 "
    << escape_html(c["previous_period"]["to"].get<std::string>()) << "　生成时间："
    << escape_html(c.value("generated_at", "")) << "</div>\n";
  for (const auto& sec : sections()) {
    o << "<section id=\"" << sec.id << "\"><h2>" << escape_html(sec.title) << "</h2>\n";
    const json& rows = c.contains(sec.id) ? c[sec.id] : json::array();
    if (!rows.is_array() || rows.empty()) {
      o << "<p>无。</p></section>\n";
      continue;
    }
    o << "<table><thead><tr>";
    for (const auto& [k, h] : sec.columns) o << "<th>" << escape_html(h) << "</th>";
    o << "</tr></thead><tbody>\n";
    for (const auto& row : rows) {
      o << "<tr>";
      for (const auto& [k, h] : sec.columns) {
        bool bad = (k == "meets" && row.contains("meets") && row["meets"].is_boolean() &&
                    !row["meets"].get<bool>()) ||
                   (k == "online_rate" && row.contains("meets_target") &&
                    !row.value("meets_target", true));
        bool left = k == "name" || k == "company_name" || k == "basis";
        o << "<td" << (left ? " class=\"l\"" : "") << ">" << (bad ? "<span class=\"bad\">" : "")
          << escape_html(cell_text(sec, k, row)) << (bad ? "</span>" : "") << "</td>";
      }
      o << "</tr>\n";
    }
    o << "</tbody></table></section>\n";
  }
  o << "<section id=\"attention\"><h2>十、需关注事项</h2><ul>\n";
  for (const auto& a : c["attention"])
    o << "<li>" << escape_html(a.get<std::string>()) << "</li>\n";
  o << "</ul></section>\n</body></html>\n";
  return o.str();
}

std::string ReportService::xlsx(const storage::ReportRow& r) const {
  auto c = json::parse(r.content);
  std::vector<report::Table> tables;
  std::vector<std::string> notes{r.title, "统计期间：" + c["period"]["from"].get<std::string>() +
                                              " 至 " + c["period"]["to"].get<std::string>() +
                                              "（北京时间）"};
  for (const auto& sec : sections()) {
    report::Table t;
    t.title = sec.title.substr(sec.title.find("、") == std::string::npos
                                   ? 0
                                   : sec.title.find("、") + std::string("、").size());
    t.notes = notes;
    for (const auto& [k, h] : sec.columns) t.columns.push_back({h});
    const json& rows = c.contains(sec.id) ? c[sec.id] : json::array();
    for (const auto& row : rows) {
      std::vector<report::Cell> cells;
      for (const auto& [k, h] : sec.columns) {
        const json& v = row.contains(k) ? row[k] : json(nullptr);
        bool pct = std::find(sec.percent_keys.begin(), sec.percent_keys.end(), k) !=
                       sec.percent_keys.end() ||
                   (row.value("unit", "") == "rate" && (k == "value" || k == "previous"));
        if (v.is_null())
          cells.push_back(report::Cell::blank());
        else if (pct && v.is_number())
          cells.push_back(report::Cell::of_percent(v.get<double>()));
        else if (v.is_number_integer())
          cells.push_back(report::Cell::of_int(v.get<long long>()));
        else if (v.is_number())
          cells.push_back(report::Cell::of_real(v.get<double>()));
        else if (v.is_boolean())
          cells.push_back(report::Cell::of_text(v.get<bool>() ? "是" : "否"));
        else
          cells.push_back(report::Cell::of_text(text_of(v)));
      }
      t.rows.push_back(std::move(cells));
    }
    tables.push_back(std::move(t));
  }
  report::Table att;
  att.title = "需关注事项";
  att.notes = notes;
  att.columns.push_back({"事项"});
  for (const auto& a : c["attention"])
    att.rows.push_back({report::Cell::of_text(a.get<std::string>())});
  tables.push_back(std::move(att));
  return report::write_xlsx(tables);
}

bool ReportService::pdf_available() const {
  return !s_.chromium.empty() && ::access(s_.chromium.c_str(), X_OK) == 0;
}

std::string ReportService::pdf(const storage::ReportRow& r) const {
  if (!pdf_available())
    throw Error(Errc::unavailable, core::Reason::pdf_unavailable,
                "PDF is unavailable: " + s_.chromium.string() + " is not installed");
  namespace fs = std::filesystem;
  auto dir = s_.work_dir / ("hazmon-report-" + core::random_token(12));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{dir};
  auto in = dir / "report.html";
  auto out = dir / "report.pdf";
  {
    std::ofstream f(in, std::ios::binary);
    f << html(r);
  }
  // --jitless: the systemd unit sets MemoryDenyWriteExecute=yes, which Chromium inherits; V8's JIT
  // then cannot make code executable and the print hangs (seen with PR_SET_MDWE). The report page
  // needs no JIT.
  std::vector<std::string> args{s_.chromium.string(),
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--no-first-run",
                                "--js-flags=--jitless",
                                "--user-data-dir=" + (dir / "profile").string(),
                                "--no-pdf-header-footer",
                                "--print-to-pdf=" + out.string(),
                                "file://" + in.string()};
  pid_t pid = ::fork();
  if (pid < 0)
    throw Error(Errc::unavailable, core::Reason::pdf_unavailable,
                "PDF is unavailable: cannot start Chromium");
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
    }
    ::setpgid(0, 0);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  auto deadline = steady_clock::now() + s_.pdf_timeout;
  int status = 0;
  for (;;) {
    auto w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      throw Error(Errc::unavailable, core::Reason::pdf_unavailable,
                  "PDF is unavailable: Chromium took longer than " +
                      std::to_string(s_.pdf_timeout.count()) + " s");
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  std::error_code ec;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::exists(out, ec) ||
      fs::file_size(out, ec) == 0)
    throw Error(Errc::unavailable, core::Reason::pdf_unavailable,
                "PDF is unavailable: Chromium failed to print the page");
  std::ifstream f(out, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

int ReportService::email(const storage::ReportRow& r, const std::vector<std::string>& to) {
  if (!mailer_ || to.empty()) return 0;
  auto c = json::parse(r.content);
  std::ostringstream body;
  body << r.title << "\n"
       << c["scope"]["name"].get<std::string>() << "　统计期间："
       << c["period"]["from"].get<std::string>() << " 至 " << c["period"]["to"].get<std::string>()
       << "（北京时间）\n\n";
  for (const auto& f : c["figures"])
    body << f["name"].get<std::string>() << "：" << text_of(f["value"]) << "（上期 "
         << text_of(f["previous"]) << "）\n";
  for (const auto& f : c["online_rates"])
    body << f["name"].get<std::string>() << "：" << percent(f["rate"]) << "\n";
  body << "\n需关注事项：\n";
  for (const auto& a : c["attention"]) body << "· " << a.get<std::string>() << "\n";
  if (!s_.dashboard_url.empty())
    body << "\n全文：" << s_.dashboard_url << "/api/v1/reports/" << r.id << ".html（需登录）\n";
  body << "\n附件：报告全文（HTML，可打印）与表格（XLSX）。\n";
  std::string stem = "report-" + r.kind + "-" + storage::format_day(r.period_from);
  int sent = 0;
  for (const auto& addr : to) {
    notify::Message m;
    m.channel = notify::Channel::email;
    m.recipient = addr;
    m.subject = r.title;
    m.body = body.str();
    m.attachments.push_back({stem + ".html", "text/html; charset=UTF-8", html(r)});
    m.attachments.push_back({stem + ".xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             xlsx(r)});
    try {
      mailer_->send(m);
      ++sent;
    } catch (const std::exception& e) {
      core::logger(core::LogModule::service)
          ->warn("report {} not mailed to {}: {}", r.id, addr, e.what());
    }
  }
  return sent;
}

int ReportService::tick() {
  std::lock_guard lock(tick_mu_);
  if (!s_.enabled) return 0;
  auto now = clock_.now();
  auto today = storage::beijing_day_of(now);
  auto minute = duration_cast<minutes>(now - storage::beijing_day_start(today)).count();
  auto province = province_code();
  int made = 0;
  auto due = [&](const std::string& kind, BeijingDay period_from) {
    bool have = db_.in_tx([&](storage::Tx& tx) {
      return storage::ReportStore{}.exists(tx, kind, province, period_from);
    });
    if (have) return;
    auto row = generate_for(kind, province, period_from, std::nullopt, "", false);
    ++made;
    int n = email(row, s_.recipients);
    if (n > 0)
      db_.in_tx([&](storage::Tx& tx) { storage::ReportStore{}.set_emailed(tx, row.id, n); });
    core::logger(core::LogModule::service)->info("report {} generated ({} e-mailed)", row.title, n);
  };
  if (minute >= s_.daily_minute) due("daily", today - 1);
  if (iso_weekday(today) == s_.weekly_weekday && minute >= s_.weekly_minute) {
    BeijingDay monday = today - (iso_weekday(today) - 1);
    due("weekly", monday - 7);
  }
  return made;
}

}  // namespace hazmon::service
