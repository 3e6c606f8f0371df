// Unit run status (装置运行状态, issue 12) over HTTPS: an enterprise user files a unit's overhaul
// and its temperature point's alarm is suppressed and recorded as such while its gas detector
// still alarms; a stop longer than the limit is pending and suppresses nothing until a county
// officer approves its filing; the end of the status ends suppression; another enterprise's unit
// is 404 or refused; the gateway uploads for its own enterprise only and its stops wait for
// approval; the day's statuses are compared with the day's safety commitment.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

#include "test_server.hpp"
#include "unit_status_support.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

// 运城 (140800): county 140826 (绛县), which no other API test uses.
constexpr const char* kCounty = "140826";
const std::string kA = "14082600001";  // files, uploads
const std::string kB = "14070200031";  // 晋中: another city
const std::string kHazA = kA + "001", kHazB = kB + "001";
std::string unit(int n) { return kHazA + "S000" + std::to_string(n); }
const std::string kUnitB = kHazB + "S0001";

long long count(const std::string& sql) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
}

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, user_a, user_b, county, city, city_other, gateway_a;
  HttpsClient c() const { return srv->client(); }
  std::string at(system_clock::duration from_now) const {
    return core::format_rfc3339(srv->clock().now() + from_now);
  }
};

json point(const std::string& quota, const std::string& equip, const std::string& type) {
  return {{"quota_code", quota},
          {"company_code", kA},
          {"hazard_code", kHazA},
          {"equip_code", equip},
          {"name", "测点" + quota.substr(14)},
          {"indicator_type", type},
          {"value_kind", "analog"},
          {"unit", "℃"},
          {"range_low", 0},
          {"range_high", 200},
          {"h", 80},
          {"hh", 100},
          {"debounce_s", 0}};
}

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("us_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const std::string& path, const json& body) {
      auto r = c.post_json(path, body, w->admin);
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("unit status set-up: " + path + " " + r.body);
      return r.json();
    };
    ok("/api/v1/regions",
       {{"code", kCounty}, {"name", "绛县"}, {"level", "county"}, {"parent_code", "140800"}});
    ok("/api/v1/regions",
       {{"code", "140725"}, {"name", "寿阳县"}, {"level", "county"}, {"parent_code", "140700"}});
    ok("/api/v1/enterprises", {{"company_code", kA},
                               {"name", "绛县装置状态化工有限公司"},
                               {"region_code", kCounty},
                               {"status", "operating"},
                               {"principal", "总经理绛"}});
    ok("/api/v1/enterprises",
       {{"company_code", kB}, {"name", "晋中装置状态化工有限公司"}, {"region_code", "140725"}});
    for (const auto& [h, co] : {std::pair{kHazA, kA}, std::pair{kHazB, kB}})
      ok("/api/v1/hazard-sources",
         {{"hazard_code", h}, {"company_code", co}, {"name", "合成装置区"}, {"rank", 1}});
    for (int n = 1; n <= 6; ++n)
      ok("/api/v1/equipment", {{"equip_code", unit(n)},
                               {"company_code", kA},
                               {"hazard_code", kHazA},
                               {"equip_type", "S0"},
                               {"name", "合成装置" + std::to_string(n)}});
    ok("/api/v1/equipment", {{"equip_code", kHazA + "G0001"},
                             {"company_code", kA},
                             {"hazard_code", kHazA},
                             {"equip_type", "G0"},
                             {"name", "原料储罐"}});
    ok("/api/v1/equipment", {{"equip_code", kUnitB},
                             {"company_code", kB},
                             {"hazard_code", kHazB},
                             {"equip_type", "S0"},
                             {"name", "乙方装置"}});
    // Unit 1: a reactor temperature and a combustible-gas detector; unit 2: two temperatures;
    // unit 3: two temperatures.
    ok("/api/v1/monitoring-points", point(kA + "TIT101", unit(1), "temperature"));
    ok("/api/v1/monitoring-points", point(kA + "GT101", unit(1), "combustible"));
    ok("/api/v1/monitoring-points", point(kA + "TIT201", unit(2), "temperature"));
    ok("/api/v1/monitoring-points", point(kA + "TIT202", unit(2), "temperature"));
    ok("/api/v1/monitoring-points", point(kA + "TIT301", unit(3), "temperature"));
    ok("/api/v1/monitoring-points", point(kA + "TIT302", unit(3), "temperature"));
    w->user_a = w->srv->make_user("us_user_a", "enterprise_user", kA);
    w->user_b = w->srv->make_user("us_user_b", "enterprise_user", kB);
    w->county = w->srv->make_user("us_county", "county_officer", kCounty);
    w->city = w->srv->make_user("us_city", "city_officer", "140800");
    w->city_other = w->srv->make_user("us_city_other", "city_officer", "140700");
    auto cred = ok("/api/v1/credentials",
                   {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}});
    w->gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    return w;
  }();
  return *w;
}

