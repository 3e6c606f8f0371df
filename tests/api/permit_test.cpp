// Special work permits (特殊作业票, GB 30871-2022) over HTTPS: an enterprise user files a permit
// and moves it planned -> in_progress -> done (illegal steps are 409, edits need a reason, every
// change is kept), cancels one with a reason; its gateway uploads permits for its own enterprise
// only; another enterprise's permit is 404; officers list, filter and count them per region; hot
// work and confined space in progress show on the overview's markers; the day's permits are
// compared with the day's safety commitment.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include <hazmon/app/platform.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/ingest/upload.hpp>
#include <hazmon/service/permit_service.hpp>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

// 大同 (140200): county 140221 (阳高县), which no other API test uses.
constexpr const char* kCounty = "140221";
const std::string kA = "14022100001";      // files, moves and uploads
const std::string kB = "14022100002";      // a neighbour in the same county
const std::string kOther = "14040000078";  // 长治: another city

std::string at(system_clock::duration from_now) {
  return core::format_rfc3339(system_clock::now() + from_now);
}

json permit(const std::string& no, const std::string& type, json grade) {
  json j = {{"permit_no", no},
            {"work_type", type},
            {"location", "一车间反应釜区"},
            {"begin_at", at(-hours(1))},
            {"end_at", at(hours(4))},
            {"contractor", true},
            {"work_unit", "太原某安装公司"},
            {"responsible", "作业负责人张"},
            {"responsible_mobile", "13912345678"},
            {"content", "更换法兰垫片"}};
  if (!grade.is_null()) j["grade"] = grade;
  return j;
}

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, user_a, user_b, county, city_other, gateway_a;
  json envelope;  // gateway_a's SM4 key
  HttpsClient c() const { return srv->client(); }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("wp_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("permit set-up: " + r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/regions",
        {{"code", kCounty}, {"name", "阳高县"}, {"level", "county"}, {"parent_code", "140200"}},
        w->admin));
    for (const auto& [code, region] :
         {std::pair{kA, std::string(kCounty)}, std::pair{kB, std::string(kCounty)},
          std::pair{kOther, std::string("140400")}}) {
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "作业票接口" + code + "化工有限公司"},
                      {"region_code", region},
                      {"principal", "总经理" + code.substr(6)}},
                     w->admin));
      ok(c.post_json(
          "/api/v1/hazard-sources",
          {{"hazard_code", code + "001"}, {"company_code", code}, {"name", "罐区"}, {"rank", 2}},
          w->admin));
    }
    w->user_a = w->srv->make_user("wp_user_a", "enterprise_user", kA);
    w->user_b = w->srv->make_user("wp_user_b", "enterprise_user", kB);
    w->county = w->srv->make_user("wp_county", "county_officer", kCounty);
    w->city_other = w->srv->make_user("wp_city_other", "city_officer", "140400");
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

std::string path(long long id, const char* tail = "") {
  return "/api/v1/work-permits/" + std::to_string(id) + tail;
}

}  // namespace

