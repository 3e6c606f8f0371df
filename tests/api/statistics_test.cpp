// The overview and the statistics API over HTTPS, with their CSV and XLSX downloads: a city officer
// of another city sees none of city A's rows (overview, every statistics endpoint, every export),
// an enterprise user sees only itself, and a workbook opens and holds the JSON's figures. The rows
// are inserted in March 2025 (Beijing time), a week no other test of this binary writes to, so the
// counts are exact.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/database.hpp>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "test_server.hpp"
#include "zip_reader.hpp"

using namespace hazmon::test;
using nlohmann::json;

namespace {

// City A: 临汾 141000 (尧都区 141002), two enterprises; city B: 吕梁 141100 (离石区 141102), one.
constexpr const char* kA1 = "14100277001";
constexpr const char* kA2 = "14100277002";
constexpr const char* kB1 = "14110277001";
constexpr const char* kA1Name = "临汾统计甲化工有限公司";
constexpr const char* kA2Name = "临汾统计乙化工有限公司";
constexpr const char* kB1Name = "吕梁统计丙化工有限公司";
const std::string kWeek = "from=2025-03-01&to=2025-03-07";

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, officer_a, officer_b, ent_a1;
};

void sql(const std::string& s) { shared_db().exec(s); }
long long count(const std::string& s) {
  return shared_db().db().in_tx(
      [&](hazmon::storage::Tx& tx) { return tx.exec_one(s)["n"].get<long long>(); });
}

