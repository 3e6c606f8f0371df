// The live stream: an alarm raised by an upload is pushed to a subscribed dashboard (within the
// read window; typically milliseconds), and only to dashboards whose scope covers the enterprise.
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>

#include <iostream>
#include <thread>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

TEST(LiveStream, AlarmReachesTheDashboardsThatMaySeeIt) {
  TestServer srv(shared_db());
  auto c = srv.client();
  auto admin = srv.make_user("stream_admin", "province_admin");
  const std::string company = "14010000077", hazard = company + "001";
  ASSERT_EQ(
      c.post_json("/api/v1/enterprises",
                  {{"company_code", company}, {"name", "直播测试化工"}, {"region_code", "140100"}},
                  admin)
          .status,
      201);
  ASSERT_EQ(
      c.post_json(
           "/api/v1/hazard-sources",
           {{"hazard_code", hazard}, {"company_code", company}, {"name", "罐区"}, {"rank", 1}},
           admin)
          .status,
      201);
  ASSERT_EQ(c.post_json("/api/v1/monitoring-points",
                        {{"quota_code", "ST-OVF-77"},
                         {"company_code", company},
                         {"hazard_code", hazard},
                         {"name", "溢流报警"},
                         {"indicator_type", "overflow"},
                         {"value_kind", "switch"},
                         {"debounce_s", 0}},
                        admin)
                .status,
            201);
  auto cred = c.post_json(
      "/api/v1/credentials",
      {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", company}}}}, admin);
  ASSERT_EQ(cred.status, 201);
  auto gateway =
      cred.json()["app_id"].get<std::string>() + "." + cred.json()["secret"].get<std::string>();
  auto taiyuan = srv.make_user("stream_taiyuan", "city_officer", "140100");
  auto datong = srv.make_user("stream_datong", "city_officer", "140200");

  auto upload = [&] {
    json body = {{"companyCode", company},
                 {"dataId", "stream-1"},
                 {"reportType", "realtime"},
                 {"sendTime", core::format_rfc3339(srv.clock().now())},
                 {"datas", json::array({{{"quotaCode", "ST-OVF-77"},
                                         {"collectTime", core::format_rfc3339(srv.clock().now())},
                                         {"switchValue", 1}}})}};
    auto r = c.post_json("/api/v1/upload/realtime", body, gateway);
    ASSERT_EQ(r.status, 200) << r.body;
  };
  // Datong's dashboard listens in parallel and must see nothing of a Taiyuan enterprise.
  std::string datong_got;
  std::thread other([&] {
    datong_got = c.read_stream("/api/v1/stream", datong, "ST-OVF-77", milliseconds(2500), {});
  });
  std::this_thread::sleep_for(milliseconds(300));
  steady_clock::time_point sent;
  auto got = c.read_stream("/api/v1/stream", taiyuan, "\"quota_code\":\"ST-OVF-77\"",
                           milliseconds(5000), [&] {
                             sent = steady_clock::now();
                             upload();
                           });
  auto latency = steady_clock::now() - sent;
  other.join();
  ASSERT_NE(got.find("text/event-stream"), std::string::npos) << got;
  ASSERT_NE(got.find("event: alarm"), std::string::npos) << got;
  EXPECT_NE(got.find("\"alarm_type\":\"SWITCH\""), std::string::npos) << got;
  // Pushed, not polled: it arrived inside the 5 s read window. The time is printed, not asserted
  // (latency targets live in benchmarks, and a loaded CI machine makes any bound flaky).
  std::cout << "alarm on the stream after " << duration_cast<milliseconds>(latency).count()
            << " ms\n";
  EXPECT_EQ(datong_got.find("ST-OVF-77"), std::string::npos) << datong_got;
  EXPECT_NE(datong_got.find(": connected"), std::string::npos) << datong_got;
  // Machines do not get a stream; nobody without a token does.
  EXPECT_EQ(c.get("/api/v1/stream", gateway).status, 403);
  EXPECT_EQ(c.get("/api/v1/stream").status, 401);
}
