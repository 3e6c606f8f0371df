#include "gb_stream.hpp"

namespace hazmon::video {

using namespace std::chrono;

namespace {
constexpr int kAvioBytes = 32 * 1024;
}

GbLink::GbLink(std::unique_ptr<RtpReceiver> rx, GbSignalling& sig, std::string call_id,
               const std::atomic<bool>& stop, const steady_clock::time_point& deadline,
               bool& timed_out)
    : rx_(std::move(rx)),
      sig_(sig),
      call_id_(std::move(call_id)),
      stop_(stop),
      deadline_(deadline),
      timed_out_(timed_out) {
  auto* buf = static_cast<std::uint8_t*>(av_malloc(kAvioBytes));
  if (buf) {
    avio_ = avio_alloc_context(buf, kAvioBytes, 0, this, &GbLink::read_packet, nullptr, nullptr);
    if (!avio_) av_free(buf);
  }
  if (avio_) avio_->seekable = 0;  // a live stream
}

GbLink::~GbLink() {
  if (avio_) {
    av_freep(&avio_->buffer);  // libavformat may have replaced the one given
    avio_context_free(&avio_);
  }
  sig_.bye(call_id_);  // the device stops sending to a port that is about to close
}

int GbLink::read_packet(void* opaque, std::uint8_t* buf, int size) {
  auto* l = static_cast<GbLink*>(opaque);
  const int n = l->rx_->read(buf, size, l->stop_, l->deadline_);
  if (n == RtpReceiver::kTimedOut) {
    l->timed_out_ = true;
    return AVERROR(ETIMEDOUT);
  }
  if (n == RtpReceiver::kStopped) return AVERROR_EXIT;
  return n;
}

GbInput open_gb_input(const CameraConfig& cfg, const VideoSettings& s, GbSignalling* sig,
                      RtpCounters& counters, const std::atomic<bool>& stop,
                      steady_clock::time_point& deadline, bool& timed_out,
                      AVIOInterruptCB interrupt, std::string& error) {
  GbInput in;
  if (!cfg.gb) {
    error = "internal error: not a GB/T 28181 camera";
    return in;
  }
  if (!sig) {
    error = "gb28181 off: the SIP server is not running (gb28181.enabled)";
    return in;
  }
  auto rx = RtpReceiver::open(s.gb_media_bind, s.gb_port_min, s.gb_port_max, s.gb_reorder_window,
                              counters, error);
  if (!rx) return in;
  auto call = sig->invite(*cfg.gb, s.gb_media_address, rx->port(), s.open_timeout);
  if (!call.ok) {
    error = "invite: " + call.error;
    return in;
  }
  rx->accept_from(call.device_ip);
  deadline = steady_clock::now() + s.open_timeout;  // the INVITE took its share
  in.link = std::make_unique<GbLink>(std::move(rx), *sig, call.call_id, stop, deadline, timed_out);
  if (!in.link->avio()) {
    error = "out of memory";
    in.link.reset();
    return in;
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) {
    error = "out of memory";
    in.link.reset();
    return in;
  }
  raw->pb = in.link->avio();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  raw->interrupt_callback = interrupt;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "format_whitelist", "mpeg", 0);
  av_dict_set(&opts, "codec_whitelist", "h264,hevc", 0);
  const int rc = avformat_open_input(&raw, "", av_find_input_format("mpeg"), &opts);
  av_dict_free(&opts);
  if (rc < 0) {  // avformat_open_input freed the context (not our pb)
    error = timed_out ? "open timeout: no PS over RTP from the device"
                      : "invalid data: not an MPEG-PS stream (" + av_error(rc) + ")";
    in.link.reset();
    return in;
  }
  in.fmt.reset(raw);
  return in;
}

}  // namespace hazmon::video
