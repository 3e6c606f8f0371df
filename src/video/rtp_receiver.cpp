#include "rtp_receiver.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hazmon::video {

using namespace std::chrono;

bool rtp_payload(const std::uint8_t* p, std::size_t n, int payload_type, std::uint16_t& seq,
                 std::size_t& offset, std::size_t& length) {
  if (n < 12 || (p[0] >> 6) != 2 || (p[1] & 0x7f) != payload_type) return false;
  std::size_t head = 12 + 4u * (p[0] & 0x0f);  // CSRCs
  if (p[0] & 0x10) {                           // a header extension: 4 bytes + its words
    if (n < head + 4) return false;
    head += 4 + 4u * ((static_cast<std::size_t>(p[head + 2]) << 8) | p[head + 3]);
  }
  std::size_t end = n;
  if (p[0] & 0x20) {  // padding: its length is the last byte
    if (p[n - 1] == 0 || p[n - 1] > n) return false;
    end = n - p[n - 1];
  }
  if (head >= end) return false;
  seq = static_cast<std::uint16_t>((p[2] << 8) | p[3]);
  offset = head;
  length = end - head;
  return true;
}

// ---- reorder

bool RtpReorder::push(std::uint16_t seq, std::vector<std::uint8_t> payload) {
  if (!started_) {
    started_ = true;
    next_ = seq;
  }
  const auto ahead = static_cast<std::int16_t>(static_cast<std::uint16_t>(seq - next_));
  if (ahead < 0) return false;  // late, or a duplicate of one already given out
  if (static_cast<std::size_t>(ahead) >= 4 * window_) {
    // Far ahead: the device restarted its numbering (or a long loss). What waits goes out in
    // order and the stream continues from here.
    std::sort(waiting_.begin(), waiting_.end(), [this](const auto& a, const auto& b) {
      return static_cast<std::uint16_t>(a.first - next_) <
             static_cast<std::uint16_t>(b.first - next_);
    });
    for (auto& w : waiting_) ready_.push_back(std::move(w.second));
    waiting_.clear();
    next_ = seq;
  }
  for (const auto& w : waiting_)
    if (w.first == seq) return false;  // a duplicate still waiting
  waiting_.emplace_back(seq, std::move(payload));
  drain();
  return true;
}

void RtpReorder::drain() {
  for (;;) {
    auto it = std::find_if(waiting_.begin(), waiting_.end(),
                           [this](const auto& w) { return w.first == next_; });
    if (it == waiting_.end()) {
      if (waiting_.size() < window_) return;
      // The window is full: the missing packets are lost; go on from the nearest one waiting.
      auto nearest =
          std::min_element(waiting_.begin(), waiting_.end(), [this](const auto& a, const auto& b) {
            return static_cast<std::uint16_t>(a.first - next_) <
                   static_cast<std::uint16_t>(b.first - next_);
          });
      next_ = nearest->first;
      continue;
    }
    ready_.push_back(std::move(it->second));
    waiting_.erase(it);
    ++next_;
  }
}

bool RtpReorder::pop(std::vector<std::uint8_t>& out) {
  if (ready_.empty()) return false;
  out = std::move(ready_.front());
  ready_.pop_front();
  return true;
}

// ---- receiver

std::unique_ptr<RtpReceiver> RtpReceiver::open(const std::string& bind_address, int port_min,
                                               int port_max, std::size_t window,
                                               RtpCounters& counters, std::string& error) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  if (inet_pton(AF_INET, bind_address.c_str(), &addr.sin_addr) != 1) {
    error = "media: not an IPv4 address: " + bind_address;
    return nullptr;
  }
  if (port_min < 1 || port_max > 65535 || port_min > port_max) {
    error = "media: no port range";
    return nullptr;
  }
  const int span = port_max - port_min + 1;
  // A random first port: cameras that restart together do not all try the same ones.
  std::mt19937 rng(std::random_device{}());
  const int first = std::uniform_int_distribution<int>(0, span - 1)(rng);
  for (int k = 0; k < span; ++k) {
    const int port = port_min + (first + k) % span;
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = std::string("media: socket: ") + std::strerror(errno);
      return nullptr;
    }
    int rcvbuf = 2 << 20;  // a key frame arrives as a burst of datagrams
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
      return std::unique_ptr<RtpReceiver>(
          new RtpReceiver(fd, static_cast<unsigned short>(port), window, counters));
    ::close(fd);
  }
  error = "media: no free UDP port in " + std::to_string(port_min) + "-" + std::to_string(port_max);
  return nullptr;
}

RtpReceiver::~RtpReceiver() {
  if (fd_ >= 0) ::close(fd_);
}

void RtpReceiver::receive(milliseconds wait) {
  pollfd pfd{fd_, POLLIN, 0};
  if (::poll(&pfd, 1, static_cast<int>(std::max<long long>(0, wait.count()))) <= 0) return;
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  auto n = ::recvfrom(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT,
                      reinterpret_cast<sockaddr*>(&from), &from_len);
  if (n <= 0) return;
  char ip[INET6_ADDRSTRLEN] = {};
  if (from.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, ip, sizeof ip);
  if (peer_.empty() || peer_ != ip) {
    ++counters_.foreign;  // attack 13.35: nothing from elsewhere reaches the demuxer
    return;
  }
  std::uint16_t seq = 0;
  std::size_t offset = 0, length = 0;
  if (!rtp_payload(buf_.data(), static_cast<std::size_t>(n), 96, seq, offset, length)) {
    ++counters_.malformed;
    return;
  }
  std::vector<std::uint8_t> payload(buf_.begin() + static_cast<std::ptrdiff_t>(offset),
                                    buf_.begin() + static_cast<std::ptrdiff_t>(offset + length));
  if (reorder_.push(seq, std::move(payload)))
    ++counters_.accepted;
  else
    ++counters_.late;
}

int RtpReceiver::read(std::uint8_t* out, int n, const std::atomic<bool>& stop,
                      steady_clock::time_point deadline) {
  while (cur_pos_ >= cur_.size()) {
    cur_pos_ = 0;
    cur_.clear();
    if (reorder_.pop(cur_)) continue;
    if (stop.load(std::memory_order_relaxed)) return kStopped;
    const auto now = steady_clock::now();
    if (now >= deadline) return kTimedOut;
    // Short waits: a stop is noticed within 100 ms.
    receive(std::min<milliseconds>(milliseconds(100),
                                   duration_cast<milliseconds>(deadline - now) + milliseconds(1)));
  }
  const auto k = std::min<std::size_t>(static_cast<std::size_t>(n), cur_.size() - cur_pos_);
  std::memcpy(out, cur_.data() + cur_pos_, k);
  cur_pos_ += k;
  return static_cast<int>(k);
}

}  // namespace hazmon::video
