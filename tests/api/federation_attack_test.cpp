// City federation, the province side (docs/federation.md "Province side", docs/security.md attacks
// 13.5–13.9): a city platform credential (晋应急发〔2021〕247号 二(一): 晋中, 运城, 长治 forward
// from their own platforms) treated as hostile, stolen or buggy. It forwards readings and base
// tables only for the enterprises whose stored region lies in its own, says only its own region in
// `forwardedBy`, writes base tables under the gateways' rules (regulator fields kept), and reads
// nothing outside its region; a gateway cannot pass its data off as forwarded. Each upload records
// where it came from (upload_batch.forwarded_by, app_id: migration 0031), and the province reads
// its city platforms with GET /api/v1/city-platforms.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

// 长治 (140400): 沁县 (140430) and 沁源县 (140431); 晋中 (140700): 介休市 (140781). No other API
// test uses these counties.
const std::string kA = "14043100001";  // in 沁源县: its gateway, and 长治's platform forward
const std::string kMoved = "14043100002";  // code of 沁源县, stored in 沁县 (moved in the city)
const std::string kMovedIn = "14043000001";  // code of 沁县, stored in 沁源县
const std::string kB = "14078100001";        // 晋中: outside 长治
const std::string kPointA = "FDLIT1", kPointB = "FDLIT2", kPointMovedIn = "FDLIT3";
const std::string kGatewayA = "FDGWA000001", kGatewayB = "FDGWB000001";

