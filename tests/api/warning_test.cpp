// Warning events end to end over HTTPS: readings raise alarms, the rules make events of the
// right level, the disposal runs enterprise → county/city → province with every step recorded,
// wrong roles and callers outside the scope change nothing, and a missed deadline escalates.
#include <gtest/gtest.h>

#include <hazmon/api/warning_push.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/warning_service.hpp>

#include <mutex>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {
int next_fixture() {
  static int n = 1000;
  return n++;
}

long long count(const std::string& sql) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
}

// One enterprise in 晋中市榆次区 with one hazard source of the given rank, two analog level
// points (H 15, HH 18, range 0–20) and a gateway.
struct Fixture {
  int n = next_fixture();
  std::string kN = std::to_string(n);
  std::string kCompany = "1407000" + kN;
  std::string kHazard = kCompany + "001";
  std::string kGateway = "GW14070" + kN;
  std::string kLevel1 = "WLA" + kN, kLevel2 = "WLB" + kN;
  TestServer srv;
  HttpsClient c = srv.client();
  std::string admin, gateway;

  explicit Fixture(int rank, int offline_after_s = 3600)
      : srv(shared_db(), [&] {
          TestServerOptions o;
          o.offline_after_s = offline_after_s;
          o.session_ttl_minutes = 7 * 24 * 60;  // the tests move the clock by hours
          return o;
        }()) {
    admin = srv.make_user("warn_admin" + kN, "province_admin");
    ensure_region("140702", "榆次区", "140700");
    ensure_region("140703", "太谷区", "140700");
    ok(c.post_json("/api/v1/enterprises",
                   {{"company_code", kCompany},
                    {"name", "预警测试化工有限公司" + kN},
                    {"region_code", "140702"}},
                   admin));
    ok(c.post_json("/api/v1/hazard-sources",
                   {{"hazard_code", kHazard},
                    {"company_code", kCompany},
                    {"name", "液氯罐区"},
                    {"rank", rank}},
                   admin));
    ok(c.post_json("/api/v1/gateways",
                   {{"gateway_code", kGateway}, {"company_code", kCompany}, {"name", "网关"}},
                   admin));
    for (const auto& [quota, name] :
         {std::pair{kLevel1, "1#储罐液位"}, std::pair{kLevel2, "2#储罐液位"}}) {
      ok(c.post_json("/api/v1/monitoring-points",
                     {{"quota_code", quota},
                      {"company_code", kCompany},
                      {"hazard_code", kHazard},
                      {"gateway_code", kGateway},
                      {"name", name},
                      {"indicator_type", "level"},
                      {"value_kind", "analog"},
                      {"unit", "m"},
                      {"range_low", 0},
                      {"range_high", 20},
                      {"l", 2},
                      {"h", 15},
                      {"hh", 18},
                      {"debounce_s", 30},
                      {"deadband", 0.5}},
                     admin));
    }
    auto cred = c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin);
    ok(cred);
    gateway =
        cred.json()["app_id"].get<std::string>() + "." + cred.json()["secret"].get<std::string>();
  }

  static void ok(const HttpResult& r) {
    if (r.status != 201) throw std::runtime_error(r.body);
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
  json item(const std::string& quota, int seconds_ago, double v) {
    return {{"quotaCode", quota}, {"collectTime", at(seconds_ago)}, {"value", v}};
  }
  void upload(const std::string& data_id, json datas) {
    json body = {{"companyCode", kCompany}, {"gatewayCode", kGateway},
                 {"dataId", data_id},       {"reportType", "realtime"},
                 {"sendTime", at(0)},       {"datas", std::move(datas)}};
    auto r = c.post_json("/api/v1/upload/realtime", body, gateway);
    if (r.status != 200) throw std::runtime_error(r.body);
  }
  // 40 s above a limit: the 30 s debounce raises the alarm.
  void exceed(const std::string& id, const std::string& quota, double v, int seconds_ago = 100) {
    upload(id, json::array({item(quota, seconds_ago, v), item(quota, seconds_ago - 40, v + 0.2)}));
  }
  // Alarm listeners have run and the warning worker has caught up.
  void settle() {
    srv.ingest().tick();
    srv.warnings().tick();
  }
  json events(const std::string& token = {}, const std::string& extra = {}) {
    auto r = c.get("/api/v1/warning-events?company_code=" + kCompany + extra,
                   token.empty() ? admin : token);
    if (r.status != 200) throw std::runtime_error(r.body);
    return r.json();
  }
  json event(long long id, const std::string& token = {}) {
    auto r = c.get("/api/v1/warning-events/" + std::to_string(id), token.empty() ? admin : token);
    if (r.status != 200) throw std::runtime_error(r.body);
    return r.json();
  }
  HttpResult act(long long id, const std::string& token, json body) {
    return c.post_json("/api/v1/warning-events/" + std::to_string(id) + "/transitions", body,
                       token);
  }
  long long records(long long id) {
    return count("SELECT count(*) AS n FROM disposal_record WHERE event_id = " +
                 std::to_string(id));
  }
};

