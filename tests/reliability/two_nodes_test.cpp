// Two hazmond processes with node.cluster on one database (ADR 0028): uploads for one point,
// alternated between the nodes, cross its HH limit with a debounce that spans both nodes, then
// come back. Exactly one alarm episode is raised and closed once, and exactly one warning event
// is opened; both nodes are listed, alive, at GET /api/v1/nodes.
#include <gtest/gtest.h>

#include <hazmon/storage/database.hpp>

#include "hazmond_process.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace hazmon::test::rel;

namespace {
constexpr const char* kCompany = "14110000032";  // 吕梁: no other test of this binary uses it
constexpr const char* kQuota = "TWONODEPT1";

long long count(storage::Database& db, const std::string& sql) {
  return db.in_tx([&](storage::Tx& tx) { return *tx.one<long long>(sql, {kCompany}); });
}
}  // namespace

TEST(Reliability, TwoNodesAlternatingUploadsRaiseOneAlarmAndOneWarning) {
  TestDatabase db;
  std::string token, admin;
  {
    TestServer setup(db);
    admin = setup.make_user("tn_admin", "province_admin");
    auto c = setup.client();
    auto ok = [](const HttpResult& r) {
      if (r.status != 201) throw std::runtime_error(r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kCompany}, {"name", "吕梁双节点化工有限公司"}, {"region_code", "141100"}},
        admin));
    ok(c.post_json("/api/v1/hazard-sources",
                   {{"hazard_code", std::string(kCompany) + "001"},
                    {"company_code", kCompany},
                    {"name", "罐区"},
                    {"rank", 2}},
                   admin));
    ok(c.post_json("/api/v1/monitoring-points",
                   {{"quota_code", kQuota},
                    {"company_code", kCompany},
                    {"hazard_code", std::string(kCompany) + "001"},
                    {"name", "1#罐液位"},
                    {"indicator_type", "level"},
                    {"value_kind", "analog"},
                    {"unit", "m"},
                    {"range_low", 0},
                    {"range_high", 20},
                    {"h", 10},
                    {"hh", 15},
                    {"debounce_s", 20}},
                   admin));
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin));
    token = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
  }

  auto dir = temp_dir("hazmon-2n-");
  Hazmond a(dir / "a", db.dsn(), {{"node", {{"id", "node-a"}, {"cluster", true}}}});
  Hazmond b(dir / "b", db.dsn(), {{"node", {{"id", "node-b"}, {"cluster", true}}}});
  unsigned short ports[2] = {a.start(), b.start()};

  // One reading per upload, 5 s apart, ending 10 s ago (not late): HH from the third on, held
  // for 20 s (the debounce) across both nodes, then back under H.
  const std::vector<double> values = {5, 5, 16, 16, 16, 16, 16, 16, 5, 5};
  auto t0 = time_point_cast<seconds>(system_clock::now()) - seconds(5 * values.size() + 5);
  // The uploads go while a dashboard listens on node b: node a evaluates the samples that
  // complete the debounce and the return (uploads 6 and 8), and b's stream shows them (the
  // relay between nodes, storage::LiveRelay).
  std::vector<int> statuses;
  auto send_all = [&] {
    for (std::size_t i = 0; i < values.size(); ++i) {
      json body = {{"companyCode", kCompany},
                   {"dataId", "tn-" + std::to_string(i)},
                   {"reportType", "realtime"},
                   {"sendTime", core::format_rfc3339(system_clock::now())},
                   {"datas",
                    {{{"quotaCode", kQuota},
                      {"collectTime", core::format_rfc3339(t0 + seconds(5 * i))},
                      {"value", values[i]}}}}};
      auto r = HttpsClient(ports[i % 2]).post_json("/api/v1/upload/realtime", body, token);
      statuses.push_back(r.status);
    }
  };
  auto stream_b = HttpsClient(ports[1]).read_stream("/api/v1/stream", admin, kQuota,
                                                    milliseconds(15000), send_all);
  ASSERT_EQ(statuses, std::vector<int>(values.size(), 200)) << a.problems() << b.problems();
  EXPECT_NE(stream_b.find(kQuota), std::string::npos)
      << "node b's stream did not carry node a's alarm: " << stream_b.substr(0, 2000);

  // Each alarm change is evaluated by one node: summed over both nodes, one raise and one clear
  // (without node.cluster each node raises and clears from its own half of the samples).
  auto changes = [&](const char* kind) {
    double sum = 0;
    for (auto port : ports) {
      auto m = HttpsClient(port).get("/metrics");
      std::smatch hit;
      std::regex line(std::string(R"(hazmon_ingest_events_total\{kind=")") + kind +
                      R"("\} ([0-9.e+]+))");
      if (std::regex_search(m.body, hit, line)) sum += std::stod(hit[1]);
    }
    return sum;
  };
  EXPECT_EQ(changes("alarm_raised"), 1.0);
  EXPECT_EQ(changes("alarm_cleared"), 1.0);

  auto& pg = db.db();
  const std::string episodes =
      "SELECT count(*) FROM alarm a JOIN monitoring_point p USING (point_id) "
      "WHERE p.company_code = $1 AND a.origin = 'platform'";
  EXPECT_EQ(count(pg, episodes), 1) << a.problems() << b.problems();
  EXPECT_EQ(count(pg, episodes + " AND a.alarm_type = 'HH' AND a.end_ts IS NOT NULL"), 1)
      << "the one episode is HH and closed";
  // Raised 20 s after the first HH sample (the debounce held across nodes) and closed at the
  // first sample back under H.
  auto ep = pg.in_tx([&](storage::Tx& tx) {
    return tx.exec_one(
        "SELECT extract(epoch FROM a.start_ts)::bigint AS s, extract(epoch FROM a.end_ts)::bigint "
        "AS e FROM alarm a JOIN monitoring_point p USING (point_id) WHERE p.company_code = $1",
        {kCompany});
  });
  auto epoch = [](core::SysTime t) { return duration_cast<seconds>(t.time_since_epoch()).count(); };
  EXPECT_EQ(ep["s"].get<long long>(), epoch(t0 + seconds(10)));
  EXPECT_EQ(ep["e"].get<long long>(), epoch(t0 + seconds(40)));
  // Both nodes evaluated the enterprise in turn (the state moved between them each time).
  EXPECT_EQ(count(pg, "SELECT count(*) FROM rules_owner WHERE company_code = $1 AND seq >= 10"), 1);
  EXPECT_EQ(count(pg, "SELECT count(*) FROM rules_point_state WHERE company_code = $1"), 1);

  // The warning service of the node that raised the alarm opens the event (asynchronously).
  // (The enterprise's missing daily commitment raises an event of its own: not counted.)
  const std::string events =
      "SELECT count(*) FROM warning_event WHERE company_code = $1 AND category = 'threshold'";
  auto deadline = steady_clock::now() + seconds(15);
  while (count(pg, events) == 0 && steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(100));
  std::this_thread::sleep_for(milliseconds(1500));  // a second one would come meanwhile
  EXPECT_EQ(count(pg, events), 1) << a.problems() << b.problems();

  // Both nodes are listed, alive, by either of them.
  auto nodes = HttpsClient(ports[1]).get("/api/v1/nodes", admin);
  ASSERT_EQ(nodes.status, 200) << nodes.body;
  auto j = nodes.json();
  EXPECT_EQ(j["this_node"], "node-b");
  EXPECT_EQ(j["cluster"], true);
  std::set<std::string> seen;
  for (const auto& n : j["items"]) {
    if (n["alive"].get<bool>()) seen.insert(n["node_id"].get<std::string>());
    EXPECT_NE(n["version"], "") << n.dump();  // as `hazmond version` prints it
  }
  // (The set-up server above wrote a row too, under the host name.)
  EXPECT_EQ(seen.count("node-a") + seen.count("node-b"), 2u) << nodes.body;

  EXPECT_EQ(a.terminate(), 0);
  EXPECT_EQ(b.terminate(), 0);
  fs::remove_all(dir);
}
