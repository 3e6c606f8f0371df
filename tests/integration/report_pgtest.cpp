// The daily and weekly reports against PostgreSQL (docs/reports.md): a known day of alarms,
// warning events, video events and readings in one city; every figure of the generated report
// is checked against a count of the database taken here independently; numbering, conflicts,
// scope, the HTML sections, the XLSX workbook and the schedule with a FakeClock.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <hazmon/core/clock.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/report_service.hpp>
#include <hazmon/storage/data_quality_store.hpp>
#include <hazmon/storage/database.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"
#include "zip_reader.hpp"

using hazmon::core::Errc;
using hazmon::model::Role;
using hazmon::model::Scope;
using hazmon::storage::Tx;
using nlohmann::json;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

// 忻州 (140900): a county of its own, two enterprises.
constexpr const char* kCity = "140900";
constexpr const char* kCounty = "140998";
constexpr const char* kE1 = "14099800001";
constexpr const char* kE2 = "14099800002";
constexpr const char* kDay = "2026-11-18";  // a Wednesday
constexpr const char* kD0 = "2026-11-17 16:00:00+00";

void exec(const std::string& sql) { shared_db().exec(sql); }
std::string at_minute(int m) {
  return "'" + std::string(kD0) + "'::timestamptz + interval '" + std::to_string(m) + " minutes'";
}
std::string pid(const std::string& q) {
  return "(SELECT point_id FROM monitoring_point WHERE quota_code = '" + q + "')";
}

void alarm(const std::string& quota, const std::string& company, const std::string& type,
           bool fault, int minute) {
  exec(
      "INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, alarm_type, "
      "is_data_fault, start_ts, raised_ts, end_ts) VALUES (" +
      pid(quota) + ", '" + quota + "', '" + company + "', '" + company + "001', '" + type + "', " +
      (fault ? "true" : "false") + ", " + at_minute(minute) + ", " + at_minute(minute) + ", " +
      at_minute(minute + 5) + ")");
}

long long warning(const std::string& company, const std::string& level, const std::string& status,
                  int minute, const std::string& extra_cols = "",
                  const std::string& extra_vals = "") {
  static int serial = 0;
  ++serial;
  shared_db().exec(
      "INSERT INTO warning_event(event_no, company_code, hazard_code, level, initial_level, "
      "category, content, status, "
      "first_ts, last_ts" +
      extra_cols + ") VALUES ('RPTEST" + std::to_string(serial) + "', '" + company + "', '" +
      company + "001', '" + level + "', '" + level + "', 'threshold', '测试', '" + status + "', " +
      at_minute(minute) + ", " + at_minute(minute) + extra_vals + ")");
  return shared_db().db().in_tx([&](Tx& tx) {
    return tx
        .exec_one("SELECT id FROM warning_event WHERE event_no = $1",
                  {"RPTEST" + std::to_string(serial)})["id"]
        .get<long long>();
  });
}

