// Camera leases between nodes (migration 0032, ADR 0028): two lease managers on one database with
// one injected clock (no sleeps): no camera held by two nodes, every camera held, a fair split,
// rebalance when a node joins, and the cameras move when a node stops renewing.
#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/node_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/node_store.hpp>
#include <hazmon/storage/notification_store.hpp>

#include <algorithm>
#include <latch>
#include <set>
#include <thread>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace std::chrono;
using hazmon::test::TestDatabase;

namespace {
constexpr const char* kCompany = "14070000032";

struct LeaseWorld {
  TestDatabase db;
  std::unique_ptr<storage::Database> second;  // node b's own pool
  core::FakeClock clock{core::SysTime{} + hours(24 * 365 * 57)};
  std::vector<std::string> cameras;

  explicit LeaseWorld(int n) {
    db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") +
            kCompany + "', '租约测试化工', '140700') ON CONFLICT DO NOTHING");
    db.exec("DELETE FROM camera_lease");
    db.exec("DELETE FROM node");
    for (int i = 0; i < n; ++i) {
      auto id = "LEASECAM" + std::to_string(100 + i);
      db.exec("INSERT INTO camera(video_id, company_code, name, scene_type) VALUES ('" + id +
              "', '" + kCompany + "', '摄像头', 'tank_farm') ON CONFLICT DO NOTHING");
      cameras.push_back(id);
    }
    storage::DbSettings s;
    s.dsn = db.dsn();
    s.pool_size = 2;
    second = std::make_unique<storage::Database>(s);
  }
  std::set<std::string> set_of(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }
  long long rows_held_by(const std::string& node) {
    return db.db().in_tx([&](storage::Tx& tx) {
      return *tx.one<long long>(
          "SELECT count(*) FROM camera_lease WHERE node_id = $1 AND "
          "video_id LIKE 'LEASECAM%'",
          {node});
    });
  }
};

void expect_disjoint(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& c : a)
    EXPECT_EQ(std::count(b.begin(), b.end(), c), 0) << c << " held by both nodes";
}
}  // namespace

TEST(NodeLeases, OneNodeTakesEveryCameraAndASecondGetsItsShare) {
  LeaseWorld w(10);
  service::CameraLeases a(w.db.db(), "node-a", w.clock, seconds(45));
  service::CameraLeases b(*w.second, "node-b", w.clock, seconds(45));
  auto r = a.round(w.cameras);
  EXPECT_EQ(r.live_nodes, 1);
  EXPECT_EQ(r.held, w.cameras);  // alone: all of them
  // b joins: its share is 5 but a holds them all; a gives back its surplus at its next round,
  // and b takes it at its own.
  auto rb = b.round(w.cameras);
  EXPECT_EQ(rb.live_nodes, 2);
  EXPECT_EQ(rb.share, 5);
  EXPECT_TRUE(rb.held.empty());
  w.clock.advance(seconds(15));
  EXPECT_EQ(a.round(w.cameras).held.size(), 5u);
  EXPECT_EQ(b.round(w.cameras).held.size(), 5u);
  expect_disjoint(a.held(), b.held());
  auto all = w.set_of(a.held());
  for (const auto& c : b.held()) all.insert(c);
  EXPECT_EQ(all, w.set_of(w.cameras));
  EXPECT_EQ(w.rows_held_by("node-a"), 5);
  EXPECT_EQ(w.rows_held_by("node-b"), 5);
  // The node rows say so (GET /api/v1/nodes).
  auto nodes = w.db.db().in_tx([](storage::Tx& tx) { return storage::NodeStore().nodes(tx); });
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].node_id, "node-a");
  EXPECT_EQ(nodes[0].cameras_held, 5);
  EXPECT_EQ(nodes[1].cameras_held, 5);
}

