// Data quality against PostgreSQL (docs/data-quality.md): known readings of one Beijing-time
// day — a gap, late readings, isolated flagged samples, a resend, a point that never reports, a
// point created at noon, a reading carried over from the day before — rolled up by
// storage::DataQualityStore and read through service::DataQualityService. Every figure is
// derived here from the scenario's own constants.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/clock.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/storage/data_quality_store.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/reading_store.hpp>

#include <map>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::core::Errc;
using hazmon::model::Role;
using hazmon::model::Scope;
using hazmon::storage::BeijingDay;
using hazmon::storage::DataQualityLevel;
using hazmon::storage::DataQualityQuery;
using hazmon::storage::DataQualityStore;
using hazmon::storage::DataQualitySums;
using hazmon::storage::Tx;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

// A county of 吕梁 (141100) that only this file uses.
constexpr const char* kCounty = "141199";
constexpr const char* kE1 = "14119900001";
constexpr const char* kE2 = "14119900002";
// The day: 2026-11-20 in Beijing, 2026-11-19T16:00:00Z .. 2026-11-20T16:00:00Z.
constexpr const char* kDay = "2026-11-20";
constexpr const char* kD0 = "2026-11-19 16:00:00+00";
constexpr int kDaySeconds = 86400;
constexpr int kOfflineAfter = 300;

// A1 (gateway every 60 s): a reading every minute except 12:00–12:59 (the gap); 18:00–18:59
// received 120 s late; flagged (quality 3) at 20:00, 21:00 and 22:00; 10:00 sent twice.
constexpr int kA1Interval = 60;
constexpr int kA1GapFrom = 720, kA1GapTo = 780;      // minutes of the day without readings
constexpr int kA1LateFrom = 1080, kA1LateTo = 1140;  // minutes received 120 s late
constexpr int kA1Flagged = 3;
// A2 (gateway every 300 s): from 00:02 every 5 minutes, and one reading at 23:58 the day before.
constexpr int kA2Interval = 300;
// C1 (no gateway: the default interval, 60 s): created at 12:00, a reading every minute after.
constexpr int kDefaultInterval = 60;
constexpr int kC1CreatedMinute = 720;

hazmon::storage::DataQualityRollupSettings rollup_settings() {
  hazmon::storage::DataQualityRollupSettings s;
  s.offline_after_s = kOfflineAfter;
  s.default_interval_s = kDefaultInterval;
  s.timely_within_s = 60;
  return s;
}

void exec(const std::string& sql) { shared_db().exec(sql); }

std::string point_id(const std::string& quota) {
  return "(SELECT point_id FROM monitoring_point WHERE quota_code = '" + quota + "')";
}

