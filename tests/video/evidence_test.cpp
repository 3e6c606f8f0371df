// Evidence and recording with the real pipeline: a camera_health event on a black picture
// gets a JPEG snapshot and an MP4 clip remuxed from the packet ring; recording writes
// MPEG-TS segments and retention deletes the oldest. Plus the pieces on their own: the packet
// ring's bounds, the drawing, the drop-oldest queue and the inference pool.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <cstdlib>
#include <latch>
#include <thread>

#include <hazmon/video/supervisor.hpp>

#include "frame_queue.hpp"
#include "inference_pool.hpp"
#include "packet_ring.hpp"
#include "remuxer.hpp"
#include "segment_recorder.hpp"
#include "snapshot.hpp"
#include "video_harness.hpp"

namespace hazmon::video {
namespace {

using namespace std::chrono;
using namespace test;

TEST(VideoEvidence, BlackPictureEventHasSnapshotAndClip) {
  RtspCamera cam(clips().black);
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  auto settings = fast_settings(dir.path, std::chrono::seconds(5));
  Supervisor sup(settings, log, clock);
  CameraConfig c;
  c.video_id = "cam-black";
  c.company_code = "91330000TEST0001X";
  c.rtsp_url = cam.url();
  c.allowed_networks = {kLoopbackRelays};
  c.analysers =
      nlohmann::json::parse(R"([{"type": "camera_health", "interval_ms": 500, "k": 2, "n": 2}])");
  c.rois = nlohmann::json::parse(
      R"([{"name": "门口", "polygon": [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9]]}])");
  sup.set_cameras({c});

  ASSERT_TRUE(log.wait_for([](auto& ev) { return !ev.empty() && ev[0].phase == EventPhase::start; },
                           seconds(20)));
  const VideoEvent start = log.events()[0];
  EXPECT_EQ(start.analyser, "camera_health");
  EXPECT_EQ(start.kind, "black");
  EXPECT_EQ(start.video_id, "cam-black");
  EXPECT_FALSE(start.episode_id.empty());
  ASSERT_FALSE(start.snapshot_path.empty());
  EXPECT_TRUE(fs::path(start.snapshot_path).is_relative());
  cv::Mat jpg = cv::imread((settings.evidence_dir / start.snapshot_path).string());
  ASSERT_FALSE(jpg.empty());
  EXPECT_EQ(jpg.cols, 426);  // the analysed frame (long side 426 <= 640), odd for swscale's SIMD
  EXPECT_EQ(jpg.rows, 240);
  // The ROI polygon is drawn on the black picture: its top edge has bright pixels.
  EXPECT_GT(cv::mean(jpg.row(24).colRange(50, 380))[0], 60.0);

  // The clip follows clip_after later in an update of the same episode.
  ASSERT_TRUE(log.wait_for(
      [](auto& ev) {
        for (auto& e : ev) {
          if (!e.clip_path.empty()) return true;
        }
        return false;
      },
      seconds(15)));
  VideoEvent update;
  for (auto& e : log.events()) {
    if (!e.clip_path.empty()) update = e;
  }
  EXPECT_EQ(update.phase, EventPhase::update);
  EXPECT_EQ(update.episode_id, start.episode_id);
  EXPECT_EQ(update.snapshot_path, start.snapshot_path);
  const double d = probe_duration(settings.evidence_dir / update.clip_path);
  // From a key frame up to clip_before + one GOP (1 s) before the event, to clip_after after it.
  EXPECT_GE(d, 2.0) << update.clip_path;
  EXPECT_LE(d, 5.5) << update.clip_path;
  EXPECT_EQ(
      sh("ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 '" +
         (settings.evidence_dir / update.clip_path).string() + "' | grep -qx h264"),
      0);
  EXPECT_GT(sup.status()[0].frames_analysed, 0u);
}

TEST(VideoEvidence, SubStreamIsAnalysedAndTheMainStreamGivesTheClip) {
  RtspCamera main_stream(clips().gop25), sub_stream(clips().black);  // 640x360 main, 426x240 sub
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  auto settings = fast_settings(dir.path, std::chrono::seconds(5));
  Supervisor sup(settings, log, clock);
  CameraConfig c;
  c.video_id = "cam-two";
  c.rtsp_url = main_stream.url();
  c.rtsp_sub_url = sub_stream.url();
  c.allowed_networks = {kLoopbackRelays};
  c.analysers =
      nlohmann::json::parse(R"([{"type": "camera_health", "interval_ms": 500, "k": 2, "n": 2}])");
  sup.set_cameras({c});
  ASSERT_TRUE(log.wait_for(
      [](auto& ev) {
        for (auto& e : ev) {
          if (!e.clip_path.empty()) return true;
        }
        return false;
      },
      seconds(25)));
  auto ev = log.events();
  EXPECT_EQ(ev[0].kind, "black");  // seen on the sub-stream
  EXPECT_EQ(sup.status()[0].width, 426);
  cv::Mat jpg = cv::imread((settings.evidence_dir / ev[0].snapshot_path).string());
  EXPECT_EQ(jpg.cols, 426);
  std::string clip;
  for (auto& e : ev) {
    if (!e.clip_path.empty()) clip = (settings.evidence_dir / e.clip_path).string();
  }
  // The clip comes from the main stream.
  EXPECT_EQ(sh("ffprobe -v error -select_streams v:0 -show_entries stream=width -of csv=p=0 '" +
               clip + "' | grep -qx 640"),
            0);
}

TEST(VideoEvidence, PacketRingStartsAtAKeyFrameAndCoversTheSpan) {
  AVFormatContext* fmt = nullptr;
  ASSERT_EQ(avformat_open_input(&fmt, clips().gop25.c_str(), nullptr, nullptr), 0);
  ASSERT_GE(avformat_find_stream_info(fmt, nullptr), 0);
  const AVRational tb = fmt->streams[0]->time_base;
  PacketRing ring(milliseconds(2000), 1u << 30);
  PacketPtr p(av_packet_alloc());
  std::int64_t last = 0;
  int n = 0;
  while (av_read_frame(fmt, p.get()) >= 0) {
    last = packet_ms(p.get(), tb);
    ring.push(p.get(), last);
    av_packet_unref(p.get());
    if (++n == 180) break;  // 7.2 s
  }
  ASSERT_FALSE(ring.entries().empty());
  EXPECT_TRUE(ring.entries().front().pkt->flags & AV_PKT_FLAG_KEY);
  const auto span = last - ring.entries().front().ms;
  EXPECT_GE(span, 2000);
  EXPECT_LT(span, 3000);  // span + at most one GOP

  // Remux the ring into an MP4 without re-encoding; it plays for about the span.
  TempDir dir;
  {
    Remuxer mux;
    mux.open(dir.path / "ring.mp4", "mp4", fmt->streams[0]->codecpar, tb);
    for (auto& e : ring.entries()) EXPECT_TRUE(mux.write(e.pkt.get()));
    EXPECT_TRUE(mux.close());
  }
  const double d = probe_duration(dir.path / "ring.mp4");
  EXPECT_NEAR(d, static_cast<double>(span) / 1000 + 0.04, 0.1);

  // The byte cap wins over the span: a tiny cap keeps a single GOP.
  PacketRing small(milliseconds(10000), 1);
  avformat_seek_file(fmt, -1, 0, 0, 0, 0);
  n = 0;
  while (av_read_frame(fmt, p.get()) >= 0 && ++n < 100) {
    small.push(p.get(), packet_ms(p.get(), tb));
    av_packet_unref(p.get());
  }
  int keys = 0;
  for (auto& e : small.entries()) keys += (e.pkt->flags & AV_PKT_FLAG_KEY) ? 1 : 0;
  EXPECT_LE(keys, 1);
  avformat_close_input(&fmt);
}

TEST(VideoEvidence, SnapshotHasBoxesAndRoisDrawn) {
  cv::Mat frame(360, 640, CV_8UC3, cv::Scalar(0, 0, 0));
  Box b{0.25, 0.25, 0.5, 0.5, 0.9, "person"};
  auto rois =
      roi_polygons(nlohmann::json::parse(R"([{"name": "a", "polygon": [[0,0.05],[1,0.05],[1,1]]},
                                                     {"name": "bad", "polygon": [[0,0]]}])"));
  ASSERT_EQ(rois.size(), 1u);
  cv::Mat out = draw_evidence(frame, {b}, rois, {});
  TempDir dir;
  write_jpeg(dir.path / "x/y.jpg", out);
  cv::Mat back = cv::imread((dir.path / "x/y.jpg").string());
  ASSERT_EQ(back.size(), frame.size());
  const cv::Vec3b edge = back.at<cv::Vec3b>(180, 160);  // left edge of the box
  EXPECT_GT(edge[2], 150);                              // red
  EXPECT_LT(edge[1], 100);
  EXPECT_GT(cv::mean(back.row(18))[0], 100);                   // the ROI's top edge at y = 0.05
  EXPECT_LT(cv::mean(back.row(300).colRange(0, 100))[0], 10);  // elsewhere still black
  EXPECT_FALSE(fs::exists(dir.path / "x/y.jpg.part"));
}

TEST(VideoQueue, DropOldestQueueCountsDrops) {
  DropOldestQueue<int> q(2);
  EXPECT_EQ(q.push(1), 0u);
  EXPECT_EQ(q.push(2), 0u);
  EXPECT_EQ(q.push(3), 1u);
  EXPECT_EQ(*q.pop(), 2);
  EXPECT_EQ(*q.pop(), 3);
  EXPECT_FALSE(q.pop());
}

TEST(VideoQueue, InferencePoolNeverBlocksTheProducerAndDropsTheOldest) {
  InferencePool pool(1, ModelPaths{});
  std::latch entered(1), release(1);
  std::mutex mu;
  std::vector<std::int64_t> seen;
  auto slot = pool.add(2, [&](const AnalysisFrame& f, InferenceContext*) {
    {
      std::lock_guard lock(mu);
      seen.push_back(f.pts_ms);
    }
    if (f.pts_ms == 0) {
      entered.count_down();
      release.wait();  // a slow inference
    }
  });
  auto frame = [](std::int64_t ms) {
    AnalysisFrame f;
    f.pts_ms = ms;
    return f;
  };
  EXPECT_EQ(pool.push(slot, frame(0)), 0u);
  entered.wait();
  std::size_t dropped = 0;
  const auto t0 = steady_clock::now();
  for (int i = 1; i <= 5; ++i) dropped += pool.push(slot, frame(i));
  EXPECT_LT(steady_clock::now() - t0, milliseconds(100));  // the producer did not wait
  EXPECT_EQ(dropped, 3u);
  EXPECT_EQ(pool.queued(slot), 2u);
  release.count_down();
  ASSERT_TRUE(eventually(
      [&] {
        std::lock_guard l(mu);
        return seen.size() == 3;
      },
      seconds(5)));
  std::lock_guard l(mu);
  EXPECT_EQ(seen, (std::vector<std::int64_t>{0, 4, 5}));
  pool.remove(slot);
}

TEST(VideoRecording, SegmentsAreWrittenAndRetentionDeletesTheOldest) {
  RtspCamera cam(clips().gop25);
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  auto settings = fast_settings(dir.path, std::chrono::seconds(5));
  std::vector<Segment> segments;
  std::mutex mu;
  {
    Supervisor sup(settings, log, clock);
    sup.on_segment([&](const Segment& s) {
      std::lock_guard lock(mu);
      segments.push_back(s);
    });
    CameraConfig c;
    c.video_id = "cam-rec";
    c.rtsp_url = cam.url();
    c.allowed_networks = {kLoopbackRelays};
    c.record = true;
    sup.set_cameras({c});
    ASSERT_TRUE(eventually(
        [&] {
          std::lock_guard l(mu);
          return segments.size() >= 3;
        },
        seconds(20)));
  }  // stopping closes the open segment too
  std::lock_guard lock(mu);
  for (const auto& s : segments) {
    EXPECT_EQ(s.video_id, "cam-rec");
    EXPECT_TRUE(s.path.is_relative());
    ASSERT_TRUE(fs::exists(settings.recording_dir / s.path)) << s.path;
    EXPECT_EQ(fs::file_size(settings.recording_dir / s.path), s.bytes);
  }
  for (std::size_t i = 0; i + 1 < segments.size();
       ++i) {  // full segments: cut at key frames after 2 s
    const double d = probe_duration(settings.recording_dir / segments[i].path);
    EXPECT_GE(d, 1.5) << segments[i].path;
    EXPECT_LE(d, 3.2) << segments[i].path;
    EXPECT_NEAR(static_cast<double>(segments[i].duration.count()) / 1000, 2.0, 1.1);
  }
  // Segments of one session keep the stream's timestamps: each starts where the previous ended.
  auto start_time = [&](const Segment& s) {
    FILE* p = ::popen(("ffprobe -v error -show_entries format=start_time -of csv=p=0 '" +
                       (settings.recording_dir / s.path).string() + "'")
                          .c_str(),
                      "r");
    char buf[64] = {0};
    if (!p || !std::fgets(buf, sizeof buf, p)) return -1.0;
    ::pclose(p);
    return std::atof(buf);
  };
  const double t0 = start_time(segments[0]), t1 = start_time(segments[1]);
  EXPECT_NEAR(t1 - t0, probe_duration(settings.recording_dir / segments[0].path), 0.2);

  auto scanned = scan_segments(settings.recording_dir);
  ASSERT_EQ(scanned.size(), segments.size());
  EXPECT_EQ(scanned[0].path, segments[0].path);
  EXPECT_EQ(duration_cast<milliseconds>(scanned[0].start.time_since_epoch()),
            duration_cast<milliseconds>(segments[0].start.time_since_epoch()));

  // Disk budget: everything but the oldest fits, so exactly the oldest goes.
  std::uint64_t total = 0;
  for (auto& s : scanned) total += s.bytes;
  auto removed =
      enforce_retention(settings.recording_dir, 7, total - scanned[0].bytes, clock.now());
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].path, scanned[0].path);
  EXPECT_FALSE(fs::exists(settings.recording_dir / scanned[0].path));
  // Age: two days on, with one day of retention, the rest goes.
  removed = enforce_retention(settings.recording_dir, 1, 1ull << 40, clock.now() + hours(48));
  EXPECT_EQ(removed.size(), scanned.size() - 1);
  EXPECT_TRUE(scan_segments(settings.recording_dir).empty());
}

}  // namespace
}  // namespace hazmon::video