TEST(NodeLeases, RacingRoundsNeverGiveACameraToBothNodes) {
  LeaseWorld w(9);
  service::CameraLeases a(w.db.db(), "node-a", w.clock, seconds(45));
  service::CameraLeases b(*w.second, "node-b", w.clock, seconds(45));
  // Both nodes are known (live) before the races, so each aims at ceil(9 / 2) = 5.
  a.round({});
  b.round({});
  for (int i = 0; i < 15; ++i) {
    w.db.exec("DELETE FROM camera_lease");
    std::latch go(2);
    std::vector<std::string> ha, hb;
    std::thread ta([&] {
      go.arrive_and_wait();
      ha = a.round(w.cameras).held;
    });
    std::thread tb([&] {
      go.arrive_and_wait();
      hb = b.round(w.cameras).held;
    });
    ta.join();
    tb.join();
    expect_disjoint(ha, hb);
    EXPECT_LE(ha.size(), 5u);
    EXPECT_LE(hb.size(), 5u);
    // A second round each (as the renew period brings) leaves every camera held.
    w.clock.advance(seconds(1));
    ha = a.round(w.cameras).held;
    hb = b.round(w.cameras).held;
    ha = a.round(w.cameras).held;
    expect_disjoint(ha, hb);
    EXPECT_EQ(ha.size() + hb.size(), 9u) << "round " << i;
  }
}

TEST(NodeLeases, CamerasMoveWhenANodeStopsRenewingAndComeBackToItsShare) {
  LeaseWorld w(6);
  service::CameraLeases a(w.db.db(), "node-a", w.clock, seconds(45));
  service::CameraLeases b(*w.second, "node-b", w.clock, seconds(45));
  a.round(w.cameras);
  b.round(w.cameras);
  a.round(w.cameras);
  b.round(w.cameras);
  ASSERT_EQ(a.held().size(), 3u);
  ASSERT_EQ(b.held().size(), 3u);
  // a dies (or loses PostgreSQL): b renews every 15 s; a's leases run out after 45 s.
  for (int step : {15, 15, 14}) {
    w.clock.advance(seconds(step));
    b.round(w.cameras);
    EXPECT_EQ(b.held().size(), 3u) << "a's leases are still current";
  }
  EXPECT_EQ(a.held().size(), 3u) << "44 s after its last renewal: still a's";
  w.clock.advance(seconds(2));
  EXPECT_TRUE(a.held().empty()) << "a node stops what it could not renew within the TTL";
  auto r = b.round(w.cameras);
  EXPECT_EQ(r.live_nodes, 1);
  EXPECT_EQ(r.held, w.cameras) << "b takes every camera of the dead node";
  EXPECT_EQ(w.rows_held_by("node-b"), 6);
  // a comes back: it finds nothing free, b gives back its surplus, a takes it.
  EXPECT_TRUE(a.round(w.cameras).held.empty());
  w.clock.advance(seconds(15));
  EXPECT_EQ(b.round(w.cameras).held.size(), 3u);
  EXPECT_EQ(a.round(w.cameras).held.size(), 3u);
  expect_disjoint(a.held(), b.held());
  // A clean stop gives the leases back at once.
  a.release();
  EXPECT_TRUE(a.held().empty());
  EXPECT_EQ(w.rows_held_by("node-a"), 0);
  w.clock.advance(seconds(15));
  // (a's node row is still fresh: b's share stays 3 until a is seen dead.)
  EXPECT_EQ(b.round(w.cameras).held.size(), 3u);
  w.clock.advance(seconds(46));
  EXPECT_EQ(b.round(w.cameras).held.size(), 6u);
}

