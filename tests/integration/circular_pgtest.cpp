// Circulars (信息通报) against a real PostgreSQL with an injected clock: the per-region counts
// that the five-systems statistics read (storage::CircularStore::region_counts, total_counts)
// count the published circulars only, by the named enterprises of each region, acknowledged or
// not and overdue by the clock, inside the caller's scope and the publication period; the lists
// follow the scope (drafts stay with the issuer and the province, an enterprise reads only what
// names it).
#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/circular_service.hpp>
#include <hazmon/storage/circular_store.hpp>
#include <hazmon/storage/database.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

constexpr const char* kA = "14010600011";  // 迎泽区 (太原)
constexpr const char* kB = "14010500011";  // 小店区 (太原)
constexpr const char* kC = "14022100011";  // 阳高县 (大同)

core::SysTime at(const char* rfc3339) { return *core::parse_time(rfc3339); }

struct World {
  TestDatabase db;
  core::FakeClock clock{at("2026-12-07T01:00:00Z")};
  service::CircularService circulars{db.db(), clock};
  storage::CircularStore store;
  model::Principal province =
      principal(model::Role::province_officer, model::Scope::province(), "prov");
  model::Principal city =
      principal(model::Role::city_officer, model::Scope::region("140100"), "ty");
  model::Principal county =
      principal(model::Role::county_officer, model::Scope::region("140106"), "yz");

  World() {
    db.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES "
        "('140106', '迎泽区', 'county', '140100'), ('140105', '小店区', 'county', '140100'), "
        "('140221', '阳高县', 'county', '140200') ON CONFLICT DO NOTHING");
    for (auto [c, r] : {std::pair{kA, "140106"}, std::pair{kB, "140105"}, std::pair{kC, "140221"}})
      db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") + c +
              "', '通报测试" + c + "', '" + r + "')");
  }
  model::Principal user(const char* company) {
    return principal(model::Role::enterprise_user, model::Scope::enterprise(company),
                     std::string("u") + company);
  }
  long long issue(const model::Principal& who, const std::string& title,
                  std::vector<std::string> codes, bool publish = true) {
    service::CircularDraft d;
    d.title = title;
    d.company_codes = std::move(codes);
    auto id = circulars.create(who, d).circular.id;
    if (publish) circulars.publish(who, id);
    return id;
  }
  std::vector<storage::CircularRegionCount> counts(const model::Scope& s, bool by_city,
                                                   std::optional<core::SysTime> from = {}) {
    return db.db().in_tx(
        [&](storage::Tx& tx) { return store.region_counts(tx, s, clock.now(), by_city, from); });
  }
};

const storage::CircularRegionCount* region(const std::vector<storage::CircularRegionCount>& v,
                                           const std::string& code) {
  for (const auto& r : v)
    if (r.region_code == code) return &r;
  return nullptr;
}

void expect(const storage::CircularRegionCount* r, long long circulars, long long recipients,
            long long acked, long long unacked, long long overdue) {
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->circulars, circulars) << r->region_code;
  EXPECT_EQ(r->recipients, recipients) << r->region_code;
  EXPECT_EQ(r->acknowledged, acked) << r->region_code;
  EXPECT_EQ(r->unacknowledged, unacked) << r->region_code;
  EXPECT_EQ(r->overdue, overdue) << r->region_code;
}

}  // namespace

