// The daily safety commitment (安全承诺) against a real PostgreSQL, with an injected clock
// across midnight in Beijing time (UTC+8: 16:00 UTC is 00:00 the next day): filing and its
// checks, replacement with history, the missing-commitment warning at the deadline hour (once
// per enterprise and day, closed by the filing), and the per-region summary.
#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/commitment_service.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/warning_event_store.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

constexpr const char* kA = "14010500001";  // a 包保责任人 signs
constexpr const char* kB = "14010500002";  // its principal signs
constexpr const char* kSuspended = "14010500003";
constexpr const char* kNoHazard = "14010500004";

core::SysTime at(const char* rfc3339) { return *core::parse_time(rfc3339); }

model::Commitment filing(const std::string& committer) {
  model::Commitment c;
  c.units_total = 4;
  c.units_running = 2;
  c.units_overhaul = 1;
  c.units_trial = 1;
  c.work[0] = 1;  // hot_special
  c.work[3] = 2;  // confined_space
  c.key_process_count = 1;
  c.risk_grade = model::WarningLevel::orange;
  c.committer = committer;
  c.duty_leader = "值班长";
  c.duty_phone = "13800000001";
  c.content = "今日装置运行正常，特殊作业已落实安全措施";
  return c;
}

struct World {
  TestDatabase db;  // of its own: the check warns every expected enterprise in the database
  core::FakeClock clock{at("2026-12-07T00:30:00Z")};  // 08:30 on 12-07 in Beijing
  service::WarningService warnings{db.db(), {}, clock};
  service::CommitmentService commitments{db.db(), &warnings, {}, clock};

  World() {
    db.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES ('140105', '小店区', "
        "'county', '140100')");
    for (const char* c : {kA, kB, kSuspended, kNoHazard})
      db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code, principal, "
                          "status) VALUES ('") +
              c + "', '承诺测试" + c + "', '140105', '王五', '" +
              (c == std::string(kSuspended) ? "suspended" : "operating") + "')");
    for (const char* c : {kA, kB, kSuspended})
      db.exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) "
                          "VALUES ('") +
              c + "001', '" + c + "', '罐区', 2)");
    db.exec(std::string("INSERT INTO responsible_person(company_code, hazard_code, role, name) "
                        "VALUES ('") +
            kA + "', '" + kA + "001', 'technical', '张三')");
    db.exec(std::string("INSERT INTO responsible_person(company_code, hazard_code, role, name, "
                        "valid_to) VALUES ('") +
            kA + "', '" + kA + "001', 'operations', '赵六', '2026-11-30')");
  }
  model::Principal user(const char* company) {
    return principal(model::Role::enterprise_user, model::Scope::enterprise(company),
                     std::string("u") + company);
  }
  std::vector<model::WarningEvent> events() {
    return db.db().in_tx([&](storage::Tx& tx) {
      storage::WarningEventFilter f;
      return storage::WarningEventStore{}.list(tx, model::Scope::province(), f, 100, 0).items;
    });
  }
};

}  // namespace

