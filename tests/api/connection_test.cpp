// The notice's connection duties over HTTPS (issue 12): the connection status of a county's
// expected enterprises before and after one of them sends data; a city officer updates its own
// city's duty and not another's (404); an unmatched video-gateway roster row resolved by its
// city (pick an enterprise, create one) gets its deployment task, audited.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

#include <map>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;

namespace {

// 忻州 (140900): county 140981 (原平市), which no other API test uses.
constexpr const char* kCounty = "140981";
const std::string kA = "14098100001";  // gets a gateway that sends data
const std::string kB = "14098100002";  // never connected
const std::string kGateway = "GW140981001";

long long count(const std::string& sql, const storage::Params& p = {}) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql, p)["n"].get<long long>(); });
}

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, city, other_city, county, gateway;
  HttpsClient c() const { return srv->client(); }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("cn_admin", "province_admin");
    w->city = w->srv->make_user("cn_city", "city_officer", "140900");
    w->other_city = w->srv->make_user("cn_other_city", "city_officer", "140800");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("connection set-up: " + r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/regions",
        {{"code", kCounty}, {"name", "原平市"}, {"level", "county"}, {"parent_code", "140900"}},
        w->admin));
    w->county = w->srv->make_user("cn_county", "county_officer", kCounty);
    for (const auto& code : {kA, kB}) {
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "接入状态" + code + "化工有限公司"},
                      {"region_code", kCounty}},
                     w->admin));
      ok(c.post_json(
          "/api/v1/hazard-sources",
          {{"hazard_code", code + "001"}, {"company_code", code}, {"name", "罐区"}, {"rank", 3}},
          w->admin));
    }
    ok(c.post_json("/api/v1/gateways",
                   {{"gateway_code", kGateway}, {"company_code", kA}, {"name", "网关"}}, w->admin));
    for (const char* q : {"CNLIT1", "CNTIT1"})
      ok(c.post_json("/api/v1/monitoring-points",
                     {{"quota_code", q},
                      {"company_code", kA},
                      {"hazard_code", kA + "001"},
                      {"gateway_code", kGateway},
                      {"name", "液位"},
                      {"indicator_type", "level"},
                      {"value_kind", "analog"},
                      {"range_low", 0},
                      {"range_high", 20}},
                     w->admin));
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}}, w->admin));
    w->gateway = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    return w;
  }();
  return *w;
}

json connection(const std::string& token, const std::string& query) {
  auto r = world().c().get("/api/v1/deployment/connection?" + query, token);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json();
}

std::map<std::string, json> by_company(const json& items) {
  std::map<std::string, json> out;
  for (const auto& i : items) out[i["company_code"].get<std::string>()] = i;
  return out;
}

}  // namespace