void setup_world() {
  static bool done = false;
  if (done) return;
  done = true;
  exec(std::string("INSERT INTO region(code, name, level, parent_code) VALUES ('") + kCounty +
       "', '报告测试县', 'county', '" + kCity + "')");
  exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") + kE1 +
       "', '报告甲化工有限公司', '" + kCounty + "'), ('" + kE2 + "', '报告乙化工有限公司', '" +
       kCounty + "')");
  exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES ('") +
       kE1 + "001', '" + kE1 + "', '罐区', 1), ('" + kE2 + "001', '" + kE2 + "', '罐区', 3)");
  for (auto [q, c] : {std::pair{"RPA1", kE1}, std::pair{"RPA2", kE1}, std::pair{"RPB1", kE2}})
    exec(std::string("INSERT INTO monitoring_point(quota_code, company_code, hazard_code, name, "
                     "indicator_type, value_kind, created_at) VALUES ('") +
         q + "', '" + c + "', '" + c + "001', '液位', 'level', 'analog', '2026-11-01')");
  exec(std::string("INSERT INTO camera(video_id, company_code, name, scene_type, rtsp_url) VALUES "
                   "('RPCAM1', '") +
       kE1 + "', '大门', 'gate', 'rtsp://10.9.0.1/live'), ('RPCAM2', '" + kE2 +
       "', '罐区', 'tank_farm', 'rtsp://10.9.0.2/live')");
  exec(
      "INSERT INTO camera_status(video_id, state) VALUES ('RPCAM1', 'online'), ('RPCAM2', "
      "'offline')");
  // The day: E1 3 process alarms (HH, H, H) and a device fault; E2 one LL; the day before: 2 H on
  // E1.
  alarm("RPA1", kE1, "HH", false, 60);
  alarm("RPA1", kE1, "H", false, 120);
  alarm("RPA2", kE1, "H", false, 600);
  alarm("RPA2", kE1, "DEVICE_FAULT", true, 700);
  alarm("RPB1", kE2, "LL", false, 900);
  // Inside a filing window (报备): not counted.
  exec(
      "INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, alarm_type, "
      "is_data_fault, start_ts, raised_ts, end_ts, "
      "suppressed) VALUES (" +
      pid("RPA2") + ", 'RPA2', '" + kE1 + "', '" + kE1 + "001', 'HH', false, " + at_minute(800) +
      ", " + at_minute(800) + ", " + at_minute(805) + ", true)");
  alarm("RPA1", kE1, "H", false, -300);
  alarm("RPA1", kE1, "H", false, -200);
  // Warning events: E1 red (pushed, feedback deadline passed: overdue), E1 yellow closed the same
  // day, E2 blue the day before.
  long long red = warning(kE1, "red", "pushed", 61, ", feedback_deadline_ts", ", " + at_minute(91));
  warning(kE1, "yellow", "closed", 130, ", closed_ts", ", " + at_minute(400));
  warning(kE2, "blue", "pushed", -100, ", feedback_deadline_ts", ", '2099-01-01'");
  // Video: one confirmed (linked to the red event), two rejected, one pending, one camera-health.
  auto video = [&](const std::string& cam, const std::string& company, const std::string& ep,
                   const std::string& state, int minute, const std::string& analyser = "fire") {
    exec(
        "INSERT INTO video_event(video_id, company_code, analyser, kind, episode_id, started_at, "
        "review_state, review_reason, "
        "warning_event_id) VALUES ('" +
        cam + "', '" + company + "', '" + analyser + "', 'x', '" + ep + "', " + at_minute(minute) +
        ", '" + state + "', " + (state == "rejected" ? "'误报'" : "NULL") + ", " +
        (state == "confirmed" ? std::to_string(red) : "NULL") + ")");
  };
  video("RPCAM1", kE1, "e1", "confirmed", 61);
  video("RPCAM1", kE1, "e2", "rejected", 300);
  video("RPCAM2", kE2, "e3", "rejected", 310);
  video("RPCAM2", kE2, "e4", "pending", 320);
  video("RPCAM2", kE2, "e5", "not_required", 330, "camera_health");
  // Readings of RPA1: every minute of the first half of the day only.
  exec("INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) SELECT " +
       pid("RPA1") + ", '" + kD0 + "'::timestamptz + make_interval(mins => i), 1, 0, '" + kD0 +
       "'::timestamptz + make_interval(mins => i) FROM generate_series(0, 719) i");
}

