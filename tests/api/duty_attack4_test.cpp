// Round 4 of the hostile tenant (docs/security.md, attacks 13.24–13.34): holes the round-3 note
// left open. An enterprise's users and its gateway may only read and write their own rows, and
// nothing they send may lower what the regulator sees. Each attack is refused (or kept for an
// officer), and a fingerprint of the tables it aims at shows that nothing was stored or changed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/app/platform.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

// 吕梁 (141100): 交城县 (141122) for A, 兴县 (141123) for B; no other API test uses them.
const std::string kA = "14112200001", kB = "14112300001";
const std::string kHazA = kA + "001", kHazB = kB + "001";
const std::string kCellA = "D4MJA1";  // a production unit of A's major hazard source
const std::string kGatewayA = "D4GW0000001";
const std::string kPlatformA = "D4LPA1";  // a loading platform of kHazA, media not entered
const std::string kOxygen = "7782-44-7";  // classified (oxidising gas), none of 附件5 §3's kinds
const std::string kLpg = "68476-85-7";    // 液化石油气: a liquefied hydrocarbon

// Row count and a hash of every row of the tables named (as duty_attack_test.cpp's).
std::string fingerprint(const std::vector<std::string>& tables) {
  std::string sql;
  for (const auto& t : tables) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql += "SELECT '" + t +
           "' AS t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY "
           "x::text)), '') AS h FROM " +
           t + " x";
  }
  std::string out;
  shared_db().db().in_tx([&](storage::Tx& tx) {
    for (auto& r : tx.exec(sql + " ORDER BY 1"))
      out += r["t"].get<std::string>() + "=" + r["h"].get<std::string>() + "\n";
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
  HttpResult upload(const std::string& table, const json& rows) {
    return c().post_json("/api/v1/upload/" + table, rows, gateway_a);
  }
  json get(const std::string& path, const std::string& user = "d4_admin") {
    auto r = c().get(path, as(user));
    if (r.status != 200) throw std::runtime_error("GET " + path + ": " + r.body);
    return r.json();
  }
  json ok(const std::string& coll, const json& body, const std::string& user = "d4_admin") {
    auto r = c().post_json("/api/v1/" + coll, body, as(user));
    if (r.status / 100 != 2 && r.status != 409)
      throw std::runtime_error("duty attack 4 set-up: " + coll + " " + r.body);
    return r.json();
  }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->srv->make_user("d4_admin", "province_admin");
    w->ok("regions",
          {{"code", "141122"}, {"name", "交城县"}, {"level", "county"}, {"parent_code", "141100"}});
    w->ok("regions",
          {{"code", "141123"}, {"name", "兴县"}, {"level", "county"}, {"parent_code", "141100"}});
    w->ok("enterprises", {{"company_code", kA},
                          {"name", "交城第四轮攻击测试化工有限公司"},
                          {"region_code", "141122"},
                          {"status", "operating"},
                          {"principal", "赵总"}});
    w->ok("enterprises", {{"company_code", kB},
                          {"name", "兴县第四轮攻击测试化工有限公司"},
                          {"region_code", "141123"},
                          {"status", "operating"}});
    w->ok("hazard-sources", {{"hazard_code", kHazA},
                             {"company_code", kA},
                             {"name", "硝化装置区"},
                             {"rank", 1},
                             {"r_value", 120}});
    w->ok("hazard-sources", {{"hazard_code", kHazB},
                             {"company_code", kB},
                             {"name", "罐区"},
                             {"rank", 2},
                             {"r_value", 60}});
    w->ok("production-cells", {{"prodcell_id", kCellA},
                               {"company_code", kA},
                               {"hazard_code", kHazA},
                               {"cell_type", "unit"},
                               {"name", "硝化单元"}});
    for (const auto& [role, name] :
         {std::pair{"principal", "厂长"}, std::pair{"technical", "副厂长"}})
      w->ok("responsible-persons",
            {{"company_code", kA}, {"hazard_code", kHazA}, {"role", role}, {"name", name}});
    w->ok("chemicals", {{"cas", kOxygen}, {"name", "氧[压缩的或液化的]"}});
    auto chem = w->c().patch_json("/api/v1/chemicals/" + kOxygen, {{"hazard_classes", {"H580401"}}},
                                  w->as("d4_admin"));
    if (chem.status != 200) throw std::runtime_error("duty attack 4 set-up: oxygen " + chem.body);
    w->ok("loading-platforms", {{"platform_id", kPlatformA},
                                {"company_code", kA},
                                {"hazard_code", kHazA},
                                {"name", "汽车装卸站台"},
                                {"mode", "road"}});
    w->ok("gateways", {{"gateway_code", kGatewayA},
                       {"company_code", kA},
                       {"name", "采集网关"},
                       {"acquisition_interval_s", 60}});
    auto cred = w->ok("credentials",
                      {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}});
    w->gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    w->srv->make_user("d4_county", "county_officer", "141122");
    w->srv->make_user("d4_county_b", "county_officer", "141123");
    w->srv->make_user("d4_user_a", "enterprise_user", kA);
    w->srv->make_user("d4_user_a2", "enterprise_user", kA);
    w->srv->make_user("d4_user_b", "enterprise_user", kB);
    return w;
  }();
  return *w;
}

}  // namespace

