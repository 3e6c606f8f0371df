// SIS loops (安全仪表系统 联锁回路) over HTTPS with the server's injected clock: an officer
// registers a loop, the enterprise's user files a bypass that its approval puts in effect, and
// past its expiry the check raises a `sis` warning that ending the bypass closes; a trip filed by
// the user, uploaded by the gateway or read from the trip point (switchValue 1) raises one at once
// and its reset closes it (refused while the point reads 1); the gateway files for its own
// enterprise only; another enterprise's loop is 404; the list shows each loop's state.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/app/platform.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/sis_service.hpp>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

// 阳泉 (140300): county 140322 (盂县), which no other API test uses.
constexpr const char* kCounty = "140322";
const std::string kA = "14032200001";      // registers, files, uploads
const std::string kB = "14032200002";      // a neighbour in the same county
const std::string kOther = "14040000091";  // 长治: another city
const std::string kTripPoint = "14032200001001XS101";
const std::string kTemp = "14032200001001TI101";

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, county, city_other;
  std::string user_a, user_b, gateway_a;
  HttpsClient c() const { return srv->client(); }
  std::string t(system_clock::duration from_now) const {
    return core::format_rfc3339(srv->clock().now() + from_now);
  }
  // Sessions follow the fake clock: a fresh token after the clock moved.
  std::string a() { return srv->login("sis_user_a"); }
  json events(const std::string& token) {
    auto r = c().get("/api/v1/warning-events?company_code=" + kA + "&limit=100", token);
    if (r.status != 200) throw std::runtime_error("warning events: " + r.body);
    json out = json::array();
    auto body = r.json();
    for (const auto& e : body["items"])
      if (e["category"] == "sis") out.push_back(e);
    return out;
  }
  long long loop(const std::string& tag, bool trip_point) {
    json body = {{"company_code", kA},
                 {"tag", tag},
                 {"name", "硝化釜超温联锁" + tag},
                 {"hazard_code", kA + "001"},
                 {"process_code", "E1504"},
                 {"protected_points", {kTemp}}};
    if (trip_point) body["trip_point"] = kTripPoint;
    auto r = c().post_json("/api/v1/sis-loops", body, srv->login("sis_county"));
    if (r.status != 201) throw std::runtime_error("sis loop: " + r.body);
    return r.json()["id"].get<long long>();
  }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("sis_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409) throw std::runtime_error("sis set-up: " + r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/regions",
        {{"code", kCounty}, {"name", "盂县"}, {"level", "county"}, {"parent_code", "140300"}},
        w->admin));
    for (const auto& [code, region] :
         {std::pair{kA, std::string(kCounty)}, std::pair{kB, std::string(kCounty)},
          std::pair{kOther, std::string("140400")}}) {
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "联锁接口" + code + "化工有限公司"},
                      {"region_code", region}},
                     w->admin));
      ok(c.post_json("/api/v1/hazard-sources",
                     {{"hazard_code", code + "001"},
                      {"company_code", code},
                      {"name", "硝化装置"},
                      {"rank", 2}},
                     w->admin));
    }
    // The bypasses' approver: a 包保责任人 of A's hazard source (docs/sis.md).
    ok(c.post_json("/api/v1/responsible-persons",
                   {{"company_code", kA},
                    {"hazard_code", kA + "001"},
                    {"role", "technical"},
                    {"name", "生产副总李"}},
                   w->admin));
    for (const auto& [code, kind, type] :
         {std::tuple{kTripPoint, "switch", "sis"}, std::tuple{kTemp, "analog", "temperature"}})
      ok(c.post_json("/api/v1/monitoring-points",
                     {{"quota_code", code},
                      {"company_code", kA},
                      {"hazard_code", kA + "001"},
                      {"name", std::string("联锁测试") + type},
                      {"indicator_type", type},
                      {"value_kind", kind},
                      {"debounce_s", 0}},
                     w->admin));
    w->county = w->srv->make_user("sis_county", "county_officer", kCounty);
    w->city_other = w->srv->make_user("sis_city_other", "city_officer", "140400");
    w->user_a = w->srv->make_user("sis_user_a", "enterprise_user", kA);
    w->srv->make_user("sis_user_a2", "enterprise_user", kA);  // approves sis_user_a's bypasses
    w->user_b = w->srv->make_user("sis_user_b", "enterprise_user", kB);
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}}, w->admin));
    w->gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    return w;
  }();
  return *w;
}

