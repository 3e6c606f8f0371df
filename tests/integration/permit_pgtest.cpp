// Special work permits (特殊作业票) against a real PostgreSQL with an injected clock: the store
// keeps every change with the row before it, the table refuses type/grade pairs GB 30871-2022
// does not define even when the model is bypassed, overdue is a matter of the clock, the
// per-region counts and the overview marker count work in progress only, and the day's permits
// are compared with the day's commitment across Beijing midnight.
#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/permit_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/statistics_store.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

constexpr const char* kA = "14010600001";
constexpr const char* kB = "14010600002";

core::SysTime at(const char* rfc3339) { return *core::parse_time(rfc3339); }

struct World {
  TestDatabase db;
  core::FakeClock clock{at("2026-12-07T01:00:00Z")};  // 09:00 on 12-07 in Beijing
  service::PermitService permits{db.db(), clock};

  World() {
    db.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES ('140106', '迎泽区', "
        "'county', '140100') ON CONFLICT DO NOTHING");
    for (const char* c : {kA, kB}) {
      db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") + c +
              "', '作业票测试" + c + "', '140106')");
      db.exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) "
                          "VALUES ('") +
              c + "001', '" + c + "', '罐区', 2)");
    }
  }
  model::Principal user(const char* company) {
    return principal(model::Role::enterprise_user, model::Scope::enterprise(company),
                     std::string("u") + company);
  }
  model::WorkPermit permit(const std::string& no, const std::string& type,
                           std::optional<std::string> grade, core::SysTime begin,
                           core::SysTime end) {
    model::WorkPermit p;
    p.permit_no = no;
    p.work_type = type;
    p.grade = std::move(grade);
    p.location = "一车间";
    p.begin_at = begin;
    p.end_at = end;
    p.responsible = "负责人";
    p.responsible_mobile = "13800000003";
    return p;
  }
  model::WorkPermit file(const char* company, model::WorkPermit p) {
    bool created = false;
    auto out = permits.file(user(company), std::move(p), created);
    EXPECT_TRUE(created);
    return out;
  }
};

}  // namespace

TEST(PermitPg, EveryChangeIsKeptWithTheRowBeforeIt) {
  World w;
  auto now = w.clock.now();
  auto p = w.file(kA, w.permit("DH-1", "hot_work", "1", now, now + hours(8)));
  EXPECT_EQ(p.state, "planned");
  EXPECT_EQ(p.revision, 1);
  w.clock.advance(minutes(5));
  p = w.permits.transition(w.user(kA), p.id, "start", "");
  EXPECT_EQ(p.state, "in_progress");
  ASSERT_TRUE(p.started_at);
  EXPECT_EQ(*p.started_at, now + minutes(5));
  service::PermitEdit e;
  e.location = "二车间";
  e.reason = "地点更正";
  p = w.permits.edit(w.user(kA), p.id, e);
  EXPECT_EQ(p.location, "二车间");
  EXPECT_EQ(p.revision, 3);
  auto d = w.permits.get(province_admin(), p.id);
  ASSERT_EQ(d.changes.size(), 3u);
  EXPECT_EQ(d.changes[0].action, "filed");
  EXPECT_EQ(d.changes[2].reason, std::optional<std::string>("地点更正"));
  // The row before the edit is kept whole.
  auto before = w.db.db().in_tx([&](storage::Tx& tx) {
    return tx.one<std::string>(
        "SELECT before->>'location' FROM work_permit_change WHERE permit_id = $1 AND action = "
        "'updated'",
        {std::to_string(p.id)});
  });
  EXPECT_EQ(before, std::optional<std::string>("一车间"));
  // Illegal steps are conflicts and change nothing.
  auto c = caught([&] { w.permits.transition(w.user(kA), p.id, "start", ""); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, core::Errc::conflict);
  // Another enterprise's user does not find it.
  c = caught([&] { w.permits.transition(w.user(kB), p.id, "finish", ""); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, core::Errc::not_found);
  EXPECT_EQ(w.permits.get(province_admin(), p.id).changes.size(), 3u);
}

TEST(PermitPg, TheTableRefusesPairsTheStandardDoesNotDefine) {
  World w;
  auto insert = [&](const char* type, const char* grade) {
    try {
      w.db.exec(std::string("INSERT INTO work_permit(company_code, permit_no, work_type, grade, "
                            "location, begin_at, end_at, responsible, responsible_mobile, source, "
                            "created_by, created_at, updated_at) VALUES ('") +
                kA + "', 'X-" + type + (grade ? grade : "") + "', '" + type + "', " +
                (grade ? "'" + std::string(grade) + "'" : "NULL") +
                ", '地点', now(), now() + interval '1 hour', '人', '13800000000', 'dashboard', "
                "'t', now(), now())");
      return true;
    } catch (const std::exception&) {
      return false;
    }
  };
  EXPECT_TRUE(insert("hot_work", "special"));
  EXPECT_TRUE(insert("height", "4"));
  EXPECT_TRUE(insert("blinding", nullptr));
  EXPECT_FALSE(insert("hot_work", "3"));
  EXPECT_FALSE(insert("height", "5"));
  EXPECT_FALSE(insert("lifting", nullptr));
  EXPECT_FALSE(insert("confined_space", "1"));
  EXPECT_FALSE(insert("welding", nullptr));
}

TEST(PermitPg, OverdueCountsAndTheMapFollowTheClock) {
  World w;
  auto now = w.clock.now();
  auto hot = w.file(kA, w.permit("DH-2", "hot_work", "special", now, now + hours(2)));
  auto cs = w.file(kA, w.permit("SX-1", "confined_space", std::nullopt, now, now + hours(6)));
  w.file(kB, w.permit("GC-1", "height", "3", now, now + hours(6)));  // planned: not counted
  w.permits.transition(w.user(kA), hot.id, "start", "");
  w.permits.transition(w.user(kA), cs.id, "start", "");
  storage::PermitFilter overdue;
  overdue.overdue = true;
  EXPECT_EQ(w.permits.list(province_admin(), overdue, 100, 0).total, 0);
  w.clock.advance(hours(3));  // the hot work's end has passed, still in progress
  auto page = w.permits.list(province_admin(), overdue, 100, 0);
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].id, hot.id);
  EXPECT_TRUE(model::permit_overdue(page.items[0], w.clock.now()));
  auto s = w.permits.summary(province_admin(), false);
  ASSERT_EQ(s.regions.size(), 1u);
  EXPECT_EQ(s.regions[0].region_code, "140106");
  EXPECT_EQ(s.total.in_progress, 2);
  EXPECT_EQ(s.total.hot_work, 1);
  EXPECT_EQ(s.total.confined_space, 1);
  EXPECT_EQ(s.total.overdue, 1);
  EXPECT_EQ(s.total.by_kind["hot_special"], 1);
  EXPECT_EQ(s.total.by_kind.count("height_3"), 0u);
  // The overview's markers: A has one of each, B none.
  auto data = w.db.db().in_tx([&](storage::Tx& tx) {
    return storage::StatisticsStore{}.overview(tx, model::Scope::province(), w.clock.now(),
                                               seconds(300));
  });
  int seen = 0;
  for (const auto& m : data.markers) {
    if (m.company_code == kA) {
      EXPECT_EQ(m.hot_work, 1);
      EXPECT_EQ(m.confined_space, 1);
      ++seen;
    }
    if (m.company_code == kB) {
      EXPECT_EQ(m.hot_work + m.confined_space, 0);
      ++seen;
    }
  }
  EXPECT_EQ(seen, 2);
  // Finished: off the map and the counts.
  w.permits.transition(w.user(kA), hot.id, "finish", "");
  EXPECT_EQ(w.permits.summary(province_admin(), false).total.hot_work, 0);
}

