#pragma once
// Inside video only: a GB/T 28181 camera's stream (ADR 0034). The camera's stream thread binds
// an RTP port, asks the GbSignalling (app: the SIP server) to INVITE the channel to it, and
// reads the MPEG-PS the RTP carries through a custom AVIOContext into libavformat's `mpeg`
// demuxer; from there the packets go the way an RTSP camera's go (analysers, clips, recording).
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <hazmon/video/supervisor.hpp>

#include "av_util.hpp"
#include "rtp_receiver.hpp"

namespace hazmon::video {

// One INVITEd stream: the receiver, the call (BYE when this goes) and the AVIOContext.
class GbLink {
 public:
  // `stop`, `deadline` and `timed_out` are the stream thread's: a read waits until the deadline
  // (then timed_out is set) or the stop.
  GbLink(std::unique_ptr<RtpReceiver> rx, GbSignalling& sig, std::string call_id,
         const std::atomic<bool>& stop, const std::chrono::steady_clock::time_point& deadline,
         bool& timed_out);
  ~GbLink();
  GbLink(const GbLink&) = delete;
  GbLink& operator=(const GbLink&) = delete;
  AVIOContext* avio() const { return avio_; }

 private:
  static int read_packet(void* opaque, std::uint8_t* buf, int size);
  std::unique_ptr<RtpReceiver> rx_;
  GbSignalling& sig_;
  std::string call_id_;
  const std::atomic<bool>& stop_;
  const std::chrono::steady_clock::time_point& deadline_;
  bool& timed_out_;
  AVIOContext* avio_ = nullptr;
};

// Binds a port, INVITEs, and opens the demuxer over the RTP (the link before the input: the
// input goes first). Null link and `error` set when any step fails.
struct GbInput {
  std::unique_ptr<GbLink> link;
  InputPtr fmt;
};
GbInput open_gb_input(const CameraConfig& cfg, const VideoSettings& s, GbSignalling* sig,
                      RtpCounters& counters, const std::atomic<bool>& stop,
                      std::chrono::steady_clock::time_point& deadline, bool& timed_out,
                      AVIOInterruptCB interrupt, std::string& error);

}  // namespace hazmon::video
