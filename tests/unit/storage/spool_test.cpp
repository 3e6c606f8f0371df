// The spool file on its own: replay in chunks (order, bounds, progress only after a chunk is
// applied, truncation when drained) and drop_uploads (an upload leaves with its readings and
// enterprise alarms).
#include <gtest/gtest.h>

#include <hazmon/core/random.hpp>
#include <hazmon/storage/spool.hpp>

#include <filesystem>
#include <stdexcept>

using hazmon::storage::IngestBatch;
using hazmon::storage::Spool;
namespace fs = std::filesystem;

namespace {

// Record `n`: one upload "d<n>" with `readings` readings of point n.
IngestBatch record(int n, int readings) {
  IngestBatch b;
  b.uploads.push_back(
      {"14010000001", "d" + std::to_string(n), "", "realtime", 1000, readings, "{}"});
  for (int i = 0; i < readings; ++i) b.readings.push_back({n, 1000LL * i, 5000, 0.5 * i, 0});
  return b;
}

struct SpoolFile : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("hazmon-spool-" + hazmon::core::random_token(6));
  fs::path file = dir / "readings.spool";
  void TearDown() override { fs::remove_all(dir); }
};

}  // namespace

TEST_F(SpoolFile, ReplaysInOrderInBoundedChunks) {
  Spool s(file);
  for (int n = 1; n <= 7; ++n) s.append(record(n, n == 5 ? 10 : 2));
  std::vector<std::vector<int>> chunks;
  auto applied = s.replay_chunks(3, 6, [&](std::vector<IngestBatch>& recs) {
    std::vector<int> ids;
    for (auto& r : recs) ids.push_back(r.readings.front().point_id);
    chunks.push_back(ids);
  });
  EXPECT_EQ(applied, 7u);
  // At most 3 records and 6 readings per chunk, except a record that alone has more.
  std::vector<std::vector<int>> want{{1, 2, 3}, {4}, {5}, {6, 7}};
  EXPECT_EQ(chunks, want);
  EXPECT_EQ(s.pending(), 0u);
  EXPECT_EQ(fs::file_size(file), 0u);
}

TEST_F(SpoolFile, AChunkThatFailsIsReplayedAgainAndWhatWasAppliedStaysApplied) {
  {
    Spool s(file);
    for (int n = 1; n <= 5; ++n) s.append(record(n, 1));
    int calls = 0;
    EXPECT_THROW(s.replay_chunks(2, 0,
                                 [&](std::vector<IngestBatch>&) {
                                   if (++calls == 2) throw std::runtime_error("database went away");
                                 }),
                 std::runtime_error);
    EXPECT_EQ(s.pending(), 3u);
  }
  Spool again(file);  // progress survives a restart
  EXPECT_EQ(again.pending(), 3u);
  std::vector<int> ids;
  again.replay_chunks(10, 0, [&](std::vector<IngestBatch>& recs) {
    for (auto& r : recs) ids.push_back(r.readings.front().point_id);
  });
  EXPECT_EQ(ids, (std::vector<int>{3, 4, 5}));
  EXPECT_EQ(again.pending(), 0u);
}

TEST_F(SpoolFile, DropUploadsTakesTheirReadingsAndEnterpriseAlarms) {
  IngestBatch b;
  for (int n = 1; n <= 3; ++n) {
    auto r = record(n, n);  // upload d<n> has n readings
    b.uploads.push_back(r.uploads[0]);
    b.readings.insert(b.readings.end(), r.readings.begin(), r.readings.end());
    b.enterprise_alarms.push_back(
        {"14010000001", "d" + std::to_string(n), "Q", "H", 1.0, 0.5, 0, std::nullopt});
  }
  b.alarms.push_back({});  // alarm changes are not per upload: they stay
  auto removed = hazmon::storage::drop_uploads(
      b, [](const hazmon::storage::UploadRecord& u) { return u.data_id == "d2"; });
  EXPECT_EQ(removed, 2u);
  ASSERT_EQ(b.uploads.size(), 2u);
  EXPECT_EQ(b.uploads[0].data_id, "d1");
  EXPECT_EQ(b.uploads[1].data_id, "d3");
  ASSERT_EQ(b.readings.size(), 4u);
  EXPECT_EQ(b.readings[0].point_id, 1);
  for (std::size_t i = 1; i < 4; ++i) EXPECT_EQ(b.readings[i].point_id, 3);
  ASSERT_EQ(b.enterprise_alarms.size(), 2u);
  EXPECT_EQ(b.enterprise_alarms[1].data_id, "d3");
  EXPECT_EQ(b.alarms.size(), 1u);

  // Readings that do not add up to the uploads' counts are left alone.
  IngestBatch odd = record(9, 3);
  odd.readings.pop_back();
  EXPECT_EQ(hazmon::storage::drop_uploads(odd, [](const auto&) { return true; }),
            std::string::npos);
  EXPECT_TRUE(odd.uploads.empty());
  EXPECT_EQ(odd.readings.size(), 2u);
}

