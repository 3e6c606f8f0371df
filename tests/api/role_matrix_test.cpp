// The role × action matrix is written once, in docs/security.md (between the role-matrix
// markers); this test reads that table and tries every cell over HTTPS as that role would, with
// everything in the caller's scope: ✓ must succeed (2xx), ✗ must be refused (403). A change of
// the code or of the table alone fails here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "janus_server.hpp"
#include "plant_model_support.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

constexpr const char* kCity = "140100";
constexpr const char* kCounty = "140109";  // 万柏林区: a county no other API test creates
const std::string kCompany = "14010970001";
const std::string kHazard = kCompany + "001";
const std::string kPoint = kHazard + "RMLIT1";

const std::vector<std::string> kRoles = {"province_admin", "province_officer", "city_officer",
                                         "county_officer", "enterprise_user",  "operator",
                                         "gateway",        "city_platform"};

struct Matrix {
  std::vector<std::string> roles;                           // column order in the doc
  std::map<std::string, std::map<std::string, bool>> cell;  // action → role → allowed
};

// Reads the table between <!-- role-matrix:begin --> and <!-- role-matrix:end -->:
// | action | what | province_admin | … |, cells ✓ or ✗.
Matrix read_doc() {
  std::ifstream in(std::string(HAZMON_SOURCE_DIR) + "/docs/security.md");
  Matrix m;
  std::string line;
  bool inside = false;
  auto cells = [](const std::string& l) {
    std::vector<std::string> out;
    std::stringstream ss(l);
    std::string c;
    std::getline(ss, c, '|');  // before the first bar
    while (std::getline(ss, c, '|')) {
      auto b = c.find_first_not_of(" `"), e = c.find_last_not_of(" `");
      out.push_back(b == std::string::npos ? "" : c.substr(b, e - b + 1));
    }
    if (!out.empty() && out.back().empty()) out.pop_back();
    return out;
  };
  while (std::getline(in, line)) {
    if (line.find("<!-- role-matrix:begin -->") != std::string::npos) {
      inside = true;
      continue;
    }
    if (line.find("<!-- role-matrix:end -->") != std::string::npos) break;
    if (!inside || line.rfind("|", 0) != 0) continue;
    auto c = cells(line);
    if (c.size() < 3 || c[0].find("---") != std::string::npos) continue;
    if (c[0] == "action") {
      m.roles.assign(c.begin() + 2, c.end());
      continue;
    }
    for (std::size_t i = 2; i < c.size() && i - 2 < m.roles.size(); ++i)
      m.cell[c[0]][m.roles[i - 2]] = c[i] == "✓";
  }
  return m;
}

struct World {
  std::unique_ptr<JanusServer> janus;  // duty calls (docs/calls.md); null without janus
  std::unique_ptr<TestServer> srv;
  std::map<std::string, std::string> token;           // role → bearer
  std::map<std::string, long long> spare_credential;  // role → a credential it may try to revoke
  std::map<std::string, long long> pending_filing;    // role → a filing it may try to approve
  long long victim_user = 0;
  HttpsClient c() const { return srv->client(); }
};

long long count(const std::string& sql) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
}

