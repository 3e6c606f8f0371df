// Base-table uploads (POST /api/v1/upload/{table}): a gateway creates and updates its own
// enterprise's registry rows, row by row with the registry's validation; rows of another
// enterprise are rejected by index; new points are accepted by the readings upload at once.
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {
// 临汾 (141000) and 吕梁 (141100): no other API test uses them.
constexpr const char* kCompany = "14100000001";
constexpr const char* kHazard = "14100000001001";
constexpr const char* kOther = "14110000001";
constexpr const char* kOtherHazard = "14110000001001";

// Keys of new points and cameras from a gateway start with its enterprise code (ADR 0015).
std::string q(const char* tail) { return std::string(kCompany) + tail; }

long long count(const std::string& sql) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
}

struct Tables {
  TestServer srv{shared_db()};
  HttpsClient c = srv.client();
  std::string admin, gateway, other_gateway;

  Tables() {
    admin = srv.make_user("ut_admin", "province_admin");
    auto ok = [&](const std::string& coll, const json& body) {
      auto r = c.post_json("/api/v1/" + coll, body, admin);
      if (r.status != 201) throw std::runtime_error("setup: " + coll + " → " + r.body);
      return r.json();
    };
    ok("enterprises", {{"company_code", kCompany},
                       {"name", "临汾基础数据化工有限公司"},
                       {"region_code", "141000"}});
    ok("enterprises",
       {{"company_code", kOther}, {"name", "吕梁基础数据化工有限公司"}, {"region_code", "141100"}});
    ok("hazard-sources",
       {{"hazard_code", kHazard}, {"company_code", kCompany}, {"name", "罐区"}, {"rank", 3}});
    ok("hazard-sources",
       {{"hazard_code", kOtherHazard}, {"company_code", kOther}, {"name", "罐区"}, {"rank", 3}});
    for (auto [company, token] :
         {std::pair{kCompany, &gateway}, std::pair{kOther, &other_gateway}}) {
      auto cred = ok("credentials",
                     {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", company}}}});
      *token = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    }
  }
  HttpResult upload(const std::string& table, const json& body, const std::string& token = {}) {
    return c.post_json("/api/v1/upload/" + table, body, token.empty() ? gateway : token);
  }
};

// One world for the file (usernames and codes are unique in the shared database).
Tables& tables() {
  static Tables* t = new Tables();
  return *t;
}

json point(const std::string& quota, double h) {
  return {{"quota_code", quota},
          {"hazard_code", kHazard},
          {"name", "1#罐液位"},
          {"indicator_type", "level"},
          {"value_kind", "analog"},
          {"unit", "m"},
          {"range_low", 0},
          {"range_high", 20},
          {"h", h},
          {"hh", 18},
          {"debounce_s", 0}};
}
}  // namespace

TEST(UploadTables, PointsAreUpsertedAndUsableByTheUploadAtOnce) {
  auto& t = tables();
  auto other_row = point(q("UTLIT9"), 15);
  other_row["company_code"] = kOther;
  other_row["hazard_code"] = kOtherHazard;
  auto bad_limits = point(q("UTLIT8"), 19);  // H above HH
  auto foreign_hazard = point(q("UTLIT7"), 15);
  foreign_hazard["hazard_code"] = kOtherHazard;  // company_code defaults to the gateway's
  auto r = t.upload("points", json::array({point(q("UTLIT1"), 15), other_row, bad_limits,
                                           "not a row", foreign_hazard}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1) << r.body;
  EXPECT_EQ(r.json()["created"], 1);
  auto rej = r.json()["rejected"];
  ASSERT_EQ(rej.size(), 4u) << r.body;
  EXPECT_EQ(rej[0]["index"], 1);
  EXPECT_EQ(rej[0]["reason"], "the row belongs to another enterprise");
  EXPECT_EQ(rej[1]["index"], 2);
  EXPECT_NE(rej[1]["reason"].get<std::string>().find("/h"), std::string::npos) << rej[1];
  EXPECT_EQ(rej[2]["index"], 3);
  EXPECT_EQ(rej[3]["index"], 4);
  EXPECT_EQ(count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code IN ('" +
                  q("UTLIT7") + "', '" + q("UTLIT8") + "', '" + q("UTLIT9") + "')"),
            0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code = '" + q("UTLIT1") +
                  "' AND company_code = '" + std::string(kCompany) + "'"),
            1);

  // The readings upload knows the new point now; 16 m is above its H of 15.
  auto at = [&](int ago) { return core::format_rfc3339(t.srv.clock().now() - seconds(ago)); };
  auto up = t.c.post_json(
      "/api/v1/upload/realtime",
      {{"companyCode", kCompany},
       {"dataId", "ut-1"},
       {"reportType", "realtime"},
       {"sendTime", at(0)},
       {"datas",
        json::array({{{"quotaCode", q("UTLIT1")}, {"collectTime", at(30)}, {"value", 16}}})}},
      t.gateway);
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json()["accepted"], 1) << up.body;