// A time from the API against the clock, to the millisecond (PostgreSQL drops trailing zeros).
void expect_time(const json& v, core::SysTime t) {
  ASSERT_TRUE(v.is_string()) << v;
  auto p = core::parse_time(v.get<std::string>());
  ASSERT_TRUE(p) << v;
  EXPECT_EQ(floor<milliseconds>(*p), floor<milliseconds>(t))
      << v << " vs " << core::format_rfc3339(t);
}

std::vector<std::string> actions_of(const json& ev) {
  std::vector<std::string> out;
  for (const auto& r : ev["records"])
    out.push_back(r["action"].get<std::string>() + "/" + r["actor_role"].get<std::string>());
  return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST(Warnings, HighHighOnARankOneHazardSourceIsARedEventPushedAtOnce) {
  Fixture f(1);
  f.exceed("hh-1", f.kLevel1, 19);
  f.settle();
  auto list = f.events();
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  auto e = list["items"][0];
  EXPECT_EQ(e["level"], "red");
  EXPECT_EQ(e["status"], "pushed");
  EXPECT_EQ(e["category"], "threshold");
  EXPECT_EQ(e["rule_id"], 1);
  EXPECT_EQ(e["county_code"], "140702");
  EXPECT_EQ(e["city_code"], "140700");
  EXPECT_EQ(e["hazard_code"], f.kHazard);
  EXPECT_EQ(e["overdue"], false);
  EXPECT_EQ(e["event_no"].get<std::string>().substr(0, 2), "YJ");
  auto content = e["content"].get<std::string>();
  EXPECT_NE(content.find("预警测试化工有限公司" + f.kN), std::string::npos) << content;
  EXPECT_NE(content.find("一级重大危险源"), std::string::npos) << content;
  EXPECT_NE(content.find("高高报警"), std::string::npos) << content;
  EXPECT_NE(content.find("红色预警"), std::string::npos) << content;
  // Red: feedback within 30 minutes of the push.
  expect_time(e["deadline_ts"], f.srv.clock().now() + minutes(30));

  auto d = f.event(e["id"].get<long long>());
  ASSERT_EQ(d["alarms"].size(), 1u);
  EXPECT_EQ(d["alarms"][0]["quota_code"], f.kLevel1);
  EXPECT_EQ(d["alarms"][0]["alarm_type"], "HH");
  EXPECT_TRUE(d["alarms"][0]["alarm_id"].is_number()) << d["alarms"].dump();
  EXPECT_EQ(actions_of(d), (V{"create/system", "push/system"}));
  for (const auto& r : d["records"]) {
    EXPECT_EQ(r["actor_name"], "system");
    EXPECT_FALSE(r["text"].get<std::string>().empty());
    expect_time(r["at"], f.srv.clock().now());
  }
  EXPECT_EQ(d["recipients"], json::array({"enterprise", "county", "city", "province"}));
  EXPECT_EQ(d["allowed_actions"], json::array({"supervise"}));  // a province admin supervises
  // Filters.
  EXPECT_EQ(f.events({}, "&level=red&status=pushed")["total"], 1);
  EXPECT_EQ(f.events({}, "&level=orange")["total"], 0);
  EXPECT_EQ(f.c.get("/api/v1/warning-events?level=purple", f.admin).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/warning-events?overdue=maybe", f.admin).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/warning-events?colour=red", f.admin).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/warning-events/999999999", f.admin).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/warning-events", f.gateway).status, 403);
  // Back to normal, then a second HH episode on the same point while the event is open: it joins
  // it.
  f.upload("hh-1b", json::array({f.item(f.kLevel1, 50, 10), f.item(f.kLevel1, 40, 19),
                                 f.item(f.kLevel1, 0, 19.5)}));
  f.settle();
  EXPECT_EQ(f.events()["total"], 1);
  EXPECT_EQ(f.event(e["id"].get<long long>())["alarms"].size(), 2u);
}

