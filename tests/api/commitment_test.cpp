// The daily safety commitment (安全承诺) over HTTPS: an enterprise user files and refiles the
// day's commitment, its gateway uploads one like a base table, officers list them and see the
// county summary with who has not committed, all under the scope rules. The deadline check and
// its warning across midnight are in tests/integration/commitment_pgtest.cpp.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/app/platform.hpp>
#include <hazmon/ingest/upload.hpp>
#include <hazmon/service/commitment_service.hpp>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;

namespace {

// 吕梁 (141100): county 141181 (孝义市), which no other API test uses.
constexpr const char* kCounty = "141181";
const std::string kA = "14118100001";      // files from the dashboard and by upload
const std::string kB = "14118100002";      // never commits
const std::string kOther = "14040000077";  // 长治: another city

json commitment(const std::string& committer) {
  return {{"units",
           {{"total", 5},
            {"running", 3},
            {"stopped", 1},
            {"startup", 0},
            {"trial", 0},
            {"overhaul", 1}}},
          {"special_work", {{"hot_1", 2}, {"confined_space", 1}, {"height_2", 3}}},
          {"flags", {{"contractor", true}, {"major_hidden_danger", false}}},
          {"key_process_count", 2},
          {"risk_grade", "yellow"},
          {"committer", committer},
          {"duty_leader", "值班长王"},
          {"duty_phone", "13912345678"},
          {"content", "今日承诺：装置运行正常，动火作业已落实监护"}};
}

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, user_a, county, city_other, gateway_a;
  json envelope;  // gateway_a's SM4 key
  HttpsClient c() const { return srv->client(); }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("cm_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("commitment set-up: " + r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/regions",
        {{"code", kCounty}, {"name", "孝义市"}, {"level", "county"}, {"parent_code", "141100"}},
        w->admin));
    for (const auto& [code, region] :
         {std::pair{kA, std::string(kCounty)}, std::pair{kB, std::string(kCounty)},
          std::pair{kOther, std::string("140400")}}) {
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "承诺接口" + code + "化工有限公司"},
                      {"region_code", region},
                      {"principal", "总经理" + code.substr(6)}},
                     w->admin));
      ok(c.post_json(
          "/api/v1/hazard-sources",
          {{"hazard_code", code + "001"}, {"company_code", code}, {"name", "罐区"}, {"rank", 2}},
          w->admin));
    }
    ok(c.post_json("/api/v1/responsible-persons",
                   {{"company_code", kA},
                    {"hazard_code", kA + "001"},
                    {"role", "operations"},
                    {"name", "操作负责人刘"},
                    {"mobile", "13800000002"}},
                   w->admin));
    w->user_a = w->srv->make_user("cm_user_a", "enterprise_user", kA);
    w->county = w->srv->make_user("cm_county", "county_officer", kCounty);
    w->city_other = w->srv->make_user("cm_city_other", "city_officer", "140400");
    auto cred = ok(c.post_json("/api/v1/credentials",
                               {{"kind", "gateway"},
                                {"scope", {{"kind", "enterprise"}, {"code", kA}}},
                                {"envelope_cipher", "sm4-cbc"}},
                               w->admin));
    w->envelope = cred["envelope"];
    w->gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    return w;
  }();
  return *w;
}

}  // namespace

TEST(CommitmentApi, AnEnterpriseUserFilesAndRefilesTheDay) {
  auto& w = world();
  auto r = w.c().post_json("/api/v1/commitments", commitment("操作负责人刘"), w.user_a);
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["company_code"], kA);
  EXPECT_EQ(j["day"], w.srv->platform().commitments().today());
  EXPECT_EQ(j["committer_role"], "operations");
  EXPECT_EQ(j["special_work"]["hot_1"], 2);
  EXPECT_EQ(j["special_work"]["hot_special"], 0);
  EXPECT_EQ(j["flags"]["contractor"], true);
  EXPECT_EQ(j["flags"]["baobao_in_place"], true);
  EXPECT_EQ(j["source"], "dashboard");
  EXPECT_EQ(j["replaced"], false);
  // The principal may sign too; the second filing replaces the first.
  auto second = commitment("总经理00001");
  second["risk_grade"] = "orange";
  r = w.c().post_json("/api/v1/commitments", second, w.user_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["replaced"], true);
  EXPECT_EQ(r.json()["committer_role"], "enterprise_principal");
  auto id = r.json()["id"].get<long long>();
  EXPECT_EQ(id, j["id"].get<long long>());
  auto h = w.c().get("/api/v1/commitments/" + std::to_string(id) + "/history", w.county);
  ASSERT_EQ(h.status, 200) << h.body;
  ASSERT_GE(h.json()["items"].size(), 1u);
  EXPECT_EQ(h.json()["items"][0]["risk_grade"], "yellow");
  EXPECT_EQ(
      w.c().get("/api/v1/commitments/" + std::to_string(id) + "/history", w.city_other).status,
      404);
  // An ineligible committer is named by pointer.
  r = w.c().post_json("/api/v1/commitments", commitment("路人甲"), w.user_a);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["code"], "validation_failed");
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/committer");
}