// The notification outbox shared by two nodes: rounds claiming due messages at the same moment
// never get the same one, and a claim given back is due again.
TEST(NodeOutbox, TwoNodesNeverClaimTheSameMessage) {
  TestDatabase db;
  db.exec(
      "INSERT INTO enterprise(company_code, name, region_code) VALUES ('14070000033', "
      "'外发测试化工', '140700')");
  db.exec(
      "INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES "
      "('14070000033001', '14070000033', '罐区', 2)");
  db.exec(
      "INSERT INTO warning_event(event_no, company_code, hazard_code, level, initial_level, "
      "rule_id, category, content, status, first_ts, last_ts) VALUES ('YJ20261207000033', "
      "'14070000033', '14070000033001', 'orange', 'orange', 1, 'threshold', '外发', 'pushed', "
      "'2026-12-07T00:00:00Z', '2026-12-07T00:00:30Z')");
  db.exec(
      "INSERT INTO notification(warning_event_id, company_code, dedup_key, push_reason, channel, "
      "recipient, recipient_level, body, next_attempt_at, created_at) "
      "SELECT w.id, '14070000033', 'created:orange:0', 'created', 'sms', '1380000' || "
      "lpad(g::text, 4, '0'), 'enterprise', '正文', '2026-12-07T00:01:00Z', "
      "'2026-12-07T00:00:31Z' FROM warning_event w, generate_series(1, 40) g "
      "WHERE w.event_no = 'YJ20261207000033'");
  storage::DbSettings s;
  s.dsn = db.dsn();
  s.pool_size = 2;
  storage::Database second(s);
  storage::NotificationStore store;
  auto now = core::SysTime{} + hours(24 * 365 * 57);  // long after next_attempt_at
  std::vector<long long> got_a, got_b;
  for (int round = 0; round < 10; ++round) {
    std::latch go(2);
    auto claim = [&](storage::Database& d, std::vector<long long>& out) {
      go.arrive_and_wait();
      auto rows =
          d.in_tx([&](storage::Tx& tx) { return store.claim_due(tx, now, 3, now + minutes(10)); });
      for (const auto& r : rows) out.push_back(r.id);
    };
    std::thread ta([&] { claim(db.db(), got_a); });
    std::thread tb([&] { claim(second, got_b); });
    ta.join();
    tb.join();
  }
  std::set<long long> a(got_a.begin(), got_a.end()), b(got_b.begin(), got_b.end());
  EXPECT_EQ(a.size(), got_a.size());
  EXPECT_EQ(b.size(), got_b.size());
  for (auto id : a) EXPECT_EQ(b.count(id), 0u) << "message " << id << " claimed by both nodes";
  EXPECT_EQ(a.size() + b.size(), 40u) << "10 rounds of two claims of at most 3 take all 40";
  // Claimed: not due again before the claim passes; given back: due at once.
  auto due_now = [&](core::SysTime t) {
    return db.db().in_tx([&](storage::Tx& tx) { return store.due(tx, t, 100).size(); });
  };
  EXPECT_EQ(due_now(now), 0u);
  EXPECT_EQ(due_now(now + minutes(10)), 40u);
  db.db().in_tx([&](storage::Tx& tx) { store.release_claims(tx, got_a, now); });
  EXPECT_EQ(due_now(now), a.size());
}

// The minute's maintenance runs on the first live node by id; when it is gone, on the next.
TEST(NodeLeases, TheFirstLiveNodeLeadsTheMaintenance) {
  LeaseWorld w(0);
  storage::NodeStore nodes;
  auto first = [&] {
    return w.db.db().in_tx(
        [&](storage::Tx& tx) { return nodes.first_live_node(tx, w.clock.now() - seconds(45)); });
  };
  EXPECT_EQ(first(), std::nullopt);
  service::CameraLeases a(w.db.db(), "node-a", w.clock, seconds(45));
  service::CameraLeases b(*w.second, "node-b", w.clock, seconds(45));
  b.round({});
  EXPECT_EQ(first(), "node-b");
  a.round({});
  EXPECT_EQ(first(), "node-a");
  w.clock.advance(seconds(30));
  b.round({});
  EXPECT_EQ(first(), "node-a") << "a was seen 30 s ago: alive";
  w.clock.advance(seconds(16));
  b.round({});
  EXPECT_EQ(first(), "node-b") << "a not seen for 46 s: b leads";
}