void exceed(World& w, const std::string& data_id, const std::string& quota,
            system_clock::duration ago = seconds(100)) {
  unit_status::exceed(w, kA, data_id, quota, ago);
}

json alarms(World& w, const std::string& quota, const std::string& as) {
  auto r = w.c().get("/api/v1/alarms?quota_code=" + quota, as);
  if (r.status != 200) throw std::runtime_error(r.body);
  return r.json()["items"];
}

using unit_status::file;

}  // namespace

TEST(UnitStatusApi, AnOverhaulSuppressesProcessAlarmsButNeverTheGasDetector) {
  auto& w = world();
  auto s = file(w,
                {{"equip_code", unit(1)},
                 {"status", "overhaul"},
                 {"begin_at", w.at(-minutes(30))},
                 {"reason", "年度大检修"},
                 {"content", "更换合成塔内件"},
                 {"responsible_person", "检修负责人绛"},
                 {"responsible_phone", "13912345678"}},
                w.user_a);
  EXPECT_EQ(s["status"], "overhaul");
  EXPECT_EQ(s["status_name"], "检修");
  EXPECT_EQ(s["current"], true);
  EXPECT_EQ(s["source"], "dashboard");
  EXPECT_EQ(s["filed_by"], "us_user_a");
  ASSERT_TRUE(s["filing"].is_object()) << s.dump();
  EXPECT_EQ(s["filing"]["status"], "approved") << s.dump();
  EXPECT_EQ(s["filing"]["type"], "overhaul");
  EXPECT_TRUE(s["pending_reason"].is_null());
  // The filing is an ordinary one of the unit: the regulator lists it with the others.
  auto filings = w.c().get("/api/v1/filings?company_code=" + kA, w.county).json()["items"];
  bool listed = false;
  for (const auto& f : filings)
    if (f["id"] == s["filing"]["id"] && f["target_kind"] == "equipment" &&
        f["target_code"] == unit(1))
      listed = true;
  EXPECT_TRUE(listed) << filings.dump();

  exceed(w, "us-ovh-1", kA + "TIT101");
  exceed(w, "us-ovh-2", kA + "GT101");
  // Recorded and shown to the county as suppressed, not dropped.
  auto t = alarms(w, kA + "TIT101", w.county);
  ASSERT_EQ(t.size(), 1u) << t.dump();
  EXPECT_EQ(t[0]["alarm_type"], "HH");
  EXPECT_EQ(t[0]["suppressed"], true) << "the overhaul did not suppress the temperature alarm";
  auto g = alarms(w, kA + "GT101", w.county);
  ASSERT_EQ(g.size(), 1u) << g.dump();
  EXPECT_EQ(g[0]["suppressed"], false) << "a unit status silenced a gas detector";
  EXPECT_EQ(count("SELECT count(*) AS n FROM audit_log WHERE action = 'unit_status.file' AND "
                  "actor_name = 'us_user_a' AND status = 201"),
            1);

  // Back to running: the overhaul ends where running begins, and so does its filing.
  auto run =
      file(w, {{"equip_code", unit(1)}, {"status", "running"}, {"begin_at", w.at(-minutes(1))}},
           w.user_a);
  EXPECT_TRUE(run["filing"].is_null());
  auto old =
      w.c().get("/api/v1/unit-statuses/" + std::to_string(s["id"].get<long long>()), w.county);
  ASSERT_EQ(old.status, 200) << old.body;
  EXPECT_EQ(old.json()["current"], false);
  EXPECT_EQ(old.json()["end_at"], run["begin_at"]);
  EXPECT_EQ(old.json()["filing"]["ends_at"], run["begin_at"]) << old.body;
  // The history of the unit, newest first.
  auto hist = w.c().get("/api/v1/unit-statuses?equip_code=" + unit(1), w.county);
  ASSERT_EQ(hist.status, 200) << hist.body;
  ASSERT_EQ(hist.json()["total"], 2) << hist.body;
  EXPECT_EQ(hist.json()["items"][0]["status"], "running");
  EXPECT_EQ(hist.json()["items"][1]["status"], "overhaul");
  auto cur = w.c().get("/api/v1/unit-statuses?current=true&company_code=" + kA, w.city);
  ASSERT_EQ(cur.status, 200) << cur.body;
  auto current = cur.json();
  for (const auto& i : current["items"]) EXPECT_EQ(i["current"], true);
}

