// Non-major hazard units (非重大危险源, issue 12, ADR 0019) end to end over HTTPS: a production
// unit without a hazard source, a point and a camera on it, a point on the enterprise itself;
// their alarms make warning events by the rules for unranked units at the configured level, the
// statistics count them in their own bucket (never rank 4), and only the enterprise's scope sees
// them.
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/warning_service.hpp>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {
int next_fixture() {
  static int n = 100;
  return n++;
}

// Enterprise A (晋中市榆次区) with a non-major unit (an ammonium-nitrate warehouse), a gas point
// and a camera on it, a plant-wide gas point on the enterprise itself and a gateway; enterprise
// B in the same county with nothing.
struct Fixture {
  int n = next_fixture();
  std::string kN = std::to_string(n);
  std::string kCompany = "14070297" + kN, kOther = "14070296" + kN;
  std::string kUnit = "NMU" + kN, kGateway = "GN14070" + kN.substr(0, 3) + "9";
  std::string kUnitPoint = kCompany + "NMG1", kPlantPoint = kCompany + "ENT1";
  std::string kCamera = "NMCAM" + kN;
  std::string kOtherUnit = "NMO" + kN;
  TestServer srv{shared_db()};
  HttpsClient c = srv.client();
  std::string admin, gateway, ent, other_ent;

  Fixture() {
    admin = srv.make_user("nm_admin" + kN, "province_admin");
    ensure_region("140702", "榆次区", "140700");
    for (const auto& [code, name] :
         {std::pair{kCompany, "非重大危险源测试化工" + kN}, std::pair{kOther, "另一企业" + kN}})
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code}, {"name", name}, {"region_code", "140702"}}, admin));
    ok(c.post_json("/api/v1/production-cells",
                   {{"prodcell_id", kUnit},
                    {"company_code", kCompany},
                    {"cell_type", "unit"},
                    {"name", "硝酸铵仓库"}},
                   admin));
    ok(c.post_json("/api/v1/production-cells",
                   {{"prodcell_id", kOtherUnit},
                    {"company_code", kOther},
                    {"cell_type", "unit"},
                    {"name", "另一企业装卸区"}},
                   admin));
    ok(c.post_json("/api/v1/gateways",
                   {{"gateway_code", kGateway}, {"company_code", kCompany}, {"name", "网关"}},
                   admin));
    for (const auto& [quota, unit] :
         {std::pair{kUnitPoint, json(kUnit)}, std::pair{kPlantPoint, json(nullptr)}})
      ok(c.post_json("/api/v1/monitoring-points",
                     {{"quota_code", quota},
                      {"company_code", kCompany},
                      {"prodcell_id", unit},
                      {"gateway_code", kGateway},
                      {"name", unit.is_null() ? "厂区可燃气体" : "仓库可燃气体"},
                      {"indicator_type", "combustible"},
                      {"value_kind", "analog"},
                      {"unit", "%LEL"},
                      {"range_low", 0},
                      {"range_high", 100},
                      {"h", 25},
                      {"hh", 50},
                      {"debounce_s", 30}},
                     admin));
    ok(c.post_json("/api/v1/cameras",
                   {{"video_id", kCamera},
                    {"company_code", kCompany},
                    {"prodcell_id", kUnit},
                    {"name", "硝酸铵仓库内"},
                    {"scene_type", "warehouse"}},
                   admin));
    auto cred = c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin);
    ok(cred);
    gateway =
        cred.json()["app_id"].get<std::string>() + "." + cred.json()["secret"].get<std::string>();
    ent = srv.make_user("nm_ent" + kN, "enterprise_user", kCompany);
    other_ent = srv.make_user("nm_other" + kN, "enterprise_user", kOther);
  }

  static void ok(const HttpResult& r) {
    if (r.status != 201) throw std::runtime_error(std::to_string(r.status) + " " + r.body);
  }
  void ensure_region(const std::string& code, const std::string& name, const std::string& parent) {
    auto r = c.post_json(
        "/api/v1/regions",
        {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", parent}}, admin);
    if (r.status != 201 && r.status != 409) throw std::runtime_error(r.body);
  }
  std::string at(int seconds_ago) {
    return core::format_rfc3339(srv.clock().now() - seconds(seconds_ago));
  }
  // 40 s above HH: the 30 s debounce raises the alarm.
  void exceed(const std::string& id, const std::string& quota, double v) {
    json body = {{"companyCode", kCompany},
                 {"gatewayCode", kGateway},
                 {"dataId", id + kN},
                 {"reportType", "realtime"},
                 {"sendTime", at(0)},
                 {"datas",
                  {{{"quotaCode", quota}, {"collectTime", at(100)}, {"value", v}},
                   {{"quotaCode", quota}, {"collectTime", at(60)}, {"value", v + 1}}}}};
    auto r = c.post_json("/api/v1/upload/realtime", body, gateway);
    if (r.status != 200) throw std::runtime_error(r.body);
    // Both readings taken: one refused (an unknown point, a time out of bounds) would raise
    // nothing, and the test would fail later, far from its cause. The reply (DOMAIN §8) has
    // `accepted` and `rejected`, no `items`: this read `answer["items"]` before, and operator[]
    // of a const json on a missing key is undefined behaviour (past the end of the object's map;
    // a CI run crashed in it). Const JSON is read with at() and value() here.
    const auto answer = r.json();
    if (answer.value("accepted", -1) != 2 || !answer.value("rejected", json::array()).empty())
      throw std::runtime_error(r.body);
    srv.ingest().tick();
    srv.warnings().tick();
  }
  json events() {
    auto r = c.get("/api/v1/warning-events?company_code=" + kCompany, admin);
    if (r.status != 200) throw std::runtime_error(r.body);
    return r.json();
  }
  // The grouped statistics' rows of this enterprise by hazard-source rank: key → count.
  std::map<std::string, long long> by_rank(const std::string& metric) {
    auto r =
        c.get("/api/v1/statistics/" + metric + "?group_by=rank&company_code=" + kCompany, admin);
    if (r.status != 200) throw std::runtime_error(r.body);
    std::map<std::string, long long> out;
    const auto body = r.json();
    for (const auto& row : body.at("rows")) {
      auto key = row.at("key").is_null() ? std::string("null") : row.at("key").get<std::string>();
      out[key] = row.at("count").get<long long>();
      if (key == "unranked") {
        EXPECT_EQ(row.at("name"), "非重大危险源");
      }
    }
    return out;
  }
};
}  // namespace

