// Alarm changes of one group commit are folded into one row per episode and written with two
// statements (ReadingStore): these cases make several changes of one point land in the same
// upload (hence the same group) and check the episodes that end up in PostgreSQL.
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>

#include "ingest_fixture.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {
// The ingest fixture with the default offline timer, plus helpers for switch readings, posting
// an upload and reading the episodes back.
struct GroupFixture : IngestFixture {
  GroupFixture() : IngestFixture(300) {}

  json sw(int seconds_ago, int v) {
    return {{"quotaCode", kSwitch}, {"collectTime", at(seconds_ago)}, {"switchValue", v}};
  }
  HttpResult post(const std::string& data_id, json datas) {
    return c.post_json("/api/v1/upload/realtime", upload(data_id, std::move(datas)), gateway);
  }
  // Episodes of a point, oldest first, straight from the table.
  json episodes(const std::string& quota) {
    return shared_db().db().in_tx([&](storage::Tx& tx) {
      return tx.exec(
          "SELECT alarm_type, threshold, peak_value, last_value, end_ts IS NOT NULL AS ended, "
          "extract(epoch FROM coalesce(end_ts, start_ts) - start_ts)::int AS dur, suppressed FROM "
          "alarm "
          "WHERE quota_code = $1 AND origin = 'platform' ORDER BY start_ts, id",
          {quota});
    });
  }
};
}  // namespace

TEST(IngestGroup, RaiseEscalateAndClearInOneUploadAreOneEpisode) {
  GroupFixture f;
  // H from -300 s (raised at -270), HH from -240 (escalated at -210), back to normal at -150.
  auto r = f.post("g-1", json::array({f.item(f.kLevel, 300, 16), f.item(f.kLevel, 270, 16.2),
                                      f.item(f.kLevel, 240, 18.5), f.item(f.kLevel, 210, 19.1),
                                      f.item(f.kLevel, 180, 18.7), f.item(f.kLevel, 150, 10)}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto eps = f.episodes(f.kLevel);
  ASSERT_EQ(eps.size(), 1u) << eps.dump();
  EXPECT_EQ(eps[0]["alarm_type"], "HH");
  EXPECT_DOUBLE_EQ(eps[0]["threshold"].get<double>(), 18);
  EXPECT_DOUBLE_EQ(eps[0]["peak_value"].get<double>(), 19.1);
  EXPECT_DOUBLE_EQ(eps[0]["last_value"].get<double>(), 10);
  EXPECT_EQ(eps[0]["ended"], true);
  EXPECT_EQ(eps[0]["dur"], 150);
}

TEST(IngestGroup, EpisodeOpenFromAnEarlierGroupIsUpdatedThenANewOneStarts) {
  GroupFixture f;
  ASSERT_EQ(
      f.post("g-2a", json::array({f.item(f.kLevel, 600, 16), f.item(f.kLevel, 570, 16.5)})).status,
      200);
  auto open = f.episodes(f.kLevel);
  ASSERT_EQ(open.size(), 1u) << open.dump();
  EXPECT_EQ(open[0]["ended"], false);
  // Second upload: escalate the open one, end it, then raise and end a second episode (L).
  auto r = f.post("g-2b", json::array({f.item(f.kLevel, 540, 18.4), f.item(f.kLevel, 510, 18.9),
                                       f.item(f.kLevel, 480, 9), f.item(f.kLevel, 450, 1.5),
                                       f.item(f.kLevel, 420, 1.2), f.item(f.kLevel, 390, 1.0),
                                       f.item(f.kLevel, 360, 8)}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto eps = f.episodes(f.kLevel);
  ASSERT_EQ(eps.size(), 2u) << eps.dump();
  EXPECT_EQ(eps[0]["alarm_type"], "HH");
  EXPECT_DOUBLE_EQ(eps[0]["threshold"].get<double>(), 18);
  EXPECT_DOUBLE_EQ(eps[0]["peak_value"].get<double>(), 18.9);
  EXPECT_DOUBLE_EQ(eps[0]["last_value"].get<double>(), 9);
  EXPECT_EQ(eps[0]["ended"], true);
  EXPECT_EQ(eps[0]["dur"], 120);
  EXPECT_EQ(eps[1]["alarm_type"], "L");
  EXPECT_DOUBLE_EQ(eps[1]["peak_value"].get<double>(), 1.0);
  EXPECT_EQ(eps[1]["ended"], true);
  EXPECT_EQ(eps[1]["dur"], 90);
}

TEST(IngestGroup, ManySwitchEpisodesInOneUploadAndGatewaySeen) {
  GroupFixture f;
  // Three on/off cycles of a debounce-0 switch, the last one left on.
  auto r = f.post("g-3", json::array({f.sw(100, 1), f.sw(90, 0), f.sw(80, 1), f.sw(70, 1),
                                      f.sw(60, 0), f.sw(50, 1)}));
  ASSERT_EQ(r.status, 200) << r.body;
  auto eps = f.episodes(f.kSwitch);
  ASSERT_EQ(eps.size(), 3u) << eps.dump();
  EXPECT_EQ(eps[0]["ended"], true);
  EXPECT_EQ(eps[0]["dur"], 10);
  EXPECT_EQ(eps[1]["ended"], true);
  EXPECT_EQ(eps[1]["dur"], 20);
  EXPECT_EQ(eps[2]["ended"], false);
  // The next upload ends the open one (an existing episode closed by the batched update).
  ASSERT_EQ(f.post("g-4", json::array({f.sw(40, 0)})).status, 200);
  eps = f.episodes(f.kSwitch);
  ASSERT_EQ(eps.size(), 3u) << eps.dump();
  EXPECT_EQ(eps[2]["ended"], true);
  EXPECT_EQ(eps[2]["dur"], 10);
  auto seen = shared_db().db().in_tx([&](storage::Tx& tx) {
    return tx.exec_one(
        "SELECT last_seen_at IS NOT NULL AS seen FROM gateway WHERE gateway_code = $1",
        {f.kGateway});
  });
  EXPECT_EQ(seen["seen"], true);
}
