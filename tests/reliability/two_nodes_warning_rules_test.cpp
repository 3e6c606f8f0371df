// Two hazmond nodes with node.cluster on one database (ADR 0028): the warning engine's duration
// and combination rules follow the enterprise's rules ownership, as the point machines do. The
// uploads of one enterprise alternate between the nodes, one a second:
//  - a combination rule (two points of one rank-4 hazard source alarming) is completed by a
//    point that node a raises while the other point was raised by node b: one event;
//  - a duration rule (H lasting 10 s, rank 3) holds on a point raised by node a and held across
//    both nodes for 13 s: one event, whichever node evaluated when the 10 s passed;
//  - a point of another rank-3 hazard source is raised by node b and cleared by node a after
//    1 s: no event (the node that raised it must not fire the duration rule on the episode it
//    never saw end). The 10 s leave room for an upload delayed by a loaded machine.
// With per-node warning state the first makes no event and the last makes one.
#include <gtest/gtest.h>

#include <hazmon/storage/database.hpp>

#include "hazmond_process.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace hazmon::test::rel;

namespace {
constexpr const char* kCompany = "14110000039";  // 吕梁: no other test of this binary uses it

std::string hazard(int n) { return std::string(kCompany) + "00" + std::to_string(n); }

// `sql` with $1 the company and, where it has one, $2 `arg`.
long long count(storage::Database& db, const std::string& sql, const std::string& arg = {}) {
  return db.in_tx([&](storage::Tx& tx) {
    return arg.empty() ? *tx.one<long long>(sql, {kCompany})
                       : *tx.one<long long>(sql, {kCompany, arg});
  });
}
}  // namespace