struct DataQualityPg : ::testing::Test {
  static void SetUpTestSuite() {
    static bool done = false;
    if (done) return;
    done = true;
    exec(std::string("INSERT INTO region(code, name, level, parent_code) VALUES ('") + kCounty +
         "', '质量测试县', 'county', '141100')");
    exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") + kE1 +
         "', '数据质量甲化工有限公司', '" + kCounty + "'), ('" + kE2 +
         "', '数据质量乙化工有限公司', '" + kCounty + "')");
    exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES ('") +
         kE1 + "001', '" + kE1 + "', '罐区', 3), ('" + kE2 + "001', '" + kE2 + "', '罐区', 3)");
    exec(std::string("INSERT INTO gateway(gateway_code, company_code, name, "
                     "acquisition_interval_s) VALUES ('DQGW0000001', '") +
         kE1 + "', '网关一', " + std::to_string(kA1Interval) + "), ('DQGW0000002', '" + kE1 +
         "', '网关二', " + std::to_string(kA2Interval) + ")");
    auto point = [](const std::string& quota, const std::string& company,
                    const std::string& gateway, const std::string& created) {
      exec(
          "INSERT INTO monitoring_point(quota_code, company_code, hazard_code, gateway_code, name, "
          "indicator_type, value_kind, "
          "created_at) VALUES ('" +
          quota + "', '" + company + "', '" + company + "001', " +
          (gateway.empty() ? "NULL" : "'" + gateway + "'") + ", '" + quota +
          "液位', 'level', 'analog', '" + created + "')");
    };
    point("DQA1", kE1, "DQGW0000001", "2026-11-01 00:00:00+00");
    point("DQA2", kE1, "DQGW0000002", "2026-11-01 00:00:00+00");
    point("DQB1", kE2, "", "2026-11-01 00:00:00+00");
    point("DQC1", kE2, "", std::string("2026-11-20 04:00:00+00"));  // 12:00 Beijing
    const std::string d0 = std::string("'") + kD0 + "'::timestamptz";
    auto minute = [&](const std::string& i) { return d0 + " + make_interval(mins => " + i + ")"; };
    // A1
    exec("INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) SELECT " +
         point_id("DQA1") + ", " + minute("i") +
         ", 5, CASE WHEN i IN (1200, 1260, 1320) THEN 3 ELSE 0 END, " + minute("i") +
         " + CASE WHEN i >= " + std::to_string(kA1LateFrom) + " AND i < " +
         std::to_string(kA1LateTo) +
         " THEN interval '120 s' ELSE interval '5 s' END FROM generate_series(0, 1439) i WHERE i "
         "< " +
         std::to_string(kA1GapFrom) + " OR i >= " + std::to_string(kA1GapTo));
    exec("INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) VALUES (" +
         point_id("DQA1") + ", " + minute("600") + ", 5, 0, " + minute("600") +
         " + interval '7 s')");  // the resend of 10:00
    exec("INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) VALUES (" +
         point_id("DQA1") + ", " + minute("1440") + " + interval '30 s', 5, 0, " + minute("1441") +
         ")");  // the next day: not this day's
    // A2
    exec("INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) SELECT " +
         point_id("DQA2") + ", " + minute("2 + 5 * k") + ", 7, 0, " + minute("2 + 5 * k") +
         " + interval '1 s' FROM generate_series(0, 287) k");
    exec("INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) VALUES (" +
         point_id("DQA2") + ", " + minute("-2") + ", 7, 0, " + minute("-2") + " + interval '1 s')");
    // B1: one reading an hour before the day, nothing on it; data-fault episodes.
    exec("INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) VALUES (" +
         point_id("DQB1") + ", " + minute("-60") + ", 1, 0, " + minute("-60") + ")");
    auto alarm = [&](const std::string& type, bool fault, const std::string& start_minute) {
      exec(
          "INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, alarm_type, "
          "is_data_fault, start_ts, raised_ts, end_ts) "
          "VALUES (" +
          point_id("DQB1") + ", 'DQB1', '" + kE2 + "', '" + kE2 + "001', '" + type + "', " +
          (fault ? "true" : "false") + ", " + minute(start_minute) + ", " + minute(start_minute) +
          ", " + minute(start_minute + " + 10") + ")");
    };
    alarm("OFFLINE", true, "60");
    alarm("DEVICE_FAULT", true, "120");
    alarm("OUT_OF_RANGE", true, "180");
    alarm("FROZEN", true, "240");
    alarm("H", false, "300");        // a process alarm: not a data fault
    alarm("OFFLINE", true, "-30");   // the day before
    alarm("OFFLINE", true, "1445");  // the day after
    // C1
    exec("INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) SELECT " +
         point_id("DQC1") + ", " + minute("i") + ", 2, 0, " + minute("i") +
         " + interval '5 s' FROM generate_series(" + std::to_string(kC1CreatedMinute) +
         ", 1439) i");
  }

  hazmon::storage::Database& db = shared_db().db();
  DataQualityStore store;
  BeijingDay day = *hazmon::storage::parse_day(kDay);

  void rollup_whole_day() {
    db.in_tx([&](Tx& tx) {
      store.rollup(tx, day, hazmon::storage::beijing_day_start(day + 1), rollup_settings());
    });
  }
  std::map<std::string, DataQualitySums> by_key(DataQualityLevel level, bool by_day = true) {
    DataQualityQuery q;
    q.scope = Scope::region(kCounty);
    q.from = q.to = day;
    q.level = level;
    q.by_day = by_day;
    auto page = db.in_tx([&](Tx& tx) { return store.query(tx, q); });
    std::map<std::string, DataQualitySums> out;
    for (auto& r : page.rows)
      out[level == DataQualityLevel::point        ? r.quota_code
          : level == DataQualityLevel::enterprise ? r.company_code
                                                  : r.city_code] = r;
    EXPECT_EQ(page.total, static_cast<std::int64_t>(out.size()));
    return out;
  }
};