long long count(const std::string& sql, const storage::Params& p = {}) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql, p)["n"].get<long long>(); });
}

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, province_officer, city, city_jz, county, ent;
  // 长治's platform, 晋中's, one of the county 沁源县, and A's gateway; their appIds.
  std::string platform, platform_jz, platform_county, gateway;
  std::string platform_app, platform_jz_app, gateway_app;
  HttpsClient c() const { return srv->client(); }
  std::string now(seconds ago = seconds(0)) const {
    return core::format_rfc3339(srv->clock().now() - ago);
  }
  // A credential: {token, appId}.
  std::pair<std::string, std::string> credential(const json& body) const {
    auto r = c().post_json("/api/v1/credentials", body, admin);
    if (r.status != 201) throw std::runtime_error("federation set-up: " + r.body);
    auto j = r.json();
    return {j["app_id"].get<std::string>() + "." + j["secret"].get<std::string>(),
            j["app_id"].get<std::string>()};
  }
  std::pair<std::string, std::string> city_platform(const std::string& region) const {
    return credential(
        {{"kind", "city_platform"}, {"scope", {{"kind", "region"}, {"code", region}}}});
  }
  HttpResult upload(const std::string& token, const std::string& company, const std::string& id,
                    const json& datas, const json& extra = json::object()) const {
    json body = {{"companyCode", company},
                 {"dataId", id},
                 {"reportType", "realtime"},
                 {"sendTime", now()},
                 {"datas", datas}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    return c().post_json("/api/v1/upload/realtime", body, token);
  }
  json reading(const std::string& quota, seconds ago = seconds(0), double v = 3.0) const {
    return json::array({{{"quotaCode", quota}, {"collectTime", now(ago)}, {"value", v}}});
  }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("fd_admin", "province_admin");
    w->province_officer = w->srv->make_user("fd_officer", "province_officer");
    w->city = w->srv->make_user("fd_city", "city_officer", "140400");
    w->city_jz = w->srv->make_user("fd_city_jz", "city_officer", "140700");
    auto c = w->srv->client();
    auto ok = [&](const std::string& coll, const json& body) {
      auto r = c.post_json("/api/v1/" + coll, body, w->admin);
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("federation set-up: " + coll + " " + r.body);
      return r.json();
    };
    for (auto [code, name, parent] :
         {std::tuple{"140430", "沁县", "140400"}, std::tuple{"140431", "沁源县", "140400"},
          std::tuple{"140781", "介休市", "140700"}})
      ok("regions", {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", parent}});
    w->county = w->srv->make_user("fd_county", "county_officer", "140431");
    for (auto [code, region] : {std::pair{kA, "140431"}, std::pair{kMoved, "140430"},
                                std::pair{kMovedIn, "140431"}, std::pair{kB, "140781"}}) {
      ok("enterprises", {{"company_code", code},
                         {"name", "转发" + code + "化工有限公司"},
                         {"region_code", region}});
      ok("hazard-sources",
         {{"hazard_code", code + "001"}, {"company_code", code}, {"name", "罐区"}, {"rank", 3}});
    }
    for (auto [quota, company] :
         {std::pair{kPointA, kA}, std::pair{kPointB, kB}, std::pair{kPointMovedIn, kMovedIn}})
      ok("monitoring-points", {{"quota_code", quota},
                               {"company_code", company},
                               {"hazard_code", company + "001"},
                               {"name", "液位"},
                               {"indicator_type", "level"},
                               {"value_kind", "analog"},
                               {"range_low", 0},
                               {"range_high", 20}});
    for (auto [gw, company] : {std::pair{kGatewayA, kA}, std::pair{kGatewayB, kB}})
      ok("gateways", {{"gateway_code", gw}, {"company_code", company}, {"name", "网关"}});
    w->ent = w->srv->make_user("fd_ent", "enterprise_user", kA);
    std::tie(w->platform, w->platform_app) = w->city_platform("140400");
    std::tie(w->platform_jz, w->platform_jz_app) = w->city_platform("140700");
    w->platform_county = w->city_platform("140431").first;
    std::tie(w->gateway, w->gateway_app) =
        w->credential({{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}});
    return w;
  }();
  return *w;
}

// A forwarded upload is kept as "<region>:<dataId>" (attack 13.9); both forms are counted.
long long batches(const std::string& company, const std::string& id) {
  return count(
      "SELECT count(*) AS n FROM upload_batch WHERE company_code = $1 AND "
      "(data_id = $2 OR data_id LIKE '%:' || $2)",
      {company, id});
}

std::string forwarded_by(const std::string& company, const std::string& id) {
  return shared_db().db().in_tx([&](storage::Tx& tx) {
    auto r = tx.exec_one(
        "SELECT coalesce(forwarded_by, '-') AS f, coalesce(app_id, '-') AS a FROM upload_batch "
        "WHERE company_code = $1 AND data_id = coalesce(forwarded_by || ':', '') || $2",
        {company, id});
    return r["f"].get<std::string>() + "/" + r["a"].get<std::string>();
  });
}

bool is_problem(const HttpResult& r, int status, const std::string& code) {
  if (r.status != status) return false;
  return r.json().value("code", "") == code;
}

}  // namespace

