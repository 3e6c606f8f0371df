// The live stream between nodes (node.cluster, ADR 0028): what one node's relay sends, the other
// node's relay delivers (kind, enterprise and JSON as sent), and no node delivers its own.
#include <gtest/gtest.h>

#include <hazmon/storage/live_relay.hpp>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace std::chrono;
using hazmon::test::TestDatabase;

namespace {
struct Inbox {
  std::mutex mu;
  std::vector<std::string> got;
  storage::LiveRelay::Deliver deliver() {
    return [this](const std::string& k, const std::string& c, const std::string& j) {
      std::lock_guard lock(mu);
      got.push_back(k + "|" + c + "|" + j);
    };
  }
  std::vector<std::string> wait_for(std::size_t n) {
    auto deadline = steady_clock::now() + seconds(10);
    while (steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mu);
        if (got.size() >= n) return got;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    std::lock_guard lock(mu);
    return got;
  }
};

void wait_connected(const storage::LiveRelay& r) {
  auto deadline = steady_clock::now() + seconds(10);
  while (!r.connected() && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(20));
  ASSERT_TRUE(r.connected());
}
}  // namespace

TEST(LiveRelay, AnotherNodesChangesArriveAndOwnOnesDoNot) {
  TestDatabase db;
  Inbox at_a, at_b;
  storage::LiveRelay a(db.dsn(), "node-a", at_a.deliver());
  storage::LiveRelay b(db.dsn(), "node-b", at_b.deliver());
  a.start();
  b.start();
  wait_connected(a);
  wait_connected(b);
  std::this_thread::sleep_for(milliseconds(300));  // both LISTENing
  a.send("alarm", "14070000035", R"({"point_id":1,"transition":"raised","note":"液位高高"})");
  b.send("warning", "14070000036", R"({"id":7})");
  auto got_b = at_b.wait_for(1);
  auto got_a = at_a.wait_for(1);
  ASSERT_EQ(got_b.size(), 1u);
  EXPECT_EQ(got_b[0],
            R"(alarm|14070000035|{"point_id":1,"transition":"raised","note":"液位高高"})");
  ASSERT_EQ(got_a.size(), 1u);
  EXPECT_EQ(got_a[0], R"(warning|14070000036|{"id":7})");
  std::this_thread::sleep_for(milliseconds(300));  // nothing more comes: no node hears itself
  EXPECT_EQ(at_a.wait_for(1).size(), 1u);
  EXPECT_EQ(at_b.wait_for(1).size(), 1u);
  // A change larger than NOTIFY carries is dropped and counted, not sent in pieces.
  a.send("warning", "14070000035", std::string(9000, 'x'));
  EXPECT_EQ(a.dropped(), 1u);
  a.stop();
  b.stop();
}