TEST(NonMajorUnits, UnitPointAndCameraAlarmByTheUnrankedRulesInTheirOwnBucket) {
  Fixture f;
  // The unit, its point and camera are stored without a hazard source.
  auto unit = f.c.get("/api/v1/production-cells/" + f.kUnit, f.ent);
  ASSERT_EQ(unit.status, 200) << unit.body;
  EXPECT_TRUE(unit.json()["hazard_code"].is_null());
  auto point = f.c.get("/api/v1/monitoring-points/" + f.kUnitPoint, f.ent);
  ASSERT_EQ(point.status, 200) << point.body;
  EXPECT_TRUE(point.json()["hazard_code"].is_null());
  EXPECT_EQ(point.json()["prodcell_id"], f.kUnit);
  auto camera = f.c.get("/api/v1/cameras/" + f.kCamera, f.ent);
  ASSERT_EQ(camera.status, 200) << camera.body;
  EXPECT_EQ(camera.json()["prodcell_id"], f.kUnit);

  // The level is configurable: a rule for this enterprise's unranked units makes HH orange.
  json rule = {{"name", "本企业非重大危险源高高报警即橙色预警"},
               {"category", "threshold"},
               {"scope", {{"kind", "enterprise"}, {"code", f.kCompany}}},
               {"alarm_types", {"HH"}},
               {"hazard_ranks", {"unranked"}},
               {"level_by_rank", {{"unranked", "orange"}}}};
  auto created = f.c.post_json("/api/v1/warning-rules", rule, f.admin);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json()["hazard_ranks"], json::array({"unranked"}));
  EXPECT_EQ(created.json()["level_by_rank"], json({{"unranked", "orange"}}));
  auto rule_id = created.json()["id"].get<long long>();
  // An unranked level on a rule for ranks 1–4 only would never apply: refused.
  auto useless = rule;
  useless["hazard_ranks"] = json::array({4});
  auto refused = f.c.post_json("/api/v1/warning-rules", useless, f.admin);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("/level_by_rank"), std::string::npos) << refused.body;

  f.exceed("nm-hh", f.kUnitPoint, 60);
  auto list = f.events();
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  auto e = list["items"][0];
  EXPECT_EQ(e["level"], "orange");
  EXPECT_EQ(e["rule_id"], rule_id);
  EXPECT_EQ(e["status"], "pushed");
  EXPECT_TRUE(e["hazard_code"].is_null());
  EXPECT_TRUE(e["hazard_rank"].is_null());
  EXPECT_EQ(e["prodcell_id"], f.kUnit);
  EXPECT_EQ(e["prodcell_name"], "硝酸铵仓库");
  auto content = e["content"].get<std::string>();
  EXPECT_NE(content.find("硝酸铵仓库（非重大危险源）"), std::string::npos) << content;
  EXPECT_EQ(content.find("四级"), std::string::npos) << content;

  // The enterprise's rule names HH only: an H alarm on the plant-wide point lasting 10 minutes
  // goes by the default unranked rule 7, blue as on rank 4 (the rules are not edited here: other
  // tests count the rule edits in the shared database).
  f.exceed("nm-plant", f.kPlantPoint, 30);
  ASSERT_EQ(f.events()["items"].size(), 1u);  // H alone makes nothing yet
  f.srv.clock().advance(minutes(11));
  f.srv.warnings().tick();
  list = f.events();
  ASSERT_EQ(list["items"].size(), 2u) << list.dump();
  json plant;
  for (const auto& i : list["items"])
    if (i["prodcell_id"].is_null()) plant = i;
  ASSERT_FALSE(plant.is_null()) << list.dump();
  EXPECT_EQ(plant["level"], "blue");
  EXPECT_EQ(plant["rule_id"], 7);
  EXPECT_EQ(plant["category"], "duration");
  EXPECT_TRUE(plant["hazard_code"].is_null());
  EXPECT_NE(plant["content"].get<std::string>().find("企业级监测点"), std::string::npos)
      << plant.dump();

  // Statistics: both events and both alarms in the unranked bucket, none as rank 4.
  auto warnings = f.by_rank("warnings");
  EXPECT_EQ(warnings, (std::map<std::string, long long>{{"unranked", 2}}));
  auto alarms = f.by_rank("alarms");
  EXPECT_EQ(alarms, (std::map<std::string, long long>{{"unranked", 2}}));

  // The enterprise's own user sees them; another enterprise's user finds nothing (404).
  auto id = std::to_string(e["id"].get<long long>());
  EXPECT_EQ(f.c.get("/api/v1/warning-events/" + id, f.ent).status, 200);
  EXPECT_EQ(f.c.get("/api/v1/warning-events/" + id, f.other_ent).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/production-cells/" + f.kUnit, f.other_ent).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/monitoring-points/" + f.kUnitPoint, f.other_ent).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/monitoring-points/" + f.kPlantPoint, f.other_ent).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/cameras/" + f.kCamera, f.other_ent).status, 404);
  auto theirs = f.c.get("/api/v1/warning-events", f.other_ent);
  ASSERT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.json()["total"], 0);
  // The unit cannot join a major hazard source while its point names none; an empty unit can.
  const std::string hazard = f.kCompany + "001";
  Fixture::ok(f.c.post_json(
      "/api/v1/hazard-sources",
      {{"hazard_code", hazard}, {"company_code", f.kCompany}, {"name", "罐区"}, {"rank", 3}},
      f.admin));
  auto graded =
      f.c.patch_json("/api/v1/production-cells/" + f.kUnit, {{"hazard_code", hazard}}, f.admin);
  EXPECT_EQ(graded.status, 422) << graded.body;
  EXPECT_NE(graded.body.find("/hazard_code"), std::string::npos) << graded.body;
  Fixture::ok(f.c.post_json("/api/v1/production-cells",
                            {{"prodcell_id", f.kUnit + "E"},
                             {"company_code", f.kCompany},
                             {"cell_type", "unit"},
                             {"name", "空装置"}},
                            f.admin));
  auto empty = f.c.patch_json("/api/v1/production-cells/" + f.kUnit + "E",
                              {{"hazard_code", hazard}}, f.admin);
  EXPECT_EQ(empty.status, 200) << empty.body;
  auto cams = f.c.get("/api/v1/cameras?prodcell_id=" + f.kUnit, f.ent);
  ASSERT_EQ(cams.status, 200) << cams.body;
  EXPECT_EQ(cams.json()["total"], 1) << cams.body;

  auto ours = f.c.get("/api/v1/monitoring-points?prodcell_id=" + f.kUnit, f.ent);
  ASSERT_EQ(ours.status, 200) << ours.body;
  ASSERT_EQ(ours.json()["items"].size(), 1u) << ours.body;
  EXPECT_EQ(ours.json()["items"][0]["quota_code"], f.kUnitPoint);
}