TEST(Reliability, TwoNodesAlternatingUploadsFireDurationAndCombinationRulesOnce) {
  TestDatabase db;
  std::string token, admin;
  {
    TestServer setup(db);
    admin = setup.make_user("tw_admin", "province_admin");
    auto c = setup.client();
    auto ok = [](const HttpResult& r) {
      if (r.status != 201) throw std::runtime_error(r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kCompany}, {"name", "吕梁双节点预警规则公司"}, {"region_code", "141100"}},
        admin));
    // 001 and 002: rank 3 (the duration rule); 003: rank 4 (the combination rule).
    const int ranks[] = {3, 3, 4};
    for (int n = 1; n <= 3; ++n)
      ok(c.post_json("/api/v1/hazard-sources",
                     {{"hazard_code", hazard(n)},
                      {"company_code", kCompany},
                      {"name", "罐区" + std::to_string(n)},
                      {"rank", ranks[n - 1]}},
                     admin));
    const std::pair<const char*, int> points[] = {
        {"TWRSHORT1", 1}, {"TWRLONG01", 2}, {"TWRCOMB01", 3}, {"TWRCOMB02", 3}};
    for (const auto& [quota, n] : points)
      ok(c.post_json("/api/v1/monitoring-points",
                     {{"quota_code", quota},
                      {"company_code", kCompany},
                      {"hazard_code", hazard(n)},
                      {"name", std::string(quota) + "液位"},
                      {"indicator_type", "level"},
                      {"value_kind", "analog"},
                      {"unit", "m"},
                      {"range_low", 0},
                      {"range_high", 20},
                      {"h", 10},
                      {"hh", 15},
                      {"debounce_s", 0}},
                     admin));
    // Only the two rules under test: the defaults are switched off.
    // Named: a range-for over `....json()["items"]` runs over a destroyed temporary.
    const auto rules = c.get("/api/v1/warning-rules", admin).json();
    for (const auto& r : rules.at("items")) {
      auto p = c.patch_json("/api/v1/warning-rules/" + std::to_string(r["id"].get<long long>()),
                            {{"enabled", false}}, admin);
      if (p.status != 200) throw std::runtime_error(p.body);
    }
    ok(c.post_json("/api/v1/warning-rules",
                   {{"name", "双节点测试：高报警持续10秒"},
                    {"category", "duration"},
                    {"alarm_types", {"H"}},
                    {"hazard_ranks", {3}},
                    {"min_duration_s", 10},
                    {"level_by_rank", {{"3", "yellow"}}}},
                   admin));
    ok(c.post_json("/api/v1/warning-rules",
                   {{"name", "双节点测试：同一危险源2个监测点报警"},
                    {"category", "combination"},
                    {"alarm_types", {"H"}},
                    {"hazard_ranks", {4}},
                    {"min_points", 2},
                    {"window_s", 600},
                    {"level_by_rank", {{"4", "blue"}}},
                    {"level_step", 1}},
                   admin));
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin));
    token = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
  }

  auto dir = temp_dir("hazmon-2nw-");
  auto node = [&](const char* id) {
    return json{{"node", {{"id", id}, {"cluster", true}}}, {"warnings", {{"check_interval_s", 1}}}};
  };
  Hazmond a(dir / "a", db.dsn(), node("node-a"));
  Hazmond b(dir / "b", db.dsn(), node("node-b"));
  unsigned short ports[2] = {a.start(), b.start()};

  // Upload i goes to node a when i is even, to node b when odd, one a second, each with the four
  // points at collect time t0 + i s (real time: the duration rule counts on the nodes' clocks).
  struct Row {
    const char* quota;
    std::vector<double> values;
  };
  const std::vector<Row> rows = {
      {"TWRSHORT1",
       {5, 12, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}},  // b raises, a clears 1 s on
      {"TWRLONG01",
       {5, 5, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 5}},    // a raises: 13 s
      {"TWRCOMB01", {5, 12, 12, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}},  // b raises
      {"TWRCOMB02", {5, 5, 12, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5}},   // a raises: two points
  };
  const std::size_t n = rows[0].values.size();
  auto t0 = time_point_cast<seconds>(system_clock::now()) + seconds(1);
  for (std::size_t i = 0; i < n; ++i) {
    std::this_thread::sleep_until(t0 + seconds(i));
    json datas = json::array();
    for (const auto& r : rows)
      datas.push_back({{"quotaCode", r.quota},
                       {"collectTime", core::format_rfc3339(t0 + seconds(i))},
                       {"value", r.values[i]}});
    json body = {{"companyCode", kCompany},
                 {"dataId", "tw-" + std::to_string(i)},
                 {"reportType", "realtime"},
                 {"sendTime", core::format_rfc3339(system_clock::now())},
                 {"datas", datas}};
    auto r = HttpsClient(ports[i % 2]).post_json("/api/v1/upload/realtime", body, token);
    ASSERT_EQ(r.status, 200) << "upload " << i << ": " << r.body << a.problems() << b.problems();
  }

  auto& pg = db.db();
  // Every episode was evaluated by the node that got its sample (the rules state moved each time).
  EXPECT_EQ(count(pg,
                  "SELECT count(*) FROM alarm a JOIN monitoring_point p USING (point_id) WHERE "
                  "p.company_code = $1 AND a.origin = 'platform' AND a.alarm_type = $2 AND "
                  "a.end_ts IS NOT NULL",
                  "H"),
            4);

  const std::string events =
      "SELECT count(*) FROM warning_event WHERE company_code = $1 AND source = 'sensor' AND "
      "hazard_code = $2";
  auto deadline = steady_clock::now() + seconds(30);
  while ((count(pg, events, hazard(2)) == 0 || count(pg, events, hazard(3)) == 0) &&
         steady_clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(200));
  // The short episode's 10 s passed before the long one's: a wrong event for it would be there by
  // now; two more checks of each node to be sure (a second event would come meanwhile too).
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(count(pg, events + " AND category = 'combination'", hazard(3)), 1)
      << "the combination rule over points raised on two nodes" << a.problems() << b.problems();
  EXPECT_EQ(count(pg, events + " AND category = 'duration'", hazard(2)), 1)
      << "the duration rule over an alarm held across both nodes" << a.problems() << b.problems();
  EXPECT_EQ(count(pg, events, hazard(1)), 0)
      << "an alarm cleared after 1 s by the other node made a duration warning";
  EXPECT_EQ(count(pg,
                  "SELECT count(*) FROM warning_event WHERE company_code = $1 AND source = "
                  "'sensor'"),
            2)
      << "exactly the two events, nothing else from the sensors";

  EXPECT_EQ(a.terminate(), 0);
  EXPECT_EQ(b.terminate(), 0);
  fs::remove_all(dir);
}
