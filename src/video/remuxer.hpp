#pragma once
// Writes packets of one video stream into a container file without re-encoding: MP4 for event
// clips, MPEG-TS for recording segments. Clips are rebased so the file starts at 0; segments keep
// the stream's timestamps, so consecutive segments of one session play on without a jump (HLS).
// Decode timestamps are kept strictly increasing (RTSP sources sometimes repeat them).
#include <cstdint>
#include <filesystem>
#include <string>

#include "av_util.hpp"

namespace hazmon::video {

class Remuxer {
 public:
  Remuxer() = default;
  ~Remuxer();
  Remuxer(const Remuxer&) = delete;
  Remuxer& operator=(const Remuxer&) = delete;

  // format: "mp4" or "mpegts". Throws std::runtime_error when the file cannot be opened.
  void open(const std::filesystem::path& path, const char* format, const AVCodecParameters* par,
            AVRational in_time_base, bool rebase = true);
  // Returns false (and logs nothing) for a packet the muxer refused; the file stays usable.
  bool write(const AVPacket* p);
  // Writes the trailer and closes; returns false if nothing could be written.
  bool close();
  bool is_open() const { return ctx_ != nullptr; }

  std::int64_t duration_ms() const;
  std::uint64_t packets() const { return packets_; }

 private:
  AVFormatContext* ctx_ = nullptr;
  AVRational in_tb_{1, 90000};
  bool rebase_ = true;
  std::int64_t first_dts_ = AV_NOPTS_VALUE, offset_ = 0, last_dts_ = AV_NOPTS_VALUE, last_end_ = 0;
  std::uint64_t packets_ = 0;
};

}  // namespace hazmon::video