// 13.5: a city platform forwards only for the enterprises whose stored region lies in its own; a
// refused upload stores nothing, and it reads nothing outside its region.
TEST(FederationAttack, ACityPlatformForwardsOnlyForItsRegion) {
  auto& w = world();
  auto in = w.upload(w.platform, kA, "fd-in-1", w.reading(kPointA));
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_EQ(in.json()["accepted"], 1);
  EXPECT_EQ(forwarded_by(kA, "fd-in-1"), "140400/" + w.platform_app);

  // Another city's enterprise, and 晋中's platform for 长治's: refused whole, nothing stored.
  EXPECT_TRUE(
      is_problem(w.upload(w.platform, kB, "fd-out-1", w.reading(kPointB)), 403, "forbidden"));
  EXPECT_TRUE(
      is_problem(w.upload(w.platform_jz, kA, "fd-out-2", w.reading(kPointA)), 403, "forbidden"));
  EXPECT_EQ(batches(kB, "fd-out-1") + batches(kA, "fd-out-2"), 0);

  // By the stored region, not the code's digits: 沁源县's platform may forward for the enterprise
  // stored in 沁源县 under 沁县's code, not for the one moved out to 沁县 under 沁源县's code.
  auto moved_in = w.upload(w.platform_county, kMovedIn, "fd-moved-in", w.reading(kPointMovedIn));
  EXPECT_EQ(moved_in.status, 200) << moved_in.body;
  EXPECT_EQ(moved_in.json().value("accepted", -1), 1);
  EXPECT_TRUE(is_problem(w.upload(w.platform_county, kMoved, "fd-moved-out", json::array()), 403,
                         "forbidden"));
  EXPECT_EQ(batches(kMoved, "fd-moved-out"), 0);

  // Another enterprise's gatewayCode in an upload (a city's or A's gateway's) does not move that
  // gateway's last contact, which would show B connected; A's own gateway's does.
  auto last_seen = [](const std::string& gw) {
    return count(
        "SELECT count(*) AS n FROM gateway WHERE gateway_code = $1 AND last_seen_at IS "
        "NOT NULL",
        {gw});
  };
  for (const auto* token : {&w.platform, &w.gateway})
    ASSERT_EQ(w.upload(*token, kA, "fd-gw-" + std::to_string(token == &w.gateway), json::array(),
                       {{"gatewayCode", kGatewayB}})
                  .status,
              200);
  EXPECT_EQ(last_seen(kGatewayB), 0) << "B's gateway was never in contact";
  ASSERT_EQ(
      w.upload(w.platform, kA, "fd-gw-own", json::array(), {{"gatewayCode", kGatewayA}}).status,
      200);
  EXPECT_EQ(last_seen(kGatewayA), 1);

  // Reading outside its region is answered as absent.
  EXPECT_EQ(w.c().get("/api/v1/enterprises/" + kB, w.platform).status, 404);
  EXPECT_EQ(w.c().get("/api/v1/enterprises/" + kA, w.platform).status, 200);
  auto latest = w.c().get("/api/v1/readings/latest?company_code=" + kB, w.platform);
  EXPECT_TRUE(latest.status == 404 || (latest.status == 200 && latest.json()["items"].empty()))
      << latest.body;
}

// 13.6: forwardedBy is the credential's own region or absent (then the credential's); a gateway
// may not say it was forwarded (its data would read as the city's).
TEST(FederationAttack, ForwardedByIsTheCredentialsOwnRegion) {
  auto& w = world();
  EXPECT_TRUE(is_problem(
      w.upload(w.platform, kA, "fd-fb-1", w.reading(kPointA), {{"forwardedBy", "140700"}}), 403,
      "forbidden"));
  EXPECT_EQ(batches(kA, "fd-fb-1"), 0);
  auto own = w.upload(w.platform, kA, "fd-fb-2", w.reading(kPointA), {{"forwardedBy", "140400"}});
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(forwarded_by(kA, "fd-fb-2"), "140400/" + w.platform_app);
  auto absent = w.upload(w.platform, kA, "fd-fb-3", w.reading(kPointA));
  ASSERT_EQ(absent.status, 200) << absent.body;
  EXPECT_EQ(forwarded_by(kA, "fd-fb-3"), "140400/" + w.platform_app);

  // The gateway: forwardedBy refused whole; its own upload is direct, with its appId.
  EXPECT_TRUE(is_problem(
      w.upload(w.gateway, kA, "fd-fb-4", w.reading(kPointA), {{"forwardedBy", "140400"}}), 403,
      "forbidden"));
  EXPECT_EQ(batches(kA, "fd-fb-4"), 0);
  auto direct = w.upload(w.gateway, kA, "fd-fb-5", w.reading(kPointA));
  ASSERT_EQ(direct.status, 200) << direct.body;
  EXPECT_EQ(forwarded_by(kA, "fd-fb-5"), "-/" + w.gateway_app);

  // The same for base tables.
  json rows = {{"companyCode", kA}, {"forwardedBy", "140400"}, {"datas", json::array()}};
  EXPECT_TRUE(
      is_problem(w.c().post_json("/api/v1/upload/points", rows, w.gateway), 403, "forbidden"));
  rows["forwardedBy"] = "140700";
  EXPECT_TRUE(
      is_problem(w.c().post_json("/api/v1/upload/points", rows, w.platform), 403, "forbidden"));
  rows["forwardedBy"] = "长治";
  EXPECT_TRUE(is_problem(w.c().post_json("/api/v1/upload/points", rows, w.platform), 422,
                         "validation_failed"));
}