TEST(CircularPg, RegionCountsCountPublishedNamingsByRegionScopeAndPeriod) {
  World w;
  auto t0 = w.clock.now();
  auto p1 = w.issue(w.province, "省厅数据质量通报", {kA, kB, kC});
  w.clock.advance(hours(1));
  auto q = w.issue(w.city, "太原市预警处置通报", {kA, kB});
  w.issue(w.city, "草稿", {kA}, false);  // never published: not counted
  auto gone = w.issue(w.city, "撤回的通报", {kA, kB});
  w.circulars.withdraw(w.city, gone, "误发");  // withdrawn: not counted
  w.circulars.acknowledge(w.user(kA), p1, std::string("收到"));
  w.circulars.acknowledge(w.user(kA), q, std::nullopt);
  w.circulars.acknowledge(w.user(kC), p1, std::nullopt);

  // Within the three days: B has not acknowledged, and is not overdue yet.
  auto all = w.counts(model::Scope::province(), false);
  ASSERT_EQ(all.size(), 3u);
  expect(region(all, "140105"), 2, 2, 0, 2, 0);
  expect(region(all, "140106"), 2, 2, 2, 0, 0);
  expect(region(all, "140221"), 1, 1, 1, 0, 0);
  EXPECT_EQ(region(all, "140105")->region_name, "小店区");

  // Four days on, B's two are overdue.
  w.clock.advance(hours(24 * 4));
  auto cities = w.counts(model::Scope::province(), true);
  ASSERT_EQ(cities.size(), 2u);
  expect(region(cities, "140100"), 2, 4, 2, 2, 2);
  expect(region(cities, "140200"), 1, 1, 1, 0, 0);
  auto total = w.db.db().in_tx([&](storage::Tx& tx) {
    return w.store.total_counts(tx, model::Scope::province(), w.clock.now());
  });
  expect(&total, 2, 5, 3, 2, 2);  // each circular once, every naming

  // Inside a scope: 大同 sees its county only; a county its own enterprises.
  auto datong = w.counts(model::Scope::region("140200"), false);
  ASSERT_EQ(datong.size(), 1u);
  expect(region(datong, "140221"), 1, 1, 1, 0, 0);
  auto yingze = w.counts(model::Scope::region("140106"), false);
  ASSERT_EQ(yingze.size(), 1u);
  expect(region(yingze, "140106"), 2, 2, 2, 0, 0);

  // Published from t0 + 30 min: the city's circular only (the withdrawn one stays out).
  auto later = w.counts(model::Scope::province(), false, t0 + minutes(30));
  expect(region(later, "140105"), 1, 1, 0, 1, 1);
  expect(region(later, "140106"), 1, 1, 1, 0, 0);
  EXPECT_EQ(region(later, "140221"), nullptr);
}

TEST(CircularPg, ListsFollowTheScopeAndDraftsStayWithTheIssuer) {
  World w;
  auto p1 = w.issue(w.province, "省厅通报", {kA, kC});
  auto draft = w.issue(w.city, "太原草稿", {kA, kB}, false);
  auto q = w.issue(w.city, "太原通报", {kB});
  auto ids = [&](const model::Principal& who, storage::CircularFilter f = {}) {
    std::vector<long long> out;
    for (const auto& c : w.circulars.list(who, f, 100, 0).items) out.push_back(c.id);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(ids(w.province), (std::vector<long long>{p1, draft, q}));  // the province: all
  EXPECT_EQ(ids(w.city), (std::vector<long long>{p1, draft, q}));
  EXPECT_EQ(ids(w.county), std::vector<long long>{p1});  // names 迎泽区's A; q names 小店区's B
  EXPECT_EQ(ids(w.user(kC)), std::vector<long long>{p1});
  EXPECT_EQ(ids(w.user(kB)), std::vector<long long>{q});
  // The county reads the province's circular with its own enterprise only.
  auto d = w.circulars.get(w.county, p1);
  ASSERT_EQ(d.recipients.size(), 1u);
  EXPECT_EQ(d.recipients[0].company_code, kA);
  EXPECT_EQ(d.circular.recipients, 1);
  EXPECT_FALSE(d.manageable);
  // Unacknowledged: the city's view of its own, before and after B signs.
  storage::CircularFilter open;
  open.unacknowledged = true;
  open.issued_by_me = true;
  EXPECT_EQ(ids(w.city, open), std::vector<long long>{q});
  w.circulars.acknowledge(w.user(kB), q, std::nullopt);
  EXPECT_TRUE(ids(w.city, open).empty());
  // A county cannot reach the city's draft at all.
  EXPECT_THROW(w.circulars.get(w.county, draft), core::Error);
}