TEST(ConnectionApi, StatesBeforeAndAfterData) {
  auto& w = world();
  auto before = connection(w.city, std::string("region=") + kCounty);
  EXPECT_EQ(before["totals"]["expected"], 2);
  EXPECT_EQ(before["totals"]["not_connected"], 2);
  auto b = by_company(before["items"]);
  EXPECT_EQ(b[kA]["state"], "not_connected");
  EXPECT_EQ(b[kA]["gateways"], 1);
  EXPECT_EQ(b[kA]["points_registered"], 2);
  EXPECT_EQ(b[kA]["points_reporting"], 0);
  EXPECT_TRUE(b[kA]["first_data_at"].is_null());
  EXPECT_EQ(b[kB]["gateways"], 0);

  // Attack 12.23: A's gateway uploads, but nothing of a registered point (an empty upload, then a
  // reading of a point nobody registered): the gateway is seen, yet A is silent, not connected.
  auto now = core::format_rfc3339(w.srv->clock().now());
  for (const auto& [id, datas] :
       {std::pair{"cn-0", json::array()},
        std::pair{
            "cn-00",
            json::array({{{"quotaCode", "CNNOSUCH1"}, {"collectTime", now}, {"value", 1.0}}})}}) {
    auto empty = w.c().post_json("/api/v1/upload/realtime",
                                 {{"companyCode", kA},
                                  {"gatewayCode", kGateway},
                                  {"dataId", id},
                                  {"reportType", "realtime"},
                                  {"sendTime", now},
                                  {"datas", datas}},
                                 w.gateway);
    ASSERT_EQ(empty.status / 100, 2) << empty.body;
  }
  auto hollow = by_company(connection(w.city, std::string("region=") + kCounty)["items"]);
  EXPECT_FALSE(hollow[kA]["last_data_at"].is_null()) << "the gateway was seen";
  EXPECT_EQ(hollow[kA]["points_reporting"], 0);
  EXPECT_EQ(hollow[kA]["state"], "silent");
  auto silent = connection(w.city, std::string("region=") + kCounty + "&state=silent");
  ASSERT_EQ(silent["items"].size(), 1u);
  EXPECT_EQ(silent["items"][0]["company_code"], kA);

  // A's gateway sends one reading.
  auto up = w.c().post_json(
      "/api/v1/upload/realtime",
      {{"companyCode", kA},
       {"gatewayCode", kGateway},
       {"dataId", "cn-1"},
       {"reportType", "realtime"},
       {"sendTime", now},
       {"datas", json::array({{{"quotaCode", "CNLIT1"}, {"collectTime", now}, {"value", 3.5}}})}},
      w.gateway);
  ASSERT_EQ(up.status / 100, 2) << up.body;

  auto after = connection(w.city, std::string("region=") + kCounty);
  EXPECT_EQ(after["totals"]["connected"], 1);
  EXPECT_EQ(after["totals"]["not_connected"], 1);
  auto a = by_company(after["items"]);
  EXPECT_EQ(a[kA]["state"], "connected");
  EXPECT_FALSE(a[kA]["first_data_at"].is_null());
  EXPECT_FALSE(a[kA]["last_data_at"].is_null());
  EXPECT_EQ(a[kA]["points_reporting"], 1);
  EXPECT_EQ(a[kB]["state"], "not_connected");
  // Not connected first; the list of only them.
  EXPECT_EQ(after["items"][0]["company_code"], kB);
  auto nc = connection(w.admin, std::string("region=") + kCounty + "&state=not_connected");
  ASSERT_EQ(nc["items"].size(), 1u);
  EXPECT_EQ(nc["total"], 1);
  // The province groups by city, 忻州 among them with at least these two.
  auto prov = connection(w.admin, "");
  EXPECT_EQ(prov["group_by"], "city");
  bool xinzhou = false;
  for (const auto& g : prov["groups"])
    if (g["region_code"] == "140900") xinzhou = g["expected"].get<long long>() >= 2;
  EXPECT_TRUE(xinzhou) << prov["groups"].dump();
  // Another city's officer asking for this county: 404; its own view has neither.
  auto other =
      w.c().get(std::string("/api/v1/deployment/connection?region=") + kCounty, w.other_city);
  EXPECT_EQ(other.status, 404) << other.body;
  auto own = by_company(connection(w.other_city, "limit=1000")["items"]);
  EXPECT_FALSE(own.count(kA));
}

TEST(ConnectionApi, ACityUpdatesItsOwnDutyButNotAnothers) {
  auto& w = world();
  auto mine = w.c().patch_json(
      "/api/v1/deployment/city-duties/140900/unconnected_list",
      {{"status", "done"}, {"evidence_note", "忻州市应急局 9月18日 报送名单"}}, w.city);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.json()["updated_by"], "cn_city");
  EXPECT_EQ(mine.json()["overdue"], false);
  auto theirs = w.c().patch_json("/api/v1/deployment/city-duties/140800/unconnected_list",
                                 {{"status", "done"}, {"evidence_note", "不是我的"}}, w.city);
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM city_duty WHERE city_code = '140800' AND "
                  "duty = 'unconnected_list' AND status = 'done'"),
            0);
  auto county = w.c().patch_json("/api/v1/deployment/city-duties/140900/city_system",
                                 {{"status", "in_progress"}}, w.county);
  EXPECT_EQ(county.status, 403) << county.body;
  // The city reads its own; the province sees the overdue ones of every city.
  auto list = w.c().get("/api/v1/deployment/city-duties", w.city);
  ASSERT_EQ(list.status, 200);
  auto items = list.json()["items"];
  ASSERT_EQ(items.size(), 3u);
  for (const auto& d : items) EXPECT_EQ(d["city_code"], "140900");
  auto overdue = w.c().get("/api/v1/deployment/city-duties?overdue=true", w.admin);
  ASSERT_EQ(overdue.status, 200);
  auto od = overdue.json();
  for (const auto& d : od["items"]) {
    EXPECT_TRUE(d["overdue"].get<bool>());
    EXPECT_FALSE(d["city_code"] == "140900" && d["duty"] == "unconnected_list");
  }
  EXPECT_GE(od["items"].size(), 30u);
  EXPECT_EQ(count("SELECT count(*) AS n FROM audit_log WHERE action = "
                  "'deployment.city_duty.update' AND actor_name = 'cn_city' AND status = 200"),
            1);
}