World& world() {
  static World* w = [] {
    auto w = new World;
    TestServerOptions o;
    o.video = true;  // the camera list: machines are refused there too
    if (JanusServer::available()) {
      w->janus = std::make_unique<JanusServer>();
      o.calls = w->janus->calls_config<json>();
    }
    w->srv = std::make_unique<TestServer>(shared_db(), o);
    auto admin = w->srv->make_user("rm_province_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("role matrix set-up: " + r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/regions",
        {{"code", kCounty}, {"name", "万柏林区"}, {"level", "county"}, {"parent_code", kCity}},
        admin));
    ok(c.post_json("/api/v1/enterprises",
                   {{"company_code", kCompany},
                    {"name", "太原角色矩阵化工有限公司"},
                    {"region_code", kCounty},
                    {"principal", "矩阵审批人"}},  // approves the SIS bypasses
                   admin));
    ok(c.post_json(
        "/api/v1/hazard-sources",
        {{"hazard_code", kHazard}, {"company_code", kCompany}, {"name", "罐区"}, {"rank", 1}},
        admin));
    ok(c.post_json("/api/v1/monitoring-points",
                   {{"quota_code", kPoint},
                    {"company_code", kCompany},
                    {"hazard_code", kHazard},
                    {"name", "液位"},
                    {"indicator_type", "level"},
                    {"value_kind", "analog"},
                    {"range_low", 0},
                    {"range_high", 20}},
                   admin));
    w->token["province_admin"] = admin;
    w->token["province_officer"] = w->srv->make_user("rm_province_officer", "province_officer");
    w->token["city_officer"] = w->srv->make_user("rm_city_officer", "city_officer", kCity);
    w->token["county_officer"] = w->srv->make_user("rm_county_officer", "county_officer", kCounty);
    w->token["enterprise_user"] =
        w->srv->make_user("rm_enterprise_user", "enterprise_user", kCompany);
    w->token["operator"] = w->srv->make_user("rm_operator", "operator");
    // Files the bypasses sis.approve tries: the filing account does not approve (four eyes).
    w->token["enterprise_filer"] =
        w->srv->make_user("rm_enterprise_filer", "enterprise_user", kCompany);
    auto issue = [&](const json& body) {
      auto j = ok(c.post_json("/api/v1/credentials", body, admin));
      return std::pair{j["id"].get<long long>(),
                       j["app_id"].get<std::string>() + "." + j["secret"].get<std::string>()};
    };
    json gw = {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}};
    json cp = {{"kind", "city_platform"}, {"scope", {{"kind", "region"}, {"code", kCity}}}};
    w->token["gateway"] = issue(gw).second;
    w->token["city_platform"] = issue(cp).second;
    w->srv->make_user("rm_victim", "operator");
    w->victim_user = count("SELECT id AS n FROM app_user WHERE username = 'rm_victim'");
    auto now = w->srv->clock().now();
    for (const auto& role : kRoles) {
      w->spare_credential[role] = issue(gw).first;
      // Ten days of shutdown filed by the enterprise: longer than it may file alone, so pending.
      auto f = ok(c.post_json("/api/v1/filings",
                              {{"company_code", kCompany},
                               {"target_kind", "enterprise"},
                               {"filing_type", "shutdown"},
                               {"starts_at", core::format_rfc3339(now + hours(1))},
                               {"ends_at", core::format_rfc3339(now + hours(241))},
                               {"reason", "全厂停车"}},
                              w->token["enterprise_user"]));
      w->pending_filing[role] = f["id"].get<long long>();
    }
    return w;
  }();
  return *w;
}

using Try = std::function<HttpResult(World&, const std::string& role, int n)>;

