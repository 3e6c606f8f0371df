#pragma once
// The last few seconds of main-stream packets of one camera, so that an event's clip can start
// before the event. Packets are references (no payload copy). The ring always starts at a key
// frame and keeps the shortest run of whole GOPs that covers `span`; a byte cap bounds memory
// even for a camera with a very long GOP or a very high bitrate.
#include <chrono>
#include <cstdint>
#include <deque>

#include "av_util.hpp"

namespace hazmon::video {

class PacketRing {
 public:
  PacketRing(std::chrono::milliseconds span, std::size_t max_bytes)
      : span_(span), max_bytes_(max_bytes) {}

  // `ms` is the packet's stream time in milliseconds. Packets before the first key frame are
  // not kept (a clip could not be decoded from them).
  void push(const AVPacket* p, std::int64_t ms);
  void clear();

  struct Entry {
    PacketPtr pkt;
    std::int64_t ms;
  };
  const std::deque<Entry>& entries() const { return ring_; }
  std::size_t bytes() const { return bytes_; }
  std::int64_t newest_ms() const { return ring_.empty() ? 0 : ring_.back().ms; }

 private:
  void drop_leading_gop();
  std::chrono::milliseconds span_;
  std::size_t max_bytes_;
  std::deque<Entry> ring_;
  std::size_t bytes_ = 0;
};

}  // namespace hazmon::video