long long count(const std::string& sql) {
  return shared_db().db().in_tx([&](Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
}
// Rows of the city (1409xx) in the day [d0, d0 + 1 day), counted plainly.
const std::string kInCity =
    "company_code IN (SELECT company_code FROM enterprise WHERE region_code LIKE '1409%')";
std::string in_day(const std::string& col) {
  return col + " >= '" + kD0 + "'::timestamptz AND " + col + " < '" + kD0 +
         "'::timestamptz + interval '1 day'";
}

struct ReportPg : ::testing::Test {
  static void SetUpTestSuite() { setup_world(); }
  hazmon::storage::Database& db = shared_db().db();
  hazmon::storage::BeijingDay day = *hazmon::storage::parse_day(kDay);
  // 10:00 Beijing time the day after.
  hazmon::core::FakeClock clock{hazmon::storage::beijing_day_start(day + 1) + hours(10)};
  hazmon::service::DataQualityService dq{db, {}, clock};
  hazmon::service::ReportService reports{db, dq, settings(), clock};
  static hazmon::service::ReportSettings settings() {
    hazmon::service::ReportSettings s;
    s.chromium = "/nonexistent/chromium";  // PDF printing is the API test's business
    return s;
  }
  const json* find(const json& arr, const std::string& key, const std::string& value) {
    for (const auto& r : arr)
      if (r.contains(key) && r[key] == value) return &r;
    return nullptr;
  }
};

}  // namespace

TEST_F(ReportPg, EveryFigureMatchesTheDatabase) {
  // The day's data-quality rollup, as the ticker makes it when the day closes.
  db.in_tx([&](Tx& tx) {
    hazmon::storage::DataQualityStore{}.rollup(tx, day, hazmon::storage::beijing_day_start(day + 1),
                                               dq.settings().rollup);
  });
  auto who = principal(Role::city_officer, Scope::region(kCity), "xz_officer", 0);
  auto row = reports.generate(who, {{"kind", "daily"}, {"date", kDay}, {"replace", true}});
  auto c = json::parse(row.content);
  EXPECT_EQ(c["scope"]["code"], kCity);
  EXPECT_EQ(c["period"]["from"], kDay);
  EXPECT_EQ(c["period"]["to"], kDay);
  EXPECT_EQ(c["previous_period"]["from"], "2026-11-17");
  auto fig = [&](const std::string& key) -> json {
    const json* f = find(c["figures"], "key", key);
    return f ? *f : json();
  };
  // Alarms as the statistics count them: by start, filing-suppressed ones left out.
  const std::string alarms = "SELECT count(*) AS n FROM alarm WHERE NOT suppressed AND " + kInCity;
  EXPECT_EQ(fig("alarms")["value"],
            count(alarms + " AND NOT is_data_fault AND " + in_day("start_ts")));
  EXPECT_EQ(fig("alarms")["previous"],
            count(alarms + " AND NOT is_data_fault AND start_ts >= '" + kD0 +
                  "'::timestamptz - interval '1 day' AND start_ts < '" + kD0 + "'"));
  EXPECT_EQ(fig("data_faults")["value"],
            count(alarms + " AND is_data_fault AND " + in_day("start_ts")));
  EXPECT_EQ(fig("warnings")["value"], count("SELECT count(*) AS n FROM warning_event WHERE " +
                                            kInCity + " AND " + in_day("first_ts")));
  EXPECT_EQ(fig("warnings_closed")["value"],
            count("SELECT count(*) AS n FROM warning_event WHERE " + kInCity + " AND " +
                  in_day("closed_ts")));
  const std::string video =
      "SELECT count(*) AS n FROM video_event WHERE " + kInCity + " AND " + in_day("started_at");
  EXPECT_EQ(fig("video_events")["value"], count(video + " AND review_state <> 'not_required'"));
  EXPECT_EQ(fig("video_confirmed")["value"], count(video + " AND review_state = 'confirmed'"));
  EXPECT_EQ(fig("video_rejected")["value"], count(video + " AND review_state = 'rejected'"));
  EXPECT_EQ(c["video"]["pending"], count(video + " AND review_state = 'pending'"));
  // The scenario's own numbers, so that the counts above are not all zero.
  EXPECT_EQ(fig("alarms")["value"], 4);
  EXPECT_EQ(fig("video_rejected")["value"], 2);
  for (const auto& l : c["alarms_by_level"])
    EXPECT_EQ(l["count"], count(alarms + " AND alarm_type = '" + l["level"].get<std::string>() +
                                "' AND " + in_day("start_ts")))
        << l.dump();
  for (const auto& l : c["warnings_by_level"])
    EXPECT_EQ(l["count"], count("SELECT count(*) AS n FROM warning_event WHERE level = '" +
                                l["level"].get<std::string>() + "' AND " + kInCity + " AND " +
                                in_day("first_ts")))
        << l.dump();
  // By city: the report of a city has its city's row only.
  ASSERT_EQ(c["by_city"].size(), 1u);
  EXPECT_EQ(c["by_city"][0]["city_code"], kCity);
  EXPECT_EQ(c["by_city"][0]["alarms"], fig("alarms")["value"]);
  EXPECT_EQ(c["by_city"][0]["warnings"], fig("warnings")["value"]);
  EXPECT_EQ(c["video_city_ranking"][0]["rejected"], fig("video_rejected")["value"]);
  EXPECT_DOUBLE_EQ(c["video"]["false_alarm_rate"].get<double>(),
                   double(fig("video_rejected")["value"].get<int>()) /
                       double(fig("video_rejected")["value"].get<int>() +
                              fig("video_confirmed")["value"].get<int>()));
  // Top enterprise: E1 with its red event first.
  ASSERT_FALSE(c["top_enterprises"].empty());
  EXPECT_EQ(c["top_enterprises"][0]["company_code"], kE1);
  EXPECT_EQ(c["top_enterprises"][0]["alarms"],
            count("SELECT count(*) AS n FROM alarm WHERE NOT suppressed AND NOT is_data_fault AND "
                  "company_code = '" +
                  std::string(kE1) + "' AND " + in_day("start_ts")));
  // Overdue: open events in the city past their stage's deadline at generation.
  const auto now = "'2026-11-19 02:00:00+00'::timestamptz";
  EXPECT_EQ(
      c["registry"]["overdue_open"],
      count("SELECT count(*) AS n FROM warning_event WHERE status <> 'closed' AND " + kInCity +
            " AND (overdue OR (status = 'pushed' AND feedback_deadline_ts < " + now + "))"));
  ASSERT_EQ(c["overdue_disposals"].size(), 1u);
  EXPECT_EQ(c["overdue_disposals"][0]["level"], "red");
  EXPECT_EQ(c["registry"]["enterprises"],
            count("SELECT count(*) AS n FROM enterprise WHERE is_active AND status <> 'closed' AND "
                  "region_code LIKE '1409%'"));
  EXPECT_EQ(c["registry"]["points"],
            count("SELECT count(*) AS n FROM monitoring_point WHERE is_active AND in_use AND " +
                  kInCity));
  EXPECT_EQ(c["registry"]["cameras_online"],
            count("SELECT count(*) AS n FROM camera JOIN camera_status USING (video_id) WHERE "
                  "state = 'online' AND " +
                  kInCity));
  // Online rates: the point rate is the rollup's sum for the city.
  auto dq_city = db.in_tx([&](Tx& tx) {
    return tx.exec_one(
        "SELECT sum(online_s)::float8 / sum(period_s) AS r FROM data_quality_day WHERE day = "
        "$1::date AND " +
            kInCity,
        {kDay});
  });
  const json* point_rate = find(c["online_rates"], "key", "point");
  ASSERT_NE(point_rate, nullptr);
  EXPECT_DOUBLE_EQ((*point_rate)["rate"].get<double>(), dq_city["r"].get<double>());
  EXPECT_FALSE((*point_rate)["meets"].get<bool>());  // RPA1 half a day, the others nothing
  // The enterprise rate: the enterprises' own rates averaged, each enterprise once.
  auto ent = db.in_tx([&](Tx& tx) {
    return tx.exec_one(
        "SELECT avg(r) AS r FROM (SELECT sum(online_s)::float8 / sum(period_s) AS r FROM "
        "data_quality_day "
        "WHERE day = $1::date AND " +
            kInCity + " GROUP BY company_code) x",
        {kDay});
  });
  const json* ent_rate = find(c["online_rates"], "key", "enterprise");
  ASSERT_NE(ent_rate, nullptr);
  EXPECT_NEAR((*ent_rate)["rate"].get<double>(), ent["r"].get<double>(), 1e-12);
  const json* camera_rate = find(c["online_rates"], "key", "camera");
  EXPECT_DOUBLE_EQ((*camera_rate)["rate"].get<double>(), 0.5);
  // Attention: the missed target, the overdue event, the pending review.
  std::string att = c["attention"].dump();
  EXPECT_NE(att.find("点位在线率"), std::string::npos) << att;
  EXPECT_NE(att.find("点位在线率未达标的城市（1 个）：忻州市"), std::string::npos) << att;
  EXPECT_NE(att.find("超过处置期限"), std::string::npos) << att;
  EXPECT_NE(att.find("待人工审核"), std::string::npos) << att;
  ASSERT_FALSE(c["data_quality_bottom"].empty());
}

TEST_F(ReportPg, NumberedPerKindScopeAndYearWithConflicts) {
  auto who = principal(Role::city_officer, Scope::region(kCity), "xz_officer", 0);
  auto first = reports.generate(who, {{"kind", "daily"}, {"date", "2026-11-10"}});
  auto second = reports.generate(who, {{"kind", "daily"}, {"date", "2026-11-11"}});
  EXPECT_EQ(second.number, first.number + 1);
  // A day with no data quality rolled up: its point rate is unknown, neither met nor missed, and
  // the items needing attention say so instead of "nothing to report".
  auto empty = json::parse(first.content);
  int unknown = 0;
  for (const auto& r : empty["online_rates"])
    if (r["rate"].is_null()) {
      ++unknown;
      EXPECT_TRUE(r["meets"].is_null()) << r.dump();
    }
  EXPECT_GE(unknown, 1) << empty["online_rates"].dump();
  bool said = false;
  for (const auto& a : empty["attention"])
    said = said || a.get<std::string>().find("尚无数据") != std::string::npos;
  EXPECT_TRUE(said) << empty["attention"].dump();
  EXPECT_EQ(second.title,
            "晋危化监测日报（忻州市）〔2026〕第" + std::to_string(second.number) + "期");
  EXPECT_EQ(caught([&] {
              reports.generate(who, {{"kind", "daily"}, {"date", "2026-11-10"}});
            })->code,
            Errc::conflict);
  auto again =
      reports.generate(who, {{"kind", "daily"}, {"date", "2026-11-10"}, {"replace", true}});
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.number, first.number);
  // A weekly report covers the ISO week of the date, Monday to Sunday.
  auto week = reports.generate(who, {{"kind", "weekly"}, {"date", kDay}, {"replace", true}});
  EXPECT_EQ(hazmon::storage::format_day(week.period_from), "2026-11-16");
  EXPECT_EQ(hazmon::storage::format_day(week.period_to), "2026-11-22");
  EXPECT_NE(week.title.find("周报"), std::string::npos);
  // Bad requests.
  EXPECT_EQ(caught([&] {
              reports.generate(who, {{"kind", "monthly"}, {"date", kDay}});
            })->code,
            Errc::validation_failed);
  EXPECT_EQ(caught([&] {
              reports.generate(who, {{"kind", "daily"}, {"date", "2026-11-20"}});
            })->code,
            Errc::validation_failed);
  EXPECT_EQ(caught([&] {
              reports.generate(who, {{"kind", "daily"}, {"date", "2026-02-30"}});
            })->code,
            Errc::validation_failed);
  EXPECT_EQ(caught([&] {
              reports.generate(principal(Role::enterprise_user, Scope::enterprise(kE1)),
                               {{"kind", "daily"}, {"date", kDay}});
            })->code,
            Errc::forbidden);
  // Scope: another city neither reads nor lists it; the province does.
  auto other = principal(Role::city_officer, Scope::region("140100"));
  EXPECT_EQ(caught([&] { reports.get(other, first.id); })->code, Errc::not_found);
  const auto listed = reports.list(other, "", 500, 0);  // named: list(...)["items"] would dangle
  for (const auto& r : listed.at("items")) EXPECT_NE(r["scope_code"], kCity);
  EXPECT_EQ(reports.get(principal(Role::province_officer, Scope::province()), first.id).id,
            first.id);
}

