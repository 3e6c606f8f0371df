// StatisticsService and StatisticsStore against PostgreSQL: known alarms, warning events, disposal
// records, video events, gateways, points and cameras over two cities, three enterprises and days
// on both sides of Beijing midnight. Every figure is checked against the numbers worked out by hand
// below and, for the buckets, against an independent SELECT count(*).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/statistics_result.hpp>
#include <hazmon/service/statistics_service.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::core::Errc;
using hazmon::model::Principal;
using hazmon::model::Role;
using hazmon::model::Scope;
using hazmon::service::StatisticsService;
using hazmon::service::StatQuery;
using nlohmann::json;
using namespace hazmon::test;

namespace {

// 太原 140100: A1 in 小店区 140105, A2 registered at city level; 大同 140200: B1 in 平城区 140202.
// A3 (小店区) is closed and never counted.
constexpr const char* kA1 = "14010500001";
constexpr const char* kA2 = "14010000002";
constexpr const char* kB1 = "14020200001";
constexpr const char* kA3 = "14010500003";
// "Now" for every test: 2026-12-06 12:00 Beijing time.
const char* kNow = "2026-12-06T04:00:00Z";

hazmon::core::SysTime at(const char* s) { return *hazmon::core::parse_time(s); }

class StatisticsPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    clock_ = new hazmon::core::FakeClock(at(kNow));
    svc_ = new StatisticsService(db_->db(), *clock_, {std::chrono::seconds(300)});
    load();
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete clock_;
    delete db_;
  }
  static void load();
  static long long count(const std::string& sql) {
    return db_->db().in_tx(
        [&](hazmon::storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
  }

  static TestDatabase* db_;
  static hazmon::core::FakeClock* clock_;
  static StatisticsService* svc_;
  StatisticsService& svc = *svc_;
  Principal admin = province_admin();
  Principal datong = city_officer("140200");
  Principal xiaodian = principal(Role::county_officer, Scope::region("140105"), "county");
  Principal a2_user = principal(Role::enterprise_user, Scope::enterprise(kA2), "a2");
};
TestDatabase* StatisticsPg::db_ = nullptr;
hazmon::core::FakeClock* StatisticsPg::clock_ = nullptr;
StatisticsService* StatisticsPg::svc_ = nullptr;

void StatisticsPg::load() {
  auto& d = *db_;
  d.exec(
      "INSERT INTO region(code, name, level, parent_code) VALUES ('140105', '小店区', 'county', "
      "'140100'), "
      "('140202', '平城区', 'county', '140200') ON CONFLICT DO NOTHING");
  d.exec(std::string(
             "INSERT INTO enterprise(company_code, name, region_code, lon, lat, status) VALUES ") +
         "('" + kA1 +
         "', '太原统计一化工', '140105', 112.55, 37.87, 'operating'), "
         "('" +
         kA2 +
         "', '太原统计二化工', '140100', NULL, NULL, 'operating'), "
         "('" +
         kB1 +
         "', '大同统计一化工', '140202', NULL, NULL, 'operating'), "
         "('" +
         kA3 + "', '太原统计已关闭', '140105', NULL, NULL, 'closed')");
  d.exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES ") +
         "('" + kA1 + "001', '" + kA1 + "', '一号罐区', 1), ('" + kA2 + "001', '" + kA2 +
         "', '二号罐区', 2), ('" + kB1 + "001', '" + kB1 + "', '大同罐区', 3)");
  // Gateways: g1 seen 60 s ago (interval 10 s: window 300 s) online; g2 seen 1000 s ago with a
  // 600 s interval (window 1800 s) online; g3 seen 400 s ago, no interval (window 300 s) offline;
  // g4 inactive.
  d.exec(std::string("INSERT INTO gateway(gateway_code, company_code, name, "
                     "acquisition_interval_s, last_seen_at, is_active) VALUES ") +
         "('STGW0000001', '" + kA1 +
         "', 'g1', 10, '2026-12-06T03:59:00Z', true), "
         "('STGW0000002', '" +
         kA2 +
         "', 'g2', 600, '2026-12-06T03:43:20Z', true), "
         "('STGW0000003', '" +
         kB1 +
         "', 'g3', NULL, '2026-12-06T03:53:20Z', true), "
         "('STGW0000004', '" +
         kB1 + "', 'g4', 10, '2026-12-06T03:59:59Z', false)");
  // Points: p1 fresh but with an open OFFLINE alarm; p2 fresh; p3 1500 s old inside g2's 1800 s;
  // p4 (no gateway) 200 s old inside 300 s; p5 never reported; p6 out of use (not counted).
  d.exec(std::string("INSERT INTO monitoring_point(quota_code, company_code, hazard_code, "
                     "gateway_code, name, indicator_type, value_kind, in_use) VALUES ") +
         "('STP1', '" + kA1 + "', '" + kA1 +
         "001', 'STGW0000001', 'p1', 'level', 'analog', true), "
         "('STP2', '" +
         kA1 + "', '" + kA1 +
         "001', 'STGW0000001', 'p2', 'level', 'analog', true), "
         "('STP3', '" +
         kA2 + "', '" + kA2 +
         "001', 'STGW0000002', 'p3', 'level', 'analog', true), "
         "('STP4', '" +
         kB1 + "', '" + kB1 +
         "001', NULL, 'p4', 'level', 'analog', true), "
         "('STP5', '" +
         kB1 + "', '" + kB1 +
         "001', NULL, 'p5', 'level', 'analog', true), "
         "('STP6', '" +
         kA1 + "', '" + kA1 + "001', 'STGW0000001', 'p6', 'level', 'analog', false)");
  d.exec(
      "INSERT INTO reading_latest(point_id, collect_ts, value, quality, received_ts) "
      "SELECT point_id, t::timestamptz, 1, 0, t::timestamptz FROM monitoring_point JOIN (VALUES "
      "('STP1', '2026-12-06T03:59:30Z'), ('STP2', '2026-12-06T03:59:30Z'), ('STP3', "
      "'2026-12-06T03:35:00Z'), "
      "('STP4', '2026-12-06T03:56:40Z'), ('STP6', '2026-12-06T03:59:30Z')) v(q, t) ON v.q = "
      "quota_code");
  // Alarms (UTC → Beijing day): a5 is suppressed by a filing and never counted.
  struct A {
    const char* id;
    const char* co;
    const char* type;
    const char* start;
    bool open;
    bool suppressed;
  };
  const A alarms[] = {
      {"a1", kA1, "HH", "2026-12-04T15:59:59Z", false, false},      // 12-04 23:59:59
      {"a2", kA1, "H", "2026-12-04T16:00:00Z", false, false},       // 12-05 00:00:00
      {"a3", kA2, "H", "2026-12-05T02:00:00Z", true, false},        // 12-05 10:00
      {"a4", kB1, "LL", "2026-12-05T03:00:00Z", false, false},      // 12-05 11:00
      {"a5", kA1, "HH", "2026-12-05T05:00:00Z", true, true},        // suppressed
      {"a6", kA1, "OFFLINE", "2026-12-05T06:00:00Z", true, false},  // 12-05 14:00, point p1
      {"a7", kA1, "H", "2026-11-29T16:00:00Z", false, false},       // Mon 11-30 00:00
      {"a8", kB1, "H", "2026-11-29T15:59:00Z", false, false},       // Sun 11-29 23:59
      {"a9", kA2, "HH", "2026-11-30T16:30:00Z", false, false},      // 12-01 00:30
      {"a10", kA2, "HH", "2026-11-30T15:30:00Z", false, false},     // 11-30 23:30
  };
  for (const auto& a : alarms) {
    std::string co = a.co;
    std::string point = std::string(a.id) == "a6"
                            ? "(SELECT point_id FROM monitoring_point WHERE quota_code = 'STP1')"
                            : "999";
    d.exec(
        "INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, alarm_type, "
        "is_data_fault, start_ts, raised_ts, "
        "end_ts, suppressed) VALUES (" +
        point + ", '" + a.id + "', '" + co + "', '" + co + "001', '" + a.type + "', " +
        (std::string(a.type) == "OFFLINE" ? "true" : "false") + ", '" + a.start + "', '" + a.start +
        "', " +
        (a.open ? std::string("NULL")
                : "'" + std::string(a.start) + "'::timestamptz + interval '5 minutes'") +
        ", " + (a.suppressed ? "true" : "false") + ")");
  }
  // Warning events.
  auto event = [&](int id, const std::string& co, const char* level, const char* status,
                   const char* first, bool overdue, const char* category, const char* source,
                   const char* feedback_deadline) {
    d.exec(
        "INSERT INTO warning_event(id, event_no, source, company_code, hazard_code, level, "
        "initial_level, category, content, "
        "status, first_ts, last_ts, overdue, feedback_deadline_ts) VALUES (" +
        std::to_string(id) + ", 'STW" + std::to_string(id) + "', '" + source + "', '" + co + "', " +
        (std::string(source) == "sensor" ? "'" + co + "001'" : std::string("NULL")) + ", '" +
        level + "', '" + level + "', '" + category + "', 'x', '" + status + "', '" + first +
        "', '" + first + "', " + (overdue ? "true" : "false") + ", " +
        (feedback_deadline ? "'" + std::string(feedback_deadline) + "'" : std::string("NULL")) +
        ")");
  };
  event(9001, kA1, "red", "pushed", "2026-12-05T01:00:00Z", true, "threshold", "sensor",
        "2026-12-05T02:30:00Z");
  event(9002, kA2, "yellow", "closed", "2026-12-04T01:00:00Z", false, "duration", "sensor",
        nullptr);
  event(9003, kB1, "orange", "fed_back", "2026-12-05T02:00:00Z", false, "threshold", "sensor",
        nullptr);
  event(9004, kA1, "blue", "pushed", "2026-12-05T03:00:00Z", false, "video_ai", "video_ai",
        "2026-12-06T07:00:00Z");
  event(9005, kB1, "yellow", "pending_review", "2026-12-05T04:00:00Z", false, "video_ai",
        "video_ai", nullptr);
  auto record = [&](int id, const char* when, const char* action, const char* from, const char* to,
                    const char* deadline) {
    d.exec(
        "INSERT INTO disposal_record(event_id, at, actor_name, actor_role, action, from_status, "
        "to_status, level_before, "
        "level_after, deadline_ts) VALUES (" +
        std::to_string(id) + ", '" + when + "', 'system', 'system', '" + action + "', '" + from +
        "', '" + to + "', 'red', 'red', " +
        (deadline ? "'" + std::string(deadline) + "'" : std::string("NULL")) + ")");
  };
  // 9001: pushed 01:00 (deadline 01:30), escalated at 01:30 (fresh deadline 02:30), no feedback:
  // overdue unanswered.
  record(9001, "2026-12-05T01:00:00Z", "create", "pending", "pending", nullptr);
  record(9001, "2026-12-05T01:00:00Z", "push", "pending", "pushed", "2026-12-05T01:30:00Z");
  record(9001, "2026-12-05T01:30:00Z", "escalate", "pushed", "pushed", "2026-12-05T02:30:00Z");
  // 9002: pushed (deadline 03:00), fed back at 02:00: on time.
  record(9002, "2026-12-04T01:00:00Z", "push", "pending", "pushed", "2026-12-04T03:00:00Z");
  record(9002, "2026-12-04T02:00:00Z", "feedback", "pushed", "fed_back", "2026-12-05T02:00:00Z");
  // 9003: pushed (deadline 03:00), fed back at 03:30: late.
  record(9003, "2026-12-05T02:00:00Z", "push", "pending", "pushed", "2026-12-05T03:00:00Z");
  record(9003, "2026-12-05T03:30:00Z", "feedback", "pushed", "fed_back", "2026-12-06T03:30:00Z");
  // 9004: confirmed and pushed on the 5th (deadline the 6th at 07:00), no feedback yet at 04:00:
  // awaiting.
  record(9004, "2026-12-05T03:00:00Z", "confirm", "pending_review", "pending", nullptr);
  record(9004, "2026-12-05T03:00:00Z", "push", "pending", "pushed", "2026-12-06T07:00:00Z");
  // 9005: waiting for review, never pushed.
  record(9005, "2026-12-05T04:00:00Z", "create", "pending_review", "pending_review", nullptr);
  // Cameras: c1 (A1, on the tank farm, online), c2 (B1, no hazard source, offline), c3 inactive.
  d.exec(std::string("INSERT INTO camera(video_id, company_code, hazard_code, name, scene_type, "
                     "is_active) VALUES ") +
         "('STCAM1', '" + kA1 + "', '" + kA1 +
         "001', '罐区摄像头', 'tank_farm', true), "
         "('STCAM2', '" +
         kB1 +
         "', NULL, '大门摄像头', 'gate', true), "
         "('STCAM3', '" +
         kB1 + "', NULL, '停用摄像头', 'gate', false)");
  d.exec(
      "INSERT INTO camera_status(video_id, state) VALUES ('STCAM1', 'online'), ('STCAM2', "
      "'offline'), ('STCAM3', 'online')");
  auto video = [&](const char* ep, const char* cam, const std::string& co, const char* analyser,
                   const char* state, const char* start, const char* event) {
    d.exec(
        "INSERT INTO video_event(video_id, company_code, analyser, kind, episode_id, started_at, "
        "review_state, "
        "review_reason, warning_event_id) VALUES ('" +
        std::string(cam) + "', '" + co + "', '" + analyser + "', 'k', '" + ep + "', '" + start +
        "', '" + state + "', " + (std::string(state) == "rejected" ? "'误报'" : "NULL") + ", " +
        (event ? event : "NULL") + ")");
  };
  video("v1", "STCAM1", kA1, "fire", "confirmed", "2026-12-05T03:00:00Z", "9004");
  video("v2", "STCAM1", kA1, "smoke", "rejected", "2026-12-05T03:10:00Z", nullptr);
  video("v3", "STCAM1", kA1, "leave_post", "rejected", "2026-12-04T10:00:00Z", nullptr);
  video("v4", "STCAM2", kB1, "leak", "pending", "2026-12-05T04:00:00Z", nullptr);
  video("v5", "STCAM2", kB1, "fire", "rejected", "2026-12-05T05:00:00Z", nullptr);
  video("v6", "STCAM1", kA1, "camera_health", "not_required", "2026-12-05T05:00:00Z", nullptr);
}

