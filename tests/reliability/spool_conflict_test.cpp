// Spool replay when some uploads of a spooled record were stored meanwhile (another node, or a
// resend that reached PostgreSQL while this process still held the original in its spool): the
// replay drops those uploads with their readings and enterprise alarms instead of stopping on the
// duplicate key, stores the rest, and drains the spool; records are applied many per transaction.
#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/spool.hpp>

#include "hazmond_process.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace hazmon::test::rel;

namespace {
constexpr const char* kCompany = "14060000003";
constexpr const char* kHazard = "14060000003001";

// One upload of `n` readings of `point` collected at t0, t0 + 1 s, ...
void add_upload(storage::IngestBatch& b, const std::string& data_id, std::int32_t point,
                std::int64_t t0, int n, const std::string& reply) {
  b.uploads.push_back({kCompany, data_id, "", "realtime", t0 + 60000, n, reply});
  for (int i = 0; i < n; ++i)
    b.readings.push_back({point, t0 + i * 1000LL, t0 + 60000, 1.5 + i, 0});
  b.enterprise_alarms.push_back({kCompany, data_id, "X", "H", 1.0, 0.5, t0, std::nullopt});
}
}  // namespace

TEST(Reliability, ReplaySkipsUploadsStoredMeanwhileWithTheirReadingsAndDrains) {
  TestDatabase db;
  {
    TestServer setup(db);
    auto admin = setup.make_user("sc_admin", "province_admin");
    auto c = setup.client();
    auto ok = [](const HttpResult& r) {
      if (r.status != 201) throw std::runtime_error(r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kCompany}, {"name", "朔州回放化工有限公司"}, {"region_code", "140600"}},
        admin));
    ok(c.post_json(
        "/api/v1/hazard-sources",
        {{"hazard_code", kHazard}, {"company_code", kCompany}, {"name", "罐区"}, {"rank", 2}},
        admin));
    for (int p = 0; p < 3; ++p)
      ok(c.post_json("/api/v1/monitoring-points",
                     {{"quota_code", "SCLIT" + std::to_string(p)},
                      {"company_code", kCompany},
                      {"hazard_code", kHazard},
                      {"name", "液位"},
                      {"indicator_type", "level"},
                      {"value_kind", "analog"},
                      {"range_low", 0},
                      {"range_high", 20}},
                     admin));
  }
  auto& pg = db.db();
  auto ids = pg.in_tx([](storage::Tx& tx) {
    return tx.exec(
        "SELECT point_id FROM monitoring_point WHERE quota_code LIKE 'SCLIT%' ORDER BY quota_code");
  });
  ASSERT_EQ(ids.size(), 3u);
  std::int32_t p0 = ids[0]["point_id"], p1 = ids[1]["point_id"], p2 = ids[2]["point_id"];
  auto t0 =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() / 1000 * 1000 -
      3600000;

  // Record 1: uploads A, B, C. Record 2: B again (a resend spooled a second time after a restart)
  // and D. Record 3: C alone (all of it stored meanwhile: skipped whole).
  storage::IngestBatch r1, r2, r3, b_only;
  add_upload(r1, "sc-A", p0, t0, 2, R"({"accepted":2})");
  add_upload(r1, "sc-B", p1, t0, 3, R"({"accepted":3})");
  add_upload(r1, "sc-C", p2, t0, 1, R"({"accepted":1})");
  add_upload(r2, "sc-B", p1, t0, 3, R"({"accepted":3,"again":true})");
  add_upload(r2, "sc-D", p0, t0 + 10000, 2, R"({"accepted":2})");
  add_upload(r3, "sc-C", p2, t0, 1, R"({"accepted":1})");
  add_upload(b_only, "sc-B", p1, t0, 3, R"({"accepted":3,"stored":"meanwhile"})");

  auto dir = temp_dir("hazmon-spdup-");
  auto file = dir / "readings.spool";
  {
    storage::Spool spool(file);
    spool.append(r1);
    spool.append(r2);
    spool.append(r3);
    EXPECT_EQ(spool.pending(), 3u);
  }
  // B reached PostgreSQL meanwhile: its upload row, its readings and its enterprise alarm.
  storage::ReadingStore store;
  pg.in_tx([&](storage::Tx& tx) { store.write(tx, b_only); });

  core::SystemClock clock;
  service::IngestSettings is;
  is.spool_file = file;
  {
    service::IngestService ingest(pg, is, clock);
    ingest.start();
    ingest.tick();  // the writer replays the spool before the tick's group
    EXPECT_EQ(ingest.stats().spool_pending, 0u);
    ingest.stop();
  }
  EXPECT_EQ(storage::Spool(file).pending(), 0u);
  EXPECT_EQ(fs::file_size(file), 0u);

  auto n = [&](const std::string& sql) {
    return pg.in_tx([&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
  };
  std::string mine = " point_id IN (" + std::to_string(p0) + "," + std::to_string(p1) + "," +
                     std::to_string(p2) + ")";
  EXPECT_EQ(n("SELECT count(*) AS n FROM upload_batch WHERE data_id LIKE 'sc-%'"), 4);
  // Every reading exactly once: A 2, B 3, C 1, D 2.
  EXPECT_EQ(n("SELECT count(*) AS n FROM reading WHERE" + mine), 8);
  EXPECT_EQ(n("SELECT count(*) AS n FROM (SELECT point_id, collect_ts FROM reading WHERE" + mine +
              " GROUP BY 1, 2 HAVING count(*) > 1) d"),
            0);
  EXPECT_EQ(n("SELECT count(*) AS n FROM enterprise_alarm WHERE data_id LIKE 'sc-%'"), 4);
  EXPECT_EQ(n("SELECT count(*) AS n FROM enterprise_alarm WHERE data_id = 'sc-B'"), 1);
  // B keeps the reply stored first.
  EXPECT_EQ(n("SELECT count(*) AS n FROM upload_batch WHERE data_id = 'sc-B' AND reply ? 'stored'"),
            1);
  // The replay applied its records in one transaction, not one per record.
  EXPECT_EQ(n("SELECT count(DISTINCT xmin::text) AS n FROM upload_batch WHERE data_id IN ('sc-A', "
              "'sc-C', 'sc-D')"),
            1);
  fs::remove_all(dir);
}
