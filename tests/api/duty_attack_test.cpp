// Issue 12's duty features as a hostile tenant would try them over HTTPS (docs/security.md, attacks
// 12.1–12.8): an enterprise's user or its gateway credential may only read and write its own rows,
// and nothing it sends may lower what the regulator sees. Each attack is refused, and a fingerprint
// of the tables it aims at shows that nothing was stored or changed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/app/platform.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/sis_service.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/database.hpp>

#include <map>
#include <string>
#include <vector>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

// 朔州 (140600): 山阴县 (140621) for A, 应县 (140622) for B; no other API test uses them.
const std::string kA = "14062100001", kB = "14062200001";
const std::string kHazA = kA + "001", kHazB = kB + "001";
const std::string kUnitA = kHazA + "S0001", kUnitB = kHazB + "S0001";  // equipment S0
const std::string kUnitA2 = kHazA + "S0002";                           // another S0 of A
const std::string kCellA = "DAMJA1", kNonMajorA = "DANMA1";            // production cells
const std::string kNonMajorA2 = "DANMA2";
const std::string kGas = kA + "GT201";  // unranked: on kNonMajorA, no hazard source
const std::string kWarehouseA = "DAWHA1";
const std::string kTemp = kA + "TI101";  // analog, H 80, HH 100, on kUnitA and kCellA
const std::string kTrip1 = kA + "XS101", kTrip2 = kA + "XS102";  // switch points
const std::string kGatewayA = "DAGW0000001";
const std::string kCameraA = kA + "CAM1";  // on kHazA, in kCellA
const std::string kPlatformA = "DALPA1";   // a loading platform of A, outside kHazA

const std::vector<std::string> kTables = {"enterprise",
                                          "hazard_source",
                                          "production_cell",
                                          "warehouse",
                                          "equipment",
                                          "gateway",
                                          "monitoring_point",
                                          "filing",
                                          "alarm",
                                          "warning_event",
                                          "unit_run_status",
                                          "sis_loop",
                                          "sis_bypass",
                                          "sis_trip",
                                          "patrol",
                                          "patrol_finding",
                                          "duty_checkin",
                                          "circular",
                                          "circular_recipient",
                                          "circular_attachment",
                                          "city_duty",
                                          "roster_row",
                                          "deployment_task",
                                          "loading_platform",
                                          "camera",
                                          "work_permit",
                                          "work_permit_change",
                                          "warehouse_chemical",
                                          "safety_commitment",
                                          "safety_commitment_history",
                                          "responsible_person"};

// Row count and a hash of every row of every table above (as bad_input_test.cpp's).
std::map<std::string, std::string> fingerprint() {
  std::string sql;
  for (const auto& t : kTables) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql += "SELECT '" + t +
           "' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY "
           "x::text)), '') AS h FROM " +
           t + " x";
  }
  std::map<std::string, std::string> out;
  shared_db().db().in_tx([&](storage::Tx& tx) {
    for (auto& r : tx.exec(sql)) out[r["t"].get<std::string>()] = r["h"].get<std::string>();
  });
  return out;
}

::testing::AssertionResult refused(const HttpResult& r, int status,
                                   const std::string& pointer = {}) {
  if (r.status != status)
    return ::testing::AssertionFailure()
           << "status " << r.status << " (want " << status << "): " << r.body.substr(0, 500);
  if (!pointer.empty() && r.body.find("\"" + pointer + "\"") == std::string::npos)
    return ::testing::AssertionFailure() << "no pointer " << pointer << ": " << r.body;
  return ::testing::AssertionSuccess();
}

// An upload answered 200 that stored nothing: every row rejected.
::testing::AssertionResult all_rejected(const HttpResult& r, std::size_t rows) {
  if (r.status != 200)
    return ::testing::AssertionFailure() << "status " << r.status << ": " << r.body;
  auto j = r.json();
  if (j.value("accepted", -1) != 0 || j["rejected"].size() != rows)
    return ::testing::AssertionFailure() << "not all rejected: " << r.body;
  return ::testing::AssertionSuccess();
}

struct World {
  std::unique_ptr<TestServer> srv;
  HttpsClient c() const { return srv->client(); }
  std::string gateway_a;
  // Sessions follow the fake clock: a fresh token for each use.
  std::string as(const std::string& user) { return srv->login(user); }
  std::string t(system_clock::duration from_now) const {
    return core::format_rfc3339(srv->clock().now() + from_now);
  }
  HttpResult realtime(const std::string& data_id, json datas) {
    json body = {{"companyCode", kA},
                 {"dataId", data_id},
                 {"reportType", "realtime"},
                 {"sendTime", t(seconds(0))},
                 {"datas", std::move(datas)}};
    return c().post_json("/api/v1/upload/realtime", body, gateway_a);
  }
  HttpResult upload(const std::string& table, const json& rows) {
    return c().post_json("/api/v1/upload/" + table, rows, gateway_a);
  }
  json get(const std::string& path) {
    auto r = c().get(path, as("da_admin"));
    if (r.status != 200) throw std::runtime_error("GET " + path + ": " + r.body);
    return r.json();
  }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    auto admin = w->srv->make_user("da_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const std::string& coll, const json& body) {
      auto r = c.post_json("/api/v1/" + coll, body, admin);
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("duty attack set-up: " + coll + " " + r.body);
      return r.json();
    };
    ok("regions",
       {{"code", "140621"}, {"name", "山阴县"}, {"level", "county"}, {"parent_code", "140600"}});
    ok("regions",
       {{"code", "140622"}, {"name", "应县"}, {"level", "county"}, {"parent_code", "140600"}});
    ok("enterprises", {{"company_code", kA},
                       {"name", "山阴值守攻击测试化工有限公司"},
                       {"region_code", "140621"},
                       {"status", "operating"}});
    ok("enterprises", {{"company_code", kB},
                       {"name", "应县值守攻击测试化工有限公司"},
                       {"region_code", "140622"},
                       {"status", "operating"}});
    ok("hazard-sources", {{"hazard_code", kHazA},
                          {"company_code", kA},
                          {"name", "合成装置区"},
                          {"rank", 1},
                          {"r_value", 120}});
    ok("hazard-sources", {{"hazard_code", kHazB},
                          {"company_code", kB},
                          {"name", "罐区"},
                          {"rank", 2},
                          {"r_value", 60}});
    for (const auto& [code, co, hz] :
         {std::tuple{kUnitA, kA, kHazA}, std::tuple{kUnitA2, kA, kHazA},
          std::tuple{kUnitB, kB, kHazB}})
      ok("equipment", {{"equip_code", code},
                       {"company_code", co},
                       {"hazard_code", hz},
                       {"equip_type", "S0"},
                       {"name", "合成装置"}});
    ok("production-cells", {{"prodcell_id", kCellA},
                            {"company_code", kA},
                            {"hazard_code", kHazA},
                            {"cell_type", "unit"},
                            {"name", "合成单元"}});
    ok("production-cells", {{"prodcell_id", kNonMajorA},
                            {"company_code", kA},
                            {"cell_type", "unit"},
                            {"name", "公用工程"}});
    ok("production-cells", {{"prodcell_id", kNonMajorA2},
                            {"company_code", kA},
                            {"cell_type", "unit"},
                            {"name", "循环水"}});
    ok("monitoring-points", {{"quota_code", kGas},
                             {"company_code", kA},
                             {"prodcell_id", kNonMajorA},
                             {"name", "可燃气体"},
                             {"indicator_type", "combustible"},
                             {"value_kind", "analog"},
                             {"unit", "%LEL"},
                             {"range_low", 0},
                             {"range_high", 100},
                             {"h", 25},
                             {"hh", 50},
                             {"debounce_s", 0}});
    ok("warehouses", {{"warehouse_id", kWarehouseA},
                      {"company_code", kA},
                      {"hazard_code", kHazA},
                      {"name", "甲类仓库"},
                      {"fire_class", "甲"},
                      {"fire_class_item", 2}});
    ok("monitoring-points", {{"quota_code", kTemp},
                             {"company_code", kA},
                             {"hazard_code", kHazA},
                             {"equip_code", kUnitA},
                             {"prodcell_id", kCellA},
                             {"name", "反应釜温度"},
                             {"indicator_type", "temperature"},
                             {"value_kind", "analog"},
                             {"unit", "℃"},
                             {"range_low", 0},
                             {"range_high", 200},
                             {"h", 80},
                             {"hh", 100},
                             {"debounce_s", 0}});
    for (const auto& q : {kTrip1, kTrip2})
      ok("monitoring-points", {{"quota_code", q},
                               {"company_code", kA},
                               {"hazard_code", kHazA},
                               {"name", "联锁动作信号"},
                               {"indicator_type", "sis"},
                               {"value_kind", "switch"},
                               {"debounce_s", 0}});
    ok("cameras", {{"video_id", kCameraA},
                   {"company_code", kA},
                   {"hazard_code", kHazA},
                   {"prodcell_id", kCellA},
                   {"name", "合成单元球机"},
                   {"scene_type", "process_unit"}});
    ok("loading-platforms", {{"platform_id", kPlatformA},
                             {"company_code", kA},
                             {"name", "汽车装卸台"},
                             {"media", {"68476-85-7"}},  // LPG: a liquefied hydrocarbon
                             {"mode", "road"}});
    ok("warehouse-chemicals", {{"company_code", kA},
                               {"warehouse_id", kWarehouseA},
                               {"cas", "6484-52-2"},  // ammonium nitrate
                               {"max_quantity_t", 300}});
    // Who may approve an SIS bypass of A's loops (docs/sis.md): A's 包保责任人; B's is not A's.
    for (const auto& [hz, co, role, name] :
         {std::tuple{kHazA, kA, "principal", "厂长"}, std::tuple{kHazA, kA, "technical", "副厂长"},
          std::tuple{kHazB, kB, "principal", "乙厂长"}})
      ok("responsible-persons",
         {{"company_code", co}, {"hazard_code", hz}, {"role", role}, {"name", name}});
    ok("gateways", {{"gateway_code", kGatewayA},
                    {"company_code", kA},
                    {"name", "采集网关"},
                    {"acquisition_interval_s", 60}});
    auto cred =
        ok("credentials", {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}});
    w->gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    w->srv->make_user("da_county", "county_officer", "140621");
    w->srv->make_user("da_city", "city_officer", "140600");
    w->srv->make_user("da_user_a", "enterprise_user", kA);
    w->srv->make_user("da_user_b", "enterprise_user", kB);
    return w;
  }();
  return *w;
}

}  // namespace

