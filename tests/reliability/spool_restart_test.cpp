// kill -9 of hazmond while PostgreSQL is away (uploads acknowledged from the spool only), then
// PostgreSQL and hazmond come back and the gateways resend everything: the spooled uploads are
// applied once, and the resends, acknowledged or not, store nothing twice.
#include <gtest/gtest.h>

#include <hazmon/storage/database.hpp>

#include <cstdlib>

#include "hazmond_process.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace hazmon::test::rel;

namespace {
constexpr const char* kCompany = "14060000002";
constexpr const char* kHazard = "14060000002001";
constexpr int kItems = 10;

struct Guard {
  PrivateCluster& pg;
  bool up = false;
  ~Guard() {
    if (up) try {
        pg.stop();
      } catch (const std::exception&) {
      }
  }
};
}  // namespace

TEST(Reliability, Kill9WhilePostgresIsAwayThenResendStoresEverythingOnce) {
  auto t_start = steady_clock::now();
  auto dir = temp_dir("hazmon-spk9-");
  PrivateCluster pg(dir / "pg");
  Guard guard{pg};
  pg.start();
  guard.up = true;
  std::string saved = std::getenv("HAZMON_TEST_PG_DSN") ? std::getenv("HAZMON_TEST_PG_DSN") : "";
  ::setenv("HAZMON_TEST_PG_DSN", pg.admin_dsn.c_str(), 1);
  auto db = std::make_unique<TestDatabase>();
  ::setenv("HAZMON_TEST_PG_DSN", saved.c_str(), 1);
  std::string token;
  {
    TestServer setup(*db);
    auto admin = setup.make_user("sk_admin", "province_admin");
    auto c = setup.client();
    auto ok = [](const HttpResult& r) {
      if (r.status != 201) throw std::runtime_error(r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kCompany}, {"name", "朔州重启化工有限公司"}, {"region_code", "140600"}},
        admin));
    ok(c.post_json(
        "/api/v1/hazard-sources",
        {{"hazard_code", kHazard}, {"company_code", kCompany}, {"name", "罐区"}, {"rank", 2}},
        admin));
    for (int p = 0; p < kItems; ++p)
      ok(c.post_json("/api/v1/monitoring-points",
                     {{"quota_code", "SKLIT" + std::to_string(p)},
                      {"company_code", kCompany},
                      {"hazard_code", kHazard},
                      {"name", "液位"},
                      {"indicator_type", "level"},
                      {"value_kind", "analog"},
                      {"range_low", 0},
                      {"range_high", 20}},
                     admin));
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin));
    token = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
  }

  Hazmond server(dir / "hazmond", db->dsn());
  std::atomic<unsigned short> port{server.start()};
  auto base_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() - 700000;
  Gateways gw(
      token, 2,
      [&](int t, int seq) -> json {
        if (seq >= 3000) return nullptr;
        json datas = json::array();
        for (int i = 0; i < kItems; ++i)
          datas.push_back({{"quotaCode", "SKLIT" + std::to_string(i)},
                           {"collectTime", core::format_rfc3339(core::SysTime{
                                               milliseconds(base_ms + (t * 3000 + seq) * 100LL)})},
                           {"value", 4.0 + i * 0.5}});
        return {{"companyCode", kCompany},
                {"dataId", "sk-" + std::to_string(t) + "-" + std::to_string(seq)},
                {"reportType", "realtime"},
                {"sendTime", core::format_rfc3339(system_clock::now())},
                {"datas", datas}};
      },
      milliseconds(10));
  gw.start(port);
  std::this_thread::sleep_for(seconds(1));  // some uploads straight into PostgreSQL
  pg.stop();
  std::this_thread::sleep_for(seconds(3));  // the rest into the spool only
  server.kill9();
  std::this_thread::sleep_for(milliseconds(200));
  gw.stop();
  auto sent = gw.all();
  std::size_t acked = 0;
  for (const auto& s : sent) acked += s.status == 200;
  std::printf("before kill -9: %zu uploads, %zu answered 200\n", sent.size(), acked);
  ASSERT_GT(acked, 5u) << server.problems();
  ASSERT_GT(sent.size(), acked);

  pg.start();
  port = server.start();
  // Everything again, in the order each gateway first sent it.
  for (const auto& s : sent) {
    auto r = HttpsClient(port).post_json("/api/v1/upload/realtime", s.body, token);
    ASSERT_EQ(r.status, 200) << s.data_id << ": " << r.body << server.problems();
    if (s.status == 200) {
      EXPECT_EQ(r.json(), s.reply) << s.data_id;
    }
    EXPECT_EQ(r.json()["accepted"], kItems) << s.data_id;
  }
  storage::DbSettings ds;
  ds.dsn = db->dsn();
  ds.pool_size = 1;
  storage::Database check(ds);
  auto count = [&](const std::string& sql) {
    return check.in_tx([&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
  };
  EXPECT_EQ(count("SELECT count(*) AS n FROM upload_batch"), static_cast<long long>(sent.size()));
  EXPECT_EQ(count("SELECT count(*) AS n FROM reading"),
            static_cast<long long>(sent.size()) * kItems);
  EXPECT_EQ(count("SELECT count(*) AS n FROM (SELECT point_id, collect_ts FROM reading GROUP BY 1, "
                  "2 HAVING count(*) > 1) d"),
            0);

  EXPECT_EQ(server.terminate(), 0) << server.output();
  db.reset();
  pg.stop();
  guard.up = false;
  fs::remove_all(dir);
  std::printf("kill -9 with PostgreSQL away took %.1f s\n",
              duration<double>(steady_clock::now() - t_start).count());
}