// Expected figures of the scenario, from its constants.
struct Expect {
  std::int64_t period_s, online_s, expected, received, timely, flagged;
};
const Expect kA1 = {
    kDaySeconds,
    // before the gap: readings a minute apart, the last (11:59) online until offline_after;
    // after it: a minute apart up to 23:59, which is online until midnight (60 s).
    (kA1GapFrom - 1) * 60 + kOfflineAfter + (1440 - kA1GapTo - 1) * 60 + 60,
    kDaySeconds / kA1Interval,
    1440 - (kA1GapTo - kA1GapFrom),  // the resend is the same reading
    1440 - (kA1GapTo - kA1GapFrom) - (kA1LateTo - kA1LateFrom), kA1Flagged};
// A2: 23:58 the day before keeps it online from 00:00 to 00:02, then every 300 s exactly, the
// last (23:57) until midnight: the whole day.
const Expect kA2 = {kDaySeconds, kDaySeconds, kDaySeconds / kA2Interval, 288, 288, 0};
const Expect kB1 = {kDaySeconds, 0, kDaySeconds / kDefaultInterval, 0, 0, 0};
const Expect kC1 = {kDaySeconds - kC1CreatedMinute * 60,
                    kDaySeconds - kC1CreatedMinute * 60,
                    (kDaySeconds - kC1CreatedMinute * 60) / kDefaultInterval,
                    1440 - kC1CreatedMinute,
                    1440 - kC1CreatedMinute,
                    0};

void expect_point(const DataQualitySums& s, const Expect& e, const char* name) {
  SCOPED_TRACE(name);
  EXPECT_EQ(s.points, 1);
  EXPECT_EQ(s.period_s, e.period_s);
  EXPECT_EQ(s.online_s, e.online_s);
  EXPECT_EQ(s.expected, e.expected);
  EXPECT_EQ(s.received, e.received);
  EXPECT_EQ(s.received_capped, std::min(e.received, e.expected));
  EXPECT_EQ(s.timely, e.timely);
  EXPECT_EQ(s.flagged, e.flagged);
}

}  // namespace

TEST_F(DataQualityPg, PointFiguresMatchTheKnownReadings) {
  rollup_whole_day();
  auto rows = by_key(DataQualityLevel::point);
  ASSERT_EQ(rows.size(), 4u);
  expect_point(rows["DQA1"], kA1, "A1");
  expect_point(rows["DQA2"], kA2, "A2");
  expect_point(rows["DQB1"], kB1, "B1");
  expect_point(rows["DQC1"], kC1, "C1");
  // Data-fault episodes of the day only, process alarms left out.
  EXPECT_EQ(rows["DQB1"].offline, 1);
  EXPECT_EQ(rows["DQB1"].device_fault, 1);
  EXPECT_EQ(rows["DQB1"].out_of_range, 1);
  EXPECT_EQ(rows["DQB1"].frozen, 1);
  EXPECT_EQ(rows["DQA1"].offline + rows["DQA1"].device_fault, 0);
  EXPECT_EQ(rows["DQA1"].company_name, "数据质量甲化工有限公司");
  EXPECT_EQ(rows["DQA1"].point_name, "DQA1液位");
  EXPECT_EQ(rows["DQA1"].city_code, "141100");
  EXPECT_EQ(rows["DQA1"].city_name, "吕梁市");
  ASSERT_TRUE(rows["DQA1"].day.has_value());
  EXPECT_EQ(hazmon::storage::format_day(*rows["DQA1"].day), kDay);
}

TEST_F(DataQualityPg, RollupIsIdempotent) {
  rollup_whole_day();
  rollup_whole_day();
  auto n = db.in_tx([&](Tx& tx) {
    return tx
        .exec_one(
            "SELECT count(*) AS n FROM data_quality_day d JOIN monitoring_point p USING (point_id) "
            "WHERE p.quota_code LIKE 'DQ%' AND d.day = $1::date",
            {kDay})["n"]
        .get<long long>();
  });
  EXPECT_EQ(n, 4);
  expect_point(by_key(DataQualityLevel::point)["DQA1"], kA1, "A1 again");
}

