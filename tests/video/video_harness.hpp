#pragma once
// Real parts for the video tests: H.264 clips made with ffmpeg, a gst-rtsp-server relay and an
// ffmpeg feeder per camera (tests/support/gst_rtsp_relay.py), started and stopped by the PIDs
// this process spawned, on free loopback ports.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <sys/types.h>

#include <hazmon/video/supervisor.hpp>
#include <hazmon/video/video_event.hpp>

namespace hazmon::video::test {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed by the destructor.
struct TempDir {
  TempDir();
  ~TempDir();
  fs::path path;
};

int free_tcp_port();
int free_udp_port();

// Runs a shell command line, returns its exit status.
int sh(const std::string& cmd);
// ffprobe: duration of a media file in seconds (-1 when ffprobe cannot read it).
double probe_duration(const fs::path& file);

// The clips all tests share, generated once per binary (about 5 s of encoding).
struct Clips {
  fs::path gop25;      // 640x360 25 fps, 10 s, GOP 25 (1 s), no B-frames
  fs::path gop50;      // same, GOP 50 (2 s)
  fs::path black;      // 426x240 black, 4 s, GOP 25 (a width that is not a multiple of 16)
  fs::path res_change; // MPEG-TS: 3 s at 640x360 then 3 s at 320x180
};
const Clips& clips();

pid_t spawn(const std::vector<std::string>& argv, const fs::path& log);
void kill_and_wait(pid_t& pid);

class RtspCamera {
 public:
  explicit RtspCamera(fs::path clip, std::string user = "", std::string password = "");
  ~RtspCamera();
  std::string url() const;  // without credentials
  void start_relay();
  void stop_relay();
  void start_feeder();
  void stop_feeder();

 private:
  fs::path clip_;
  std::string user_, password_;
  int rtsp_port_, ts_port_;
  pid_t relay_ = -1, feeder_ = -1;
  TempDir dir_;
};

// Collects events; tests wait on a predicate over everything seen so far.
class EventLog final : public EventSink {
 public:
  void on_video_event(const VideoEvent& e) override;
  std::vector<VideoEvent> events() const;
  bool wait_for(const std::function<bool(const std::vector<VideoEvent>&)>& pred, std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<VideoEvent> events_;
};

// Polls pred every 50 ms until it holds or the timeout passes.
// Settings that make reconnects, offline detection, clips and segments quick enough for tests.
VideoSettings fast_settings(const fs::path& dir, std::chrono::seconds offline_after);

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

}  // namespace hazmon::video::test
