// 可视化调度 in a real browser (ctest dashboard_calls, label dashboard; docs/calls.md): hazmond's
// whole wiring (TestServer) serving the built dashboard (web/dist) with calls on, a real Janus
// (Debian's janus, started on free loopback ports by JanusServer), and tests/dashboard/calls.mjs
// driving two headless Chromium contexts with fake camera and microphone: the province calls a
// city, the city answers from its banner, each sees the other's video, the province hangs up.
// Chromium, Node.js, janus and the npm packages come from scripts/setup.sh: a missing one is a
// failure, except janus where only the API tests' skip applies (it is in setup.sh). The browser's
// log and screenshots are in <build>/tests/dashboard-calls/.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "child_process.hpp"
#include "janus_server.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
namespace fs = std::filesystem;

TEST(DashboardCalls, TwoDutyRoomsSeeEachOtherThroughJanus) {
  const fs::path source = HAZMON_SOURCE_DIR;
  ASSERT_TRUE(fs::exists(HAZMON_NODE)) << "Node.js is missing (scripts/setup.sh)";
  ASSERT_TRUE(fs::exists(source / "web/dist/index.html"))
      << "web/dist is not built (npm run build)";
  ASSERT_TRUE(fs::exists("/usr/bin/chromium")) << "chromium is missing (scripts/setup.sh)";
  ASSERT_TRUE(JanusServer::available()) << "janus is missing (scripts/setup.sh)";
  const fs::path work = HAZMON_WORK_DIR;
  fs::remove_all(work);
  fs::create_directories(work);
  // A copy of the app: others rebuilding web/dist in a shared tree would pull files away.
  fs::copy(source / "web/dist", work / "dist", fs::copy_options::recursive);

  JanusServer janus;
  TestServerOptions o;
  o.static_dir = (work / "dist").string();
  o.calls = janus.calls_config<json>();
  TestServer srv(shared_db(), o);
  srv.make_user("calls_prov", "province_officer");
  srv.make_user("calls_city", "city_officer", "140700");  // 晋中市

  auto node = spawn({HAZMON_NODE, (source / "tests/dashboard/calls.mjs").string()},
                    {"HAZMON_URL=https://127.0.0.1:" + std::to_string(srv.port()),
                     "HAZMON_CALLER=calls_prov", "HAZMON_CALLEE=calls_city",
                     std::string("HAZMON_PASSWORD=") + TestServer::kPassword, "HAZMON_CITY=140700",
                     "HAZMON_WORK_DIR=" + work.string(), "HAZMON_CHROMIUM=/usr/bin/chromium"});
  int rc = wait_exit(node, std::chrono::seconds(120));
  std::ofstream(work / "calls.log") << node.output;
  EXPECT_EQ(rc, 0) << node.output << "\n(the browser's log: " << (work / "browser.log").string()
                   << ")";
  std::cout << node.output;
}
