// Circulars (信息通报) over HTTPS: a city drafts a circular naming enterprises of its counties,
// attaches a PDF, publishes it; the named enterprises acknowledge (签收) with a reply and the city
// lists who has not; a county reads its city's circular with its own enterprises only; an
// enterprise not named, or a city of elsewhere, gets 404; a city cannot name another city's
// enterprise (422) and a county cannot issue (403); attachments are type-checked and downloaded
// only by those who read the circular; withdrawal needs a reason and ends acknowledgement; the
// per-region counts (storage::CircularStore::region_counts) say who is behind.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

// 忻州 (140900): counties 繁峙县 (140924) and 宁武县 (140925), which no other API test uses;
// 运城 (140800) 闻喜县 (140823) as the other city.
constexpr const char* kCity = "140900";
constexpr const char* kCountyA = "140924";
constexpr const char* kCountyC = "140925";
const std::string kA = "14092400001";
const std::string kB = "14092400002";
const std::string kC = "14092500001";
const std::string kOther = "14082300001";

const std::string kPdf =
    std::string("%PDF-1.4\n1 0 obj<<>>endobj\n") + std::string(1000, 'x') + "\n%%EOF\n";

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, city, city_other, county_a, county_c, user_a, user_b, user_c, user_other;
  HttpsClient c() const { return srv->client(); }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("ci_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("circular set-up: " + r.body);
      return r.json();
    };
    for (auto [code, name, parent] :
         {std::tuple{kCountyA, "繁峙县", kCity}, std::tuple{kCountyC, "宁武县", kCity},
          std::tuple{"140823", "闻喜县", "140800"}})
      ok(c.post_json("/api/v1/regions",
                     {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", parent}},
                     w->admin));
    for (const auto& [code, region] :
         {std::pair{kA, std::string(kCountyA)}, std::pair{kB, std::string(kCountyA)},
          std::pair{kC, std::string(kCountyC)}, std::pair{kOther, std::string("140823")}})
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "通报接口" + code + "化工有限公司"},
                      {"region_code", region}},
                     w->admin));
    w->city = w->srv->make_user("ci_city", "city_officer", kCity);
    w->city_other = w->srv->make_user("ci_city_other", "city_officer", "140800");
    w->county_a = w->srv->make_user("ci_county_a", "county_officer", kCountyA);
    w->county_c = w->srv->make_user("ci_county_c", "county_officer", kCountyC);
    w->user_a = w->srv->make_user("ci_user_a", "enterprise_user", kA);
    w->user_b = w->srv->make_user("ci_user_b", "enterprise_user", kB);
    w->user_c = w->srv->make_user("ci_user_c", "enterprise_user", kC);
    w->user_other = w->srv->make_user("ci_user_other", "enterprise_user", kOther);
    return w;
  }();
  return *w;
}

std::string path(long long id, const std::string& tail = "") {
  return "/api/v1/circulars/" + std::to_string(id) + tail;
}

HttpResult upload(const World& w, long long id, const std::string& name, const std::string& type,
                  const std::string& bytes, const std::string& token) {
  return w.c().request(
      "POST", "/api/v1/upload/circulars/" + std::to_string(id) + "/attachments?name=" + name, bytes,
      {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
}

long long draft(const World& w, const std::string& title, const std::vector<std::string>& codes,
                const std::string& token) {
  auto r = w.c().post_json("/api/v1/circulars",
                           {{"title", title},
                            {"body", "请各企业核查本月预警处置情况，按期反馈。"},
                            {"kind", "warning_disposal"},
                            {"company_codes", codes}},
                           token);
  if (r.status != 201) throw std::runtime_error("draft: " + r.body);
  return r.json()["id"].get<long long>();
}

std::vector<std::string> codes_of(const json& items, const char* key = "company_code") {
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i[key].get<std::string>());
  return out;
}

}  // namespace

