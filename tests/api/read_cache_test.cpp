// The read path's response cache (ADR 0018) over HTTPS and real PostgreSQL: two servers on one
// database (a write through one is in the next read on the other, by the API and by plain SQL),
// pages never cross scopes or roles, strong ETags with If-None-Match → 304, the cache's bound and
// its counters in /metrics, and the list's total from the one query that fetches the page.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <hazmon/api/response_cache.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/storage/database.hpp>

#include "test_server.hpp"

using namespace hazmon::test;
using nlohmann::json;

namespace {

// City A: 晋中 140700 (榆次区 140702), two enterprises; city B: 运城 140800 (盐湖区 140802), one.
constexpr const char* kA1 = "14070288001";
constexpr const char* kA2 = "14070288002";
constexpr const char* kB1 = "14080288001";
// Every name holds "RCX" so that one ASCII search selects this file's rows only.
const std::string kList = "/api/v1/enterprises?q=RCX&limit=50";

void sql(const std::string& s) { shared_db().exec(s); }

void ensure_rows() {
  static const bool done = [] {
    sql("INSERT INTO region(code, name, level, parent_code) VALUES ('140702', '榆次区', 'county', "
        "'140700'), ('140802', '盐湖区', 'county', '140800') ON CONFLICT DO NOTHING");
    sql(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") + kA1 +
        "', '晋中读路径甲 RCX', '140702'), ('" + kA2 + "', '晋中读路径乙 RCX', '140702'), ('" +
        kB1 + "', '运城读路径丙 RCX', '140802')");
    return true;
  }();
  (void)done;
}

double metric(TestServer& s, const std::string& name) {
  auto body = s.client().get("/metrics").body;
  std::smatch m;
  if (!std::regex_search(body, m, std::regex("\n" + name + " ([-0-9.e+]+)"))) return -1;
  return std::stod(m[1]);
}

std::set<std::string> codes(const HttpResult& r) {
  std::set<std::string> out;
  const auto body = r.json();
  for (const auto& e : body.at("items")) out.insert(e.at("company_code").get<std::string>());
  return out;
}

std::string name_of(const HttpResult& r, const std::string& code) {
  const auto body = r.json();
  for (const auto& e : body.at("items"))
    if (e.at("company_code") == code) return e.at("name").get<std::string>();
  return {};
}

}  // namespace

TEST(ReadCache, AWriteThroughOneNodeIsInTheNextReadOnTheOther) {
  ensure_rows();
  sql(std::string("UPDATE enterprise SET name = '晋中读路径甲 RCX' WHERE company_code = '") + kA1 +
      "'");
  sql(std::string("UPDATE enterprise SET is_active = true WHERE company_code = '") + kA2 + "'");
  TestServer a(shared_db()), b(shared_db());
  auto token_a = a.make_user("rc_two_nodes", "province_admin");
  auto token_b = b.login("rc_two_nodes");

  // B answers the second read from its cache.
  ASSERT_EQ(b.client().get(kList, token_b).status, 200);
  double hits = metric(b, "hazmon_response_cache_hits_total");
  auto warm = b.client().get(kList, token_b);
  ASSERT_EQ(warm.status, 200);
  EXPECT_EQ(metric(b, "hazmon_response_cache_hits_total"), hits + 1);
  EXPECT_EQ(name_of(warm, kA1), "晋中读路径甲 RCX");

  for (int i = 0; i < 10; ++i) {
    const std::string name = "晋中读路径甲 RCX v" + std::to_string(i);
    auto w =
        a.client().patch_json(std::string("/api/v1/enterprises/") + kA1, {{"name", name}}, token_a);
    ASSERT_EQ(w.status, 200) << w.body;
    auto r = b.client().get(kList, token_b);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(name_of(r, kA1), name) << "round " << i;
    // ... and B caches the new page: the next read is a hit with the same bytes.
    double before = metric(b, "hazmon_response_cache_hits_total");
    auto again = b.client().get(kList, token_b);
    EXPECT_EQ(again.body, r.body);
    EXPECT_EQ(metric(b, "hazmon_response_cache_hits_total"), before + 1);
  }

  // A write that bypasses hazmond altogether (a hand-written UPDATE) is seen as well.
  sql(std::string("UPDATE enterprise SET name = '晋中读路径甲 RCX sql' WHERE company_code = '") +
      kA1 + "'");
  EXPECT_EQ(name_of(b.client().get(kList, token_b), kA1), "晋中读路径甲 RCX sql");
  EXPECT_EQ(name_of(a.client().get(kList, token_a), kA1), "晋中读路径甲 RCX sql");

  // A deactivation through B leaves A's next list without the row.
  ASSERT_EQ(a.client().get(kList, token_a).status, 200);
  ASSERT_EQ(b.client().del(std::string("/api/v1/enterprises/") + kA2, token_b).status, 204);
  EXPECT_EQ(codes(a.client().get(kList, token_a)).count(kA2), 0u);
  sql(std::string("UPDATE enterprise SET is_active = true WHERE company_code = '") + kA2 + "'");
  EXPECT_EQ(codes(a.client().get(kList, token_a)).count(kA2), 1u);
}