TEST(CommitmentPg, FilingChecksTheDayTheFiguresAndTheCommitter) {
  World w;
  auto a = w.user(kA);
  auto e = caught([&] { w.commitments.file(a, {filing("李四")}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::validation_failed);
  EXPECT_TRUE(e->has_pointer("/committer")) << e->pointers();
  // 赵六's term ended before the day.
  e = caught([&] { w.commitments.file(a, {filing("赵六")}); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/committer")) << e->pointers();
  auto bad = filing("张三");
  bad.units_running = 3;
  e = caught([&] { w.commitments.file(a, {bad}); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/units/total")) << e->pointers();
  EXPECT_EQ(e->message, "the unit counts do not add up");
  for (const char* day : {"2026-12-08", "2026-12-05", "2026-13-01"}) {
    auto c = filing("张三");
    c.day = day;
    e = caught([&] { w.commitments.file(a, {c}); });
    ASSERT_TRUE(e) << day;
    EXPECT_TRUE(e->has_pointer("/day")) << day << ": " << e->pointers();
  }
  // Another enterprise's code is answered as if it did not exist.
  auto other = filing("张三");
  other.company_code = kB;
  e = caught([&] { w.commitments.file(a, {other}); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/company_code")) << e->pointers();
  // Officers and machines of another kind do not file.
  e = caught([&] { w.commitments.file(city_officer("140100"), {filing("张三")}); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);

  auto saved = w.commitments.file(a, {filing("张三")});
  EXPECT_EQ(saved.day, "2026-12-07");
  EXPECT_EQ(saved.committer_role, model::CommitterRole::technical);
  EXPECT_EQ(saved.revision, 1);
  EXPECT_FALSE(saved.late);
  EXPECT_EQ(saved.work[0], 1);
  EXPECT_EQ(saved.risk_grade, model::WarningLevel::orange);
  auto b = w.commitments.file(w.user(kB), {filing("王五")});
  EXPECT_EQ(b.committer_role, model::CommitterRole::enterprise_principal);
}

TEST(CommitmentPg, ALaterFilingReplacesTheDaysAndKeepsTheEarlierVersion) {
  World w;
  auto a = w.user(kA);
  auto first = w.commitments.file(a, {filing("张三")});
  w.clock.advance(minutes(20));
  auto second_in = filing("张三");
  second_in.units_running = 1;
  second_in.units_stopped = 1;
  second_in.risk_grade = model::WarningLevel::red;
  auto second = w.commitments.file(a, {second_in});
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.revision, 2);
  EXPECT_EQ(second.risk_grade, model::WarningLevel::red);
  auto officer = city_officer("140100");
  auto page = w.commitments.list(officer, {}, 10, 0);
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].units_stopped, 1);
  auto history = w.commitments.history(officer, first.id);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_NE(history[0].find("\"risk_grade\": \"orange\""), std::string::npos) << history[0];
  EXPECT_NE(history[0].find("\"revision\": 1"), std::string::npos) << history[0];
  // Outside the scope: absent.
  auto e = caught([&] { w.commitments.history(city_officer("140400"), first.id); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);
  EXPECT_EQ(w.commitments.list(city_officer("140400"), {}, 10, 0).total, 0);
}

TEST(CommitmentPg, AMissingCommitmentWarnsAtTheDeadlineOnceAndTheFilingClosesIt) {
  World w;
  // 08:30 Beijing: before the deadline, nothing.
  EXPECT_EQ(w.commitments.check(), 0);
  // B files on time at 08:40.
  w.clock.advance(minutes(10));
  EXPECT_FALSE(w.commitments.file(w.user(kB), {filing("王五")}).late);
  // A check that had listed B before the filing committed claims nothing for it.
  EXPECT_FALSE(w.db.db().in_tx([&](storage::Tx& tx) {
    return storage::CommitmentStore{}.claim_warning(tx, kB, "2026-12-07", w.clock.now());
  }));
  // 09:01 Beijing: A has not committed; the suspended enterprise and the one without a hazard
  // source are not expected.
  w.clock.advance(minutes(21));
  EXPECT_EQ(w.commitments.check(), 1);
  EXPECT_EQ(w.commitments.check(), 0) << "once per enterprise and day";
  auto ev = w.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].company_code, kA);
  EXPECT_EQ(ev[0].category, model::WarningCategory::commitment);
  EXPECT_EQ(ev[0].source, model::WarningSource::commitment);
  EXPECT_EQ(ev[0].level, model::WarningLevel::yellow);
  EXPECT_EQ(ev[0].status, model::DisposalState::pushed);
  EXPECT_NE(ev[0].content.find("2026-12-07 09:00"), std::string::npos) << ev[0].content;
  EXPECT_EQ(ev[0].county_code, "140105");

  auto officer = city_officer("140100");
  auto s = w.commitments.summary(officer, "2026-12-07", false);
  ASSERT_EQ(s.regions.size(), 1u);
  EXPECT_EQ(s.regions[0].region_code, "140105");
  EXPECT_EQ(s.regions[0].region_name, "小店区");
  EXPECT_EQ(s.regions[0].expected, 2);
  EXPECT_EQ(s.regions[0].committed, 1);
  EXPECT_EQ(s.regions[0].orange, 1);
  ASSERT_EQ(s.missing.size(), 1u);
  EXPECT_EQ(s.missing[0].company_code, kA);
  EXPECT_EQ(s.missing[0].warning_event_id, ev[0].id);

  // 23:59 Beijing (15:59 UTC): A files late; the warning closes.
  w.clock.advance(at("2026-12-07T15:59:00Z") - w.clock.now());
  auto late = w.commitments.file(w.user(kA), {filing("张三")});
  EXPECT_EQ(late.day, "2026-12-07");
  EXPECT_TRUE(late.late);
  ev = w.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].status, model::DisposalState::closed);
  ASSERT_TRUE(ev[0].closed_ts);
  auto records = w.db.db().in_tx(
      [&](storage::Tx& tx) { return storage::WarningEventStore{}.records(tx, ev[0].id); });
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().action, model::DisposalAction::close);
  EXPECT_EQ(records.back().actor_role, model::ActorKind::system);
  s = w.commitments.summary(officer, "2026-12-07", true);
  ASSERT_EQ(s.regions.size(), 1u);
  EXPECT_EQ(s.regions[0].region_code, "140100");
  EXPECT_EQ(s.regions[0].committed, 2);
  EXPECT_EQ(s.regions[0].late, 1);
  EXPECT_TRUE(s.missing.empty());

  // 00:01 on 12-08 Beijing (16:01 UTC on 12-07): a new day, before its deadline: no warning,
  // and a filing now is the new day's.
  w.clock.advance(minutes(2));
  EXPECT_EQ(w.commitments.today(), "2026-12-08");
  EXPECT_EQ(w.commitments.check(), 0);
  auto b = w.commitments.file(w.user(kB), {filing("王五")});
  EXPECT_EQ(b.day, "2026-12-08");
  EXPECT_EQ(b.revision, 1);
  // Yesterday may still be filed again (a correction), replacing it.
  auto fix = filing("张三");
  fix.day = "2026-12-07";
  EXPECT_EQ(w.commitments.file(w.user(kA), {fix}).revision, 2);

  // 09:00 on 12-08 Beijing (01:00 UTC): A has nothing for 12-08 → a second event; B filed.
  w.clock.advance(at("2026-12-08T01:00:00Z") - w.clock.now());
  EXPECT_EQ(w.commitments.check(), 1);
  ev = w.events();
  ASSERT_EQ(ev.size(), 2u);
  int open = 0;
  for (const auto& e : ev) {
    EXPECT_EQ(e.company_code, kA);
    if (e.status != model::DisposalState::closed) {
      ++open;
      EXPECT_NE(e.content.find("2026-12-08"), std::string::npos) << e.content;
    }
  }
  EXPECT_EQ(open, 1);
  s = w.commitments.summary(officer, "", false);
  EXPECT_EQ(s.day, "2026-12-08");
  EXPECT_EQ(s.total.expected, 2);
  EXPECT_EQ(s.total.committed, 1);
}

TEST(CommitmentPg, NoCheckWhenDisabled) {
  World w;
  service::CommitmentSettings off;
  off.enabled = false;
  service::CommitmentService cs{w.db.db(), &w.warnings, off, w.clock};
  w.clock.advance(hours(3));
  EXPECT_EQ(cs.check(), 0);
  EXPECT_TRUE(w.events().empty());
  EXPECT_EQ(w.commitments.check(), 2);  // A and B, with the check on
}