TEST(UnitStatusApi, AStopLongerThanTheLimitIsPendingAndSuppressesNothingUntilApproved) {
  auto& w = world();
  // Ten days of stop: longer than ingest.filing_max_days (7).
  auto s = file(w,
                {{"equip_code", unit(2)},
                 {"status", "stopped"},
                 {"begin_at", w.at(-minutes(30))},
                 {"planned_end", w.at(hours(240))},
                 {"reason", "市场原因停车"}},
                w.user_a);
  ASSERT_TRUE(s["filing"].is_object()) << s.dump();
  EXPECT_EQ(s["filing"]["status"], "pending");
  EXPECT_EQ(s["filing"]["type"], "shutdown");
  EXPECT_FALSE(s["pending_reason"].is_null());
  exceed(w, "us-long-1", kA + "TIT201");
  auto a = alarms(w, kA + "TIT201", w.admin);
  ASSERT_EQ(a.size(), 1u) << a.dump();
  EXPECT_EQ(a[0]["suppressed"], false) << "a pending stop suppressed an alarm";

  auto approve =
      "/api/v1/filings/" + std::to_string(s["filing"]["id"].get<long long>()) + "/approve";
  EXPECT_EQ(w.c().post_json(approve, json::object(), w.user_a).status, 403);
  auto ap = w.c().post_json(approve, {{"note", "停车方案已核实"}}, w.county);
  ASSERT_EQ(ap.status, 200) << ap.body;
  auto now =
      w.c().get("/api/v1/unit-statuses/" + std::to_string(s["id"].get<long long>()), w.user_a);
  EXPECT_EQ(now.json()["filing"]["status"], "approved") << now.body;
  exceed(w, "us-long-2", kA + "TIT202");
  auto b = alarms(w, kA + "TIT202", w.admin);
  ASSERT_EQ(b.size(), 1u) << b.dump();
  EXPECT_EQ(b[0]["suppressed"], true) << "the approved stop did not suppress";
}

