// The systemd watchdog is fed only while every long-running worker turns: a worker whose job
// hangs stops the pings (Platform::alive), /readyz names it, and both recover when it turns again.
#include <gtest/gtest.h>

#include <hazmon/app/platform.hpp>
#include <hazmon/core/clock.hpp>
#include <hazmon/core/liveness.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/service/notification_service.hpp>

#include <algorithm>
#include <future>
#include <thread>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;

namespace {
template <typename F>
bool eventually(F pred, std::chrono::milliseconds within = std::chrono::seconds(10)) {
  auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}
bool names(const std::vector<std::string>& v, const std::string& n) {
  return std::find(v.begin(), v.end(), n) != v.end();
}
}  // namespace

TEST(Watchdog, AHungWorkerStopsThePingsAndFailsReadiness) {
  TestServer srv(shared_db());
  auto& platform = srv.platform();
  auto c = srv.client();
  ASSERT_TRUE(platform.alive()) << "stalled at start: "
                                << ::testing::PrintToString(platform.stalled_workers());
  ASSERT_EQ(c.get("/readyz").status, 200);

  // The test hook: a worker on the platform's registry whose job blocks until released.
  core::SerialWorkerOptions o;
  o.name = "test-hung";
  o.allowance = std::chrono::milliseconds(300);
  o.liveness = &platform.liveness();
  core::SerialWorker worker(o);
  worker.start();
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  ASSERT_TRUE(worker.post([released, &entered] {
    entered.set_value();
    released.wait();
  }));
  entered.get_future().wait();

  ASSERT_TRUE(eventually([&] { return names(platform.stalled_workers(), "test-hung"); }))
      << "the hung worker was never reported";
  EXPECT_FALSE(platform.alive());  // the watchdog predicate: no WATCHDOG=1 while it hangs
  auto r = c.get("/readyz");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("test-hung"), std::string::npos) << r.body;
  EXPECT_EQ(c.get("/healthz").status, 200);  // the process itself still answers

  release.set_value();
  EXPECT_TRUE(eventually([&] { return platform.alive(); }))
      << ::testing::PrintToString(platform.stalled_workers());
  EXPECT_EQ(c.get("/readyz").status, 200);
  worker.stop(core::SerialWorker::OnStop::drain, std::chrono::seconds(5));
  EXPECT_TRUE(platform.alive());
}

// The services' workers are on the watchdog's registry (warnings and notify joined it last:
// before, a hung warnings or notify thread went unnoticed). The test server runs ticks by hand
// and starts no notify sender, so the sender is started here on a registry of its own.
TEST(Watchdog, TheServicesWorkersAreWatched) {
  TestServer srv(shared_db());
  std::vector<std::string> enrolled;
  for (const auto& r : srv.platform().liveness().report()) enrolled.push_back(r.name);
  for (const char* w :
       {"ingest-writer", "ingest-ticker", "ingest-tasks", "ingest-loader", "warnings"})
    EXPECT_TRUE(names(enrolled, w))
        << w << " not enrolled; enrolled: " << ::testing::PrintToString(enrolled);

  core::Liveness registry;
  core::SystemClock clock;
  service::NotificationService notify(shared_db().db(), service::NotifySettings{}, clock, nullptr,
                                      nullptr, nullptr, &registry);
  notify.start();
  std::vector<std::string> mine;
  for (const auto& r : registry.report()) mine.push_back(r.name);
  EXPECT_EQ(mine, std::vector<std::string>{"notify"});
  notify.stop();
}
