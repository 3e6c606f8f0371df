#include "video_harness.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <hazmon/core/log.hpp>

extern char** environ;

namespace hazmon::video::test {

namespace {
// HAZMON_VIDEO_TEST_DEBUG=1: the video logger (and FFmpeg's lines through it) at debug level.
const bool debug_logging = [] {
  if (std::getenv("HAZMON_VIDEO_TEST_DEBUG")) core::setup_logging({.level = "debug"});
  return true;
}();
}  // namespace

using namespace std::chrono;

TempDir::TempDir() {
  std::random_device rd;
  path = fs::temp_directory_path() /
         ("hazmon-video-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(path);
}
TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path, ec);
}

namespace {
int free_port(int type) {
  int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    throw std::runtime_error("no free port");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}
}  // namespace

int free_tcp_port() { return free_port(SOCK_STREAM); }
int free_udp_port() { return free_port(SOCK_DGRAM); }

int sh(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

double probe_duration(const fs::path& file) {
  std::string cmd = "ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 '" +
                    file.string() + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::array<char, 128> buf{};
  std::string out;
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  if (::pclose(p) != 0) return -1;
  try {
    return std::stod(out);
  } catch (...) {
    return -1;
  }
}

const Clips& clips() {
  static TempDir dir;
  static Clips c = [] {
    Clips c;
    const std::string enc =
        " -c:v libx264 -preset ultrafast -pix_fmt yuv420p -bf 0 -sc_threshold 0 -an ";
    const std::string ff = "ffmpeg -nostdin -loglevel error -y -f lavfi -i ";
    c.gop25 = dir.path / "gop25.mp4";
    c.gop50 = dir.path / "gop50.mp4";
    c.black = dir.path / "black.mp4";
    c.res_change = dir.path / "res_change.ts";
    auto a = dir.path / "a.ts", b = dir.path / "b.ts";
    const bool ok =
        sh(ff + "testsrc2=size=640x360:rate=25 -t 10 -g 25 -keyint_min 25" + enc + "'" +
           c.gop25.string() + "'") == 0 &&
        sh(ff + "testsrc2=size=640x360:rate=25 -t 10 -g 50 -keyint_min 50" + enc + "'" +
           c.gop50.string() + "'") == 0 &&
        sh(ff + "color=black:size=426x240:rate=25 -t 4 -g 25" + enc + "'" + c.black.string() +
           "'") == 0 &&
        sh(ff + "testsrc2=size=640x360:rate=25 -t 3 -g 25" + enc + "-f mpegts '" + a.string() +
           "'") == 0 &&
        sh(ff + "testsrc2=size=320x180:rate=25 -t 3 -g 25" + enc + "-f mpegts '" + b.string() +
           "'") == 0 &&
        sh("cat '" + a.string() + "' '" + b.string() + "' > '" + c.res_change.string() + "'") == 0;
    if (!ok) throw std::runtime_error("ffmpeg could not make the test clips");
    return c;
  }();
  return c;
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

void kill_and_wait(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 40; ++i) {  // 2 s, then SIGKILL
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      pid = -1;
      return;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  pid = -1;
}

RtspCamera::RtspCamera(fs::path clip, std::string user, std::string password)
    : clip_(std::move(clip)),
      user_(std::move(user)),
      password_(std::move(password)),
      rtsp_port_(free_tcp_port()),
      ts_port_(free_udp_port()) {
  start_relay();
  start_feeder();
}

RtspCamera::~RtspCamera() {
  kill_and_wait(feeder_);
  kill_and_wait(relay_);
}

std::string RtspCamera::url() const {
  return "rtsp://127.0.0.1:" + std::to_string(rtsp_port_) + "/cam";
}

void RtspCamera::start_relay() {
  const auto log = dir_.path / "relay.log";
  std::error_code ec;
  fs::remove(log, ec);
  std::vector<std::string> argv = {
      "/usr/bin/python3", std::string(HAZMON_SOURCE_DIR) + "/tests/support/gst_rtsp_relay.py",
      std::to_string(rtsp_port_), "/cam", std::to_string(ts_port_)};
  if (!user_.empty()) {
    argv.push_back(user_);
    argv.push_back(password_);
  }
  relay_ = spawn(argv, log);
  // Ready when it says so (importing gi takes a second or more on a busy machine).
  const bool ready = eventually(
      [&] {
        std::ifstream f(log);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str().find("serving") != std::string::npos;
      },
      seconds(20));
  if (!ready) throw std::runtime_error("the RTSP relay did not start");
}

void RtspCamera::stop_relay() { kill_and_wait(relay_); }

void RtspCamera::start_feeder() {
  feeder_ = spawn({"ffmpeg", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i",
                   clip_.string(), "-c", "copy", "-f", "mpegts",
                   "udp://127.0.0.1:" + std::to_string(ts_port_) + "?pkt_size=1316"},
                  dir_.path / "feeder.log");
}

void RtspCamera::stop_feeder() { kill_and_wait(feeder_); }

void EventLog::on_video_event(const VideoEvent& e) {
  {
    std::lock_guard lock(mu_);
    events_.push_back(e);
  }
  cv_.notify_all();
}

std::vector<VideoEvent> EventLog::events() const {
  std::lock_guard lock(mu_);
  return events_;
}

bool EventLog::wait_for(const std::function<bool(const std::vector<VideoEvent>&)>& pred,
                        milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pred(events_); });
}