TEST(CircularApi, ACityPublishesAndSeesWhichEnterprisesHaveNotAcknowledged) {
  auto& w = world();
  auto c = w.c();
  auto id = draft(w, "关于预警处置情况的通报", {kA, kB, kC}, w.city);

  // A draft is the issuer's: the named enterprise and the county do not see it yet.
  EXPECT_EQ(c.get(path(id), w.user_a).status, 404);
  EXPECT_EQ(c.get(path(id), w.county_a).status, 404);
  EXPECT_EQ(c.post_json(path(id, "/acknowledgement"), json::object(), w.user_a).status, 404);

  auto pub = c.post_json(path(id, "/publish"), json::object(), w.city);
  ASSERT_EQ(pub.status, 200) << pub.body;
  auto p = pub.json();
  EXPECT_EQ(p["state"], "published");
  EXPECT_EQ(p["issuer_region"], kCity);
  EXPECT_EQ(p["recipients"], 3);
  EXPECT_EQ(p["acknowledged"], 0);
  ASSERT_TRUE(p["ack_deadline"].is_string());  // the default deadline, three days on
  auto deadline = core::parse_time(p["ack_deadline"].get<std::string>());
  auto published = core::parse_time(p["published_at"].get<std::string>());
  ASSERT_TRUE(deadline && published);
  EXPECT_EQ(duration_cast<hours>(*deadline - *published).count(), 72);
  EXPECT_EQ(c.post_json(path(id, "/publish"), json::object(), w.city).status, 409);

  // The enterprise's inbox holds it; it acknowledges once, with a reply.
  auto inbox = c.get("/api/v1/circulars?unacknowledged=true", w.user_a);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  EXPECT_EQ(codes_of(inbox.json()["items"], "title"),
            std::vector<std::string>{"关于预警处置情况的通报"});
  EXPECT_EQ(inbox.json()["items"][0]["recipients"], 1);  // only itself, inside its scope
  auto ack =
      c.post_json(path(id, "/acknowledgement"), {{"reply", "已组织核查，3日内反馈。"}}, w.user_a);
  ASSERT_EQ(ack.status, 200) << ack.body;
  ASSERT_EQ(ack.json()["recipient_list"].size(), 1u);
  EXPECT_EQ(ack.json()["recipient_list"][0]["company_code"], kA);
  EXPECT_EQ(ack.json()["recipient_list"][0]["reply"], "已组织核查，3日内反馈。");
  EXPECT_EQ(ack.json()["recipient_list"][0]["acknowledged_by"], "ci_user_a");
  EXPECT_EQ(c.post_json(path(id, "/acknowledgement"), json::object(), w.user_a).status, 409);
  EXPECT_TRUE(c.get("/api/v1/circulars?unacknowledged=true", w.user_a).json()["items"].empty());

  // The city sees who has acknowledged, when, and who has not.
  auto d = c.get(path(id), w.city).json();
  EXPECT_EQ(d["acknowledged"], 1);
  EXPECT_EQ(d["unacknowledged"], 2);
  EXPECT_EQ(d["unacknowledged_codes"], json::array({kB, kC}));
  EXPECT_TRUE(d["manageable"].get<bool>());
  auto pending = c.get(path(id, "/recipients?acknowledged=false"), w.city);
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_EQ(codes_of(pending.json()["items"]), (std::vector<std::string>{kB, kC}));
  auto done = c.get(path(id, "/recipients?acknowledged=true"), w.city).json();
  ASSERT_EQ(done["items"].size(), 1u);
  EXPECT_EQ(done["items"][0]["company_code"], kA);
  EXPECT_TRUE(done["items"][0]["acknowledged_at"].is_string());
  auto open = codes_of(
      c.get("/api/v1/circulars?unacknowledged=true&mine=true", w.city).json()["items"], "title");
  EXPECT_NE(std::find(open.begin(), open.end(), "关于预警处置情况的通报"), open.end());

  // A county reads its city's circular, with its own enterprises only, and cannot manage it.
  auto county = c.get(path(id), w.county_c);
  ASSERT_EQ(county.status, 200) << county.body;
  EXPECT_EQ(codes_of(county.json()["recipient_list"]), std::vector<std::string>{kC});
  EXPECT_FALSE(county.json()["manageable"].get<bool>());
  EXPECT_EQ(c.get(path(id), w.county_a).json()["unacknowledged_codes"], json::array({kB}));
  EXPECT_EQ(c.post_json(path(id, "/withdraw"), {{"reason", "x"}}, w.county_a).status, 403);

  // Not named, or another city: as if it did not exist.
  EXPECT_EQ(c.get(path(id), w.user_other).status, 404);
  EXPECT_EQ(c.post_json(path(id, "/acknowledgement"), json::object(), w.user_other).status, 404);
  EXPECT_EQ(c.get(path(id), w.city_other).status, 404);
  // Named: a range-for over `....json()["items"]` runs over a destroyed temporary.
  const auto listed = c.get("/api/v1/circulars", w.user_other).json();
  for (const auto& item : listed.at("items")) EXPECT_NE(item["id"], id);
}