TEST(ReadCache, APageIsNeverServedToAnotherScopeOrRole) {
  ensure_rows();
  TestServer s(shared_db());
  auto admin = s.make_user("rc_scope_admin", "province_admin");
  auto city_a = s.make_user("rc_scope_city_a", "city_officer", "140700");
  auto city_b = s.make_user("rc_scope_city_b", "city_officer", "140800");
  auto ent_a1 = s.make_user("rc_scope_ent_a1", "enterprise_user", kA1);
  auto ent_b1 = s.make_user("rc_scope_ent_b1", "enterprise_user", kB1);

  const std::set<std::string> all = {kA1, kA2, kB1};
  const std::set<std::string> a_only = {kA1, kA2};
  const std::set<std::string> b_only = {kB1};
  const std::set<std::string> a1_only = {kA1};
  // Twice each, in an order where every caller's first read follows another scope's cached page
  // for the very same path and query; the second read of each is a hit on its own page.
  for (int round = 0; round < 2; ++round) {
    double hits = metric(s, "hazmon_response_cache_hits_total");
    EXPECT_EQ(codes(s.client().get(kList, city_a)), a_only);
    EXPECT_EQ(codes(s.client().get(kList, city_b)), b_only);
    EXPECT_EQ(codes(s.client().get(kList, ent_a1)), a1_only);
    EXPECT_EQ(codes(s.client().get(kList, ent_b1)), b_only);
    EXPECT_EQ(codes(s.client().get(kList, admin)), all);
    if (round == 1) EXPECT_EQ(metric(s, "hazmon_response_cache_hits_total"), hits + 5);
  }
  // The same scope under another role is another page: a city officer of B and an enterprise
  // user of B1 see the same rows here, from two entries.
  auto by_city = s.client().get(kList, city_b);
  auto by_ent = s.client().get(kList, ent_b1);
  EXPECT_EQ(by_city.body, by_ent.body);
  // An enterprise user's single row by key stays a 404 for another enterprise, cache or not.
  EXPECT_EQ(s.client().get(std::string("/api/v1/enterprises/") + kA1, ent_b1).status, 404);
}

TEST(ReadCache, StrongETagsAnswerIfNoneMatchWith304) {
  ensure_rows();
  TestServer s(shared_db());
  auto admin = s.make_user("rc_etag_admin", "province_admin");
  auto first = s.client().get(kList, admin);
  ASSERT_EQ(first.status, 200);
  const auto etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_TRUE(std::regex_match(etag, std::regex("\"[0-9a-f]{32}\""))) << etag;  // strong
  EXPECT_EQ(first.header("cache-control"), "private, no-cache");

  auto with = [&](const std::string& inm) {
    return s.client().request("GET", kList, "",
                              {{"Authorization", "Bearer " + admin}, {"If-None-Match", inm}});
  };
  double not_modified = metric(s, "hazmon_response_cache_not_modified_total");
  auto same = with(etag);
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.header("etag"), etag);
  EXPECT_EQ(with("\"0000\", W/" + etag).status, 304);  // a list, weak comparison
  EXPECT_EQ(with("*").status, 304);
  EXPECT_EQ(metric(s, "hazmon_response_cache_not_modified_total"), not_modified + 3);
  auto other = with("\"00000000000000000000000000000000\"");
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, first.body);

  // Another query is another page with its own tag; a write changes the bytes and the tag.
  auto page2 = s.client().get("/api/v1/enterprises?q=RCX&limit=1", admin);
  EXPECT_NE(page2.header("etag"), etag);
  sql(std::string("UPDATE enterprise SET address = 'etag " + std::to_string(std::rand()) +
                  "' WHERE company_code = '") +
      kB1 + "'");
  auto changed = with(etag);
  EXPECT_EQ(changed.status, 200);
  EXPECT_NE(changed.header("etag"), etag);
  EXPECT_NE(changed.body, first.body);

  // Without a session nothing is answered from the cache, tag or not.
  EXPECT_EQ(s.client().request("GET", kList, "", {{"If-None-Match", "*"}}).status, 401);
  // The overview carries a tag too (reused for statistics.overview_cache_ms, 0 here).
  auto ov = s.client().get("/api/v1/overview", admin);
  ASSERT_EQ(ov.status, 200);
  EXPECT_FALSE(ov.header("etag").empty());
  // The gateways' list is never cached (last_seen_at moves with every upload) and has no tag.
  auto gw = s.client().get("/api/v1/gateways", admin);
  ASSERT_EQ(gw.status, 200);
  EXPECT_TRUE(gw.header("etag").empty());
}