// Each action as a request; `n` makes keys unique per role.
std::map<std::string, Try> actions() {
  auto as = [](World& w, const std::string& role) { return w.token.at(role); };
  auto code2 = [](int n) { return std::string(n < 10 ? "0" : "") + std::to_string(n); };
  std::map<std::string, Try> a;
  a["registry.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/enterprises", as(w, r));
  };
  a["enterprise.create"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json(
        "/api/v1/enterprises",
        // three digits: n passes 100 with the many actions before this one
        {{"company_code", "14010980" + std::string(n < 100 ? "0" : "") + code2(n)},
         {"name", "角色矩阵新建" + std::to_string(n)},
         {"region_code", kCounty}},
        as(w, r));
  };
  a["enterprise.edit_contacts"] = [=](World& w, const std::string& r, int n) {
    return w.c().patch_json("/api/v1/enterprises/" + kCompany,
                            {{"duty_phone", "0351-70000" + code2(n)}}, as(w, r));
  };
  a["enterprise.set_status"] = [=](World& w, const std::string& r, int n) {
    return w.c().patch_json("/api/v1/enterprises/" + kCompany,
                            {{"status", n % 2 ? "suspended" : "operating"}}, as(w, r));
  };
  a["hazard_source.set_rank"] = [=](World& w, const std::string& r, int n) {
    return w.c().patch_json("/api/v1/hazard-sources/" + kHazard, {{"rank", 1 + n % 4}}, as(w, r));
  };
  a["point.create"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/monitoring-points",
                           {{"quota_code", kHazard + "RMP" + code2(n)},
                            {"company_code", kCompany},
                            {"hazard_code", kHazard},
                            {"name", "压力"},
                            {"indicator_type", "pressure"},
                            {"value_kind", "analog"},
                            {"range_low", 0},
                            {"range_high", 10}},
                           as(w, r));
  };
  a["user.create"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/users",
                           {{"username", "rm_new_" + code2(n)},
                            {"password", TestServer::kPassword},
                            {"role", "enterprise_user"},
                            {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}},
                           as(w, r));
  };
  a["user.deactivate"] = [=](World& w, const std::string& r, int) {
    return w.c().patch_json("/api/v1/users/" + std::to_string(w.victim_user), {{"is_active", true}},
                            as(w, r));
  };
  a["credential.issue"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, as(w, r));
  };
  a["credential.list"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/credentials", as(w, r));
  };
  a["credential.revoke"] = [=](World& w, const std::string& r, int) {
    return w.c().del("/api/v1/credentials/" + std::to_string(w.spare_credential.at(r)), as(w, r));
  };
  a["audit.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/audit", as(w, r));
  };
  a["statistics.overview"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/overview", as(w, r));
  };
  a["statistics.export"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/statistics/alarms?group_by=enterprise&format=xlsx", as(w, r));
  };
  a["dataquality.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/data-quality", as(w, r));
  };
  a["report.list"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/reports", as(w, r));
  };
  a["video.cameras"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/video/cameras", as(w, r));
  };
  a["report.generate"] = [=](World& w, const std::string& r, int n) {
    // A day of its own per attempt, so that no try is a 409 for an earlier one.
    auto day = core::format_rfc3339(w.srv->clock().now() - hours(24 * (n + 1))).substr(0, 10);
    return w.c().post_json("/api/v1/reports", {{"kind", "daily"}, {"date", day}, {"replace", true}},
                           as(w, r));
  };
  a["filing.create"] = [=](World& w, const std::string& r, int n) {
    auto now = w.srv->clock().now();
    return w.c().post_json("/api/v1/filings",
                           {{"company_code", kCompany},
                            {"target_kind", "point"},
                            {"target_code", kPoint},
                            {"filing_type", "overhaul"},
                            {"starts_at", core::format_rfc3339(now + hours(n))},
                            {"ends_at", core::format_rfc3339(now + hours(n + 2))}},
                           as(w, r));
  };
  a["filing.approve"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/filings/" + std::to_string(w.pending_filing.at(r)) + "/approve",
                           json::object(), as(w, r));
  };
  a["readings.upload"] = [=](World& w, const std::string& r, int n) {
    auto now = core::format_rfc3339(w.srv->clock().now());
    return w.c().post_json(
        "/api/v1/upload/realtime",
        {{"companyCode", kCompany},
         {"dataId", "rm-" + std::to_string(n)},
         {"reportType", "realtime"},
         {"sendTime", now},
         {"datas", json::array({{{"quotaCode", kPoint}, {"collectTime", now}, {"value", 3.0}}})}},
        as(w, r));
  };
  // Row uploads name their enterprise, as a city platform's must (docs/federation.md).
  auto forwarded = [](json rows) { return json{{"companyCode", kCompany}, {"datas", rows}}; };
  // The province's view of the city platforms forwarding to it (docs/federation.md).
  a["city_platform.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/city-platforms", as(w, r));
  };
  // The daily safety commitment (安全承诺): signed by a 包保责任人 made once, here.
  auto commitment = [](World& w) {
    static bool signer = [&] {
      auto r = w.c().post_json("/api/v1/responsible-persons",
                               {{"company_code", kCompany},
                                {"hazard_code", kHazard},
                                {"role", "principal"},
                                {"name", "矩阵承诺人"}},
                               w.token.at("province_admin"));
      if (r.status != 201) throw std::runtime_error("role matrix: signer: " + r.body);
      return true;
    }();
    (void)signer;
    return json{{"units",
                 {{"total", 1},
                  {"running", 1},
                  {"stopped", 0},
                  {"startup", 0},
                  {"trial", 0},
                  {"overhaul", 0}}},
                {"key_process_count", 0},
                {"risk_grade", "blue"},
                {"committer", "矩阵承诺人"},
                {"duty_leader", "值班长"},
                {"duty_phone", "13900000001"}};
  };
  a["commitment.file"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/commitments", commitment(w), as(w, r));
  };
  a["commitment.upload"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/upload/commitments", forwarded(json::array({commitment(w)})),
                           as(w, r));
  };
  a["commitment.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/commitments", as(w, r));
  };
  a["commitment.summary"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/commitments/summary", as(w, r));
  };
  // Special work permits (特殊作业票): a fresh planned permit of the enterprise for every try that
  // needs one, filed by the enterprise's user.
  auto permit = [](const std::string& no) {
    return json{{"permit_no", no},
                {"work_type", "confined_space"},
                {"location", "储罐内部"},
                {"begin_at", core::format_rfc3339(system_clock::now())},
                {"end_at", core::format_rfc3339(system_clock::now() + hours(4))},
                {"responsible", "矩阵作业负责人"},
                {"responsible_mobile", "13900000002"}};
  };
  auto planned = [=](World& w, const std::string& r, int n) {
    auto res = w.c().post_json("/api/v1/work-permits", permit("RM-P-" + r + std::to_string(n)),
                               w.token.at("enterprise_user"));
    if (res.status != 201) throw std::runtime_error("role matrix: permit: " + res.body);
    return std::to_string(res.json()["id"].get<long long>());
  };
  a["permit.file"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/work-permits", permit("RM-F-" + r + std::to_string(n)),
                           as(w, r));
  };
  a["permit.update"] = [=](World& w, const std::string& r, int n) {
    return w.c().patch_json("/api/v1/work-permits/" + planned(w, r, n),
                            {{"location", "储罐外部"}, {"reason", "位置更正"}}, as(w, r));
  };
  a["permit.transition"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/work-permits/" + planned(w, r, n) + "/transitions",
                           {{"action", "start"}}, as(w, r));
  };
  a["permit.upload"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/upload/work-permits",
                           forwarded(json::array({permit("RM-U-" + r + std::to_string(n))})),
                           as(w, r));
  };
  a["permit.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/work-permits", as(w, r));
  };
  a["permit.summary"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/work-permits/summary", as(w, r));
  };
  // Patrols and spot checks (分级巡查抽查): an on-site check already over, so that no patrol stays
  // in progress; a finding for every try that answers or confirms one.
  auto onsite = [](const std::string& note) {
    return json{{"company_code", kCompany},
                {"kind", "onsite"},
                {"started_at", core::format_rfc3339(system_clock::now() - hours(2))},
                {"ended_at", core::format_rfc3339(system_clock::now() - hours(1))},
                {"findings",
                 {{{"description", note},
                   {"severity", "general"},
                   {"follow_up", "限期整改"},
                   {"deadline", core::format_rfc3339(system_clock::now() + hours(48))}}}}};
  };
  auto open_finding = [=](World& w, const std::string& r, int n) {
    auto res = w.c().post_json("/api/v1/patrols", onsite("矩阵问题" + r + std::to_string(n)),
                               w.token.at("province_admin"));
    if (res.status != 201) throw std::runtime_error("role matrix: patrol: " + res.body);
    return std::to_string(res.json()["findings"][0]["id"].get<long long>());
  };
  a["patrol.start"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/patrols", onsite("矩阵巡查" + r + std::to_string(n)), as(w, r));
  };
  a["patrol.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/patrols", as(w, r));
  };
  a["patrol.reply"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/patrol-findings/" + open_finding(w, r, n) + "/reply",
                           {{"reply", "已整改"}}, as(w, r));
  };
  a["patrol.confirm"] = [=](World& w, const std::string& r, int n) {
    auto id = open_finding(w, r, n);
    auto answered = w.c().post_json("/api/v1/patrol-findings/" + id + "/reply",
                                    {{"reply", "已整改"}}, w.token.at("enterprise_user"));
    if (answered.status != 200) throw std::runtime_error("role matrix: reply: " + answered.body);
    return w.c().post_json("/api/v1/patrol-findings/" + id + "/confirm", {{"accept", true}},
                           as(w, r));
  };
  a["duty.checkin"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/duty-checkins", {{"duty_person", "矩阵值班员"}}, as(w, r));
  };
  a["routine_use.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/routine-use", as(w, r));
  };
  // Duty-room calls (docs/calls.md): officers call the enterprise, the enterprise its county (it
  // calls only upward); each call is ended again at once. Joining tries the role's own call, or
  // for roles that place none the province admin's.
  auto callee_of = [](const std::string& r) {
    return r == "enterprise_user" ? json{{"callee_kind", "region"}, {"callee_code", kCounty}}
                                  : json{{"callee_kind", "enterprise"}, {"callee_code", kCompany}};
  };
  auto end_call = [](World& w, const HttpResult& call, const std::string& token) {
    w.c().post_json("/api/v1/calls/" + std::to_string(call.json()["id"].get<long long>()) + "/end",
                    json::object(), token);
  };
  a["call.place"] = [=](World& w, const std::string& r, int) {
    auto res = w.c().post_json("/api/v1/calls", callee_of(r), as(w, r));
    if (res.status == 201) end_call(w, res, as(w, r));
    return res;
  };
  a["call.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/calls", as(w, r));
  };
  a["call.join"] = [=](World& w, const std::string& r, int) {
    auto placer = as(w, r);
    auto call = w.c().post_json("/api/v1/calls", callee_of(r), placer);
    if (call.status != 201) {
      placer = as(w, "province_admin");
      call = w.c().post_json("/api/v1/calls", callee_of("province_admin"), placer);
    }
    if (call.status != 201) throw std::runtime_error("role matrix: call: " + call.body);
    auto res = w.c().post_json(
        "/api/v1/calls/" + std::to_string(call.json()["id"].get<long long>()) + "/join",
        json::object(), as(w, r));
    end_call(w, call, placer);
    return res;
  };
  // 3-D plant models (docs/plant-models.md): uploaded for the enterprise and deleted again at
  // once (an enterprise keeps at most five); each delete tries a model the admin uploaded.
  auto plant_model = [=](World& w, const std::string& token) {
    return w.c().request(
        "POST", "/api/v1/upload/enterprises/" + kCompany + "/plant-models?name=matrix",
        good_model_zip(),
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/zip"}});
  };
  a["plant_model.upload"] = [=](World& w, const std::string& r, int) {
    auto res = plant_model(w, as(w, r));
    if (res.status == 201)
      w.c().del("/api/v1/plant-models/" + std::to_string(res.json()["id"].get<long long>()),
                w.token.at("province_admin"));
    return res;
  };
  a["plant_model.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/enterprises/" + kCompany + "/plant-models", as(w, r));
  };
  a["plant_model.file"] = [=](World& w, const std::string& r, int) {
    static std::string id = [&] {
      auto res = plant_model(w, w.token.at("province_admin"));
      if (res.status != 201) throw std::runtime_error("role matrix: plant model: " + res.body);
      return std::to_string(res.json()["id"].get<long long>());
    }();
    return w.c().get("/api/v1/plant-models/" + id + "/files/tileset.json", as(w, r));
  };
  a["plant_model.delete"] = [=](World& w, const std::string& r, int) {
    auto res = plant_model(w, w.token.at("province_admin"));
    if (res.status != 201) throw std::runtime_error("role matrix: plant model: " + res.body);
    auto path = "/api/v1/plant-models/" + std::to_string(res.json()["id"].get<long long>());
    auto out = w.c().del(path, as(w, r));
    w.c().del(path, w.token.at("province_admin"));
    return out;
  };
  // Unit run statuses (装置运行状态) on a production unit made once; each attempt begins a
  // minute after the one before, so that no attempt begins before the unit's latest status.
  auto unit = [](World& w) {
    static std::string code = [&] {
      auto r = w.c().post_json("/api/v1/equipment",
                               {{"equip_code", kHazard + "S0001"},
                                {"company_code", kCompany},
                                {"hazard_code", kHazard},
                                {"equip_type", "S0"},
                                {"name", "矩阵装置"}},
                               w.token.at("province_admin"));
      if (r.status != 201) throw std::runtime_error("role matrix: unit: " + r.body);
      return kHazard + "S0001";
    }();
    return code;
  };
  auto begin = [](World& w, int n) {
    return core::format_rfc3339(w.srv->clock().now() - minutes(2000 - n));
  };
  a["unit_status.file"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json(
        "/api/v1/unit-statuses",
        {{"equip_code", unit(w)}, {"status", "running"}, {"begin_at", begin(w, n)}}, as(w, r));
  };
  a["unit_status.end"] = [=](World& w, const std::string& r, int n) {
    auto made =
        w.c().post_json("/api/v1/unit-statuses",
                        {{"equip_code", unit(w)}, {"status", "running"}, {"begin_at", begin(w, n)}},
                        w.token.at("enterprise_user"));
    if (made.status != 201) throw std::runtime_error("role matrix: unit status: " + made.body);
    auto end = core::format_rfc3339(w.srv->clock().now() - minutes(2000 - n) + seconds(30));
    return w.c().post_json(
        "/api/v1/unit-statuses/" + std::to_string(made.json()["id"].get<long long>()) + "/end",
        {{"end_at", end}}, as(w, r));
  };
  a["unit_status.upload"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json(
        "/api/v1/upload/unit-status",
        forwarded(json::array(
            {{{"equip_code", unit(w)}, {"status", "running"}, {"begin_at", begin(w, n)}}})),
        as(w, r));
  };
  a["unit_status.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/unit-statuses", as(w, r));
  };
  // Circulars (信息通报, docs/circulars.md): a fresh draft of the city naming the enterprise for
  // every try that needs one (published where the try needs it).
  auto circular = [](World& w, bool publish) {
    auto res =
        w.c().post_json("/api/v1/circulars", {{"title", "矩阵通报"}, {"company_codes", {kCompany}}},
                        w.token.at("city_officer"));
    if (res.status != 201) throw std::runtime_error("role matrix: circular: " + res.body);
    auto id = std::to_string(res.json()["id"].get<long long>());
    if (publish && w.c().post_json("/api/v1/circulars/" + id + "/publish", json::object(),
                                   w.token.at("city_officer"))
                           .status != 200)
      throw std::runtime_error("role matrix: circular: publish");
    return id;
  };
  a["circular.create"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/circulars",
                           {{"title", "矩阵通报"}, {"company_codes", {kCompany}}}, as(w, r));
  };
  a["circular.publish"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/circulars/" + circular(w, false) + "/publish", json::object(),
                           as(w, r));
  };
  a["circular.withdraw"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/circulars/" + circular(w, true) + "/withdraw",
                           {{"reason", "矩阵撤回"}}, as(w, r));
  };
  a["circular.acknowledge"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/circulars/" + circular(w, true) + "/acknowledgement",
                           {{"reply", "收到"}}, as(w, r));
  };
  a["circular.attach"] = [=](World& w, const std::string& r, int) {
    return w.c().request(
        "POST", "/api/v1/upload/circulars/" + circular(w, false) + "/attachments?name=a.pdf",
        "%PDF-1.4\n%%EOF\n",
        {{"Authorization", "Bearer " + as(w, r)}, {"Content-Type", "application/pdf"}});
  };
  a["circular.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/circulars", as(w, r));
  };
  a["circular.summary"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/circulars/summary", as(w, r));
  };
  a["circular.deliveries"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/circulars/" + circular(w, true) + "/notifications", as(w, r));
  };
  // SIS loops (docs/sis.md): a fresh loop of the enterprise for every try that needs one,
  // registered by the enterprise's user; with a bypass requested or a trip filed when asked.
  auto sis_loop = [=](World& w, const std::string& tag) {
    auto res = w.c().post_json("/api/v1/sis-loops", {{"tag", tag}, {"name", "矩阵联锁"}},
                               w.token.at("enterprise_user"));
    if (res.status != 201) throw std::runtime_error("role matrix: sis loop: " + res.body);
    return std::to_string(res.json()["id"].get<long long>());
  };
  auto sis_bypass = [] {
    return json{{"applicant", "矩阵申请人"},
                {"approver", "矩阵审批人"},
                {"reason", "校验"},
                {"expiry_at", core::format_rfc3339(system_clock::now() + hours(8))}};
  };
  auto sis_requested = [=](World& w, const std::string& tag) {
    auto res = w.c().post_json("/api/v1/sis-loops/" + sis_loop(w, tag) + "/bypasses", sis_bypass(),
                               w.token.at("enterprise_filer"));
    if (res.status != 201) throw std::runtime_error("role matrix: sis bypass: " + res.body);
    return std::to_string(res.json()["id"].get<long long>());
  };
  auto tag_of = [](const char* what, const std::string& r, int n) {
    return std::string("RM-") + what + "-" + r + "-" + std::to_string(n);
  };
  a["sis.loop"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json(
        "/api/v1/sis-loops",
        {{"company_code", kCompany}, {"tag", tag_of("L", r, n)}, {"name", "联锁"}}, as(w, r));
  };
  a["sis.bypass"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/sis-loops/" + sis_loop(w, tag_of("B", r, n)) + "/bypasses",
                           sis_bypass(), as(w, r));
  };
  a["sis.approve"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json(
        "/api/v1/sis-bypasses/" + sis_requested(w, tag_of("A", r, n)) + "/approve", json::object(),
        as(w, r));
  };
  a["sis.end"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/sis-bypasses/" + sis_requested(w, tag_of("E", r, n)) + "/end",
                           json::object(), as(w, r));
  };
  a["sis.trip"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/sis-loops/" + sis_loop(w, tag_of("T", r, n)) + "/trips",
                           {{"cause", "矩阵"}}, as(w, r));
  };
  a["sis.reset"] = [=](World& w, const std::string& r, int n) {
    auto res = w.c().post_json("/api/v1/sis-loops/" + sis_loop(w, tag_of("R", r, n)) + "/trips",
                               json::object(), w.token.at("enterprise_user"));
    if (res.status != 201) throw std::runtime_error("role matrix: sis trip: " + res.body);
    return w.c().post_json(
        "/api/v1/sis-trips/" + std::to_string(res.json()["id"].get<long long>()) + "/reset",
        {{"reset_by", "矩阵班长"}}, as(w, r));
  };
  a["sis.upload"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json(
        "/api/v1/upload/sis",
        forwarded(
            json::array({{{"kind", "loop"}, {"tag", tag_of("U", r, n)}, {"name", "上传联锁"}}})),
        as(w, r));
  };
  a["sis.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/sis-loops", as(w, r));
  };
  // The key processes and the coverage check (docs/processes.md). Each attempt names another
  // process, and a row it added is removed again, so that no attempt meets another's row (409).
  auto process_of = [](int n) { return "E150" + std::to_string(n % 18 + 1); };
  auto remove_process = [](World& w, const HttpResult& r) {
    if (r.status == 201)
      w.c().del("/api/v1/enterprise-processes/" + std::to_string(r.json()["id"].get<long long>()),
                w.token.at("province_admin"));
  };
  a["process.catalogue"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/processes", as(w, r));
  };
  a["process.list"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/enterprise-processes", as(w, r));
  };
  a["process.assign"] = [=](World& w, const std::string& r, int n) {
    auto res =
        w.c().post_json("/api/v1/enterprise-processes",
                        {{"company_code", kCompany}, {"process_code", process_of(n)}}, as(w, r));
    remove_process(w, res);
    return res;
  };
  a["process.unassign"] = [=](World& w, const std::string& r, int n) {
    auto made = w.c().post_json("/api/v1/enterprise-processes",
                                {{"company_code", kCompany}, {"process_code", process_of(n)}},
                                w.token.at("province_admin"));
    if (made.status != 201) throw std::runtime_error("role matrix: process: " + made.body);
    auto id = std::to_string(made.json()["id"].get<long long>());
    auto res = w.c().del("/api/v1/enterprise-processes/" + id, as(w, r));
    if (res.status / 100 != 2)
      w.c().del("/api/v1/enterprise-processes/" + id, w.token.at("province_admin"));
    return res;
  };
  a["coverage.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/coverage/enterprises/" + kCompany, as(w, r));
  };
  a["coverage.summary"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/coverage?group_by=county", as(w, r));
  };
  // City federation (docs/federation.md): the forwarder's state, parked uploads and their retry
  // are the instance's operations data (a province instance answers too: nothing parked).
  a["federation.status"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/federation/status", as(w, r));
  };
  a["federation.parked"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/federation/parked", as(w, r));
  };
  a["federation.retry"] = [=](World& w, const std::string& r, int) {
    return w.c().post_json("/api/v1/federation/parked/retry", json::object(), as(w, r));
  };
  // The notice's connection duties (issue 12): 太原's duties and an unmatched roster row of 太原
  // per try, resolved by picking the matrix's enterprise.
  a["connection.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/deployment/connection", as(w, r));
  };
  a["node.list"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/nodes", as(w, r));
  };
  a["city_duty.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/deployment/city-duties", as(w, r));
  };
  a["city_duty.update"] = [=](World& w, const std::string& r, int) {
    return w.c().patch_json(
        std::string("/api/v1/deployment/city-duties/") + kCity + "/supervise_deployment",
        {{"status", "in_progress"}}, as(w, r));
  };
  a["roster.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/deployment/roster-rows", as(w, r));
  };
  a["roster.resolve"] = [=](World& w, const std::string& r, int n) {
    auto seq = std::to_string(9800 + n);
    shared_db().exec(
        "INSERT INTO roster_row(attachment, seq, region_name, name, match_kind) "
        "VALUES (4, " +
        seq + ", '太原市', '角色矩阵未匹配" + seq + "', 'unmatched') ON CONFLICT DO NOTHING");
    auto res = w.c().post_json("/api/v1/deployment/roster-rows/4/" + seq + "/resolve",
                               {{"action", "pick"}, {"company_code", kCompany}}, as(w, r));
    // The task it created would show in 太原's deployment progress, which the scope matrix
    // counts exactly.
    shared_db().exec("DELETE FROM deployment_task WHERE company_code = '" + kCompany +
                     "' AND source_ref LIKE '附件4 #%'");
    return res;
  };
  // GB/T 28181 devices (docs/gb28181.md): a distinct NVR id per role and try.
  auto gb_id = [](const std::string& r, int n) {
    auto i = std::find(kRoles.begin(), kRoles.end(), r) - kRoles.begin();
    return "14010970001180" + std::to_string(100000 + i * 1000 + n);
  };
  auto gb_device = [=](World& w, const std::string& id) {
    auto res = w.c().post_json(
        "/api/v1/gb28181/devices",
        {{"device_id", id}, {"company_code", kCompany}, {"name", "矩阵NVR"}, {"kind", "nvr"}},
        w.token.at("province_admin"));
    if (res.status != 201) throw std::runtime_error("role matrix: gb28181 device: " + res.body);
    return "/api/v1/gb28181/devices/" + std::to_string(res.json()["id"].get<long long>());
  };
  a["gb28181.read"] = [=](World& w, const std::string& r, int) {
    return w.c().get("/api/v1/gb28181/devices", as(w, r));
  };
  a["gb28181.create"] = [=](World& w, const std::string& r, int n) {
    return w.c().post_json("/api/v1/gb28181/devices",
                           {{"device_id", gb_id(r, n)},
                            {"company_code", kCompany},
                            {"name", "矩阵NVR"},
                            {"kind", "nvr"},
                            {"password", "Matrix-pass-1"}},
                           as(w, r));
  };
  a["gb28181.update"] = [=](World& w, const std::string& r, int n) {
    return w.c().patch_json(gb_device(w, gb_id(r, 300 + n)), {{"password", "Matrix-pass-2"}},
                            as(w, r));
  };
  a["gb28181.delete"] = [=](World& w, const std::string& r, int n) {
    return w.c().del(gb_device(w, gb_id(r, 600 + n)), as(w, r));
  };
  return a;
}

}  // namespace