World* build() {
  auto w = std::make_unique<World>();
  w->srv = std::make_unique<TestServer>(shared_db());
  sql("INSERT INTO region(code, name, level, parent_code) VALUES ('141002', '尧都区', 'county', "
      "'141000'), "
      "('141102', '离石区', 'county', '141100') ON CONFLICT DO NOTHING");
  sql(std::string("INSERT INTO enterprise(company_code, name, region_code, lon, lat) VALUES ('") +
      kA1 + "', '" + kA1Name + "', '141002', 111.52, 36.08), ('" + kA2 + "', '" + kA2Name +
      "', '141002', NULL, NULL), ('" + kB1 + "', '" + kB1Name + "', '141102', NULL, NULL)");
  for (const char* co : {kA1, kA2, kB1})
    sql(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES ('") +
        co + "001', '" + co + "', '" + co + "罐区', 2)");
  // Alarms: A1 2 (HH, H), A2 1 (H), B1 1 (LL), all on 2025-03-03 Beijing; one open for each city.
  auto alarm = [](const char* co, const char* type, const char* start, bool open) {
    sql(std::string("INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, "
                    "alarm_type, is_data_fault, start_ts, "
                    "raised_ts, end_ts) VALUES (0, 'STQ', '") +
        co + "', '" + co + "001', '" + type + "', false, '" + start + "', '" + start + "', " +
        (open ? "NULL" : "'" + std::string(start) + "'::timestamptz + interval '1 minute'") + ")");
  };
  alarm(kA1, "HH", "2025-03-03T01:00:00Z", true);
  alarm(kA1, "H", "2025-03-03T02:00:00Z", false);
  alarm(kA2, "H", "2025-03-03T03:00:00Z", false);
  alarm(kB1, "LL", "2025-03-03T04:00:00Z", true);
  // Warning events: A1 red (pushed, fed back late), B1 blue (pushed, awaiting: its deadline is far
  // away).
  sql(std::string("INSERT INTO warning_event(event_no, company_code, hazard_code, level, "
                  "initial_level, category, content, status, "
                  "first_ts, last_ts, feedback_deadline_ts) VALUES ('ST-A1', '") +
      kA1 + "', '" + kA1 +
      "001', 'red', 'red', "
      "'threshold', '液位高高', 'fed_back', '2025-03-03T01:00:00Z', '2025-03-03T01:00:00Z', NULL), "
      "('ST-B1', '" +
      kB1 + "', '" + kB1 +
      "001', 'blue', 'blue', 'threshold', '液位低低', 'pushed', '2025-03-03T04:00:00Z', "
      "'2025-03-03T04:00:00Z', "
      "'2099-01-01T00:00:00Z')");
  auto rec = [](const char* no, const char* at, const char* action, const char* to,
                const char* deadline) {
    sql(std::string("INSERT INTO disposal_record(event_id, at, actor_name, actor_role, action, "
                    "from_status, to_status, "
                    "level_before, level_after, deadline_ts) SELECT id, '") +
        at + "', 'system', 'system', '" + action + "', 'pending', '" + to + "', level, level, " +
        (deadline ? "'" + std::string(deadline) + "'" : std::string("NULL")) +
        " FROM warning_event WHERE event_no = '" + no + "'");
  };
  rec("ST-A1", "2025-03-03T01:00:00Z", "push", "pushed", "2025-03-03T01:30:00Z");
  rec("ST-A1", "2025-03-03T02:00:00Z", "feedback", "fed_back", nullptr);
  rec("ST-B1", "2025-03-03T04:00:00Z", "push", "pushed", "2099-01-01T00:00:00Z");
  // Video: A1's camera one rejected event, B1's camera one pending.
  sql(std::string(
          "INSERT INTO camera(video_id, company_code, name, scene_type) VALUES ('STAC1', '") +
      kA1 + "', '临汾罐区摄像头', 'tank_farm'), ('STBC1', '" + kB1 +
      "', '吕梁大门摄像头', 'gate')");
  sql(std::string("INSERT INTO video_event(video_id, company_code, analyser, kind, episode_id, "
                  "started_at, review_state, "
                  "review_reason) VALUES ('STAC1', '") +
      kA1 +
      "', 'smoke', 'smoke', 'st-a', '2025-03-03T05:00:00Z', "
      "'rejected', '蒸汽'), ('STBC1', '" +
      kB1 + "', 'leak', 'vapour', 'st-b', '2025-03-03T05:00:00Z', 'pending', NULL)");
  w->admin = w->srv->make_user("st_admin", "province_admin");
  w->officer_a = w->srv->make_user("st_city_a", "city_officer", "141000");
  w->officer_b = w->srv->make_user("st_city_b", "city_officer", "141100");
  w->ent_a1 = w->srv->make_user("st_ent_a1", "enterprise_user", kA1);
  return w.release();
}

World& world() {
  static World* w = build();
  return *w;
}

// Every statistics request of the dashboard for the week, each with a scope-revealing body.
const std::vector<std::string> kTargets = {
    "/api/v1/statistics/trend?metric=alarms&bucket=day&" + kWeek,
    "/api/v1/statistics/trend?metric=warnings&bucket=hour&from=2025-03-03&to=2025-03-03",
    "/api/v1/statistics/trend?metric=video_events&bucket=day&" + kWeek,
    "/api/v1/statistics/alarms?group_by=enterprise&" + kWeek,
    "/api/v1/statistics/alarms?group_by=hazard_source&period=week&" + kWeek,
    "/api/v1/statistics/warnings?group_by=enterprise&" + kWeek,
    "/api/v1/statistics/warnings?group_by=level&period=month&" + kWeek,
    "/api/v1/statistics/video-events?group_by=enterprise&" + kWeek,
    "/api/v1/statistics/ranking?by=city&" + kWeek,
    "/api/v1/statistics/ranking?by=enterprise&" + kWeek,
    "/api/v1/statistics/video-review?by=camera&" + kWeek,
    "/api/v1/statistics/video-review?by=enterprise&" + kWeek,
    "/api/v1/statistics/disposal?by=enterprise&" + kWeek,
    "/api/v1/statistics/disposal?by=city&" + kWeek,
};

// Everything that would give city A away: its codes, names, camera.
const std::vector<std::string> kCityA = {kA1,      kA2,    kA1Name, kA2Name,
                                         "141000", "临汾", "STAC1", "临汾罐区摄像头"};

std::string text_of_xlsx(const std::string& bytes) {
  auto files = unzip_members(bytes);
  std::string all;
  for (const auto& [name, body] : files)
    if (name.rfind("xl/", 0) == 0) all += body;
  return all;
}

TEST(StatisticsApi, AnotherCityOfficerSeesNoneOfCityAAnywhere) {
  auto& w = world();
  auto c = w.srv->client();
  auto o = c.get("/api/v1/overview", w.officer_b);
  ASSERT_EQ(o.status, 200) << o.body;
  auto ov = o.json();
  // Other files of this binary may add enterprises in 吕梁; B1 is there, and the counts are B's.
  bool has_b1 = false;
  for (const auto& m : ov["enterprises"]) has_b1 = has_b1 || m["company_code"] == kB1;
  EXPECT_TRUE(has_b1) << o.body;
  EXPECT_EQ(ov["alarms_open"]["total"].get<long long>(),
            count("SELECT count(*) AS n FROM alarm WHERE company_code LIKE '1411%' AND end_ts IS "
                  "NULL AND NOT suppressed"));
  EXPECT_GE(ov["alarms_open"]["total"].get<long long>(), 1);  // B1's LL
  for (const auto& s : kCityA)
    EXPECT_EQ(o.body.find(s), std::string::npos) << "overview shows " << s;
  for (const auto& target : kTargets) {
    for (const char* format : {"json", "csv", "xlsx"}) {
      auto r = c.get(target + "&format=" + format, w.officer_b);
      ASSERT_EQ(r.status, 200) << target << " " << format << ": " << r.body.substr(0, 300);
      std::string text = std::string(format) == "xlsx" ? text_of_xlsx(r.body) : r.body;
      for (const auto& s : kCityA)
        EXPECT_EQ(text.find(s), std::string::npos) << target << " (" << format << ") shows " << s;
      // And B's own rows are there (the answer is not just empty).
      if (target.find("group_by=enterprise") != std::string::npos ||
          target.find("by=enterprise") != std::string::npos)
        EXPECT_NE(text.find(kB1Name), std::string::npos)
            << target << " (" << format << ") lacks B's own enterprise";
    }
  }
  // Asking for city A's codes is "not found", never a smaller answer.
  EXPECT_EQ(
      c.get(std::string("/api/v1/statistics/alarms?company_code=") + kA1 + "&" + kWeek, w.officer_b)
          .status,
      404);
  EXPECT_EQ(
      c.get("/api/v1/statistics/warnings?region_code=141000&format=xlsx&" + kWeek, w.officer_b)
          .status,
      404);
}

TEST(StatisticsApi, CityOfficerSeesItsOwnFiguresAsCountedInTheDatabase) {
  auto& w = world();
  auto c = w.srv->client();
  auto r = c.get("/api/v1/statistics/alarms?group_by=enterprise&" + kWeek, w.officer_a);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["totals"]["count"], 3);
  EXPECT_EQ(
      j["totals"]["count"].get<long long>(),
      count(
          "SELECT count(*) AS n FROM alarm WHERE company_code LIKE '1410%' AND NOT suppressed AND "
          "start_ts >= '2025-03-01 00:00:00+08' AND start_ts < '2025-03-08 00:00:00+08'"));
  ASSERT_EQ(j["rows"].size(), 2u);
  EXPECT_EQ(j["rows"][0]["key"], kA1);
  EXPECT_EQ(j["rows"][0]["name"], kA1Name);
  EXPECT_EQ(j["rows"][0]["city_name"], "临汾市");
  EXPECT_EQ(j["rows"][0]["count"], 2);
  auto o = c.get("/api/v1/overview", w.officer_a).json();
  EXPECT_EQ(static_cast<long long>(o["enterprises"].size()),
            count("SELECT count(*) AS n FROM enterprise WHERE region_code LIKE '1410%' AND "
                  "is_active AND status <> 'closed'"));
  EXPECT_EQ(o["warnings_open"]["red"].get<long long>(),
            count("SELECT count(*) AS n FROM warning_event WHERE company_code LIKE '1410%' AND "
                  "status <> 'closed' AND level = 'red'"));
  auto d = c.get("/api/v1/statistics/disposal?by=enterprise&" + kWeek, w.officer_a).json();
  ASSERT_EQ(d["rows"].size(), 1u);
  EXPECT_EQ(d["rows"][0]["fed_back_late"], 1);  // fed back at 10:00 Beijing, deadline 09:30
  EXPECT_DOUBLE_EQ(d["rows"][0]["timeliness_rate"].get<double>(), 0.0);
}