// 13.7: base tables forwarded by a city are written as the named enterprise's gateway would write
// them: inside the region only, supervision fields kept, another enterprise's rows rejected, and
// audited with the enterprise and the forwarding region.
TEST(FederationAttack, ACityForwardsBaseTablesUnderTheGatewaysRules) {
  auto& w = world();
  auto point = [](const std::string& quota, const std::string& company) {
    return json{{"quota_code", quota},
                {"company_code", company},
                {"hazard_code", company + "001"},
                {"name", "温度"},
                {"indicator_type", "temperature"},
                {"value_kind", "analog"},
                {"range_low", 0},
                {"range_high", 100}};
  };
  // Without the enterprise, or for one outside the region: refused whole.
  EXPECT_TRUE(is_problem(
      w.c().post_json("/api/v1/upload/points", json::array({point(kA + "FDT1", kA)}), w.platform),
      422, "validation_failed"));
  EXPECT_TRUE(is_problem(
      w.c().post_json("/api/v1/upload/points",
                      {{"companyCode", kB}, {"datas", json::array({point(kB + "FDT1", kB)})}},
                      w.platform),
      403, "forbidden"));
  EXPECT_TRUE(
      is_problem(w.c().post_json("/api/v1/upload/commitments",
                                 {{"companyCode", kB}, {"datas", json::array()}}, w.platform),
                 403, "forbidden"));
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code = $1", {kB + "FDT1"}), 0);

  // Inside: the new point is A's; a row naming B in A's upload is rejected by index.
  auto r =
      w.c().post_json("/api/v1/upload/points",
                      {{"companyCode", kA},
                       {"datas", json::array({point(kA + "FDT1", kA), point(kB + "FDT2", kB)})}},
                      w.platform);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["created"], 1);
  ASSERT_EQ(r.json()["rejected"].size(), 1u) << r.body;
  EXPECT_EQ(r.json()["rejected"][0]["index"], 1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code = $1 AND "
                  "company_code = $2",
                  {kA + "FDT1", kA}),
            1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM audit_log WHERE action = 'upload.table' AND "
                  "actor_name = $1 AND detail::jsonb ->> 'company_code' = $2 AND "
                  "detail::jsonb ->> 'forwarded_by' = '140400'",
                  {w.platform_app, kA}),
            1);

  // What the regulator set stays: the enterprise's region and status, a point's hazard source.
  auto ent = w.c().post_json("/api/v1/upload/enterprise",
                             {{"companyCode", kA},
                              {"datas", json::array({{{"company_code", kA},
                                                      {"name", "转发" + kA + "化工有限公司"},
                                                      {"region_code", "140430"},
                                                      {"status", "closed"}}})}},
                             w.platform);
  ASSERT_EQ(ent.status, 200) << ent.body;
  ASSERT_EQ(ent.json()["kept"].size(), 1u) << ent.body;
  auto kept = ent.json()["kept"][0]["fields"].dump();
  EXPECT_NE(kept.find("region_code"), std::string::npos) << kept;
  EXPECT_NE(kept.find("status"), std::string::npos) << kept;
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise WHERE company_code = $1 AND region_code = "
                  "'140431' AND status <> 'closed'",
                  {kA}),
            1);
  auto moved = point(kPointA, kA);
  moved["hazard_code"] = nullptr;
  auto p = w.c().post_json("/api/v1/upload/points",
                           {{"companyCode", kA}, {"datas", json::array({moved})}}, w.platform);
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM monitoring_point WHERE quota_code = $1 AND "
                  "hazard_code = $2",
                  {kPointA, kA + "001"}),
            1);

  // People and the enterprise's own user cannot pose as a machine.
  EXPECT_TRUE(is_problem(w.c().post_json("/api/v1/upload/points",
                                         {{"companyCode", kA}, {"datas", json::array()}}, w.ent),
                         403, "forbidden"));
}