json bypass(World& w, hours expiry) {
  return {{"applicant", "仪表工王"},
          {"approver", "生产副总李"},
          {"reason", "联锁变送器校验"},
          {"expiry_at", w.t(expiry)}};
}

}  // namespace

TEST(SisApi, AnExpiredBypassWarnsAndEndingItClosesTheWarning) {
  auto& w = world();
  auto id = w.loop("SIS-201", false);
  auto path = "/api/v1/sis-loops/" + std::to_string(id);
  auto r = w.c().post_json(path + "/bypasses", bypass(w, hours(2)), w.user_a);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["state"], "requested");
  auto bid = std::to_string(r.json()["id"].get<long long>());
  EXPECT_EQ(w.c().get(path, w.user_a).json()["state"], "in_service");
  // Four eyes (docs/sis.md): the filing account does not approve; another user does.
  r = w.c().post_json("/api/v1/sis-bypasses/" + bid + "/approve", json::object(), w.user_a);
  ASSERT_EQ(r.status, 403) << r.body;
  r = w.c().post_json("/api/v1/sis-bypasses/" + bid + "/approve", json::object(),
                      w.srv->login("sis_user_a2"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["state"], "active");
  EXPECT_EQ(r.json()["approved_by"], "sis_user_a2");
  auto loop = w.c().get(path, w.user_a).json();
  EXPECT_EQ(loop["state"], "bypassed");
  EXPECT_EQ(loop["state_name"], "旁路");
  EXPECT_EQ(loop["bypass_expired"], false);
  EXPECT_EQ(w.srv->platform().sis().check(), 0);
  EXPECT_TRUE(w.events(w.srv->login("sis_admin")).empty());

  w.srv->clock().advance(hours(2) + minutes(1));
  EXPECT_EQ(w.srv->platform().sis().check(), 1);
  EXPECT_EQ(w.srv->platform().sis().check(), 0);
  auto admin = w.srv->login("sis_admin");
  auto ev = w.events(admin);
  ASSERT_EQ(ev.size(), 1u) << ev.dump();
  EXPECT_EQ(ev[0]["level"], "yellow");
  EXPECT_EQ(ev[0]["source"], "sis");
  EXPECT_NE(ev[0]["status"], "closed");
  auto user = w.a();
  loop = w.c().get(path, user).json();
  EXPECT_EQ(loop["bypass_expired"], true);
  ASSERT_EQ(loop["bypasses"].size(), 1u);
  EXPECT_EQ(loop["bypasses"][0]["expired"], true);
  EXPECT_EQ(loop["bypasses"][0]["warning_event_id"], ev[0]["id"]);

  r = w.c().post_json("/api/v1/sis-bypasses/" + bid + "/end", {{"note", "校验完毕"}}, user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["state"], "ended");
  EXPECT_EQ(w.events(admin)[0]["status"], "closed");
  EXPECT_EQ(w.c().get(path, user).json()["state"], "in_service");
  EXPECT_EQ(w.c().post_json("/api/v1/sis-bypasses/" + bid + "/end", json::object(), user).status,
            409);
}

