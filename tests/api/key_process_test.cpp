// The key processes over HTTPS (docs/processes.md): a point declares its key parameter through
// the ordinary registry API (monitoring_point.key_param; a point without one is stored as
// before), an enterprise user records the process its unit runs, and the enterprise's coverage
// and the region figures answer what is connected, silent and missing; the statistics export
// carries the same figures.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/database.hpp>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;

namespace {

constexpr const char* kCounty = "141024";  // 洪洞县: no other API test uses it
const std::string kCompany = "14102400001";
const std::string kHazard = kCompany + "001";
const std::string kUnit = "KPUNIT1";
const std::string kEquip = kHazard + "S0001";

json status_of(const json& coverage, const std::string& kind, const std::string& param = "") {
  for (const auto& i : coverage["items"])
    if (i["kind"] == kind && (param.empty() || i["param"] == param)) return i;
  return nullptr;
}

}  // namespace

TEST(KeyProcessApi, DeclaredPointsEnterpriseProcessesAndCoverage) {
  TestServer srv(shared_db());
  auto admin = srv.make_user("kp_admin", "province_admin");
  auto city = srv.make_user("kp_city", "city_officer", "141000");
  auto c = srv.client();
  auto ok = [&](const HttpResult& r) {
    EXPECT_EQ(r.status / 100, 2) << r.body;
    return r.json();
  };
  ok(c.post_json(
      "/api/v1/regions",
      {{"code", kCounty}, {"name", "洪洞县"}, {"level", "county"}, {"parent_code", "141000"}},
      admin));
  ok(c.post_json(
      "/api/v1/enterprises",
      {{"company_code", kCompany}, {"name", "洪洞工艺接入化工有限公司"}, {"region_code", kCounty}},
      admin));
  auto user = srv.make_user("kp_user", "enterprise_user", kCompany);
  ok(c.post_json(
      "/api/v1/hazard-sources",
      {{"hazard_code", kHazard}, {"company_code", kCompany}, {"name", "聚合装置"}, {"rank", 2}},
      admin));
  ok(c.post_json("/api/v1/production-cells",
                 {{"prodcell_id", kUnit},
                  {"company_code", kCompany},
                  {"hazard_code", kHazard},
                  {"cell_type", "unit"},
                  {"name", "聚合装置区"}},
                 admin));
  ok(c.post_json("/api/v1/equipment",
                 {{"equip_code", kEquip},
                  {"company_code", kCompany},
                  {"hazard_code", kHazard},
                  {"prodcell_id", kUnit},
                  {"equip_type", "S0"},
                  {"name", "聚合釜"}},
                 admin));
  auto point = [&](const std::string& quota, const std::string& type, const json& key) {
    json body = {{"quota_code", quota},
                 {"company_code", kCompany},
                 {"hazard_code", kHazard},
                 {"equip_code", kEquip},
                 {"name", quota},
                 {"indicator_type", type},
                 {"value_kind", type == "sis" ? "switch" : "analog"},
                 {"process_code", "E15014"}};
    if (!key.is_null()) body["key_param"] = key;
    return c.post_json("/api/v1/monitoring-points", body, admin);
  };
  // The user's own enterprise runs polymerisation (聚合, E15014) in the unit.
  auto added = c.post_json("/api/v1/enterprise-processes",
                           {{"prodcell_id", kUnit}, {"process_code", "E15014"}}, user);
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json()["company_code"], kCompany);
  EXPECT_EQ(added.json()["prodcell_name"], "聚合装置区");

  auto declared = point("KPF1", "flow", "cooling_water_flow");
  ASSERT_EQ(declared.status, 201) << declared.body;
  EXPECT_EQ(declared.json()["key_param"], "cooling_water_flow");
  auto old_style = point("KPT1", "temperature", nullptr);  // as uploads did before key_param
  ASSERT_EQ(old_style.status, 201) << old_style.body;
  EXPECT_TRUE(old_style.json()["key_param"].is_null());
  ASSERT_EQ(point("KPS1", "sis", nullptr).status, 201);
  auto unknown = point("KPX1", "flow", "initiator_colour");
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  // Readings: the flow and temperature points reported a minute ago; the SIS never did.
  shared_db().exec(
      "INSERT INTO reading_latest(point_id, collect_ts, value, quality, received_ts) "
      "SELECT point_id, now() - interval '1 minute', 1, 0, now() FROM monitoring_point "
      "WHERE quota_code IN ('KPF1', 'KPT1')");
  auto cov = c.get("/api/v1/coverage/enterprises/" + kCompany, city);
  ASSERT_EQ(cov.status, 200) << cov.body;
  auto j = cov.json();
  EXPECT_TRUE(j["checked"].get<bool>());
  // E15014: 5 parameters + SIS, and plant gas.
  EXPECT_EQ(j["required"], 7);
  EXPECT_EQ(status_of(j, "process_parameter", "reactor_temperature")["status"], "connected");
  EXPECT_EQ(status_of(j, "process_parameter", "cooling_water_flow")["status"], "connected");
  EXPECT_EQ(status_of(j, "process_parameter", "feed_flow")["status"], "missing");
  EXPECT_EQ(status_of(j, "process_parameter", "reactor_pressure")["status"], "missing");
  EXPECT_EQ(status_of(j, "sis")["status"], "stale");
  EXPECT_EQ(status_of(j, "plant_gas")["status"], "missing");
  EXPECT_EQ(j["connected"], 2);
  EXPECT_EQ(j["stale"], 1);
  EXPECT_EQ(j["missing"], 4);
  EXPECT_FALSE(j["complete"].get<bool>());

  auto sum = c.get("/api/v1/coverage?group_by=county", city);
  ASSERT_EQ(sum.status, 200) << sum.body;
  auto s = sum.json();
  json row;
  for (const auto& r : s["regions"])
    if (r["region_code"] == kCounty) row = r;
  ASSERT_FALSE(row.is_null()) << sum.body;
  EXPECT_EQ(row["region_name"], "洪洞县");
  EXPECT_EQ(row["with_gaps"], 1);
  EXPECT_EQ(row["gaps"]["process_parameter"], 3);
  EXPECT_EQ(row["gaps"]["sis"], 1);
  EXPECT_EQ(row["gaps"]["plant_gas"], 1);
  bool listed = false;
  for (const auto& e : s["enterprises"]) listed = listed || e["company_code"] == kCompany;
  EXPECT_TRUE(listed);

  auto xlsx = c.get("/api/v1/statistics/coverage?group_by=county&format=xlsx", city);
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a zip: the workbook

  // The enterprise may not stop the process it declared (it would leave the coverage check);
  // the city may, and then plant gas is the only requirement.
  auto entry =
      "/api/v1/enterprise-processes/" + std::to_string(added.json()["id"].get<long long>());
  EXPECT_EQ(c.del(entry, user).status, 403);
  EXPECT_EQ(c.get("/api/v1/coverage/enterprises/" + kCompany, city).json()["required"],
            cov.json()["required"]);
  auto del = c.del(entry, city);
  EXPECT_EQ(del.status, 204) << del.body;
  cov = c.get("/api/v1/coverage/enterprises/" + kCompany, city);
  EXPECT_EQ(cov.json()["required"], 1) << cov.body;
}