// The week of 2026-11-29 (Sunday) to 2026-12-05 (Saturday), Beijing dates, inclusive.
const StatQuery kWeek = {{"from", "2026-11-29"}, {"to", "2026-12-05"}};
StatQuery with(StatQuery q, const std::string& k, const std::string& v) {
  q[k] = v;
  return q;
}

const json* row_with(const json& rows, const std::string& field, const std::string& value) {
  for (const auto& r : rows)
    if (r[field].is_string() && r[field].get<std::string>() == value) return &r;
  return nullptr;
}

TEST_F(StatisticsPg, DailyTrendCountsAlarmsPerBeijingDayAcrossMidnight) {
  auto r = svc.trend(admin, with(with(kWeek, "metric", "alarms"), "bucket", "day")).body;
  EXPECT_EQ(r["filters"]["from"], "2026-11-28T16:00:00.000Z");
  EXPECT_EQ(r["filters"]["to"], "2026-12-05T16:00:00.000Z");
  EXPECT_EQ(r["filters"]["from_label"], "2026-11-29");
  EXPECT_EQ(r["filters"]["to_label"], "2026-12-05");
  const auto& b = r["buckets"];
  ASSERT_EQ(b.size(), 7u);
  // Worked out by hand from the alarms above (a5 suppressed).
  const std::vector<std::pair<std::string, long long>> expected = {
      {"2026-11-29", 1}, {"2026-11-30", 2}, {"2026-12-01", 1}, {"2026-12-02", 0},
      {"2026-12-03", 0}, {"2026-12-04", 1}, {"2026-12-05", 4}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(b[i]["label"], expected[i].first);
    EXPECT_EQ(b[i]["total"].get<long long>(), expected[i].second) << expected[i].first;
    // And against the database, counted independently by UTC+8 day.
    auto n = count("SELECT count(*) AS n FROM alarm WHERE NOT suppressed AND start_ts >= '" +
                   expected[i].first + " 00:00:00+08'::timestamptz AND start_ts < '" +
                   expected[i].first + " 00:00:00+08'::timestamptz + interval '1 day'");
    EXPECT_EQ(b[i]["total"].get<long long>(), n) << expected[i].first;
  }
  EXPECT_EQ(b[6]["counts"]["H"], 2);  // a2 at 00:00:00 Beijing belongs to the 5th, with a3
  EXPECT_EQ(b[6]["counts"]["OFFLINE"], 1);
  EXPECT_EQ(b[5]["counts"]["HH"], 1);  // a1 at 23:59:59 Beijing belongs to the 4th
  EXPECT_EQ(r["totals"]["total"], 9);
  EXPECT_EQ(r["totals"]["counts"]["HH"], 3);
  EXPECT_EQ(r["totals"]["counts"]["H"], 4);
  EXPECT_EQ(r["totals"]["counts"]["LL"], 1);
  EXPECT_EQ(r["totals"]["counts"]["OFFLINE"], 1);
  EXPECT_EQ(r["totals"]["counts"]["FROZEN"], 0);
  EXPECT_EQ(r["series"].size(), 10u);
}