TEST(SisApi, ABypassWithoutApproverOrTooLongIsRefused) {
  auto& w = world();
  auto id = w.loop("SIS-202", false);
  auto path = "/api/v1/sis-loops/" + std::to_string(id) + "/bypasses";
  auto user = w.a();
  auto body = bypass(w, hours(8));
  body.erase("approver");
  auto r = w.c().post_json(path, body, user);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("/approver"), std::string::npos) << r.body;
  r = w.c().post_json(path, bypass(w, hours(73)), user);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("/expiry_at"), std::string::npos) << r.body;
  // Officers read but do not file; another enterprise's user does not see the loop.
  EXPECT_EQ(w.c().post_json(path, bypass(w, hours(8)), w.srv->login("sis_county")).status, 403);
  EXPECT_EQ(w.c().post_json(path, bypass(w, hours(8)), w.srv->login("sis_user_b")).status, 404);
}

TEST(SisApi, TripsWarnAtOnceAndTheResetClosesThem) {
  auto& w = world();
  auto id = w.loop("SIS-203", true);
  auto path = "/api/v1/sis-loops/" + std::to_string(id);
  // Readings collected before the loop was registered are not its trips.
  w.srv->clock().advance(minutes(1));
  auto user = w.a();
  auto admin = w.srv->login("sis_admin");
  auto before = w.events(admin).size();
  // The trip point reads 1: the check finds the trip and warns.
  json body = {
      {"companyCode", kA},
      {"dataId", "sis-trip-1"},
      {"reportType", "realtime"},
      {"sendTime", w.t(seconds(0))},
      {"datas",
       {{{"quotaCode", kTripPoint}, {"collectTime", w.t(-seconds(5))}, {"switchValue", 1}}}}};
  auto r = w.c().post_json("/api/v1/upload/realtime", body, w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["accepted"], 1) << r.body;
  EXPECT_EQ(w.srv->platform().sis().check(), 1);
  auto loop = w.c().get(path, user).json();
  EXPECT_EQ(loop["state"], "tripped");
  ASSERT_EQ(loop["trips"].size(), 1u);
  EXPECT_EQ(loop["trips"][0]["source"], "point");
  auto trip = std::to_string(loop["trips"][0]["id"].get<long long>());
  auto ev = w.events(admin);
  ASSERT_EQ(ev.size(), before + 1);
  EXPECT_EQ(ev[0]["level"], "orange");
  // No reset while the point reads 1; a filed trip or bypass does not hide it.
  r = w.c().post_json("/api/v1/sis-trips/" + trip + "/reset", {{"reset_by", "班长赵"}}, user);
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(w.c().post_json(path + "/trips", {{"cause", "超温"}}, user).status, 409);
  body["dataId"] = "sis-trip-2";
  body["datas"][0]["switchValue"] = 0;
  body["datas"][0]["collectTime"] = w.t(seconds(0));
  ASSERT_EQ(w.c().post_json("/api/v1/upload/realtime", body, w.gateway_a).status, 200);
  r = w.c().post_json("/api/v1/sis-trips/" + trip + "/reset",
                      {{"reset_by", "班长赵"}, {"cause", "冷却水中断"}}, user);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["reset_by"], "班长赵");
  EXPECT_EQ(r.json()["cause"], "冷却水中断");
  EXPECT_EQ(w.events(admin)[0]["status"], "closed");
  EXPECT_EQ(w.c().get(path, user).json()["state"], "in_service");

  // The gateway uploads a trip and its reset (rows of another enterprise are refused).
  r = w.c().post_json("/api/v1/upload/sis",
                      json::array({{{"kind", "trip"}, {"loop", "SIS-203"}, {"cause", "压力高高"}},
                                   {{"kind", "trip"}, {"loop", "SIS-203"}, {"company_code", kB}},
                                   {{"kind", "trip"}, {"loop", "NO-SUCH"}}}),
                      w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1) << r.body;
  EXPECT_EQ(r.json()["rejected"].size(), 2u) << r.body;
  ev = w.events(admin);
  ASSERT_EQ(ev.size(), before + 2);
  EXPECT_NE(ev[0]["status"], "closed");
  r = w.c().post_json(
      "/api/v1/upload/sis",
      json::array({{{"kind", "trip_reset"}, {"loop", "SIS-203"}, {"by", "班长钱"}}}), w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1) << r.body;
  EXPECT_EQ(w.events(admin)[0]["status"], "closed");
  loop = w.c().get(path, user).json();
  ASSERT_EQ(loop["trips"].size(), 2u);
  EXPECT_EQ(loop["trips"][0]["source"], "upload");
  EXPECT_EQ(loop["trips"][0]["reset_by"], "班长钱");
}