  // Sent again with a lower H: an update, not a second row (a higher one would be kept at the
  // stored value: only the regulator loosens a threshold, tests/api/supervision_test.cpp).
  auto again = t.upload("points", {{"companyCode", kCompany},
                                   {"dataId", "base-2"},
                                   {"datas", json::array({point(q("UTLIT1"), 14)})}});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json()["updated"], 1) << again.body;
  EXPECT_EQ(again.json()["created"], 0);
  EXPECT_TRUE(again.json()["kept"].empty()) << again.body;
  auto row = t.c.get("/api/v1/monitoring-points/" + q("UTLIT1"), t.admin);
  ASSERT_EQ(row.status, 200);
  EXPECT_DOUBLE_EQ(row.json()["h"].get<double>(), 14);
  EXPECT_EQ(row.json()["company_code"], kCompany);
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code = '" + q("UTLIT1") + "'"),
      1);
}

TEST(UploadTables, EveryTableMapsToItsCollection) {
  auto& t = tables();
  auto ok = [&](const std::string& table, const json& rows, int created, int updated) {
    auto r = t.upload(table, rows);
    EXPECT_EQ(r.status, 200) << table << ": " << r.body;
    EXPECT_EQ(r.json()["created"], created) << table << ": " << r.body;
    EXPECT_EQ(r.json()["updated"], updated) << table << ": " << r.body;
    EXPECT_EQ(r.json()["rejected"].size(), 0u) << table << ": " << r.body;
  };
  json equip = {{"equip_code", std::string(kHazard) + "G0001"},
                {"hazard_code", kHazard},
                {"equip_type", "G0"},
                {"name", "1#储罐"}};
  ok("equipment", json::array({equip}), 1, 0);
  equip["name"] = "1#液氯储罐";
  ok("equipment", json::array({equip}), 0, 1);
  // Warehouses and loading platforms are tables of their own (migration 0021).
  ok("warehouses",
     json::array({{{"warehouse_id", "UTWH1"},
                   {"hazard_code", kHazard},
                   {"name", "甲类仓库"},
                   {"fire_class", "甲"},
                   {"fire_class_item", 2}}}),
     1, 0);
  ok("loading-platforms",
     json::array({{{"platform_id", "UTLD1"},
                   {"hazard_code", kHazard},
                   {"name", "装卸台"},
                   {"positions", 6},
                   {"media", {"8006-61-9"}},
                   {"mode", "road"},
                   {"filling", "top"}}}),
     1, 0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM warehouse WHERE warehouse_id = 'UTWH1' AND "
                  "fire_class = '甲' AND fire_class_item = 2 AND company_code = '" +
                  std::string(kCompany) + "'"),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM loading_platform WHERE platform_id = 'UTLD1' AND "
                  "positions = 6 AND media = '[\"8006-61-9\"]' AND filling = 'top'"),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM production_cell WHERE prodcell_id IN ('UTWH1', "
                  "'UTLD1')"),
            0);
  ok("media",
     json::array({{{"video_id", q("UTCAM1")},
                   {"name", "罐区球机"},
                   {"scene_type", "tank_farm"},
                   {"hazard_code", kHazard}}}),
     1, 0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM camera WHERE video_id = '" + q("UTCAM1") +
                  "' AND company_code = '" + std::string(kCompany) + "'"),
            1);
  // Generated ids: matched on the natural key.
  json person = {
      {"hazard_code", kHazard}, {"role", "principal"}, {"name", "张三"}, {"mobile", "13800000000"}};
  ok("responsible-persons", json::array({person}), 1, 0);
  person["name"] = "李四";
  ok("responsible-persons", json::array({person}), 0, 1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM responsible_person WHERE hazard_code = '" +
                  std::string(kHazard) + "' AND name = '李四'"),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM responsible_person WHERE hazard_code = '" +
                  std::string(kHazard) + "'"),
            1);
  ok("chemicals",
     json::array({{{"cas", "7782-50-5"}, {"usage", "raw_material"}, {"max_inventory_t", 20}}}), 1,
     0);
  ok("chemicals",
     json::array({{{"cas", "7782-50-5"}, {"usage", "raw_material"}, {"max_inventory_t", 25}}}), 0,
     1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise_chemical WHERE company_code = '" +
                  std::string(kCompany) + "' AND cas = '7782-50-5' AND max_inventory_t = 25"),
            1);
  // A warehouse row sent as a loading platform is refused.
  auto wrong = t.upload(
      "loading-platforms",
      json::array({{{"warehouse_id", "UTWH2"}, {"hazard_code", kHazard}, {"name", "仓库"}}}));
  ASSERT_EQ(wrong.status, 200);
  EXPECT_EQ(wrong.json()["rejected"].size(), 1u) << wrong.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM warehouse WHERE warehouse_id = 'UTWH2'"), 0);
}