// After a restart the worker finds the unit's open event and its open alarm again: a second
// point of the same unit raises that event by the unranked combination rule (9) instead of
// opening another one.
TEST(NonMajorUnits, RestartRestoresTheUnitsOpenEventAndAlarms) {
  Fixture f;
  const std::string second = f.kCompany + "NMG2";
  Fixture::ok(f.c.post_json("/api/v1/monitoring-points",
                            {{"quota_code", second},
                             {"company_code", f.kCompany},
                             {"prodcell_id", f.kUnit},
                             {"gateway_code", f.kGateway},
                             {"name", "仓库有毒气体"},
                             {"indicator_type", "toxic"},
                             {"value_kind", "analog"},
                             {"range_low", 0},
                             {"range_high", 100},
                             {"h", 25},
                             {"hh", 50},
                             {"debounce_s", 30}},
                            f.admin));
  f.exceed("rs-1", f.kUnitPoint, 60);
  auto before = f.events();
  ASSERT_EQ(before["items"].size(), 1u) << before.dump();
  EXPECT_EQ(before["items"][0]["level"], "blue");
  EXPECT_EQ(before["items"][0]["rule_id"], 6);
  auto id = before["items"][0]["id"].get<long long>();
  f.srv.stop();

  TestServer again{shared_db()};
  auto c = again.client();
  auto admin = again.make_user("nm_admin2_" + f.kN, "province_admin");
  auto at = [&](int ago) { return core::format_rfc3339(again.clock().now() - seconds(ago)); };
  json body = {{"companyCode", f.kCompany},
               {"gatewayCode", f.kGateway},
               {"dataId", "rs-2" + f.kN},
               {"reportType", "realtime"},
               {"sendTime", at(0)},
               {"datas",
                {{{"quotaCode", second}, {"collectTime", at(100)}, {"value", 70}},
                 {{"quotaCode", second}, {"collectTime", at(60)}, {"value", 71}}}}};
  auto r = c.post_json("/api/v1/upload/realtime", body, f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  again.ingest().tick();
  again.warnings().tick();
  auto list = c.get("/api/v1/warning-events?company_code=" + f.kCompany, admin);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto after = list.json();
  ASSERT_EQ(after.at("items").size(), 1u) << after.dump();
  EXPECT_EQ(after.at("items").at(0).at("id"), id);
  // Blue + one level: two points of the unit.
  EXPECT_EQ(after.at("items").at(0).at("level"), "yellow");
  auto detail = c.get("/api/v1/warning-events/" + std::to_string(id), admin);
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.json()["alarms"].size(), 2u) << detail.body;
}

