#pragma once
// Small RAII and helpers around FFmpeg's C API, private to the video module.
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libswscale/swscale.h>
}

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hazmon::video {

struct AvPacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct AvFrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct AvCodecFree {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct AvInputClose {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
struct SwsFree {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};

using PacketPtr = std::unique_ptr<AVPacket, AvPacketFree>;
using FramePtr = std::unique_ptr<AVFrame, AvFrameFree>;
using CodecPtr = std::unique_ptr<AVCodecContext, AvCodecFree>;
using InputPtr = std::unique_ptr<AVFormatContext, AvInputClose>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;

// A new reference to the same packet data (no copy of the payload).
PacketPtr packet_ref(const AVPacket* p);

std::string av_error(int err);

// rtsp://host/... plus credentials -> rtsp://user:pass@host/... (percent-encoded). Credentials
// already in the URL are kept when username is empty.
std::string url_with_credentials(std::string_view url, std::string_view user,
                                 std::string_view pass);
// The URL with any user:password@ replaced by ***@, for logs and status.
std::string mask_url(std::string_view url);
// Masks every "//user:pass@" in free text (FFmpeg log lines may quote the URL).
std::string mask_credentials_in_text(std::string_view text);

// Routes FFmpeg's log to the video logger (warnings and worse, credentials masked). Idempotent.
void install_av_log();

// Timestamp of a packet in milliseconds of stream time (pts, else dts); INT64_MIN if neither.
std::int64_t packet_ms(const AVPacket* p, AVRational tb);

}  // namespace hazmon::video