// Issue 12: names that say what they are, the old `media` deprecated, and the new tables.
TEST(UploadTables, NamedTablesSinceIssue12) {
  auto& t = tables();
  auto up = [&](const std::string& table, const json& rows) {
    auto r = t.upload(table, rows);
    EXPECT_EQ(r.status, 200) << table << ": " << r.body;
    return r;
  };
  auto counts = [](const HttpResult& r) {
    auto j = r.json();
    return std::to_string(j["created"].get<int>()) + "/" + std::to_string(j["updated"].get<int>()) +
           "/" + std::to_string(j["rejected"].size());
  };
  // media still means cameras, with Deprecation and the successor's Link; cameras has neither.
  auto old = up(
      "media",
      json::array(
          {{{"video_id", q("UTCAM7")}, {"name", "装卸区球机"}, {"scene_type", "loading_area"}}}));
  EXPECT_EQ(counts(old), "1/0/0") << old.body;
  EXPECT_EQ(old.header("deprecation"), "true");
  EXPECT_EQ(old.header("link"), "</api/v1/upload/cameras>; rel=\"successor-version\"");
  auto cams = up(
      "cameras",
      json::array(
          {{{"video_id", q("UTCAM7")}, {"name", "装卸区枪机"}, {"scene_type", "loading_area"}}}));
  EXPECT_EQ(counts(cams), "0/1/0") << cams.body;
  EXPECT_EQ(cams.header("deprecation"), "");
  EXPECT_EQ(count("SELECT count(*) AS n FROM camera WHERE video_id = '" + q("UTCAM7") +
                  "' AND name = '装卸区枪机'"),
            1);

  // equipment-media: 设备储存介质, matched on (equip_code, cas).
  std::string tank = std::string(kHazard) + "G0007";
  EXPECT_EQ(counts(up("equipment", json::array({{{"equip_code", tank},
                                                 {"hazard_code", kHazard},
                                                 {"equip_type", "G0"},
                                                 {"name", "7#储罐"}}}))),
            "1/0/0");
  json medium = {
      {"equip_code", tank}, {"cas", "7664-41-7"}, {"form", "H4701"}, {"design_inventory_t", 10}};
  EXPECT_EQ(counts(up("equipment-media", json::array({medium}))), "1/0/0");
  medium["design_inventory_t"] = 12;
  EXPECT_EQ(counts(up("equipment-media", json::array({medium}))), "0/1/0");
  EXPECT_EQ(count("SELECT count(*) AS n FROM equipment_medium WHERE equip_code = '" + tank +
                  "' AND cas = '7664-41-7' AND design_inventory_t = 12"),
            1);

  // hazard-sources: the enterprise's own updated, its grade kept; a new one is the regulator's.
  auto hs =
      up("hazard-sources",
         json::array(
             {{{"hazard_code", kHazard},
               {"name", "液氯罐区"},
               {"rank", 1},
               {"address", "临汾市化工路1号"}},
              {{"hazard_code", std::string(kCompany) + "009"}, {"name", "新罐区"}, {"rank", 4}}}));
  EXPECT_EQ(counts(hs), "0/1/1") << hs.body;
  EXPECT_EQ(hs.json()["kept"][0]["fields"], json({"rank"})) << hs.body;
  EXPECT_EQ(hs.json()["rejected"][0]["index"], 1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM hazard_source WHERE hazard_code = '" +
                  std::string(kHazard) + "' AND rank = 3 AND name = '液氯罐区'"),
            1);

  // hazard-chemicals: qᵢ, matched on (hazard_code, cas).
  json hc = {{"hazard_code", kHazard}, {"cas", "7782-50-5"}, {"quantity_t", 5}};
  EXPECT_EQ(counts(up("hazard-chemicals", json::array({hc}))), "1/0/0");
  hc["quantity_t"] = 6;
  EXPECT_EQ(counts(up("hazard-chemicals", json::array({hc}))), "0/1/0");
  EXPECT_EQ(count("SELECT count(*) AS n FROM hazard_chemical WHERE hazard_code = '" +
                  std::string(kHazard) + "' AND quantity_t = 6"),
            1);

  // gateways: a longer interval (fewer readings expected) stays the regulator's.
  json gw = {{"gateway_code", "UTGW0000007"}, {"name", "采集网关"}, {"acquisition_interval_s", 30}};
  EXPECT_EQ(counts(up("gateways", json::array({gw}))), "1/0/0");
  gw["acquisition_interval_s"] = 600;
  gw["location"] = "控制室";
  auto gwr = up("gateways", json::array({gw}));
  EXPECT_EQ(counts(gwr), "0/1/0") << gwr.body;
  EXPECT_EQ(gwr.json()["kept"][0]["fields"], json({"acquisition_interval_s"})) << gwr.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM gateway WHERE gateway_code = 'UTGW0000007' AND "
                  "acquisition_interval_s = 30 AND location = '控制室'"),
            1);

  // enterprise: its own row; region, status, grade and roster batch are kept.
  auto ent = up("enterprise", json::array({{{"address", "临汾市尧都区化工园"},
                                            {"principal", "王厂长"},
                                            {"region_code", "141100"},
                                            {"status", "suspended"},
                                            {"max_hazard_rank", 1},
                                            {"roster_batch", "forged"}},
                                           {{"company_code", kOther}, {"address", "别家"}}}));
  EXPECT_EQ(counts(ent), "0/1/1") << ent.body;
  auto kept = ent.json()["kept"][0]["fields"];
  for (const char* f : {"region_code", "status", "max_hazard_rank", "roster_batch"})
    EXPECT_NE(std::find(kept.begin(), kept.end(), json(f)), kept.end()) << f << " " << ent.body;
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM enterprise WHERE company_code = '" + std::string(kCompany) +
            "' AND address = '临汾市尧都区化工园' AND principal = '王厂长' AND region_code = "
            "'141000' AND status = 'operating' AND max_hazard_rank IS DISTINCT FROM 1 AND "
            "roster_batch IS DISTINCT FROM 'forged'"),
      1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise WHERE address = '别家'"), 0);

  // warehouse-chemicals: what a warehouse stores, matched on (warehouse_id, cas).
  EXPECT_EQ(
      counts(up("warehouses", json::array({{{"warehouse_id", "UTWH7"}, {"name", "硝酸铵库"}}}))),
      "1/0/0");
  json wc = {{"warehouse_id", "UTWH7"}, {"cas", "6484-52-2"}, {"max_quantity_t", 100}};
  EXPECT_EQ(counts(up("warehouse-chemicals", json::array({wc}))), "1/0/0");
  wc["max_quantity_t"] = 80;
  EXPECT_EQ(counts(up("warehouse-chemicals", json::array({wc}))), "0/1/0");
  EXPECT_EQ(count("SELECT count(*) AS n FROM warehouse_chemical WHERE warehouse_id = 'UTWH7' "
                  "AND max_quantity_t = 80"),
            1);

  // enterprise-processes: which key processes the enterprise runs.
  auto runs = [&] {
    return count("SELECT count(*) AS n FROM enterprise_process WHERE company_code = '" +
                 std::string(kCompany) + "' AND process_code = 'E1504' AND is_active");
  };
  EXPECT_EQ(counts(up("enterprise-processes", json::array({{{"process_code", "E1504"}}}))),
            "1/0/0");
  EXPECT_EQ(runs(), 1);
  EXPECT_EQ(counts(up("enterprise-processes", json::array({{{"process_code", "E1504"}}}))),
            "0/1/0");
  EXPECT_EQ(runs(), 1);
  auto bad =
      up("enterprise-processes", json::array({{{"process_code", "E1599"}},
                                              {{"process_code", "E1504"}, {"unit", "x"}},
                                              {{"process_code", "E1504"}, {"runs", false}}}));
  // runs: false would take the process's key parameters out of the coverage check: the
  // regulator's act (attack 12.9), refused by row like the other two.
  EXPECT_EQ(bad.json()["accepted"], 0) << bad.body;
  EXPECT_EQ(bad.json()["rejected"].size(), 3u) << bad.body;
  EXPECT_NE(bad.body.find("only the regulator stops a declared key process"), std::string::npos)
      << bad.body;
  EXPECT_EQ(runs(), 1);

  // production-units: a non-major unit (no hazard source) and a point on it; the unit's hazard
  // source, once stored, is the regulator's: an upload that sets one is kept.
  auto unit =
      up("production-units",
         json::array({{{"prodcell_id", "UTPU7"}, {"cell_type", "unit"}, {"name", "硝酸铵造粒装置"}},
                      {{"prodcell_id", "UTPU8"},
                       {"company_code", kOther},
                       {"cell_type", "unit"},
                       {"name", "别家装置"}}}));
  EXPECT_EQ(counts(unit), "1/0/1") << unit.body;
  auto moved = up("production-units", json::array({{{"prodcell_id", "UTPU7"},
                                                    {"cell_type", "unit"},
                                                    {"hazard_code", kHazard},
                                                    {"name", "硝酸铵造粒装置(改)"}}}));
  EXPECT_EQ(counts(moved), "0/1/0") << moved.body;
  EXPECT_EQ(moved.json()["kept"][0]["fields"], json({"hazard_code"})) << moved.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM production_cell WHERE prodcell_id = 'UTPU7' AND "
                  "hazard_code IS NULL AND name = '硝酸铵造粒装置(改)'"),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM production_cell WHERE prodcell_id = 'UTPU8'"), 0);
  auto pt = point(q("UTPU7T1"), 15);
  pt.erase("hazard_code");
  pt.erase("equip_code");
  pt["prodcell_id"] = "UTPU7";
  auto on_unit = up("points", json::array({pt}));
  EXPECT_EQ(counts(on_unit), "1/0/0") << on_unit.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code = '" + q("UTPU7T1") +
                  "' AND prodcell_id = 'UTPU7' AND hazard_code IS NULL"),
            1);
}