// The gateway's base-table upload of points takes enterprise-level points and points on the
// enterprise's own non-major unit, rejects one on another enterprise's unit by index, and the
// readings upload accepts the new points at once.
TEST(NonMajorUnits, UploadedPointsOnUnitsAndOnTheEnterprise) {
  Fixture f;
  auto row = [&](const std::string& quota, json unit) {
    return json{{"quota_code", quota},
                {"prodcell_id", unit},
                {"name", "上传点位"},
                {"indicator_type", "combustible"},
                {"value_kind", "analog"},
                {"range_low", 0},
                {"range_high", 100},
                {"h", 25},
                {"hh", 50}};
  };
  const std::string plant = f.kCompany + "UP1", on_unit = f.kCompany + "UP2",
                    foreign = f.kCompany + "UP3";
  auto r = f.c.post_json(
      "/api/v1/upload/points",
      json::array({row(plant, nullptr), row(on_unit, f.kUnit), row(foreign, f.kOtherUnit)}),
      f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = r.json();
  EXPECT_EQ(answer.at("accepted"), 2) << r.body;
  ASSERT_EQ(answer.at("rejected").size(), 1u) << r.body;
  EXPECT_EQ(answer.at("rejected").at(0).at("index"), 2);
  EXPECT_NE(answer.at("rejected").at(0).at("reason").get<std::string>().find("prodcell_id"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(f.c.get("/api/v1/monitoring-points/" + foreign, f.admin).status, 404);
  auto stored = f.c.get("/api/v1/monitoring-points/" + on_unit, f.ent);
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(stored.json()["prodcell_id"], f.kUnit);
  EXPECT_TRUE(stored.json()["hazard_code"].is_null());
  // Readings of the new points are accepted by the next upload, and alarm.
  f.exceed("up-1", plant, 60);
  auto list = f.events();
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  EXPECT_EQ(list["items"][0]["rule_id"], 6);
  EXPECT_TRUE(list["items"][0]["prodcell_id"].is_null());
}