TEST(UnitStatusApi, TheEndOfTheStatusEndsSuppression) {
  auto& w = world();
  auto s = file(w,
                {{"equip_code", unit(3)},
                 {"status", "stopped"},
                 {"begin_at", w.at(-minutes(30))},
                 {"reason", "停车消缺"}},
                w.user_a);
  ASSERT_EQ(s["filing"]["status"], "approved") << s.dump();
  exceed(w, "us-end-1", kA + "TIT301", minutes(20));
  ASSERT_EQ(alarms(w, kA + "TIT301", w.admin)[0]["suppressed"], true);
  auto path = "/api/v1/unit-statuses/" + std::to_string(s["id"].get<long long>()) + "/end";
  // Not the county's to end, nor another enterprise's.
  EXPECT_EQ(w.c().post_json(path, json::object(), w.county).status, 403);
  EXPECT_EQ(w.c().post_json(path, json::object(), w.user_b).status, 404);
  auto e =
      w.c().post_json(path, {{"end_at", w.at(-minutes(10))}, {"reason", "消缺完成"}}, w.user_a);
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.json()["current"], false);
  EXPECT_EQ(e.json()["end_reason"], "消缺完成");
  EXPECT_EQ(e.json()["filing"]["ends_at"], w.at(-minutes(10))) << e.body;
  EXPECT_EQ(w.c().post_json(path, json::object(), w.user_a).status, 409);
  exceed(w, "us-end-2", kA + "TIT302");
  auto a = alarms(w, kA + "TIT302", w.admin);
  ASSERT_EQ(a.size(), 1u) << a.dump();
  EXPECT_EQ(a[0]["suppressed"], false) << "an ended stop still suppressed";
  // A status may not begin before the unit's latest one ended.
  auto r = w.c().post_json(
      "/api/v1/unit-statuses",
      {{"equip_code", unit(3)}, {"status", "running"}, {"begin_at", w.at(-minutes(15))}}, w.user_a);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("/begin_at"), std::string::npos) << r.body;
}

TEST(UnitStatusApi, AnotherEnterprisesUnitIsNotFound) {
  auto& w = world();
  auto b = file(w, {{"equip_code", kUnitB}, {"status", "running"}}, w.user_b);
  auto path = "/api/v1/unit-statuses/" + std::to_string(b["id"].get<long long>());
  EXPECT_EQ(w.c().get(path, w.user_a).status, 404);
  EXPECT_EQ(w.c().get(path, w.county).status, 404);
  EXPECT_EQ(w.c().get(path, w.city_other).status, 200);
  EXPECT_EQ(w.c().get("/api/v1/unit-statuses?company_code=" + kB, w.county).status, 404);
  auto own = w.c().get("/api/v1/unit-statuses", w.user_a).json();
  for (const auto& i : own["items"]) EXPECT_EQ(i["company_code"], kA);
  // A's user may not file for B's unit, nor name B.
  auto r =
      w.c().post_json("/api/v1/unit-statuses",
                      {{"equip_code", kUnitB}, {"status", "stopped"}, {"reason", "x"}}, w.user_a);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("/equip_code"), std::string::npos) << r.body;
  r = w.c().post_json("/api/v1/unit-statuses",
                      {{"company_code", kB}, {"equip_code", kUnitB}, {"status", "running"}},
                      w.user_a);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("/company_code"), std::string::npos) << r.body;
  // A tank is no production unit.
  r = w.c().post_json("/api/v1/unit-statuses",
                      {{"equip_code", kHazA + "G0001"}, {"status", "running"}}, w.user_a);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM unit_run_status WHERE equip_code = '" + kUnitB + "'"),
            1);
}

