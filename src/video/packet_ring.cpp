#include "packet_ring.hpp"

namespace hazmon::video {

void PacketRing::push(const AVPacket* p, std::int64_t ms) {
  const bool key = p->flags & AV_PKT_FLAG_KEY;
  if (ring_.empty() && !key) return;
  auto ref = packet_ref(p);
  if (!ref) return;
  bytes_ += static_cast<std::size_t>(p->size);
  ring_.push_back({std::move(ref), ms});
  // Drop the oldest GOP while the next one still starts early enough to cover the span,
  // or while the byte cap is exceeded (then the clip is shorter than asked for).
  for (;;) {
    std::size_t next_key = 0;
    for (std::size_t i = 1; i < ring_.size(); ++i) {
      if (ring_[i].pkt->flags & AV_PKT_FLAG_KEY) {
        next_key = i;
        break;
      }
    }
    if (next_key == 0) break;
    const bool covered = ring_.back().ms - ring_[next_key].ms >= span_.count();
    if (!covered && bytes_ <= max_bytes_) break;
    drop_leading_gop();
  }
  // A single GOP larger than the cap: keep nothing rather than grow without bound.
  if (bytes_ > max_bytes_ * 2) clear();
}

void PacketRing::drop_leading_gop() {
  do {
    bytes_ -= static_cast<std::size_t>(ring_.front().pkt->size);
    ring_.pop_front();
  } while (!ring_.empty() && !(ring_.front().pkt->flags & AV_PKT_FLAG_KEY));
}

void PacketRing::clear() {
  ring_.clear();
  bytes_ = 0;
}

}  // namespace hazmon::video