TEST_F(DataQualityPg, EnterpriseAndCitySumTheirPoints) {
  rollup_whole_day();
  auto e = by_key(DataQualityLevel::enterprise);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[kE1].points, 2);
  EXPECT_EQ(e[kE1].online_s, kA1.online_s + kA2.online_s);
  EXPECT_EQ(e[kE1].period_s, kA1.period_s + kA2.period_s);
  EXPECT_EQ(e[kE1].expected, kA1.expected + kA2.expected);
  EXPECT_EQ(e[kE1].received, kA1.received + kA2.received);
  EXPECT_EQ(e[kE1].timely, kA1.timely + kA2.timely);
  EXPECT_EQ(e[kE1].flagged, kA1.flagged);
  EXPECT_EQ(e[kE2].online_s, kB1.online_s + kC1.online_s);
  EXPECT_EQ(e[kE2].expected, kB1.expected + kC1.expected);
  EXPECT_EQ(e[kE2].offline, 1);
  auto c = by_key(DataQualityLevel::city);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c["141100"].points, 4);
  EXPECT_EQ(c["141100"].online_s, kA1.online_s + kA2.online_s + kB1.online_s + kC1.online_s);
  EXPECT_EQ(c["141100"].received, kA1.received + kA2.received + kB1.received + kC1.received);
  EXPECT_EQ(c["141100"].device_fault, 1);
}

TEST_F(DataQualityPg, PartOfTheDayCountsOnlyTheTimeSoFar) {
  // Computed at 12:00 Beijing time: A1's last reading (11:59) is online only until then.
  db.in_tx([&](Tx& tx) {
    store.rollup(tx, day, hazmon::storage::beijing_day_start(day) + hours(12), rollup_settings());
  });
  auto rows = by_key(DataQualityLevel::point);
  EXPECT_EQ(rows["DQA1"].period_s, 12 * 3600);
  EXPECT_EQ(rows["DQA1"].online_s, 12 * 3600);
  EXPECT_EQ(rows["DQA1"].received, kA1GapFrom);
  EXPECT_EQ(rows["DQA1"].expected, 12 * 3600 / kA1Interval);
  EXPECT_EQ(rows.count("DQC1"), 0u);  // created at 12:00: not there yet
  rollup_whole_day();
}

