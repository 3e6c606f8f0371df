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
  ok("warehouses",
     json::array({{{"prodcell_id", "UTWH1"}, {"hazard_code", kHazard}, {"name", "甲类仓库"}}}), 1,
     0);
  ok("loading-platforms",
     json::array({{{"prodcell_id", "UTLD1"}, {"hazard_code", kHazard}, {"name", "装卸台"}}}), 1, 0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM production_cell WHERE prodcell_id = 'UTWH1' AND "
                  "cell_type = 'warehouse'"),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM production_cell WHERE prodcell_id = 'UTLD1' AND "
                  "cell_type = 'loading'"),
            1);
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
  auto wrong = t.upload("loading-platforms", json::array({{{"prodcell_id", "UTWH2"},
                                                           {"hazard_code", kHazard},
                                                           {"cell_type", "warehouse"},
                                                           {"name", "仓库"}}}));
  ASSERT_EQ(wrong.status, 200);
  EXPECT_EQ(wrong.json()["rejected"].size(), 1u) << wrong.body;
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
