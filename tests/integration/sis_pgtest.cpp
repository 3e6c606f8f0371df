// SIS loops (安全仪表系统 联锁回路) against a real PostgreSQL with an injected clock: a bypass
// needs an approver and an expiry within sis.max_bypass_hours; an active bypass past its expiry
// raises one `sis` warning, closed when the bypass ends; a trip (filed, or read from the loop's
// trip point as a switch reading 1) raises one at once, closed by the reset, which is refused
// while the trip point still reads 1; a filed bypass does not hide a trip; the scope holds.
#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/sis_service.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/warning_event_store.hpp>

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
  core::FakeClock clock{at("2026-12-07T02:00:00Z")};  // 10:00 in Beijing
  service::WarningService warnings{db.db(), {}, clock};
  service::SisService sis{db.db(), &warnings, {}, clock};

  World() {
    db.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES ('140106', '迎泽区', "
        "'county', '140100')");
    for (const char* c : {kA, kB}) {
      db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code, status) "
                          "VALUES ('") +
              c + "', '联锁测试" + c + "', '140106', 'operating')");
      db.exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) "
                          "VALUES ('") +
              c + "001', '" + c + "', '硝化装置', 2)");
    }
    // The bypasses' approver: a 包保责任人 of the loops' hazard source (docs/sis.md).
    db.exec(std::string("INSERT INTO responsible_person(company_code, hazard_code, role, name) "
                        "VALUES ('") +
            kA + "', '" + kA + "001', 'technical', '生产副总李')");
    db.exec(std::string("INSERT INTO production_cell(prodcell_id, company_code, hazard_code, "
                        "cell_type, name) VALUES ('U1', '") +
            kA + "', '" + kA + "001', 'unit', '硝化单元')");
    db.exec(std::string("INSERT INTO monitoring_point(quota_code, company_code, hazard_code, "
                        "name, indicator_type, value_kind) VALUES ('SIS-TRIP-1', '") +
            kA + "', '" + kA + "001', '硝化釜联锁动作', 'sis', 'switch'), ('TIT-1', '" + kA +
            "', '" + kA + "001', '硝化釜温度', 'temperature', 'analog')");
  }
  model::Principal user(const char* company) {
    return principal(model::Role::enterprise_user, model::Scope::enterprise(company),
                     std::string("u") + company);
  }
  model::Principal other_user(const char* company) {  // another account of the enterprise
    return principal(model::Role::enterprise_user, model::Scope::enterprise(company),
                     std::string("v") + company);
  }
  model::SisLoop loop(bool trip_point = true) {
    model::SisLoop l;
    l.company_code = kA;
    l.tag = "SIS-101";
    l.name = "硝化釜超温联锁";
    l.hazard_code = std::string(kA) + "001";
    l.prodcell_id = "U1";
    l.process_code = "E1504";
    if (trip_point) l.trip_point = "SIS-TRIP-1";
    l.protected_points = {"TIT-1"};
    bool created = false;
    return sis.save_loop(user(kA), l, created);
  }
  model::SisBypass bypass(hours expiry) {
    model::SisBypass b;
    b.applicant = "仪表工王";
    b.approver = "生产副总李";
    b.reason = "联锁变送器校验";
    b.begin_at = clock.now();
    b.expiry_at = clock.now() + expiry;
    return b;
  }
  // A reading of the trip point, also as its latest value.
  void reading(core::SysTime t, double v) {
    auto ts = core::format_rfc3339(t);
    auto value = std::to_string(v);
    db.exec("INSERT INTO reading(point_id, collect_ts, value, received_ts) SELECT point_id, '" +
            ts + "', " + value + ", '" + ts +
            "' FROM monitoring_point WHERE quota_code = 'SIS-TRIP-1'");
    db.exec(
        "INSERT INTO reading_latest(point_id, collect_ts, value, quality, received_ts) SELECT "
        "point_id, '" +
        ts + "', " + value + ", 0, '" + ts +
        "' FROM monitoring_point WHERE quota_code = 'SIS-TRIP-1' ON CONFLICT (point_id) DO "
        "UPDATE SET collect_ts = EXCLUDED.collect_ts, value = EXCLUDED.value");
  }
  std::vector<model::WarningEvent> events() {
    return db.db().in_tx([&](storage::Tx& tx) {
      storage::WarningEventFilter f;
      return storage::WarningEventStore{}.list(tx, model::Scope::province(), f, 100, 0).items;
    });
  }
  model::SisState state(long long id) { return sis.get(user(kA), id).loop.state; }
};

}  // namespace

