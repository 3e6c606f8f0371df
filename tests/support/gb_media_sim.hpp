#pragma once
// The media side of a simulated GB/T 28181 device (docs/gb28181.md "Live video"): H.264 made
// with ffmpeg (libx264, one access unit delimiter per picture), cut into access units, packed
// here as MPEG-PS the way the devices do (pack header; system header and program stream map
// with stream type 0x1b before each key frame; PES with the PTS) and sent as RTP (payload 96,
// 90 kHz clock, marker on a picture's last packet). GbMediaSim runs the device's side of the
// calls on a thread: answers INVITE with 200 and an SDP answer, takes the ACK, answers BYE and
// counts them, and streams 10 pictures a second to the port of the latest INVITE, from the
// device's address or (attack 13.35) from another one.
#include <boost/asio.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "gb_device_sim.hpp"

namespace hazmon::test {

struct AccessUnit {
  std::vector<std::uint8_t> bytes;  // Annex B
  bool key = false;
};

// `seconds` of 320x240 at 10 fps, a key frame every 10 pictures, no B-frames.
inline std::vector<AccessUnit> make_h264_access_units(int seconds) {
  auto path =
      std::filesystem::temp_directory_path() /
      ("hazmon-gb-" + std::to_string(::getpid()) + "-" +
       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + ".h264");
  std::string cmd =
      "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=10 -t " +
      std::to_string(seconds) +
      " -c:v libx264 -preset ultrafast -profile:v baseline -pix_fmt yuv420p -g 10 -bf 0 "
      "-x264-params aud=1 -f h264 '" +
      path.string() + "' 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("ffmpeg failed: " + cmd);
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  // Access units start at their delimiter (NAL type 9).
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i + 3 < b.size(); ++i)
    if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1 && (b[i + 3] & 0x1f) == 9)
      starts.push_back(i > 0 && b[i - 1] == 0 ? i - 1 : i);
  std::vector<AccessUnit> out;
  for (std::size_t k = 0; k < starts.size(); ++k) {
    auto end = k + 1 < starts.size() ? starts[k + 1] : b.size();
    AccessUnit au;
    au.bytes.assign(b.begin() + starts[k], b.begin() + end);
    for (std::size_t i = 0; i + 3 < au.bytes.size(); ++i)
      if (au.bytes[i] == 0 && au.bytes[i + 1] == 0 && au.bytes[i + 2] == 1 &&
          (au.bytes[i + 3] & 0x1f) == 5)
        au.key = true;
    out.push_back(std::move(au));
  }
  if (out.size() < 10 || !out[0].key) throw std::runtime_error("no H.264 access units");
  return out;
}

class BitWriter {
 public:
  void put(int bits, std::uint64_t value) {
    for (int i = bits - 1; i >= 0; --i) {
      acc_ = static_cast<std::uint8_t>((acc_ << 1) | ((value >> i) & 1));
      if (++n_ == 8) {
        out.push_back(acc_);
        acc_ = 0;
        n_ = 0;
      }
    }
  }
  std::vector<std::uint8_t> out;

 private:
  std::uint8_t acc_ = 0;
  int n_ = 0;
};

