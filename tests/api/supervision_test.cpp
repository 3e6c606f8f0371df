// Issue 9, attacks 3, 4, 8 and 9, as a hostile tenant would try them over HTTPS against the
// in-process server: an enterprise lowering its own supervision (regrading its hazard source,
// its status, deactivating what is watched, a decades-long filing), machine credentials filing
// or cancelling windows, probing another enterprise's keys, and readings from 1970 or of 1e308.
// Each test fails on the code before the fix (the attack worked) and passes after.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/database.hpp>

#include <functional>
#include <string>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {
int next_world() {
  static int n = 100;
  return n++;
}

long long count(const std::string& sql) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
}

::testing::AssertionResult is_problem(const HttpResult& r, int status, const std::string& code) {
  if (r.status != status)
    return ::testing::AssertionFailure()
           << "status " << r.status << " (want " << status << "): " << r.body.substr(0, 400);
  auto j = r.json();
  if (!j.is_object() || j.value("code", "") != code)
    return ::testing::AssertionFailure() << "code (want " << code << "): " << r.body.substr(0, 400);
  return ::testing::AssertionSuccess();
}

bool has_pointer(const HttpResult& r, const std::string& pointer) {
  for (const auto& e : r.json().value("errors", json::array()))
    if (e.value("pointer", "") == pointer) return true;
  return false;
}

// Enterprise A in 泽州县 (140525, 晋城) with a level-1 hazard source (R = 150), a level-4 one,
// two analog level points (H 15, HH 18, range 0–20, no debounce), a camera, a gateway credential
// and an enterprise user; enterprise B in 朔州 (140600) with a point and a camera of its own.
struct World {
  int n = next_world();
  std::string N = std::to_string(n);
  std::string kCompany = "14052590" + N, kOther = "14060090" + N;
  std::string kHazard = kCompany + "001", kHazard4 = kCompany + "002",
              kOtherHazard = kOther + "001";
  std::string kLevel1 = kCompany + "LIT1", kLevel2 = kCompany + "LIT2", kCamera = kCompany + "CAM1";
  // B's keys: one in the legacy free form, one with B's prefix.
  std::string kOtherBare = "SVB" + N, kOtherPrefixed = kOther + "LIT1", kOtherCamera = "SVBCAM" + N;
  TestServer srv;
  HttpsClient c = srv.client();
  std::string admin, county, other_city, ent, gateway;