TEST(PermitApi, AUserFilesAndMovesAPermitAndEveryChangeIsKept) {
  auto& w = world();
  auto body = permit("DH-2026-001", "hot_work", "1");
  body["hazard_code"] = kA + "001";
  auto r = w.c().post_json("/api/v1/work-permits", body, w.user_a);
  ASSERT_EQ(r.status, 201) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["company_code"], kA);
  EXPECT_EQ(j["state"], "planned");
  EXPECT_EQ(j["grade"], "1");
  EXPECT_EQ(j["commitment_key"], "hot_1");
  EXPECT_EQ(j["work_type_name"], "动火作业");
  EXPECT_EQ(j["source"], "dashboard");
  auto id = j["id"].get<long long>();
  // The same number again is a conflict; a hazard source of another enterprise is refused.
  EXPECT_EQ(w.c().post_json("/api/v1/work-permits", body, w.user_a).status, 409);
  auto foreign = permit("DH-2026-002", "hot_work", "2");
  foreign["hazard_code"] = kB + "001";
  r = w.c().post_json("/api/v1/work-permits", foreign, w.user_a);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/hazard_code");
  // finish before start is illegal; start, then start again is illegal.
  r = w.c().post_json(path(id, "/transitions"), {{"action", "finish"}}, w.user_a);
  EXPECT_EQ(r.status, 409) << r.body;
  r = w.c().post_json(path(id, "/transitions"), {{"action", "start"}}, w.user_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["state"], "in_progress");
  EXPECT_FALSE(r.json()["started_at"].is_null());
  EXPECT_EQ(w.c().post_json(path(id, "/transitions"), {{"action", "start"}}, w.user_a).status, 409);
  // An edit needs its reason; with one, it is kept as a change with the reason.
  r = w.c().patch_json(path(id), {{"location", "二车间"}}, w.user_a);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/reason");
  r = w.c().patch_json(
      path(id), {{"location", "二车间"}, {"grade", "special"}, {"reason", "升级为特级"}}, w.user_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["location"], "二车间");
  EXPECT_EQ(r.json()["commitment_key"], "hot_special");
  EXPECT_EQ(r.json()["revision"], 3);
  // An invalid pair through an edit: 高处 has no grade "special".
  r = w.c().patch_json(path(id), {{"work_type", "height"}, {"reason", "改"}}, w.user_a);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/grade");
  r = w.c().post_json(path(id, "/transitions"), {{"action", "finish"}}, w.user_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["state"], "done");
  // Done is final.
  EXPECT_EQ(
      w.c()
          .post_json(path(id, "/transitions"), {{"action", "cancel"}, {"reason", "x"}}, w.user_a)
          .status,
      409);
  EXPECT_EQ(w.c().patch_json(path(id), {{"content", "x"}, {"reason", "y"}}, w.user_a).status, 409);
  // The county officer reads it with its changes; another city does not see it.
  r = w.c().get(path(id), w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  auto detail = r.json();
  const auto& ch = detail["changes"];
  ASSERT_EQ(ch.size(), 4u) << r.body;
  EXPECT_EQ(ch[0]["action"], "filed");
  EXPECT_EQ(ch[1]["action"], "started");
  EXPECT_EQ(ch[2]["action"], "updated");
  EXPECT_EQ(ch[2]["reason"], "升级为特级");
  EXPECT_EQ(ch[3]["action"], "done");
  EXPECT_EQ(ch[3]["from_state"], "in_progress");
  EXPECT_EQ(w.c().get(path(id), w.city_other).status, 404);
}

