// The rules state of one enterprise shared by two nodes (node.cluster, ADR 0028), in process: two
// IngestService instances with their own pools on one database and one injected clock. An
// excursion raised on one node is cleared on the other (the state moved with the readings, the
// clear found the episode), and the offline timer of a node that died is run once, by the other.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/node_store.hpp>

#include <filesystem>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace std::chrono;
using hazmon::test::TestDatabase;
using nlohmann::json;

namespace {
constexpr const char* kCompany = "14070000034";

long long count(storage::Database& db, const std::string& sql) {
  return db.in_tx([&](storage::Tx& tx) { return *tx.one<long long>(sql, {kCompany}); });
}
}  // namespace

TEST(NodeRules, AnExcursionMovesBetweenNodesAndADeadNodesTimerRunsOnce) {
  TestDatabase db;
  db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") +
          kCompany + "', '规则共享化工', '140700')");
  db.exec(
      std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES ('") +
      kCompany + "001', '" + kCompany + "', '罐区', 2)");
  db.exec(std::string("INSERT INTO monitoring_point(quota_code, company_code, hazard_code, name, "
                      "indicator_type, value_kind, range_low, range_high, h, hh, debounce_s) "
                      "VALUES ('NRPT1', '") +
          kCompany + "', '" + kCompany + "001', '液位', 'level', 'analog', 0, 20, 10, 15, 0)");
  storage::DbSettings ds;
  ds.dsn = db.dsn();
  ds.pool_size = 3;
  storage::Database second(ds);
  core::FakeClock clock(time_point_cast<seconds>(system_clock::now()));
  auto dir = std::filesystem::temp_directory_path() / ("hazmon-nr-" + test::lower_token(6));
  std::filesystem::create_directories(dir);
  auto settings = [&](const char* name) {
    service::IngestSettings s;
    s.spool_file = dir / name;
    s.offline_after = seconds(300);
    return s;
  };
  storage::NodeStore nodes;
  auto heartbeat = [&](storage::Database& d, const std::string& id) {
    d.in_tx([&](storage::Tx& tx) { nodes.heartbeat(tx, id, clock.now(), clock.now(), ""); });
  };
  heartbeat(db.db(), "node-a");
  heartbeat(second, "node-b");
  service::IngestService a(db.db(), settings("a.spool"), clock);
  service::IngestService b(second, settings("b.spool"), clock);
  a.set_node("node-a", true, seconds(45));
  b.set_node("node-b", true, seconds(45));
  a.start();
  b.start();
  auto gateway = test::principal(model::Role::gateway, model::Scope::enterprise(kCompany), "gw");
  auto t0 = clock.now() - seconds(30);
  auto send = [&](service::IngestService& node, int i, double v) {
    json body = {{"companyCode", kCompany},
                 {"dataId", "nr-" + std::to_string(i)},
                 {"reportType", "realtime"},
                 {"sendTime", core::format_rfc3339(clock.now())},
                 {"datas",
                  {{{"quotaCode", "NRPT1"},
                    {"collectTime", core::format_rfc3339(t0 + seconds(5 * i))},
                    {"value", v}}}}};
    node.upload(gateway, body);
  };
  send(a, 0, 5);
  send(b, 1, 16);  // raised by b, from the state a saved
  send(a, 2, 17);  // still open: a reloads b's state, nothing new
  send(b, 3, 5);   // cleared by b
  const std::string episodes =
      "SELECT count(*) FROM alarm a JOIN monitoring_point p USING (point_id) WHERE "
      "p.company_code = $1 AND a.origin = 'platform'";
  EXPECT_EQ(count(db.db(), episodes), 1);
  EXPECT_EQ(count(db.db(), episodes + " AND a.alarm_type = 'HH' AND a.end_ts IS NOT NULL"), 1);
  EXPECT_EQ(a.stats().alarms_raised + b.stats().alarms_raised, 1u);
  EXPECT_EQ(b.stats().alarms_raised, 1u);

  // a evaluates last, then dies: its heartbeat stops. Past offline_after and the TTL, b takes the
  // enterprise's timers over and raises the point offline, once.
  send(a, 4, 6);
  a.stop();
  clock.advance(seconds(400));
  heartbeat(second, "node-b");
  b.tick();
  b.tick();
  EXPECT_EQ(count(db.db(), episodes + " AND a.alarm_type = 'OFFLINE'"), 1);
  EXPECT_EQ(count(db.db(),
                  "SELECT count(*) FROM rules_owner WHERE company_code = $1 AND "
                  "node_id = 'node-b'"),
            1);
  b.stop();
  std::filesystem::remove_all(dir);
}