  explicit World(int filing_max_days = 7)
      : srv(shared_db(), [&] {
          TestServerOptions o;
          o.offline_after_s = 3600;
          o.filing_max_days = filing_max_days;
          return o;
        }()) {
    admin = srv.make_user("sv_admin" + N, "province_admin");
    auto region = c.post_json(
        "/api/v1/regions",
        {{"code", "140525"}, {"name", "泽州县"}, {"level", "county"}, {"parent_code", "140500"}},
        admin);
    if (region.status != 201 && region.status != 409) throw std::runtime_error(region.body);
    ok("enterprises", {{"company_code", kCompany},
                       {"name", "泽州监管测试化工" + N},
                       {"region_code", "140525"},
                       {"status", "operating"}});
    ok("enterprises",
       {{"company_code", kOther}, {"name", "朔州监管测试化工" + N}, {"region_code", "140600"}});
    ok("hazard-sources", {{"hazard_code", kHazard},
                          {"company_code", kCompany},
                          {"name", "液氯罐区"},
                          {"rank", 1},
                          {"r_value", 150}});
    ok("hazard-sources",
       {{"hazard_code", kHazard4}, {"company_code", kCompany}, {"name", "小仓库"}, {"rank", 4}});
    ok("hazard-sources",
       {{"hazard_code", kOtherHazard}, {"company_code", kOther}, {"name", "罐区"}, {"rank", 3}});
    for (const auto& q : {kLevel1, kLevel2}) ok("monitoring-points", point(q, kCompany, kHazard));
    ok("monitoring-points", point(kOtherBare, kOther, kOtherHazard));
    ok("monitoring-points", point(kOtherPrefixed, kOther, kOtherHazard));
    ok("cameras", {{"video_id", kCamera},
                   {"company_code", kCompany},
                   {"name", "罐区球机"},
                   {"scene_type", "tank_farm"}});
    ok("cameras", {{"video_id", kOtherCamera},
                   {"company_code", kOther},
                   {"name", "大门"},
                   {"scene_type", "gate"}});
    auto cred = ok("credentials",
                   {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}});
    gateway = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    county = srv.make_user("sv_county" + N, "county_officer", "140525");
    other_city = srv.make_user("sv_othercity" + N, "city_officer", "140600");
    ent = srv.make_user("sv_ent" + N, "enterprise_user", kCompany);
  }

  static json point(const std::string& quota, const std::string& company,
                    const std::string& hazard) {
    return {{"quota_code", quota},
            {"company_code", company},
            {"hazard_code", hazard},
            {"name", "储罐液位"},
            {"indicator_type", "level"},
            {"value_kind", "analog"},
            {"unit", "m"},
            {"range_low", 0},
            {"range_high", 20},
            {"h", 15},
            {"hh", 18},
            {"debounce_s", 0},
            {"deadband", 0.5}};
  }
  json ok(const std::string& coll, const json& body) {
    auto r = c.post_json("/api/v1/" + coll, body, admin);
    if (r.status != 201) throw std::runtime_error("setup: POST " + coll + " → " + r.body);
    return r.json();
  }
  std::string at(int seconds_ago) {
    return core::format_rfc3339(srv.clock().now() - seconds(seconds_ago));
  }
  json item(const std::string& quota, int seconds_ago, double v) {
    return {{"quotaCode", quota}, {"collectTime", at(seconds_ago)}, {"value", v}};
  }
  HttpResult upload(const std::string& data_id, json datas, const std::string& type = "realtime") {
    json body = {{"companyCode", kCompany},
                 {"dataId", data_id},
                 {"reportType", type},
                 {"sendTime", at(0)},
                 {"datas", std::move(datas)}};
    return c.post_json("/api/v1/upload/realtime", body, gateway);
  }
  // HH (19 m above 18) for 40 s on `quota`: an HH alarm at once (no debounce).
  void exceed(const std::string& data_id, const std::string& quota) {
    auto r = upload(data_id, json::array({item(quota, 100, 19), item(quota, 60, 19.2)}));
    if (r.status != 200 || r.json()["accepted"] != 2) throw std::runtime_error(r.body);
  }
  void settle() {
    srv.ingest().tick();
    srv.warnings().tick();
  }
  json alarms(const std::string& quota) {
    auto r = c.get("/api/v1/alarms?quota_code=" + quota, admin);
    if (r.status != 200) throw std::runtime_error(r.body);
    return r.json()["items"];
  }
  json events() {
    auto r = c.get("/api/v1/warning-events?company_code=" + kCompany, admin);
    if (r.status != 200) throw std::runtime_error(r.body);
    return r.json()["items"];
  }
  json filing(const std::string& type, const std::string& from, const std::string& to,
              const std::string& kind = "enterprise", const std::string& target = {}) {
    json f = {{"company_code", kCompany}, {"target_kind", kind}, {"filing_type", type},
              {"starts_at", from},        {"ends_at", to},       {"reason", "检修"}};
    if (!target.empty()) f["target_code"] = target;
    return f;
  }
};
}  // namespace