TEST(UploadTables, WholeRequestErrors) {
  auto& t = tables();
  auto problem = [](const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.json().value("code", ""), code) << r.body;
  };
  auto rows = json::array({point(q("UTLIT5"), 15)});
  problem(t.upload("points", {{"companyCode", kOther}, {"datas", rows}}), 403, "forbidden");
  problem(t.c.post_json("/api/v1/upload/points", rows, t.admin), 403, "forbidden");
  problem(t.c.post_json("/api/v1/upload/points", rows), 401, "unauthenticated");
  problem(t.upload("vehicles", rows), 404, "not_found");
  problem(t.upload("points", {{"companyCode", kCompany}}), 422, "validation_failed");
  problem(t.upload("points", {{"datas", "x"}}), 422, "validation_failed");
  problem(t.upload("points", {{"rows", rows}}), 422, "validation_failed");
  problem(t.upload("points", json(std::vector<json>(1001, json::object()))), 413, "too_large");
  problem(
      t.c.request("POST", "/api/v1/upload/points", "[{\"quota_code\": ",
                  {{"Authorization", "Bearer " + t.gateway}, {"Content-Type", "application/json"}}),
      400, "bad_request");
  // The other enterprise's gateway cannot touch this enterprise's rows either.
  auto r = t.upload("points", json::array({point(q("UTLIT5"), 15)}), t.other_gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 0);
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code = '" + q("UTLIT5") + "'"),
      0);
}