TEST(CommitmentApi, TheGatewayUploadsItsOwnEnterprisesOnly) {
  auto& w = world();
  auto row = commitment("操作负责人刘");
  auto bad = commitment("操作负责人刘");
  bad["units"]["running"] = 4;  // 4+1+0+0+1 ≠ 5
  auto foreign = commitment("操作负责人刘");
  foreign["company_code"] = kB;
  auto r = w.c().post_json(
      "/api/v1/upload/commitments",
      {{"companyCode", kA}, {"dataId", "cm-1"}, {"datas", {row, bad, foreign}}}, w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["accepted"], 1);
  ASSERT_EQ(j["rejected"].size(), 2u);
  EXPECT_EQ(j["rejected"][0]["index"], 1);
  EXPECT_NE(j["rejected"][0]["reason"].get<std::string>().find("/units/total"), std::string::npos)
      << j.dump();
  EXPECT_EQ(j["rejected"][1]["index"], 2);
  // Another enterprise's companyCode: the whole upload is refused.
  r = w.c().post_json("/api/v1/upload/commitments", {{"companyCode", kB}, {"datas", {row}}},
                      w.gateway_a);
  EXPECT_EQ(r.status, 403) << r.body;
  // The encrypted envelope, as for readings and the other base tables.
  auto inner = json{{"companyCode", kA}, {"datas", {row}}};
  auto data = ingest::encrypt_envelope_data(inner.dump(), w.envelope["cipher"],
                                            w.envelope["key_hex"], w.envelope["iv_hex"]);
  r = w.c().post_json(
      "/api/v1/upload/commitments",
      {{"appId", w.gateway_a.substr(0, w.gateway_a.find('.'))}, {"dataId", "cm-2"}, {"data", data}},
      w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["replaced"], 1) << r.body;
  // People file through /api/v1/commitments, not the upload.
  EXPECT_EQ(w.c().post_json("/api/v1/upload/commitments", json::array({row}), w.user_a).status,
            403);
  auto list = w.c().get("/api/v1/commitments?company_code=" + kA, w.county);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json()["total"], 1);
  EXPECT_EQ(list.json()["items"][0]["source"], "upload");
}

TEST(CommitmentApi, TheCountySeesWhoHasNotCommitted) {
  auto& w = world();
  ASSERT_EQ(
      w.c().post_json("/api/v1/commitments", commitment("操作负责人刘"), w.user_a).status / 100, 2);
  auto r = w.c().get("/api/v1/commitments/summary", w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  ASSERT_EQ(j["regions"].size(), 1u) << j.dump();
  EXPECT_EQ(j["regions"][0]["region_code"], kCounty);
  EXPECT_EQ(j["regions"][0]["region_name"], "孝义市");
  EXPECT_EQ(j["regions"][0]["expected"], 2);
  EXPECT_EQ(j["regions"][0]["committed"], 1);
  EXPECT_EQ(j["regions"][0]["missing"], 1);
  EXPECT_EQ(j["regions"][0]["by_risk_grade"]["yellow"], 1);
  ASSERT_EQ(j["missing"].size(), 1u);
  EXPECT_EQ(j["missing"][0]["company_code"], kB);
  EXPECT_TRUE(j["missing"][0]["warning_event_id"].is_null());
  // Another city sees none of it, and neither of the county's enterprises.
  r = w.c().get("/api/v1/commitments/summary?group_by=city", w.city_other);
  ASSERT_EQ(r.status, 200) << r.body;
  auto other = r.json();
  for (const auto& m : other["missing"]) EXPECT_NE(m["company_code"], kB);
  for (const auto& g : other["regions"]) EXPECT_EQ(g["region_code"], "140400");
  EXPECT_EQ(w.c().get("/api/v1/commitments?company_code=" + kA, w.city_other).status, 404);
  // Machines read no commitments.
  EXPECT_EQ(w.c().get("/api/v1/commitments/summary", w.gateway_a).status, 403);
}
