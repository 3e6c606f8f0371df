// Stream workers against a real RTSP server (gst-rtsp-server relaying ffmpeg-made H.264):
// frames and status, the decode policy, the faults of issue 4 (server killed, stalled stream,
// garbage bytes, resolution change, wrong credentials), and issue 9's network checks (allowed
// networks, own ports, redirects) and giving up after give_up_after.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include <hazmon/core/metrics.hpp>
#include <hazmon/video/supervisor.hpp>

#include "video_harness.hpp"

namespace hazmon::video {
namespace {

using namespace std::chrono;
using namespace test;

CameraConfig camera(const std::string& id, const std::string& url) {
  CameraConfig c;
  c.video_id = id;
  c.company_code = "91330000TEST0001X";
  c.name = "测试摄像机 " + id;
  c.rtsp_url = url;
  c.allowed_networks = {kLoopbackRelays};  // the relays run on 127.0.0.1, allowed explicitly
  return c;
}

std::optional<CameraStatus> status_of(const Supervisor& sup, const std::string& id) {
  for (auto& s : sup.status()) {
    if (s.video_id == id) return s;
  }
  return std::nullopt;
}

bool is_online(const Supervisor& sup, const std::string& id) {
  auto s = status_of(sup, id);
  return s && s->state == StreamState::online;
}

TEST(VideoStream, FramesArriveAndOnlyKeyFramesAreDecodedWhenTheGopAllows) {
  RtspCamera gop25(clips().gop25), gop50(clips().gop50);
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  core::Metrics metrics;
  auto settings = fast_settings(dir.path, std::chrono::seconds(3));
  settings.offline_after = seconds(30);
  Supervisor sup(settings, log, clock, &metrics);
  sup.set_cameras({camera("cam-gop25", gop25.url()), camera("cam-gop50", gop50.url())});
  ASSERT_TRUE(eventually([&] { return is_online(sup, "cam-gop25") && is_online(sup, "cam-gop50"); },
                         seconds(15)));
  std::this_thread::sleep_for(seconds(3));  // past the first GOPs, which are decoded in full
  auto a0 = *status_of(sup, "cam-gop25"), b0 = *status_of(sup, "cam-gop50");
  std::this_thread::sleep_for(seconds(4));
  auto a = *status_of(sup, "cam-gop25"), b = *status_of(sup, "cam-gop50");

  EXPECT_EQ(a.width, 640);
  EXPECT_EQ(a.height, 360);
  ASSERT_TRUE(a.last_frame_at.has_value());
  EXPECT_LT(clock.now() - *a.last_frame_at, seconds(3));
  const auto a_packets = a.packets - a0.packets, a_decoded = a.frames_decoded - a0.frames_decoded;
  const auto b_packets = b.packets - b0.packets, b_decoded = b.frames_decoded - b0.frames_decoded;
  EXPECT_GT(a_packets, 75u);  // > 3 s at 25 fps in 4 s
  // GOP 1 s = analysis interval 1 s: one decoded frame per 25 packets.
  EXPECT_GE(a_decoded, 2u);
  EXPECT_LE(a_decoded * 10, a_packets) << "decoded " << a_decoded << " of " << a_packets;
  // GOP 2 s > 1 s: every frame is decoded (and all but one a second dropped before scaling).
  EXPECT_GE(b_decoded * 10, b_packets * 8) << "decoded " << b_decoded << " of " << b_packets;
  EXPECT_EQ(a.frames_analysed, 0u);  // no analysers configured

  auto c = sup.costs();
  EXPECT_GE(c.packets, a.packets + b.packets);
  EXPECT_GT(c.decode_ms, 0);
  EXPECT_GT(c.demux_ms, 0);
  EXPECT_TRUE(log.events().empty());
  std::this_thread::sleep_for(milliseconds(1200));  // one metrics tick
  const auto text = metrics.serialize();
  EXPECT_NE(text.find("hazmon_video_cameras{state=\"online\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("hazmon_video_frames_total{kind=\"decoded\"}"), std::string::npos);
}

TEST(VideoStream, ServerKilledGivesOfflineEventAndFramesReturnWithin10sOfRestart) {
  RtspCamera cam(clips().gop25);
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  Supervisor sup(fast_settings(dir.path, std::chrono::seconds(3)), log, clock);
  sup.set_cameras({camera("cam-kill", cam.url())});
  ASSERT_TRUE(eventually([&] { return is_online(sup, "cam-kill"); }, seconds(15)));

  const auto before = log.events().size();  // a slow first connect may already have had a pair
  cam.stop_relay();
  auto offline_start = [&](const std::vector<VideoEvent>& ev) {
    for (std::size_t i = before; i < ev.size(); ++i) {
      const auto& e = ev[i];
      if (e.analyser == "offline" && e.phase == EventPhase::start) return true;
    }
    return false;
  };
  ASSERT_TRUE(log.wait_for(offline_start, seconds(10)));
  EXPECT_EQ(status_of(sup, "cam-kill")->state, StreamState::offline);
  EXPECT_FALSE(status_of(sup, "cam-kill")->last_error.empty());

  cam.start_relay();
  const auto restarted = steady_clock::now();
  ASSERT_TRUE(eventually([&] { return is_online(sup, "cam-kill"); }, seconds(10)));
  const auto took = duration_cast<milliseconds>(steady_clock::now() - restarted);
  RecordProperty("reconnect_ms", static_cast<int>(took.count()));
  EXPECT_LT(took, seconds(10));
  ASSERT_TRUE(log.wait_for(
      [](auto& ev) {
        return ev.back().analyser == "offline" && ev.back().phase == EventPhase::end;
      },
      seconds(2)));
  auto all = log.events();
  std::vector<VideoEvent> ev(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].episode_id, ev[1].episode_id);
  EXPECT_EQ(ev[0].kind, "offline");
  ASSERT_TRUE(ev[1].ended_at.has_value());
  EXPECT_GE(status_of(sup, "cam-kill")->reconnects, 1u);
}

TEST(VideoStream, StalledStreamHitsTheReadTimeoutAndReconnects) {
  RtspCamera cam(clips().gop25);
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  Supervisor sup(fast_settings(dir.path, std::chrono::seconds(3)), log, clock);
  sup.set_cameras({camera("cam-stall", cam.url())});
  ASSERT_TRUE(eventually([&] { return is_online(sup, "cam-stall"); }, seconds(15)));

  cam.stop_feeder();  // the server stays up but sends nothing
  std::set<std::string> errors;
  ASSERT_TRUE(eventually(
      [&] {
        auto s = status_of(sup, "cam-stall");
        errors.insert(s->last_error);
        return s->reconnects >= 2 && s->state == StreamState::offline;
      },
      seconds(15)));
  bool timeout_seen = false;
  for (auto& e : errors) timeout_seen |= e.find("timeout") != std::string::npos;
  EXPECT_TRUE(timeout_seen) << "errors seen: " << errors.size();

  cam.start_feeder();
  EXPECT_TRUE(eventually([&] { return is_online(sup, "cam-stall"); }, seconds(12)));
}

// A TCP server that answers every connection with junk and hangs up.
class GarbageServer {
 public:
  GarbageServer() : port_(free_tcp_port()) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port_));
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 8) != 0)
      std::abort();
    thread_ = std::thread([this] {
      std::string junk = "HTTP/9.9 garbage\r\n\r\n";
      for (int i = 0; i < 4000; ++i) junk += static_cast<char>((i * 7919) & 0xff);
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        ++connections_;
        char buf[2048];
        (void)::recv(c, buf, sizeof buf, MSG_DONTWAIT);
        (void)::send(c, junk.data(), junk.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~GarbageServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/cam"; }
  int connections() const { return connections_; }

 private:
  int port_, fd_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

TEST(VideoStream, GarbageBytesAreAnErrorStateNotACrash) {
  GarbageServer junk;
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  Supervisor sup(fast_settings(dir.path, std::chrono::seconds(3)), log, clock);
  sup.set_cameras({camera("cam-junk", junk.url())});
  ASSERT_TRUE(eventually([&] { return status_of(sup, "cam-junk")->reconnects >= 3; }, seconds(10)));
  auto s = *status_of(sup, "cam-junk");
  EXPECT_NE(s.state, StreamState::online);
  EXPECT_FALSE(s.last_error.empty());
  EXPECT_EQ(s.frames_decoded, 0u);
  EXPECT_GE(junk.connections(), 3);
  // And it still goes offline (an alarm) after offline_after without a frame.
  EXPECT_TRUE(
      log.wait_for([](auto& ev) { return !ev.empty() && ev[0].kind == "offline"; }, seconds(5)));
}

TEST(VideoStream, ResolutionChangeMidStreamIsFollowed) {
  RtspCamera cam(clips().res_change);
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  Supervisor sup(fast_settings(dir.path, std::chrono::seconds(3)), log, clock);
  sup.set_cameras({camera("cam-res", cam.url())});
  std::set<int> widths;
  EXPECT_TRUE(eventually(
      [&] {
        auto s = status_of(sup, "cam-res");
        if (s->state == StreamState::online) widths.insert(s->width);
        return widths.contains(640) && widths.contains(320);
      },
      seconds(20)));
  EXPECT_TRUE(is_online(sup, "cam-res"));
}

TEST(VideoStream, WrongCredentialsAreUnauthorizedAndFixingThemAppliesWithoutRestart) {
  RtspCamera cam(clips().gop25, "viewer", "s3cret-pw");
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  Supervisor sup(fast_settings(dir.path, std::chrono::seconds(3)), log, clock);
  auto cfg = camera("cam-auth", cam.url());
  cfg.username = "viewer";
  cfg.password = "wrong-pw";
  sup.set_cameras({cfg});
  ASSERT_TRUE(
      eventually([&] { return status_of(sup, "cam-auth")->last_error.starts_with("unauthorized"); },
                 seconds(10)))
      << status_of(sup, "cam-auth")->last_error;
  auto s = *status_of(sup, "cam-auth");
  EXPECT_NE(s.state, StreamState::online);
  EXPECT_EQ(s.last_error.find("wrong-pw"), std::string::npos);

  cfg.password = "s3cret-pw";
  sup.set_cameras({cfg});  // changed row: the worker restarts with the new credentials
  EXPECT_TRUE(eventually([&] { return is_online(sup, "cam-auth"); }, seconds(10)));
  EXPECT_EQ(status_of(sup, "cam-auth")->last_error.find("unauthorized"),
            std::string::npos);  // a new worker

  sup.set_cameras({});
  EXPECT_TRUE(sup.status().empty());
  EXPECT_GT(sup.costs().packets, 0u);  // costs of stopped cameras are kept
}

// ---- issue 9: where a camera may connect, redirects, giving up ----------------------------

TEST(VideoStreamNetworks, AnAddressOutsideTheCamerasNetworksIsNeverConnected) {
  RtspListener listener;
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  Supervisor sup(fast_settings(dir.path, std::chrono::seconds(30)), log, clock);
  auto outside = camera("cam-outside", listener.url());
  outside.allowed_networks = {"10.0.0.0/8", "0.0.0.0/0"};  // 0.0.0.0/0 does not open loopback
  auto none = camera("cam-none", listener.url("/other"));
  none.allowed_networks.clear();  // no networks at all: nothing is allowed
  sup.set_cameras({outside, none});
  ASSERT_TRUE(eventually(
      [&] {
        return status_of(sup, "cam-outside")->reconnects >= 2 &&
               status_of(sup, "cam-none")->reconnects >= 2;
      },
      seconds(10)));
  EXPECT_EQ(listener.connections(), 0);
  EXPECT_EQ(listener.received(), "");
  EXPECT_TRUE(status_of(sup, "cam-outside")->last_error.starts_with("not allowed"))
      << status_of(sup, "cam-outside")->last_error;
  EXPECT_TRUE(status_of(sup, "cam-none")->last_error.starts_with("not allowed"))
      << status_of(sup, "cam-none")->last_error;
  // The same listener, allowed: the worker connects (so the refusals above were the check's).
  auto allowed = camera("cam-outside", listener.url());
  sup.set_cameras({allowed});
  EXPECT_TRUE(eventually([&] { return listener.connections() >= 1; }, seconds(10)));
}

TEST(VideoStreamNetworks, TheServersOwnPortIsRefusedEvenOnAnAllowedLoopback) {
  RtspListener listener;
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  auto settings = fast_settings(dir.path, std::chrono::seconds(30));
  settings.own_ports = {listener.port()};
  Supervisor sup(settings, log, clock);
  sup.set_cameras({camera("cam-own", listener.url())});
  ASSERT_TRUE(eventually([&] { return status_of(sup, "cam-own")->reconnects >= 2; }, seconds(10)));
  EXPECT_EQ(listener.connections(), 0);
  EXPECT_NE(status_of(sup, "cam-own")->last_error.find("own ports"), std::string::npos)
      << status_of(sup, "cam-own")->last_error;
}

// libavformat follows an RTSP 3xx to any host, with the first URL's credentials: the worker
// aborts instead, and the target never gets a request.
TEST(VideoStreamNetworks, ARedirectToAnotherHostIsNotFollowed) {
  RtspListener target(RtspListener::Mode::challenge, "127.0.0.2");
  RtspListener camera_(RtspListener::Mode::redirect, "127.0.0.1", target.url("/elsewhere"));
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  Supervisor sup(fast_settings(dir.path, std::chrono::seconds(30)), log, clock);
  auto cfg = camera("cam-redirect", camera_.url());
  cfg.username = "viewer";
  cfg.password = "redirect-secret";
  sup.set_cameras({cfg});
  ASSERT_TRUE(
      eventually([&] { return status_of(sup, "cam-redirect")->reconnects >= 2; }, seconds(15)));
  EXPECT_GE(camera_.connections(), 2);
  EXPECT_EQ(target.received(), "") << "the redirect was followed";
  EXPECT_TRUE(status_of(sup, "cam-redirect")->last_error.starts_with("redirected"))
      << status_of(sup, "cam-redirect")->last_error;
}

// H.264 and H.265 only: a camera offering another codec (here Motion-JPEG) is refused before any
// decoder sees its bytes.
TEST(VideoStreamNetworks, CodecsOtherThanH264AndH265AreRefused) {
  RtspListener mjpeg(RtspListener::Mode::mjpeg);
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  Supervisor sup(fast_settings(dir.path, std::chrono::seconds(30)), log, clock);
  sup.set_cameras({camera("cam-mjpeg", mjpeg.url())});
  ASSERT_TRUE(eventually(
      [&] { return status_of(sup, "cam-mjpeg")->last_error.starts_with("unsupported codec"); },
      seconds(15)))
      << status_of(sup, "cam-mjpeg")->last_error << "\n"
      << mjpeg.received().substr(0, 1500);
  EXPECT_NE(mjpeg.received().find("DESCRIBE"), std::string::npos);
  EXPECT_EQ(status_of(sup, "cam-mjpeg")->frames_decoded, 0u);
}

TEST(VideoStreamGiveUp, StopsReconnectingAfterGiveUpAfterWithOneOfflineEvent) {
  RtspListener listener(RtspListener::Mode::silent);  // accepts, never answers: open timeouts
  TempDir dir;
  EventLog log;
  core::SystemClock clock;
  auto settings = fast_settings(dir.path, std::chrono::seconds(2));
  settings.open_timeout = milliseconds(500);
  settings.give_up_after = seconds(4);
  Supervisor sup(settings, log, clock);
  sup.set_cameras({camera("cam-giveup", listener.url())});
  ASSERT_TRUE(eventually(
      [&] { return status_of(sup, "cam-giveup")->last_error.starts_with("gave up"); }, seconds(15)))
      << status_of(sup, "cam-giveup")->last_error;
  const auto given_up = *status_of(sup, "cam-giveup");
  EXPECT_EQ(given_up.state, StreamState::offline);
  const int connections = listener.connections();
  EXPECT_GE(connections, 2) << "it did try before giving up";
  std::this_thread::sleep_for(seconds(4));  // longer than backoff_max: a retry would have happened
  EXPECT_EQ(listener.connections(), connections) << "reconnected after giving up";
  EXPECT_EQ(status_of(sup, "cam-giveup")->reconnects, given_up.reconnects);
  auto events = log.events();
  int offline_starts = 0;
  for (const auto& e : events)
    offline_starts += e.analyser == "offline" && e.phase == EventPhase::start;
  EXPECT_EQ(offline_starts, 1);
  // A changed row starts it again.
  auto changed = camera("cam-giveup", listener.url("/new"));
  sup.set_cameras({changed});
  EXPECT_TRUE(eventually([&] { return listener.connections() > connections; }, seconds(10)));
}

}  // namespace
}  // namespace hazmon::video