// 13.9: a city platform cannot take a dataId its enterprise's gateway sends directly (the
// gateway's readings would be answered as a resend and dropped), nor the other way round: a
// forwarded upload is deduplicated among its city's own; the city's resend is still a resend.
TEST(FederationAttack, ACityCannotMaskAGatewaysUploadByItsDataId) {
  auto& w = world();
  auto city = w.upload(w.platform, kA, "fd-mask-1", json::array());
  ASSERT_EQ(city.status, 200) << city.body;
  EXPECT_EQ(city.json()["dataId"], "fd-mask-1");
  auto gateway = w.upload(w.gateway, kA, "fd-mask-1", w.reading(kPointA, seconds(0), 7.5));
  ASSERT_EQ(gateway.status, 200) << gateway.body;
  EXPECT_EQ(gateway.json()["accepted"], 1) << "the gateway's reading is not a resend";
  EXPECT_EQ(batches(kA, "fd-mask-1"), 2);
  EXPECT_EQ(forwarded_by(kA, "fd-mask-1"), "140400/" + w.platform_app);
  auto resend = w.upload(w.platform, kA, "fd-mask-1", w.reading(kPointA));
  ASSERT_EQ(resend.status, 200) << resend.body;
  EXPECT_EQ(resend.json(), city.json()) << "the city's resend gets its first reply";
  // The gateway first: the city's upload under the same dataId is its own.
  ASSERT_EQ(w.upload(w.gateway, kA, "fd-mask-2", json::array()).status, 200);
  auto forwarded = w.upload(w.platform, kA, "fd-mask-2", w.reading(kPointA));
  ASSERT_EQ(forwarded.status, 200) << forwarded.body;
  EXPECT_EQ(forwarded.json()["accepted"], 1);
  EXPECT_EQ(batches(kA, "fd-mask-2"), 2);
}

