// Two of the five systems' records against a real PostgreSQL with an injected clock
// (docs/five-systems.md): a patrol (分级巡查抽查) with a finding answered and closed and one
// overdue, the scope rules around them, an on-site check recorded after the fact; and an
// enterprise's routine use (企业端日常使用) of a Beijing day, derived from its logins, its late
// commitment, its feedback on a warning and its duty check-in; and the five-systems statistics
// per county that count all five systems' records.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/commitment_service.hpp>
#include <hazmon/service/patrol_service.hpp>
#include <hazmon/service/statistics_result.hpp>
#include <hazmon/service/statistics_service.hpp>
#include <hazmon/storage/database.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

constexpr const char* kA = "14010600001";      // patrolled; routine use counted
constexpr const char* kB = "14010600002";      // quiet
constexpr const char* kOther = "14010700001";  // another county of the same city

core::SysTime at(const char* rfc3339) { return *core::parse_time(rfc3339); }

struct World {
  TestDatabase db;
  core::FakeClock clock{at("2026-12-07T02:00:00Z")};  // 10:00 on 12-07 in Beijing
  service::PatrolService patrols{db.db(), clock};
  service::CommitmentService commitments{db.db(), nullptr, {}, clock};
  model::Principal city =
      principal(model::Role::city_officer, model::Scope::region("140100"), "pt_city", 11);
  model::Principal county_other =
      principal(model::Role::county_officer, model::Scope::region("140107"), "pt_county_other", 12);
  model::Principal user_a =
      principal(model::Role::enterprise_user, model::Scope::enterprise(kA), "pt_user_a", 13);
  model::Principal user_b =
      principal(model::Role::enterprise_user, model::Scope::enterprise(kB), "pt_user_b", 14);
  model::Principal gateway_a =
      principal(model::Role::gateway, model::Scope::enterprise(kA), "pt_gateway_a", 15);

  World() {
    db.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES ('140106', '迎泽区', "
        "'county', '140100'), ('140107', '杏花岭区', 'county', '140100') ON CONFLICT DO NOTHING");
    for (auto [c, r] :
         {std::pair{kA, "140106"}, std::pair{kB, "140106"}, std::pair{kOther, "140107"}}) {
      db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code, principal, "
                          "status) VALUES ('") +
              c + "', '巡查测试" + c + "', '" + r + "', '王五', 'operating')");
      db.exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) "
                          "VALUES ('") +
              c + "001', '" + c + "', '罐区', 2)");
    }
  }
  service::FindingInput finding(const char* what, core::SysTime deadline,
                                const char* severity = "general") {
    return {what, severity, "限期整改并上传整改照片", deadline};
  }
};

}  // namespace

