// Two of the five systems' records over HTTPS (docs/five-systems.md): a county officer patrols
// an enterprise online from the dashboard (start, findings, end), the enterprise answers a
// finding and the officer closes it; an on-site check recorded after the fact leaves an overdue
// finding in the list; the enterprise signs on for duty and its routine use of the day counts
// its logins, its commitment and its check-in; the five-systems statistics count them; machine
// credentials get 403. The clock-driven cases are in tests/integration/patrol_pgtest.cpp.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/app/platform.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/commitment_service.hpp>

#include <chrono>
#include <thread>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;

namespace {

// 忻州 (140900): county 140926 (静乐县), which no other API test uses.
constexpr const char* kCounty = "140926";
const std::string kA = "14092600001";  // patrolled, answers, uses the dashboard
const std::string kB = "14092600002";  // another enterprise of the county

std::string in_hours(int h) {
  return core::format_rfc3339(std::chrono::system_clock::now() + std::chrono::hours(h));
}

bool problem(const HttpResult& r, int status, const std::string& code) {
  if (r.status != status) return false;
  auto j = r.json();
  return j.is_object() && j.value("code", "") == code;
}

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, county, user_a, user_b, gateway_a;
  HttpsClient c() const { return srv->client(); }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("pt_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("patrol set-up: " + r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/regions",
        {{"code", kCounty}, {"name", "静乐县"}, {"level", "county"}, {"parent_code", "140900"}},
        w->admin));
    for (const auto& code : {kA, kB}) {
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "巡查接口" + code + "化工有限公司"},
                      {"region_code", kCounty},
                      {"principal", "总经理" + code.substr(6)}},
                     w->admin));
      ok(c.post_json(
          "/api/v1/hazard-sources",
          {{"hazard_code", code + "001"}, {"company_code", code}, {"name", "罐区"}, {"rank", 3}},
          w->admin));
    }
    w->county = w->srv->make_user("pt_county", "county_officer", kCounty);
    w->user_a = w->srv->make_user("pt_user_a", "enterprise_user", kA);
    w->user_b = w->srv->make_user("pt_user_b", "enterprise_user", kB);
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}}, w->admin));
    w->gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    return w;
  }();
  return *w;
}

json finding(const std::string& what, int hours) {
  return {{"description", what},
          {"severity", "general"},
          {"follow_up", "限期整改并反馈"},
          {"deadline", in_hours(hours)}};
}

}  // namespace