// 13.32: row uploads (here commitments, whose every filing is a new revision) are idempotent by
// dataId, as readings are: the city's resend after a lost answer (or its spool's replay) gets the
// first reply and files nothing again; the same dataId with other rows is 409 data_id_reused and
// files nothing; a forwarded dataId is its city's own (`<region>:<dataId>`), so neither the
// enterprise's gateway, another city nor another enterprise collides with it.
TEST(FederationAttack, RowUploadsAreFiledOncePerDataId) {
  auto& w = world();
  auto principal = w.c().patch_json("/api/v1/enterprises/" + kA, {{"principal", "总经理刘"}},
                                    w.admin);  // may commit
  ASSERT_EQ(principal.status, 200) << principal.body;
  auto commitment = [](const std::string& content) {
    return json{{"units",
                 {{"total", 2},
                  {"running", 2},
                  {"stopped", 0},
                  {"startup", 0},
                  {"trial", 0},
                  {"overhaul", 0}}},
                {"special_work", {{"hot_1", 0}, {"confined_space", 0}}},
                {"flags", {{"contractor", false}, {"major_hidden_danger", false}}},
                {"key_process_count", 0},
                {"risk_grade", "blue"},
                {"committer", "总经理刘"},
                {"duty_leader", "值班长王"},
                {"duty_phone", "13912345678"},
                {"content", content}};
  };
  auto upload = [&](const std::string& token, const std::string& company, const std::string& id,
                    const std::string& content) {
    return w.c().post_json(
        "/api/v1/upload/commitments",
        {{"companyCode", company}, {"dataId", id}, {"datas", json::array({commitment(content)})}},
        token);
  };
  auto filings = [&] {  // every filing of A's: the current rows and the replaced revisions
    return count("SELECT count(*) AS n FROM safety_commitment WHERE company_code = $1", {kA}) +
           count("SELECT count(*) AS n FROM safety_commitment_history WHERE company_code = $1",
                 {kA});
  };
  auto audited = [&] {
    return count("SELECT count(*) AS n FROM audit_log WHERE action = 'upload.commitments'");
  };
  auto records = [&](const std::string& id) {
    return count(
        "SELECT count(*) AS n FROM row_upload WHERE path = '/api/v1/upload/commitments' AND "
        "data_id = $1",
        {id});
  };

  const auto before = filings(), audits = audited();
  auto first = upload(w.platform, kA, "fd-row-1", "城市转发一次");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.json()["accepted"], 1) << first.body;
  EXPECT_EQ(filings(), before + 1);
  EXPECT_EQ(records("140400:fd-row-1"), 1) << "kept among the city's own dataIds";

  // The city's resend: the first answer, nothing filed, nothing audited.
  auto resend = upload(w.platform, kA, "fd-row-1", "城市转发一次");
  ASSERT_EQ(resend.status, 200) << resend.body;
  EXPECT_EQ(resend.json(), first.json());
  EXPECT_EQ(filings(), before + 1);
  EXPECT_EQ(audited(), audits + 1);
  // The same dataId with other rows: refused, nothing filed.
  auto changed = upload(w.platform, kA, "fd-row-1", "另一份承诺");
  EXPECT_TRUE(is_problem(changed, 409, "data_id_reused")) << changed.body;
  EXPECT_EQ(filings(), before + 1);
  EXPECT_EQ(count("SELECT count(*) AS n FROM safety_commitment WHERE company_code = $1 AND "
                  "content = '另一份承诺'",
                  {kA}),
            0);

  // The enterprise's own gateway under the same dataId is not the city's resend: filed (a new
  // revision), and its own resend is a resend too.
  auto direct = upload(w.gateway, kA, "fd-row-1", "企业网关直报");
  ASSERT_EQ(direct.status, 200) << direct.body;
  EXPECT_EQ(direct.json()["replaced"], 1) << direct.body;
  EXPECT_EQ(filings(), before + 2);
  EXPECT_EQ(records("fd-row-1"), 1);
  EXPECT_EQ(upload(w.gateway, kA, "fd-row-1", "企业网关直报").json(), direct.json());
  EXPECT_TRUE(is_problem(upload(w.gateway, kA, "fd-row-1", "城市转发一次"), 409, "data_id_reused"));
  EXPECT_EQ(filings(), before + 2);
  // Another city's platform for its own enterprise, same dataId: its own key (B has no committer,
  // so its row is rejected, but the upload is answered, not refused as a reuse).
  auto other_city = upload(w.platform_jz, kB, "fd-row-1", "城市转发一次");
  ASSERT_EQ(other_city.status, 200) << other_city.body;
  EXPECT_EQ(other_city.json()["rejected"].size(), 1u) << other_city.body;
  EXPECT_EQ(records("140700:fd-row-1"), 1);
  // The same dataId on another route is another upload.
  auto sis = w.c().post_json(
      "/api/v1/upload/sis", {{"companyCode", kA}, {"dataId", "fd-row-1"}, {"datas", json::array()}},
      w.platform);
  EXPECT_EQ(sis.status, 200) << sis.body;
  // Without a dataId nothing is deduplicated (a gateway that sends none gets what it had).
  auto plain = w.c().post_json("/api/v1/upload/commitments",
                               json::array({commitment("企业网关直报")}), w.gateway);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(filings(), before + 3);
  // A dataId that cannot be a key: 422, nothing filed.
  auto bad = upload(w.gateway, kA, "fd row 1", "企业网关直报");
  EXPECT_TRUE(is_problem(bad, 422, "validation_failed")) << bad.body;
  EXPECT_EQ(bad.json()["errors"][0]["pointer"], "/dataId") << bad.body;
  EXPECT_EQ(filings(), before + 3);
}