TEST_F(ReportPg, HtmlHasTheSectionsAndXlsxIsAWorkbook) {
  auto who = principal(Role::city_officer, Scope::region(kCity), "xz_officer", 0);
  auto row = reports.generate(who, {{"kind", "daily"}, {"date", kDay}, {"replace", true}});
  auto html = reports.html(row);
  for (const char* id : {"figures", "online_rates", "alarms_by_level", "warnings_by_level",
                         "by_city", "top_enterprises", "overdue_disposals", "video_city_ranking",
                         "data_quality_bottom", "attention"})
    EXPECT_NE(html.find(std::string("<section id=\"") + id + "\">"), std::string::npos) << id;
  EXPECT_NE(html.find(row.title), std::string::npos);
  EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // no external resources
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  auto xlsx = reports.xlsx(row);
  ASSERT_GT(xlsx.size(), 100u);
  EXPECT_EQ(xlsx.substr(0, 2), "PK");
  EXPECT_NE(xlsx.find("xl/worksheets/sheet10.xml"), std::string::npos);  // one sheet per section
  // The workbook opens (ZIP read back) and holds the sections and their texts.
  auto members = unzip_members(xlsx);
  ASSERT_EQ(members.count("xl/workbook.xml"), 1u);
  for (const char* sheet : {"总体情况", "各市报警、预警与视频AI", "数据质量后进企业", "需关注事项"})
    EXPECT_NE(members["xl/workbook.xml"].find(sheet), std::string::npos) << sheet;
  const auto& strings = members["xl/sharedStrings.xml"];
  EXPECT_NE(strings.find(row.title), std::string::npos);
  EXPECT_NE(strings.find("工艺报警（次）"), std::string::npos);
  EXPECT_NE(strings.find("报告甲化工有限公司"), std::string::npos);
  EXPECT_FALSE(reports.pdf_available());
  EXPECT_EQ(caught([&] { reports.pdf(row); })->code, Errc::unavailable);
}

