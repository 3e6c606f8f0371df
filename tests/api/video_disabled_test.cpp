// A server without a VideoService: what a hazmond built with HAZMON_WITH_VIDEO=OFF serves (and a
// TestServer without `video`). Every video route still exists and answers 404 with the stable
// code video_disabled (src/http/problem_table.cpp), after authentication; other paths keep
// their own answers.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;

namespace {

struct Call {
  std::string method, target;
};

const std::vector<Call> kVideoRoutes = {
    {"GET", "/api/v1/video/events"},
    {"GET", "/api/v1/video/events/1"},
    {"POST", "/api/v1/video/events/1/review"},
    {"GET", "/api/v1/video/events/1/snapshot"},
    {"GET", "/api/v1/video/events/1/clip"},
    {"GET", "/api/v1/video/statistics"},
    {"GET", "/api/v1/video/segments/1"},
    {"GET", "/api/v1/video/cameras"},
    {"GET", "/api/v1/cameras/CAM1/status"},
    {"PUT", "/api/v1/cameras/CAM1/credential"},
    {"DELETE", "/api/v1/cameras/CAM1/credential"},
    {"GET", "/api/v1/cameras/CAM1/playback.m3u8?from=2026-12-01T00:00:00Z&to=2026-12-01T01:00:00Z"},
    {"GET", "/api/v1/cameras/CAM1/live.m3u8"},
};

HttpResult call(HttpsClient& c, const Call& k, const std::string& token) {
  if (k.method == "GET") return c.get(k.target, token);
  if (k.method == "DELETE") return c.del(k.target, token);
  json body = k.method == "PUT" ? json{{"username", "u"}, {"password", "p"}}
                                : json{{"decision", "confirm"}};
  if (k.method == "PUT") {
    std::vector<std::pair<std::string, std::string>> h = {{"Content-Type", "application/json"}};
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    return c.request("PUT", k.target, body.dump(), h);
  }
  return c.post_json(k.target, body, token);
}

}  // namespace

TEST(VideoDisabled, EveryVideoRouteAnswersVideoDisabled) {
  TestServer srv(shared_db());
  auto c = srv.client();
  auto admin = srv.make_user("vdis" + std::to_string(std::random_device{}()), "province_admin");
  for (const auto& k : kVideoRoutes) {
    SCOPED_TRACE(k.method + " " + k.target);
    auto r = call(c, k, admin);
    ASSERT_EQ(r.status, 404) << r.body;
    auto p = r.json();
    EXPECT_EQ(p["code"], "video_disabled");
    EXPECT_EQ(p["type"], "https://hazmon.example/problems/video_disabled");
    EXPECT_TRUE(p["request_id"].is_string());
    // Without a session it is still 401 first: the answer says nothing to strangers.
    EXPECT_EQ(call(c, k, "").status, 401);
  }
  // A path that is not a route stays route_not_found; the rest of the API serves.
  auto wrong = c.get("/api/v2/video/events", admin);
  EXPECT_EQ(wrong.status, 404);
  EXPECT_EQ(wrong.json()["code"], "route_not_found");
  EXPECT_EQ(c.get("/api/v1/enterprises?limit=1", admin).status, 200);
}