// DOMAIN §4 WC_ENT_QYCN: a permit is "changed/cancelled with reasons". Its time window, place and
// responsible person change by PATCH with a reason; each change is kept with the fields as they
// were before it, and audited.
TEST(PermitApi, AChangeOfWindowPlaceOrResponsibleIsKeptWithItsReason) {
  auto& w = world();
  auto r = w.c().post_json("/api/v1/work-permits",
                           permit("BG-2026-001", "temporary_power", nullptr), w.user_a);
  ASSERT_EQ(r.status, 201) << r.body;
  auto filed = r.json();
  auto id = filed["id"].get<long long>();
  // Without a reason, or with a blank one, nothing changes.
  for (const json& reason : {json(nullptr), json("  ")}) {
    json change = {{"location", "二号储罐"}};
    if (!reason.is_null()) change["reason"] = reason;
    r = w.c().patch_json(path(id), change, w.user_a);
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json()["errors"][0]["pointer"], "/reason");
  }
  auto begin = at(hours(1)), end = at(hours(6));
  r = w.c().patch_json(path(id),
                       {{"begin_at", begin},
                        {"end_at", end},
                        {"location", "二号储罐"},
                        {"reason", "设备未清洗完毕，推迟并改到二号储罐"}},
                       w.user_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["begin_at"], begin);
  EXPECT_EQ(r.json()["end_at"], end);
  EXPECT_EQ(r.json()["location"], "二号储罐");
  r = w.c().patch_json(
      path(id),
      {{"responsible", "作业负责人李"}, {"responsible_mobile", "13800001111"}, {"reason", "换人"}},
      w.user_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["responsible"], "作业负责人李");
  EXPECT_EQ(r.json()["revision"], 3);

  r = w.c().get(path(id), w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto detail = r.json();
  const auto& ch = detail["changes"];
  ASSERT_EQ(ch.size(), 3u) << r.body;
  EXPECT_EQ(ch[0]["action"], "filed");
  EXPECT_TRUE(ch[0]["before"].is_null());
  EXPECT_EQ(ch[1]["action"], "updated");
  EXPECT_EQ(ch[1]["reason"], "设备未清洗完毕，推迟并改到二号储罐");
  EXPECT_EQ(ch[1]["actor"], "wp_user_a");
  // The row before the first change: the window and place as filed.
  EXPECT_EQ(ch[1]["before"]["begin_at"], filed["begin_at"]);
  EXPECT_EQ(ch[1]["before"]["end_at"], filed["end_at"]);
  EXPECT_EQ(ch[1]["before"]["location"], "一车间反应釜区");
  EXPECT_EQ(ch[1]["before"]["responsible"], "作业负责人张");
  EXPECT_EQ(ch[1]["before"]["revision"], 1);
  // Before the second: the first change's window and place, the responsible person as filed.
  EXPECT_EQ(ch[2]["reason"], "换人");
  EXPECT_EQ(ch[2]["before"]["begin_at"], begin);
  EXPECT_EQ(ch[2]["before"]["location"], "二号储罐");
  EXPECT_EQ(ch[2]["before"]["responsible"], "作业负责人张");
  EXPECT_EQ(ch[2]["before"]["responsible_mobile"], "13912345678");
  EXPECT_EQ(detail["responsible_mobile"], "13800001111");
  // Audited: two edits that changed it, the refused ones with their status.
  auto audited = [&](int status) {
    return shared_db().db().in_tx([&](storage::Tx& tx) {
      return tx
          .exec_one(
              "SELECT count(*) AS n FROM audit_log WHERE action = 'permit.update' AND "
              "path = $1 AND status = $2",
              {path(id), std::to_string(status)})["n"]
          .get<long long>();
    });
  };
  EXPECT_EQ(audited(200), 2);
  EXPECT_EQ(audited(422), 2);
}

TEST(PermitApi, ACancellationNeedsItsReason) {
  auto& w = world();
  auto r = w.c().post_json("/api/v1/work-permits", permit("DT-2026-001", "excavation", nullptr),
                           w.user_a);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  r = w.c().post_json(path(id, "/transitions"), {{"action", "cancel"}}, w.user_a);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/reason");
  r = w.c().post_json(path(id, "/transitions"), {{"action", "cancel"}, {"reason", "天气原因取消"}},
                      w.user_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["state"], "cancelled");
  EXPECT_EQ(r.json()["cancel_reason"], "天气原因取消");
  EXPECT_EQ(w.c().post_json(path(id, "/transitions"), {{"action", "start"}}, w.user_a).status, 409);
}