// Attack 13.24: an SIS bypass approved by the account that filed it (the named approver is a
// name the filer types), and a long bypass approved by the enterprise alone. Four eyes: another
// account approves; over sis.enterprise_approval_max_hours (24) only an officer; the gateway's
// bypass, in effect at once, expires within that from now.
TEST(DutyAttack4, ABypassIsApprovedByAnotherAccountAndALongOneByAnOfficer) {
  auto& w = world();
  auto r = w.c().post_json("/api/v1/sis-loops",
                           {{"company_code", kA},
                            {"tag", "D4-SIS1"},
                            {"name", "硝化釜超温联锁"},
                            {"hazard_code", kHazA}},
                           w.as("d4_county"));
  ASSERT_EQ(r.status / 100, 2) << r.body;
  auto loop = "/api/v1/sis-loops/" + std::to_string(r.json()["id"].get<long long>());
  auto bypass = [&](system_clock::duration length) {
    return json{{"applicant", "仪表工"},
                {"approver", "厂长"},
                {"reason", "变送器校验"},
                {"expiry_at", w.t(length)}};
  };
  auto file = [&](system_clock::duration length) {
    auto res = w.c().post_json(loop + "/bypasses", bypass(length), w.as("d4_user_a"));
    if (res.status != 201) throw std::runtime_error("bypass: " + res.body);
    return "/api/v1/sis-bypasses/" + std::to_string(res.json()["id"].get<long long>());
  };
  const std::vector<std::string> tables = {"sis_loop", "sis_bypass", "sis_trip", "warning_event"};

  // The filing account approving its own bypass: 403, nothing changes.
  auto id = file(hours(8));
  auto before = fingerprint(tables);
  EXPECT_TRUE(refused(w.c().post_json(id + "/approve", json::object(), w.as("d4_user_a")), 403));
  // B's user and B's county do not see it.
  EXPECT_TRUE(refused(w.c().post_json(id + "/approve", json::object(), w.as("d4_user_b")), 404));
  EXPECT_TRUE(refused(w.c().post_json(id + "/approve", json::object(), w.as("d4_county_b")), 404));
  EXPECT_EQ(fingerprint(tables), before);
  EXPECT_EQ(w.get(loop)["state"], "in_service");
  // Another account of the enterprise approves it.
  r = w.c().post_json(id + "/approve", json::object(), w.as("d4_user_a2"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["approved_by"], "d4_user_a2");
  EXPECT_EQ(w.get(loop)["state"], "bypassed");
  ASSERT_EQ(w.c().post_json(id + "/end", json::object(), w.as("d4_user_a")).status, 200);

  // Two days out of service: not the enterprise's to approve, whichever account.
  id = file(hours(48));
  before = fingerprint(tables);
  for (const char* user : {"d4_user_a", "d4_user_a2"})
    EXPECT_TRUE(refused(w.c().post_json(id + "/approve", json::object(), w.as(user)), 403)) << user;
  EXPECT_EQ(fingerprint(tables), before);
  EXPECT_EQ(w.get(loop)["state"], "in_service");
  r = w.c().post_json(id + "/approve", json::object(), w.as("d4_county"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["approved_by"], "d4_county");
  EXPECT_EQ(w.get(loop)["state"], "bypassed");
  ASSERT_EQ(w.c().post_json(id + "/end", json::object(), w.as("d4_user_a")).status, 200);

  // The gateway's bypass is approved by the enterprise's own system and in effect at once: at
  // most 24 hours from now.
  auto row = bypass(hours(48));
  row["kind"] = "bypass";
  row["loop"] = "D4-SIS1";
  before = fingerprint(tables);
  auto up = w.upload("sis", json::array({row}));
  EXPECT_TRUE(all_rejected(up, 1));
  EXPECT_NE(up.body.find("expiry_at"), std::string::npos) << up.body;
  EXPECT_EQ(fingerprint(tables), before);
  row["expiry_at"] = w.t(hours(20));
  up = w.upload("sis", json::array({row}));
  ASSERT_EQ(up.status, 200) << up.body;
  EXPECT_EQ(up.json()["accepted"], 1) << up.body;
  EXPECT_EQ(w.get(loop)["state"], "bypassed");
  ASSERT_EQ(w.upload("sis", json::array({{{"kind", "bypass_end"}, {"loop", "D4-SIS1"}}})).status,
            200);
  EXPECT_EQ(w.get(loop)["state"], "in_service");
}

// Attack 13.25: the coverage check (docs/processes.md, 附件5) reads what the enterprise declares.
// Every declaration that narrows what is required is the regulator's: a key process stopped
// (12.9), a warehouse's ammonium nitrate deactivated, a platform's medium removed or its mode
// changed (12.15), a place moved out of its hazard source (12.1). Left open: adding a medium. A
// major-hazard platform whose media are not entered is asked for leak detection (介质未分类);
// given a classified medium of none of §3's kinds (oxygen), it would be asked for nothing. The
// enterprise's change is 422 narrows_coverage (PATCH; an upload row is rejected), the coverage
// the county reads is unchanged; an officer may make it, and a medium that keeps or adds
// requirements stays the enterprise's to add.
TEST(DutyAttack4, AnAddedMediumDoesNotEndAPlatformsLeakDetection) {
  auto& w = world();
  const std::vector<std::string> tables = {"loading_platform", "enterprise_process",
                                           "warehouse_chemical", "hazard_source"};
  auto coverage = [&] { return w.get("/api/v1/coverage/enterprises/" + kA, "d4_county"); };
  auto leak_required = [&](const json& cov) {
    for (const auto& i : cov["items"])
      if (i.value("kind", "") == "loading_leak") return true;
    return false;
  };
  auto cov_before = coverage();
  ASSERT_TRUE(leak_required(cov_before)) << cov_before.dump();
  auto before = fingerprint(tables);
  auto path = "/api/v1/loading-platforms/" + kPlatformA;
  auto r = w.c().patch_json(path, {{"media", {kOxygen}}}, w.as("d4_user_a"));
  EXPECT_TRUE(refused(r, 422, "/media"));
  EXPECT_EQ(r.json().value("code", ""), "narrows_coverage") << r.body;
  auto up = w.upload("loading-platforms", json::array({{{"platform_id", kPlatformA},
                                                        {"name", "汽车装卸站台"},
                                                        {"hazard_code", kHazA},
                                                        {"mode", "road"},
                                                        {"media", {kOxygen}}}}));
  EXPECT_TRUE(all_rejected(up, 1));
  EXPECT_NE(up.body.find("media"), std::string::npos) << up.body;
  EXPECT_EQ(fingerprint(tables), before);
  EXPECT_EQ(coverage(), cov_before);

  // The regulator may enter it; then a liquefied hydrocarbon added by the enterprise only adds
  // (leak, grounding, overflow), and removing it again is refused as before (12.15).
  r = w.c().patch_json(path, {{"media", {kOxygen}}}, w.as("d4_county"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_FALSE(leak_required(coverage()));
  // Both are in the audit log: the enterprise's refused attempt and the officer's change.
  auto audited = shared_db().db().in_tx([&](storage::Tx& tx) {
    return tx.exec_one(
        "SELECT count(*) FILTER (WHERE status = 422 AND actor_name = 'd4_user_a') AS refused, "
        "count(*) FILTER (WHERE status = 200 AND actor_name = 'd4_county') AS done FROM "
        "audit_log WHERE action = 'registry.update' AND target LIKE '%' || $1",
        {kPlatformA});
  });
  EXPECT_GE(audited["refused"].get<long long>(), 1) << audited.dump();
  EXPECT_EQ(audited["done"].get<long long>(), 1) << audited.dump();
  r = w.c().patch_json(path, {{"media", {kOxygen, kLpg}}}, w.as("d4_user_a"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto cov = coverage();
  EXPECT_TRUE(leak_required(cov)) << cov.dump();
  EXPECT_NE(cov.dump().find("loading_overflow"), std::string::npos) << cov.dump();
  before = fingerprint(tables);
  EXPECT_TRUE(
      refused(w.c().patch_json(path, {{"media", {kOxygen}}}, w.as("d4_user_a")), 422, "/media"));
  EXPECT_EQ(fingerprint(tables), before);
}

// Attack 13.26: hot work uploaded already `done` never showed as in progress on the map and in
// the counts, and an overdue permit could not be finished by upload (its row carries the actual
// end, refused since 12.20), so it was cancelled or left. The same rules for the dashboard and
// the gateway: created planned or in progress, done only from in progress; an in-progress permit
// past its window is overdue and is still finished, late (`finished_late`, 逾期完成).
TEST(DutyAttack4, APermitIsDoneOnlyFromInProgressAndOverdueWorkIsFinishedLate) {
  auto& w = world();
  const std::vector<std::string> tables = {"work_permit", "work_permit_change"};
  auto permit = [&](const std::string& no, const std::string& state) {
    return json{{"permit_no", no},
                {"work_type", "hot_work"},
                {"grade", "1"},
                {"location", "硝化装置区东侧管廊"},
                {"hazard_code", kHazA},
                {"begin_at", w.t(-hours(1))},
                {"end_at", w.t(hours(1))},
                {"responsible", "动火负责人"},
                {"responsible_mobile", "13800000000"},
                {"content", "管线焊接"},
                {"state", state}};
  };
  auto before = fingerprint(tables);
  for (const char* state : {"done", "cancelled"}) {
    auto row = permit(std::string("D4-HOT-") + state, state);
    auto uploaded = row;
    uploaded["cancel_reason"] = "取消";
    auto up = w.upload("work-permits", json::array({uploaded}));
    EXPECT_TRUE(all_rejected(up, 1)) << state;
    EXPECT_NE(up.body.find("/state"), std::string::npos) << up.body;
    EXPECT_TRUE(
        refused(w.c().post_json("/api/v1/work-permits", row, w.as("d4_user_a")), 422, "/state"))
        << state;
  }
  EXPECT_EQ(fingerprint(tables), before);

  // In progress from either side; both on the map now.
  auto hot1 = permit("D4-HOT-1", "in_progress");
  auto up = w.upload("work-permits", json::array({hot1}));
  ASSERT_EQ(up.status, 200) << up.body;
  ASSERT_EQ(up.json()["created"], 1) << up.body;
  auto r =
      w.c().post_json("/api/v1/work-permits", permit("D4-HOT-2", "in_progress"), w.as("d4_user_a"));
  ASSERT_EQ(r.status, 201) << r.body;
  auto id2 = std::to_string(r.json()["id"].get<long long>());
  auto list = w.get("/api/v1/work-permits?in_progress=true&company_code=" + kA, "d4_county");
  EXPECT_EQ(list["items"].size(), 2u) << list.dump();

  // Two hours on, both are overdue; the gateway's row finishing one carries its actual end.
  w.srv->clock().advance(hours(2));
  list = w.get("/api/v1/work-permits?overdue=true&company_code=" + kA, "d4_county");
  EXPECT_EQ(list["items"].size(), 2u) << list.dump();
  auto done = hot1;
  done["state"] = "done";
  auto filed_end = done["end_at"];
  done["end_at"] = w.t(seconds(0));
  up = w.upload("work-permits", json::array({done}));
  ASSERT_EQ(up.status, 200) << up.body;
  ASSERT_EQ(up.json()["updated"], 1) << up.body;
  r = w.c().post_json("/api/v1/work-permits/" + id2 + "/transitions", {{"action", "finish"}},
                      w.as("d4_user_a"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["finished_late"], true) << r.body;
  list = w.get("/api/v1/work-permits?company_code=" + kA, "d4_county");
  int late = 0;
  for (const auto& p : list["items"]) {
    if (p["permit_no"] != "D4-HOT-1" && p["permit_no"] != "D4-HOT-2") continue;
    EXPECT_EQ(p["state"], "done") << p.dump();
    EXPECT_EQ(p["overdue"], false) << p.dump();
    late += p["finished_late"] == true ? 1 : 0;
    if (p["permit_no"] == "D4-HOT-1") {
      EXPECT_EQ(p["end_at"], filed_end) << "the filed window stays";
      auto detail =
          w.get("/api/v1/work-permits/" + std::to_string(p["id"].get<long long>()), "d4_county");
      EXPECT_NE(detail.dump().find("逾期完成"), std::string::npos) << detail.dump();
    }
  }
  EXPECT_EQ(late, 2) << list.dump();
  // Done is final: nothing moves it back.
  before = fingerprint(tables);
  EXPECT_TRUE(all_rejected(w.upload("work-permits", json::array({hot1})), 1));
  EXPECT_EQ(fingerprint(tables), before);
}

// Attack 13.27: a circular acknowledged after its deadline counted late in the detail (12.24)
// but not in the list a duty officer reads: each list item carries `acknowledged_late` too,
// counted among the recipients the reader sees (A's county: A only; the province: both).
TEST(DutyAttack4, TheCircularListShowsLateAcknowledgements) {
  auto& w = world();
  auto r = w.c().post_json("/api/v1/circulars",
                           {{"title", "关于限期报送联锁旁路台账的通报"},
                            {"body", "请于1小时内签收。"},
                            {"kind", "other"},
                            {"company_codes", {kA, kB}},
                            {"ack_deadline", w.t(hours(1))}},
                           w.as("d4_admin"));
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  auto path = "/api/v1/circulars/" + std::to_string(id);
  ASSERT_EQ(w.c().post_json(path + "/publish", json::object(), w.as("d4_admin")).status, 200);
  auto item = [&](const std::string& user) {
    auto list = w.get("/api/v1/circulars?limit=100", user);
    for (const auto& c : list["items"])
      if (c["id"] == id) return c;
    throw std::runtime_error("circular not listed for " + user + ": " + list.dump());
  };
  EXPECT_EQ(item("d4_county")["acknowledged_late"], 0);
  ASSERT_EQ(w.c().post_json(path + "/acknowledgement", json::object(), w.as("d4_user_b")).status,
            200);
  w.srv->clock().advance(hours(2));
  ASSERT_EQ(w.c().post_json(path + "/acknowledgement", json::object(), w.as("d4_user_a")).status,
            200);
  EXPECT_EQ(item("d4_county")["acknowledged_late"], 1);
  EXPECT_EQ(item("d4_county_b")["acknowledged_late"], 0);  // B acknowledged in time
  EXPECT_EQ(item("d4_admin")["acknowledged_late"], 1);
  EXPECT_EQ(item("d4_admin")["acknowledged"], 2);
  EXPECT_EQ(w.get(path, "d4_county")["acknowledged_late"], 1);  // the detail agrees
}

// 13.28: the connection status (接入状态, ADR 0025) read its silence window against PostgreSQL's
// now(), not the service clock, so no test could move time past it (and a node with a skewed
// database clock would disagree). It reads the clock now: a day after A's last reading, A is
// silent; a 48-hour window still counts it connected.
TEST(DutyAttack4, TheConnectionStatusFollowsTheServiceClock) {
  auto& w = world();
  const std::string point = kA + "TI401";
  w.ok("monitoring-points", {{"quota_code", point},
                             {"company_code", kA},
                             {"hazard_code", kHazA},
                             {"gateway_code", kGatewayA},
                             {"name", "硝化釜温度"},
                             {"indicator_type", "temperature"},
                             {"value_kind", "analog"},
                             {"unit", "℃"},
                             {"range_low", 0},
                             {"range_high", 200},
                             {"h", 80},
                             {"hh", 100}});
  auto now = w.t(seconds(0));
  auto up = w.c().post_json(
      "/api/v1/upload/realtime",
      {{"companyCode", kA},
       {"gatewayCode", kGatewayA},
       {"dataId", "d4-conn-1"},
       {"reportType", "realtime"},
       {"sendTime", now},
       {"datas", json::array({{{"quotaCode", point}, {"collectTime", now}, {"value", 42.0}}})}},
      w.gateway_a);
  ASSERT_EQ(up.status / 100, 2) << up.body;
  auto state = [&](const std::string& query) {
    auto j = w.get("/api/v1/deployment/connection?region=141122" + query, "d4_county");
    for (const auto& i : j["items"])
      if (i["company_code"] == kA) return i["state"].get<std::string>();
    throw std::runtime_error("A not in the connection status: " + j.dump());
  };
  EXPECT_EQ(state(""), "connected");
  w.srv->clock().advance(hours(25));
  EXPECT_EQ(state(""), "silent");
  EXPECT_EQ(state("&silent_hours=48"), "connected");
  auto j = w.get("/api/v1/deployment/connection?region=141122", "d4_county");
  EXPECT_EQ(j["totals"]["silent"], 1) << j.dump();
}

// 13.29: two statuses of one unit filed at the same moment: the second's insert met the
// one-current-status index and answered a bare 409 `conflict`, which told the filer nothing.
// Made deterministic here: a status is inserted in an open transaction, the API's filing waits on
// the index for it, the transaction commits. The answer is 409 `unit_status_current` naming the
// unit and its current status; nothing of the second is stored.
TEST(DutyAttack4, ASecondCurrentStatusOfAUnitIsNamed) {
  auto& w = world();
  const std::string unit = kHazA + "S0001";
  w.ok("equipment", {{"equip_code", unit},
                     {"company_code", kA},
                     {"hazard_code", kHazA},
                     {"equip_type", "S0"},
                     {"name", "硝化装置"}});
  auto& db = shared_db().db();
  auto race = db.begin();
  auto other =
      race.exec_one(
              "INSERT INTO unit_run_status (company_code, equip_code, status, begin_at, source, "
              "filed_by, "
              "created_at, updated_at) VALUES ($1, $2, 'running', $3::timestamptz, 'dashboard', "
              "'d4_race', now(), now()) RETURNING id",
              {kA, unit, core::format_rfc3339_pg(w.srv->clock().now() - minutes(1))})["id"]
          .get<long long>();
  auto token = w.as("d4_user_a");
  HttpResult r;
  std::thread filer([&] {
    r = w.c().post_json(
        "/api/v1/unit-statuses",
        {{"equip_code", unit}, {"status", "running"}, {"begin_at", w.t(seconds(0))}}, token);
  });
  // Until the filing waits on the index for the open transaction's row.
  bool waiting = false;
  for (int i = 0; i < 500 && !waiting; ++i) {
    waiting = db.in_tx([](storage::Tx& tx) {
      return tx.exec_one(
                   "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = "
                   "current_database() AND wait_event_type = 'Lock'")["n"]
                 .get<long long>() > 0;
    });
    if (!waiting) std::this_thread::sleep_for(milliseconds(10));
  }
  race.commit();
  filer.join();
  ASSERT_TRUE(waiting) << "the filing never waited on the open transaction";
  EXPECT_TRUE(refused(r, 409, "/equip_code"));
  EXPECT_EQ(r.json().value("code", ""), "unit_status_current") << r.body;
  EXPECT_NE(r.body.find(unit), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("id " + std::to_string(other)), std::string::npos) << r.body;
  // The open transaction's row is the one stored; the second left nothing.
  auto rows = db.in_tx([&](storage::Tx& tx) {
    return tx
        .exec_one("SELECT count(*) AS n FROM unit_run_status WHERE equip_code = $1", {unit})["n"]
        .get<long long>();
  });
  EXPECT_EQ(rows, 1);
  auto list = w.get("/api/v1/unit-statuses?company_code=" + kA, "d4_county");
  int current = 0;
  for (const auto& i : list["items"])
    if (i.value("equip_code", json()) == unit && i.value("end_at", json()).is_null()) ++current;
  EXPECT_EQ(current, 1) << list.dump();
}

// Attack 13.30: the committer must be a 包保责任人 or the principal, but the enterprise keeps both
// itself: it renames a person (or its principal) and commits as them at once, so a commitment
// nobody responsible made looks in order. Refusing would refuse real new appointments; instead
// the name's age is kept by the database (migration 0036) and a commitment whose committer was
// entered less than 72 hours before is flagged (`committer_recent`) and counted per region in the
// summary (`recent_committer`), for the county to check.
TEST(DutyAttack4, ACommitterEnteredJustBeforeCommittingIsShownToTheCounty) {
  auto& w = world();
  // An established roster: its names entered a month ago.
  shared_db().db().in_tx([&](storage::Tx& tx) {
    tx.exec(
        "UPDATE responsible_person SET name_since = now() - interval '30 days' WHERE "
        "company_code = $1",
        {kA});
    tx.exec(
        "UPDATE enterprise SET principal_since = now() - interval '30 days' WHERE "
        "company_code = $1",
        {kA});
  });
  auto commit = [&](const std::string& committer) {
    auto r = w.c().post_json("/api/v1/commitments",
                             {{"units",
                               {{"total", 1},
                                {"running", 1},
                                {"stopped", 0},
                                {"startup", 0},
                                {"trial", 0},
                                {"overhaul", 0}}},
                              {"key_process_count", 1},
                              {"risk_grade", "yellow"},
                              {"committer", committer},
                              {"duty_leader", "值班长"},
                              {"duty_phone", "13912345678"},
                              {"content", "今日承诺"}},
                             w.as("d4_user_a"));
    if (r.status / 100 != 2) throw std::runtime_error("commitment: " + r.body);
    return r.json();
  };
  auto recent_in_summary = [&] {
    auto s = w.get("/api/v1/commitments/summary", "d4_county");
    return s["total"].value("recent_committer", -1);
  };
  auto c = commit("厂长");
  EXPECT_EQ(c["committer_recent"], false) << c.dump();
  EXPECT_EQ(recent_in_summary(), 0);

  // The technical 包保责任人 renamed, and a commitment in the new name at once.
  auto persons = w.get("/api/v1/responsible-persons?hazard_code=" + kHazA + "&role=technical");
  ASSERT_EQ(persons["items"].size(), 1u) << persons.dump();
  auto person =
      "/api/v1/responsible-persons/" + std::to_string(persons["items"][0]["id"].get<long long>());
  auto r = w.c().patch_json(person, {{"name", "新来的技术员"}}, w.as("d4_user_a"));
  ASSERT_EQ(r.status, 200) << r.body;
  c = commit("新来的技术员");
  EXPECT_EQ(c["committer_role"], "technical");
  EXPECT_EQ(c["committer_recent"], true) << c.dump();
  EXPECT_EQ(recent_in_summary(), 1);
  auto list = w.get("/api/v1/commitments?company_code=" + kA, "d4_county");
  ASSERT_FALSE(list["items"].empty());
  EXPECT_EQ(list["items"][0]["committer_recent"], true) << list.dump();

  // The principal changed, then a commitment as the new principal: flagged too.
  r = w.c().patch_json("/api/v1/enterprises/" + kA, {{"principal", "钱总"}}, w.as("d4_user_a"));
  ASSERT_EQ(r.status, 200) << r.body;
  c = commit("钱总");
  EXPECT_EQ(c["committer_role"], "enterprise_principal");
  EXPECT_EQ(c["committer_recent"], true) << c.dump();

  // An established name again: not flagged; the mobile of a person changing is no new name.
  r = w.c().patch_json(person, {{"mobile", "13900000001"}}, w.as("d4_user_a"));
  ASSERT_EQ(r.status, 200) << r.body;
  c = commit("厂长");
  EXPECT_EQ(c["committer_recent"], false) << c.dump();
  EXPECT_EQ(recent_in_summary(), 0);
}

// Attack 13.31: back-to-back bypasses. The enterprise approves a bypass of at most
// sis.enterprise_approval_max_hours (24) itself (13.24); ending it and at once approving the next
// one (with a second account) or uploading it would keep the interlock out of service for days
// without an officer. A bypass in effect within sis.chain_gap_minutes (60) of the end of the
// loop's last approved one continues it: the limits count from the chain's first start.
TEST(DutyAttack4, BackToBackBypassesCountFromTheChainsFirstStart) {
  auto& w = world();
  auto r = w.c().post_json("/api/v1/sis-loops",
                           {{"company_code", kA},
                            {"tag", "D4-SIS2"},
                            {"name", "硝化釜搅拌失效联锁"},
                            {"hazard_code", kHazA}},
                           w.as("d4_county"));
  ASSERT_EQ(r.status / 100, 2) << r.body;
  auto loop = "/api/v1/sis-loops/" + std::to_string(r.json()["id"].get<long long>());
  auto bypass = [&](system_clock::duration length) {
    return json{{"applicant", "仪表工"},
                {"approver", "厂长"},
                {"reason", "搅拌电机检修"},
                {"expiry_at", w.t(length)}};
  };
  auto file = [&](system_clock::duration length) {
    auto res = w.c().post_json(loop + "/bypasses", bypass(length), w.as("d4_user_a"));
    if (res.status != 201) throw std::runtime_error("bypass: " + res.body);
    return "/api/v1/sis-bypasses/" + std::to_string(res.json()["id"].get<long long>());
  };
  auto approve = [&](const std::string& id, const char* user) {
    return w.c().post_json(id + "/approve", json::object(), w.as(user));
  };
  auto end = [&](const std::string& id) {
    auto res = w.c().post_json(id + "/end", json::object(), w.as("d4_user_a"));
    if (res.status != 200) throw std::runtime_error("end: " + res.body);
  };
  const std::vector<std::string> tables = {"sis_loop", "sis_bypass", "sis_trip", "warning_event"};

  // A first bypass of 20 hours, approved by the enterprise's second account, ended after 19.
  auto id = file(hours(20));
  ASSERT_EQ(approve(id, "d4_user_a2").status, 200);
  w.srv->clock().advance(hours(19));
  end(id);
  EXPECT_EQ(w.get(loop)["state"], "in_service");

  // At once, the gateway reports the next 20 hours: 39 hours from the chain's start, rejected
  // on /expiry_at with the reason, nothing stored.
  auto row = bypass(hours(20));
  row["kind"] = "bypass";
  row["loop"] = "D4-SIS2";
  auto before = fingerprint(tables);
  auto up = w.upload("sis", json::array({row}));
  EXPECT_TRUE(all_rejected(up, 1));
  EXPECT_NE(up.body.find("expiry_at"), std::string::npos) << up.body;
  EXPECT_NE(up.body.find("back-to-back"), std::string::npos) << up.body;
  EXPECT_EQ(fingerprint(tables), before);

  // From the dashboard: filed, but neither account of the enterprise approves it (403).
  id = file(hours(20));
  before = fingerprint(tables);
  for (const char* user : {"d4_user_a2", "d4_user_a"}) {
    auto res = approve(id, user);
    EXPECT_TRUE(refused(res, 403)) << user;
  }
  EXPECT_NE(approve(id, "d4_user_a2").body.find("back-to-back"), std::string::npos);
  EXPECT_EQ(fingerprint(tables), before);
  EXPECT_EQ(w.get(loop)["state"], "in_service");
  end(id);  // never approved: not part of any chain

  // Within the chain's 24 hours the enterprise still approves: 4 more hours (23 from its start).
  id = file(hours(4));
  r = approve(id, "d4_user_a2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(w.get(loop)["state"], "bypassed");
  w.srv->clock().advance(minutes(30));
  end(id);

  // Half an hour later (within the gap): longer than the chain's 24 hours, an officer approves.
  w.srv->clock().advance(minutes(30));
  id = file(hours(20));
  EXPECT_TRUE(refused(approve(id, "d4_user_a2"), 403));
  r = approve(id, "d4_county");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["approved_by"], "d4_county");
  w.srv->clock().advance(hours(1));
  end(id);

  // After more than the gap in service, the chain is broken: the enterprise approves again.
  w.srv->clock().advance(minutes(61));
  id = file(hours(20));
  r = approve(id, "d4_user_a2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(w.get(loop)["state"], "bypassed");
  end(id);
  EXPECT_EQ(w.get(loop)["state"], "in_service");
}