TEST(RoleMatrix, TheDocumentedMatrixIsWhatTheServerDoes) {
  auto doc = read_doc();
  ASSERT_EQ(doc.roles, kRoles) << "docs/security.md: the role columns";
  auto acts = actions();
  ASSERT_FALSE(doc.cell.empty()) << "docs/security.md has no role matrix";
  for (const auto& [name, _] : doc.cell)
    EXPECT_TRUE(acts.count(name)) << "the doc names an action the test cannot try: " << name;
  auto& w = world();
  std::string actual = "| action | " + [] {
    std::string s;
    for (const auto& r : kRoles) s += r + " | ";
    return s;
  }() + "\n";
  int n = 1;
  for (const auto& [name, attempt] : acts) {
    actual += "| " + name + " | ";
    for (const auto& role : kRoles) {
      auto r = attempt(w, role, n++);
      bool allowed = r.status / 100 == 2;
      // Refused: 403, or for a supervision field the 422 that names it (the enterprise may PATCH
      // its row, only not that field).
      bool refused = r.status == 403 || (r.status == 422 && r.json().value("detail", "") ==
                                                                "the change is not allowed");
      actual += std::string(allowed ? "✓" : refused ? "✗" : std::to_string(r.status)) + " | ";
      if (!allowed && !refused) {
        ADD_FAILURE() << name << " as " << role << ": neither allowed nor forbidden: " << r.status
                      << " " << r.body;
        continue;
      }
      auto it = doc.cell.find(name);
      if (it == doc.cell.end()) continue;  // reported below
      EXPECT_EQ(allowed, it->second.at(role))
          << name << " as " << role << ": the doc says " << (it->second.at(role) ? "✓" : "✗")
          << ", the server answered " << r.status << " " << r.body.substr(0, 300);
    }
    actual += "\n";
    EXPECT_TRUE(doc.cell.count(name)) << "action missing from docs/security.md: " << name;
  }
  std::cout << "actual matrix:\n" << actual;
}