// One picture as MPEG-PS (ISO/IEC 13818-1 2.5.3), PTS and SCR on the 90 kHz clock.
inline std::vector<std::uint8_t> ps_pack(const AccessUnit& au, std::uint64_t pts) {
  BitWriter w;
  w.put(32, 0x000001BA);  // pack header
  w.put(2, 1);
  w.put(3, (pts >> 30) & 7);
  w.put(1, 1);
  w.put(15, (pts >> 15) & 0x7fff);
  w.put(1, 1);
  w.put(15, pts & 0x7fff);
  w.put(1, 1);
  w.put(9, 0);  // SCR extension
  w.put(1, 1);
  w.put(22, 20000);  // program_mux_rate, 50 bytes/s units
  w.put(2, 3);
  w.put(5, 0x1f);
  w.put(3, 0);  // no stuffing
  if (au.key) {
    w.put(32, 0x000001BB);  // system header: one video stream
    w.put(16, 9);
    w.put(1, 1);
    w.put(22, 20000);
    w.put(1, 1);
    w.put(6, 0);  // audio bound
    w.put(1, 0);
    w.put(1, 0);
    w.put(1, 1);
    w.put(1, 1);
    w.put(1, 1);
    w.put(5, 1);  // video bound
    w.put(1, 0);
    w.put(7, 0x7f);
    w.put(8, 0xE0);
    w.put(2, 3);
    w.put(1, 1);
    w.put(13, 1024);
    w.put(32, 0x000001BC);  // program stream map: stream 0xE0 is H.264 (0x1b)
    w.put(16, 14);
    w.put(1, 1);  // current_next_indicator
    w.put(2, 3);
    w.put(5, 0);  // version
    w.put(7, 0x7f);
    w.put(1, 1);
    w.put(16, 0);  // program_stream_info_length
    w.put(16, 4);  // elementary_stream_map_length
    w.put(8, 0x1b);
    w.put(8, 0xE0);
    w.put(16, 0);
    w.put(32, 0);  // CRC_32 (the demuxer does not check it)
  }
  auto out = std::move(w.out);
  // PES packets of at most 60000 payload bytes; the first carries the PTS.
  for (std::size_t at = 0; at < au.bytes.size();) {
    const std::size_t n = std::min<std::size_t>(60000, au.bytes.size() - at);
    const bool first = at == 0;
    const std::size_t header = first ? 5 : 0;
    const std::size_t length = 3 + header + n;
    BitWriter p;
    p.put(32, 0x000001E0);
    p.put(16, length);
    p.put(8, first ? 0x84 : 0x80);  // '10', data alignment on the first
    p.put(8, first ? 0x80 : 0x00);  // PTS only
    p.put(8, header);
    if (first) {
      p.put(4, 2);
      p.put(3, (pts >> 30) & 7);
      p.put(1, 1);
      p.put(15, (pts >> 15) & 0x7fff);
      p.put(1, 1);
      p.put(15, pts & 0x7fff);
      p.put(1, 1);
    }
    out.insert(out.end(), p.out.begin(), p.out.end());
    out.insert(out.end(), au.bytes.begin() + static_cast<std::ptrdiff_t>(at),
               au.bytes.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  }
  return out;
}

// RTP packets (RFC 3550) of one picture's PS bytes: payload 96, marker on the last one.
inline std::vector<std::vector<std::uint8_t>> rtp_packets(const std::vector<std::uint8_t>& ps,
                                                          std::uint16_t& seq, std::uint32_t ts,
                                                          std::uint32_t ssrc) {
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t at = 0; at < ps.size();) {
    const std::size_t n = std::min<std::size_t>(1400, ps.size() - at);
    const bool last = at + n == ps.size();
    std::vector<std::uint8_t> p = {0x80,
                                   static_cast<std::uint8_t>((last ? 0x80 : 0) | 96),
                                   static_cast<std::uint8_t>(seq >> 8),
                                   static_cast<std::uint8_t>(seq & 0xff),
                                   static_cast<std::uint8_t>(ts >> 24),
                                   static_cast<std::uint8_t>(ts >> 16),
                                   static_cast<std::uint8_t>(ts >> 8),
                                   static_cast<std::uint8_t>(ts),
                                   static_cast<std::uint8_t>(ssrc >> 24),
                                   static_cast<std::uint8_t>(ssrc >> 16),
                                   static_cast<std::uint8_t>(ssrc >> 8),
                                   static_cast<std::uint8_t>(ssrc)};
    ++seq;
    p.insert(p.end(), ps.begin() + static_cast<std::ptrdiff_t>(at),
             ps.begin() + static_cast<std::ptrdiff_t>(at + n));
    out.push_back(std::move(p));
    at += n;
  }
  return out;
}

