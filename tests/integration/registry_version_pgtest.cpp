// The registry version (migration 0016, storage::RegistryVersion; ADR 0018): every registry write
// moves it in its own transaction (once per transaction, not for a gateway's last_seen_at), a read
// that starts after a commit sees it, and concurrent callers share round trips.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <hazmon/storage/database.hpp>
#include <hazmon/storage/registry_version.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "test_database.hpp"

using hazmon::storage::RegistryVersion;
using namespace hazmon::test;

namespace {
long long stored(TestDatabase& db) {
  return db.db().in_tx([](hazmon::storage::Tx& tx) {
    return *tx.one<long long>("SELECT version FROM registry_version");
  });
}
}  // namespace

TEST(RegistryVersionPg, EveryRegistryWriteMovesItOncePerTransaction) {
  TestDatabase db;
  RegistryVersion rv(db.dsn());
  auto v0 = rv.current();
  ASSERT_TRUE(v0);
  EXPECT_EQ(*v0, stored(db));

  db.exec(
      "INSERT INTO enterprise(company_code, name, region_code) VALUES ('14010099001', 'rv 甲', "
      "'140100')");
  auto v1 = rv.current();
  ASSERT_TRUE(v1);
  EXPECT_GT(*v1, *v0);

  // Many rows and tables in one transaction: one step.
  db.db().in_tx([](hazmon::storage::Tx& tx) {
    tx.exec_count(
        "INSERT INTO enterprise(company_code, name, region_code) SELECT '140100990' || "
        "lpad(i::text, "
        "2, '0'), 'rv ' || i, '140100' FROM generate_series(10, 40) i");
    tx.exec_count(
        "INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES "
        "('14010099001001', "
        "'14010099001', 'rv 罐区', 2)");
    tx.exec_count("UPDATE enterprise SET address = 'x' WHERE company_code LIKE '1401009900%'");
  });
  EXPECT_EQ(*rv.current(), *v1 + 1);

  // A rolled-back write leaves it where it was.
  {
    auto tx = db.db().begin();
    tx.exec_count("UPDATE enterprise SET address = 'y' WHERE company_code = '14010099001'");
  }
  EXPECT_EQ(*rv.current(), *v1 + 1);

  // A gateway's last_seen_at (every upload moves it) is not a registry write; its name is.
  db.exec(
      "INSERT INTO gateway(gateway_code, company_code, name) VALUES ('RVGW0000001', "
      "'14010099001', 'rv 网关')");
  const auto with_gateway = *rv.current();
  EXPECT_EQ(with_gateway, *v1 + 2);
  db.exec("UPDATE gateway SET last_seen_at = now() WHERE gateway_code = 'RVGW0000001'");
  EXPECT_EQ(*rv.current(), with_gateway);
  db.exec("UPDATE gateway SET name = 'rv 网关二' WHERE gateway_code = 'RVGW0000001'");
  EXPECT_EQ(*rv.current(), with_gateway + 1);
  // Deleting and truncating count too.
  db.exec("DELETE FROM gateway WHERE gateway_code = 'RVGW0000001'");
  EXPECT_EQ(*rv.current(), with_gateway + 2);
  db.exec("TRUNCATE hazard_source CASCADE");
  EXPECT_GT(*rv.current(), with_gateway + 2);
}

TEST(RegistryVersionPg, ConcurrentCallersShareReadsAndSeeEveryCommit) {
  TestDatabase db;
  RegistryVersion rv(db.dsn());
  constexpr int kThreads = 16, kCalls = 200;
  std::atomic<bool> stop{false};
  std::atomic<long long> stale{0};
  // A writer commits while the readers run; each reader checks that a call which began after a
  // commit returned never answers an older number.
  std::atomic<long long> committed{stored(db)};
  std::thread writer([&] {
    for (int i = 0; i < 20 && !stop; ++i) {
      db.exec("UPDATE region SET name = name WHERE code = '140100'");
      committed = stored(db);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < kThreads; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        long long floor = committed.load();
        auto v = rv.current();
        if (!v || *v < floor) ++stale;
      }
    });
  }
  for (auto& r : readers) r.join();
  stop = true;
  writer.join();
  EXPECT_EQ(stale.load(), 0);
  // Callers waiting together were served by one round trip.
  EXPECT_LT(rv.reads(), static_cast<std::uint64_t>(kThreads * kCalls));
  EXPECT_EQ(*rv.current(), stored(db));
}

