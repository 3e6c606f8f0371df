// Duty-room calls against a real PostgreSQL (migration 0035, docs/calls.md) through
// storage::CallStore: one open admission per person and call, the sweep that ends calls nobody
// answered or that ran too long (and hands back their rooms to destroy), and the tables' own
// checks (no call of a room to itself, an ended call has its end time, codes of the right form).
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/call_store.hpp>
#include <hazmon/storage/database.hpp>

#include <set>
#include <string>
#include <vector>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

struct World {
  TestDatabase db;
  storage::CallStore store;
  core::SysTime t0 = *core::parse_time("2026-12-07T02:00:00Z");
  long long user = 0;

  World() {
    user = db.db().in_tx([](storage::Tx& tx) {
      return *tx.one<long long>(
          "INSERT INTO app_user(username, role, scope_kind, scope_code, password_hash) VALUES "
          "('call_pg', 'city_officer', 'region', '140100', 'x') RETURNING id");
    });
  }
  long long place(core::SysTime at, long long room, const std::string& callee = "140105") {
    model::DutyCall c;
    c.caller_user_id = user;
    c.caller_name = "call_pg";
    c.caller = {"region", "140100", "", "140100"};
    c.callee = {"region", callee, "", callee};
    c.janus_room = room;
    c.started_at = at;
    return db.db().in_tx([&](storage::Tx& tx) { return store.insert(tx, c, "s", "p"); });
  }
  std::string state(long long id) {
    return db.db().in_tx([&](storage::Tx& tx) { return store.get(tx, id, false)->state; });
  }
};

}  // namespace

TEST(CallStorePg, OnePersonHasOneOpenAdmissionPerCall) {
  World w;
  auto id = w.place(w.t0, 101);
  auto admit = [&](const std::string& hash) {
    return w.db.db().in_tx([&](storage::Tx& tx) {
      return w.store.insert_participant(tx, id, w.user, "call_pg", "caller", hash, w.t0);
    });
  };
  admit("h1");
  EXPECT_THROW(admit("h2"), storage::ConflictError);
  auto left = w.db.db().in_tx(
      [&](storage::Tx& tx) { return w.store.leave(tx, id, w.user, w.t0 + seconds(5)); });
  EXPECT_EQ(left, std::vector<std::string>{"h1"});
  admit("h2");  // after leaving, joining again is a new admission
  EXPECT_THROW(admit("h2"), storage::ConflictError);  // a token hash is never reused
  auto a = w.db.db().in_tx([&](storage::Tx& tx) { return w.store.admission(tx, "h2"); });
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->janus_room, 101);
  EXPECT_FALSE(w.db.db().in_tx([&](storage::Tx& tx) { return w.store.admission(tx, "h1"); }));
  // Ending the call ends every admission: no token admits anyone after.
  w.db.db().in_tx([&](storage::Tx& tx) { w.store.end(tx, id, w.t0 + minutes(1), "x", "hung_up"); });
  EXPECT_FALSE(w.db.db().in_tx([&](storage::Tx& tx) { return w.store.admission(tx, "h2"); }));
  EXPECT_EQ(w.db.db().in_tx([&](storage::Tx& tx) { return w.store.open_participants(tx, id); }), 0);
}

TEST(CallStorePg, TheSweepEndsUnansweredAndOverlongCallsOnly) {
  World w;
  auto now = w.t0 + hours(5);
  auto fresh = w.place(now - seconds(30), 201);       // ringing, within the ring timeout
  auto unanswered = w.place(now - seconds(90), 202);  // ringing past 60 s
  auto active = w.place(now - minutes(30), 203);      // answered, within the maximum
  auto overlong = w.place(now - minutes(300), 204);   // answered, past 240 min
  w.db.db().in_tx([&](storage::Tx& tx) {
    w.store.set_active(tx, active, now - minutes(29));
    w.store.set_active(tx, overlong, now - minutes(299));
  });
  auto ended = w.db.db().in_tx([&](storage::Tx& tx) {
    return w.store.end_overdue(tx, now, now - seconds(60), now - minutes(240));
  });
  std::set<long long> rooms;
  for (const auto& e : ended) rooms.insert(e.janus_room);
  EXPECT_EQ(rooms, (std::set<long long>{202, 204}));
  EXPECT_EQ(w.state(fresh), "ringing");
  EXPECT_EQ(w.state(active), "active");
  auto u = w.db.db().in_tx([&](storage::Tx& tx) { return *w.store.get(tx, unanswered, false); });
  EXPECT_EQ(u.state, "ended");
  EXPECT_EQ(u.end_reason, "unanswered");
  EXPECT_EQ(u.ended_by, "system");
  auto o = w.db.db().in_tx([&](storage::Tx& tx) { return *w.store.get(tx, overlong, false); });
  EXPECT_EQ(o.end_reason, "expired");
  // A second sweep finds nothing more.
  EXPECT_TRUE(w.db.db()
                  .in_tx([&](storage::Tx& tx) {
                    return w.store.end_overdue(tx, now, now - seconds(60), now - minutes(240));
                  })
                  .empty());
}

TEST(CallStorePg, TheTablesRefuseImpossibleCalls) {
  World w;
  EXPECT_ANY_THROW(w.place(w.t0, 301, "140100"));  // a room calling itself
  EXPECT_ANY_THROW(w.place(w.t0, 302, "1401"));    // not a region code
  w.place(w.t0, 303);
  EXPECT_THROW(w.place(w.t0, 303), storage::ConflictError);  // one call per Janus room
  EXPECT_ANY_THROW(w.db.exec("UPDATE duty_call SET state = 'ended' WHERE janus_room = 303"));
  EXPECT_ANY_THROW(
      w.db.exec("UPDATE duty_call SET state = 'ended', ended_at = now(), end_reason = 'missed' "
                "WHERE janus_room = 303"));
}