// Attack 12.1: a unit, warehouse or point moved out of its major hazard source, so that its alarms
// would go by the weaker rules for unranked units (ADR 0019) or the unit would count as
// 非重大危险源.
TEST(DutyAttack, AUnitWarehouseOrPointStaysInItsMajorHazardSource) {
  auto& w = world();
  auto user = w.as("da_user_a");
  auto before = fingerprint();
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/production-cells/" + kCellA, {{"hazard_code", nullptr}}, user), 422,
      "/hazard_code"));
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/production-cells/" + kNonMajorA, {{"hazard_code", kHazA}}, user),
      422, "/hazard_code"));
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/warehouses/" + kWarehouseA, {{"hazard_code", nullptr}}, user), 422,
      "/hazard_code"));
  EXPECT_TRUE(
      refused(w.c().patch_json("/api/v1/monitoring-points/" + kTemp,
                               {{"prodcell_id", kNonMajorA}, {"hazard_code", nullptr}}, user),
              422, "/hazard_code"));
  // (Its unit alone is refused first since attack 12.22: the coverage check counts it there.)
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/monitoring-points/" + kTemp, {{"prodcell_id", kNonMajorA}}, user),
      422, "/prodcell_id"));
  // Deactivated, a unit or warehouse would leave the coverage check with its missing points.
  for (const auto& path :
       {"/api/v1/production-cells/" + kCellA, "/api/v1/production-cells/" + kNonMajorA,
        "/api/v1/warehouses/" + kWarehouseA})
    EXPECT_TRUE(refused(w.c().del(path, user), 403)) << path;
  // Onto another unit's equipment (whose stop or overhaul filing would then suppress it), and an
  // unranked point to another unit or off its unit (out of the unit's one escalating event).
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/monitoring-points/" + kTemp, {{"equip_code", kUnitA2}}, user), 422,
      "/equip_code"));
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/monitoring-points/" + kGas, {{"prodcell_id", kNonMajorA2}}, user),
      422, "/prodcell_id"));
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/monitoring-points/" + kGas, {{"prodcell_id", nullptr}}, user), 422,
      "/prodcell_id"));
  EXPECT_EQ(fingerprint(), before);

  // By upload the gateway's row keeps the stored hazard source (named in `kept`).
  auto r = w.upload("warehouses", json::array({{{"warehouse_id", kWarehouseA},
                                                {"name", "甲类仓库"},
                                                {"fire_class", "甲"},
                                                {"fire_class_item", 2},
                                                {"hazard_code", nullptr}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("hazard_code"), std::string::npos) << r.body;
  EXPECT_EQ(w.get("/api/v1/warehouses/" + kWarehouseA)["hazard_code"], kHazA);
  EXPECT_EQ(w.get("/api/v1/production-cells/" + kCellA)["hazard_code"], kHazA);
  r = w.upload("points", json::array({{{"quota_code", kTemp},
                                       {"hazard_code", kHazA},
                                       {"name", "反应釜温度"},
                                       {"indicator_type", "temperature"},
                                       {"value_kind", "analog"},
                                       {"unit", "℃"},
                                       {"range_low", 0},
                                       {"range_high", 200},
                                       {"h", 80},
                                       {"hh", 100},
                                       {"debounce_s", 0},
                                       {"equip_code", kUnitA2},
                                       {"prodcell_id", kCellA}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("equip_code"), std::string::npos) << r.body;
  EXPECT_EQ(w.get("/api/v1/monitoring-points/" + kGas)["prodcell_id"], kNonMajorA);
  auto p = w.get("/api/v1/monitoring-points/" + kTemp);
  EXPECT_EQ(p["equip_code"], kUnitA);
  EXPECT_EQ(p["hazard_code"], kHazA);
  EXPECT_EQ(p["prodcell_id"], kCellA);

  // The enterprise's own fields stay writable, and sending the stored value back is no change.
  r = w.c().patch_json("/api/v1/production-cells/" + kCellA,
                       {{"name", "合成单元（一期）"}, {"hazard_code", kHazA}}, user);
  EXPECT_EQ(r.status, 200) << r.body;
}

// Attack 12.2: a stop or overhaul filed on another enterprise's unit, by its user or its gateway.
TEST(DutyAttack, NoUnitStatusForAnotherEnterprisesUnit) {
  auto& w = world();
  auto user = w.as("da_user_a");
  auto before = fingerprint();
  json stop = {{"equip_code", kUnitB}, {"status", "stopped"}, {"reason", "检修"}};
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/unit-statuses", stop, user), 422, "/equip_code"));
  stop["company_code"] = kB;
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/unit-statuses", stop, user), 422, "/company_code"));
  EXPECT_TRUE(all_rejected(w.upload("unit-status", json::array({stop})), 1));
  stop.erase("company_code");
  EXPECT_TRUE(all_rejected(w.upload("unit-status", json::array({stop})), 1));
  // Officers and the gateway do not file through the dashboard route.
  stop["equip_code"] = kUnitA;
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/unit-statuses", stop, w.as("da_county")), 403));
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/unit-statuses", stop, w.gateway_a), 403));
  EXPECT_EQ(fingerprint(), before);
  // The gateway's stop waits for an officer: the enterprise does not approve its filing itself.
  auto up =
      w.upload("unit-status",
               json::array({{{"equip_code", kUnitA2}, {"status", "stopped"}, {"reason", "检修"}}}));
  ASSERT_EQ(up.status, 200) << up.body;
  ASSERT_EQ(up.json()["accepted"], 1) << up.body;
  auto filed = w.get("/api/v1/unit-statuses?equip_code=" + kUnitA2 + "&current=true");
  ASSERT_EQ(filed["items"].size(), 1u) << filed.dump();
  auto filing = filed["items"][0]["filing"];
  ASSERT_TRUE(filing.is_object()) << filed.dump();
  EXPECT_EQ(filing["status"], "pending") << filing.dump();
  auto filing_path = "/api/v1/filings/" + std::to_string(filing["id"].get<long long>());
  before = fingerprint();
  EXPECT_TRUE(refused(w.c().post_json(filing_path + "/approve", json::object(), user), 403));
  EXPECT_TRUE(refused(w.c().post_json(filing_path + "/approve", json::object(), w.gateway_a), 403));
  EXPECT_EQ(fingerprint(), before);
  // B's own status: A neither ends it nor reads it.
  auto r = w.c().post_json("/api/v1/unit-statuses", {{"equip_code", kUnitB}, {"status", "running"}},
                           w.as("da_user_b"));
  ASSERT_EQ(r.status, 201) << r.body;
  auto theirs = "/api/v1/unit-statuses/" + std::to_string(r.json()["id"].get<long long>());
  before = fingerprint();
  EXPECT_TRUE(refused(w.c().post_json(theirs + "/end", json::object(), user), 404));
  EXPECT_TRUE(refused(w.c().get(theirs, user), 404));
  EXPECT_TRUE(refused(w.c().get("/api/v1/unit-statuses?company_code=" + kB, user), 404));
  EXPECT_EQ(fingerprint(), before);
}

// Attack 12.3: a back-dated stop that would hide an alarm raised before it was filed; one more than
// 30 days back is refused. The alarm and its warning stay as they were.
TEST(DutyAttack, ABackDatedStopHidesNoPastAlarm) {
  auto& w = world();
  auto r = w.realtime(
      "da-hh-1",
      json::array({{{"quotaCode", kTemp}, {"collectTime", w.t(-seconds(100))}, {"value", 150}},
                   {{"quotaCode", kTemp}, {"collectTime", w.t(-seconds(60))}, {"value", 151}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  w.srv->ingest().tick();
  w.srv->warnings().tick();
  auto alarms = w.get("/api/v1/alarms?quota_code=" + kTemp)["items"];
  ASSERT_FALSE(alarms.empty());
  auto alarm = alarms[0];
  EXPECT_EQ(alarm["suppressed"], false);
  auto events = w.get("/api/v1/warning-events?company_code=" + kA)["items"];
  ASSERT_FALSE(events.empty());
  auto event = events[0];

  auto user = w.as("da_user_a");
  auto before = fingerprint();
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/unit-statuses",
                                      {{"equip_code", kUnitA},
                                       {"status", "stopped"},
                                       {"reason", "停车"},
                                       {"begin_at", w.t(-hours(24 * 31))}},
                                      user),
                      422, "/begin_at"));
  EXPECT_EQ(fingerprint(), before);

  // Ten minutes back (within the filings' limits) is taken, but changes nothing that was raised.
  r = w.c().post_json("/api/v1/unit-statuses",
                      {{"equip_code", kUnitA},
                       {"status", "stopped"},
                       {"reason", "停车"},
                       {"begin_at", w.t(-minutes(10))},
                       {"planned_end", w.t(hours(24))}},
                      user);
  ASSERT_EQ(r.status, 201) << r.body;
  auto status_id = std::to_string(r.json()["id"].get<long long>());
  w.srv->ingest().tick();
  w.srv->warnings().tick();
  json still, now = w.get("/api/v1/alarms?quota_code=" + kTemp);
  for (const auto& a : now["items"])
    if (a["id"] == alarm["id"]) still = a;
  ASSERT_FALSE(still.is_null()) << "the alarm disappeared: " << now.dump();
  EXPECT_EQ(still["suppressed"], false);
  EXPECT_EQ(still["level"], alarm["level"]);
  auto ev = w.get("/api/v1/warning-events/" + std::to_string(event["id"].get<long long>()));
  EXPECT_EQ(ev["level"], event["level"]);
  EXPECT_NE(ev["status"], "closed") << ev.dump();
  EXPECT_EQ(
      w.c().post_json("/api/v1/unit-statuses/" + status_id + "/end", json::object(), user).status,
      200);
}

// Attack 12.4: hiding an SIS trip by pointing the loop at another trip point, dropping its trip
// point or deactivating it while the trip is open (dashboard and upload), a bypass on another
// enterprise's loop, an uploaded bypass longer than the maximum.
TEST(DutyAttack, AnOpenTripCannotBeHiddenByChangingTheLoop) {
  auto& w = world();
  json loop = {{"company_code", kA},   {"tag", "DA-SIS1"},     {"name", "反应釜超温联锁"},
               {"hazard_code", kHazA}, {"trip_point", kTrip1}, {"protected_points", {kTemp}}};
  auto r = w.c().post_json("/api/v1/sis-loops", loop, w.as("da_county"));
  ASSERT_EQ(r.status / 100, 2) << r.body;
  auto path = "/api/v1/sis-loops/" + std::to_string(r.json()["id"].get<long long>());
  w.srv->clock().advance(seconds(5));
  r = w.realtime(
      "da-trip-1",
      json::array(
          {{{"quotaCode", kTrip1}, {"collectTime", w.t(-seconds(2))}, {"switchValue", 1}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  w.srv->platform().sis().check();
  auto l = w.get(path);
  ASSERT_EQ(l["state"], "tripped") << l.dump();
  auto trip = std::to_string(l["trips"][0]["id"].get<long long>());

  auto user = w.as("da_user_a");
  auto before = fingerprint();
  auto moved = loop;
  moved["trip_point"] = kTrip2;
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/sis-loops", moved, user), 422, "/trip_point"));
  auto dropped = loop;
  dropped.erase("trip_point");
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/sis-loops", dropped, user), 422, "/trip_point"));
  auto off = loop;
  off["is_active"] = false;
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/sis-loops", off, user), 422, "/is_active"));
  moved.erase("company_code");
  moved["kind"] = "loop";
  moved["loop"] = "DA-SIS1";
  EXPECT_TRUE(all_rejected(w.upload("sis", json::array({moved})), 1));
  off.erase("company_code");
  off["kind"] = "loop";
  off["loop"] = "DA-SIS1";
  EXPECT_TRUE(all_rejected(w.upload("sis", json::array({off})), 1));
  EXPECT_TRUE(refused(
      w.c().post_json("/api/v1/sis-trips/" + trip + "/reset", {{"reset_by", "班长"}}, user), 409));
  // A bypass beyond the maximum (72 h) by upload, and on another enterprise's loop.
  EXPECT_TRUE(all_rejected(w.upload("sis", json::array({{{"kind", "bypass"},
                                                         {"loop", "DA-SIS1"},
                                                         {"applicant", "仪表工"},
                                                         {"approver", "厂长"},
                                                         {"reason", "校验"},
                                                         {"expiry_at", w.t(hours(100))}}})),
                           1));
  EXPECT_TRUE(refused(w.c().post_json(path + "/bypasses",
                                      {{"applicant", "仪表工"},
                                       {"approver", "厂长"},
                                       {"reason", "校验"},
                                       {"expiry_at", w.t(hours(8))}},
                                      w.as("da_user_b")),
                      404));
  EXPECT_EQ(fingerprint(), before);
  l = w.get(path);
  EXPECT_EQ(l["state"], "tripped");
  EXPECT_EQ(l["trip_point"], kTrip1);
  EXPECT_EQ(l["is_active"], true);

  // A bypass is in effect from its approval (a gateway's at once): filed to begin days ahead and
  // approved now, it would keep the loop bypassed for up to 7 days more than the maximum.
  before = fingerprint();
  r = w.upload("sis", json::array({{{"kind", "bypass"},
                                    {"loop", "DA-SIS1"},
                                    {"applicant", "仪表工"},
                                    {"approver", "厂长"},
                                    {"reason", "校验"},
                                    {"begin_at", w.t(hours(24 * 6))},
                                    {"expiry_at", w.t(hours(24 * 6 + 48))}}}));
  EXPECT_TRUE(all_rejected(r, 1));
  EXPECT_NE(r.body.find("expiry_at"), std::string::npos) << r.body;
  EXPECT_EQ(fingerprint(), before);
  r = w.c().post_json(path + "/bypasses",
                      {{"applicant", "仪表工"},
                       {"approver", "厂长"},
                       {"reason", "校验"},
                       {"begin_at", w.t(hours(24 * 6))},
                       {"expiry_at", w.t(hours(24 * 6 + 48))}},
                      user);
  ASSERT_EQ(r.status, 201) << r.body;  // requested: a plan, in effect once approved
  auto bypass = "/api/v1/sis-bypasses/" + std::to_string(r.json()["id"].get<long long>());
  before = fingerprint();
  EXPECT_TRUE(
      refused(w.c().post_json(bypass + "/approve", json::object(), w.as("da_county")), 409));
  EXPECT_EQ(fingerprint(), before);
  EXPECT_EQ(w.get(path)["state"], "tripped");
  ASSERT_EQ(w.c().post_json(bypass + "/end", json::object(), user).status, 200);
}

// Attack 12.5: an enterprise closing its own patrol findings, reading another's patrols, starting
// one; the gateway at any of it.
TEST(DutyAttack, OnlyAnOfficerClosesAFinding) {
  auto& w = world();
  auto county = w.as("da_county");
  auto r = w.c().post_json("/api/v1/patrols", {{"company_code", kA}, {"kind", "online"}}, county);
  ASSERT_EQ(r.status, 201) << r.body;
  auto patrol = std::to_string(r.json()["id"].get<long long>());
  r = w.c().post_json("/api/v1/patrols/" + patrol + "/findings",
                      {{"description", "可燃气体探测器离线"},
                       {"severity", "general"},
                       {"follow_up", "限期整改"},
                       {"deadline", w.t(hours(48))}},
                      county);
  ASSERT_EQ(r.status, 201) << r.body;
  auto finding = "/api/v1/patrol-findings/" + std::to_string(r.json()["id"].get<long long>());
  auto user = w.as("da_user_a"), other = w.as("da_user_b");
  ASSERT_EQ(w.c().post_json(finding + "/reply", {{"reply", "已更换电源"}}, user).status, 200);

  auto before = fingerprint();
  EXPECT_TRUE(refused(w.c().post_json(finding + "/confirm", {{"accept", true}}, user), 403));
  EXPECT_TRUE(refused(w.c().post_json(finding + "/confirm", {{"accept", true}}, w.gateway_a), 403));
  EXPECT_TRUE(refused(w.c().post_json(finding + "/reply", {{"reply", "代答"}}, other), 404));
  EXPECT_TRUE(refused(w.c().get("/api/v1/patrols/" + patrol, other), 404));
  EXPECT_TRUE(refused(w.c().get("/api/v1/patrols?company_code=" + kA, other), 404));
  EXPECT_TRUE(refused(w.c().get("/api/v1/patrols", w.gateway_a), 403));
  EXPECT_TRUE(refused(
      w.c().post_json("/api/v1/patrols", {{"company_code", kA}, {"kind", "online"}}, user), 403));
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/patrols/" + patrol + "/findings",
                                      {{"description", "无"},
                                       {"severity", "general"},
                                       {"follow_up", "无"},
                                       {"deadline", w.t(hours(24))}},
                                      user),
                      403));
  EXPECT_TRUE(
      refused(w.c().post_json("/api/v1/patrols/" + patrol + "/end", json::object(), user), 403));
  EXPECT_EQ(fingerprint(), before);
  // Check-ins are the caller's own, stamped by the server: no day, time or enterprise of its own.
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/duty-checkins",
                                      {{"duty_person", "张三"}, {"day", "2026-12-01"}}, user),
                      422, "/day"));
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/duty-checkins",
                                      {{"duty_person", "张三"}, {"company_code", kB}}, user),
                      422, "/company_code"));
  EXPECT_TRUE(refused(w.c().get("/api/v1/duty-checkins?company_code=" + kB, user), 404));
  EXPECT_TRUE(refused(w.c().get("/api/v1/routine-use?company_code=" + kB, user), 404));
  EXPECT_EQ(fingerprint(), before);
  auto list = w.c().get("/api/v1/patrol-findings", other);
  ASSERT_EQ(list.status, 200) << list.body;
  const auto findings = list.json();  // named: a range-for over json()["items"] dangles
  for (const auto& f : findings.at("items")) EXPECT_EQ(f["company_code"], kB);
  EXPECT_EQ(w.get("/api/v1/patrols/" + patrol)["in_progress"], true);
}

// Attack 12.6: a circular's content and attachments outside the enterprises it names; an
// acknowledgement by another enterprise; an attachment that would run script in the officer's
// browser (HTML, SVG, script under a PDF type).
TEST(DutyAttack, CircularsStayWithTheEnterprisesTheyName) {
  auto& w = world();
  auto city = w.as("da_city");
  auto draft = [&] {
    auto r = w.c().post_json("/api/v1/circulars",
                             {{"title", "关于联锁旁路管理的通报"},
                              {"body", "请核查联锁旁路审批记录。"},
                              {"kind", "other"},
                              {"company_codes", {kA}}},
                             city);
    if (r.status != 201) throw std::runtime_error("draft: " + r.body);
    return "/api/v1/circulars/" + std::to_string(r.json()["id"].get<long long>());
  };
  auto attach = [&](const std::string& circular, const std::string& type, const std::string& bytes,
                    const std::string& token) {
    auto id = circular.substr(circular.rfind('/') + 1);
    return w.c().request("POST", "/api/v1/upload/circulars/" + id + "/attachments?name=a.pdf",
                         bytes, {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
  };
  auto c1 = draft();
  auto a = attach(c1, "application/pdf", "%PDF-1.4\n1 0 obj\n%%EOF\n", city);
  ASSERT_EQ(a.status, 201) << a.body;
  auto file = c1 + "/attachments/" + std::to_string(a.json()["id"].get<long long>());
  ASSERT_EQ(w.c().post_json(c1 + "/publish", json::object(), city).status, 200);

  auto user = w.as("da_user_a"), other = w.as("da_user_b");
  auto c2 = draft();
  auto before = fingerprint();
  const std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>";
  const std::string html = "<html><script>fetch('/api/v1/users')</script></html>";
  for (const auto& [type, bytes] :
       {std::pair{"image/svg+xml", svg}, std::pair{"text/html", html}}) {
    auto r = attach(c2, type, bytes, city);
    EXPECT_TRUE(r.status == 415 || r.status == 422) << type << ": " << r.status << " " << r.body;
  }
  EXPECT_TRUE(refused(attach(c2, "application/pdf", html, city), 422));
  EXPECT_TRUE(refused(attach(c2, "image/png", svg, city), 422));
  EXPECT_TRUE(refused(attach(c1, "application/pdf", "%PDF-1.4\n", user), 403));
  EXPECT_TRUE(refused(w.c().get(c1, other), 404));
  EXPECT_TRUE(refused(w.c().get(file, other), 404));
  EXPECT_TRUE(refused(w.c().get(file, w.gateway_a), 403));
  EXPECT_TRUE(refused(w.c().get(c2, user), 404));  // a draft is the issuer's
  EXPECT_TRUE(refused(w.c().patch_json(c1, {{"title", "改"}}, user), 403));
  EXPECT_TRUE(refused(w.c().post_json(c1 + "/withdraw", {{"reason", "撤"}}, user), 403));
  EXPECT_TRUE(refused(w.c().post_json(c1 + "/acknowledgement", json::object(), other), 404));
  EXPECT_TRUE(refused(w.c().post_json(c1 + "/acknowledgement", json::object(), w.gateway_a), 403));
  EXPECT_EQ(fingerprint(), before);

  // Named beside another enterprise, each sees its own acknowledgement only.
  auto r = w.c().post_json("/api/v1/circulars",
                           {{"title", "关于预警处置的通报"},
                            {"body", "请反馈。"},
                            {"kind", "other"},
                            {"company_codes", {kA, kB}}},
                           city);
  ASSERT_EQ(r.status, 201) << r.body;
  auto c3 = "/api/v1/circulars/" + std::to_string(r.json()["id"].get<long long>());
  ASSERT_EQ(w.c().post_json(c3 + "/publish", json::object(), city).status, 200);
  ASSERT_EQ(w.c().post_json(c3 + "/acknowledgement", {{"reply", "乙方已整改"}}, other).status, 200);
  r = w.c().get(c3 + "/recipients", user);
  ASSERT_EQ(r.status, 200) << r.body;
  auto rec = r.json();
  ASSERT_EQ(rec["items"].size(), 1u) << r.body;
  EXPECT_EQ(rec["items"][0]["company_code"], kA);
  r = w.c().get(c3, user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(kB), std::string::npos) << r.body;

  // The named enterprise downloads it as a file, never rendered in the dashboard's origin.
  auto d = w.c().get(file, user);
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(d.header("content-type"), "application/pdf");
  EXPECT_EQ(d.header("content-disposition").rfind("attachment;", 0), 0u)
      << d.header("content-disposition");
  EXPECT_EQ(d.header("x-content-type-options"), "nosniff");
}

// Attack 12.7: city duties and roster rows changed, and other enterprises' connection status read,
// by an enterprise's user or gateway.
TEST(DutyAttack, DeploymentDutiesAndRosterAreTheRegulators) {
  auto& w = world();
  auto user = w.as("da_user_a");
  auto before = fingerprint();
  json done = {{"status", "done"}, {"evidence_note", "企业代报"}};
  for (const auto& token : {user, w.gateway_a}) {
    EXPECT_TRUE(refused(
        w.c().patch_json("/api/v1/deployment/city-duties/140600/unconnected_list", done, token),
        403));
    EXPECT_TRUE(refused(w.c().post_json("/api/v1/deployment/roster-rows/4/1/resolve",
                                        {{"action", "create"}}, token),
                        403));
    EXPECT_TRUE(refused(w.c().get("/api/v1/deployment/city-duties", token), 403));
    EXPECT_TRUE(refused(w.c().get("/api/v1/deployment/roster-rows", token), 403));
  }
  EXPECT_TRUE(refused(w.c().get("/api/v1/deployment/connection", w.gateway_a), 403));
  EXPECT_EQ(fingerprint(), before);
  auto r = w.c().get("/api/v1/deployment/connection?limit=1000", user);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  for (const auto& e : j["items"]) EXPECT_EQ(e["company_code"], kA) << r.body;
  EXPECT_LE(j["total"].get<long long>(), 1) << r.body;
}

// Attack 12.8: base-table uploads that would change the enterprise's region, status or rank, a
// hazard source's grade, the gateway's acquisition interval upward, or another enterprise's rows.
TEST(DutyAttack, BaseTableUploadsKeepWhatTheRegulatorSets) {
  auto& w = world();
  auto r = w.upload("enterprise", json::array({{{"company_code", kA},
                                                {"name", "山阴值守攻击测试化工有限公司"},
                                                {"region_code", "140622"},
                                                {"status", "closed"},
                                                {"max_hazard_rank", 4},
                                                {"is_active", false}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto e = w.get("/api/v1/enterprises/" + kA);
  EXPECT_EQ(e["region_code"], "140621");
  EXPECT_EQ(e["status"], "operating");
  EXPECT_NE(e["max_hazard_rank"], 4);
  EXPECT_NE(e.value("is_active", true), false);
  r = w.upload(
      "hazard-sources",
      json::array({{{"hazard_code", kHazA}, {"name", "合成装置区"}, {"rank", 4}, {"r_value", 1}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto hs = w.get("/api/v1/hazard-sources/" + kHazA);
  EXPECT_EQ(hs["rank"], 1);
  EXPECT_DOUBLE_EQ(hs["r_value"].get<double>(), 120);
  r = w.upload(
      "gateways",
      json::array(
          {{{"gateway_code", kGatewayA}, {"name", "采集网关"}, {"acquisition_interval_s", 3600}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(w.get("/api/v1/gateways/" + kGatewayA)["acquisition_interval_s"], 60);

  // Another enterprise's rows, by its company_code or by a key of its own.
  auto before = fingerprint();
  EXPECT_TRUE(all_rejected(
      w.upload(
          "hazard-sources",
          json::array(
              {{{"hazard_code", kHazB}, {"company_code", kB}, {"name", "罐区"}, {"rank", 4}}})),
      1));
  EXPECT_TRUE(
      all_rejected(w.upload("hazard-sources",
                            json::array({{{"hazard_code", kHazB}, {"name", "罐区"}, {"rank", 4}}})),
                   1));
  EXPECT_TRUE(all_rejected(
      w.upload("enterprise", json::array({{{"company_code", kB}, {"name", "改名"}}})), 1));
  // A new hazard source is the regulator's (备案), by upload too.
  EXPECT_TRUE(all_rejected(
      w.upload("hazard-sources",
               json::array({{{"hazard_code", kA + "009"}, {"name", "新罐区"}, {"rank", 4}}})),
      1));
  EXPECT_TRUE(all_rejected(w.upload("equipment", json::array({{{"equip_code", kUnitB},
                                                               {"hazard_code", kHazB},
                                                               {"equip_type", "S0"},
                                                               {"name", "乙方装置"}}})),
                           1));
  EXPECT_EQ(fingerprint(), before);
  auto hb = w.get("/api/v1/hazard-sources/" + kHazB);
  EXPECT_EQ(hb["company_code"], kB);
  EXPECT_EQ(hb["rank"], 2);
}

// Attack 12.11: an SIS bypass approved by its own applicant, or by a name the filer chose that
// holds no authority over the loop (docs/sis.md): from the dashboard and by upload. The approver
// must be another person, the enterprise's principal or a 包保责任人 of the loop's hazard source,
// still so when the bypass is approved.
TEST(DutyAttack, ABypassIsApprovedByAnotherPersonWithTheAuthority) {
  auto& w = world();
  json loop = {
      {"company_code", kA}, {"tag", "DA-SIS2"}, {"name", "反应釜进料联锁"}, {"hazard_code", kHazA}};
  auto r = w.c().post_json("/api/v1/sis-loops", loop, w.as("da_county"));
  ASSERT_EQ(r.status / 100, 2) << r.body;
  auto path = "/api/v1/sis-loops/" + std::to_string(r.json()["id"].get<long long>());
  auto user = w.as("da_user_a");
  auto bypass = [&](const std::string& applicant, const std::string& approver) {
    return json{{"applicant", applicant},
                {"approver", approver},
                {"reason", "校验"},
                {"expiry_at", w.t(hours(8))}};
  };
  auto upload = [&](const std::string& applicant, const std::string& approver) {
    auto row = bypass(applicant, approver);
    row["kind"] = "bypass";
    row["loop"] = "DA-SIS2";
    return w.upload("sis", json::array({row}));
  };
  auto before = fingerprint();
  // The applicant approving their own bypass, trimmed or not; B's 包保责任人; a name of no one.
  for (const auto& [applicant, approver] :
       {std::pair{"厂长", "厂长"}, std::pair{"厂长", " 厂长 "}, std::pair{"仪表工", "乙厂长"},
        std::pair{"仪表工", "班长"}}) {
    EXPECT_TRUE(refused(w.c().post_json(path + "/bypasses", bypass(applicant, approver), user), 422,
                        "/approver"))
        << applicant << " / " << approver;
    auto up = upload(applicant, approver);
    EXPECT_TRUE(all_rejected(up, 1)) << applicant << " / " << approver;
    EXPECT_NE(up.body.find("approver"), std::string::npos) << up.body;
  }
  EXPECT_EQ(fingerprint(), before);
  EXPECT_EQ(w.get(path)["state"], "in_service");

  // A 包保责任人 of the loop's hazard source approves another's bypass; so does the gateway's row.
  r = w.c().post_json(path + "/bypasses", bypass("仪表工", "厂长"), user);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = "/api/v1/sis-bypasses/" + std::to_string(r.json()["id"].get<long long>());
  // (Four eyes, 13.24: not by the account that filed it; an officer may.)
  ASSERT_EQ(w.c().post_json(id + "/approve", json::object(), w.as("da_county")).status, 200);
  EXPECT_EQ(w.get(path)["state"], "bypassed");
  ASSERT_EQ(w.c().post_json(id + "/end", json::object(), user).status, 200);
  auto up = upload("仪表工", "副厂长");
  ASSERT_EQ(up.status, 200) << up.body;
  ASSERT_EQ(up.json()["accepted"], 1) << up.body;
  ASSERT_EQ(w.upload("sis", json::array({{{"kind", "bypass_end"}, {"loop", "DA-SIS2"}}})).status,
            200);

  // Filed while 副厂长 was a 包保责任人, approved after they were replaced: refused.
  r = w.c().post_json(path + "/bypasses", bypass("仪表工", "副厂长"), user);
  ASSERT_EQ(r.status, 201) << r.body;
  id = "/api/v1/sis-bypasses/" + std::to_string(r.json()["id"].get<long long>());
  auto persons = w.get("/api/v1/responsible-persons?hazard_code=" + kHazA + "&role=technical");
  ASSERT_EQ(persons["items"].size(), 1u) << persons.dump();
  auto person =
      "/api/v1/responsible-persons/" + std::to_string(persons["items"][0]["id"].get<long long>());
  ASSERT_EQ(w.c().del(person, w.as("da_admin")).status / 100, 2);
  before = fingerprint();
  EXPECT_TRUE(refused(w.c().post_json(id + "/approve", json::object(), w.as("da_county")), 409));
  EXPECT_EQ(fingerprint(), before);
  EXPECT_EQ(w.get(path)["state"], "in_service");
  ASSERT_EQ(w.c().post_json(id + "/end", json::object(), user).status, 200);
}

// Attack 12.12: a camera moved out of the place it watches (its hazard source, unit, warehouse or
// loading platform) by PATCH or by upload (cameras, and the deprecated media), taking it out of a
// major hazard source's video coverage and its AI events' routing. The regulator moves it.
TEST(DutyAttack, ACameraStaysWhereTheRegulatorPlacedIt) {
  auto& w = world();
  auto user = w.as("da_user_a");
  auto cam = "/api/v1/cameras/" + kCameraA;
  auto before = fingerprint();
  EXPECT_TRUE(
      refused(w.c().patch_json(cam, {{"hazard_code", nullptr}}, user), 422, "/hazard_code"));
  EXPECT_TRUE(
      refused(w.c().patch_json(cam, {{"prodcell_id", kNonMajorA}, {"hazard_code", nullptr}}, user),
              422, "/prodcell_id"));
  EXPECT_TRUE(
      refused(w.c().patch_json(cam, {{"prodcell_id", nullptr}}, user), 422, "/prodcell_id"));
  EXPECT_TRUE(refused(
      w.c().patch_json(cam, {{"prodcell_id", nullptr}, {"warehouse_id", kWarehouseA}}, user), 422,
      "/warehouse_id"));
  EXPECT_TRUE(refused(
      w.c().patch_json(
          cam,
          {{"prodcell_id", nullptr}, {"hazard_code", nullptr}, {"loading_platform_id", kPlatformA}},
          user),
      422, "/loading_platform_id"));
  EXPECT_EQ(fingerprint(), before);
  // By upload the stored place is kept and named in `kept`; the camera's own fields still change.
  for (const char* table : {"cameras", "media"}) {
    auto r = w.upload(table, json::array({{{"video_id", kCameraA},
                                           {"name", std::string("合成单元球机-") + table},
                                           {"scene_type", "process_unit"},
                                           {"hazard_code", nullptr},
                                           {"prodcell_id", kNonMajorA}}}));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["accepted"], 1) << r.body;
    EXPECT_NE(r.body.find("\"prodcell_id\""), std::string::npos) << r.body;
    auto c = w.get(cam);
    EXPECT_EQ(c["hazard_code"], kHazA) << table;
    EXPECT_EQ(c["prodcell_id"], kCellA) << table;
    EXPECT_EQ(c["name"], std::string("合成单元球机-") + table);
  }
  // Sending the stored place back is no change; the county moves the camera.
  EXPECT_EQ(w.c().patch_json(cam, {{"hazard_code", kHazA}, {"prodcell_id", kCellA}}, user).status,
            200);
  auto county = w.as("da_county");
  ASSERT_EQ(w.c()
                .patch_json(cam, {{"prodcell_id", nullptr}, {"warehouse_id", kWarehouseA}}, county)
                .status,
            200);
  EXPECT_EQ(w.get(cam)["warehouse_id"], kWarehouseA);
  ASSERT_EQ(
      w.c().patch_json(cam, {{"warehouse_id", nullptr}, {"prodcell_id", kCellA}}, county).status,
      200);
}

// Attack 12.13: the connection status read with a silence window of the caller's choosing, wide
// enough to show an enterprise silent for weeks as connected. The window is bounded by the config
// (connection.max_silent_hours, 168 by default), absent it is connection.silent_hours (24).
TEST(DutyAttack, TheSilenceWindowIsBounded) {
  auto& w = world();
  auto user = w.as("da_user_a");
  for (std::string bad : {"0", "169", "720", "-1", "24h", "99999999999"}) {
    auto r = w.c().get("/api/v1/deployment/connection?silent_hours=" + bad, user);
    EXPECT_TRUE(refused(r, 400)) << bad;
    EXPECT_NE(r.body.find("\"bad_request\""), std::string::npos) << bad << ": " << r.body;
  }
  auto r = w.c().get("/api/v1/deployment/connection", user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["silent_hours"], 24);
  r = w.c().get("/api/v1/deployment/connection?silent_hours=168", w.as("da_city"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["silent_hours"], 168);
}

// Attack 12.14: hot work in progress hidden from the overview map and the counts by turning its
// permit into another type or grade (PATCH or upload of the same number); another enterprise's
// permit edited, moved or closed.
TEST(DutyAttack, HotWorkInProgressStaysHotWork) {
  auto& w = world();
  auto user = w.as("da_user_a");
  json permit = {{"permit_no", "DA-DH-001"},
                 {"work_type", "hot_work"},
                 {"grade", "1"},
                 {"location", "合成单元管廊"},
                 {"hazard_code", kHazA},
                 {"begin_at", w.t(minutes(1))},
                 {"end_at", w.t(hours(6))},
                 {"responsible", "焊工张"},
                 {"responsible_mobile", "13900000003"}};
  auto r = w.c().post_json("/api/v1/work-permits", permit, user);
  ASSERT_EQ(r.status, 201) << r.body;
  auto path = "/api/v1/work-permits/" + std::to_string(r.json()["id"].get<long long>());
  ASSERT_EQ(w.c().post_json(path + "/transitions", {{"action", "start"}}, user).status, 200);

  auto before = fingerprint();
  EXPECT_TRUE(refused(
      w.c().patch_json(path, {{"work_type", "height"}, {"grade", "1"}, {"reason", "改"}}, user),
      422, "/work_type"));
  EXPECT_TRUE(refused(
      w.c().patch_json(
          path, {{"work_type", "temporary_power"}, {"grade", nullptr}, {"reason", "改"}}, user),
      422, "/work_type"));
  EXPECT_TRUE(
      refused(w.c().patch_json(path, {{"grade", "2"}, {"reason", "降级"}}, user), 422, "/grade"));
  auto row = permit;
  row["work_type"] = "height";
  row["state"] = "in_progress";
  EXPECT_TRUE(all_rejected(w.upload("work-permits", json::array({row})), 1));
  row["work_type"] = "hot_work";
  row["grade"] = "2";
  EXPECT_TRUE(all_rejected(w.upload("work-permits", json::array({row})), 1));
  // Another enterprise's user neither edits, moves nor closes it.
  auto other = w.as("da_user_b");
  EXPECT_TRUE(
      refused(w.c().patch_json(path, {{"location", "别处"}, {"reason", "改"}}, other), 404));
  for (const char* action : {"finish", "cancel"})
    EXPECT_TRUE(refused(
        w.c().post_json(path + "/transitions", {{"action", action}, {"reason", "代关"}}, other),
        404));
  EXPECT_EQ(fingerprint(), before);
  auto listed =
      w.get("/api/v1/work-permits?in_progress=true&type=hot_work&company_code=" + kA)["items"];
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["permit_no"], "DA-DH-001");
  EXPECT_EQ(listed[0]["grade"], "1");

  // While planned the type may change; in progress the other fields still may, with a reason.
  r = w.c().patch_json(path, {{"location", "合成单元管廊东段"}, {"reason", "位置细化"}}, user);
  EXPECT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(w.c().post_json(path + "/transitions", {{"action", "finish"}}, user).status, 200);
}

// Attack 12.15: what decides the detection 附件5 §2-§3 asks of a warehouse or loading platform
// (docs/processes.md) dropped by the enterprise: a stored chemical (ammonium nitrate) deactivated,
// a loaded medium (a liquefied hydrocarbon: grounding and overflow) removed, the loading mode
// changed (grounding is not asked by ship), by PATCH, DELETE or upload.
TEST(DutyAttack, WhatDecidesAPlacesDetectionStays) {
  auto& w = world();
  auto user = w.as("da_user_a");
  auto chems = w.get("/api/v1/warehouse-chemicals?warehouse_id=" + kWarehouseA)["items"];
  ASSERT_EQ(chems.size(), 1u) << chems.dump();
  auto chem = "/api/v1/warehouse-chemicals/" + std::to_string(chems[0]["id"].get<long long>());
  auto platform = "/api/v1/loading-platforms/" + kPlatformA;
  auto before = fingerprint();
  EXPECT_TRUE(refused(w.c().del(chem, user), 403));
  EXPECT_TRUE(refused(w.c().patch_json(chem, {{"cas", "7782-50-5"}}, user), 422, "/cas"));
  EXPECT_TRUE(refused(w.c().patch_json(platform, {{"media", json::array()}}, user), 422, "/media"));
  EXPECT_TRUE(refused(w.c().patch_json(platform, {{"media", {"8006-61-9"}}}, user), 422, "/media"));
  EXPECT_TRUE(refused(w.c().patch_json(platform, {{"media", nullptr}}, user), 422, "/media"));
  EXPECT_TRUE(refused(w.c().patch_json(platform, {{"mode", "ship"}}, user), 422, "/mode"));
  EXPECT_TRUE(refused(w.c().patch_json(platform, {{"mode", nullptr}}, user), 422, "/mode"));
  EXPECT_EQ(fingerprint(), before);
  // By upload the stored media and mode are kept and named in `kept`.
  auto r = w.upload("loading-platforms", json::array({{{"platform_id", kPlatformA},
                                                       {"name", "汽车装卸台"},
                                                       {"media", {"8006-61-9"}},
                                                       {"mode", "ship"}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"media\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("\"mode\""), std::string::npos) << r.body;
  auto p = w.get(platform);
  EXPECT_EQ(p["media"], json::array({"68476-85-7"}));
  EXPECT_EQ(p["mode"], "road");
  EXPECT_EQ(w.get(chem)["is_active"], true);
  // A medium may be added; the county removes one.
  r = w.c().patch_json(platform, {{"media", {"68476-85-7", "8006-61-9"}}}, user);
  ASSERT_EQ(r.status, 200) << r.body;
  r = w.c().patch_json(platform, {{"media", {"68476-85-7"}}}, w.as("da_county"));
  ASSERT_EQ(r.status, 200) << r.body;
}

// Attack 12.16: a camera's recording switched off by the enterprise (PATCH or upload), which
// ends the regulator's live view and playback (视频调阅) of it. The enterprise may start it.
TEST(DutyAttack, OnlyTheRegulatorStopsACamerasRecording) {
  auto& w = world();
  auto user = w.as("da_user_a");
  const std::string id = kA + "CAM2";
  auto r = w.c().post_json("/api/v1/cameras",
                           {{"video_id", id},
                            {"company_code", kA},
                            {"hazard_code", kHazA},
                            {"name", "罐区枪机"},
                            {"scene_type", "tank_farm"},
                            {"record", true}},
                           user);
  ASSERT_EQ(r.status, 201) << r.body;
  auto cam = "/api/v1/cameras/" + id;
  auto before = fingerprint();
  EXPECT_TRUE(refused(w.c().patch_json(cam, {{"record", false}}, user), 422, "/record"));
  EXPECT_TRUE(refused(w.c().patch_json(cam, {{"record", nullptr}}, user), 422, "/record"));
  EXPECT_EQ(fingerprint(), before);
  r = w.upload("cameras", json::array({{{"video_id", id},
                                        {"name", "罐区枪机"},
                                        {"scene_type", "tank_farm"},
                                        {"record", false}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"record\""), std::string::npos) << r.body;
  EXPECT_EQ(w.get(cam)["record"], true);
  // The county stops it; the enterprise may start it again.
  ASSERT_EQ(w.c().patch_json(cam, {{"record", false}}, w.as("da_county")).status, 200);
  EXPECT_EQ(w.c().patch_json(cam, {{"record", true}}, user).status, 200);
  EXPECT_EQ(w.get(cam)["record"], true);
}

// Tried and held (issue 12's commitments): a commitment for two days back or for tomorrow, for
// another enterprise, or signed by someone who is not a 包保责任人 of the enterprise (another
// enterprise's included) is refused, from the dashboard and by upload; yesterday's is late, and
// filing it again does not make it on time.
TEST(DutyAttack, ACommitmentIsNeitherBackdatedNorMadeOnTime) {
  auto& w = world();
  auto user = w.as("da_user_a");
  auto day = [&](hours from_now) {
    return core::format_rfc3339(w.srv->clock().now() + hours(8) + from_now).substr(0, 10);
  };
  auto body = [&](const std::string& d, const std::string& committer) {
    return json{{"day", d},
                {"units",
                 {{"total", 2},
                  {"running", 2},
                  {"stopped", 0},
                  {"startup", 0},
                  {"trial", 0},
                  {"overhaul", 0}}},
                {"key_process_count", 1},
                {"risk_grade", "yellow"},
                {"committer", committer},
                {"duty_leader", "值班长"},
                {"duty_phone", "13900000004"}};
  };
  auto before = fingerprint();
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/commitments", body(day(-hours(48)), "厂长"), user),
                      422, "/day"));
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/commitments", body(day(hours(24)), "厂长"), user),
                      422, "/day"));
  for (const char* who : {"仪表工", "乙厂长"})
    EXPECT_TRUE(refused(w.c().post_json("/api/v1/commitments", body(day(hours(0)), who), user), 422,
                        "/committer"))
        << who;
  auto theirs = body(day(hours(0)), "乙厂长");
  theirs["company_code"] = kB;
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/commitments", theirs, user), 422, "/company_code"));
  EXPECT_TRUE(all_rejected(w.upload("commitments", json::array({theirs})), 1));
  EXPECT_TRUE(
      all_rejected(w.upload("commitments", json::array({body(day(-hours(48)), "厂长")})), 1));
  EXPECT_TRUE(all_rejected(w.upload("commitments", json::array({body(day(hours(0)), "班长")})), 1));
  EXPECT_EQ(fingerprint(), before);

  auto yesterday = day(-hours(24));
  auto r = w.c().post_json("/api/v1/commitments", body(yesterday, "厂长"), user);
  ASSERT_EQ(r.status / 100, 2) << r.body;
  EXPECT_EQ(r.json()["late"], true) << r.body;
  auto again = body(yesterday, "厂长");
  again["duty_leader"] = "夜班长";
  r = w.c().post_json("/api/v1/commitments", again, user);
  ASSERT_EQ(r.status / 100, 2) << r.body;
  EXPECT_EQ(r.json()["late"], true) << r.body;
  auto listed = w.get("/api/v1/commitments?company_code=" + kA + "&day=" + yesterday)["items"];
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["late"], true);
  EXPECT_EQ(listed[0]["duty_leader"], "夜班长");
}

// Attack 12.17: a gas detector renamed another kind of point (indicator_type) by PATCH or upload:
// a unit's stop or overhaul spares gas and oxygen detectors only (docs/duties.md), so it would
// fall silent with its unit; the coverage check would also stop counting it as gas detection.
TEST(DutyAttack, AGasDetectorStaysAGasDetector) {
  auto& w = world();
  auto user = w.as("da_user_a");
  auto point = "/api/v1/monitoring-points/" + kGas;
  auto before = fingerprint();
  for (const char* kind : {"temperature", "pressure"})
    EXPECT_TRUE(
        refused(w.c().patch_json(point, {{"indicator_type", kind}}, user), 422, "/indicator_type"))
        << kind;
  EXPECT_EQ(fingerprint(), before);
  auto r = w.upload("points", json::array({{{"quota_code", kGas},
                                            {"prodcell_id", kNonMajorA},
                                            {"name", "可燃气体"},
                                            {"indicator_type", "temperature"},
                                            {"value_kind", "analog"},
                                            {"unit", "%LEL"},
                                            {"range_low", 0},
                                            {"range_high", 100},
                                            {"h", 25},
                                            {"hh", 50},
                                            {"debounce_s", 0}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"indicator_type\""), std::string::npos) << r.body;
  EXPECT_EQ(w.get(point)["indicator_type"], "combustible");
  // The county corrects a wrongly declared kind.
  ASSERT_EQ(w.c().patch_json(point, {{"indicator_type", "toxic"}}, w.as("da_county")).status, 200);
  ASSERT_EQ(w.c().patch_json(point, {{"indicator_type", "combustible"}}, w.as("da_county")).status,
            200);
}

// Attack 12.18: an SIS loop moved out of its hazard source or unit by the enterprise (registering
// it again under its tag, from the dashboard or by upload): its trips' and expired bypasses'
// warnings would no longer be on the major hazard source (nor reach its 包保责任人), and the
// coverage check would count it elsewhere.
TEST(DutyAttack, AnSisLoopStaysInItsHazardSourceAndUnit) {
  auto& w = world();
  json loop = {{"company_code", kA},
               {"tag", "DA-SIS3"},
               {"name", "进料切断联锁"},
               {"hazard_code", kHazA},
               {"prodcell_id", kCellA}};
  auto r = w.c().post_json("/api/v1/sis-loops", loop, w.as("da_county"));
  ASSERT_EQ(r.status / 100, 2) << r.body;
  auto path = "/api/v1/sis-loops/" + std::to_string(r.json()["id"].get<long long>());
  auto user = w.as("da_user_a");
  auto before = fingerprint();
  auto out = loop;
  out.erase("hazard_code");
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/sis-loops", out, user), 422, "/hazard_code"));
  auto moved = loop;
  moved["prodcell_id"] = kNonMajorA;
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/sis-loops", moved, user), 422, "/prodcell_id"));
  for (auto [row, field] : {std::pair{out, "hazard_code"}, std::pair{moved, "prodcell_id"}}) {
    row.erase("company_code");
    row["kind"] = "loop";
    auto up = w.upload("sis", json::array({row}));
    EXPECT_TRUE(all_rejected(up, 1)) << row.dump();
    EXPECT_NE(up.body.find(field), std::string::npos) << up.body;
  }
  EXPECT_EQ(fingerprint(), before);
  auto l = w.get(path);
  EXPECT_EQ(l["hazard_code"], kHazA);
  EXPECT_EQ(l["prodcell_id"], kCellA);
  // Its own fields stay the enterprise's.
  auto renamed = loop;
  renamed["name"] = "进料紧急切断联锁";
  r = w.c().post_json("/api/v1/sis-loops", renamed, user);
  EXPECT_EQ(r.status / 100, 2) << r.body;
}

// Attack 12.19: the readings expected of a point (data quality: completeness) lowered by the
// enterprise: a new gateway of its own with a long acquisition interval (dashboard or upload),
// and its points moved onto it (PATCH or upload of gateway_code).
TEST(DutyAttack, NoSlowGatewayMakesAPointLookComplete) {
  auto& w = world();
  auto user = w.as("da_user_a");
  const std::string slow = "DAGW0000009", ok_gw = "DAGW0000002";
  auto gateway = [&](const std::string& code, int interval) {
    return json{{"gateway_code", code},
                {"company_code", kA},
                {"name", "备用网关"},
                {"acquisition_interval_s", interval}};
  };
  auto before = fingerprint();
  EXPECT_TRUE(refused(w.c().post_json("/api/v1/gateways", gateway(slow, 3600), user), 422,
                      "/acquisition_interval_s"));
  auto row = gateway(slow, 86400);
  row.erase("company_code");
  EXPECT_TRUE(all_rejected(w.upload("gateways", json::array({row})), 1));
  EXPECT_EQ(fingerprint(), before);
  // A gateway at the default interval or faster is the enterprise's own to add.
  auto r = w.c().post_json("/api/v1/gateways", gateway(ok_gw, 30), user);
  ASSERT_EQ(r.status, 201) << r.body;
  before = fingerprint();
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/monitoring-points/" + kTemp, {{"gateway_code", ok_gw}}, user), 422,
      "/gateway_code"));
  EXPECT_EQ(fingerprint(), before);
  r = w.upload("points", json::array({{{"quota_code", kGas},
                                       {"prodcell_id", kNonMajorA},
                                       {"name", "可燃气体"},
                                       {"indicator_type", "combustible"},
                                       {"value_kind", "analog"},
                                       {"unit", "%LEL"},
                                       {"range_low", 0},
                                       {"range_high", 100},
                                       {"h", 25},
                                       {"hh", 50},
                                       {"debounce_s", 0},
                                       {"gateway_code", ok_gw}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"gateway_code\""), std::string::npos) << r.body;
  EXPECT_TRUE(w.get("/api/v1/monitoring-points/" + kGas).value("gateway_code", json()).is_null());
}

// Attack 12.19 by PATCH: a gateway filed without an interval is read at
// data_quality.default_interval_s (60 s); giving it a longer one later lowers the readings expected
// of it as much as a new slow gateway would (dashboard or upload).
TEST(DutyAttack, AGatewayWithoutAnIntervalIsNotSlowedLater) {
  auto& w = world();
  auto user = w.as("da_user_a");
  const std::string gw = "DAGW0000008";
  auto r = w.c().post_json(
      "/api/v1/gateways", {{"gateway_code", gw}, {"company_code", kA}, {"name", "三号网关"}}, user);
  ASSERT_EQ(r.status, 201) << r.body;
  auto before = fingerprint();
  EXPECT_TRUE(
      refused(w.c().patch_json("/api/v1/gateways/" + gw, {{"acquisition_interval_s", 86400}}, user),
              422, "/acquisition_interval_s"));
  EXPECT_TRUE(all_rejected(w.upload("gateways", json::array({{{"gateway_code", gw},
                                                              {"name", "三号网关"},
                                                              {"acquisition_interval_s", 3600}}})),
                           1));
  EXPECT_EQ(fingerprint(), before);
  EXPECT_TRUE(w.get("/api/v1/gateways/" + gw).value("acquisition_interval_s", json()).is_null());
  // At the default or faster it stays the enterprise's to set.
  r = w.c().patch_json("/api/v1/gateways/" + gw, {{"acquisition_interval_s", 30}}, user);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(w.get("/api/v1/gateways/" + gw)["acquisition_interval_s"], 30);
}

// Attack 12.20: overdue work (in progress past its end) taken off the overdue list by moving its
// end later after it passed (PATCH or upload of the same number). Finishing it is the way out.
TEST(DutyAttack, OverdueWorkStaysOverdue) {
  auto& w = world();
  auto user = w.as("da_user_a");
  json permit = {{"permit_no", "DA-SX-002"},   {"work_type", "confined_space"},
                 {"location", "一号储罐内部"}, {"hazard_code", kHazA},
                 {"begin_at", w.t(-hours(3))}, {"end_at", w.t(-hours(1))},
                 {"responsible", "检修班长"},  {"responsible_mobile", "13900000005"}};
  auto r = w.c().post_json("/api/v1/work-permits", permit, user);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  auto path = "/api/v1/work-permits/" + std::to_string(id);
  ASSERT_EQ(w.c().post_json(path + "/transitions", {{"action", "start"}}, user).status, 200);
  auto overdue = [&] {
    auto list = w.get("/api/v1/work-permits?overdue=true&company_code=" + kA);
    for (const auto& p : list["items"])
      if (p["id"] == id) return true;
    return false;
  };
  ASSERT_TRUE(overdue());

  auto before = fingerprint();
  EXPECT_TRUE(refused(w.c().patch_json(path, {{"end_at", w.t(hours(4))}, {"reason", "延期"}}, user),
                      422, "/end_at"));
  auto row = permit;
  row["state"] = "in_progress";
  row["end_at"] = w.t(hours(4));
  EXPECT_TRUE(all_rejected(w.upload("work-permits", json::array({row})), 1));
  EXPECT_EQ(fingerprint(), before);
  EXPECT_TRUE(overdue());
  // Its other fields may still change with a reason; finishing it ends the overdue.
  EXPECT_EQ(
      w.c().patch_json(path, {{"responsible", "检修副班长"}, {"reason", "换人"}}, user).status,
      200);
  ASSERT_EQ(w.c().post_json(path + "/transitions", {{"action", "finish"}}, user).status, 200);
  EXPECT_FALSE(overdue());
}

// Attack 12.21: the enterprise retires its own 包保责任人 (DELETE, a role moved, validity ended,
// the mobile removed; dashboard or upload): the SMS of its warnings stops and nobody is left to
// commit or approve a bypass. It may add and replace people; the regulator may retire a role.
TEST(DutyAttack, AHazardSourceKeepsItsResponsiblePersons) {
  auto& w = world();
  auto user = w.as("da_user_a");
  auto r = w.c().post_json("/api/v1/responsible-persons",
                           {{"company_code", kA},
                            {"hazard_code", kHazA},
                            {"role", "operations"},
                            {"name", "操作负责人"},
                            {"mobile", "13900000021"}},
                           user);
  ASSERT_EQ(r.status, 201) << r.body;  // a new role is the enterprise's own to fill
  auto operations = std::to_string(r.json()["id"].get<long long>());
  std::string principal;
  const auto persons = w.get("/api/v1/responsible-persons?hazard_code=" + kHazA);
  for (const auto& p : persons["items"])
    if (p["role"] == "principal") principal = std::to_string(p["id"].get<long long>());
  ASSERT_FALSE(principal.empty());
  const std::string path = "/api/v1/responsible-persons/";
  auto yesterday = core::format_rfc3339(w.srv->clock().now() + hours(8) - hours(24)).substr(0, 10);
  auto tomorrow = core::format_rfc3339(w.srv->clock().now() + hours(8) + hours(24)).substr(0, 10);

  auto before = fingerprint();
  EXPECT_TRUE(refused(w.c().del(path + principal, user), 422, "/is_active"));
  EXPECT_TRUE(refused(w.c().del(path + operations, user), 422, "/is_active"));
  EXPECT_TRUE(
      refused(w.c().patch_json(path + principal, {{"role", "technical"}}, user), 422, "/role"));
  // Ended yesterday, or later: nobody can be waiting to take over (one active person per role).
  for (const auto& day : {yesterday, tomorrow})
    EXPECT_TRUE(
        refused(w.c().patch_json(path + principal, {{"valid_to", day}}, user), 422, "/valid_to"))
        << day;
  EXPECT_TRUE(refused(w.c().patch_json(path + principal, {{"valid_from", tomorrow}}, user), 422,
                      "/valid_from"));
  EXPECT_TRUE(
      refused(w.c().patch_json(path + operations, {{"mobile", nullptr}}, user), 422, "/mobile"));
  json row = {{"hazard_code", kHazA}, {"role", "operations"}, {"name", "操作负责人"}};
  auto with = [&](const char* k, json v) {
    auto out = row;
    out[k] = std::move(v);
    return out;
  };
  EXPECT_TRUE(all_rejected(w.upload("responsible-persons", json::array({with("valid_to", yesterday),
                                                                        with("valid_to", tomorrow),
                                                                        with("mobile", nullptr)})),
                           3));
  EXPECT_EQ(fingerprint(), before);

  // Replacing the person keeps the role filled: by PATCH, and by upload under the same role.
  r = w.c().patch_json(path + operations, {{"name", "新操作负责人"}, {"mobile", "13900000022"}},
                       user);
  ASSERT_EQ(r.status, 200) << r.body;
  r = w.upload("responsible-persons", json::array({with("mobile", "13900000023")}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1) << r.body;
  auto now = w.get(path + operations);
  EXPECT_EQ(now["name"], "操作负责人");
  EXPECT_EQ(now["mobile"], "13900000023");
  EXPECT_EQ(now["is_active"], true);
  // The regulator may retire a role; the retired row stays for the county to read.
  EXPECT_EQ(w.c().del(path + operations, w.as("da_county")).status, 204);
  bool kept = false;
  const auto all = w.get("/api/v1/responsible-persons?include_inactive=true&hazard_code=" + kHazA);
  for (const auto& p : all["items"])
    if (std::to_string(p["id"].get<long long>()) == operations) kept = p["is_active"] == false;
  EXPECT_TRUE(kept);
  // The role's next person, uploaded, is a new active row; the retired one stays retired.
  r = w.upload("responsible-persons", json::array({{{"hazard_code", kHazA},
                                                    {"role", "operations"},
                                                    {"name", "接任操作负责人"},
                                                    {"mobile", "13900000024"}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1) << r.body;
  const auto active =
      w.get("/api/v1/responsible-persons?hazard_code=" + kHazA + "&role=operations");
  ASSERT_EQ(active["items"].size(), 1u) << active.dump();
  EXPECT_EQ(active["items"][0]["name"], "接任操作负责人");
  EXPECT_EQ(w.get(path + operations)["is_active"], false);
}

// Attack 12.22: equipment or a point moved into another unit (warehouse, loading platform), or a
// point's key parameter or process renamed, so that a unit without its sensors borrows another's
// in the coverage check. Empty, the enterprise fills them in; once set they are the regulator's.
TEST(DutyAttack, EquipmentAndPointsStayWhereTheCoverageCountsThem) {
  auto& w = world();
  auto admin = w.as("da_admin");
  auto user = w.as("da_user_a");
  const std::string cell2 = "DAMJA2", equip = kHazA + "S0003";
  ASSERT_EQ(w.c()
                .post_json("/api/v1/production-cells",
                           {{"prodcell_id", cell2},
                            {"company_code", kA},
                            {"hazard_code", kHazA},
                            {"cell_type", "unit"},
                            {"name", "精馏单元"}},
                           admin)
                .status,
            201);
  json equipment = {{"equip_code", equip}, {"company_code", kA}, {"hazard_code", kHazA},
                    {"equip_type", "S0"},  {"name", "硝化釜"},   {"prodcell_id", kCellA}};
  ASSERT_EQ(w.c().post_json("/api/v1/equipment", equipment, admin).status, 201);

  auto before = fingerprint();
  for (const auto& to : {json(cell2), json(nullptr)})
    EXPECT_TRUE(refused(w.c().patch_json("/api/v1/equipment/" + equip, {{"prodcell_id", to}}, user),
                        422, "/prodcell_id"))
        << to;
  EXPECT_TRUE(refused(
      w.c().patch_json("/api/v1/monitoring-points/" + kTemp, {{"prodcell_id", cell2}}, user), 422,
      "/prodcell_id"));
  EXPECT_EQ(fingerprint(), before);
  // By upload the stored unit is kept and named in `kept`.
  auto row = equipment;
  row.erase("company_code");
  row["prodcell_id"] = cell2;
  auto r = w.upload("equipment", json::array({row}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"prodcell_id\""), std::string::npos) << r.body;
  EXPECT_EQ(w.get("/api/v1/equipment/" + equip)["prodcell_id"], kCellA);
  // Equipment without a unit gets one from the enterprise; the regulator moves it later.
  auto r2 = w.c().patch_json("/api/v1/equipment/" + kUnitA2, {{"prodcell_id", cell2}}, user);
  EXPECT_EQ(r2.status, 200) << r2.body;
  auto r3 = w.c().patch_json("/api/v1/equipment/" + equip, {{"prodcell_id", cell2}}, admin);
  EXPECT_EQ(r3.status, 200) << r3.body;
}

// Attack 12.23 is ConnectionApi.StatesBeforeAndAfterData (connection_test.cpp): a gateway's
// empty uploads make its enterprise `silent`, not `connected`.

// Attack 12.24: a circular acknowledged after its deadline dropped out of the overdue count and
// looked like any other acknowledgement. It stays `late` on the recipient, in the circular, in
// the summary and in the five-systems statistics; acknowledging again changes nothing.
TEST(DutyAttack, ALateAcknowledgementStaysLate) {
  auto& w = world();
  auto city = w.as("da_city");
  auto r = w.c().post_json("/api/v1/circulars",
                           {{"title", "关于限期核查报警处置的通报"},
                            {"body", "请于1小时内签收并核查。"},
                            {"kind", "warning_disposal"},
                            {"company_codes", {kA, kB}},
                            {"ack_deadline", w.t(hours(1))}},
                           city);
  ASSERT_EQ(r.status, 201) << r.body;
  auto path = "/api/v1/circulars/" + std::to_string(r.json()["id"].get<long long>());
  ASSERT_EQ(w.c().post_json(path + "/publish", json::object(), city).status, 200);
  auto counted = [&](const json& j, const char* key) {
    return j.value(key, json()).is_number() ? j[key].get<long long>() : -1;
  };
  auto late_before = counted(w.get("/api/v1/circulars/summary")["total"], "acknowledged_late");
  auto five = [&] {
    return w.get("/api/v1/statistics/five-systems?region_code=140600")["totals"]["circulars"];
  };
  auto five_before = counted(five(), "acknowledged_late");
  ASSERT_GE(five_before, 0);
  // B acknowledges in time, A two hours later.
  ASSERT_EQ(w.c().post_json(path + "/acknowledgement", json::object(), w.as("da_user_b")).status,
            200);
  w.srv->clock().advance(hours(2));
  ASSERT_EQ(
      w.c().post_json(path + "/acknowledgement", {{"reply", "已核查。"}}, w.as("da_user_a")).status,
      200);
  auto d = w.get(path);
  EXPECT_EQ(d["acknowledged_late"], 1);
  for (const auto& rc : d["recipient_list"]) EXPECT_EQ(rc["late"], rc["company_code"] == kA) << rc;
  EXPECT_EQ(counted(w.get("/api/v1/circulars/summary")["total"], "acknowledged_late"),
            late_before + 1);
  EXPECT_EQ(counted(five(), "acknowledged_late"), five_before + 1);
  auto csv =
      w.c().get("/api/v1/statistics/five-systems?region_code=140600&format=csv", w.as("da_admin"));
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.body.find("逾期签收"), std::string::npos) << csv.body.substr(0, 300);
  // Acknowledging again (a new time before nobody's deadline) is refused and changes nothing.
  auto before = fingerprint();
  EXPECT_TRUE(
      refused(w.c().post_json(path + "/acknowledgement", json::object(), w.as("da_user_a")), 409));
  EXPECT_EQ(fingerprint(), before);
}