TEST(PermitApi, AnotherEnterprisesPermitIsAbsentAndTheGatewayUploadsItsOwnOnly) {
  auto& w = world();
  auto r = w.c().post_json("/api/v1/work-permits", permit("GC-2026-001", "height", 2), w.user_a);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json()["grade"], "2");
  auto id = r.json()["id"].get<long long>();
  // The neighbour's user: 404 to read, edit or move it, and not in its list.
  EXPECT_EQ(w.c().get(path(id), w.user_b).status, 404);
  EXPECT_EQ(w.c().post_json(path(id, "/transitions"), {{"action", "start"}}, w.user_b).status, 404);
  EXPECT_EQ(w.c().patch_json(path(id), {{"content", "x"}, {"reason", "y"}}, w.user_b).status, 404);
  r = w.c().get("/api/v1/work-permits", w.user_b);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto permits = r.json();  // named: a range-for over json()["items"] dangles
  for (const auto& p : permits.at("items")) EXPECT_EQ(p["company_code"], kB);
  // Officers may read but not file or move.
  EXPECT_EQ(
      w.c().post_json("/api/v1/work-permits", permit("X-1", "blinding", nullptr), w.county).status,
      403);
  EXPECT_EQ(w.c().post_json(path(id, "/transitions"), {{"action", "start"}}, w.county).status, 403);
  // The gateway: its own enterprise's rows only; a bad grade is named; a known number updates.
  auto confined = permit("SX-2026-001", "confined_space", nullptr);
  confined["state"] = "in_progress";
  auto bad = permit("SX-2026-002", "lifting", "4");
  auto foreign = permit("SX-2026-003", "blinding", nullptr);
  foreign["company_code"] = kB;
  r = w.c().post_json(
      "/api/v1/upload/work-permits",
      {{"companyCode", kA}, {"dataId", "wp-1"}, {"datas", {confined, bad, foreign}}}, w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["created"], 1) << j.dump();
  ASSERT_EQ(j["rejected"].size(), 2u);
  EXPECT_EQ(j["rejected"][0]["index"], 1);
  EXPECT_NE(j["rejected"][0]["reason"].get<std::string>().find("/grade"), std::string::npos)
      << j.dump();
  EXPECT_EQ(j["rejected"][1]["index"], 2);
  confined["state"] = "done";
  r = w.c().post_json("/api/v1/upload/work-permits", json::array({confined}), w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["updated"], 1) << r.body;
  // The encrypted envelope, as for readings and the other base tables.
  auto sealed = permit("DT-2026-201", "excavation", nullptr);
  auto inner = json{{"companyCode", kA}, {"datas", {sealed}}};
  auto data = ingest::encrypt_envelope_data(inner.dump(), w.envelope["cipher"],
                                            w.envelope["key_hex"], w.envelope["iv_hex"]);
  r = w.c().post_json(
      "/api/v1/upload/work-permits",
      {{"appId", w.gateway_a.substr(0, w.gateway_a.find('.'))}, {"dataId", "wp-2"}, {"data", data}},
      w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["created"], 1) << r.body;
  // done -> in_progress is not a step: rejected.
  confined["state"] = "in_progress";
  r = w.c().post_json("/api/v1/upload/work-permits", json::array({confined}), w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["rejected"].size(), 1u) << r.body;
  // Another enterprise's companyCode: the whole upload is refused; people do not upload; the
  // gateway neither files through the dashboard route nor reads.
  EXPECT_EQ(w.c()
                .post_json("/api/v1/upload/work-permits",
                           {{"companyCode", kB}, {"datas", {confined}}}, w.gateway_a)
                .status,
            403);
  EXPECT_EQ(
      w.c().post_json("/api/v1/upload/work-permits", json::array({confined}), w.user_a).status,
      403);
  EXPECT_EQ(w.c()
                .post_json("/api/v1/work-permits", permit("G-1", "blinding", nullptr), w.gateway_a)
                .status,
            403);
  EXPECT_EQ(w.c().get("/api/v1/work-permits", w.gateway_a).status, 403);
  r = w.c().get("/api/v1/work-permits?company_code=" + kA + "&type=confined_space", w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["total"], 1) << r.body;
  EXPECT_EQ(r.json()["items"][0]["source"], "upload");
  EXPECT_EQ(r.json()["items"][0]["state"], "done");
}