TEST(PatrolApi, AnOnlinePatrolFromTheDashboardAndAFindingClosed) {
  auto& w = world();
  auto r = w.c().post_json(
      "/api/v1/patrols",
      {{"company_code", kA}, {"kind", "online"}, {"subjects", {"realtime", "video"}}}, w.county);
  ASSERT_EQ(r.status, 201) << r.body;
  auto p = r.json();
  auto id = std::to_string(p["id"].get<long long>());
  EXPECT_EQ(p["officer"], "pt_county");
  EXPECT_EQ(p["officer_level"], "county");
  EXPECT_EQ(p["in_progress"], true);
  EXPECT_EQ(p["findings"], json::array());
  auto f1 = w.c().post_json("/api/v1/patrols/" + id + "/findings",
                            finding("可燃气体探测器离线", 48), w.county);
  ASSERT_EQ(f1.status, 201) << f1.body;
  auto f2 =
      w.c().post_json("/api/v1/patrols/" + id + "/findings", finding("值班室无人", 24), w.county);
  ASSERT_EQ(f2.status, 201) << f2.body;
  auto f1_id = std::to_string(f1.json()["id"].get<long long>());
  // The enterprise reads its findings and answers; the other enterprise does not see them.
  auto mine = w.c().get("/api/v1/patrol-findings?company_code=" + kA, w.user_a);
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(mine.json()["total"], 2);
  EXPECT_TRUE(problem(w.c().get("/api/v1/patrols/" + id, w.user_b), 404, "not_found"));
  EXPECT_TRUE(problem(w.c().post_json("/api/v1/patrol-findings/" + f1_id + "/reply",
                                      {{"reply", "已恢复"}}, w.user_b),
                      404, "not_found"));
  auto reply = w.c().post_json("/api/v1/patrol-findings/" + f1_id + "/reply",
                               {{"reply", "探测器电源已更换，恢复在线"}}, w.user_a);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["state"], "answered");
  EXPECT_EQ(reply.json()["replied_late"], false);
  auto closed = w.c().post_json("/api/v1/patrol-findings/" + f1_id + "/confirm",
                                {{"accept", true}, {"note", "复核在线"}}, w.county);
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.json()["state"], "closed");
  EXPECT_EQ(closed.json()["closed_by"], "pt_county");
  // Ending the patrol; nothing is added after.
  auto ended =
      w.c().post_json("/api/v1/patrols/" + id + "/end", {{"summary", "在线巡查完毕"}}, w.county);
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.json()["in_progress"], false);
  EXPECT_EQ(ended.json()["findings_open"], 1);
  ASSERT_EQ(ended.json()["findings"].size(), 2u);
  EXPECT_TRUE(
      problem(w.c().post_json("/api/v1/patrols/" + id + "/findings", finding("迟到", 24), w.county),
              409, "conflict"));
  // Listed for the county, by kind; machine credentials are refused everywhere.
  auto list = w.c().get("/api/v1/patrols?kind=online&company_code=" + kA, w.county);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_GE(list.json()["total"].get<long long>(), 1);
  EXPECT_TRUE(problem(w.c().get("/api/v1/patrols", w.gateway_a), 403, "forbidden"));
  EXPECT_TRUE(problem(w.c().get("/api/v1/patrol-findings", w.gateway_a), 403, "forbidden"));
  EXPECT_TRUE(problem(
      w.c().post_json("/api/v1/patrols", {{"company_code", kA}, {"kind", "online"}}, w.gateway_a),
      403, "forbidden"));
  EXPECT_TRUE(problem(w.c().get("/api/v1/routine-use", w.gateway_a), 403, "forbidden"));
  EXPECT_TRUE(problem(w.c().post_json("/api/v1/duty-checkins", {{"duty_person", "x"}}, w.gateway_a),
                      403, "forbidden"));
  EXPECT_TRUE(problem(w.c().get("/api/v1/statistics/five-systems", w.gateway_a), 403, "forbidden"));
}

TEST(PatrolApi, AnOnSiteCheckRecordedAfterTheFactLeavesAnOverdueFinding) {
  auto& w = world();
  auto r = w.c().post_json("/api/v1/patrols",
                           {{"company_code", kB},
                            {"kind", "onsite"},
                            {"subjects", {"site", "documents"}},
                            {"started_at", in_hours(-72)},
                            {"ended_at", in_hours(-70)},
                            {"findings", {finding("储罐区防火堤破损", -24)}}},
                           w.county);
  ASSERT_EQ(r.status, 201) << r.body;
  auto p = r.json();
  EXPECT_EQ(p["in_progress"], false);
  ASSERT_EQ(p["findings"].size(), 1u);
  auto fid = p["findings"][0]["id"].get<long long>();
  EXPECT_EQ(p["findings"][0]["overdue"], true);
  auto overdue = w.c().get("/api/v1/patrol-findings?overdue=true&limit=1000", w.county);
  ASSERT_EQ(overdue.status, 200) << overdue.body;
  bool listed = false;
  auto items = overdue.json();
  for (const auto& f : items["items"]) {
    EXPECT_TRUE(f["overdue"].get<bool>());
    listed = listed || f["id"].get<long long>() == fid;
  }
  EXPECT_TRUE(listed) << overdue.body;
  // kA's user does not see kB's overdue finding.
  auto a = w.c().get("/api/v1/patrol-findings?overdue=true", w.user_a);
  ASSERT_EQ(a.status, 200);
  auto a_items = a.json();
  for (const auto& f : a_items["items"]) EXPECT_EQ(f["company_code"], kA);
}