TEST(PermitPg, TheDaysPermitsAreComparedWithTheDaysCommitmentInBeijingTime) {
  World w;
  // 2026-12-07 23:00 to 12-08 01:00 Beijing: touches both days; one on 12-08 only.
  auto late = w.file(kA, w.permit("DH-3", "hot_work", "2", at("2026-12-07T15:00:00Z"),
                                  at("2026-12-07T17:00:00Z")));
  w.file(kA, w.permit("DT-1", "excavation", std::nullopt, at("2026-12-08T00:00:00Z"),
                      at("2026-12-08T04:00:00Z")));
  auto cancelled = w.file(kA, w.permit("DT-2", "excavation", std::nullopt,
                                       at("2026-12-07T02:00:00Z"), at("2026-12-07T04:00:00Z")));
  w.permits.transition(w.user(kA), cancelled.id, "cancel", "取消");
  auto line = [](const service::PermitCommitmentCheck& c, const std::string& key) {
    for (const auto& l : c.lines)
      if (l.key == key) return l;
    return service::PermitCommitmentCheck::Line{};
  };
  auto c7 = w.permits.commitment_check(province_admin(), kA, "2026-12-07");
  EXPECT_FALSE(c7.committed);
  EXPECT_EQ(line(c7, "hot_2").permits, 1);
  EXPECT_EQ(line(c7, "excavation").permits, 0);  // the cancelled one does not count
  // The commitment of 12-08 declares one hot_2 and no excavation.
  w.db.exec(std::string("INSERT INTO safety_commitment(company_code, day, units_total, "
                        "units_running, units_stopped, units_startup, units_trial, "
                        "units_overhaul, hot_2, key_process_count, risk_grade, committer, "
                        "committer_role, duty_leader, duty_phone, committed_at, source, "
                        "filed_by) VALUES ('") +
            kA +
            "', '2026-12-08', 1, 1, 0, 0, 0, 0, 1, 0, 'blue', '王', 'enterprise_principal', "
            "'李', '13800000000', now(), 'dashboard', 't')");
  auto c8 = w.permits.commitment_check(province_admin(), kA, "2026-12-08");
  EXPECT_TRUE(c8.committed);
  EXPECT_EQ(line(c8, "hot_2").committed, 1);
  EXPECT_EQ(line(c8, "hot_2").permits, 1);
  EXPECT_EQ(line(c8, "excavation").permits, 1);
  EXPECT_EQ(line(c8, "excavation").committed, 0);
  EXPECT_FALSE(c8.matches);
  (void)late;
  // Outside the scope: absent.
  auto c = caught([&] { w.permits.commitment_check(city_officer("140200"), kA, "2026-12-08"); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, core::Errc::not_found);
}