TEST_F(StatisticsPg, HourlyTrendBucketsAreBeijingHours) {
  auto r = svc.trend(admin, {{"metric", "alarms"},
                             {"bucket", "hour"},
                             {"from", "2026-12-05 00:00:00"},
                             {"to", "2026-12-05 12:00:00"}})
               .body;
  const auto& b = r["buckets"];
  ASSERT_EQ(b.size(), 12u);
  EXPECT_EQ(b[0]["label"], "2026-12-05 00:00");
  EXPECT_EQ(b[0]["start"], "2026-12-04T16:00:00.000Z");
  EXPECT_EQ(b[0]["total"], 1);   // a2
  EXPECT_EQ(b[10]["total"], 1);  // a3 at 10:00
  EXPECT_EQ(b[11]["total"], 1);  // a4 at 11:00
  EXPECT_EQ(r["totals"]["total"], 3);
}

TEST_F(StatisticsPg, DefaultTrendIsTheLast24HoursByHour) {
  auto r = svc.trend(admin, {{"metric", "warnings"}}).body;
  ASSERT_EQ(r["buckets"].size(), 24u);
  // Now is 12:00 Beijing on the 6th: the current hour is the last bucket.
  EXPECT_EQ(r["buckets"][23]["label"], "2026-12-06 12:00");
  EXPECT_EQ(r["buckets"][0]["label"], "2026-12-05 13:00");
  // Warning events whose first alarm falls in that window: none (the latest is 9005 at 12:00 on the
  // 5th).
  EXPECT_EQ(
      r["totals"]["total"],
      count("SELECT count(*) AS n FROM warning_event WHERE first_ts >= '2026-12-05T05:00:00Z' "
            "AND first_ts < '2026-12-06T05:00:00Z'"));
}