TEST(SisPg, ALoopNamesOnlyWhatTheEnterpriseHas) {
  World w;
  auto l = w.loop();
  EXPECT_EQ(l.state, model::SisState::in_service);
  EXPECT_EQ(l.protected_points, std::vector<std::string>{"TIT-1"});
  model::SisLoop bad;
  bad.company_code = kA;
  bad.tag = "SIS-102";
  bad.name = "测试";
  bad.trip_point = "TIT-1";  // analog
  bad.protected_points = {"NOPE"};
  bad.prodcell_id = "U9";
  bool created = false;
  auto e = caught([&] { w.sis.save_loop(w.user(kA), bad, created); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::validation_failed);
  EXPECT_TRUE(e->has_pointer("/trip_point")) << e->pointers();
  EXPECT_TRUE(e->has_pointer("/protected_points/0")) << e->pointers();
  EXPECT_TRUE(e->has_pointer("/prodcell_id")) << e->pointers();
  // Another enterprise's user cannot register a loop for A, nor see A's.
  bad = model::SisLoop{};
  bad.company_code = kA;
  bad.tag = "SIS-103";
  bad.name = "越权";
  e = caught([&] { w.sis.save_loop(w.user(kB), bad, created); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/company_code")) << e->pointers();
  e = caught([&] { w.sis.get(w.user(kB), l.id); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);
  EXPECT_TRUE(w.sis.list(w.user(kB), {}).empty());
  EXPECT_EQ(w.sis.list(w.user(kA), {}).size(), 1u);
  // The enterprise may not silence the loop's trip point or retire the loop; a county may.
  auto quiet = l;
  quiet.trip_point.reset();
  e = caught([&] { w.sis.save_loop(w.user(kA), quiet, created); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/trip_point")) << e->pointers();
  auto retired = l;
  retired.active = false;
  e = caught([&] { w.sis.save_loop(w.user(kA), retired, created); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/is_active")) << e->pointers();
  auto county = principal(model::Role::county_officer, model::Scope::region("140106"), "county");
  auto saved = w.sis.save_loop(county, quiet, created);
  EXPECT_FALSE(created);
  EXPECT_EQ(saved.id, l.id);
  EXPECT_FALSE(saved.trip_point);
}

TEST(SisPg, ABypassNeedsItsApproverAndAnExpiryWithinTheMaximum) {
  World w;
  auto l = w.loop();
  auto b = w.bypass(hours(8));
  b.approver = "";
  auto e = caught([&] { w.sis.file_bypass(w.user(kA), l.id, b); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::validation_failed);
  EXPECT_TRUE(e->has_pointer("/approver")) << e->pointers();
  e = caught([&] { w.sis.file_bypass(w.user(kA), l.id, w.bypass(hours(73))); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/expiry_at")) << e->pointers();
  auto ok = w.sis.file_bypass(w.user(kA), l.id, w.bypass(hours(72)));
  EXPECT_EQ(ok.state, "requested");
  EXPECT_EQ(w.state(l.id), model::SisState::in_service) << "not in effect before approval";
  e = caught([&] { w.sis.file_bypass(w.user(kA), l.id, w.bypass(hours(1))); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict) << "one open bypass per loop";
  e = caught([&] { w.sis.approve_bypass(w.user(kB), ok.id); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);
}

TEST(SisPg, ABypassPastItsExpiryWarnsOnceAndTheWarningClosesWhenItEnds) {
  World w;
  auto l = w.loop();
  auto b = w.sis.file_bypass(w.user(kA), l.id, w.bypass(hours(2)));
  // Four eyes: another account than the filing one approves (docs/sis.md).
  auto e = caught([&] { w.sis.approve_bypass(w.user(kA), b.id); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);
  b = w.sis.approve_bypass(w.other_user(kA), b.id);
  EXPECT_EQ(b.state, "active");
  ASSERT_TRUE(b.approved_by);
  EXPECT_EQ(*b.approved_by, std::string("v") + kA);
  EXPECT_EQ(w.state(l.id), model::SisState::bypassed);
  w.clock.advance(minutes(119));
  EXPECT_EQ(w.sis.check(), 0) << "not expired yet";
  EXPECT_TRUE(w.events().empty());
  w.clock.advance(minutes(2));
  EXPECT_EQ(w.sis.check(), 1);
  EXPECT_EQ(w.sis.check(), 0) << "raised once";
  auto ev = w.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].category, model::WarningCategory::sis);
  EXPECT_EQ(ev[0].source, model::WarningSource::sis);
  EXPECT_EQ(ev[0].level, model::WarningLevel::yellow);
  EXPECT_EQ(ev[0].status, model::DisposalState::pushed);
  EXPECT_EQ(ev[0].hazard_code, std::string(kA) + "001");
  EXPECT_NE(ev[0].content.find("SIS-101"), std::string::npos) << ev[0].content;
  EXPECT_NE(ev[0].content.find("2026-12-07 12:00"), std::string::npos) << ev[0].content;
  auto detail = w.sis.get(w.user(kA), l.id);
  ASSERT_EQ(detail.bypasses.size(), 1u);
  EXPECT_EQ(detail.bypasses[0].warning_event_id, ev[0].id);
  // Ending the bypass ends the cause: the system closes the warning.
  w.sis.end_bypass(w.user(kA), b.id, "校验完毕");
  ev = w.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].status, model::DisposalState::closed);
  EXPECT_EQ(w.state(l.id), model::SisState::in_service);
  e = caught([&] { w.sis.end_bypass(w.user(kA), b.id, ""); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict);
}

TEST(SisPg, AFiledTripWarnsAtOnceAndTheResetClosesIt) {
  World w;
  auto l = w.loop(false);
  model::SisTrip t;
  t.cause = "反应釜超温";
  auto trip = w.sis.file_trip(w.user(kA), l.id, t);
  ASSERT_TRUE(trip.warning_event_id);
  auto ev = w.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].category, model::WarningCategory::sis);
  EXPECT_EQ(ev[0].level, model::WarningLevel::orange);
  EXPECT_NE(ev[0].content.find("反应釜超温"), std::string::npos) << ev[0].content;
  EXPECT_EQ(w.state(l.id), model::SisState::tripped);
  auto e = caught([&] { w.sis.file_trip(w.user(kA), l.id, t); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict);
  // A bypass filed and approved while tripped does not hide the trip.
  auto b = w.sis.file_bypass(w.user(kA), l.id, w.bypass(hours(1)));
  w.sis.approve_bypass(w.other_user(kA), b.id);
  EXPECT_EQ(w.state(l.id), model::SisState::tripped);
  e = caught([&] { w.sis.reset_trip(w.user(kA), trip.id, " ", "", std::nullopt); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/reset_by")) << e->pointers();
  w.clock.advance(minutes(30));
  auto reset = w.sis.reset_trip(w.user(kA), trip.id, "班长赵", "已排查", std::string("冷却水中断"));
  ASSERT_TRUE(reset.reset_at);
  EXPECT_EQ(*reset.reset_at, w.clock.now());
  EXPECT_EQ(reset.cause, "冷却水中断");
  EXPECT_EQ(w.events()[0].status, model::DisposalState::closed);
  EXPECT_EQ(w.state(l.id), model::SisState::bypassed);
}

TEST(SisPg, TheTripPointRaisesATripThatCannotBeResetWhileItReadsOne) {
  World w;
  auto l = w.loop();
  w.reading(w.clock.now() - minutes(5), 0);  // before: in service
  EXPECT_EQ(w.sis.check(), 0);
  auto tripped_at = w.clock.now() + seconds(20);
  w.reading(tripped_at, 1);
  w.clock.advance(minutes(1));
  EXPECT_EQ(w.sis.check(), 1);
  EXPECT_EQ(w.sis.check(), 0) << "one trip, one warning";
  auto detail = w.sis.get(w.user(kA), l.id);
  ASSERT_EQ(detail.trips.size(), 1u);
  EXPECT_EQ(detail.trips[0].source, "point");
  EXPECT_EQ(detail.trips[0].tripped_at, tripped_at);
  EXPECT_EQ(detail.loop.state, model::SisState::tripped);
  auto ev = w.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].level, model::WarningLevel::orange);
  // The enterprise cannot hide it: no reset while the point reads 1, no second trip filed.
  auto e =
      caught([&] { w.sis.reset_trip(w.user(kA), detail.trips[0].id, "班长赵", "", std::nullopt); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::conflict);
  EXPECT_EQ(w.events()[0].status, model::DisposalState::pushed);
  w.clock.advance(minutes(10));
  w.reading(w.clock.now() - seconds(30), 0);
  w.sis.reset_trip(w.user(kA), detail.trips[0].id, "班长赵", "复位", std::nullopt);
  EXPECT_EQ(w.events()[0].status, model::DisposalState::closed);
  EXPECT_EQ(w.sis.check(), 0) << "the readings before the reset are that trip's";
  // A new reading 1 after the reset is a new trip.
  w.clock.advance(minutes(5));
  w.reading(w.clock.now(), 1);
  EXPECT_EQ(w.sis.check(), 1);
  EXPECT_EQ(w.sis.get(w.user(kA), l.id).trips.size(), 2u);
}