TEST(Warnings, HighAlarmBecomesAnEventOnlyAfterTenMinutes) {
  for (int rank : {2, 3}) {
    Fixture f(rank);
    f.exceed("h-1", f.kLevel1, 16);
    f.settle();
    EXPECT_EQ(f.events()["total"], 0);
    f.srv.clock().advance(minutes(5));
    f.settle();
    EXPECT_EQ(f.events()["total"], 0);
    f.srv.clock().advance(minutes(5) + seconds(1));
    f.settle();
    auto list = f.events();
    ASSERT_EQ(list["items"].size(), 1u) << list.dump();
    EXPECT_EQ(list["items"][0]["level"], rank == 2 ? "yellow" : "blue");
    EXPECT_EQ(list["items"][0]["category"], "duration");
    EXPECT_EQ(list["items"][0]["rule_id"], 3);
    EXPECT_NE(list["items"][0]["content"].get<std::string>().find("高报警"), std::string::npos);
  }
}

TEST(Warnings, SuppressedLateAndDataFaultAlarmsMakeNoEvent) {
  Fixture f(1);
  auto filing = f.c.post_json("/api/v1/filings",
                              {{"company_code", f.kCompany},
                               {"target_kind", "point"},
                               {"target_code", f.kLevel1},
                               {"filing_type", "overhaul"},
                               {"starts_at", f.at(3600)},
                               {"ends_at", f.at(-3600)}},
                              f.admin);
  ASSERT_EQ(filing.status, 201) << filing.body;
  f.exceed("sup-1", f.kLevel1, 19);        // HH inside a filed window
  f.exceed("late-1", f.kLevel2, 19, 420);  // HH from readings 7 minutes old
  // Out of range for 40 s: a data fault (debounced like a threshold alarm since issue 10, so one
  // sample would open nothing).
  f.upload("oor-1", json::array({f.item(f.kLevel2, 45, 25), f.item(f.kLevel2, 5, 25.5)}));
  f.settle();
  f.srv.clock().advance(minutes(40));
  f.settle();
  EXPECT_EQ(f.events()["total"], 0);
  // The alarms themselves exist.
  EXPECT_EQ(count("SELECT count(*) AS n FROM alarm WHERE company_code = '" + f.kCompany +
                  "' AND suppressed"),
            1);
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM alarm WHERE company_code = '" + f.kCompany + "' AND late"),
      1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM alarm WHERE company_code = '" + f.kCompany +
                  "' AND is_data_fault"),
            1);
}

TEST(Warnings, TwoPointsOfOneHazardSourceRaiseTheLevel) {
  Fixture f(2);
  f.exceed("c-1", f.kLevel1, 19);
  f.settle();
  auto list = f.events();
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  EXPECT_EQ(list["items"][0]["level"], "orange");
  auto id = list["items"][0]["id"].get<long long>();
  f.exceed("c-2", f.kLevel2, 16, 60);
  f.settle();
  auto d = f.event(id);
  EXPECT_EQ(d["level"], "red");
  EXPECT_EQ(d["initial_level"], "orange");
  EXPECT_EQ(d["alarms"].size(), 2u);
  EXPECT_EQ(actions_of(d), (V{"create/system", "push/system", "raise_level/system"}));
  EXPECT_EQ(d["records"][2]["level_before"], "orange");
  EXPECT_EQ(d["records"][2]["level_after"], "red");
  EXPECT_EQ(f.events()["total"], 1);  // still one event
}