TEST_F(StatisticsPg, WeeksStartOnMondayAndMonthsOnTheFirstInBeijingTime) {
  auto weeks = svc.grouped(admin, "alarms", with(kWeek, "period", "week")).body["periods"];
  ASSERT_EQ(weeks.size(), 2u);
  EXPECT_EQ(weeks[0]["period"], "2026-11-23");  // a8, Sunday 23:59 Beijing
  EXPECT_EQ(weeks[0]["count"], 1);
  EXPECT_EQ(weeks[1]["period"], "2026-11-30");  // a7 on Monday 00:00 Beijing and the rest
  EXPECT_EQ(weeks[1]["count"], 8);
  EXPECT_EQ(weeks[1]["start"], "2026-11-29T16:00:00.000Z");
  auto months = svc.grouped(admin, "alarms", with(kWeek, "period", "month")).body["periods"];
  ASSERT_EQ(months.size(), 2u);
  EXPECT_EQ(months[0]["period"], "2026-11-01");
  EXPECT_EQ(months[0]["count"], 3);  // a8, a7, a10 (11-30 23:30 Beijing)
  EXPECT_EQ(months[1]["period"], "2026-12-01");
  EXPECT_EQ(months[1]["count"], 6);  // a9 (12-01 00:30 Beijing) and the rest
}

TEST_F(StatisticsPg, AlarmsByCityEnterpriseTypeAndHazardSourceWithNames) {
  auto city = svc.grouped(admin, "alarms", kWeek).body;
  EXPECT_EQ(city["totals"]["count"], 9);
  EXPECT_EQ(city["totals"]["open"], 2);  // a3, a6
  ASSERT_EQ(city["rows"].size(), 2u);
  EXPECT_EQ(city["rows"][0]["key"], "140100");
  EXPECT_EQ(city["rows"][0]["name"], "太原市");
  EXPECT_EQ(city["rows"][0]["count"], 7);
  EXPECT_EQ(city["rows"][0]["rank"], 1);
  EXPECT_EQ(city["rows"][0]["open"], 2);
  EXPECT_TRUE(city["rows"][0]["overdue"].is_null());
  EXPECT_EQ(city["rows"][1]["key"], "140200");
  EXPECT_EQ(city["rows"][1]["name"], "大同市");
  EXPECT_EQ(city["rows"][1]["count"], 2);
  EXPECT_EQ(city["rows"][1]["breakdown"]["LL"], 1);
  EXPECT_EQ(city["rows"][1]["breakdown"]["H"], 1);
  EXPECT_EQ(city["rows"][1]["rank"], 2);
  EXPECT_EQ(
      city["rows"][0]["count"].get<long long>(),
      count("SELECT count(*) AS n FROM alarm WHERE NOT suppressed AND company_code LIKE '1401%'"));

  auto ent = svc.grouped(admin, "alarms", with(kWeek, "group_by", "enterprise")).body["rows"];
  ASSERT_EQ(ent.size(), 3u);
  EXPECT_EQ(ent[0]["key"], kA1);
  EXPECT_EQ(ent[0]["name"], "太原统计一化工");
  EXPECT_EQ(ent[0]["city_name"], "太原市");
  EXPECT_EQ(ent[0]["count"], 4);
  EXPECT_EQ(ent[1]["key"], kA2);
  EXPECT_EQ(ent[1]["count"], 3);
  EXPECT_EQ(ent[2]["key"], kB1);
  EXPECT_EQ(ent[2]["count"], 2);

  auto type = svc.grouped(admin, "alarms", with(kWeek, "group_by", "type")).body["rows"];
  auto* h = row_with(type, "key", "H");
  ASSERT_TRUE(h);
  EXPECT_EQ((*h)["count"], 4);
  EXPECT_EQ((*h)["name"], "高报");
  EXPECT_EQ((*h)["rank"], 1);
  EXPECT_EQ((*row_with(type, "key", "HH"))["count"], 3);
  EXPECT_EQ((*row_with(type, "key", "OFFLINE"))["name"], "测点离线");

  auto hz = svc.grouped(admin, "alarms", with(kWeek, "group_by", "hazard_source")).body["rows"];
  auto* a1 = row_with(hz, "key", std::string(kA1) + "001");
  ASSERT_TRUE(a1);
  EXPECT_EQ((*a1)["name"], "一号罐区");
  EXPECT_EQ((*a1)["company_name"], "太原统计一化工");
  EXPECT_EQ((*a1)["count"], 4);

  // limit cuts the rows, not the totals.
  auto one =
      svc.grouped(admin, "alarms", with(with(kWeek, "group_by", "enterprise"), "limit", "1")).body;
  EXPECT_EQ(one["rows"].size(), 1u);
  EXPECT_EQ(one["total_rows"], 3);
  EXPECT_EQ(one["totals"]["count"], 9);
}

