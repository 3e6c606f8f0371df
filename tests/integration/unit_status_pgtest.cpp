// Unit run status (装置运行状态) against a real PostgreSQL with an injected clock: a stop or an
// overhaul makes a filing (origin unit_status) on its unit with the filings' limits, the next
// status or the end ends it (or cancels it when it had not begun), the ingest's windows mark it
// as sparing gas detectors, and the service's checks hold.
#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/unit_status_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/monitoring_store.hpp>
#include <hazmon/storage/unit_status_store.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

constexpr const char* kA = "14010600011";
const std::string kUnit = std::string(kA) + "001S0001";

core::SysTime at(const char* rfc3339) { return *core::parse_time(rfc3339); }

struct World {
  TestDatabase db;
  core::FakeClock clock{at("2026-12-07T01:00:00Z")};
  int changed = 0;
  service::UnitStatusService statuses{db.db(), service::FilingSettings{}, clock};

  World() {
    statuses.on_changed([this] { ++changed; });
    db.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES ('140106', '迎泽区', "
        "'county', '140100') ON CONFLICT DO NOTHING");
    db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") + kA +
            "', '装置状态测试', '140106')");
    db.exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) "
                        "VALUES ('") +
            kA + "001', '" + kA + "', '装置区', 2)");
    for (const char* t : {"S0", "G0"})
      db.exec(std::string("INSERT INTO equipment(equip_code, company_code, hazard_code, "
                          "equip_type, name) VALUES ('") +
              kA + "001" + t + "001', '" + kA + "', '" + kA + "001', '" + t + "', '装置')");
  }
  model::Principal user() {
    return principal(model::Role::enterprise_user, model::Scope::enterprise(kA), "ua");
  }
  service::UnitStatusAnswer file(const std::string& status, core::SysTime begin,
                                 std::optional<core::SysTime> planned_end = std::nullopt) {
    model::UnitStatus s;
    s.equip_code = kUnit;
    s.status = status;
    s.begin_at = begin;
    s.planned_end = planned_end;
    s.reason = "测试";
    if (status == "overhaul") {
      s.content = "检修内容";
      s.responsible_person = "检修负责人";
      s.responsible_phone = "13912345678";
    }
    return statuses.file(user(), s);
  }
  std::string filing(long long id, const char* column) {
    return db.db().in_tx([&](storage::Tx& tx) {
      return tx
          .one<std::string>(
              std::string("SELECT coalesce(") + column + "::text, '') FROM filing WHERE id = $1",
              {std::to_string(id)})
          .value_or("?");
    });
  }
};

}  // namespace

TEST(UnitStatusPg, AStopFilesAWindowThatTheNextStatusEnds) {
  World w;
  auto begin = w.clock.now() - hours(1);
  auto a = w.file("overhaul", begin);
  ASSERT_TRUE(a.status.filing_id);
  EXPECT_FALSE(a.pending_reason);
  EXPECT_EQ(a.status.filing_status, "approved");
  // Open: the window lasts the overhaul maximum (60 days).
  EXPECT_EQ(*a.status.filing_ends_at, begin + hours(24 * 60));
  EXPECT_EQ(w.filing(*a.status.filing_id, "origin"), "unit_status");
  EXPECT_EQ(w.filing(*a.status.filing_id, "target_kind"), "equipment");
  EXPECT_EQ(w.filing(*a.status.filing_id, "filing_type"), "overhaul");
  EXPECT_EQ(w.changed, 1);

  // The ingest's windows: this one spares gas detectors, an ordinary filing does not.
  w.db.exec(std::string("INSERT INTO filing (company_code, target_kind, target_code, filing_type, "
                        "starts_at, ends_at, status) VALUES ('") +
            kA + "', 'equipment', '" + kUnit +
            "', 'shutdown', now() - interval '1 hour', now() + interval '1 hour', 'approved')");
  auto windows = w.db.db().in_tx(
      [](storage::Tx& tx) { return storage::MonitoringStore().filing_windows(tx); });
  int sparing = 0, plain = 0;
  for (const auto& win : windows)
    if (win.company_code == kA) (win.spares_safety ? sparing : plain)++;
  EXPECT_EQ(sparing, 1);
  EXPECT_EQ(plain, 1);

  // Running from now: the overhaul and its window end here.
  auto run = w.file("running", w.clock.now());
  EXPECT_FALSE(run.status.filing_id);
  EXPECT_EQ(w.changed, 2);
  auto old = w.statuses.get(province_admin(), a.status.id);
  ASSERT_TRUE(old.end_at);
  EXPECT_EQ(*old.end_at, w.clock.now());
  EXPECT_EQ(*old.filing_ends_at, w.clock.now());
  EXPECT_EQ(old.filing_status, "approved");
  // A resend of the current status changes nothing.
  EXPECT_FALSE(w.file("running", w.clock.now()).created);
}

TEST(UnitStatusPg, ALongStopIsPendingAndAnEndBeforeItsStartCancelsIt) {
  World w;
  auto now = w.clock.now();
  auto a = w.file("stopped", now, now + hours(24 * 10));
  ASSERT_TRUE(a.status.filing_id);
  EXPECT_TRUE(a.pending_reason);
  EXPECT_EQ(a.status.filing_status, "pending");
  EXPECT_EQ(w.changed, 0) << "a pending filing changes no window";
  auto ended = w.statuses.end(w.user(), a.status.id, now, "误报");
  EXPECT_EQ(ended.filing_status, "cancelled");
  EXPECT_EQ(ended.end_reason, "误报");
  EXPECT_EQ(w.changed, 1);
  try {
    w.statuses.end(w.user(), a.status.id, std::nullopt, "");
    ADD_FAILURE() << "an ended status was ended again";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.code(), core::Errc::conflict);
  }
}