TEST(Warnings, DisposalRunsEnterpriseCountyProvinceAndRefusesEveryoneElse) {
  Fixture f(1);
  // Another enterprise in the same county, for a user outside the scope.
  auto other = "1407001" + f.kN;
  Fixture::ok(f.c.post_json(
      "/api/v1/enterprises",
      {{"company_code", other}, {"name", "其他化工有限公司" + f.kN}, {"region_code", "140702"}},
      f.admin));
  auto ent = f.srv.make_user("warn_ent" + f.kN, "enterprise_user", f.kCompany);
  auto county = f.srv.make_user("warn_county" + f.kN, "county_officer", "140702");
  auto city = f.srv.make_user("warn_city" + f.kN, "city_officer", "140700");
  auto prov = f.srv.make_user("warn_prov" + f.kN, "province_officer");
  auto outsider = f.srv.make_user("warn_outsider" + f.kN, "enterprise_user", other);
  auto other_county = f.srv.make_user("warn_taigu" + f.kN, "county_officer", "140703");
  auto other_city = f.srv.make_user("warn_taiyuan" + f.kN, "city_officer", "140100");
  auto ops = f.srv.make_user("warn_ops" + f.kN, "operator");

  f.exceed("d-1", f.kLevel1, 19);
  f.settle();
  auto list = f.events(ent);
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  auto id = list["items"][0]["id"].get<long long>();
  EXPECT_EQ(f.event(id, ent)["allowed_actions"], json::array({"feedback"}));
  json feedback = {{"action", "feedback"},
                   {"cause", "instrument_fault"},
                   {"measures", "更换液位变送器并校验"},
                   {"text", "现场确认液位正常"}};
  auto before = f.records(id);

  // Outside the scope: absent, nothing changes.
  for (const auto& t : {outsider, other_county, other_city}) {
    EXPECT_EQ(f.c.get("/api/v1/warning-events/" + std::to_string(id), t).status, 404);
    EXPECT_EQ(f.act(id, t, feedback).status, 404);
    EXPECT_EQ(f.events(t)["total"], 0);
  }
  // Inside the scope with the wrong role: forbidden, nothing changes.
  EXPECT_EQ(f.act(id, county, feedback).status, 403);
  EXPECT_EQ(f.act(id, prov, feedback).status, 403);
  EXPECT_EQ(f.act(id, ops, feedback).status, 403);
  EXPECT_EQ(f.act(id, ent, {{"action", "check"}}).status, 403);
  EXPECT_EQ(f.act(id, f.admin, {{"action", "push"}}).status, 403);
  // Wrong state and incomplete requests.
  EXPECT_EQ(f.act(id, county, {{"action", "check"}}).status, 409);
  EXPECT_EQ(f.act(id, ent, {{"action", "feedback"}, {"measures", "x"}}).status, 422);
  EXPECT_EQ(
      f.act(id, ent, {{"action", "feedback"}, {"cause", "weather"}, {"measures", "x"}}).status,
      422);
  EXPECT_EQ(
      f.act(id, ent, {{"action", "feedback"}, {"cause", "maintenance"}, {"colour", "x"}}).status,
      422);
  EXPECT_EQ(f.act(id, ent, {{"action", "fly"}}).status, 422);
  EXPECT_EQ(f.records(id), before);
  EXPECT_EQ(f.event(id)["status"], "pushed");

  f.srv.clock().advance(minutes(10));
  auto r = f.act(id, ent, feedback);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "fed_back");
  EXPECT_EQ(r.json()["feedback_cause"], "instrument_fault");
  expect_time(r.json()["deadline_ts"], f.srv.clock().now() + hours(12));  // red: check within 12 h
  EXPECT_EQ(f.act(id, ent, feedback).status, 409);

  f.srv.clock().advance(hours(1));
  r = f.act(id, county, {{"action", "check"}, {"text", "县应急局现场核查，仪表故障属实"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "checked");
  // Red warnings are closed by the province, not the city.
  EXPECT_EQ(f.act(id, city, {{"action", "close"}}).status, 403);
  r = f.act(id, city, {{"action", "supervise"}, {"text", "市局督办"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "checked");
  f.srv.clock().advance(hours(2));
  r = f.act(id, prov, {{"action", "close"}, {"text", "省厅抽查后办结"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["status"], "closed");
  expect_time(r.json()["closed_ts"], f.srv.clock().now());
  EXPECT_EQ(f.act(id, prov, {{"action", "close"}}).status, 409);
  EXPECT_EQ(r.json()["allowed_actions"], json::array());

  // Every step recorded with actor, role, time and text.
  auto d = f.event(id, ent);
  EXPECT_EQ(actions_of(d), (V{"create/system", "push/system", "feedback/enterprise", "check/county",
                              "supervise/city", "close/province"}));
  const auto& fb = d["records"][2];
  EXPECT_EQ(fb["actor_name"], "warn_ent" + f.kN);
  EXPECT_EQ(fb["user_role"], "enterprise_user");
  EXPECT_TRUE(fb["actor_id"].is_number());
  EXPECT_EQ(fb["cause"], "instrument_fault");
  EXPECT_EQ(fb["measures"], "更换液位变送器并校验");
  EXPECT_EQ(fb["text"], "现场确认液位正常");
  EXPECT_EQ(fb["from_status"], "pushed");
  EXPECT_EQ(fb["to_status"], "fed_back");
  EXPECT_EQ(d["records"][3]["actor_name"], "warn_county" + f.kN);
  EXPECT_EQ(d["records"][3]["text"], "县应急局现场核查，仪表故障属实");
  EXPECT_EQ(d["records"][5]["actor_name"], "warn_prov" + f.kN);
  EXPECT_EQ(d["records"][5]["user_role"], "province_officer");
  expect_time(d["records"][5]["at"], f.srv.clock().now());
  EXPECT_EQ(d["records"][5]["text"], "省厅抽查后办结");
  // The transitions are in the audit log too.
  EXPECT_GE(
      count(
          "SELECT count(*) AS n FROM audit_log WHERE action = 'warning.transition' AND target = '" +
          std::to_string(id) + "' AND status = 200"),
      4);

  // After the close a new alarm on the hazard source opens a new event.
  f.exceed("d-2", f.kLevel2, 19, 60);
  f.settle();
  auto after = f.events();
  ASSERT_EQ(after["total"], 2) << after.dump();
  EXPECT_NE(after["items"][0]["id"], id);
  EXPECT_EQ(after["items"][0]["status"], "pushed");
  EXPECT_EQ(f.events({}, "&status=closed")["total"], 1);
}

TEST(Warnings, MissedFeedbackDeadlineMarksOverdueAndEscalates) {
  std::mutex mu;
  std::vector<json> pushes;  // outlive the fixture: its worker may still push while it stops
  Fixture f(2);
  f.srv.warnings().on_push([&mu, &pushes, company = f.kCompany](const model::WarningPush& p) {
    auto ev = api::warning_push_json(p);  // as the live stream carries it
    std::lock_guard lock(mu);
    if (ev["company_code"] == company)
      pushes.push_back(ev);  // deadlines of other tests' events pass too
  });
  f.exceed("o-1", f.kLevel1, 19);
  f.settle();
  // Log in before the clock moves: a login sweeps the sessions that expired by its clock.
  auto ent = f.srv.make_user("warn_late" + f.kN, "enterprise_user", f.kCompany);
  auto list = f.events();
  ASSERT_EQ(list["items"].size(), 1u);
  auto id = list["items"][0]["id"].get<long long>();
  EXPECT_EQ(list["items"][0]["level"], "orange");
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(pushes.size(), 1u);
    EXPECT_EQ(pushes[0]["push_reason"], "created");
    EXPECT_EQ(pushes[0]["recipients"], json::array({"enterprise", "county", "city"}));
  }

  f.srv.clock().advance(minutes(59));
  f.settle();
  EXPECT_EQ(f.event(id)["overdue"], false);
  f.srv.clock().advance(minutes(2));  // orange: feedback was due within 60 minutes
  f.settle();
  auto d = f.event(id);
  EXPECT_EQ(d["overdue"], true);
  EXPECT_EQ(d["level"], "red");
  EXPECT_EQ(d["escalation_count"], 1);
  EXPECT_EQ(d["status"], "pushed");
  expect_time(d["deadline_ts"], f.srv.clock().now() + minutes(30));  // a fresh red deadline
  EXPECT_EQ(d["recipients"], json::array({"enterprise", "county", "city", "province"}));
  ASSERT_EQ(actions_of(d), (V{"create/system", "push/system", "escalate/system"}));
  const auto& esc = d["records"][2];
  EXPECT_EQ(esc["level_before"], "orange");
  EXPECT_EQ(esc["level_after"], "red");
  EXPECT_EQ(esc["overdue"], true);
  expect_time(esc["at"], f.srv.clock().now());
  EXPECT_NE(esc["text"].get<std::string>().find("已过，标记逾期"), std::string::npos)
      << esc["text"];
  EXPECT_EQ(f.events({}, "&overdue=true")["total"], 1);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(pushes.size(), 2u);
    EXPECT_EQ(pushes[1]["push_reason"], "escalated");
    EXPECT_EQ(pushes[1]["level"], "red");
  }
  // Nothing more until the new deadline passes; then once more (red stays red).
  f.settle();
  EXPECT_EQ(f.event(id)["escalation_count"], 1);
  f.srv.clock().advance(minutes(31));
  f.settle();
  d = f.event(id);
  EXPECT_EQ(d["escalation_count"], 2);
  EXPECT_EQ(d["level"], "red");
  // Late feedback is still accepted, and the overdue mark stays.
  auto r =
      f.act(id, ent,
            {{"action", "feedback"}, {"cause", "process_fluctuation"}, {"measures", "调整进料"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["overdue"], true);
  expect_time(r.json()["deadline_ts"], f.srv.clock().now() + hours(12));
}

TEST(Warnings, RulesAreReadByEveryoneAndWrittenByTheProvinceAdmin) {
  Fixture f(2);
  auto ent = f.srv.make_user("warn_rules_ent" + f.kN, "enterprise_user", f.kCompany);
  auto city = f.srv.make_user("warn_rules_city" + f.kN, "city_officer", "140700");
  auto rules = f.c.get("/api/v1/warning-rules", ent);
  ASSERT_EQ(rules.status, 200) << rules.body;
  ASSERT_GE(rules.json()["items"].size(), 5u);
  auto first = rules.json()["items"][0];
  EXPECT_EQ(first["id"], 1);
  EXPECT_EQ(first["alarm_types"], json::array({"HH", "LL", "SWITCH"}));
  EXPECT_EQ(first["level_by_rank"], json({{"1", "red"}, {"2", "orange"}}));
  EXPECT_EQ(rules.json()["items"][4]["min_points"], 2);

  json rule = {{"name", "本企业高报警即橙色预警"},
               {"category", "threshold"},
               {"scope", {{"kind", "enterprise"}, {"code", f.kCompany}}},
               {"alarm_types", {"H"}},
               {"level_by_rank", {{"2", "orange"}}}};
  EXPECT_EQ(f.c.post_json("/api/v1/warning-rules", rule, city).status, 403);
  EXPECT_EQ(f.c.post_json("/api/v1/warning-rules", rule, ent).status, 403);
  auto bad = rule;
  bad["alarm_types"] = {"OFFLINE"};
  auto br = f.c.post_json("/api/v1/warning-rules", bad, f.admin);
  EXPECT_EQ(br.status, 422);
  EXPECT_NE(br.body.find("/alarm_types"), std::string::npos) << br.body;
  bad = rule;
  bad["scope"]["code"] = "14099999999";
  EXPECT_EQ(f.c.post_json("/api/v1/warning-rules", bad, f.admin).status, 422);
  auto created = f.c.post_json("/api/v1/warning-rules", rule, f.admin);
  ASSERT_EQ(created.status, 201) << created.body;
  auto rule_id = created.json()["id"].get<long long>();
  EXPECT_EQ(created.json()["enabled"], true);
  EXPECT_EQ(created.json()["min_points"], 1);

  // It applies at once to this enterprise: an H alarm is an orange event without waiting.
  f.exceed("r-1", f.kLevel1, 16);
  f.settle();
  auto list = f.events();
  ASSERT_EQ(list["items"].size(), 1u) << list.dump();
  EXPECT_EQ(list["items"][0]["level"], "orange");
  EXPECT_EQ(list["items"][0]["rule_id"], rule_id);

  auto path = "/api/v1/warning-rules/" + std::to_string(rule_id);
  EXPECT_EQ(f.c.patch_json(path, {{"enabled", false}}, city).status, 403);
  EXPECT_EQ(f.c.patch_json(path, {{"min_points", 3}}, f.admin).status,
            422);  // several points make a combination
  auto patched = f.c.patch_json(path, {{"enabled", false}, {"description", "停用"}}, f.admin);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json()["enabled"], false);
  EXPECT_EQ(patched.json()["name"], "本企业高报警即橙色预警");
  EXPECT_EQ(f.c.patch_json("/api/v1/warning-rules/999999", {{"enabled", false}}, f.admin).status,
            404);
  EXPECT_EQ(f.c.patch_json(path, {{"colour", "red"}}, f.admin).status, 422);
  EXPECT_EQ(count("SELECT count(*) AS n FROM audit_log WHERE action = 'warning_rule.update' AND "
                  "status = 200"),
            1);
}