TEST_F(StatisticsPg, ScopesSeeOnlyTheirOwnRows) {
  auto dt = svc.grouped(datong, "alarms", with(kWeek, "group_by", "enterprise")).body;
  EXPECT_EQ(dt["totals"]["count"], 2);
  ASSERT_EQ(dt["rows"].size(), 1u);
  EXPECT_EQ(dt["rows"][0]["key"], kB1);
  auto county = svc.grouped(xiaodian, "alarms", kWeek).body;
  EXPECT_EQ(county["totals"]["count"], 4);  // A1 only: A2 is registered at city level
  auto ent = svc.trend(a2_user, with(with(kWeek, "metric", "alarms"), "bucket", "day")).body;
  EXPECT_EQ(ent["totals"]["total"], 3);
  EXPECT_EQ(ent["totals"]["total"].get<long long>(),
            count(std::string(
                      "SELECT count(*) AS n FROM alarm WHERE NOT suppressed AND company_code = '") +
                  kA2 + "'"));
  // Narrowing by region or enterprise inside the scope.
  EXPECT_EQ(
      svc.grouped(admin, "alarms", with(kWeek, "region_code", "140105")).body["totals"]["count"],
      4);
  EXPECT_EQ(svc.grouped(admin, "alarms", with(kWeek, "company_code", kB1)).body["totals"]["count"],
            2);
  // Another scope's codes are not found.
  auto e1 = caught([&] { svc.grouped(datong, "alarms", with(kWeek, "company_code", kA1)); });
  ASSERT_TRUE(e1);
  EXPECT_EQ(e1->code, Errc::not_found);
  auto e2 = caught([&] { svc.grouped(datong, "alarms", with(kWeek, "region_code", "140100")); });
  ASSERT_TRUE(e2);
  EXPECT_EQ(e2->code, Errc::not_found);
  auto e3 = caught([&] { svc.grouped(a2_user, "warnings", with(kWeek, "company_code", kA1)); });
  ASSERT_TRUE(e3);
  EXPECT_EQ(e3->code, Errc::not_found);
}

