// The review workflow end to end with the real pipeline (ctest hazmon_videoreviewtest, label
// video): a gst-rtsp-server relay serves the FURG fire clip, a camera row is created through the
// API, the registry change reaches a video::Supervisor through VideoService, the fire analyser's
// event arrives pending with a snapshot and a clip that ffprobe reads, and a province officer's
// confirmation makes a red warning event. Skipped (with the reason) where gst-rtsp-server for
// Python is not installed.
//
// The camera records and the pipeline has a metrics registry, as in hazmond.
#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/video/supervisor.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_server.hpp"
#include "video_harness.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

std::string probe_codec(const std::string& bytes, const std::string& ext) {
  video::test::TempDir dir;
  auto file = dir.path / ("probe" + ext);
  std::ofstream(file, std::ios::binary) << bytes;
  auto out_file = dir.path / "probe.txt";
  video::test::sh(
      "ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 '" +
      file.string() + "' > '" + out_file.string() + "' 2>&1");
  std::ifstream in(out_file);
  std::string line;
  std::getline(in, line);
  return line;
}

TEST(VideoEndToEnd, FireOnARealRtspCameraIsReviewedIntoAWarningEvent) {
  fs::path clip = fs::path(HAZMON_SOURCE_DIR) / "tests/data/video-eval/furg_house6.mp4";
  // scripts/setup.sh installs everything this needs: a missing piece is a failure, not a skip.
  ASSERT_TRUE(fs::exists(clip)) << clip << " is missing";
  ASSERT_EQ(std::system("/usr/bin/python3 -c 'import gi; gi.require_version(\"GstRtspServer\", "
                        "\"1.0\")' 2>/dev/null"),
            0)
      << "gst-rtsp-server for Python is not installed (scripts/setup.sh)";

  video::test::RtspCamera camera(clip);  // relay and feeder running

  TestServer srv(shared_db(), [] {
    TestServerOptions o;
    o.video = true;
    return o;
  }());
  core::SystemClock clock;  // the pipeline runs in real time
  video::VideoSettings vs;
  vs.evidence_dir = srv.evidence_dir();
  vs.recording_dir = srv.recording_dir();
  vs.models_dir = fs::path(HAZMON_SOURCE_DIR) / "models";
  vs.clip_before = seconds(2);
  vs.clip_after = seconds(2);
  vs.segment_length = seconds(2);
  core::Metrics metrics;  // as hazmond: the publisher thread reads status and costs every second
  video::Supervisor pipeline(vs, srv.video(), clock, &metrics);
  pipeline.on_segment([&srv](const video::Segment& s) { srv.video().add_segment(s); });
  srv.video().on_cameras(
      [&pipeline](const std::vector<video::CameraConfig>& cams) { pipeline.set_cameras(cams); });

  auto c = srv.client();
  auto admin = srv.make_user("e2e_admin", "province_admin");
  auto officer = srv.make_user("e2e_prov", "province_officer");
  const std::string company = "14070239001", cam = "E2EFIRE01";
  auto r = c.post_json(
      "/api/v1/regions",
      {{"code", "140702"}, {"name", "榆次区"}, {"level", "county"}, {"parent_code", "140700"}},
      admin);
  ASSERT_TRUE(r.status == 201 || r.status == 409) << r.body;
  ASSERT_EQ(
      c.post_json(
           "/api/v1/enterprises",
           {{"company_code", company}, {"name", "端到端视频测试公司"}, {"region_code", "140702"}},
           admin)
          .status,
      201);
  r = c.post_json("/api/v1/cameras",
                  {{"video_id", cam},
                   {"company_code", company},
                   {"name", "储罐区球机"},
                   {"scene_type", "tank_farm"},
                   {"location", "罐区西南角"},
                   {"rtsp_url", camera.url()},
                   {"record", true},
                   {"analysers", json::array({{{"type", "fire_smoke"}}})}},
                  admin);
  ASSERT_EQ(r.status, 201) << r.body;

  // The camera change reaches the pipeline; the flames are in every frame of the clip.
  json event;
  auto deadline = steady_clock::now() + seconds(60);
  while (steady_clock::now() < deadline) {
    srv.video().flush();
    auto l = c.get("/api/v1/video/events?analyser=fire&video_id=" + cam, officer);
    ASSERT_EQ(l.status, 200) << l.body;
    if (!l.json()["items"].empty() && l.json()["items"][0]["clip_url"].is_string()) {
      event = l.json()["items"][0];
      break;
    }
    std::this_thread::sleep_for(milliseconds(500));
  }
  ASSERT_FALSE(event.is_null()) << "no fire event with a clip within 60 s";
  EXPECT_EQ(event["review_state"], "pending");
  EXPECT_EQ(event["company_code"], company);
  EXPECT_GT(event["confidence"].get<double>(), 0.5);
  ASSERT_TRUE(event["snapshot_url"].is_string());

  auto snap = c.get(event["snapshot_url"].get<std::string>(), officer);
  ASSERT_EQ(snap.status, 200);
  EXPECT_EQ(snap.header("content-type"), "image/jpeg");
  EXPECT_EQ(probe_codec(snap.body, ".jpg"), "mjpeg");
  auto mp4 = c.get(event["clip_url"].get<std::string>(), officer);
  ASSERT_EQ(mp4.status, 200);
  EXPECT_EQ(mp4.header("content-type"), "video/mp4");
  EXPECT_EQ(probe_codec(mp4.body, ".mp4"), "h264");

  auto id = std::to_string(event["id"].get<long long>());
  auto rv = c.post_json("/api/v1/video/events/" + id + "/review",
                        {{"decision", "confirm"}, {"reason", "视频复核：罐区起火"}}, officer);
  ASSERT_EQ(rv.status, 200) << rv.body;
  auto w = c.get(
      "/api/v1/warning-events/" + std::to_string(rv.json()["warning_event_id"].get<long long>()),
      officer);
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_EQ(w.json()["level"], "red");
  EXPECT_EQ(w.json()["status"], "pushed");
  EXPECT_EQ(w.json()["source"], "video_ai");
  EXPECT_NE(w.json()["content"].get<std::string>().find("储罐区球机"), std::string::npos);

  // The camera is online in its status (the pipeline is the live source once hooked up).
  srv.video().status_source([&pipeline] { return pipeline.status(); });
  auto st = c.get("/api/v1/cameras/" + cam + "/status", officer);
  ASSERT_EQ(st.status, 200);
  EXPECT_EQ(st.json()["state"], "online");

  // Recording: finished segments are indexed and the live playlist names them.
  std::string live;
  for (int i = 0; i < 30 && live.empty(); ++i) {
    srv.video().flush();
    auto l = c.get("/api/v1/cameras/" + cam + "/live.m3u8", officer);
    if (l.status == 200)
      live = l.body;
    else
      std::this_thread::sleep_for(milliseconds(500));
  }
  EXPECT_NE(live.find("/api/v1/video/segments/"), std::string::npos)
      << "no segment indexed within 15 s";
  pipeline.stop();
  srv.video().status_source({});
  srv.video().on_cameras({});
}

}  // namespace