// Alarm events go into the spool as their stored text ("escalated", "HH", "" for no previous
// type) and come back as the same enums.
TEST(SpoolRecord, AlarmEventsRoundTripWithTheirEnums) {
  using hazmon::model::AlarmEvent;
  using hazmon::model::AlarmTransition;
  using hazmon::model::AlarmType;
  IngestBatch b = record(1, 1);
  AlarmEvent raised;
  raised.point_id = 7;
  raised.quota_code = "Q7";
  raised.transition = AlarmTransition::raised;
  raised.type = AlarmType::frozen;
  raised.data_fault = true;
  raised.start_ms = 1000;
  raised.at_ms = 2000;
  AlarmEvent escalated = raised;
  escalated.transition = AlarmTransition::escalated;
  escalated.type = AlarmType::hh;
  escalated.previous_type = AlarmType::h;
  escalated.data_fault = false;
  escalated.threshold = 9.5;
  b.alarms = {raised, escalated};
  auto back = hazmon::storage::decode_batch(hazmon::storage::encode_batch(b));
  ASSERT_EQ(back.alarms.size(), 2u);
  EXPECT_EQ(back.alarms[0].transition, AlarmTransition::raised);
  EXPECT_EQ(back.alarms[0].type, AlarmType::frozen);
  EXPECT_FALSE(back.alarms[0].previous_type);
  EXPECT_TRUE(back.alarms[0].data_fault);
  EXPECT_FALSE(back.alarms[0].threshold);
  EXPECT_EQ(back.alarms[1].transition, AlarmTransition::escalated);
  EXPECT_EQ(back.alarms[1].type, AlarmType::hh);
  ASSERT_TRUE(back.alarms[1].previous_type);
  EXPECT_EQ(*back.alarms[1].previous_type, AlarmType::h);
  EXPECT_EQ(back.alarms[1].threshold.value_or(0), 9.5);
  EXPECT_EQ(back.alarms[1].quota_code, "Q7");
  EXPECT_EQ(back.alarms[1].at_ms, 2000);
}

// Where an upload came from (migration 0031) survives the spool: a replayed forwarded upload is
// still the city's, with its credential and newest collect time; a gateway's stays direct.
TEST(SpoolRecord, UploadOriginsRoundTrip) {
  IngestBatch b = record(1, 1);
  b.uploads.push_back({"14043100001", "140400:d2", "", "realtime", 2000, 1, "{}"});
  b.uploads[0].app_id = "gw-app";
  b.uploads[1].forwarded_by = "140400";
  b.uploads[1].app_id = "cz-platform";
  b.uploads[1].newest_collect_ms = 1500;
  auto back = hazmon::storage::decode_batch(hazmon::storage::encode_batch(b));
  ASSERT_EQ(back.uploads.size(), 2u);
  EXPECT_EQ(back.uploads[0].forwarded_by, "");
  EXPECT_EQ(back.uploads[0].app_id, "gw-app");
  EXPECT_FALSE(back.uploads[0].newest_collect_ms);
  EXPECT_EQ(back.uploads[1].forwarded_by, "140400");
  EXPECT_EQ(back.uploads[1].app_id, "cz-platform");
  EXPECT_EQ(back.uploads[1].newest_collect_ms.value_or(0), 1500);
  EXPECT_EQ(back.uploads[1].data_id, "140400:d2");
}