// 13.32: two copies of one row upload sent at the same moment (a city's retry racing its first
// try) are filed once: the second waits for the first's transaction (an advisory lock on the
// key) and gets its answer.
TEST(FederationAttack, TwoCopiesOfARowUploadAtOnceAreFiledOnce) {
  auto& w = world();
  ASSERT_EQ(
      w.c().patch_json("/api/v1/enterprises/" + kA, {{"principal", "总经理刘"}}, w.admin).status,
      200);
  json body{
      {"companyCode", kA},
      {"dataId", "fd-race-1"},
      {"datas", json::array({{{"units",
                               {{"total", 1},
                                {"running", 1},
                                {"stopped", 0},
                                {"startup", 0},
                                {"trial", 0},
                                {"overhaul", 0}}},
                              {"special_work", {{"hot_1", 0}, {"confined_space", 0}}},
                              {"flags", {{"contractor", false}, {"major_hidden_danger", false}}},
                              {"key_process_count", 0},
                              {"risk_grade", "blue"},
                              {"committer", "总经理刘"},
                              {"duty_leader", "值班长王"},
                              {"duty_phone", "13912345678"},
                              {"content", "并发重发"}}})}};
  auto filed = [&] {
    return count("SELECT count(*) AS n FROM safety_commitment_history WHERE company_code = $1",
                 {kA}) +
           count("SELECT count(*) AS n FROM safety_commitment WHERE company_code = $1", {kA});
  };
  const auto before = filed();
  constexpr int kCopies = 4;
  std::vector<HttpResult> answers(kCopies);
  std::vector<std::thread> senders;
  for (int i = 0; i < kCopies; ++i)
    senders.emplace_back(
        [&, i] { answers[i] = w.c().post_json("/api/v1/upload/commitments", body, w.platform); });
  for (auto& t : senders) t.join();
  for (const auto& a : answers) {
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.json(), answers[0].json());
  }
  EXPECT_EQ(filed(), before + 1) << "one filing for " << kCopies << " copies";
  EXPECT_EQ(count("SELECT count(*) AS n FROM row_upload WHERE data_id = '140400:fd-race-1'"), 1);
}

