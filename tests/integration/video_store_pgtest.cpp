// storage::VideoStore against PostgreSQL: an episode upserted and read back with its enums, the
// scope on events and cameras, the list filters, a review, the statistics counts, stored camera
// states and recording summaries, and a camera search whose q holds LIKE wildcards.
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/video_store.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::core::SysTime;
using hazmon::storage::Tx;
using hazmon::storage::VideoStore;
using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;

namespace {

const std::string kE1 = "14010577701", kE2 = "14010577702";

SysTime at(int minute) {
  return time_point_cast<SysTime::duration>(sys_days{year{2026} / 12 / 6} + hours(2) +
                                            minutes(minute) + milliseconds(250));
}

class VideoStorePg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto& d = shared_db();
    d.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES ('140105', '小店区', 'county', "
        "'140100') ON CONFLICT DO NOTHING");
    d.exec("INSERT INTO enterprise(company_code, name, region_code, status) VALUES ('" + kE1 +
           "', '视频存储一化工', '140105', 'operating'), ('" + kE2 +
           "', '视频存储二化工', '140105', 'operating')");
    // Two cameras whose names differ only where q has its wildcards.
    d.exec(
        "INSERT INTO camera(video_id, company_code, name, scene_type, location, rtsp_url) VALUES "
        "('VS1', '" +
        kE1 + "', '罐区%_一号', 'tank_farm', '东侧', 'rtsp://10.0.0.1/a'), ('VS2', '" + kE1 +
        "', '罐区xy一号', 'tank_farm', NULL, NULL), ('VS3', '" + kE2 +
        "', '大门', 'gate', NULL, 'rtsp://10.0.0.2/a')");
  }

  storage::Database& db = shared_db().db();
  VideoStore store;
  model::Scope province = model::Scope::province();
  model::Scope e2 = model::Scope::enterprise(kE2);

  storage::VideoEventWrite event(const std::string& cam, const std::string& episode,
                                 model::VideoAnalyser a, int minute) {
    storage::VideoEventWrite w;
    w.video_id = cam;
    w.analyser = a;
    w.kind = model::to_string(a);
    w.episode_id = episode;
    w.confidence = 0.75;
    w.boxes = R"([{"x":0.1,"y":0.2,"w":0.3,"h":0.4,"score":0.75,"label":"fire"}])";
    w.roi_name = "罐区";
    w.started_at = at(minute);
    w.snapshot_path = "2026/s.jpg";
    return w;
  }
  long long only_id(Tx& tx, const std::string& cam) {
    storage::VideoEventFilter f;
    f.video_id = cam;
    auto page = store.list(tx, province, f, 10, 0);
    EXPECT_EQ(page.total, 1);
    return page.items.empty() ? 0 : page.items[0].id;
  }
};

TEST_F(VideoStorePg, EpisodeUpsertAndReadBackTyped) {
  auto tx = db.begin();
  EXPECT_FALSE(store.upsert_event(tx, event("NOSUCHCAM", "ep", model::VideoAnalyser::fire, 1)))
      << "an unknown camera writes nothing";
  ASSERT_TRUE(store.upsert_event(tx, event("VS1", "ep1", model::VideoAnalyser::fire, 1)));
  // The end of the episode: phase end, the clip, no boxes (the first ones stay).
  auto end = event("VS1", "ep1", model::VideoAnalyser::fire, 1);
  end.phase = model::VideoPhase::end;
  end.boxes = "[]";
  end.ended_at = at(3);
  end.clip_path = "2026/c.mp4";
  ASSERT_TRUE(store.upsert_event(tx, end));
  auto id = only_id(tx, "VS1");
  auto d = store.find(tx, province, id, false);
  ASSERT_TRUE(d);
  const auto& e = d->event;
  EXPECT_EQ(e.video_id, "VS1");
  EXPECT_EQ(e.camera_name, "罐区%_一号");
  EXPECT_EQ(e.camera_location, std::optional<std::string>("东侧"));
  EXPECT_EQ(e.company_name, "视频存储一化工");
  EXPECT_EQ(e.analyser, model::VideoAnalyser::fire);
  EXPECT_EQ(e.phase, model::VideoPhase::end);
  EXPECT_EQ(e.review_state, model::VideoReviewState::pending);
  EXPECT_DOUBLE_EQ(e.confidence, 0.75);
  EXPECT_NE(e.boxes.find("\"label\": \"fire\""), std::string::npos) << e.boxes;
  EXPECT_EQ(e.started_at, at(1));
  EXPECT_EQ(e.ended_at, std::optional<SysTime>(at(3)));
  EXPECT_TRUE(e.has_snapshot);
  EXPECT_TRUE(e.has_clip);
  EXPECT_EQ(d->snapshot_path, std::optional<std::string>("2026/s.jpg"));
  EXPECT_EQ(d->clip_path, std::optional<std::string>("2026/c.mp4"));
  EXPECT_FALSE(d->hazard_code);
  EXPECT_FALSE(store.find(tx, e2, id, false)) << "another enterprise's event is absent";

  // A camera health episode needs no review.
  ASSERT_TRUE(store.upsert_event(tx, event("VS3", "h1", model::VideoAnalyser::camera_health, 2)));
  storage::VideoEventFilter f;
  f.state = model::VideoReviewState::not_required;
  auto page = store.list(tx, e2, f, 10, 0);
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].analyser, model::VideoAnalyser::camera_health);
  f.state = model::VideoReviewState::pending;
  EXPECT_EQ(store.list(tx, e2, f, 10, 0).total, 0);
  f = {};
  f.video_id = "VS3";
  f.from = at(2);
  EXPECT_EQ(store.list(tx, province, f, 10, 0).total, 1) << "from is inclusive";
  f.from = at(3);
  EXPECT_EQ(store.list(tx, province, f, 10, 0).total, 0);
}

