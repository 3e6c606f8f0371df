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

#include "report_detail.hpp"

namespace hazmon::service {

using core::Errc;
using core::Error;
using nlohmann::json;
using storage::BeijingDay;
using namespace std::chrono;

namespace report_detail {
std::string percent(const json& v) {
  if (!v.is_number()) return "—";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", v.get<double>() * 100.0);
  return buf;
}
}  // namespace report_detail

namespace {
using report_detail::percent;

int iso_weekday(BeijingDay d) {
  return static_cast<int>(((d % 7) + 7 + 3) % 7) + 1;
}  // 1970-01-01 was a Thursday

std::pair<BeijingDay, BeijingDay> period_of(const std::string& kind, BeijingDay d) {
  if (kind == "daily") return {d, d};
  BeijingDay monday = d - (iso_weekday(d) - 1);
  return {monday, monday + 6};
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
  report_detail::ContentInputs in;
  in.kind = kind;
  in.scope_code = scope_code;
  std::tie(in.from, in.to) = period_of(kind, day);
  const BeijingDay len = in.to - in.from + 1;
  in.pfrom = in.from - len;
  in.pto = in.to - len;
  in.now = clock_.now();
  in.target_online_rate = dq_.settings().target_online_rate;
  auto scope = storage::report_scope(scope_code);
  storage::ReportStore store;
  db_.in_tx([&](storage::Tx& tx) {
    if (!replace && store.exists(tx, kind, scope_code, in.from))
      throw Error(Errc::conflict,
                  "a " + kind + " report of this period exists; ask with replace to make it again");
    in.cur = report_detail::period_figures(tx, scope, storage::beijing_day_start(in.from),
                                           storage::beijing_day_start(in.to + 1), s_.top_n);
    in.prev = report_detail::period_figures(tx, scope, storage::beijing_day_start(in.pfrom),
                                            storage::beijing_day_start(in.pto + 1), s_.top_n);
    in.state = report_detail::current_state(tx, scope, in.now,
                                            dq_.settings().rollup.offline_after_s, s_.top_n);
    in.scope_name = store.region_name(tx, scope_code);
  });
  // Data quality of the period and the one before (the rollup of closed days).
  in.dq = dq_.summary(scope, in.from, in.to, s_.top_n);
  in.dq_prev = dq_.summary(scope, in.pfrom, in.pto, s_.top_n);

  storage::NewReport n;
  n.kind = kind;
  n.scope_code = scope_code;
  n.period_from = in.from;
  n.period_to = in.to;
  n.title_prefix = s_.title_prefix;
  n.content = report_detail::report_content(in).dump();
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