TEST(ReadCache, IsBoundedAndCountedInMetrics) {
  ensure_rows();
  TestServerOptions o;
  o.read_cache_max_entries = 3;
  TestServer s(shared_db(), o);
  auto admin = s.make_user("rc_bound_admin", "province_admin");
  double evictions = metric(s, "hazmon_response_cache_evictions_total");
  EXPECT_EQ(metric(s, "hazmon_response_cache_max_entries"), 3);
  EXPECT_EQ(metric(s, "hazmon_response_cache_max_bytes"), 67108864);
  for (int limit = 1; limit <= 6; ++limit) {
    auto r = s.client().get("/api/v1/enterprises?q=RCX&limit=" + std::to_string(limit), admin);
    ASSERT_EQ(r.status, 200);
    EXPECT_LE(metric(s, "hazmon_response_cache_entries"), 3);
  }
  EXPECT_EQ(metric(s, "hazmon_response_cache_entries"), 3);
  EXPECT_EQ(metric(s, "hazmon_response_cache_evictions_total"), evictions + 3);
  EXPECT_GT(metric(s, "hazmon_response_cache_bytes"), 0);
  // The least recently used went first: limit=6, 5 and 4 are kept (hits), limit=1 is not (miss).
  double hits = metric(s, "hazmon_response_cache_hits_total");
  double misses = metric(s, "hazmon_response_cache_misses_total");
  for (int limit : {6, 5, 4})
    s.client().get("/api/v1/enterprises?q=RCX&limit=" + std::to_string(limit), admin);
  EXPECT_EQ(metric(s, "hazmon_response_cache_hits_total"), hits + 3);
  s.client().get("/api/v1/enterprises?q=RCX&limit=1", admin);
  EXPECT_EQ(metric(s, "hazmon_response_cache_misses_total"), misses + 1);
}

TEST(ReadCache, AListsTotalComesWithItsPage) {
  ensure_rows();
  TestServer s(shared_db());
  auto city_a = s.make_user("rc_total_city_a", "city_officer", "140700");
  auto page = s.client().get("/api/v1/enterprises?q=RCX&limit=1", city_a).json();
  EXPECT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["total"], 2);
  auto second = s.client().get("/api/v1/enterprises?q=RCX&limit=1&offset=1", city_a).json();
  EXPECT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["total"], 2);
  EXPECT_EQ(second["items"][0].count("total_"), 0u);  // the count column stays out of the rows
  // Past the end there is no row to carry the count: it is counted apart.
  auto past = s.client().get("/api/v1/enterprises?q=RCX&limit=5&offset=7", city_a).json();
  EXPECT_EQ(past["items"].size(), 0u);
  EXPECT_EQ(past["total"], 2);
  auto none = s.client().get("/api/v1/enterprises?q=RCX-none&limit=5", city_a).json();
  EXPECT_EQ(none["items"].size(), 0u);
  EXPECT_EQ(none["total"], 0);
}