TEST_F(VideoStorePg, ReviewAndStatistics) {
  auto tx = db.begin();
  ASSERT_TRUE(store.upsert_event(tx, event("VS2", "r1", model::VideoAnalyser::smoke, 5)));
  auto id = only_id(tx, "VS2");
  storage::VideoReviewWrite r;
  r.state = model::VideoReviewState::rejected;
  r.reviewer_id = 7;
  r.reviewer_name = "审核员";
  r.reviewer_role = "city_officer";
  r.at = at(10);
  r.reason = "水汽";
  store.save_review(tx, id, r);
  auto d = store.find(tx, province, id, true);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->event.review_state, model::VideoReviewState::rejected);
  EXPECT_EQ(d->event.reviewed_by, std::optional<long long>(7));
  EXPECT_EQ(d->event.review_reason, std::optional<std::string>("水汽"));
  EXPECT_EQ(d->event.reviewed_at, std::optional<SysTime>(at(10)));

  storage::VideoStatsFilter sf;
  sf.company_code = kE1;
  sf.analyser = model::VideoAnalyser::smoke;
  auto s = store.statistics(tx, province, sf);
  EXPECT_EQ(s.totals.events, 1);
  EXPECT_EQ(s.totals.rejected, 1);
  EXPECT_EQ(s.totals.pending, 0);
  EXPECT_EQ(s.totals.false_alarm_rate, std::optional<double>(1.0));
  ASSERT_EQ(s.by_camera.size(), 1u);
  EXPECT_EQ(s.by_camera[0].video_id, "VS2");
  ASSERT_EQ(s.by_enterprise.size(), 1u);
  EXPECT_EQ(s.by_enterprise[0].rank, 1);
  EXPECT_EQ(s.by_enterprise[0].region_code, "140105");
  ASSERT_EQ(s.by_city.size(), 1u);
  EXPECT_EQ(s.by_city[0].city_code, "140100");
  ASSERT_EQ(s.by_period.size(), 1u);
  EXPECT_EQ(s.by_period[0].period, "2026-12-06") << "the day in UTC+8";
  sf.analyser = model::VideoAnalyser::leak;
  s = store.statistics(tx, province, sf);
  EXPECT_EQ(s.totals.events, 0);
  EXPECT_FALSE(s.totals.false_alarm_rate) << "nothing reviewed: no rate";
  EXPECT_TRUE(s.by_analyser.empty());
}

TEST_F(VideoStorePg, CameraStatesSearchStatusAndRecording) {
  auto tx = db.begin();
  // q's % and _ match themselves: only the camera with those characters in its name.
  auto page = store.camera_states(tx, province, kE1, "%_", 10, 0);
  ASSERT_EQ(page.total, 1);
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].camera.video_id, "VS1");
  EXPECT_EQ(store.camera_states(tx, province, kE1, "区", 10, 0).total, 2);
  EXPECT_EQ(store.camera_states(tx, e2, "", "罐区", 10, 0).total, 0) << "outside the scope";

  EXPECT_EQ(page.items[0].status.source, model::StatusSource::none) << "never stored";
  EXPECT_EQ(page.items[0].recording.segments, 0);
  storage::CameraStatusWrite st;
  st.video_id = "VS1";
  st.state = model::StreamState::online;
  st.last_frame_at = at(20);
  st.width = 1920;
  st.height = 1080;
  st.frames_analysed = 42;
  st.updated_at = at(21);
  store.save_status(tx, st);
  store.add_segment(tx, {"VS1", "VS1/2026-12-06/1.ts", at(20), 6000, 1000});
  store.add_segment(tx, {"VS1", "VS1/2026-12-06/2.ts", at(21), 6000, 500});
  page = store.camera_states(tx, province, kE1, "", 10, 0);
  ASSERT_EQ(page.items.size(), 2u);
  const auto& c = page.items[0];
  EXPECT_EQ(c.camera.video_id, "VS1");
  EXPECT_TRUE(c.camera.has_stream);
  EXPECT_FALSE(page.items[1].camera.has_stream);
  EXPECT_EQ(c.status.source, model::StatusSource::stored);
  EXPECT_EQ(c.status.state, model::StreamState::online);
  EXPECT_EQ(c.status.frames_analysed, 42);
  EXPECT_EQ(c.status.updated_at, std::optional<SysTime>(at(21)));
  EXPECT_EQ(c.recording.segments, 2);
  EXPECT_EQ(c.recording.bytes, 1500);
  EXPECT_EQ(c.recording.first_segment_at, std::optional<SysTime>(at(20)));
  EXPECT_EQ(store.recording(tx, "VS1").last_segment_at, std::optional<SysTime>(at(21)));
  auto segs = store.latest_segments(tx, "VS1", 1);
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segs[0].seq, 2);
  EXPECT_EQ(store.segments(tx, "VS1", at(20) + seconds(7), at(30)).size(), 1u);
  EXPECT_TRUE(store.segment_path(tx, province, segs[0].id));
  EXPECT_FALSE(store.segment_path(tx, e2, segs[0].id));
}

}  // namespace