// Attack 3b: PATCH {"rank":4,"r_value":5} by the enterprise was 200, and an HH alarm then made a
// blue warning for the enterprise and the county only.
TEST(SupervisionAttack, EnterpriseCannotRegradeItsHazardSourceAndHHStaysRed) {
  World w;
  auto r =
      w.c.patch_json("/api/v1/hazard-sources/" + w.kHazard, {{"rank", 4}, {"r_value", 5}}, w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/rank")) << r.body;
  EXPECT_TRUE(has_pointer(r, "/r_value")) << r.body;
  r = w.c.patch_json("/api/v1/hazard-sources/" + w.kHazard, {{"alpha", 2.0}}, w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/alpha")) << r.body;
  // Sending the stored value back is no change, and the enterprise's own fields stay writable.
  r = w.c.patch_json("/api/v1/hazard-sources/" + w.kHazard,
                     {{"rank", 1}, {"r_value", 150}, {"address", "泽州县化工路1号"}}, w.ent);
  ASSERT_EQ(r.status, 200) << r.body;
  auto hs = w.c.get("/api/v1/hazard-sources/" + w.kHazard, w.admin).json();
  EXPECT_EQ(hs["rank"], 1);
  EXPECT_DOUBLE_EQ(hs["r_value"].get<double>(), 150);
  EXPECT_EQ(hs["address"], "泽州县化工路1号");

  // HH on a point of the level-1 source: a red warning event (rule 1), pushed up to the province.
  w.exceed("sv-hh-1", w.kLevel1);
  w.settle();
  auto events = w.events();
  ASSERT_EQ(events.size(), 1u) << events.dump();
  EXPECT_EQ(events[0]["level"], "red") << events[0].dump();
  EXPECT_EQ(events[0]["hazard_code"], w.kHazard);
  auto detail =
      w.c.get("/api/v1/warning-events/" + std::to_string(events[0]["id"].get<long long>()), w.admin)
          .json();
  EXPECT_EQ(detail["recipients"], json::array({"enterprise", "county", "city", "province"}))
      << detail.dump();

  // A regulator may still set the grade (consistently with R).
  r = w.c.patch_json("/api/v1/hazard-sources/" + w.kHazard4, {{"rank", 3}, {"r_value", 20}},
                     w.county);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(SupervisionAttack, EnterpriseStatusAndMaxRankAreTheRegulators) {
  World w;
  auto r = w.c.patch_json("/api/v1/enterprises/" + w.kCompany, {{"status", "suspended"}}, w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/status")) << r.body;
  r = w.c.patch_json("/api/v1/enterprises/" + w.kCompany, {{"max_hazard_rank", 4}}, w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/max_hazard_rank")) << r.body;
  auto row = w.c.get("/api/v1/enterprises/" + w.kCompany, w.admin).json();
  EXPECT_EQ(row["status"], "operating");
  EXPECT_TRUE(row["max_hazard_rank"].is_null()) << row.dump();
  // The county officer may.
  r = w.c.patch_json("/api/v1/enterprises/" + w.kCompany, {{"status", "suspended"}}, w.county);
  EXPECT_EQ(r.status, 200) << r.body;
  // And the enterprise still edits its own contact data.
  r = w.c.patch_json("/api/v1/enterprises/" + w.kCompany, {{"duty_phone", "0356-1234567"}}, w.ent);
  EXPECT_EQ(r.status, 200) << r.body;
}

// The roster batch names the enterprise on the deployment roster (and its duties): the upload
// keeps it (`kept`), and the enterprise's own PATCH may not change it either.
TEST(SupervisionAttack, EnterpriseRosterBatchIsTheRegulators) {
  World w;
  const auto path = "/api/v1/enterprises/" + w.kCompany;
  auto r = w.c.patch_json(path, {{"roster_batch", "第一批"}}, w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/roster_batch")) << r.body;
  EXPECT_TRUE(w.c.get(path, w.admin).json()["roster_batch"].is_null());
  // The regulator sets it; then the enterprise may neither change nor clear it.
  r = w.c.patch_json(path, {{"roster_batch", "第二批"}}, w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  for (const json& v : {json("第一批"), json(nullptr)}) {
    r = w.c.patch_json(path, {{"roster_batch", v}}, w.ent);
    EXPECT_TRUE(is_problem(r, 422, "validation_failed")) << v;
    EXPECT_TRUE(has_pointer(r, "/roster_batch")) << r.body;
  }
  EXPECT_EQ(w.c.get(path, w.admin).json()["roster_batch"], "第二批");
  // Sending the stored value back (a whole row re-saved) is not a change.
  r = w.c.patch_json(path, {{"roster_batch", "第二批"}, {"duty_phone", "0356-7654321"}}, w.ent);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(SupervisionAttack, EnterpriseCannotDeactivateOrSilenceWhatIsWatched) {
  World w;
  EXPECT_TRUE(is_problem(w.c.del("/api/v1/hazard-sources/" + w.kHazard, w.ent), 403, "forbidden"));
  EXPECT_TRUE(
      is_problem(w.c.del("/api/v1/monitoring-points/" + w.kLevel1, w.ent), 403, "forbidden"));
  EXPECT_TRUE(is_problem(w.c.del("/api/v1/cameras/" + w.kCamera, w.ent), 403, "forbidden"));
  EXPECT_TRUE(is_problem(w.c.post_json("/api/v1/hazard-sources",
                                       {{"hazard_code", w.kCompany + "009"},
                                        {"company_code", w.kCompany},
                                        {"name", "自报"},
                                        {"rank", 4}},
                                       w.ent),
                         403, "forbidden"));
  auto r = w.c.patch_json("/api/v1/monitoring-points/" + w.kLevel1, {{"in_use", false}}, w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/in_use")) << r.body;
  // Moving a point under the level-4 source would make its warnings blue.
  r = w.c.patch_json("/api/v1/monitoring-points/" + w.kLevel1, {{"hazard_code", w.kHazard4}},
                     w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/hazard_code")) << r.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM hazard_source WHERE hazard_code = '" + w.kHazard +
                  "' AND is_active"),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code = '" + w.kLevel1 +
                  "' AND is_active AND in_use "
                  "AND hazard_code = '" +
                  w.kHazard + "'"),
            1);
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM camera WHERE video_id = '" + w.kCamera + "' AND is_active"),
      1);
  // Once the regulator has taken the point out of use, the enterprise may retire it.
  ASSERT_EQ(w.c.patch_json("/api/v1/monitoring-points/" + w.kLevel2, {{"in_use", false}}, w.county)
                .status,
            200);
  EXPECT_EQ(w.c.del("/api/v1/monitoring-points/" + w.kLevel2, w.ent).status, 204);
  // Putting a point back in use is always allowed.
  ASSERT_EQ(
      w.c.patch_json("/api/v1/monitoring-points/" + w.kLevel1, {{"in_use", true}}, w.ent).status,
      200);
}

// Thresholds are the enterprise's data, but moving them so that alarms fall silent is not: an
// HH raised to 1e9, an H removed, a 24-hour debounce or a wider range would each hide what the
// regulator sees. The enterprise may tighten; loosening is the regulator's (PATCH: 422 naming
// each field; the stored row unchanged).
TEST(SupervisionAttack, EnterpriseMayTightenButNotLoosenItsAlarmSettings) {
  World w;
  auto path = "/api/v1/monitoring-points/" + w.kLevel1;
  struct Loosening {
    const char* field;
    json value;
  };
  for (const auto& [field, value] :
       std::vector<Loosening>{{"hh", 1e9},
                              {"h", nullptr},
                              {"h", 16},
                              {"l", -1},  // after the regulator sets L 2 below
                              {"range_high", 200},
                              {"range_low", -5},
                              {"debounce_s", 86400},
                              {"deadband", 5}}) {
    if (std::string(field) == "l") {
      ASSERT_EQ(w.c.patch_json(path, {{"l", 2}, {"ll", 1}}, w.county).status, 200);
    }
    auto r = w.c.patch_json(path, {{field, value}}, w.ent);
    EXPECT_TRUE(is_problem(r, 422, "validation_failed")) << field << " → " << value.dump();
    EXPECT_TRUE(has_pointer(r, std::string("/") + field)) << field << ": " << r.body;
  }
  EXPECT_TRUE(is_problem(w.c.patch_json(path, {{"ll", nullptr}}, w.ent), 422, "validation_failed"));
  EXPECT_TRUE(is_problem(w.c.patch_json(path, {{"value_kind", "switch"}}, w.ent), 422,
                         "validation_failed"));
  auto stored = w.c.get(path, w.admin).json();
  EXPECT_DOUBLE_EQ(stored["hh"].get<double>(), 18);
  EXPECT_DOUBLE_EQ(stored["h"].get<double>(), 15);
  EXPECT_DOUBLE_EQ(stored["range_high"].get<double>(), 20);
  EXPECT_EQ(stored["debounce_s"], 0);
  EXPECT_EQ(stored["value_kind"], "analog");

  // Tightening is the enterprise's own: a lower HH and H, a higher L, a shorter deadband, a
  // narrower range, and the stored values sent back unchanged with a new name.
  auto r = w.c.patch_json(
      path,
      {{"hh", 17}, {"h", 14}, {"l", 3}, {"deadband", 0.2}, {"range_high", 19.5}, {"name", "1#罐"}},
      w.ent);
  ASSERT_EQ(r.status, 200) << r.body;
  stored = w.c.get(path, w.admin).json();
  EXPECT_DOUBLE_EQ(stored["hh"].get<double>(), 17);
  EXPECT_DOUBLE_EQ(stored["l"].get<double>(), 3);
  EXPECT_EQ(stored["name"], "1#罐");
  // The regulator may loosen.
  r = w.c.patch_json(path, {{"hh", 19}, {"debounce_s", 60}}, w.county);
  EXPECT_EQ(r.status, 200) << r.body;

  // A gateway's base-table upload keeps the stored values of loosened settings and names them;
  // a tightened one is taken.
  auto row = World::point(w.kLevel1, w.kCompany, w.kHazard);
  row["hh"] = 1000;
  row["h"] = 14;
  row["l"] = 3;
  row["ll"] = 1;
  row["debounce_s"] = 30;  // shorter than the regulator's 60: taken
  row["deadband"] = 0.2;
  row["range_high"] = 19.5;
  r = w.c.post_json("/api/v1/upload/points", json::array({row}), w.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["kept"].size(), 1u) << r.body;
  EXPECT_EQ(r.json()["kept"][0]["fields"], json::array({"hh"})) << r.body;
  stored = w.c.get(path, w.admin).json();
  EXPECT_DOUBLE_EQ(stored["hh"].get<double>(), 19);
  EXPECT_EQ(stored["debounce_s"], 30);

  // A longer acquisition interval lowers what is expected of the gateway's data.
  w.ok("gateways", {{"gateway_code", w.kCompany.substr(0, 9) + "G1"},
                    {"company_code", w.kCompany},
                    {"name", "采集网关"},
                    {"acquisition_interval_s", 10}});
  auto gw = "/api/v1/gateways/" + w.kCompany.substr(0, 9) + "G1";
  r = w.c.patch_json(gw, {{"acquisition_interval_s", 600}}, w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/acquisition_interval_s")) << r.body;
  EXPECT_EQ(w.c.patch_json(gw, {{"acquisition_interval_s", 5}}, w.ent).status, 200);

  // What the video AI looks for, where and when, is the regulator's once the camera exists.
  auto cam = "/api/v1/cameras/" + w.kCamera;
  for (const char* field : {"analysers", "rois", "duty_schedule"}) {
    r = w.c.patch_json(cam, {{field, json::array()}}, w.ent);  // stored: [] — no change, allowed
    EXPECT_EQ(r.status, 200) << field << ": " << r.body;
  }
  r = w.c.patch_json(cam, {{"analysers", json::array({{{"type", "camera_health"}}})}}, w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  r = w.c.patch_json(cam, {{"analysers", json::array()}}, w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/analysers")) << r.body;
  EXPECT_EQ(w.c.get(cam, w.admin).json()["analysers"].size(), 1u);
}

// The grading inputs are the enterprise's own data; a grade it computes may only raise supervision.
TEST(SupervisionAttack, GradingByTheEnterpriseMayNotLowerTheGrade) {
  World w;
  // 10 t of chlorine (Q = 5 t, β = 4) with 10 people exposed (α = 1): R = 8, level 4.
  ASSERT_EQ(w.c.patch_json("/api/v1/hazard-sources/" + w.kHazard,
                           {{"people_exposed", 10}, {"r_value", nullptr}}, w.admin)
                .status,
            200);
  w.ok("hazard-chemicals", {{"company_code", w.kCompany},
                            {"hazard_code", w.kHazard},
                            {"cas", "7782-50-5"},
                            {"quantity_t", 10}});
  auto path = "/api/v1/hazard-sources/" + w.kHazard + "/grading";
  auto g = w.c.get(path, w.ent);
  ASSERT_EQ(g.status, 200) << g.body;
  ASSERT_EQ(g.json()["level"], 4) << g.body;
  auto r = w.c.post_json(path, json::object(), w.ent);
  EXPECT_TRUE(is_problem(r, 422, "validation_failed"));
  EXPECT_TRUE(has_pointer(r, "/rank")) << r.body;
  EXPECT_EQ(w.c.get("/api/v1/hazard-sources/" + w.kHazard, w.admin).json()["rank"], 1);
  r = w.c.post_json(path, json::object(), w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(w.c.get("/api/v1/hazard-sources/" + w.kHazard, w.admin).json()["rank"], 4);
}

// Attack 3a: an enterprise-wide overhaul from 2026-01-01 to 2099-01-01 was 201 and suppressed
// every alarm. Now it is pending and suppresses nothing until a county officer approves it.
TEST(FilingAttack, LongEnterpriseFilingIsPendingAndSuppressesNothing) {
  World w;
  auto f = w.c.post_json("/api/v1/filings",
                         w.filing("overhaul", "2026-01-01 00:00:00", "2099-01-01 00:00:00"), w.ent);
  ASSERT_EQ(f.status, 201) << f.body;
  EXPECT_EQ(f.json()["status"], "pending") << f.body;
  EXPECT_TRUE(f.json()["approved_at"].is_null());
  auto id = f.json()["id"].get<long long>();
  auto pending = w.c.get("/api/v1/filings?status=pending&company_code=" + w.kCompany, w.county);
  ASSERT_EQ(pending.status, 200) << pending.body;
  ASSERT_EQ(pending.json()["items"].size(), 1u) << pending.body;
  EXPECT_EQ(pending.json()["items"][0]["id"], id);
  EXPECT_EQ(w.c.get("/api/v1/filings?status=approved&company_code=" + w.kCompany, w.county)
                .json()["items"]
                .size(),
            0u);

  w.exceed("sv-pend-1", w.kLevel1);
  w.settle();
  auto a = w.alarms(w.kLevel1);
  ASSERT_EQ(a.size(), 1u) << a.dump();
  EXPECT_EQ(a[0]["alarm_type"], "HH");
  EXPECT_EQ(a[0]["suppressed"], false) << "a pending filing suppressed an alarm";
  EXPECT_EQ(w.events().size(), 1u);

  // Approved by the county: from now on it suppresses.
  auto ap = w.c.post_json("/api/v1/filings/" + std::to_string(id) + "/approve",
                          {{"note", "已核实大检修方案"}}, w.county);
  ASSERT_EQ(ap.status, 200) << ap.body;
  EXPECT_EQ(ap.json()["status"], "approved");
  EXPECT_FALSE(ap.json()["approved_by"].is_null());
  w.exceed("sv-pend-2", w.kLevel2);
  auto b = w.alarms(w.kLevel2);
  ASSERT_EQ(b.size(), 1u) << b.dump();
  EXPECT_EQ(b[0]["suppressed"], true);
}

TEST(FilingAttack, ShortEnterpriseFilingsAreInForceAtOnceLongOnesWaitForApproval) {
  World w;
  auto now = w.srv.clock().now();
  auto t = [&](hours h) { return core::format_rfc3339(now + h); };
  // Within the limits (7 days; overhaul 60 days): approved at once.
  auto a = w.c.post_json("/api/v1/filings",
                         w.filing("shutdown", t(-1h), t(6 * 24h), "point", w.kLevel1), w.ent);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(a.json()["status"], "approved");
  auto b =
      w.c.post_json("/api/v1/filings",
                    w.filing("overhaul", t(0h), t(59 * 24h), "hazard_source", w.kHazard4), w.ent);
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(b.json()["status"], "approved");
  // Over them, or starting beyond them (a chain of short windows filed ahead): pending.
  for (const auto& body :
       {w.filing("shutdown", t(0h), t(8 * 24h)), w.filing("overhaul", t(0h), t(61 * 24h)),
        w.filing("startup", t(10 * 24h), t(11 * 24h))}) {
    auto r = w.c.post_json("/api/v1/filings", body, w.ent);
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.json()["status"], "pending") << body.dump();
    EXPECT_TRUE(r.json().contains("pending_reason"));
  }
  // A regulator's own filing of any length is in force at once.
  auto c = w.c.post_json("/api/v1/filings", w.filing("overhaul", t(0h), t(90 * 24h)), w.county);
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(c.json()["status"], "approved");
}

TEST(FilingAttack, TheMaximumIsConfigurable) {
  World w(1);  // ingest.filing_max_days = 1
  auto now = w.srv.clock().now();
  auto t = [&](hours h) { return core::format_rfc3339(now + h); };
  auto a = w.c.post_json("/api/v1/filings", w.filing("shutdown", t(0h), t(20h)), w.ent);
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(a.json()["status"], "approved");
  auto b = w.c.post_json("/api/v1/filings", w.filing("shutdown", t(0h), t(48h)), w.ent);
  ASSERT_EQ(b.status, 201) << b.body;
  EXPECT_EQ(b.json()["status"], "pending");
  EXPECT_NE(b.json()["pending_reason"].get<std::string>().find("longer than 1 day "),
            std::string::npos)
      << b.body;
}

TEST(FilingAttack, OnlyRegulatorsInScopeApproveOrReject) {
  World w;
  auto file = [&] {
    auto r =
        w.c.post_json("/api/v1/filings",
                      w.filing("overhaul", "2026-01-01 00:00:00", "2099-01-01 00:00:00"), w.ent);
    if (r.status != 201) throw std::runtime_error(r.body);
    return "/api/v1/filings/" + std::to_string(r.json()["id"].get<long long>());
  };
  auto one = file();
  EXPECT_TRUE(is_problem(w.c.post_json(one + "/approve", json::object(), w.ent), 403, "forbidden"));
  EXPECT_TRUE(
      is_problem(w.c.post_json(one + "/approve", json::object(), w.other_city), 404, "not_found"));
  auto officer = w.srv.make_user("sv_pofficer" + w.N, "province_officer");
  EXPECT_TRUE(
      is_problem(w.c.post_json(one + "/approve", json::object(), officer), 403, "forbidden"));
  EXPECT_TRUE(is_problem(w.c.post_json(one + "/reject", json::object(), w.county), 422,
                         "validation_failed"));
  auto rej = w.c.post_json(one + "/reject", {{"note", "检修方案未报送"}}, w.county);
  ASSERT_EQ(rej.status, 200) << rej.body;
  EXPECT_EQ(rej.json()["status"], "rejected");
  EXPECT_EQ(rej.json()["decision_note"], "检修方案未报送");
  EXPECT_TRUE(
      is_problem(w.c.post_json(one + "/approve", json::object(), w.county), 409, "conflict"));
  // A rejected filing suppresses nothing.
  w.exceed("sv-rej-1", w.kLevel1);
  EXPECT_EQ(w.alarms(w.kLevel1)[0]["suppressed"], false);
  // The province admin approves another one (no body needed).
  auto two = file();
  auto ok = w.c.request("POST", two + "/approve", "", {{"Authorization", "Bearer " + w.admin}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()["status"], "approved");
  // Both decisions are in the audit log with who made them.
  EXPECT_EQ(count("SELECT count(*) AS n FROM audit_log WHERE action = 'filing.reject' AND status = "
                  "200 AND path = '" +
                  one + "/reject' AND actor_name = 'sv_county" + w.N + "'"),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM audit_log WHERE action = 'filing.approve' AND status "
                  "= 200 AND path = '" +
                  two + "/approve' AND actor_name = 'sv_admin" + w.N + "'"),
            1);
}

// Attack 4: DELETE /api/v1/filings/{id} with a gateway credential was 204; a city-platform
// credential could do it across its region.
TEST(FilingAttack, MachineCredentialsNeitherFileNorCancel) {
  World w;
  auto f = w.c.post_json("/api/v1/filings", w.filing("overhaul", w.at(3600), w.at(-3600)), w.admin);
  ASSERT_EQ(f.status, 201) << f.body;
  auto path = "/api/v1/filings/" + std::to_string(f.json()["id"].get<long long>());
  auto platform = w.ok("credentials", {{"kind", "city_platform"},
                                       {"scope", {{"kind", "region"}, {"code", "140500"}}}});
  auto city_platform =
      platform["app_id"].get<std::string>() + "." + platform["secret"].get<std::string>();
  for (const auto& machine : {w.gateway, city_platform}) {
    EXPECT_TRUE(is_problem(w.c.del(path, machine), 403, "forbidden"));
    EXPECT_TRUE(is_problem(
        w.c.post_json("/api/v1/filings", w.filing("shutdown", w.at(0), w.at(-600)), machine), 403,
        "forbidden"));
    EXPECT_TRUE(
        is_problem(w.c.post_json(path + "/approve", json::object(), machine), 403, "forbidden"));
  }
  EXPECT_EQ(count("SELECT count(*) AS n FROM filing WHERE company_code = '" + w.kCompany +
                  "' AND cancelled_at IS NULL"),
            1);
  // The filing still suppresses.
  w.exceed("sv-mach-1", w.kLevel1);
  EXPECT_EQ(w.alarms(w.kLevel1)[0]["suppressed"], true);
  // The enterprise's own user may cancel it; that is audited with who did it.
  auto d = w.c.del(path, w.ent);
  ASSERT_EQ(d.status, 204) << d.body;
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM audit_log WHERE action = 'filing.cancel' AND path = '" +
            path + "' AND status = 204 AND actor_name = 'sv_ent" + w.N + "'"),
      1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM filing WHERE company_code = '" + w.kCompany +
                  "' AND cancelled_by IS NOT NULL"),
            1);
}

// Attack 8: creating a point or camera with another enterprise's key answered 409; the upload
// path said "belongs to another enterprise".
TEST(KeysAndExistence, AnotherEnterprisesKeyIsAnsweredLikeAFreeOne) {
  World w;
  // The answer with the key blanked out.
  auto shape = [](const HttpResult& r, const std::string& key) {
    std::string b = r.json().value("errors", json::array()).dump();
    for (auto at = b.find(key); at != std::string::npos; at = b.find(key))
      b.replace(at, key.size(), "<key>");
    return std::to_string(r.status) + " " + r.json().value("code", "") + " " + b;
  };
  auto point_as_ent = [&](const std::string& key) {
    return w.c.post_json("/api/v1/monitoring-points", World::point(key, w.kCompany, w.kHazard),
                         w.ent);
  };
  auto camera_as_ent = [&](const std::string& key) {
    return w.c.post_json(
        "/api/v1/cameras",
        {{"video_id", key}, {"company_code", w.kCompany}, {"name", "门"}, {"scene_type", "gate"}},
        w.ent);
  };
  struct Probe {
    std::function<HttpResult(const std::string&)> send;
    std::string taken, free;
  };
  for (const auto& p : {Probe{point_as_ent, w.kOtherBare, "SVFREE" + w.N},
                        Probe{point_as_ent, w.kOtherPrefixed, w.kOther + "LIT9"},
                        Probe{camera_as_ent, w.kOtherCamera, "SVFREECAM" + w.N},
                        Probe{camera_as_ent, w.kOther + "CAM7", w.kOther + "CAM8"}}) {
    SCOPED_TRACE(p.taken);
    auto taken = p.send(p.taken);
    auto free = p.send(p.free);
    EXPECT_NE(taken.status, 409) << taken.body;
    EXPECT_TRUE(is_problem(taken, 422, "validation_failed"));
    EXPECT_EQ(shape(taken, p.taken), shape(free, p.free)) << taken.body << "\n" << free.body;
  }
  // The enterprise's own keys work.
  EXPECT_EQ(point_as_ent(w.kCompany + "PT9").status, 201);
  EXPECT_EQ(camera_as_ent(w.kCompany + "CAM9").status, 201);

  // Base-table upload by A's gateway: B's key is rejected exactly like a free key.
  auto rows = json::array({World::point(w.kOtherBare, w.kCompany, w.kHazard),
                           World::point("SVFREE2" + w.N, w.kCompany, w.kHazard)});
  auto up = w.c.post_json("/api/v1/upload/points", rows, w.gateway);
  ASSERT_EQ(up.status, 200) << up.body;
  ASSERT_EQ(up.json()["rejected"].size(), 2u) << up.body;
  EXPECT_EQ(up.json()["rejected"][0]["reason"], up.json()["rejected"][1]["reason"]);
  EXPECT_EQ(up.json()["rejected"][0]["reason"].get<std::string>().find("exists"),
            std::string::npos);

  // Readings for B's point: "unknown quotaCode", as for a point that does not exist.
  auto r = w.upload("sv-probe-1",
                    json::array({w.item(w.kOtherBare, 10, 5), w.item("SVNOPE" + w.N, 10, 5)}));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["rejected"].size(), 2u) << r.body;
  EXPECT_EQ(r.json()["rejected"][0]["reason"], "unknown quotaCode");
  EXPECT_EQ(r.json()["rejected"][1]["reason"], "unknown quotaCode");
  // B's rows are untouched.
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM monitoring_point WHERE company_code = '" + w.kOther + "'"),
      2);
  EXPECT_EQ(count("SELECT count(*) AS n FROM camera WHERE company_code = '" + w.kOther + "'"), 1);
}

// Attack 9: a reading from 1970 was stored, and a value of 1e308 accepted.
TEST(ReadingLimits, OldAndAbsurdReadingsAreRejectedOneByOne) {
  World w;
  auto r = w.upload(
      "sv-old-1",
      json::array({{{"quotaCode", w.kLevel1}, {"collectTime", "1970-01-01 08:00:00"}, {"value", 5}},
                   w.item(w.kLevel1, 10, 1e308),
                   w.item(w.kLevel1, 6 * 86400, 5.5),  // a resend from six days ago
                   w.item(w.kLevel1, 8 * 86400, 5.5),
                   w.item(w.kLevel1, 5, 25),  // out of range (0–20), within 10×: a data fault
                   w.item(w.kLevel1, 4, -1e16),
                   w.item(w.kLevel1, 3, 201)}),
      "resend");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 2) << r.body;
  auto rej = r.json()["rejected"];
  ASSERT_EQ(rej.size(), 5u) << r.body;
  auto expect = [&](std::size_t i, int index, const std::string& reason) {
    EXPECT_EQ(rej[i]["index"], index) << rej.dump();
    EXPECT_NE(rej[i]["reason"].get<std::string>().find(reason), std::string::npos) << rej[i].dump();
  };
  expect(0, 0, "older than 7 days");
  expect(1, 1, "±1e15");
  expect(2, 3, "older than 7 days");
  expect(3, 5, "±1e15");
  expect(4, 6, "10×");
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM reading r JOIN monitoring_point p USING (point_id) WHERE "
            "p.quota_code = '" +
            w.kLevel1 + "' AND (r.collect_ts < now() - interval '7 days' OR abs(r.value) > 1e15)"),
      0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM reading r JOIN monitoring_point p USING (point_id) "
                  "WHERE p.quota_code = '" +
                  w.kLevel1 + "'"),
            2);
}

// Base tables: an existing point keeps the regulator's values of its supervision fields, and the
// reply names them.
TEST(UploadTablesSupervision, ExistingRowsKeepTheRegulatorsValues) {
  World w;
  auto row = World::point(w.kLevel1, w.kCompany, w.kHazard4);
  row["in_use"] = false;
  row["name"] = "1#罐液位(新)";
  auto r = w.c.post_json("/api/v1/upload/points", json::array({row}), w.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["updated"], 1) << r.body;
  EXPECT_EQ(r.json()["rejected"].size(), 0u) << r.body;
  ASSERT_EQ(r.json()["kept"].size(), 1u) << r.body;
  EXPECT_EQ(r.json()["kept"][0]["index"], 0);
  EXPECT_EQ(r.json()["kept"][0]["fields"], json::array({"hazard_code", "in_use"})) << r.body;
  auto stored = w.c.get("/api/v1/monitoring-points/" + w.kLevel1, w.admin).json();
  EXPECT_EQ(stored["hazard_code"], w.kHazard);
  EXPECT_EQ(stored["in_use"], true);
  EXPECT_EQ(stored["name"], "1#罐液位(新)");
}