TEST(UnitStatusApi, TheGatewayUploadsForItsOwnEnterpriseAndItsStopsWaitForApproval) {
  auto& w = world();
  auto begin = w.at(-minutes(40));
  json rows = json::array({{{"equip_code", unit(4)},
                            {"status", "startup"},
                            {"begin_at", begin},
                            {"reason", "检修后开车"}},
                           {{"equip_code", kUnitB}, {"status", "running"}},
                           {{"company_code", kB}, {"equip_code", kUnitB}, {"status", "running"}},
                           {{"equip_code", unit(5)},
                            {"status", "overhaul"},
                            {"reason", "网关上报检修"},
                            {"content", "检修"},
                            {"responsible_person", "检修负责人"},
                            {"responsible_phone", "0359-6123456"}},
                           {{"equip_code", unit(6)}, {"status", "paused"}}});
  auto r =
      w.c().post_json("/api/v1/upload/unit-status",
                      {{"companyCode", kA}, {"dataId", "us-up-1"}, {"datas", rows}}, w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["accepted"], 2) << r.body;
  EXPECT_EQ(j["created"], 2);
  ASSERT_EQ(j["rejected"].size(), 3u) << r.body;
  EXPECT_EQ(j["rejected"][0]["index"], 1);
  EXPECT_EQ(j["rejected"][1]["index"], 2);
  EXPECT_EQ(j["rejected"][2]["index"], 4);
  // A resend changes nothing.
  r = w.c().post_json("/api/v1/upload/unit-status", json::array({rows[0]}), w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["created"], 0) << r.body;
  EXPECT_EQ(r.json()["unchanged"], 1) << r.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM unit_run_status WHERE equip_code = '" + unit(4) +
                  "' AND source = 'upload'"),
            1);
  // The gateway's overhaul is stored, its filing waits for a regulator.
  auto list = w.c().get("/api/v1/unit-statuses?equip_code=" + unit(5), w.county).json();
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  EXPECT_EQ(list["items"][0]["source"], "upload");
  EXPECT_EQ(list["items"][0]["filing"]["status"], "pending");
  // Another enterprise's companyCode refuses the whole upload; machines do not read.
  r = w.c().post_json("/api/v1/upload/unit-status", {{"companyCode", kB}, {"datas", rows}},
                      w.gateway_a);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(w.c().get("/api/v1/unit-statuses", w.gateway_a).status, 403);
  EXPECT_EQ(w.c().post_json("/api/v1/unit-statuses", rows[0], w.gateway_a).status, 403);
  EXPECT_EQ(w.c().post_json("/api/v1/upload/unit-status", json::array({rows[0]}), w.user_a).status,
            403);
  EXPECT_GE(count("SELECT count(*) AS n FROM audit_log WHERE action = 'upload.unit_status'"), 1);
}

TEST(UnitStatusApi, TheDaysStatusesAreComparedWithTheCommitment) {
  auto& w = world();
  auto path = "/api/v1/unit-statuses/commitment-check?company_code=" + kA;
  auto before = w.c().get(path, w.county);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.json()["units"], 6);
  EXPECT_EQ(before.json()["committed"], false);
  // Six units committed: three running, one stopped, one overhaul, one startup.
  json body = {{"units",
                {{"total", 6},
                 {"running", 3},
                 {"stopped", 1},
                 {"startup", 1},
                 {"trial", 0},
                 {"overhaul", 1}}},
               {"key_process_count", 1},
               {"risk_grade", "yellow"},
               {"committer", "总经理绛"},
               {"duty_leader", "值班长"},
               {"duty_phone", "13912345678"}};
  auto cm = w.c().post_json("/api/v1/commitments", body, w.user_a);
  ASSERT_EQ(cm.status, 201) << cm.body;
  auto r = w.c().get(path, w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["committed"], true);
  std::map<std::string, json> line;
  for (const auto& l : j["lines"]) line[l["key"]] = l;
  ASSERT_EQ(line.size(), 6u) << j.dump();
  // Whatever the other tests filed so far, the counts are those of the statuses in force now.
  auto cur = w.c().get("/api/v1/unit-statuses?current=true&company_code=" + kA, w.county).json();
  std::map<std::string, long long> now;
  for (const auto& i : cur["items"]) now[i["status"].get<std::string>()]++;
  long long total = 0;
  for (const char* k : {"running", "stopped", "startup", "trial", "overhaul"}) {
    EXPECT_EQ(line[k]["statuses"], now[k]) << k;
    EXPECT_EQ(line[k]["difference"].get<long long>(),
              now[k] - line[k]["committed"].get<long long>())
        << k;
    total += now[k];
  }
  EXPECT_EQ(line["total"]["statuses"], total);
  EXPECT_EQ(line["total"]["committed"], 6);
  EXPECT_EQ(line["stopped"]["committed"], 1);
  EXPECT_EQ(w.c().get(path + "&day=2099-01-01", w.county).status, 400);
  EXPECT_EQ(w.c().get("/api/v1/unit-statuses/commitment-check?company_code=" + kB, w.county).status,
            404);
}