TEST_F(ReportPg, ScheduleFiresOnceAfterTheConfiguredTime) {
  auto settings_at = [](int daily_minute) {
    hazmon::service::ReportSettings s;
    s.chromium = "/nonexistent/chromium";
    s.daily_minute = daily_minute;
    s.weekly_weekday = 1;
    s.weekly_minute = 8 * 60 + 30;
    return s;
  };
  // Monday 2026-11-23, 07:59 Beijing time: nothing due yet.
  auto monday = *hazmon::storage::parse_day("2026-11-23");
  hazmon::core::FakeClock fake(hazmon::storage::beijing_day_start(monday) + hours(7) + minutes(59));
  hazmon::service::DataQualityService dq2(db, {}, fake);
  hazmon::service::ReportService svc(db, dq2, settings_at(8 * 60), fake);
  auto daily_count = [&](const std::string& kind, const std::string& from) {
    return count("SELECT count(*) AS n FROM report WHERE kind = '" + kind +
                 "' AND scope_code = '140000' AND period_from = '" + from + "'");
  };
  EXPECT_EQ(svc.tick(), 0);
  EXPECT_EQ(daily_count("daily", "2026-11-22"), 0);
  fake.advance(minutes(2));  // 08:01: the daily report of Sunday
  EXPECT_EQ(svc.tick(), 1);
  EXPECT_EQ(daily_count("daily", "2026-11-22"), 1);
  EXPECT_EQ(svc.tick(), 0);   // once
  fake.advance(minutes(30));  // 08:31 on a Monday: the weekly report of the week before
  EXPECT_EQ(svc.tick(), 1);
  EXPECT_EQ(daily_count("weekly", "2026-11-16"), 1);
  EXPECT_EQ(svc.tick(), 0);
  auto r = db.in_tx([&](Tx& tx) {
    return tx.exec_one(
        "SELECT title, created_by_name FROM report WHERE kind = 'daily' AND scope_code = '140000' "
        "AND period_from = '2026-11-22'");
  });
  EXPECT_TRUE(r["created_by_name"].is_null());
  EXPECT_EQ(r["title"].get<std::string>().rfind("晋危化监测日报〔2026〕第", 0), 0u) << r.dump();
}

