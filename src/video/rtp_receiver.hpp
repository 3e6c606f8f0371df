#pragma once
// Inside video only: the media side of a GB/T 28181 camera (ADR 0034). One UDP socket on a port
// of the configured range receives the device's RTP (payload 96, PS/90000); datagrams from any
// address but the device's are dropped and counted, packets are put back in sequence order
// within a small window (later ones, and duplicates, are dropped), and what the RTP headers
// carried comes out as one MPEG-PS byte stream for libavformat's `mpeg` demuxer.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace hazmon::video {

struct RtpCounters {
  std::atomic<std::uint64_t> accepted{0}, foreign{0}, late{0}, malformed{0};
};

// RFC 3550 §5.1: the payload of one RTP packet (CSRCs, a header extension and padding skipped),
// or false when it is not RTP version 2 with payload type `payload_type`.
bool rtp_payload(const std::uint8_t* p, std::size_t n, int payload_type, std::uint16_t& seq,
                 std::size_t& offset, std::size_t& length);

// Puts packets back in sequence order: a packet up to `window` ahead waits for the ones before
// it; when `window` packets wait, the missing ones are given up. Behind the next expected
// sequence number (late, duplicated): dropped.
class RtpReorder {
 public:
  explicit RtpReorder(std::size_t window) : window_(window < 2 ? 2 : window) {}
  // False when the packet was dropped (late or a duplicate).
  bool push(std::uint16_t seq, std::vector<std::uint8_t> payload);
  // The next payload in order, if it is there.
  bool pop(std::vector<std::uint8_t>& out);

 private:
  void drain();
  std::size_t window_;
  bool started_ = false;
  std::uint16_t next_ = 0;
  std::vector<std::pair<std::uint16_t, std::vector<std::uint8_t>>> waiting_;
  std::deque<std::vector<std::uint8_t>> ready_;
};

class RtpReceiver {
 public:
  // read(): no bytes before the deadline, or the camera stops.
  static constexpr int kTimedOut = -1, kStopped = -2;

  // Binds a free UDP port of [port_min, port_max] on `bind_address` (IPv4); null and `error`
  // set when none is free.
  static std::unique_ptr<RtpReceiver> open(const std::string& bind_address, int port_min,
                                           int port_max, std::size_t window, RtpCounters& counters,
                                           std::string& error);
  ~RtpReceiver();
  RtpReceiver(const RtpReceiver&) = delete;
  RtpReceiver& operator=(const RtpReceiver&) = delete;

  unsigned short port() const { return port_; }
  // Only datagrams from this address (any source port) are taken.
  void accept_from(const std::string& ip) { peer_ = ip; }
  // Up to n bytes of the PS stream in order; blocks until some arrive, `deadline` or `stop`.
  int read(std::uint8_t* buf, int n, const std::atomic<bool>& stop,
           std::chrono::steady_clock::time_point deadline);

 private:
  RtpReceiver(int fd, unsigned short port, std::size_t window, RtpCounters& c)
      : fd_(fd), port_(port), reorder_(window), counters_(c) {}
  // Waits up to `wait` for one datagram and files it.
  void receive(std::chrono::milliseconds wait);

  int fd_ = -1;
  unsigned short port_ = 0;
  std::string peer_;
  RtpReorder reorder_;
  RtpCounters& counters_;
  std::vector<std::uint8_t> buf_ = std::vector<std::uint8_t>(65536);
  std::vector<std::uint8_t> cur_;  // the payload being read
  std::size_t cur_pos_ = 0;
};

}  // namespace hazmon::video