TEST(StatisticsApi, EnterpriseUserSeesOnlyItself) {
  auto& w = world();
  auto c = w.srv->client();
  auto o = c.get("/api/v1/overview", w.ent_a1).json();
  ASSERT_EQ(o["enterprises"].size(), 1u);
  EXPECT_EQ(o["enterprises"][0]["company_code"], kA1);
  EXPECT_EQ(o["enterprises"][0]["worst_level"], "red");  // ST-A1 is fed back, still open
  for (const auto& target : kTargets) {
    auto r = c.get(target + "&format=csv", w.ent_a1);
    ASSERT_EQ(r.status, 200) << target << ": " << r.body.substr(0, 300);
    for (const char* other : {kA2, kA2Name, kB1, kB1Name, "STBC1"})
      EXPECT_EQ(r.body.find(other), std::string::npos) << target << " shows " << other;
  }
  auto a = c.get("/api/v1/statistics/alarms?group_by=enterprise&" + kWeek, w.ent_a1).json();
  ASSERT_EQ(a["rows"].size(), 1u);
  EXPECT_EQ(a["rows"][0]["count"], 2);
  EXPECT_EQ(c.get(std::string("/api/v1/statistics/alarms?company_code=") + kA2, w.ent_a1).status,
            404);
}

TEST(StatisticsApi, XlsxDownloadOpensAndHoldsTheJsonFigures) {
  auto& w = world();
  auto c = w.srv->client();
  const std::string target = "/api/v1/statistics/alarms?group_by=enterprise&" + kWeek;
  auto j = c.get(target, w.officer_a).json();
  auto x = c.get(target + "&format=xlsx", w.officer_a);
  ASSERT_EQ(x.status, 200) << x.body.substr(0, 300);
  EXPECT_EQ(x.header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  auto cd = x.header("content-disposition");
  EXPECT_NE(cd.find("attachment; filename=\"statistics-alarms-enterprise-20250301-20250307.xlsx\""),
            std::string::npos)
      << cd;
  // 报警统计 percent-encoded as UTF-8.
  EXPECT_NE(cd.find("filename*=UTF-8''%E6%8A%A5%E8%AD%A6%E7%BB%9F%E8%AE%A1_"), std::string::npos)
      << cd;
  auto files = unzip_members(x.body);
  ASSERT_TRUE(files.count("xl/worksheets/sheet1.xml"));
  ASSERT_TRUE(files.count("xl/worksheets/sheet2.xml"));  // rows and periods
  const auto& strings = files["xl/sharedStrings.xml"];
  for (const char* s : {"排名", "名称", "数量", "高高报", kA1Name, kA2Name, "临汾市"})
    EXPECT_NE(strings.find(s), std::string::npos) << s;
  // The sheet has a row per JSON row (after the notes and the header), with the counts as numbers.
  const auto& sheet = files["xl/worksheets/sheet1.xml"];
  std::regex row_re("<row ");
  auto rows = std::distance(std::sregex_iterator(sheet.begin(), sheet.end(), row_re),
                            std::sregex_iterator());
  EXPECT_EQ(rows, static_cast<long>(4 + 1 + j["rows"].size())) << "4 notes, the header, the rows";
  for (const auto& r : j["rows"])
    EXPECT_NE(sheet.find("<v>" + std::to_string(r["count"].get<long long>()) + "</v>"),
              std::string::npos);
  // CSV: BOM, header, one line per JSON row.
  auto csv = c.get(target + "&format=csv", w.officer_a);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  std::size_t lines = 0;
  for (std::size_t p = 0; (p = csv.body.find("\r\n", p)) != std::string::npos; p += 2) ++lines;
  EXPECT_EQ(lines, 1 + j["rows"].size());
  EXPECT_NE(csv.body.find(std::string("1,") + kA1 + "," + kA1Name + ",临汾市,2,1,"),
            std::string::npos)
      << csv.body;
}

TEST(StatisticsApi, BadParametersAreProblems) {
  auto& w = world();
  auto c = w.srv->client();
  auto r = c.get("/api/v1/statistics/alarms?from=2025-03-07&to=2025-03-01", w.officer_a);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.json()["code"], "validation_failed");
  EXPECT_EQ(c.get("/api/v1/statistics/alarms?format=pdf", w.officer_a).status, 400);
  EXPECT_EQ(c.get("/api/v1/overview", "").status, 401);
  EXPECT_EQ(c.get("/healthz").status, 200);
}

}  // namespace