// The systemd unit runs hazmond with MemoryDenyWriteExecute=yes, which its Chromium child
// inherits; V8's JIT then cannot make code executable and the print hung until the timeout. The
// service starts Chromium with --js-flags=--jitless. Here Chromium runs behind a wrapper that
// installs what systemd installs for that setting (a seccomp filter refusing mmap of memory both
// writable and executable and mprotect adding PROT_EXEC, x86_64) before exec; the PDF must come
// back. Without --jitless the same wrapper makes the print time out.
TEST_F(ReportPg, PdfPrintsUnderMemoryDenyWriteExecute) {
  ASSERT_EQ(::access("/usr/bin/chromium", X_OK), 0)
      << "no /usr/bin/chromium: scripts/setup.sh installs it";
  auto dir = std::filesystem::temp_directory_path() / ("hazmon-mdwe-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto wrapper = dir / "chromium-mdwe";
  {
    std::ofstream f(wrapper);
    f << R"PY(#!/usr/bin/python3
import ctypes, os, struct, sys
def ins(code, jt, jf, k): return struct.pack('HBBI', code, jt, jf, k)
LD, JEQ, JSET, AND, RET = 0x20, 0x15, 0x45, 0x54, 0x06
ALLOW, EPERM = 0x7fff0000, 0x00050001
prog = b''.join([
    ins(LD, 0, 0, 4), ins(JEQ, 0, 10, 0xc000003e),            # x86_64 only
    ins(LD, 0, 0, 0), ins(JEQ, 3, 0, 9), ins(JEQ, 5, 0, 10), ins(JEQ, 4, 0, 329),
    ins(RET, 0, 0, ALLOW),
    ins(LD, 0, 0, 32), ins(AND, 0, 0, 6), ins(JEQ, 3, 2, 6),   # mmap: PROT_WRITE|PROT_EXEC
    ins(LD, 0, 0, 32), ins(JSET, 1, 0, 4),                     # mprotect, pkey_mprotect: PROT_EXEC
    ins(RET, 0, 0, ALLOW), ins(RET, 0, 0, EPERM)])
buf = ctypes.create_string_buffer(prog)
fprog = ctypes.create_string_buffer(struct.pack('HxxxxxxQ', len(prog) // 8, ctypes.addressof(buf)))
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
if libc.prctl(38, 1, 0, 0, 0) != 0: sys.exit(97)                          # PR_SET_NO_NEW_PRIVS
if libc.prctl(22, 2, ctypes.addressof(fprog), 0, 0) != 0: sys.exit(98)   # PR_SET_SECCOMP, filter
if sys.argv[1:] == ['--check']:   # the filter bites: writable and executable memory is refused
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    sys.exit(0 if libc.mmap(None, 4096, 7, 0x22, -1, 0) in (None, 2**64 - 1) else 99)
os.execv('/usr/bin/chromium', ['/usr/bin/chromium'] + sys.argv[1:])
)PY";
  }
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  // The filter installs and refuses a writable and executable mapping (a wrapper without it
  // would prove nothing).
  ASSERT_EQ(std::system((wrapper.string() + " --check").c_str()), 0)
      << "the seccomp filter did not install or bite";
  hazmon::service::ReportSettings s;
  s.chromium = wrapper;
  s.pdf_timeout = std::chrono::seconds(60);
  hazmon::service::ReportService svc(db, dq, s, clock);
  auto who = principal(Role::province_admin, Scope::province(), "mdwe_admin", 0);
  auto row = svc.generate(who, {{"kind", "daily"}, {"date", kDay}, {"replace", true}});
  auto started = std::chrono::steady_clock::now();
  auto pdf = svc.pdf(row);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  // Printed, not rescued by the timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(50));
  std::filesystem::remove_all(dir);
}