TEST_F(StatisticsPg, WarningsByLevelAndCity) {
  auto lv = svc.grouped(admin, "warnings", with(kWeek, "group_by", "level")).body;
  EXPECT_EQ(lv["totals"]["count"], 5);
  EXPECT_EQ(lv["totals"]["open"], 4);
  EXPECT_EQ((*row_with(lv["rows"], "key", "yellow"))["count"], 2);
  EXPECT_EQ((*row_with(lv["rows"], "key", "yellow"))["name"], "黄色");
  EXPECT_EQ((*row_with(lv["rows"], "key", "red"))["count"], 1);
  EXPECT_EQ((*row_with(lv["rows"], "key", "red"))["overdue"], 1);
  auto city = svc.grouped(admin, "warnings", kWeek).body["rows"];
  auto* ty = row_with(city, "key", "140100");
  ASSERT_TRUE(ty);
  EXPECT_EQ((*ty)["count"], 3);
  EXPECT_EQ((*ty)["open"], 2);
  EXPECT_EQ((*ty)["overdue"], 1);
  EXPECT_EQ((*ty)["breakdown"]["red"], 1);
  EXPECT_EQ((*ty)["breakdown"]["yellow"], 1);
  EXPECT_EQ((*ty)["breakdown"]["blue"], 1);
  EXPECT_EQ((*row_with(city, "key", "140200"))["count"], 2);
  auto e = caught([&] { svc.grouped(admin, "alarms", with(kWeek, "group_by", "level")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, Errc::bad_request);
}

TEST_F(StatisticsPg, VideoEventsAndTheFalseAlarmRate) {
  auto g = svc.grouped(admin, "video-events", with(kWeek, "group_by", "hazard_source")).body;
  EXPECT_EQ(g["totals"]["count"], 5);  // v6 (camera health) is never reviewed
  EXPECT_EQ(g["totals"]["open"], 1);   // v4 pending
  auto* none = row_with(g["rows"], "name", "未关联危险源");
  ASSERT_TRUE(none);
  EXPECT_TRUE((*none)["key"].is_null());
  EXPECT_EQ((*none)["count"], 2);
  EXPECT_DOUBLE_EQ((*none)["false_alarm_rate"].get<double>(), 1.0);  // v5 rejected, v4 not reviewed

  auto r = svc.video_review(admin, kWeek).body;
  EXPECT_EQ(r["totals"]["events"], 5);
  EXPECT_EQ(r["totals"]["reviewed"], 4);
  EXPECT_EQ(r["totals"]["rejected"], 3);
  EXPECT_DOUBLE_EQ(r["totals"]["false_alarm_rate"].get<double>(), 0.75);
  ASSERT_EQ(r["rows"].size(), 2u);
  EXPECT_EQ(r["rows"][0]["code"], "140200");  // 1 of 1 rejected: tune first
  EXPECT_DOUBLE_EQ(r["rows"][0]["false_alarm_rate"].get<double>(), 1.0);
  EXPECT_EQ(r["rows"][0]["pending"], 1);
  EXPECT_EQ(r["rows"][1]["code"], "140100");
  EXPECT_EQ(r["rows"][1]["confirmed"], 1);
  EXPECT_EQ(r["rows"][1]["rejected"], 2);
  EXPECT_DOUBLE_EQ(r["rows"][1]["false_alarm_rate"].get<double>(), 0.6667);
  EXPECT_EQ(r["totals"]["rejected"].get<long long>(),
            count("SELECT count(*) AS n FROM video_event WHERE review_state = 'rejected'"));
  auto cams = svc.video_review(admin, with(kWeek, "by", "camera")).body["rows"];
  EXPECT_EQ((*row_with(cams, "code", "STCAM1"))["name"], "罐区摄像头");
  EXPECT_EQ((*row_with(cams, "code", "STCAM1"))["company_name"], "太原统计一化工");
}

TEST_F(StatisticsPg, DisposalTimelinessFromTheRecords) {
  auto r = svc.disposal(admin, kWeek).body;
  EXPECT_EQ(r["totals"]["events"], 5);
  EXPECT_EQ(r["totals"]["pushed"], 4);
  EXPECT_EQ(r["totals"]["fed_back_on_time"], 1);  // 9002
  EXPECT_EQ(r["totals"]["fed_back_late"], 1);     // 9003
  EXPECT_EQ(r["totals"]["unanswered_overdue"],
            1);  // 9001 (its escalation's later deadline does not count)
  EXPECT_EQ(r["totals"]["awaiting_feedback"], 1);  // 9004
  EXPECT_EQ(r["totals"]["overdue"], 1);
  EXPECT_DOUBLE_EQ(r["totals"]["timeliness_rate"].get<double>(), 0.3333);  // 1 of 3, four decimals
  ASSERT_EQ(r["rows"].size(), 2u);
  EXPECT_EQ(r["rows"][0]["code"], "140200");  // 0 % on time: first
  EXPECT_DOUBLE_EQ(r["rows"][0]["timeliness_rate"].get<double>(), 0.0);
  EXPECT_EQ(r["rows"][0]["events"], 2);
  EXPECT_EQ(r["rows"][1]["code"], "140100");
  EXPECT_DOUBLE_EQ(r["rows"][1]["timeliness_rate"].get<double>(), 0.5);
  auto ent = svc.disposal(datong, with(kWeek, "by", "enterprise")).body;
  ASSERT_EQ(ent["rows"].size(), 1u);
  EXPECT_EQ(ent["rows"][0]["code"], kB1);
  EXPECT_EQ(ent["rows"][0]["name"], "大同统计一化工");
}

TEST_F(StatisticsPg, RankingListsEveryCityInScope) {
  auto r = svc.ranking(admin, kWeek).body;
  EXPECT_EQ(r["total_rows"], 11);  // the eleven cities, zeros included
  EXPECT_EQ(r["rows"][0]["code"], "140100");
  EXPECT_EQ(r["rows"][0]["warnings"], 3);
  EXPECT_EQ(r["rows"][0]["alarms"], 7);
  EXPECT_EQ(r["rows"][0]["red"], 1);
  EXPECT_EQ(r["rows"][0]["overdue"], 1);
  EXPECT_EQ(r["rows"][0]["video_reviewed"], 3);
  EXPECT_EQ(r["rows"][1]["code"], "140200");
  EXPECT_EQ(r["rows"][1]["orange"], 1);
  EXPECT_EQ(r["rows"][2]["warnings"], 0);
  EXPECT_EQ(r["rows"][2]["rank"], 3);
  EXPECT_EQ(r["rows"][10]["rank"], 3);  // the nine quiet cities share a rank
  EXPECT_EQ(r["totals"]["alarms"], 9);
  EXPECT_EQ(r["totals"]["warnings"], 5);
  auto dt = svc.ranking(datong, kWeek).body;
  ASSERT_EQ(dt["rows"].size(), 1u);
  EXPECT_EQ(dt["rows"][0]["code"], "140200");
  auto ent = svc.ranking(admin, with(kWeek, "by", "enterprise")).body;
  EXPECT_EQ(ent["total_rows"], 3);
  EXPECT_EQ(ent["rows"][0]["code"], kA1);  // 2 warnings, 4 alarms
  EXPECT_EQ(ent["rows"][0]["name"], "太原统计一化工");
}

TEST_F(StatisticsPg, OverviewCountsOnlineWorkAndMarkers) {
  auto o = svc.overview(admin);
  EXPECT_EQ(o["counts"]["gateways"], json({{"online", 2}, {"total", 3}}));
  EXPECT_EQ(o["counts"]["enterprises"], json({{"online", 2}, {"total", 3}}));
  EXPECT_EQ(o["counts"]["points"], json({{"online", 3}, {"total", 5}}));
  EXPECT_EQ(o["counts"]["cameras"], json({{"online", 1}, {"total", 2}}));
  EXPECT_EQ(o["alarms_open"]["total"], 2);
  EXPECT_EQ(o["alarms_open"]["by_type"]["H"], 1);
  EXPECT_EQ(o["alarms_open"]["by_type"]["OFFLINE"], 1);
  EXPECT_EQ(o["alarms_open"]["by_type"]["HH"], 0);  // a5 is suppressed
  EXPECT_EQ(o["warnings_open"],
            json({{"total", 4}, {"red", 1}, {"orange", 1}, {"yellow", 1}, {"blue", 1}}));
  EXPECT_EQ(o["review_waiting"], json({{"total", 2}, {"video_events", 1}, {"warning_events", 1}}));
  EXPECT_EQ(o["overdue_disposals"], 1);
  ASSERT_EQ(o["enterprises"].size(), 3u);  // by code: A2, A1, B1 (A3 is closed)
  EXPECT_EQ(o["enterprises"][0]["company_code"], kA2);
  EXPECT_EQ(o["enterprises"][2]["company_code"], kB1);
  const auto& a1 = o["enterprises"][1];
  EXPECT_EQ(a1["company_code"], kA1);
  EXPECT_EQ(a1["city_name"], "太原市");
  EXPECT_EQ(a1["county_code"], "140105");
  EXPECT_EQ(a1["county_name"], "小店区");
  EXPECT_DOUBLE_EQ(a1["lon"].get<double>(), 112.55);
  EXPECT_EQ(a1["worst_level"], "red");
  EXPECT_EQ(a1["online"], true);
  EXPECT_EQ(a1["open_alarms"], 1);  // a6; a5 is suppressed
  EXPECT_EQ(a1["open_warnings"], 2);
  const auto& a2 = o["enterprises"][0];
  EXPECT_TRUE(a2["county_code"].is_null());
  EXPECT_TRUE(a2["lon"].is_null());
  EXPECT_TRUE(a2["worst_level"].is_null());
  EXPECT_EQ(o["enterprises"][2]["worst_level"], "orange");
  EXPECT_EQ(o["enterprises"][2]["online"], false);

  auto dt = svc.overview(datong);
  EXPECT_EQ(dt["counts"]["gateways"], json({{"online", 0}, {"total", 1}}));
  EXPECT_EQ(dt["counts"]["points"], json({{"online", 1}, {"total", 2}}));
  EXPECT_EQ(dt["counts"]["cameras"], json({{"online", 0}, {"total", 1}}));
  EXPECT_EQ(dt["alarms_open"]["total"], 0);
  EXPECT_EQ(dt["warnings_open"]["total"], 2);
  ASSERT_EQ(dt["enterprises"].size(), 1u);
  EXPECT_EQ(dt["enterprises"][0]["company_code"], kB1);
  auto ent = svc.overview(a2_user);
  ASSERT_EQ(ent["enterprises"].size(), 1u);
  EXPECT_EQ(ent["enterprises"][0]["company_code"], kA2);
  EXPECT_EQ(ent["counts"]["points"], json({{"online", 1}, {"total", 1}}));
}

TEST_F(StatisticsPg, BadRangesAreRefused) {
  auto code = [&](StatQuery q) {
    auto e = caught([&] { svc.grouped(admin, "alarms", q); });
    return e ? e->code : Errc::internal;
  };
  EXPECT_EQ(code({{"from", "2026-12-05"}, {"to", "2026-12-01"}}), Errc::validation_failed);
  EXPECT_EQ(code({{"from", "2026-02-30"}}), Errc::bad_request);
  EXPECT_EQ(code({{"from", "today"}}), Errc::bad_request);
  EXPECT_EQ(code({{"from", "2024-01-01"}, {"to", "2026-12-01"}}),
            Errc::validation_failed);  // > 366 days by day
  EXPECT_NO_THROW(svc.grouped(
      admin, "alarms",
      {{"period", "month"}, {"from", "2024-01-01"}, {"to", "2026-12-01"}}));  // 1,066 days
  EXPECT_EQ(code({{"group_by", "colour"}}), Errc::bad_request);
  EXPECT_EQ(code({{"region_code", "1401"}}), Errc::bad_request);
  EXPECT_EQ(code({{"region_code", "149900"}}), Errc::not_found);
  EXPECT_EQ(code({{"company_code", "14999999999"}}), Errc::not_found);
  auto hours = caught([&] {
    svc.trend(admin, {{"metric", "alarms"}, {"bucket", "hour"}, {"from", "2026-10-01"}});
  });
  ASSERT_TRUE(hours);
  EXPECT_EQ(hours->code, Errc::validation_failed);
  auto machine = caught([&] { svc.overview(principal(Role::gateway, Scope::enterprise(kA1))); });
  ASSERT_TRUE(machine);
  EXPECT_EQ(machine->code, Errc::forbidden);
}

TEST_F(StatisticsPg, ExportTablesHoldTheJsonRows) {
  auto r = svc.grouped(admin, "alarms", with(kWeek, "group_by", "enterprise"));
  ASSERT_EQ(r.tables.size(), 2u);
  ASSERT_EQ(r.tables[0].rows.size(), r.body["rows"].size());
  EXPECT_EQ(r.tables[0].columns[2].header, "名称");
  EXPECT_EQ(r.tables[0].rows[0][1].text, kA1);
  EXPECT_EQ(r.tables[0].rows[0][2].text, "太原统计一化工");
  EXPECT_EQ(r.tables[0].rows[0][4].integer, 4);
  ASSERT_EQ(r.tables[1].rows.size(), r.body["periods"].size());
  EXPECT_EQ(r.file_name, "报警统计_按企业_20261129-20261205");
  EXPECT_EQ(r.ascii_file_name, "statistics-alarms-enterprise-20261129-20261205");
}

}  // namespace

namespace {
// The points online counted once for every enterprise (after each minute's aggregation) give
// every scope the same figures as counting per request, and only while younger than the max age.
TEST_F(StatisticsPg, PointCountsCountedOnceAreTheSameForEveryScope) {
  StatisticsService once(
      db_->db(), *clock_,
      {std::chrono::seconds(300), std::chrono::milliseconds(0), std::chrono::seconds(180)});
  for (const auto* who : {&admin, &datong, &a2_user})
    EXPECT_EQ(once.overview(*who)["points_counted_at"], once.overview(*who)["generated_at"])
        << "no count yet: per request";
  once.refresh_point_counts();
  auto counted_at = svc.overview(admin)["generated_at"];
  for (const auto* who : {&admin, &datong, &a2_user}) {
    auto a = once.overview(*who), b = svc.overview(*who);
    EXPECT_EQ(a["counts"]["points"], b["counts"]["points"]) << b["counts"].dump();
    EXPECT_EQ(a["points_counted_at"], counted_at);
  }
  EXPECT_EQ(once.overview(datong)["counts"]["points"], json({{"online", 1}, {"total", 2}}));
  // A point added after the count shows up per request at once, in the counted figures at the
  // next count, and a count older than the max age is not used.
  db_->exec(
      "INSERT INTO monitoring_point(quota_code, company_code, hazard_code, name, indicator_type, "
      "value_kind) "
      "SELECT 'PCNEW1', company_code, hazard_code, '新点', 'level', 'analog' FROM monitoring_point "
      "WHERE company_code = '" +
      std::string(kB1) + "' LIMIT 1");
  EXPECT_EQ(svc.overview(datong)["counts"]["points"]["total"], 3);
  EXPECT_EQ(once.overview(datong)["counts"]["points"]["total"], 2) << "the count made before it";
  clock_->advance(std::chrono::seconds(181));
  EXPECT_EQ(once.overview(datong)["counts"]["points"]["total"], 3)
      << "a count older than 180 s is not used";
  once.refresh_point_counts();
  EXPECT_EQ(once.overview(datong)["counts"]["points"]["total"], 3);
  EXPECT_EQ(once.overview(admin)["counts"]["points"]["total"], 6);
  db_->exec("DELETE FROM monitoring_point WHERE quota_code = 'PCNEW1'");
  clock_->advance(std::chrono::seconds(-181));
}

TEST_F(StatisticsPg, OverviewTextIsReusedPerScopeForTheConfiguredTime) {
  StatisticsService cached(db_->db(), *clock_,
                           {std::chrono::seconds(300), std::chrono::milliseconds(5000)});
  auto first = cached.overview_text(datong);
  auto again = cached.overview_text(datong);
  EXPECT_EQ(first.get(), again.get()) << "the same answer within 5 s";
  auto parsed = json::parse(*first);
  EXPECT_EQ(parsed["enterprises"].size(), 1u);
  EXPECT_NE(cached.overview_text(admin).get(), first.get()) << "another scope has its own answer";
  db_->exec(
      "INSERT INTO enterprise(company_code, name, region_code) VALUES ('14020200099', "
      "'大同统计临时', '140202')");
  EXPECT_EQ(json::parse(*cached.overview_text(datong))["enterprises"].size(), 1u)
      << "still the reused answer";
  clock_->advance(std::chrono::seconds(6));
  EXPECT_EQ(json::parse(*cached.overview_text(datong))["enterprises"].size(), 2u)
      << "made again after 5 s";
  // Without reuse (the default) every call reads the database.
  EXPECT_NE(svc.overview_text(datong).get(), svc.overview_text(datong).get());
  db_->exec("DELETE FROM enterprise WHERE company_code = '14020200099'");
  clock_->advance(std::chrono::seconds(-6));
}
}  // namespace

namespace {
// The feedback deadline in force when the record trail is more than push → feedback: a reject
// after an on-time feedback does not make it late, a raise of the level shortens the deadline, an
// escalation's fresh deadline does not rescue a missed one. October 2026, apart from the other
// tests.
TEST_F(StatisticsPg, DisposalDeadlineInForceAcrossRejectRaiseAndEscalation) {
  auto& d = *db_;
  auto event = [&](int id, const std::string& co, const char* first) {
    d.exec(
        "INSERT INTO warning_event(id, event_no, company_code, hazard_code, level, initial_level, "
        "category, content, status, "
        "first_ts, last_ts) VALUES (" +
        std::to_string(id) + ", 'STW" + std::to_string(id) + "', '" + co + "', '" + co +
        "001', 'blue', 'blue', 'threshold', 'x', 'closed', '" + first + "', '" + first + "')");
  };
  auto record = [&](int id, const char* when, const char* action, const char* from, const char* to,
                    const char* deadline) {
    d.exec(
        "INSERT INTO disposal_record(event_id, at, actor_name, actor_role, action, from_status, "
        "to_status, level_before, "
        "level_after, deadline_ts) VALUES (" +
        std::to_string(id) + ", '" + when + "', 'x', 'system', '" + action + "', '" + from +
        "', '" + to + "', 'blue', 'blue', " +
        (deadline ? "'" + std::string(deadline) + "'" : std::string("NULL")) + ")");
  };
  // 9101: fed back at 01:10 before the 01:30 deadline, rejected at 01:20 (new deadline 01:50), fed
  // back again at 02:00: on time (the first feedback counts).
  event(9101, kA1, "2026-10-10T01:00:00Z");
  record(9101, "2026-10-10T01:00:00Z", "push", "pending", "pushed", "2026-10-10T01:30:00Z");
  record(9101, "2026-10-10T01:10:00Z", "feedback", "pushed", "fed_back", nullptr);
  record(9101, "2026-10-10T01:20:00Z", "reject", "fed_back", "pushed", "2026-10-10T01:50:00Z");
  record(9101, "2026-10-10T02:00:00Z", "feedback", "pushed", "fed_back", nullptr);
  // 9102: pushed blue (deadline 05:00), raised at 01:10 to red (deadline 01:40), fed back at 02:00:
  // late.
  event(9102, kA1, "2026-10-11T01:00:00Z");
  record(9102, "2026-10-11T01:00:00Z", "push", "pending", "pushed", "2026-10-11T05:00:00Z");
  record(9102, "2026-10-11T01:10:00Z", "raise_level", "pushed", "pushed", "2026-10-11T01:40:00Z");
  record(9102, "2026-10-11T02:00:00Z", "feedback", "pushed", "fed_back", nullptr);
  // 9103: deadline 01:30 missed, escalated at 01:30 (fresh deadline 02:30), fed back at 02:00:
  // late.
  event(9103, kB1, "2026-10-12T01:00:00Z");
  record(9103, "2026-10-12T01:00:00Z", "push", "pending", "pushed", "2026-10-12T01:30:00Z");
  record(9103, "2026-10-12T01:30:00Z", "escalate", "pushed", "pushed", "2026-10-12T02:30:00Z");
  record(9103, "2026-10-12T02:00:00Z", "feedback", "pushed", "fed_back", nullptr);
  auto r = svc.disposal(admin, {{"from", "2026-10-01"}, {"to", "2026-10-31"}, {"by", "enterprise"}})
               .body;
  EXPECT_EQ(r["totals"]["events"], 3);
  EXPECT_EQ(r["totals"]["pushed"], 3);
  EXPECT_EQ(r["totals"]["fed_back_on_time"], 1);
  EXPECT_EQ(r["totals"]["fed_back_late"], 2);
  EXPECT_EQ(r["totals"]["unanswered_overdue"], 0);
  auto* a1 = row_with(r["rows"], "code", kA1);
  ASSERT_TRUE(a1);
  EXPECT_EQ((*a1)["fed_back_on_time"], 1);
  EXPECT_EQ((*a1)["fed_back_late"], 1);
  EXPECT_DOUBLE_EQ((*a1)["timeliness_rate"].get<double>(), 0.5);
  EXPECT_EQ((*row_with(r["rows"], "code", kB1))["fed_back_late"], 1);
}
}  // namespace