TEST(CircularApi, OnlyTheProvinceAndCitiesIssueAndOnlyInsideTheirRegion) {
  auto& w = world();
  auto c = w.c();
  json body = {{"title", "跨市通报"}, {"kind", "data_quality"}, {"company_codes", {kA, kOther}}};
  auto r = c.post_json("/api/v1/circulars", body, w.city);
  ASSERT_EQ(r.status, 422) << r.body;
  ASSERT_EQ(r.json()["errors"].size(), 1u) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/company_codes/1");
  EXPECT_EQ(c.post_json("/api/v1/circulars", body, w.county_a).status, 403);
  EXPECT_EQ(c.post_json("/api/v1/circulars", body, w.user_a).status, 403);
  // The province names enterprises of any city; each city's officers read it for their own.
  auto made = c.post_json("/api/v1/circulars", body, w.admin);
  ASSERT_EQ(made.status, 201) << made.body;
  auto id = made.json()["id"].get<long long>();
  EXPECT_TRUE(made.json()["issuer_region"].is_null());
  EXPECT_EQ(c.get(path(id), w.city).status, 404);  // a province draft
  ASSERT_EQ(c.post_json(path(id, "/publish"), json::object(), w.admin).status, 200);
  EXPECT_EQ(codes_of(c.get(path(id), w.city).json()["recipient_list"]),
            std::vector<std::string>{kA});
  EXPECT_EQ(codes_of(c.get(path(id), w.city_other).json()["recipient_list"]),
            std::vector<std::string>{kOther});
  // ... but a city does not manage the province's circular.
  EXPECT_EQ(c.post_json(path(id, "/withdraw"), {{"reason", "误发"}}, w.city).status, 403);
  EXPECT_EQ(c.get(path(id), w.user_other).status, 200);
}

TEST(CircularApi, AttachmentsAreCheckedAndDownloadedOnlyByThoseWhoReadTheCircular) {
  auto& w = world();
  auto c = w.c();
  auto id = draft(w, "数据质量通报（附件）", {kA}, w.city);
  auto up = upload(w, id, "%E9%80%9A%E6%8A%A5.pdf", "application/pdf", kPdf, w.city);  // 通报.pdf
  ASSERT_EQ(up.status, 201) << up.body;
  auto a = up.json();
  EXPECT_EQ(a["name"], "通报.pdf");
  EXPECT_EQ(a["size_bytes"], static_cast<long long>(kPdf.size()));
  EXPECT_EQ(a["sha256"].get<std::string>().size(), 64u);
  // The declared type must be allowed and match the bytes.
  EXPECT_EQ(upload(w, id, "a.txt", "text/plain", "hello", w.city).status, 415);
  EXPECT_EQ(upload(w, id, "fake.pdf", "application/pdf", "MZ not a pdf", w.city).status, 422);
  EXPECT_EQ(upload(w, id, "x.png", "image/png", kPdf, w.city).status, 422);
  EXPECT_EQ(upload(w, id, "a.pdf", "application/pdf", kPdf, w.county_a).status, 403);
  EXPECT_EQ(upload(w, id, "a.pdf", "application/pdf", kPdf, w.city_other).status, 404);

  auto href = a["href"].get<std::string>();
  EXPECT_EQ(c.get(href, w.user_a).status, 404);  // still a draft
  ASSERT_EQ(c.post_json(path(id, "/publish"), json::object(), w.city).status, 200);
  auto got = c.get(href, w.user_a);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, kPdf);
  EXPECT_EQ(got.header("content-type"), "application/pdf");
  EXPECT_NE(got.header("content-disposition").find("filename*=UTF-8''%E9%80%9A%E6%8A%A5.pdf"),
            std::string::npos)
      << got.header("content-disposition");
  EXPECT_EQ(c.get(href, w.city).body, kPdf);
  EXPECT_EQ(c.get(href, w.user_b).status, 404);      // not named
  EXPECT_EQ(c.get(href, w.user_other).status, 404);  // another city's enterprise
  EXPECT_EQ(c.get(href, w.city_other).status, 404);
  EXPECT_EQ(c.get(path(id, "/attachments/999999999"), w.user_a).status, 404);
  // Published: its attachments are fixed.
  EXPECT_EQ(upload(w, id, "late.pdf", "application/pdf", kPdf, w.city).status, 409);
  EXPECT_EQ(c.del(href, w.city).status, 409);
}