// 13.8: the province's view of its city platforms, from what was received: who sees it, the
// figures (uploads, rows, enterprises, lag, silence), and the bounded silence window.
TEST(CityPlatforms, WhatEachPlatformForwardedAndWhoSeesIt) {
  auto& w = world();
  // A platform of its own for exact figures: three uploads of A, readings 30, 60 and 90 s old.
  auto [token, app] = w.city_platform("140400");
  for (int i = 1; i <= 3; ++i) {
    auto r =
        w.upload(token, kA, "fd-view-" + std::to_string(i), w.reading(kPointA, seconds(30 * i), i));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // A heartbeat has no readings: counted as an upload, not in the lag.
  auto hb = w.c().post_json("/api/v1/upload/realtime",
                            {{"companyCode", kA},
                             {"dataId", "fd-view-hb"},
                             {"reportType", "heartbeat"},
                             {"sendTime", w.now()}},
                            token);
  ASSERT_EQ(hb.status, 200) << hb.body;

  auto view = [&](const std::string& who, const std::string& query = "") {
    auto r = w.c().get("/api/v1/city-platforms" + query, who);
    EXPECT_EQ(r.status, 200) << r.body;
    std::map<std::string, json> out;
    auto j = r.json();  // not a temporary's member in the range-for
    for (const auto& i : j["items"]) out[i["app_id"].get<std::string>()] = i;
    return std::pair{j, out};
  };
  auto [all, items] = view(w.admin);
  EXPECT_EQ(all["silent_minutes"], 15);
  ASSERT_TRUE(items.count(app)) << all.dump();
  const auto& mine = items[app];
  EXPECT_EQ(mine["region_code"], "140400");
  EXPECT_EQ(mine["region_name"], "长治市");
  EXPECT_EQ(mine["is_active"], true);
  EXPECT_EQ(mine["silent"], false);
  EXPECT_FALSE(mine["last_upload_at"].is_null());
  EXPECT_EQ(mine["uploads_24h"], 4);
  EXPECT_EQ(mine["rows_24h"], 3);
  EXPECT_EQ(mine["enterprises_24h"], 1);
  ASSERT_EQ(mine["enterprises"].size(), 1u);
  EXPECT_EQ(mine["enterprises"][0]["company_code"], kA);
  EXPECT_EQ(mine["enterprises"][0]["uploads"], 4);
  EXPECT_EQ(mine["lag_1h"]["uploads"], 3);
  EXPECT_NEAR(mine["lag_1h"]["median_s"].get<double>(), 60.0, 1.5);
  EXPECT_NEAR(mine["lag_1h"]["p95_s"].get<double>(), 87.0, 1.5);  // 60 + 0.9 × 30
  // 长治 has the forwarding duty of the notice; the view shows it beside the platform.
  ASSERT_TRUE(mine["city_forwarding_duty"].is_object()) << mine.dump();
  EXPECT_EQ(mine["city_forwarding_duty"]["deadline"], "2021-11-30");

  // A platform that never sent anything is silent; revoked ones are not watched.
  ASSERT_TRUE(items.count(w.platform_jz_app));
  EXPECT_TRUE(items[w.platform_jz_app]["last_upload_at"].is_null());
  EXPECT_EQ(items[w.platform_jz_app]["silent"], true);
  EXPECT_EQ(items[w.platform_jz_app]["uploads_24h"], 0);

  // Silent after the window: its last upload two hours ago (set in the table) is silent at the
  // default 15 minutes and not within a 3-hour window.
  shared_db().db().in_tx([&](storage::Tx& tx) {
    tx.exec(
        "UPDATE upload_batch SET received_ts = received_ts - interval '2 hours' "
        "WHERE app_id = $1",
        {app});
  });
  EXPECT_EQ(view(w.admin).second[app]["silent"], true);
  EXPECT_EQ(view(w.admin, "?silent_minutes=180").second[app]["silent"], false);
  EXPECT_EQ(view(w.admin).second[app]["lag_1h"]["uploads"], 0);

  // Scope: a city officer sees its own city's platforms only (沁源县's is inside 长治).
  auto city = view(w.city).second;
  EXPECT_TRUE(city.count(app) && city.count(w.platform_app));
  EXPECT_FALSE(city.count(w.platform_jz_app));
  for (const auto& [id, i] : city)
    EXPECT_EQ(i["region_code"].get<std::string>().substr(0, 4), "1404");
  auto jz = view(w.city_jz).second;
  EXPECT_TRUE(jz.count(w.platform_jz_app));
  EXPECT_FALSE(jz.count(app));
  EXPECT_TRUE(view(w.province_officer).second.count(w.platform_jz_app));
  // Counties, enterprises and machines do not read it.
  for (const auto& t : {w.county, w.ent, w.gateway, w.platform})
    EXPECT_TRUE(is_problem(w.c().get("/api/v1/city-platforms", t), 403, "forbidden"));
  EXPECT_EQ(w.c().get("/api/v1/city-platforms").status, 401);
  // The window is bounded like the connection status's (connection.max_silent_hours × 60).
  for (const auto* q :
       {"?silent_minutes=0", "?silent_minutes=10081", "?silent_minutes=x", "?silent=1"})
    EXPECT_TRUE(is_problem(w.c().get(std::string("/api/v1/city-platforms") + q, w.admin), 400,
                           "bad_request"))
        << q;
}