TEST(SisApi, LoopsFollowTheScope) {
  auto& w = world();
  auto id = w.loop("SIS-204", false);
  auto path = "/api/v1/sis-loops/" + std::to_string(id);
  // Sessions follow the fake clock, which other tests moved on.
  w.county = w.srv->login("sis_county");
  w.admin = w.srv->login("sis_admin");
  w.city_other = w.srv->login("sis_city_other");
  EXPECT_EQ(w.c().get(path, w.county).status, 200);
  EXPECT_EQ(w.c().get(path, w.admin).status, 200);
  EXPECT_EQ(w.c().get(path, w.city_other).status, 404);
  EXPECT_EQ(w.c().get(path, w.srv->login("sis_user_b")).status, 404);
  EXPECT_EQ(w.c().get(path, w.gateway_a).status, 403);
  auto list = w.c().get("/api/v1/sis-loops?company_code=" + kA, w.county).json();
  EXPECT_GE(list["items"].size(), 1u);
  for (const auto& l : list["items"]) EXPECT_EQ(l["company_code"], kA);
  EXPECT_EQ(w.c().get("/api/v1/sis-loops?company_code=" + kA, w.city_other).status, 404);
  EXPECT_EQ(w.c().get("/api/v1/sis-loops", w.city_other).json()["items"].size(), 0u);
  EXPECT_EQ(w.c().get("/api/v1/sis-loops?state=broken", w.county).status, 400);
  // An officer of another city cannot register a loop for A.
  auto r =
      w.c().post_json("/api/v1/sis-loops",
                      {{"company_code", kA}, {"tag", "SIS-X"}, {"name", "越权"}}, w.city_other);
  EXPECT_EQ(r.status, 422) << r.body;
}

TEST(SisApi, TheCoverageCheckCountsTheLoopsInService) {
  auto& w = world();
  auto county = w.srv->login("sis_county");
  auto user_b = w.srv->login("sis_user_b");
  std::vector<long long> ids;
  for (const char* tag : {"SIS-B1", "SIS-B2", "SIS-B3"}) {
    auto r = w.c().post_json("/api/v1/sis-loops",
                             {{"company_code", kB},
                              {"tag", tag},
                              {"name", "氧化反应器联锁"},
                              {"process_code", tag == std::string("SIS-B3") ? "E15010" : "E1504"}},
                             county);
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["id"].get<long long>());
  }
  auto r = w.c().post_json("/api/v1/sis-loops/" + std::to_string(ids[1]) + "/trips",
                           {{"cause", "超温"}}, user_b);
  ASSERT_EQ(r.status, 201) << r.body;
  r = w.c().post_json("/api/v1/enterprise-processes",
                      {{"company_code", kB}, {"process_code", "E1504"}}, county);
  ASSERT_EQ(r.status, 201) << r.body;
  r = w.c().get("/api/v1/coverage/enterprises/" + kB, county);
  ASSERT_EQ(r.status, 200) << r.body;
  auto cov = r.json();
  int sis_items = 0;
  for (const auto& item : cov["items"]) {
    if (item["kind"] != "sis") continue;
    ++sis_items;
    EXPECT_EQ(item["process_code"], "E1504");
    EXPECT_EQ(item["loops"], 2) << "the E15010 loop is another process's";
    EXPECT_EQ(item["loops_in_service"], 1) << "one of them tripped";
  }
  EXPECT_EQ(sis_items, 1) << cov.dump();
}