TEST_F(DataQualityPg, ServiceRatesBottomListAndScope) {
  hazmon::core::FakeClock clock(hazmon::storage::beijing_day_start(day + 1) + hours(8));
  hazmon::service::DataQualitySettings s;
  s.rollup = rollup_settings();
  hazmon::service::DataQualityService svc(db, s, clock);
  EXPECT_GT(svc.refresh(), 0);  // the day closed: rolled up by the schedule
  auto until = db.in_tx([&](Tx& tx) { return store.computed_until(tx, day); });
  ASSERT_TRUE(until.has_value());
  EXPECT_EQ(*until, hazmon::storage::beijing_day_start(day + 1));

  auto city = principal(Role::city_officer, Scope::region("141100"));
  hazmon::service::DataQualityRequest req;
  req.level = "enterprise";
  req.from = req.to = kDay;
  auto r = svc.query(city, req);
  ASSERT_EQ(r.items.size(), 2u);
  // Worst first: E2 (B1 never reported) before E1.
  EXPECT_EQ(r.items[0].sums.company_code, kE2);
  const double e1_rate = double(kA1.online_s + kA2.online_s) / double(kA1.period_s + kA2.period_s);
  ASSERT_TRUE(r.items[1].online_rate.has_value());
  EXPECT_DOUBLE_EQ(*r.items[1].online_rate, e1_rate);
  EXPECT_EQ(r.items[1].meets_target, e1_rate >= 0.995);
  EXPECT_DOUBLE_EQ(*r.items[1].completeness,
                   double(kA1.received + kA2.received) / double(kA1.expected + kA2.expected));
  EXPECT_DOUBLE_EQ(*r.items[1].timeliness,
                   double(kA1.timely + kA2.timely) / double(kA1.received + kA2.received));
  ASSERT_FALSE(r.bottom.empty());
  EXPECT_EQ(r.bottom[0].sums.company_code, kE2);
  EXPECT_FALSE(r.bottom[0].sums.day.has_value());
  EXPECT_EQ(r.totals.sums.points, 4);

  // The whole county through the default period (yesterday..today): yesterday is the day.
  hazmon::service::DataQualityRequest dflt;
  dflt.level = "city";
  auto d = svc.query(principal(Role::county_officer, Scope::region(kCounty)), dflt);
  EXPECT_EQ(d.from, day);
  EXPECT_EQ(d.to, day + 1);

  // Another city sees none of it; its codes are absent.
  auto other = principal(Role::city_officer, Scope::region("140100"));
  auto o = svc.query(other, req);
  for (const auto& f : o.items) EXPECT_NE(f.sums.company_code.substr(0, 4), "1411");
  auto with_company = req;
  with_company.company_code = kE1;
  EXPECT_EQ(caught([&] { svc.query(other, with_company); })->code, Errc::not_found);
  auto with_city = req;
  with_city.city_code = "141100";
  EXPECT_EQ(caught([&] { svc.query(other, with_city); })->code, Errc::not_found);
  // An enterprise user sees its own enterprise only.
  auto own = svc.query(principal(Role::enterprise_user, Scope::enterprise(kE1)), req);
  ASSERT_EQ(own.items.size(), 1u);
  EXPECT_EQ(own.items[0].sums.company_code, kE1);

  // Bad periods and levels.
  auto bad = [&](auto change) {
    auto q = req;
    change(q);
    auto c = caught([&] { svc.query(city, q); });
    return c ? c->code : Errc::internal;
  };
  EXPECT_EQ(bad([](auto& q) { q.level = "county"; }), Errc::bad_request);
  EXPECT_EQ(bad([](auto& q) { q.from = "2026-11-31"; }), Errc::bad_request);
  EXPECT_EQ(bad([](auto& q) { q.from = "2026-11-21"; }), Errc::bad_request);  // after to
  EXPECT_EQ(bad([](auto& q) { q.to = "2026-11-22"; }), Errc::bad_request);    // the future
  EXPECT_EQ(bad([](auto& q) { q.from = "2025-01-01"; }),
            Errc::bad_request);  // longer than max_days
  EXPECT_EQ(bad([](auto& q) { q.bottom = 0; }), Errc::bad_request);
}

