#include <gtest/gtest.h>

#include "test_server.hpp"

using namespace hazmon::test;

TEST(ApiSmoke, HealthReadyAndLogin) {
  TestServer srv(shared_db());
  auto c = srv.client();
  auto h = c.get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(c.get("/readyz").status, 200);
  auto admin = srv.make_user("smoke_admin", "province_admin");
  auto me = c.get("/api/v1/auth/me", admin);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["role"], "province_admin");
  auto m = c.get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("hazmon_http_requests_total"), std::string::npos);
}