TEST(RegistryVersionPg, AnUnreachableDatabaseAnswersNothingRatherThanAnOldNumber) {
  RegistryVersion rv("host=/nonexistent-socket-dir port=1 user=nobody dbname=none",
                     std::chrono::milliseconds(500));
  EXPECT_FALSE(rv.current().has_value());
  EXPECT_FALSE(rv.current().has_value());
}

// The non-blocking form the I/O threads use (ADR 0018, "answered on the I/O thread"): callers
// that do not wait are held to the same rule, a read that began after the call, and share reads.
TEST(RegistryVersionPg, AsyncCallersAreServedByAReadBegunAfterTheyCame) {
  TestDatabase db;
  auto rv = std::make_unique<RegistryVersion>(db.dsn());
  constexpr int kCallers = 4, kCalls = 300;
  std::atomic<bool> stop{false};
  std::atomic<long long> stale{0}, answered{0}, empty{0};
  std::atomic<long long> committed{stored(db)};
  std::thread writer([&] {
    for (int i = 0; i < 20 && !stop; ++i) {
      db.exec("UPDATE region SET name = name WHERE code = '140100'");
      committed = stored(db);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < kCalls; ++i) {
        const long long floor = committed.load();
        rv->current_async([&, floor](std::optional<std::int64_t> v) {
          if (!v)
            ++empty;
          else if (*v < floor)
            ++stale;
          ++answered;
        });
        if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
  }
  for (auto& c : callers) c.join();
  stop = true;
  writer.join();
  for (int i = 0; i < 500 && answered.load() < kCallers * kCalls; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(answered.load(), kCallers * kCalls);
  EXPECT_EQ(stale.load(), 0);
  EXPECT_EQ(empty.load(), 0);
  // Callers that came while a read was in flight were served together by the next one.
  EXPECT_LT(rv->reads(), static_cast<std::uint64_t>(kCallers * kCalls) / 4);
  // A write committed before a call is in its answer.
  db.exec("UPDATE region SET name = name WHERE code = '140100'");
  const long long now = stored(db);
  std::promise<std::optional<std::int64_t>> seen;
  rv->current_async([&seen](std::optional<std::int64_t> v) { seen.set_value(v); });
  auto got = seen.get_future().get();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, now);
  // Destroyed with nothing in flight, a later object still answers; callers after destruction
  // cannot exist, so the reader ends cleanly.
  rv.reset();
}

TEST(RegistryVersionPg, AsyncCallersOfAnUnreachableDatabaseGetNothing) {
  RegistryVersion rv("host=/nonexistent-socket-dir port=1 user=nobody dbname=none",
                     std::chrono::milliseconds(500));
  std::promise<std::optional<std::int64_t>> seen;
  rv.current_async([&seen](std::optional<std::int64_t> v) { seen.set_value(v); });
  auto f = seen.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_FALSE(f.get().has_value());
}

// A database endpoint that accepts the connection and never answers (a hung server, a dead
// proxy): connect_timeout bounds the read, so its callers are answered and a later read tries
// again; without it libpq waits for the server's first message for ever.
TEST(RegistryVersionPg, AnEndpointThatNeverAnswersIsGivenUpAfterTheConnectTimeout) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 16), 0);  // the kernel completes handshakes; nobody ever answers
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string dsn = "host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port)) +
                          " user=nobody dbname=none sslmode=disable";
  {
    RegistryVersion rv(dsn, std::chrono::milliseconds(60000), std::chrono::seconds(2));
    std::promise<std::optional<std::int64_t>> seen;
    const auto t0 = std::chrono::steady_clock::now();
    rv.current_async([&seen](std::optional<std::int64_t> v) { seen.set_value(v); });
    auto f = seen.get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(8)), std::future_status::ready)
        << "the read did not give up on the silent endpoint";
    EXPECT_FALSE(f.get().has_value());
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(took, std::chrono::milliseconds(1500));  // it did wait for the endpoint
    EXPECT_FALSE(rv.stopped());
  }
  ::close(listener);
}