TEST(CircularApi, WithdrawalNeedsAReasonAndEndsAcknowledgementAndOverdueIsCounted) {
  auto& w = world();
  auto c = w.c();
  auto id = draft(w, "巡查抽查结果通报", {kB, kC}, w.city);
  // A deadline already past cannot be published.
  auto now = w.srv->clock().now();
  auto patched =
      c.patch_json(path(id), {{"ack_deadline", core::format_rfc3339(now - hours(1))}}, w.city);
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto late = c.post_json(path(id, "/publish"), json::object(), w.city);
  ASSERT_EQ(late.status, 422) << late.body;
  EXPECT_EQ(late.json()["errors"][0]["pointer"], "/ack_deadline");
  ASSERT_EQ(c.patch_json(path(id),
                         {{"ack_deadline", core::format_rfc3339(now + seconds(60))},
                          {"kind", "patrol_result"}},
                         w.city)
                .status,
            200);
  ASSERT_EQ(c.post_json(path(id, "/publish"), json::object(), w.city).status, 200);
  EXPECT_EQ(c.patch_json(path(id), {{"title", "改"}}, w.city).status, 409);

  // The per-county counts: B (140924) and C (140925) have not acknowledged.
  auto region = [](const json& s, const std::string& code) {
    for (const auto& r : s["regions"])
      if (r["region_code"] == code) return r;
    return json();
  };
  auto before = c.get("/api/v1/circulars/summary?group_by=county", w.city);
  ASSERT_EQ(before.status, 200) << before.body;
  auto c_before = region(before.json(), kCountyC);
  auto a_before = region(before.json(), kCountyA);
  ASSERT_FALSE(c_before.is_null() || a_before.is_null()) << before.body;
  EXPECT_TRUE(c.get(path(id, "/recipients?overdue=true"), w.city).json()["items"].empty());
  ASSERT_EQ(c.post_json(path(id, "/acknowledgement"), json::object(), w.user_c).status, 200);
  // Past the deadline, B has not acknowledged: overdue.
  w.srv->clock().advance(seconds(120));
  auto overdue = c.get(path(id, "/recipients?overdue=true"), w.city).json();
  EXPECT_EQ(codes_of(overdue["items"]), std::vector<std::string>{kB});
  EXPECT_TRUE(c.get(path(id), w.city).json()["overdue"].get<bool>());
  auto after = c.get("/api/v1/circulars/summary?group_by=county", w.city).json();
  auto c_after = region(after, kCountyC);
  EXPECT_EQ(c_after["acknowledged"], c_before["acknowledged"].get<long long>() + 1);
  EXPECT_EQ(c_after["unacknowledged"], c_before["unacknowledged"].get<long long>() - 1);
  EXPECT_EQ(c_after["recipients"], c_before["recipients"]);
  EXPECT_EQ(region(after, kCountyA)["overdue"], a_before["overdue"].get<long long>() + 1);
  EXPECT_GE(after["total"]["unacknowledged"].get<long long>(), 1);

  auto none = c.post_json(path(id, "/withdraw"), json::object(), w.city);
  ASSERT_EQ(none.status, 422) << none.body;
  EXPECT_EQ(none.json()["errors"][0]["pointer"], "/reason");
  auto wd = c.post_json(path(id, "/withdraw"), {{"reason", "内容有误，重新下发"}}, w.city);
  ASSERT_EQ(wd.status, 200) << wd.body;
  EXPECT_EQ(wd.json()["state"], "withdrawn");
  EXPECT_EQ(wd.json()["withdraw_reason"], "内容有误，重新下发");
  EXPECT_EQ(c.post_json(path(id, "/acknowledgement"), json::object(), w.user_b).status, 409);
  // The named enterprise still reads it (withdrawn, with the reason).
  EXPECT_EQ(c.get(path(id), w.user_b).json()["state"], "withdrawn");
  // Withdrawn circulars leave the counts.
  auto gone = region(c.get("/api/v1/circulars/summary?group_by=county", w.city).json(), kCountyC);
  EXPECT_EQ(gone.is_null() ? 0 : gone["recipients"].get<long long>(),
            c_before["recipients"].get<long long>() - 1);
}