TEST(PatrolPg, AFindingIsAnsweredAndClosedAnotherGoesOverdue) {
  World w;
  service::PatrolStart s{kA, "online", {"realtime", "video"}, "", {}, {}, {}};
  auto p = w.patrols.start(w.city, s);
  EXPECT_EQ(p.company_code, kA);
  EXPECT_EQ(p.officer_level, "city");
  EXPECT_EQ(p.officer_region, "140100");
  EXPECT_FALSE(p.ended_at);
  EXPECT_EQ(p.subjects, (std::vector<std::string>{"realtime", "video"}));
  // One patrol of an enterprise in progress per officer.
  auto e = caught([&] { w.patrols.start(w.city, s); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict);

  auto now = w.clock.now();
  auto f1 = w.patrols.add_finding(w.city, p.id, w.finding("液位计显示冻结", now + hours(48)));
  auto f2 = w.patrols.add_finding(w.city, p.id, w.finding("视频遮挡", now + hours(1), "serious"));
  EXPECT_EQ(f1.state, "open");
  EXPECT_FALSE(f1.overdue);
  // A deadline before the patrol began is refused with its pointer.
  e = caught([&] { w.patrols.add_finding(w.city, p.id, w.finding("x", now - hours(1))); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::validation_failed);
  EXPECT_TRUE(e->has_pointer("/deadline")) << e->pointers();

  // Outside the scope the patrol does not exist; an enterprise does not patrol; machines 403.
  e = caught([&] { w.patrols.get(w.county_other, p.id); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);
  e = caught([&] { w.patrols.start(w.county_other, s); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/company_code")) << e->pointers();
  e = caught([&] { w.patrols.start(w.user_a, s); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);
  e = caught([&] { w.patrols.findings(w.gateway_a, {}, 10, 0); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);
  // The enterprise sees its own patrol; another enterprise does not.
  EXPECT_EQ(w.patrols.get(w.user_a, p.id).finding_list.size(), 2u);
  e = caught([&] { w.patrols.get(w.user_b, p.id); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);

  w.clock.advance(minutes(20));
  auto ended = w.patrols.end(w.city, p.id, std::string("实时数据与视频已查看"));
  ASSERT_TRUE(ended.ended_at);
  EXPECT_EQ(*ended.ended_at, w.clock.now());
  EXPECT_EQ(ended.summary, "实时数据与视频已查看");
  EXPECT_EQ(ended.findings_open, 2);
  e = caught([&] { w.patrols.add_finding(w.city, p.id, w.finding("迟到", now + hours(5))); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict);
  e = caught([&] { w.patrols.end(w.city, p.id, std::nullopt); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict);

  // f1: answered by the enterprise, confirmed by the officer: closed.
  e = caught([&] { w.patrols.confirm(w.city, f1.id, true, ""); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict);  // nothing answered yet
  e = caught([&] { w.patrols.reply(w.city, f1.id, "已整改"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);  // the enterprise answers, not the officer
  e = caught([&] { w.patrols.reply(w.user_b, f1.id, "已整改"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);
  auto r1 = w.patrols.reply(w.user_a, f1.id, "液位计已校准，恢复正常");
  EXPECT_EQ(r1.state, "answered");
  EXPECT_EQ(r1.replied_by, "pt_user_a");
  e = caught([&] { w.patrols.confirm(w.user_a, f1.id, true, ""); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);
  auto c1 = w.patrols.confirm(w.city, f1.id, true, "复核通过");
  EXPECT_EQ(c1.state, "closed");
  ASSERT_TRUE(c1.closed_at);
  EXPECT_EQ(c1.closed_by, "pt_city");
  e = caught([&] { w.patrols.reply(w.user_a, f1.id, "再答"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict);

  // f2: its deadline passes without a reply: overdue, and listed as such.
  w.clock.advance(hours(1));
  storage::FindingFilter overdue;
  overdue.overdue = true;
  auto page = w.patrols.findings(w.city, overdue, 100, 0);
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].id, f2.id);
  EXPECT_TRUE(page.items[0].overdue);
  EXPECT_EQ(w.patrols.findings(w.user_a, overdue, 100, 0).total, 1);
  EXPECT_EQ(w.patrols.findings(w.user_b, overdue, 100, 0).total, 0);
  EXPECT_EQ(w.patrols.findings(w.county_other, overdue, 100, 0).total, 0);
  storage::FindingFilter closed;
  closed.state = "closed";
  EXPECT_EQ(w.patrols.findings(w.city, closed, 100, 0).total, 1);
  // A late reply sent back by the officer: open again (still overdue), one rejection.
  auto r2 = w.patrols.reply(w.user_a, f2.id, "已清理");
  ASSERT_TRUE(r2.replied_at);
  EXPECT_GT(*r2.replied_at, r2.deadline);
  EXPECT_FALSE(r2.overdue);
  e = caught([&] { w.patrols.confirm(w.city, f2.id, false, ""); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/note")) << e->pointers();
  auto back = w.patrols.confirm(w.city, f2.id, false, "摄像头仍被遮挡");
  EXPECT_EQ(back.state, "open");
  EXPECT_EQ(back.rejections, 1);
  EXPECT_TRUE(back.overdue);
}

TEST(PatrolPg, AnOnSiteCheckIsRecordedAfterTheFact) {
  World w;
  auto now = w.clock.now();
  service::PatrolStart s{
      kB, "onsite", {"site", "documents"}, "现场抽查", now - hours(50), now - hours(47), {}};
  s.findings.push_back(w.finding("应急预案未演练", now - hours(2), "major"));
  s.findings.push_back(w.finding("台账不全", now + hours(24)));
  auto p = w.patrols.start(w.city, s);
  ASSERT_TRUE(p.ended_at);
  EXPECT_EQ(p.started_at, now - hours(50));
  ASSERT_EQ(p.finding_list.size(), 2u);
  EXPECT_TRUE(p.finding_list[0].overdue);  // its deadline has already passed
  EXPECT_FALSE(p.finding_list[1].overdue);
  // An online patrol cannot be back-dated; bad kinds, subjects and severities are named.
  service::PatrolStart bad{kB, "online", {"realtime", "gossip"}, "", now - hours(1), {}, {}};
  bad.findings.push_back({"", "tiny", "", now + hours(1)});
  auto e = caught([&] { w.patrols.start(w.city, bad); });
  ASSERT_TRUE(e);
  for (const char* ptr : {"/started_at", "/subjects/1", "/findings/0/description",
                          "/findings/0/severity", "/findings/0/follow_up"})
    EXPECT_TRUE(e->has_pointer(ptr)) << ptr << ": " << e->pointers();
  storage::PatrolFilter f;
  f.company_code = kB;
  EXPECT_EQ(w.patrols.list(w.city, f, 10, 0).total, 1);
  f.kind = "online";
  EXPECT_EQ(w.patrols.list(w.city, f, 10, 0).total, 0);
}

TEST(RoutineUsePg, ADayCountsLoginsALateCommitmentFeedbackAndCheckIns) {
  World w;
  // Two logins of kA's user that day (Beijing), one the day before, a failed one and an
  // officer's that do not count.
  w.db.exec(
      "INSERT INTO app_user(id, username, role, scope_kind, scope_code, password_hash) VALUES "
      "(13, 'pt_user_a', 'enterprise_user', 'enterprise', '14010600001', 'x'), "
      "(11, 'pt_city', 'city_officer', 'region', '140100', 'x')");
  auto login = [&](const char* when, long long id, const char* name, int status) {
    w.db.exec(std::string("INSERT INTO audit_log(at, request_id, actor_id, actor_name, "
                          "actor_role, method, path, status, action) VALUES ('") +
              when + "', 'r', " + std::to_string(id) + ", '" + name +
              "', 'enterprise_user', 'POST', '/api/v1/auth/login', " + std::to_string(status) +
              ", 'auth.login')");
  };
  login("2026-12-06T16:30:00Z", 13, "pt_user_a", 200);  // 00:30 on 12-07
  login("2026-12-07T01:00:00Z", 13, "pt_user_a", 200);
  login("2026-12-07T01:10:00Z", 13, "pt_user_a", 401);
  login("2026-12-06T15:59:00Z", 13, "pt_user_a", 200);  // 23:59 on 12-06
  login("2026-12-07T01:00:00Z", 11, "pt_city", 200);
  // The commitment at 10:00, after the 09:00 deadline: late.
  w.db.exec(std::string("INSERT INTO responsible_person(company_code, hazard_code, role, name) "
                        "VALUES ('") +
            kA + "', '" + kA + "001', 'technical', '张三')");
  model::Commitment c;
  c.units_total = 1;
  c.units_running = 1;
  c.committer = "张三";
  c.duty_leader = "值班长";
  c.duty_phone = "13800000001";
  auto filed = w.commitments.file(w.user_a, {c});
  ASSERT_TRUE(filed.late);
  // A warning pushed at 09:00 with a 10:00 deadline, fed back at 09:30.
  w.db.exec(
      std::string(
          "INSERT INTO warning_event(id, event_no, company_code, level, initial_level, "
          "category, content, status, first_ts, last_ts) VALUES (9001, 'YJ20261207009001', '") +
      kA +
      "', 'yellow', 'yellow', 'threshold', '测试', 'fed_back', '2026-12-07T00:55:00Z', "
      "'2026-12-07T00:55:00Z')");
  w.db.exec(
      "INSERT INTO disposal_record(event_id, at, actor_name, actor_role, action, from_status, "
      "to_status, level_before, level_after, deadline_ts) VALUES "
      "(9001, '2026-12-07T01:00:00Z', 'system', 'system', 'push', 'pending', 'pushed', 'yellow', "
      "'yellow', '2026-12-07T02:00:00Z'), "
      "(9001, '2026-12-07T01:30:00Z', 'pt_user_a', 'enterprise', 'feedback', 'pushed', "
      "'fed_back', 'yellow', 'yellow', NULL)");
  auto ck = w.patrols.check_in(w.user_a, "值班员李", "白班");
  EXPECT_EQ(ck.day, "2026-12-07");
  auto e = caught([&] { w.patrols.check_in(w.city, "值班员李", ""); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);

  auto page = w.patrols.routine_use(w.city, "", "", std::nullopt, 100, 0);
  ASSERT_EQ(page.total, 3);  // kA, kB and kOther today
  const auto& a = page.items[0];
  EXPECT_EQ(a.company_code, kA);
  EXPECT_EQ(a.day, "2026-12-07");
  EXPECT_EQ(a.logins, 2);
  EXPECT_EQ(a.login_users, 1);
  EXPECT_TRUE(a.committed);
  EXPECT_TRUE(a.commitment_late);
  EXPECT_EQ(a.feedbacks, 1);
  EXPECT_EQ(a.feedbacks_on_time, 1);
  ASSERT_TRUE(a.feedback_avg_minutes);
  EXPECT_NEAR(*a.feedback_avg_minutes, 30.0, 0.01);
  EXPECT_EQ(a.checkins, 1);
  const auto& b = page.items[1];
  EXPECT_EQ(b.company_code, kB);
  EXPECT_EQ(b.logins, 0);
  EXPECT_FALSE(b.committed);
  EXPECT_EQ(b.checkins, 0);
  // Two days of one enterprise, newest first; the day before had one login.
  auto two = w.patrols.routine_use(w.user_a, "2026-12-06", "2026-12-07", std::nullopt, 100, 0);
  ASSERT_EQ(two.total, 2);
  EXPECT_EQ(two.items[1].day, "2026-12-06");
  EXPECT_EQ(two.items[1].logins, 1);
  EXPECT_FALSE(two.items[1].committed);
  // Limits: 31 days at most, nothing after today, another county's enterprise is absent.
  e = caught(
      [&] { w.patrols.routine_use(w.city, "2026-11-01", "2026-12-07", std::nullopt, 10, 0); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::validation_failed);
  e = caught([&] { w.patrols.routine_use(w.city, "", "2026-12-08", std::nullopt, 10, 0); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/to")) << e->pointers();
  e = caught([&] { w.patrols.routine_use(w.county_other, "", "", std::string(kA), 10, 0); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);
}

TEST(FiveSystemsPg, TheStatisticsCountAllFiveSystemsRecords) {
  World w;
  service::StatisticsService stats{w.db.db(), w.clock, {}};
  auto now = w.clock.now();
  // Patrols: an online one of kA with one finding closed and one overdue; an on-site one of
  // kOther (the other county) with an open finding.
  auto p = w.patrols.start(w.city, {kA, "online", {"realtime"}, "", {}, {}, {}});
  auto f1 = w.patrols.add_finding(w.city, p.id, w.finding("液位计冻结", now + hours(48)));
  w.patrols.add_finding(w.city, p.id, w.finding("视频遮挡", now + minutes(30)));
  w.patrols.reply(w.user_a, f1.id, "已校准");
  w.patrols.confirm(w.city, f1.id, true, "");
  w.patrols.start(w.city, {kOther,
                           "onsite",
                           {},
                           "",
                           now - hours(3),
                           now - hours(2),
                           {w.finding("台账不全", now + hours(24))}});
  // Routine use: kA's late commitment and a check-in.
  w.db.exec(std::string("INSERT INTO responsible_person(company_code, hazard_code, role, name) "
                        "VALUES ('") +
            kA + "', '" + kA + "001', 'technical', '张三')");
  model::Commitment c;
  c.units_total = 1;
  c.units_running = 1;
  c.committer = "张三";
  c.duty_leader = "值班长";
  c.duty_phone = "13800000001";
  w.commitments.file(w.user_a, {c});
  w.patrols.check_in(w.user_a, "值班员李", "");
  // Warning disposal: kA's event fed back on time; kB's pushed and never answered (overdue).
  w.db.exec(std::string("INSERT INTO warning_event(id, event_no, company_code, level, "
                        "initial_level, category, content, status, first_ts, last_ts) VALUES "
                        "(9101, 'YJ20261207009101', '") +
            kA +
            "', 'yellow', 'yellow', 'threshold', 't', 'fed_back', '2026-12-07T00:55:00Z', "
            "'2026-12-07T00:55:00Z'), (9102, 'YJ20261207009102', '" +
            kB +
            "', 'yellow', 'yellow', 'threshold', 't', 'pushed', '2026-12-07T00:55:00Z', "
            "'2026-12-07T00:55:00Z')");
  w.db.exec(
      "INSERT INTO disposal_record(event_id, at, actor_name, actor_role, action, from_status, "
      "to_status, level_before, level_after, deadline_ts) VALUES "
      "(9101, '2026-12-07T01:00:00Z', 'system', 'system', 'push', 'pending', 'pushed', 'yellow', "
      "'yellow', '2026-12-07T01:30:00Z'), "
      "(9101, '2026-12-07T01:10:00Z', 'pt_user_a', 'enterprise', 'feedback', 'pushed', "
      "'fed_back', 'yellow', 'yellow', NULL), "
      "(9102, '2026-12-07T01:00:00Z', 'system', 'system', 'push', 'pending', 'pushed', 'yellow', "
      "'yellow', '2026-12-07T01:30:00Z')");
  // Data quality: kA online 3/4 of its period today, kB fully.
  w.db.exec(std::string("INSERT INTO data_quality_company_day(day, company_code, points, "
                        "period_s, online_s, expected, received, received_capped, timely, "
                        "flagged, computed_until) VALUES ('2026-12-07', '") +
            kA + "', 1, 4000, 3000, 60, 45, 45, 45, 0, now()), ('2026-12-07', '" + kB +
            "', 1, 4000, 4000, 60, 60, 60, 60, 0, now())");
  // Circulars (migration 0025): one published naming kA and kB, acknowledged by kA only.
  bool circulars = false;
  w.db.db().in_tx([&](storage::Tx& tx) {
    circulars =
        tx.exec_one("SELECT to_regclass('circular_recipient') IS NOT NULL AS e")["e"].get<bool>();
  });
  if (circulars) {
    w.db.exec(
        "INSERT INTO circular(id, issuer_region, kind, title, body, state, ack_deadline, "
        "created_by, created_at, updated_at, published_by, published_at) VALUES (77, '140100', "
        "'patrol_result', '巡查通报', '正文', 'published', '2026-12-07T01:30:00Z', 'pt_city', "
        "'2026-12-07T00:00:00Z', '2026-12-07T00:00:00Z', 'pt_city', '2026-12-07T00:10:00Z')");
    w.db.exec(std::string("INSERT INTO circular_recipient(circular_id, company_code, "
                          "acknowledged_at, acknowledged_by) VALUES (77, '") +
              kA + "', '2026-12-07T00:20:00Z', 'pt_user_a'), (77, '" + kB + "', NULL, NULL)");
  }
  w.clock.advance(hours(1));  // the 30-minute finding is now overdue

  auto r =
      stats.five_systems(w.city, {{"by", "county"}, {"from", "2026-12-07"}, {"to", "2026-12-07"}});
  const auto& rows = r.body["rows"];
  ASSERT_EQ(rows.size(), 2u) << r.body.dump();
  const auto& a = rows[0];  // 140106: kA and kB
  EXPECT_EQ(a["code"], "140106");
  EXPECT_EQ(a["name"], "迎泽区");
  EXPECT_EQ(a["enterprises"], 2);
  EXPECT_EQ(a["patrols"]["total"], 1);
  EXPECT_EQ(a["patrols"]["online"], 1);
  EXPECT_EQ(a["findings"]["total"], 2);
  EXPECT_EQ(a["findings"]["closed"], 1);
  EXPECT_EQ(a["findings"]["open"], 1);
  EXPECT_EQ(a["findings"]["overdue"], 1);
  EXPECT_EQ(a["disposal"]["events"], 2);
  EXPECT_EQ(a["disposal"]["fed_back_on_time"], 1);
  EXPECT_EQ(a["disposal"]["unanswered_overdue"], 1);
  EXPECT_DOUBLE_EQ(a["disposal"]["timeliness_rate"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(a["data_quality"]["online_rate"].get<double>(), 0.875);
  EXPECT_EQ(a["routine_use"]["commitments"], 1);
  EXPECT_EQ(a["routine_use"]["commitments_expected"], 2);
  EXPECT_EQ(a["routine_use"]["commitments_late"], 1);
  EXPECT_EQ(a["routine_use"]["checkins"], 1);
  const auto& o = rows[1];  // 140107: kOther
  EXPECT_EQ(o["patrols"]["onsite"], 1);
  EXPECT_EQ(o["findings"]["open"], 1);
  EXPECT_EQ(o["findings"]["overdue"], 0);
  EXPECT_TRUE(o["data_quality"]["online_rate"].is_null());
  const auto& t = r.body["totals"];
  EXPECT_EQ(t["patrols"]["total"], 2);
  EXPECT_EQ(t["findings"]["total"], 3);
  if (circulars) {
    EXPECT_EQ(a["circulars"]["published"], 1);
    EXPECT_EQ(a["circulars"]["acknowledged"], 1);
    EXPECT_EQ(a["circulars"]["unacknowledged"], 1);
    EXPECT_EQ(a["circulars"]["overdue"], 1);
    EXPECT_EQ(o["circulars"]["notices"], 0);
  } else {
    EXPECT_TRUE(a["circulars"].is_null());
  }
  // By city: one row with the same totals; the CSV table has a row per region and the sum.
  auto city = stats.five_systems(w.city, {{"from", "2026-12-07"}, {"to", "2026-12-07"}});
  ASSERT_EQ(city.body["rows"].size(), 1u);
  EXPECT_EQ(city.body["rows"][0]["code"], "140100");
  EXPECT_EQ(city.body["rows"][0]["findings"]["total"], 3);
  ASSERT_EQ(r.tables.size(), 1u);
  EXPECT_EQ(r.tables[0].rows.size(), 3u);
  // Another county's officer counts only his own.
  auto other = stats.five_systems(w.county_other, {{"by", "county"}});
  ASSERT_EQ(other.body["rows"].size(), 1u);
  EXPECT_EQ(other.body["rows"][0]["code"], "140107");
  // Machines do not read statistics.
  auto e = caught([&] { stats.five_systems(w.gateway_a, {}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);
}

// Routine use is derived, not rolled up: at national scale (7,007 enterprises, a user each, three
// logins, a commitment and a check-in per enterprise a day, a week of history, 1,000 patrols with
// findings) one province day of routine use and 30 days of five-systems statistics are measured
// here (docs/five-systems.md).
TEST(FiveSystemsScalePg, SevenThousandEnterprisesAreDerivedWithoutARollup) {
  TestDatabase t;
  core::FakeClock clock{at("2026-12-07T06:00:00Z")};  // 14:00 in Beijing
  t.exec(
      "INSERT INTO enterprise(company_code, name, region_code) SELECT c.code || lpad(i::text, "
      "5, '0'), '规模' || c.code || '-' || i, c.code FROM region c, generate_series(1, 637) i "
      "WHERE c.level = 'city'");  // 11 cities x 637 = 7,007
  t.exec(
      "INSERT INTO hazard_source(hazard_code, company_code, name, rank) SELECT company_code || "
      "'001', company_code, '罐区', 1 + (hashtext(company_code) & 3) FROM enterprise");
  t.exec(
      "INSERT INTO app_user(username, role, scope_kind, scope_code, password_hash) SELECT 'u' || "
      "company_code, 'enterprise_user', 'enterprise', company_code, 'x' FROM enterprise");
  t.exec(
      "INSERT INTO audit_log(at, request_id, actor_id, actor_name, actor_role, method, path, "
      "status, action) SELECT '2026-12-07T06:00:00Z'::timestamptz - d * interval '1 day' - k * "
      "interval '2 hours', 'r', u.id, u.username, 'enterprise_user', 'POST', "
      "'/api/v1/auth/login', 200, 'auth.login' FROM app_user u, generate_series(0, 6) d, "
      "generate_series(0, 2) k");
  t.exec(
      "INSERT INTO audit_log(at, request_id, actor_name, actor_role, method, path, status, action) "
      "SELECT '2026-12-07T05:00:00Z'::timestamptz - i * interval '1 second', 'r', 'x', 'x', 'GET', "
      "'/api/v1/overview', 200, 'other' FROM generate_series(1, 200000) i");
  t.exec(
      "INSERT INTO safety_commitment (company_code, day, units_total, units_running, "
      "units_stopped, units_startup, units_trial, units_overhaul, key_process_count, risk_grade, "
      "committer, committer_role, duty_leader, duty_phone, committed_at, late, source, filed_by) "
      "SELECT company_code, '2026-12-07'::date - d, 1, 1, 0, 0, 0, 0, 0, 'blue', '甲', "
      "'enterprise_principal', '乙', '13900000000', now(), d % 3 = 0, 'upload', 'g' FROM "
      "enterprise, generate_series(0, 6) d");
  t.exec(
      "INSERT INTO duty_checkin(company_code, day, at, username, duty_person) SELECT "
      "company_code, '2026-12-07'::date - d, '2026-12-07T01:00:00Z'::timestamptz - d * interval "
      "'1 day', 'u', '值班' FROM enterprise, generate_series(0, 6) d");
  t.exec(
      "INSERT INTO patrol(company_code, kind, officer_name, officer_level, started_at, ended_at) "
      "SELECT company_code, 'onsite', 'o', 'city', '2026-12-06T01:00:00Z', "
      "'2026-12-06T02:00:00Z' FROM enterprise ORDER BY company_code LIMIT 1000");
  t.exec(
      "INSERT INTO patrol_finding(patrol_id, company_code, description, severity, follow_up, "
      "deadline, created_at, created_by) SELECT id, company_code, '问题', 'general', '整改', "
      "'2026-12-07T00:00:00Z', '2026-12-06T01:30:00Z', 'o' FROM patrol");
  t.exec("ANALYZE");
  service::PatrolService patrols{t.db(), clock};
  service::StatisticsService stats{t.db(), clock, {}};
  auto admin = principal(model::Role::province_admin, model::Scope::province(), "admin");
  auto time_ms = [](auto&& fn) {
    std::vector<double> ms;
    for (int i = 0; i < 3; ++i) {
      auto t0 = steady_clock::now();
      fn();
      ms.push_back(duration<double, std::milli>(steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[1];
  };
  storage::RoutineUsePage page;
  auto day_ms = time_ms([&] { page = patrols.routine_use(admin, "", "", std::nullopt, 1000, 0); });
  EXPECT_EQ(page.total, 7007);
  ASSERT_EQ(page.items.size(), 1000u);
  EXPECT_EQ(page.items[0].logins, 3);
  EXPECT_TRUE(page.items[0].committed);
  EXPECT_EQ(page.items[0].checkins, 1);
  service::StatisticsResult r;
  auto stat_ms = time_ms([&] { r = stats.five_systems(admin, {{"from", "2026-11-08"}}); });
  EXPECT_EQ(r.body["totals"]["enterprises"], 7007);
  EXPECT_EQ(r.body["totals"]["routine_use"]["logins"], 7007 * 21);
  EXPECT_EQ(r.body["totals"]["routine_use"]["commitments"], 7007 * 7);
  EXPECT_EQ(r.body["totals"]["patrols"]["total"], 1000);
  EXPECT_EQ(r.body["totals"]["findings"]["overdue"], 1000);
  std::printf(
      "routine use, one province day of 7,007 enterprises (first page of 1,000): median %.1f ms; "
      "five-systems statistics, 30 days by city: median %.1f ms\n",
      day_ms, stat_ms);
  // Generous bounds for the shared 2-core machine: a rollup table is not needed below them.
  EXPECT_LT(day_ms, 2000.0);
  EXPECT_LT(stat_ms, 5000.0);
}
