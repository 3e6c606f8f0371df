#pragma once
// Continuous recording of one camera's main stream: MPEG-TS segments of about segment_length,
// cut at key frames, remuxed without re-encoding. A segment is written as "<name>.part" and
// renamed when finished; the final name carries its start and duration, so the index can be
// rebuilt from the files alone and retention needs no database:
//   <recording_dir>/<video_id>/<yyyymmdd>/<yyyymmddTHHMMSSmmm>Z_<duration ms>.ts
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/video/supervisor.hpp>

#include "av_util.hpp"
#include "remuxer.hpp"

namespace hazmon::video {

class SegmentRecorder {
 public:
  using Hook = std::function<void(const Segment&)>;
  SegmentRecorder(std::filesystem::path dir, std::string video_id, std::chrono::seconds length,
                  const core::Clock& clock, Hook hook);
  ~SegmentRecorder() { finish(); }

  // Starts a new segment at a key frame once the current one is long enough.
  void on_packet(const AVPacket* p, std::int64_t ms, const AVCodecParameters* par, AVRational tb);
  // Closes the current segment (stream lost, camera stopped).
  void finish();

 private:
  std::filesystem::path dir_;
  std::string video_id_;
  std::chrono::milliseconds length_;
  const core::Clock& clock_;
  Hook hook_;
  Remuxer mux_;
  std::filesystem::path part_;
  core::SysTime start_{};
  std::int64_t start_ms_ = 0;
};

// The segment a finished file stands for (path relative to recording_dir), if the name parses.
std::optional<Segment> parse_segment(const std::filesystem::path& recording_dir,
                                     const std::filesystem::path& file);
// Every finished segment under recording_dir, oldest first.
std::vector<Segment> scan_segments(const std::filesystem::path& recording_dir);
// Deletes segments that started before now - days, then the oldest until the total is within
// max_bytes. Returns the deleted ones.
std::vector<Segment> enforce_retention(const std::filesystem::path& recording_dir, int days,
                                       std::uint64_t max_bytes, core::SysTime now);

// "yyyymmdd" and "yyyymmddTHHMMSSmmmZ" in UTC.
std::string day_string(core::SysTime t);
std::string stamp_string(core::SysTime t);

}  // namespace hazmon::video