// Hits for a session this node holds in memory are sent from the I/O thread (read_cached's early
// step, ADR 0018) after a version read begun after the request came: a write through the other
// node is still in the next read, a 304 is answered there too, and a logged-out token is never
// answered from memory.
TEST(ReadCache, HitsForAKnownSessionAreSentFromTheIoThreadUnderTheSameRules) {
  ensure_rows();
  TestServer a(shared_db()), b(shared_db());
  auto token_a = a.make_user("rc_io_thread", "province_admin");
  auto token_b = b.login("rc_io_thread");
  const std::string io = "hazmon_response_cache_io_thread_hits_total";

  auto made = b.client().get(kList, token_b);  // made on a worker, cached
  ASSERT_EQ(made.status, 200);
  double io_hits = metric(b, io);
  auto warm = b.client().get(kList, token_b);
  ASSERT_EQ(warm.status, 200);
  EXPECT_EQ(metric(b, io), io_hits + 1);
  // Written in one piece from the cache's bytes, the hit carries what the made answer carried.
  EXPECT_EQ(warm.body, made.body);
  EXPECT_EQ(warm.header("content-length"), std::to_string(made.body.size()));
  for (const auto& [name, value] : made.headers)
    if (name != "x-request-id" && name != "date") EXPECT_EQ(warm.header(name), value) << name;
  EXPECT_EQ(warm.headers.size(), made.headers.size());
  EXPECT_FALSE(warm.header("content-security-policy").empty());

  for (int i = 0; i < 5; ++i) {
    const std::string name = "晋中读路径甲 RCX io" + std::to_string(i);
    auto w =
        a.client().patch_json(std::string("/api/v1/enterprises/") + kA1, {{"name", name}}, token_a);
    ASSERT_EQ(w.status, 200) << w.body;
    double misses = metric(b, "hazmon_response_cache_misses_total");
    auto r = b.client().get(kList, token_b);
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(name_of(r, kA1), name) << "round " << i;
    EXPECT_EQ(metric(b, "hazmon_response_cache_misses_total"), misses + 1) << "round " << i;
    // The new page is cached; the next read is an I/O-thread hit with the same bytes and tag.
    io_hits = metric(b, io);
    auto again = b.client().get(kList, token_b);
    EXPECT_EQ(again.body, r.body);
    EXPECT_EQ(again.header("etag"), r.header("etag"));
    EXPECT_EQ(metric(b, io), io_hits + 1) << "round " << i;
    auto revalidate = b.client().request(
        "GET", kList, "",
        {{"Authorization", "Bearer " + token_b}, {"If-None-Match", r.header("etag")}});
    EXPECT_EQ(revalidate.status, 304);
    EXPECT_TRUE(revalidate.body.empty());
    EXPECT_EQ(metric(b, io), io_hits + 2) << "round " << i;
  }

  // The overview holds live figures: with statistics.overview_cache_ms 0 (the test servers') it
  // is never reused, on the I/O thread either.
  ASSERT_EQ(b.client().get("/api/v1/overview", token_b).status, 200);
  io_hits = metric(b, io);
  auto ov = b.client().get("/api/v1/overview", token_b);
  ASSERT_EQ(ov.status, 200);
  EXPECT_EQ(metric(b, io), io_hits);

  // A logout through B: the token is gone from memory, so the next read is refused, not served.
  ASSERT_EQ(
      b.client()
          .request("POST", "/api/v1/auth/logout", "", {{"Authorization", "Bearer " + token_b}})
          .status,
      204);
  io_hits = metric(b, io);
  EXPECT_EQ(b.client().get(kList, token_b).status, 401);
  EXPECT_EQ(metric(b, io), io_hits);
  // Gateways' list (last_seen_at moves without a registry write) is never taken from the cache.
  auto gw = a.client().get("/api/v1/gateways?limit=5", token_a);
  ASSERT_EQ(gw.status, 200);
  io_hits = metric(a, io);
  ASSERT_EQ(a.client().get("/api/v1/gateways?limit=5", token_a).status, 200);
  EXPECT_EQ(metric(a, io), io_hits);
  EXPECT_TRUE(a.client().get("/api/v1/gateways?limit=5", token_a).header("etag").empty());
}

// Misses of one page under one version are made once (ResponseCache::make_once): requests that
// miss while it is being made wait for it; if it gives nothing to share, each makes its own.
TEST(ReadCache, AMissedPageIsMadeOnceForEveryoneWaitingOnIt) {
  hazmon::core::Metrics metrics;
  hazmon::api::ResponseCache cache(
      {}, [] { return std::optional<std::int64_t>(7); }, metrics);
  for (bool shareable : {true, false}) {
    const std::string key = shareable ? "page-a" : "page-b";
    std::atomic<int> made{0};
    std::vector<std::shared_ptr<const hazmon::api::CachedAnswer>> got(5);
    auto make = [&](int delay_ms) {
      return [&, delay_ms]() -> std::shared_ptr<const hazmon::api::CachedAnswer> {
        ++made;
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        if (!shareable) return nullptr;
        return hazmon::api::make_answer("{\"n\":" + std::to_string(made.load()) + "}",
                                        "application/json");
      };
    };
    std::vector<std::thread> threads;
    threads.emplace_back([&] { got[0] = cache.make_once(key, 7, make(400)); });
    while (made.load() == 0) std::this_thread::yield();  // the first is making it
    for (int t = 1; t < 5; ++t)
      threads.emplace_back([&, t] { got[t] = cache.make_once(key, 7, make(0)); });
    for (auto& t : threads) t.join();
    if (shareable) {
      EXPECT_EQ(made.load(), 1);
      for (const auto& a : got) EXPECT_EQ(a, got[0]);
      ASSERT_TRUE(got[0]);
      EXPECT_EQ(got[0]->body, "{\"n\":1}");
    } else {
      EXPECT_EQ(made.load(), 5);  // nothing to share: each made its own
      for (const auto& a : got) EXPECT_FALSE(a);
    }
  }
  // Another version is another page: made again.
  int again = 0;
  cache.make_once("page-a", 8, [&] {
    ++again;
    return hazmon::api::make_answer("x", "text/plain");
  });
  EXPECT_EQ(again, 1);
  EXPECT_NE(metrics.serialize().find("hazmon_response_cache_joined_total 4"), std::string::npos);
}