TEST(PermitApi, InProgressWorkIsCountedOverdueListedAndOnTheMap) {
  auto& w = world();
  // Hot work whose end has passed while in progress: overdue. Confined space in progress.
  auto late = permit("DH-2026-101", "hot_work", "2");
  late["begin_at"] = at(-hours(3));
  late["end_at"] = at(-hours(1));
  auto r = w.c().post_json("/api/v1/work-permits", late, w.user_a);
  ASSERT_EQ(r.status, 201) << r.body;
  auto late_id = r.json()["id"].get<long long>();
  ASSERT_EQ(w.c().post_json(path(late_id, "/transitions"), {{"action", "start"}}, w.user_a).status,
            200);
  r = w.c().post_json("/api/v1/work-permits", permit("SX-2026-101", "confined_space", nullptr),
                      w.user_a);
  ASSERT_EQ(r.status, 201) << r.body;
  auto cs_id = r.json()["id"].get<long long>();
  ASSERT_EQ(w.c().post_json(path(cs_id, "/transitions"), {{"action", "start"}}, w.user_a).status,
            200);

  r = w.c().get("/api/v1/work-permits?overdue=true", w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["total"], 1) << r.body;
  EXPECT_EQ(r.json()["items"][0]["id"], late_id);
  EXPECT_EQ(r.json()["items"][0]["overdue"], true);
  r = w.c().get("/api/v1/work-permits?in_progress=true&company_code=" + kA, w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["total"], 2) << r.body;
  EXPECT_EQ(w.c().get("/api/v1/work-permits?state=open", w.county).status, 400);
  EXPECT_EQ(w.c().get("/api/v1/work-permits?company_code=" + kA, w.city_other).status, 404);

  r = w.c().get("/api/v1/work-permits/summary", w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  ASSERT_EQ(j["regions"].size(), 1u) << j.dump();
  EXPECT_EQ(j["regions"][0]["region_code"], kCounty);
  EXPECT_EQ(j["regions"][0]["hot_work"], 1) << j.dump();
  EXPECT_EQ(j["regions"][0]["confined_space"], 1) << j.dump();
  EXPECT_EQ(j["regions"][0]["overdue"], 1) << j.dump();
  EXPECT_EQ(j["regions"][0]["by_kind"]["hot_2"], 1) << j.dump();
  EXPECT_EQ(j["total"]["in_progress"], j["regions"][0]["in_progress"]);
  r = w.c().get("/api/v1/work-permits/summary?group_by=city", w.city_other);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["total"]["in_progress"], 0) << r.body;

  // The overview's marker of the enterprise (the overview is reused for at most
  // statistics.overview_cache_ms: wait for a fresh one).
  json marker, last;
  for (int i = 0; i < 50 && marker.is_null(); ++i) {
    w.srv->clock().advance(seconds(1));
    auto o = w.c().get("/api/v1/overview", w.county);
    ASSERT_EQ(o.status, 200) << o.body;
    last = o.json();
    for (const auto& m : last["enterprises"])
      if (m["company_code"] == kA && m["hot_work"] == 1) marker = m;
    if (marker.is_null()) std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_FALSE(marker.is_null()) << last["enterprises"].dump();
  EXPECT_EQ(marker["confined_space"], 1);

  // The day's permits against the day's commitment (none filed yet: every difference shows).
  r = w.c().get("/api/v1/work-permits/commitment-check?company_code=" + kA, w.county);
  ASSERT_EQ(r.status, 200) << r.body;
  j = r.json();
  EXPECT_EQ(j["committed"], false);
  EXPECT_EQ(j["matches"], false);
  bool seen = false;
  for (const auto& l : j["lines"])
    if (l["key"] == "confined_space") {
      seen = true;
      EXPECT_GE(l["permits"].get<int>(), 1);
      EXPECT_EQ(l["difference"], l["permits"]);
    }
  EXPECT_TRUE(seen);
  EXPECT_EQ(
      w.c().get("/api/v1/work-permits/commitment-check?company_code=" + kA, w.city_other).status,
      404);
}
