// ReadingStore::write against PostgreSQL: the binary COPY of readings (exact values and times
// back, inside the group's transaction) and the latest-value statement (newer wins, new points
// inserted, older readings ignored).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/database.hpp>
#include <hazmon/storage/reading_store.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "test_database.hpp"

using hazmon::model::Reading;
using hazmon::storage::IngestBatch;
using hazmon::storage::ReadingStore;
using hazmon::storage::Tx;
using nlohmann::json;
using namespace hazmon::test;

namespace {

// Point ids far above what the registry hands out, so rows of other tests never mix in.
constexpr std::int32_t kBase = 1'900'000'000;
constexpr std::int64_t k2026 = 1'796'000'000'000LL;  // 2026-11-30 UTC, in Unix ms

struct ReadingStorePg : ::testing::Test {
  hazmon::storage::Database& db = shared_db().db();
  ReadingStore store;

  void write(std::vector<Reading> rows) {
    IngestBatch b;
    b.readings = std::move(rows);
    db.in_tx([&](Tx& tx) { store.write(tx, b); });
  }
  // Values as exact text (float8 with all digits; times in Unix microseconds).
  json rows_of(std::int32_t id) {
    return db.in_tx([&](Tx& tx) {
      return tx.exec(
          "SELECT float8send(value)::text AS bits, (extract(epoch FROM collect_ts) * "
          "1000000)::bigint::text AS c_us, "
          "(extract(epoch FROM received_ts) * 1000000)::bigint::text AS r_us, quality FROM reading "
          "WHERE point_id = $1 "
          "ORDER BY collect_ts",
          {std::to_string(id)});
    });
  }
  json latest_of(std::int32_t id) {
    return db.in_tx([&](Tx& tx) {
      return tx.exec(
          "SELECT value, (extract(epoch FROM collect_ts) * 1000)::bigint AS c_ms FROM "
          "reading_latest WHERE point_id = $1",
          {std::to_string(id)});
    });
  }
};

std::string bits_hex(double v) {
  std::uint64_t b;
  std::memcpy(&b, &v, sizeof b);
  char buf[32];
  std::snprintf(buf, sizeof buf, "\\x%016llx", static_cast<unsigned long long>(b));
  return buf;
}

}  // namespace

TEST_F(ReadingStorePg, BinaryCopyStoresExactValuesAndTimes) {
  const std::int32_t id = kBase + 1;
  const std::vector<double> values{
      0.0,   -0.0,    1.0 / 3.0,           -273.15,
      1e300, -1e-300, 123456789.123456789, std::numeric_limits<double>::denorm_min()};
  std::vector<Reading> rows;
  for (std::size_t i = 0; i < values.size(); ++i)
    rows.push_back(Reading{id, k2026 + static_cast<std::int64_t>(i) * 1001,
                           k2026 + 5000 + static_cast<std::int64_t>(i), values[i],
                           static_cast<std::int16_t>(i % 2 ? 192 : 0)});
  // Before PostgreSQL's 2000-01-01 epoch (negative on the wire) and in the default partition.
  rows.push_back(Reading{id, 946684799999LL, 946684800001LL, 42.5, -1});
  write(rows);

  auto got = rows_of(id);
  ASSERT_EQ(got.size(), rows.size());
  // Ordered by collect time: the pre-2000 row comes first.
  EXPECT_EQ(got[0]["c_us"], std::to_string(946684799999LL * 1000));
  EXPECT_EQ(got[0]["r_us"], std::to_string(946684800001LL * 1000));
  EXPECT_EQ(got[0]["bits"], bits_hex(42.5));
  EXPECT_EQ(got[0]["quality"], -1);
  for (std::size_t i = 0; i < values.size(); ++i) {
    SCOPED_TRACE(i);
    const auto& g = got[i + 1];
    EXPECT_EQ(g["bits"], bits_hex(values[i]));
    EXPECT_EQ(g["c_us"], std::to_string((k2026 + static_cast<std::int64_t>(i) * 1001) * 1000));
    EXPECT_EQ(g["r_us"], std::to_string((k2026 + 5000 + static_cast<std::int64_t>(i)) * 1000));
    EXPECT_EQ(g["quality"], i % 2 ? 192 : 0);
  }
}

TEST_F(ReadingStorePg, CopyIsPartOfTheGroupTransaction) {
  const std::int32_t id = kBase + 2;
  IngestBatch b;
  b.readings = {Reading{id, k2026, k2026, 1.5, 0}, Reading{id, k2026 + 1000, k2026, 2.5, 0}};
  EXPECT_THROW(db.in_tx([&](Tx& tx) {
    store.write(tx, b);
    throw std::runtime_error("the group fails after the COPY");
  }),
               std::runtime_error);
  EXPECT_TRUE(rows_of(id).empty());
  EXPECT_TRUE(latest_of(id).empty());
  // The connection is usable afterwards and the same rows go in once.
  db.in_tx([&](Tx& tx) { store.write(tx, b); });
  EXPECT_EQ(rows_of(id).size(), 2u);
}

TEST_F(ReadingStorePg, LatestKeepsTheNewestReadingPerPoint) {
  const std::int32_t a = kBase + 3, n = kBase + 4;
  // Several readings of one point in a group: the newest by collect time wins, not the last sent.
  write({Reading{a, k2026 + 2000, k2026, 2.0, 0}, Reading{a, k2026 + 3000, k2026, 3.0, 0},
         Reading{a, k2026 + 1000, k2026, 1.0, 0}});
  auto l = latest_of(a);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0]["value"], 3.0);
  EXPECT_EQ(l[0]["c_ms"], k2026 + 3000);
  // A later group with an older reading (a resend) leaves it; a newer one replaces it; a new
  // point in the same group gets its row.
  write({Reading{a, k2026 + 500, k2026, 0.5, 0}, Reading{n, k2026, k2026, 7.0, 0}});
  EXPECT_EQ(latest_of(a)[0]["value"], 3.0);
  EXPECT_EQ(latest_of(n)[0]["value"], 7.0);
  write({Reading{a, k2026 + 4000, k2026, 4.0, 0}, Reading{n, k2026 + 1, k2026, 8.0, 0}});
  EXPECT_EQ(latest_of(a)[0]["value"], 4.0);
  EXPECT_EQ(latest_of(n)[0]["value"], 8.0);
  EXPECT_EQ(rows_of(a).size(), 5u);
}
