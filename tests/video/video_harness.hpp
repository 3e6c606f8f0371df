#pragma once
// Real parts for the video tests: H.264 clips made with ffmpeg, a gst-rtsp-server relay and an
// ffmpeg feeder per camera (tests/support/gst_rtsp_relay.py), started and stopped by the PIDs
// this process spawned, on free loopback ports.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
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
  fs::path gop25;       // 640x360 25 fps, 10 s, GOP 25 (1 s), no B-frames
  fs::path gop50;       // same, GOP 50 (2 s)
  fs::path black;       // 426x240 black, 4 s, GOP 25 (a width that is not a multiple of 16)
  fs::path res_change;  // MPEG-TS: 3 s at 640x360 then 3 s at 320x180
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

// A plain TCP listener standing in for a hostile "camera" (issue 9): it records every byte it
// receives and answers each RTSP request, echoing its CSeq, with a Basic-auth challenge (which is
// what makes an RTSP client send the credentials it has), a redirect to `redirect_to`, or nothing;
// or (`mjpeg`) as a minimal RTSP server offering a Motion-JPEG stream (a codec cameras must not
// use).
class RtspListener {
 public:
  enum class Mode { challenge, redirect, silent, mjpeg };
  explicit RtspListener(Mode mode = Mode::challenge, std::string address = "127.0.0.1",
                        std::string redirect_to = "");
  ~RtspListener();
  RtspListener(const RtspListener&) = delete;
  std::string url(const std::string& path = "/cam") const;
  int port() const { return port_; }
  std::string received() const;  // everything, all connections
  int connections() const { return connections_; }

 private:
  void serve(int fd);
  Mode mode_;
  std::string address_, redirect_to_;
  int port_ = 0, fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::string received_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

// Collects events; tests wait on a predicate over everything seen so far.
class EventLog final : public EventSink {
 public:
  void on_video_event(const VideoEvent& e) override;
  std::vector<VideoEvent> events() const;
  bool wait_for(const std::function<bool(const std::vector<VideoEvent>&)>& pred,
                std::chrono::milliseconds timeout);

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<VideoEvent> events_;
};

// Polls pred every 50 ms until it holds or the timeout passes.
// Settings that make reconnects, offline detection, clips and segments quick enough for tests.
VideoSettings fast_settings(const fs::path& dir, std::chrono::seconds offline_after);
// CameraConfig::allowed_networks for the relays of these tests (loopback is never allowed
// unless named: issue 9).
inline constexpr const char* kLoopbackRelays = "127.0.0.1/32";

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout);

}  // namespace hazmon::video::test
