#pragma once
// Inside video only: what a Camera's files share. stream_worker.cpp has the camera's threads,
// reconnects, online/offline, analysis results and evidence clips; stream_session.cpp one
// connection (open, decode, sample for analysis, feed evidence and recording).
#include <spdlog/spdlog.h>
#include <opencv2/core.hpp>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include <time.h>

#include <hazmon/core/log.hpp>

#include "av_util.hpp"
#include "packet_ring.hpp"
#include "stream_worker.hpp"

namespace hazmon::video::stream_detail {

constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

inline auto log() { return core::logger(core::LogModule::video); }

// Due for analysis: `interval` of stream time since the last sample (10 % slack so a GOP of
// exactly the interval is not skipped every other time), or a jump in the timestamps.
inline bool due(std::int64_t ms, std::int64_t last, std::int64_t interval) {
  if (last == kNoTime || ms == kNoTime) return true;
  const auto d = ms - last;
  return d < 0 || d > 60000 || d >= interval * 9 / 10;
}

inline std::string safe_name(std::string s) {
  for (auto& c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return s.empty() ? "_" : s;
}

// CPU time of the calling thread: the demux, decode and scale costs are CPU, not wall time
// (a read mostly waits for the network, and a busy machine preempts).
inline std::uint64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace hazmon::video::stream_detail

namespace hazmon::video {

// One connection's state, on its stream thread.
struct Camera::Session {
  Session(const AVStream* s, std::chrono::milliseconds ring_span, std::size_t ring_bytes)
      : stream(s), ring(ring_span, ring_bytes) {}
  const AVStream* stream = nullptr;
  PacketRing ring;
  // Analysis (the analysed stream only).
  CodecPtr dec;
  FramePtr frame;
  SwsPtr sws;       // freed however the session ends: return, exception (an analyser's push) or end
  cv::Mat scratch;  // sws_scale's padded output
  AVRational tb{0, 1};
  AVRational fps{0, 1};
  std::int64_t interval_ms = 1000;
  std::int64_t last_key_ms = stream_detail::kNoTime, last_sample_ms = stream_detail::kNoTime,
               packets_since_key = -1;
  std::chrono::steady_clock::time_point last_decode = std::chrono::steady_clock::now();
  bool got_any = false;  // frames (analysis) or packets (evidence) arrived
};

}  // namespace hazmon::video