// The current day's rollup is incremental (DataQualityStore::rollup_incremental, migration 0015):
// each run reads only the readings collected since the last run's stable mark. Over a day of
// runs at uneven intervals — readings arriving up to the lookback late, resends (one of them
// late), sub-second collect times, a gap, sparse and silent points, a point created during the
// day, a point deactivated and reactivated between runs — every run's rows (point and
// enterprise) must equal a whole-day recomputation (rollup) at the same moment over the same
// readings, and a run must not need the readings before the stable mark.
TEST_F(DataQualityPg, IncrementalRollupEqualsAFullRecomputation) {
  const BeijingDay dayb =
      day + 1;  // 2026-11-21: the scenario's day has no readings of its own there
  const std::string dayb_text = hazmon::storage::format_day(dayb);
  const std::string d0 = "'2026-11-20 16:00:00+00'::timestamptz";
  auto settings = rollup_settings();
  settings.incremental_lookback_s = 900;
  // Readings wait in a staging table until their received time has come (value 42.5 marks them).
  exec("DROP TABLE IF EXISTS dq_inc_stage");
  exec("CREATE TABLE dq_inc_stage (LIKE reading)");
  exec(
      "INSERT INTO monitoring_point(quota_code, company_code, hazard_code, gateway_code, name, "
      "indicator_type, value_kind, "
      "created_at) VALUES ('DQN1', '" +
      std::string(kE2) + "', '" + kE2 + "001', NULL, 'DQN1液位', 'level', 'analog', " + d0 +
      " + interval '570 minutes')");  // created at 09:30
  auto stage = [&](const std::string& quota, const std::string& minutes_sql,
                   const std::string& where, const std::string& offset_sql,
                   const std::string& delay_sql, const std::string& quality_sql) {
    exec("INSERT INTO dq_inc_stage(point_id, collect_ts, value, quality, received_ts) SELECT " +
         point_id(quota) + ", c, 42.5, " + quality_sql + ", c + " + delay_sql + " FROM " +
         minutes_sql + " AS s(m), LATERAL (SELECT " + d0 + " + make_interval(mins => m) + " +
         offset_sql + " AS c) t WHERE " + where);
  };
  // A1: every minute from 23:57 the day before, a gap 03:00–03:59, flagged every 97th minute,
  // 06:40–07:39 received 120 s late, 11:40–11:44 600 s late, every 7th minute half a second in.
  stage("DQA1", "generate_series(-3, 1439)", "NOT (m BETWEEN 180 AND 239)",
        "CASE WHEN m % 7 = 0 THEN interval '0.5 s' ELSE interval '0' END",
        "CASE WHEN m BETWEEN 400 AND 459 THEN interval '120 s' WHEN m BETWEEN 700 AND 704 THEN "
        "interval '600 s' ELSE interval '5 s' END",
        "CASE WHEN m % 97 = 0 THEN 2 ELSE 0 END");
  // Resends of 05:00 (30 s after) and 05:01 (800 s after: late, yet within the lookback).
  stage("DQA1", "(VALUES (300), (301))", "true",
        "CASE WHEN m % 7 = 0 THEN interval '0.5 s' ELSE interval '0' END",
        "CASE WHEN m = 300 THEN interval '30 s' ELSE interval '800 s' END", "0");
  // A2 (300 s gateway): every 5 minutes from 00:02.
  stage("DQA2", "generate_series(2, 1439, 5)", "true", "interval '0'", "interval '1 s'", "0");
  // B1: sparse, one reading the evening before.
  stage("DQB1", "(VALUES (-2), (60), (61), (62), (300), (301), (900), (1200))", "true",
        "interval '0'", "interval '2 s'", "1");
  // N1: every minute after its creation. C1 sends nothing.
  stage("DQN1", "generate_series(571, 1439)", "true", "interval '0'", "interval '3 s'", "0");

  struct Rows {
    std::map<std::string, std::string> point, company;
  };
  auto snapshot = [&](Tx& tx) {
    Rows r;
    for (const auto& row :
         tx.exec("SELECT mp.quota_code, d.company_code, d.period_s, d.online_s, d.expected, "
                 "d.received, d.timely,"
                 " d.flagged, d.computed_until::text AS cu FROM data_quality_day d JOIN "
                 "monitoring_point mp USING"
                 " (point_id) WHERE d.day = $1::date AND mp.quota_code LIKE 'DQ%'",
                 {dayb_text}))
      r.point[row["quota_code"].get<std::string>()] = row.dump();
    for (const auto& row : tx.exec("SELECT company_code, points, period_s, online_s, expected, "
                                   "received, received_capped, timely,"
                                   " flagged, computed_until::text AS cu FROM "
                                   "data_quality_company_day WHERE day = $1::date"
                                   " AND company_code IN ($2, $3)",
                                   {dayb_text, kE1, kE2}))
      r.company[row["company_code"].get<std::string>()] = row.dump();
    return r;
  };
  auto at = [&](int minute, int second) {
    return hazmon::storage::beijing_day_start(dayb) + minutes(minute) + seconds(second);
  };
  struct Step {
    int minute, second;
  };
  const std::vector<Step> steps = {{0, 20},   {120, 0},   {210, 0}, {300, 10}, {430, 0},
                                   {571, 30}, {660, 0},   {710, 0}, {725, 0},  {960, 0},
                                   {1200, 0}, {1439, 59}, {1440, 0}};
  long long moved = 0;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    SCOPED_TRACE("run at minute " + std::to_string(steps[k].minute) + ":" +
                 std::to_string(steps[k].second));
    const auto t = at(steps[k].minute, steps[k].second);
    const std::string t_sql = "'" +
                              hazmon::storage::format_pg_timestamp(
                                  duration_cast<milliseconds>(t.time_since_epoch()).count()) +
                              "'";
    moved += db.in_tx([&](Tx& tx) {
      return tx.exec_count("WITH m AS (DELETE FROM dq_inc_stage WHERE received_ts <= " + t_sql +
                           "::timestamptz RETURNING *) INSERT INTO reading SELECT * FROM m");
    });
    if (k == 4) exec("UPDATE monitoring_point SET is_active = false WHERE quota_code = 'DQB1'");
    if (k == 7) exec("UPDATE monitoring_point SET is_active = true WHERE quota_code = 'DQB1'");
    if (k == 10) {
      // Bounded: without the readings collected before the last stable mark the run is the same.
      // (Both in transactions that are rolled back: a Tx not committed rolls back.)
      Rows without, with;
      {
        auto tx = db.begin();
        auto mark = tx.exec_one(
            "SELECT min(stable_until)::text AS s FROM data_quality_day WHERE day = $1::date",
            {dayb_text});
        ASSERT_FALSE(mark["s"].is_null());
        EXPECT_GT(
            tx.exec_count("DELETE FROM reading WHERE value = 42.5 AND collect_ts < $1::timestamptz",
                          {mark["s"].get<std::string>()}),
            500);
        store.rollup_incremental(tx, dayb, t, settings);
        without = snapshot(tx);
      }
      {
        auto tx = db.begin();
        store.rollup_incremental(tx, dayb, t, settings);
        with = snapshot(tx);
      }
      EXPECT_EQ(with.point, without.point);
      EXPECT_EQ(with.company, without.company);
    }
    auto incremental = db.in_tx([&](Tx& tx) {
      store.rollup_incremental(tx, dayb, t, settings);
      return snapshot(tx);
    });
    Rows full;
    {
      auto tx = db.begin();  // rolled back: the incremental state stays
      store.rollup(tx, dayb, t, settings);
      full = snapshot(tx);
    }
    ASSERT_EQ(incremental.point.size(), full.point.size());
    ASSERT_EQ(incremental.point.count("DQB1"), (k >= 4 && k < 7) ? 0u : 1u);
    EXPECT_EQ(incremental.point.count("DQN1"), k >= 5 ? 1u : 0u);
    for (const auto& [quota, row] : full.point) EXPECT_EQ(incremental.point[quota], row) << quota;
    EXPECT_EQ(incremental.company, full.company);
    // The state moved on: the stable mark is the run's time less the lookback.
    auto mark = db.in_tx([&](Tx& tx) {
      return tx.exec_one(
          "SELECT count(DISTINCT stable_until) AS marks, (extract(epoch FROM max(stable_until)) * "
          "1000)::bigint AS s"
          " FROM data_quality_day WHERE day = $1::date",
          {dayb_text});
    });
    EXPECT_EQ(mark["marks"].get<long long>(), 1);
    if (k >= 1) {
      EXPECT_EQ(mark["s"].get<long long>(),
                duration_cast<milliseconds>((t - seconds(900)).time_since_epoch()).count());
    }
  }
  // Figures that could be wrong: the day had data, late readings and gaps.
  auto last = db.in_tx([&](Tx& tx) { return snapshot(tx); });
  auto a1 = nlohmann::json::parse(last.point["DQA1"]);
  EXPECT_EQ(a1["received"].get<long long>(),
            1440 - 60 + 1);  // + the scenario's own reading at 00:00:30
  EXPECT_LT(a1["timely"].get<long long>(), a1["received"].get<long long>());
  EXPECT_LT(a1["online_s"].get<long long>(), kDaySeconds);
  EXPECT_GT(a1["online_s"].get<long long>(), kDaySeconds - 3600);
  EXPECT_EQ(moved, (1443 - 60) + 2 + 288 + 8 +
                       869);  // every staged reading went in: A1 (and resends), A2, B1, N1
  EXPECT_EQ(db.in_tx([&](Tx& tx) {
    return tx.exec_one("SELECT count(*) AS n FROM dq_inc_stage")["n"].get<long long>();
  }),
            0);
  // Clean up: the scenario's other tests read 2026-11-20 only, but B1's reading of 23:58 is theirs.
  exec("DROP TABLE dq_inc_stage");
  exec("DELETE FROM reading WHERE value = 42.5");
  exec("DELETE FROM data_quality_day WHERE day = '" + dayb_text + "'");
  exec("DELETE FROM data_quality_company_day WHERE day = '" + dayb_text + "'");
  exec("DELETE FROM monitoring_point WHERE quota_code = 'DQN1'");
}
