// Shutting down while a request waits on the I/O thread for the registry version (ADR 0018) and
// PostgreSQL does not answer that read (the registry_version row is locked by another session, as
// a hung server would leave it): the waiter gets 503 shutting_down within the grace period, before
// the server's io_context goes, and hazmond stops within the grace period.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include <hazmon/storage/database.hpp>

#include "test_server.hpp"

using namespace hazmon::test;

namespace {
long long blocked_version_reads() {
  return shared_db().db().in_tx([](hazmon::storage::Tx& tx) {
    return tx
        .exec_one(
            "SELECT count(*) AS n FROM pg_locks WHERE NOT granted AND relation = "
            "'registry_version'::regclass AND database = (SELECT oid FROM pg_database WHERE "
            "datname = current_database())")["n"]
        .get<long long>();
  });
}
}  // namespace

TEST(ReadCacheShutdown, AWaiterOnAHungVersionReadGets503AndTheServerStopsWithinTheGrace) {
  TestServerOptions o;
  o.shutdown_grace_ms = 3000;
  o.version_statement_timeout_ms = 60000;  // the read would hang far beyond the grace period
  TestServer srv(shared_db(), o);
  auto token = srv.make_user("rc_shutdown", "province_admin");
  const std::string list = "/api/v1/enterprises?limit=5";
  ASSERT_EQ(srv.client().get(list, token).status, 200);  // made on a worker: the session is known
  ASSERT_EQ(srv.client().get(list, token).status, 200);  // and the next one a hit

  auto lock = shared_db().db().begin();
  lock.exec("LOCK TABLE registry_version IN ACCESS EXCLUSIVE MODE");
  auto waiting = std::async(std::launch::async, [&] { return srv.client().get(list, token); });
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (blocked_version_reads() == 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_GE(blocked_version_reads(), 1) << "the version read never blocked on the lock";
  EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the request was answered while its version read was blocked";

  const auto t0 = std::chrono::steady_clock::now();
  srv.stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, std::chrono::milliseconds(o.shutdown_grace_ms))
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";

  ASSERT_EQ(waiting.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto r = waiting.get();
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  auto body = r.json();
  EXPECT_EQ(body["code"], "unavailable");
  EXPECT_NE(body["detail"].get<std::string>().find("shutting down"), std::string::npos);
  EXPECT_FALSE(r.header("retry-after").empty());
}