TEST(RegistryVersionPg, ConnectTimeoutIsAddedToEitherDsnForm) {
  EXPECT_EQ(RegistryVersion::with_connect_timeout("host=/run/pg dbname=h", std::chrono::seconds(5)),
            "host=/run/pg dbname=h connect_timeout=5");
  EXPECT_EQ(RegistryVersion::with_connect_timeout("", std::chrono::seconds(3)),
            "connect_timeout=3");
  EXPECT_EQ(RegistryVersion::with_connect_timeout("postgresql://h/db", std::chrono::seconds(2)),
            "postgresql://h/db?connect_timeout=2");
  EXPECT_EQ(RegistryVersion::with_connect_timeout("postgres://h/db?sslmode=require",
                                                  std::chrono::seconds(7)),
            "postgres://h/db?sslmode=require&connect_timeout=7");
}

// Shutdown while PostgreSQL does not answer the read (the row locked by another session; its
// statement_timeout far away): stop() gives the waiters its patience, then answers them and every
// later caller nullopt with stopped() set, and the destructor returns at once (the read is cut).
TEST(RegistryVersionPg, StopAnswersWaitersOfAHungReadAndCutsIt) {
  TestDatabase db;
  auto rv = std::make_unique<RegistryVersion>(db.dsn(), std::chrono::milliseconds(60000));
  ASSERT_TRUE(rv->current().has_value());  // connected and prepared

  auto lock = db.db().begin();
  lock.exec("LOCK TABLE registry_version IN ACCESS EXCLUSIVE MODE");
  constexpr int kWaiters = 5;
  std::vector<std::promise<std::optional<std::int64_t>>> seen(kWaiters);
  for (auto& s : seen) rv->current_async([&s](std::optional<std::int64_t> v) { s.set_value(v); });
  auto blocked = [&db] {
    return db.db().in_tx([](hazmon::storage::Tx& tx) {
      return *tx.one<long long>(
          "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = "
          "'registry_version'::regclass AND database = (SELECT oid FROM pg_database WHERE "
          "datname = current_database())");
    });
  };
  for (int i = 0; i < 500 && blocked() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GE(blocked(), 1);
  auto first = seen[0].get_future();
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);

  const auto t0 = std::chrono::steady_clock::now();
  rv->stop(std::chrono::milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(250));  // the patience was given
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_TRUE(rv->stopped());
  ASSERT_EQ(first.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  EXPECT_FALSE(first.get().has_value());
  for (int i = 1; i < kWaiters; ++i) {
    auto f = seen[i].get_future();
    ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready) << i;
    EXPECT_FALSE(f.get().has_value());
  }
  // A later caller is answered at once, on its own thread.
  bool later = false;
  rv->current_async([&later](std::optional<std::int64_t> v) { later = !v.has_value(); });
  EXPECT_TRUE(later);
  EXPECT_FALSE(rv->current().has_value());

  const auto t1 = std::chrono::steady_clock::now();
  rv.reset();  // joins the reader: its blocked read was cut by stop()
  EXPECT_LT(std::chrono::steady_clock::now() - t1, std::chrono::seconds(2));
}

// With a database that answers, stop() lets the read in flight serve its waiters as usual.
TEST(RegistryVersionPg, StopLetsAHealthyReadServeItsWaiters) {
  TestDatabase db;
  RegistryVersion rv(db.dsn());
  const long long now = stored(db);
  std::promise<std::optional<std::int64_t>> seen;
  rv.current_async([&seen](std::optional<std::int64_t> v) { seen.set_value(v); });
  rv.stop(std::chrono::seconds(5));
  auto f = seen.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  auto v = f.get();
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, now);
  EXPECT_TRUE(rv.stopped());
}