TEST(UnitStatusPg, TheServiceRefusesWhatTheTableWouldNotMean) {
  World w;
  auto now = w.clock.now();
  w.file("running", now - minutes(10));
  auto code_of = [&](const std::function<void()>& f) {
    try {
      f();
    } catch (const core::Error& e) {
      return e.code();
    }
    return core::Errc::internal;
  };
  // Before the unit's latest status, in the future, a tank, a stop without reason.
  EXPECT_EQ(code_of([&] { w.file("stopped", now - minutes(20)); }), core::Errc::validation_failed);
  EXPECT_EQ(code_of([&] { w.file("stopped", now + hours(1)); }), core::Errc::validation_failed);
  EXPECT_EQ(code_of([&] {
              model::UnitStatus s;
              s.equip_code = std::string(kA) + "001G0001";
              s.status = "running";
              s.begin_at = now;
              w.statuses.file(w.user(), s);
            }),
            core::Errc::validation_failed);
  EXPECT_EQ(code_of([&] {
              model::UnitStatus s;
              s.equip_code = kUnit;
              s.status = "overhaul";
              s.begin_at = now;
              w.statuses.file(w.user(), s);
            }),
            core::Errc::validation_failed);
  // Officers read; only the enterprise files.
  EXPECT_EQ(code_of([&] {
              model::UnitStatus s;
              s.equip_code = kUnit;
              s.status = "running";
              s.begin_at = now;
              w.statuses.file(province_admin(), s);
            }),
            core::Errc::forbidden);
  EXPECT_EQ(w.statuses.list(province_admin(), {}, 100, 0).total, 1);
  // The table keeps one current status per unit even when the service is bypassed.
  EXPECT_ANY_THROW(w.db.exec(std::string("INSERT INTO unit_run_status (company_code, equip_code, "
                                         "status, begin_at, source, filed_by, created_at, "
                                         "updated_at) VALUES ('") +
                             kA + "', '" + kUnit +
                             "', 'stopped', now(), 'dashboard', 'x', now(), now())"));
}

TEST(UnitStatusPg, BackToBackStopsShareOneLimitWithinTheConfiguredGap) {
  World w;
  auto now = w.clock.now();
  // Stopped five days, ran 30 minutes, stopped again for three days: 8 days within the 1 h gap.
  w.file("stopped", now - hours(24 * 5) - minutes(30), now - minutes(30));
  w.file("running", now - minutes(30));
  auto chained = w.file("stopped", now, now + hours(24 * 3));
  EXPECT_EQ(chained.status.filing_status, "pending");
  ASSERT_TRUE(chained.pending_reason);
  EXPECT_NE(chained.pending_reason->find("back-to-back"), std::string::npos);
  // The same on a service whose gap is 10 minutes: a new window, in force at once.
  w.statuses.end(w.user(), chained.status.id, now, "");
  service::FilingSettings tight;
  tight.chain_gap = minutes(10);
  service::UnitStatusService strict{w.db.db(), tight, w.clock};
  w.clock.advance(minutes(1));
  model::UnitStatus s;
  s.equip_code = kUnit;
  s.status = "stopped";
  s.begin_at = w.clock.now();
  s.planned_end = w.clock.now() + hours(24 * 3);
  s.reason = "测试";
  auto alone = strict.file(w.user(), s);
  EXPECT_EQ(alone.status.filing_status, "approved");
  EXPECT_FALSE(alone.pending_reason);
}

// Two filings of one unit at the same moment (attack 12.10 by racing): the second's chain check
// waits until the first's transaction ends, so it reads the first's window. Without the wait each
// read the other's absence and both came into force.
TEST(UnitStatusPg, ConcurrentChainChecksOfOneUnitRunOneAfterTheOther) {
  World w;
  auto now = w.clock.now();
  const storage::UnitTarget unit{"equipment", kUnit},
      other{"equipment", kA + std::string("001G0001")};
  std::promise<void> first_inside, release;
  std::thread first([&] {
    w.db.db().in_tx([&](storage::Tx& tx) {
      storage::UnitStatusStore().chain(tx, unit, now, now + hours(1), minutes(60), hours(24 * 7));
      first_inside.set_value();
      release.get_future().wait();
    });
  });
  first_inside.get_future().wait();
  // Another target is not held up.
  w.db.db().in_tx([&](storage::Tx& tx) {
    storage::UnitStatusStore().chain(tx, other, now, now + hours(1), minutes(60), hours(24 * 7));
  });
  std::atomic<bool> second_done{false};
  std::thread second([&] {
    w.db.db().in_tx([&](storage::Tx& tx) {
      storage::UnitStatusStore().chain(tx, unit, now, now + hours(1), minutes(60), hours(24 * 7));
    });
    second_done = true;
  });
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_FALSE(second_done.load()) << "the second chain check did not wait for the first";
  release.set_value();
  first.join();
  second.join();
  EXPECT_TRUE(second_done.load());
}