TEST(ConnectionApi, ResolvingAnUnmatchedRowCreatesItsTask) {
  auto& w = world();
  shared_db().exec(
      "INSERT INTO roster_row(attachment, seq, region_name, name, match_kind, note) VALUES "
      "(4, 9901, '忻州市', '接入状态测试化工公司', 'unmatched', ''), (4, 9902, '忻州市', "
      "'原平新建测试化工有限公司', 'unmatched', '') ON CONFLICT DO NOTHING");
  auto rows = w.c().get("/api/v1/deployment/roster-rows?match_kind=unmatched", w.city);
  ASSERT_EQ(rows.status, 200) << rows.body;
  auto listed = rows.json();
  int mine = 0;
  for (const auto& r : listed["items"]) {
    EXPECT_EQ(r["city_code"], "140900");
    mine += r["seq"] == 9901 || r["seq"] == 9902;
  }
  EXPECT_EQ(mine, 2);
  // Another city neither sees nor resolves them.
  auto other = w.c().post_json("/api/v1/deployment/roster-rows/4/9901/resolve",
                               {{"action", "pick"}, {"company_code", kA}}, w.other_city);
  EXPECT_EQ(other.status, 404) << other.body;

  ASSERT_EQ(count("SELECT count(*) AS n FROM deployment_task WHERE company_code = $1", {kA}), 0);
  auto pick = w.c().post_json("/api/v1/deployment/roster-rows/4/9901/resolve",
                              {{"action", "pick"}, {"company_code", kA}}, w.city);
  ASSERT_EQ(pick.status, 200) << pick.body;
  EXPECT_EQ(pick.json()["resolution"], "picked");
  EXPECT_EQ(pick.json()["tasks_created"], json::array({"video_gateway"}));
  auto tasks = w.c().get("/api/v1/deployment/tasks/" + kA, w.city);
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  auto tj = tasks.json();
  ASSERT_EQ(tj["items"].size(), 1u);
  EXPECT_EQ(tj["items"][0]["task"], "video_gateway");
  EXPECT_NE(tj["items"][0]["source_ref"].get<std::string>().find("附件4 #9901"), std::string::npos);
  // Resolved once only.
  auto again = w.c().post_json("/api/v1/deployment/roster-rows/4/9901/resolve",
                               {{"action", "pick"}, {"company_code", kB}}, w.city);
  EXPECT_EQ(again.status, 409) << again.body;

  auto created = w.c().post_json(
      "/api/v1/deployment/roster-rows/4/9902/resolve",
      {{"action", "create"}, {"name", "原平新建测试化工有限公司"}, {"region_code", "140900"}},
      w.city);
  ASSERT_EQ(created.status, 200) << created.body;
  auto code = created.json()["company_code"].get<std::string>();
  EXPECT_EQ(code.substr(0, 7), "1409009");
  EXPECT_EQ(count("SELECT count(*) AS n FROM deployment_task WHERE company_code = $1 AND task = "
                  "'video_gateway'",
                  {code}),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise WHERE company_code = $1 AND region_code = "
                  "$2",
                  {code, std::string("140900")}),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM audit_log WHERE action = 'deployment.roster.resolve' "
                  "AND actor_name = 'cn_city' AND status = 200"),
            2);
}