TEST(PatrolApi, RoutineUseCountsLoginsTheCommitmentAndTheCheckIn) {
  auto& w = world();
  w.srv->login("pt_user_a");  // a second login today (make_user logged in once)
  auto ck = w.c().post_json("/api/v1/duty-checkins",
                            {{"duty_person", "值班员赵"}, {"note", "夜班"}}, w.user_a);
  ASSERT_EQ(ck.status, 201) << ck.body;
  EXPECT_TRUE(problem(w.c().post_json("/api/v1/duty-checkins", {{"duty_person", "x"}}, w.county),
                      403, "forbidden"));
  // The day's commitment, signed by the enterprise's principal; late or not by the clock.
  auto cm = w.c().post_json("/api/v1/commitments",
                            {{"units",
                              {{"total", 1},
                               {"running", 1},
                               {"stopped", 0},
                               {"startup", 0},
                               {"trial", 0},
                               {"overhaul", 0}}},
                             {"key_process_count", 0},
                             {"risk_grade", "blue"},
                             {"committer", "总经理00001"},
                             {"duty_leader", "值班长"},
                             {"duty_phone", "13800000009"}},
                            w.user_a);
  ASSERT_TRUE(cm.status == 201 || cm.status == 200) << cm.body;
  auto late = cm.json()["late"].get<bool>();
  auto day = w.srv->platform().commitments().today();
  // Logins are audited as they happen; wait for both to be stored.
  json row;
  for (int i = 0; i < 300; ++i) {  // up to 30 s: the login counter is written off the request
    auto r = w.c().get("/api/v1/routine-use?company_code=" + kA, w.county);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    ASSERT_EQ(j["total"], 1) << r.body;
    row = j["items"][0];
    if (row["logins"].get<long long>() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(row["day"], day);
  EXPECT_EQ(row["logins"], 2);
  EXPECT_EQ(row["login_users"], 1);
  EXPECT_EQ(row["commitment"]["filed"], true);
  EXPECT_EQ(row["commitment"]["late"], late);
  EXPECT_GE(row["checkins"].get<long long>(), 1);
  // kB: no commitment, no check-in.
  auto b = w.c().get("/api/v1/routine-use?company_code=" + kB, w.user_b);
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.json()["items"][0]["commitment"]["filed"], false);
  EXPECT_EQ(b.json()["items"][0]["checkins"], 0);
  EXPECT_TRUE(
      problem(w.c().get("/api/v1/routine-use?company_code=" + kA, w.user_b), 404, "not_found"));
  auto checkins = w.c().get("/api/v1/duty-checkins?company_code=" + kA, w.county);
  ASSERT_EQ(checkins.status, 200);
  EXPECT_EQ(checkins.json()["items"][0]["duty_person"], "值班员赵");
  // The five-systems statistics of the county count the patrols, findings and routine use.
  auto s = w.c().get("/api/v1/statistics/five-systems?by=county", w.county);
  ASSERT_EQ(s.status, 200) << s.body;
  auto body = s.json();
  ASSERT_EQ(body["rows"].size(), 1u) << s.body;
  const auto& row5 = body["rows"][0];
  EXPECT_EQ(row5["code"], kCounty);
  EXPECT_EQ(row5["enterprises"], 2);
  EXPECT_GE(row5["routine_use"]["logins"].get<long long>(), 3);
  EXPECT_EQ(row5["routine_use"]["commitments"], 1);
  EXPECT_GE(row5["routine_use"]["checkins"].get<long long>(), 1);
  auto csv = w.c().get("/api/v1/statistics/five-systems?by=county&format=csv", w.county);
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find("静乐县"), std::string::npos);
}
