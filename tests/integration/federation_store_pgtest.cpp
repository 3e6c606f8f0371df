// City federation's outbox (migration 0030, docs/federation.md): ReadingStore::write queues a
// city's accepted upload in the transaction that stores it (and nothing when that transaction
// rolls back); the spool keeps what is to be forwarded; FederationStore claims the oldest queued
// rows in order, one claimer at a time, and marks, parks and requeues them.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/database.hpp>
#include <hazmon/storage/federation_store.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/spool.hpp>

#include <stdexcept>

#include "test_database.hpp"

using hazmon::storage::FederationStore;
using hazmon::storage::IngestBatch;
using hazmon::storage::OutboxRow;
using hazmon::storage::ReadingStore;
using hazmon::storage::Tx;
using hazmon::storage::UploadRecord;
using namespace hazmon::test;

namespace {
constexpr const char* kPath = "/api/v1/upload/realtime";
constexpr std::int64_t k2026 = 1'796'000'000'000LL;

UploadRecord upload(const std::string& data_id, bool forward) {
  UploadRecord u{"14070000001", data_id, "", "realtime", k2026, 0, R"({"code":0})"};
  if (forward) {
    u.forward_path = kPath;
    u.forward_body = R"({"companyCode":"14070000001","dataId":")" + data_id +
                     R"(","name":"晋中 \"引号\" \\ 反斜杠"})";
  }
  return u;
}

struct FederationStorePg : ::testing::Test {
  hazmon::storage::Database& db = shared_db().db();
  FederationStore store;
  ReadingStore readings;

  void SetUp() override {
    db.in_tx([](Tx& tx) {
      tx.exec("DELETE FROM federation_outbox");
      tx.exec("DELETE FROM upload_batch WHERE company_code = '14070000001'");
    });
  }
  void write(IngestBatch b) {
    db.in_tx([&](Tx& tx) { readings.write(tx, b); });
  }
  std::vector<OutboxRow> claim(int n) {
    return db.in_tx([&](Tx& tx) { return store.claim(tx, n); });
  }
  std::vector<std::string> ids_of(const std::vector<OutboxRow>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.data_id);
    return out;
  }
};
}  // namespace

TEST_F(FederationStorePg, AStoredUploadIsQueuedInItsTransactionAndOnlyThen) {
  IngestBatch b;
  b.uploads = {upload("fed-1", true), upload("fed-2", false), upload("fed-3", true)};
  write(b);
  auto rows = claim(10);
  ASSERT_EQ(ids_of(rows), (std::vector<std::string>{"fed-1", "fed-3"}));  // fed-2: province mode
  EXPECT_EQ(rows[0].path, kPath);
  EXPECT_EQ(rows[0].body, upload("fed-1", true).forward_body);  // quotes and backslashes intact
  EXPECT_EQ(rows[0].attempts, 0);

  // A group whose transaction rolls back queues nothing.
  IngestBatch rolled;
  rolled.uploads = {upload("fed-4", true)};
  EXPECT_THROW(db.in_tx([&](Tx& tx) {
    readings.write(tx, rolled);
    throw std::runtime_error("the commit never comes");
  }),
               std::runtime_error);
  EXPECT_EQ(claim(10).size(), 2u);
}

TEST_F(FederationStorePg, TheSpoolKeepsWhatIsToBeForwarded) {
  IngestBatch b;
  b.uploads = {upload("fed-s1", true), upload("fed-s2", false)};
  auto back = hazmon::storage::decode_batch(hazmon::storage::encode_batch(b));
  ASSERT_EQ(back.uploads.size(), 2u);
  EXPECT_EQ(back.uploads[0].forward_path, kPath);
  EXPECT_EQ(back.uploads[0].forward_body, b.uploads[0].forward_body);
  EXPECT_TRUE(back.uploads[1].forward_body.empty());
  write(back);  // the replay's write queues it like a direct one
  EXPECT_EQ(ids_of(claim(10)), std::vector<std::string>{"fed-s1"});
}

TEST_F(FederationStorePg, ClaimTakesTheOldestInOrderAndOneClaimerAtATime) {
  IngestBatch b;
  for (int i = 1; i <= 5; ++i) b.uploads.push_back(upload("fed-o" + std::to_string(i), true));
  write(b);
  auto first = db.begin();
  auto rows = store.claim(first, 3);
  EXPECT_EQ(ids_of(rows), (std::vector<std::string>{"fed-o1", "fed-o2", "fed-o3"}));
  // Another node (another transaction) gets nothing while the claim is held, without waiting.
  EXPECT_TRUE(claim(3).empty());
  store.mark_sent(first, {rows[0].id, rows[1].id});
  store.record_failure(first, rows[2].id, "no answer from the province: connection refused");
  first.commit();
  rows = claim(10);
  ASSERT_EQ(ids_of(rows), (std::vector<std::string>{"fed-o3", "fed-o4", "fed-o5"}));
  EXPECT_EQ(rows[0].attempts, 1);  // still the head, with its failed try counted
  auto counts = db.in_tx([&](Tx& tx) { return store.counts(tx); });
  EXPECT_EQ(counts.queued, 3);
  EXPECT_EQ(counts.parked, 0);
  EXPECT_TRUE(counts.oldest_queued.has_value());
}

TEST_F(FederationStorePg, AParkedRowLeavesTheQueueIsListedAndComesBackOnRetry) {
  IngestBatch b;
  b.uploads = {upload("fed-p1", true), upload("fed-p2", true), upload("fed-p3", true)};
  write(b);
  auto rows = claim(10);
  ASSERT_EQ(rows.size(), 3u);
  db.in_tx([&](Tx& tx) {
    store.park(tx, rows[0].id, 403, "forbidden",
               "province answered 403 forbidden: not your region");
    store.mark_sent(tx, {rows[1].id});
  });
  EXPECT_EQ(ids_of(claim(10)), std::vector<std::string>{"fed-p3"});
  auto parked = db.in_tx([&](Tx& tx) { return store.parked(tx, 10); });
  ASSERT_EQ(parked.size(), 1u);
  EXPECT_EQ(parked[0].data_id, "fed-p1");
  EXPECT_EQ(parked[0].http_status, 403);
  EXPECT_EQ(parked[0].problem_code, "forbidden");
  EXPECT_EQ(parked[0].attempts, 1);
  EXPECT_EQ(db.in_tx([&](Tx& tx) { return store.counts(tx); }).parked, 1);
  // A sent row is not parked afterwards (a late verdict on a row another pass sent).
  db.in_tx([&](Tx& tx) { store.park(tx, rows[1].id, 422, "validation_failed", "late"); });
  EXPECT_EQ(db.in_tx([&](Tx& tx) { return store.parked(tx, 10); }).size(), 1u);

  EXPECT_EQ(db.in_tx([&](Tx& tx) { return store.requeue_parked(tx, rows[1].id); }), 0);
  EXPECT_EQ(db.in_tx([&](Tx& tx) { return store.requeue_parked(tx, rows[0].id); }), 1);
  // Back at the head: it keeps its place in the order.
  EXPECT_EQ(ids_of(claim(10)), (std::vector<std::string>{"fed-p1", "fed-p3"}));
  EXPECT_TRUE(db.in_tx([&](Tx& tx) { return store.parked(tx, 10); }).empty());

  // Sent rows are purged after keep_sent; queued ones never.
  EXPECT_EQ(db.in_tx([&](Tx& tx) {
    return store.purge_sent(tx, std::chrono::system_clock::now() + std::chrono::hours(1));
  }),
            1);
  EXPECT_EQ(claim(10).size(), 2u);
}