// The device's side of the calls, on its own thread; `dev` is registered (and its catalog
// answered) before, and belongs to this thread from then on.
class GbMediaSim {
 public:
  GbMediaSim(GbDeviceSim& dev, const std::vector<AccessUnit>& aus,
             const std::string& send_from = "127.0.0.1")
      : dev_(dev), aus_(aus), rtp_(io_) {
    from(send_from);
    thread_ = std::thread([this] { run(); });
  }
  ~GbMediaSim() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Where the RTP comes from from now on (the device's address, or another one).
  void from(const std::string& ip) {
    std::lock_guard lock(mu_);
    boost::system::error_code ec;
    rtp_.close(ec);
    rtp_.open(boost::asio::ip::udp::v4());
    rtp_.bind({boost::asio::ip::make_address(ip), 0});
  }
  int invites() const { return invites_; }
  int acks() const { return acks_; }
  int byes() const { return byes_; }
  std::uint64_t sent() const { return sent_; }
  std::string last_invite() const {
    std::lock_guard lock(mu_);
    return last_invite_;
  }

 private:
  void run() {
    auto next_frame = std::chrono::steady_clock::now();
    while (!stop_) {
      if (auto m = dev_.receive(std::chrono::milliseconds(20))) handle(*m);
      if (target_port_ == 0 || std::chrono::steady_clock::now() < next_frame) continue;
      next_frame += std::chrono::milliseconds(100);
      send_picture();
    }
  }

  void handle(const std::string& m) {
    if (m.rfind("SIP/2.0 ", 0) == 0) return;  // answers to our own requests (none)
    if (m.rfind("INVITE ", 0) == 0) {
      auto sdp = GbDeviceSim::body(m);
      auto at = sdp.find("m=video ");
      auto y = sdp.find("y=");
      int port = at == std::string::npos ? 0 : std::stoi(sdp.substr(at + 8));
      ssrc_ =
          y == std::string::npos ? 0 : static_cast<std::uint32_t>(std::stoul(sdp.substr(y + 2)));
      std::string answer = "v=0\r\no=" + dev_.id() +
                           " 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                           "m=video 15060 RTP/AVP 96\r\na=sendonly\r\na=rtpmap:96 PS/90000\r\ny=" +
                           sdp.substr(y + 2, 10) + "\r\n";
      std::string r = "SIP/2.0 200 OK\r\n";
      r += "Via: " + GbDeviceSim::header(m, "Via") + "\r\n";
      r += "From: " + GbDeviceSim::header(m, "From") + "\r\n";
      r += "To: " + GbDeviceSim::header(m, "To") + ";tag=media" + std::to_string(invites_ + 1) +
           "\r\n";
      r += "Call-ID: " + GbDeviceSim::header(m, "Call-ID") + "\r\n";
      r += "CSeq: " + GbDeviceSim::header(m, "CSeq") + "\r\n";
      r += "Contact: <sip:" + dev_.id() + "@127.0.0.1:" + std::to_string(dev_.port()) + ">\r\n";
      r += "Content-Type: application/sdp\r\nContent-Length: " + std::to_string(answer.size()) +
           "\r\n\r\n" + answer;
      dev_.send_raw(r);
      {
        std::lock_guard lock(mu_);
        last_invite_ = m;
      }
      frame_ = 0;  // a new stream starts with a key frame
      target_port_ = port;
      ++invites_;
      return;
    }
    if (m.rfind("ACK ", 0) == 0) {
      ++acks_;
      return;
    }
    if (m.rfind("BYE ", 0) == 0) {
      dev_.answer_ok(m);
      target_port_ = 0;
      ++byes_;
      return;
    }
    dev_.answer_ok(m);  // a MESSAGE (catalog query again): 200
  }

  void send_picture() {
    const auto& au = aus_[frame_ % aus_.size()];
    const std::uint64_t pts = 90000 + 9000 * total_;  // a running clock across loops
    auto packets = rtp_packets(ps_pack(au, pts), seq_, static_cast<std::uint32_t>(pts), ssrc_);
    std::lock_guard lock(mu_);
    boost::asio::ip::udp::endpoint to(boost::asio::ip::make_address("127.0.0.1"),
                                      static_cast<unsigned short>(target_port_.load()));
    for (const auto& p : packets) {
      boost::system::error_code ec;
      rtp_.send_to(boost::asio::buffer(p), to, 0, ec);
      if (!ec) ++sent_;
    }
    ++frame_;
    ++total_;
  }

  GbDeviceSim& dev_;
  const std::vector<AccessUnit>& aus_;
  boost::asio::io_context io_;
  boost::asio::ip::udp::socket rtp_;
  mutable std::mutex mu_;  // rtp_, last_invite_
  std::string last_invite_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> target_port_{0}, invites_{0}, acks_{0}, byes_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::uint32_t ssrc_ = 0;
  std::uint16_t seq_ = 1000;
  std::size_t frame_ = 0, total_ = 0;
};

}  // namespace hazmon::test