bool eventually(const std::function<bool()>& pred, milliseconds timeout) {
  const auto until = steady_clock::now() + timeout;
  while (steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return pred();
}

RtspListener::RtspListener(Mode mode, std::string address, std::string redirect_to)
    : mode_(mode), address_(std::move(address)), redirect_to_(std::move(redirect_to)) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  if (::inet_pton(AF_INET, address_.c_str(), &a.sin_addr) != 1)
    throw std::runtime_error("bad listener address " + address_);
  a.sin_port = 0;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 16) != 0)
    throw std::runtime_error("cannot listen on " + address_);
  socklen_t len = sizeof a;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  accept_thread_ = std::thread([this] {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      ++connections_;
      threads_.emplace_back([this, c] { serve(c); });
    }
  });
}

RtspListener::~RtspListener() {
  stop_ = true;
  accept_thread_.join();
  for (auto& t : threads_) t.join();
  ::close(fd_);
}

std::string RtspListener::url(const std::string& path) const {
  return "rtsp://" + address_ + ":" + std::to_string(port_) + path;
}

std::string RtspListener::received() const {
  std::lock_guard lock(mu_);
  return received_;
}

void RtspListener::serve(int fd) {
  std::string pending;
  char buf[4096];
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    {
      std::lock_guard lock(mu_);
      received_.append(buf, static_cast<std::size_t>(n));
    }
    pending.append(buf, static_cast<std::size_t>(n));
    for (auto end = pending.find("\r\n\r\n"); end != std::string::npos;
         end = pending.find("\r\n\r\n")) {
      std::string request = pending.substr(0, end);
      pending.erase(0, end + 4);
      std::string cseq = "1";
      if (auto at = request.find("CSeq:"); at != std::string::npos) {
        auto eol = request.find("\r\n", at);
        cseq = request.substr(at + 5, eol == std::string::npos ? std::string::npos : eol - at - 5);
        while (!cseq.empty() && cseq.front() == ' ') cseq.erase(0, 1);
      }
      std::string reply;
      const std::string method = request.substr(0, request.find(' '));
      if (mode_ == Mode::mjpeg) {
        const std::string sdp =
            "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=hazmon-test\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
            "m=video 0 RTP/AVP 26\r\na=control:track1\r\n";
        reply = "RTSP/1.0 200 OK\r\nCSeq: " + cseq + "\r\n";
        if (method == "OPTIONS")
          reply += "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN\r\n\r\n";
        else if (method == "DESCRIBE")
          reply +=
              "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(sdp.size()) +
              "\r\n\r\n" + sdp;
        else if (method == "SETUP")
          reply += "Session: 12345678\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n";
        else
          reply += "Session: 12345678\r\n\r\n";
      } else if (mode_ == Mode::challenge)
        reply = "RTSP/1.0 401 Unauthorized\r\nCSeq: " + cseq +
                "\r\nWWW-Authenticate: Basic realm=\"hazmon-test\"\r\n\r\n";
      else if (mode_ == Mode::redirect)
        reply = "RTSP/1.0 302 Moved Temporarily\r\nCSeq: " + cseq +
                "\r\nLocation: " + redirect_to_ + "\r\n\r\n";
      if (!reply.empty()) (void)::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    }
  }
  ::close(fd);
}

VideoSettings fast_settings(const fs::path& dir, std::chrono::seconds offline_after) {
  using namespace std::chrono;
  VideoSettings s;
  s.evidence_dir = dir / "evidence";
  s.recording_dir = dir / "recording";
  s.models_dir = fs::path(HAZMON_SOURCE_DIR) / "models";
  s.open_timeout =
      milliseconds(5000);  // the relay can take seconds to start its pipeline on a busy machine
  s.read_timeout = milliseconds(2000);
  s.backoff_initial = milliseconds(200);
  s.backoff_max = milliseconds(1000);
  s.offline_after = offline_after;
  s.clip_before = seconds(2);
  s.clip_after = seconds(2);
  s.segment_length = seconds(2);
  return s;
}

}  // namespace hazmon::video::test
