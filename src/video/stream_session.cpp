// One connection of a camera's stream thread: open the RTSP input (allow-listed protocols,
// formats and codecs, no redirect), then read packets until it fails or the camera stops. The
// analysed stream's frames are decoded as sparsely as the analysis interval allows, scaled once
// and pushed to the inference pool; the main stream's packets feed the clip ring, the clips and
// the recorder.
#include <algorithm>
#include <memory>

#include <hazmon/core/error.hpp>

#include "gb_stream.hpp"
#include "stream_detail.hpp"

namespace hazmon::video {

using namespace std::chrono;
using namespace stream_detail;
using steady = steady_clock;

namespace {

// Packet ring cap per camera: at 4 Mbit/s, 10 s before plus a 2 s GOP is about 6 MiB.
constexpr std::size_t kRingMaxBytes = 24u << 20;

// libavformat calls this while it blocks (connect, read); non-zero aborts the call. One
// deadline per blocking step gives open and read timeouts without a watchdog thread.
//
// It also stops an RTSP redirect: libavformat follows a 3xx to any host (with the credentials
// of the first URL), past the allow-list checked before connecting. When the context's URL is no
// longer the one opened, the next interrupt check aborts the connection to the new host.
struct Interrupt {
  const std::atomic<bool>* stop;
  steady::time_point deadline;
  bool timed_out = false;
  const AVFormatContext* ctx = nullptr;
  const std::string* opened_url = nullptr;
  bool redirected = false;
};
int interrupt_cb(void* opaque) {
  auto* i = static_cast<Interrupt*>(opaque);
  if (i->stop->load(std::memory_order_relaxed)) return 1;
  if (i->ctx && i->opened_url && i->ctx->url && *i->opened_url != i->ctx->url) {
    i->redirected = true;
    return 1;
  }
  if (steady::now() > i->deadline) {
    i->timed_out = true;
    return 1;
  }
  return 0;
}

// Stable words first (the API and tests match on them), FFmpeg's text after.
std::string describe(int rc, bool timed_out, bool opening, bool redirected = false) {
  if (redirected) return "redirected: refused (a camera may not send the stream elsewhere)";
  if (timed_out) return opening ? "open timeout" : "read timeout";
  switch (rc) {
    case AVERROR_HTTP_UNAUTHORIZED:
      return "unauthorized: wrong or missing credentials";
    case AVERROR_HTTP_FORBIDDEN:
      return "forbidden";
    case AVERROR_HTTP_NOT_FOUND:
      return "not found";
    case AVERROR_EOF:
      return "end of stream";
    case AVERROR_INVALIDDATA:
      return "invalid data: not an RTSP/H.264 stream";
    default:
      break;
  }
  if (rc == AVERROR(ETIMEDOUT))
    return opening ? "open timeout" : "read timeout";  // the socket's own timeout
  if (rc == AVERROR(ECONNREFUSED)) return "connection refused";
  return "error: " + av_error(rc);
}

// What FFmpeg may open for a camera: RTSP (and RTSP over TLS) on TCP; the RTP of an RTSP
// session stays on the TCP connection (rtsp_transport=tcp), UDP is listed for RTSP's own needs.
constexpr const char* kProtocolWhitelist = "rtsp,rtsps,tcp,udp,tls";
// Decoders FFmpeg may open, also while probing the stream: the cameras' codecs only.
constexpr const char* kCodecWhitelist = "h264,hevc";

struct Opened {
  std::unique_ptr<GbLink> link;  // a GB/T 28181 stream's RTP and call; goes after fmt
  InputPtr fmt;
  int vidx = -1;  // the video stream
};

bool select_video(Opened& o, Interrupt& intr, std::string& error);

// Opens `url` as RTSP over TCP with the whitelists, H.264 and H.265 only. On failure fmt is null
// and `error` says why.
Opened open_input(const std::string& url, Interrupt& intr, const VideoSettings& settings,
                  std::string& error) {
  AVFormatContext* raw = avformat_alloc_context();
  raw->interrupt_callback.callback = interrupt_cb;
  raw->interrupt_callback.opaque = &intr;
  intr.ctx = raw;
  intr.opened_url = &url;
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "protocol_whitelist", kProtocolWhitelist, 0);
  av_dict_set(&opts, "format_whitelist", "rtsp", 0);
  av_dict_set(&opts, "codec_whitelist", kCodecWhitelist, 0);
  av_dict_set(&opts, "rtsp_transport", "tcp", 0);
  av_dict_set(&opts, "allowed_media_types", "video", 0);
  // The socket timeout is only a backstop (and covers the whole RTSP handshake, which can take
  // long while the server starts its pipeline); the interrupt callback's deadlines decide.
  av_dict_set_int(&opts, "timeout",
                  duration_cast<microseconds>(
                      std::max(settings.open_timeout, settings.read_timeout) + seconds(1))
                      .count(),
                  0);
  int rc = avformat_open_input(&raw, url.c_str(), av_find_input_format("rtsp"), &opts);
  av_dict_free(&opts);
  if (rc < 0) {  // avformat_open_input freed the context
    error = describe(rc, intr.timed_out, true, intr.redirected);
    return {};
  }
  Opened o;
  o.fmt.reset(raw);
  auto& fmt = o.fmt;
  if (intr.redirected || !fmt->url || url != fmt->url) {
    error = describe(0, false, true, true);
    return {};
  }
  // H.264 and H.265 only: no other decoder (and its parser) ever sees a camera's bytes.
  bool supported = false;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    const auto id = fmt->streams[i]->codecpar->codec_id;
    if (id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC)
      supported = true;
    else
      fmt->streams[i]->discard = AVDISCARD_ALL;
  }
  if (!supported) {
    error = "unsupported codec: only H.264 and H.265 streams are accepted";
    return {};
  }
  if (!select_video(o, intr, error)) return {};
  return o;
}

// The analysed video stream once the demuxer has read enough to know it (H.264 or H.265); the
// other streams are discarded.
bool select_video(Opened& o, Interrupt& intr, std::string& error) {
  auto& fmt = o.fmt;
  int rc = avformat_find_stream_info(fmt.get(), nullptr);
  const int vidx =
      rc < 0 ? rc : av_find_best_stream(fmt.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (vidx < 0) {
    error = rc < 0 ? describe(rc, intr.timed_out, true, intr.redirected) : "no video stream";
    return false;
  }
  if (const auto id = fmt->streams[vidx]->codecpar->codec_id;
      id != AV_CODEC_ID_H264 && id != AV_CODEC_ID_HEVC) {
    error = "unsupported codec: only H.264 and H.265 streams are accepted";
    return false;
  }
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    if (static_cast<int>(i) != vidx) fmt->streams[i]->discard = AVDISCARD_ALL;
  }
  o.vidx = vidx;
  return true;
}

// A GB/T 28181 camera: INVITE, then the PS over RTP through the `mpeg` demuxer (its streams
// appear as packets are read, so the codec is checked once the stream info is found).
Opened open_gb(const CameraConfig& cfg, GbSignalling* sig, RtpCounters& counters, Interrupt& intr,
               const VideoSettings& settings, std::string& error) {
  intr.ctx = nullptr;  // no URL that could be redirected
  intr.opened_url = nullptr;
  auto in = open_gb_input(cfg, settings, sig, counters, *intr.stop, intr.deadline, intr.timed_out,
                          AVIOInterruptCB{interrupt_cb, &intr}, error);
  if (!in.link) return {};
  Opened o;
  o.link = std::move(in.link);
  o.fmt = std::move(in.fmt);
  if (!select_video(o, intr, error)) return {};
  return o;
}

// The decoder of the analysed stream; null and `error` set when it cannot be opened.
CodecPtr open_decoder(const AVStream* vs, std::string& error) {
  const AVCodec* codec = avcodec_find_decoder(vs->codecpar->codec_id);
  if (!codec) {
    error = "unsupported codec";
    return {};
  }
  CodecPtr dec(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(dec.get(), vs->codecpar);
  dec->thread_count = 1;  // many cameras share few cores: threads per decoder only add overhead
  if (int rc = avcodec_open2(dec.get(), codec, nullptr); rc < 0) {
    error = "decoder: " + av_error(rc);
    return {};
  }
  return dec;
}

}  // namespace

bool Camera::session(unsigned role, const std::string& url, std::string& error) {
  const bool analyse_it = role & analyse_role, evidence = role & evidence_role;
  HAZMON_BUG(analyse_it || evidence,
             "a stream session with neither role");  // start() passes one or both
  if (!analyse_it && !evidence) {
    error = "internal error: a session without a role";
    return false;
  }
  // The analysed stream's errors are the camera's status; the main stream's are only logged.
  auto fail = [&](std::string e) {
    if (analyse_it) set_error(e);
    error = std::move(e);
  };
  Interrupt intr{&stop_, steady::now() + settings_.open_timeout};
  std::string why;
  auto in = cfg_.gb ? open_gb(cfg_, gb_ ? gb_->load() : nullptr, rtp_, intr, settings_, why)
                    : open_input(url, intr, settings_, why);
  if (!in.fmt) {
    fail(why);
    return false;
  }
  AVStream* vs = in.fmt->streams[in.vidx];
  Session s(vs, duration_cast<milliseconds>(settings_.clip_before), kRingMaxBytes);
  if (analyse_it && !(s.dec = open_decoder(vs, why))) {
    fail(why);
    return false;
  }
  std::unique_ptr<SegmentRecorder> recorder;
  if (evidence && cfg_.record && !settings_.recording_dir.empty()) {
    recorder = std::make_unique<SegmentRecorder>(settings_.recording_dir, safe_name(cfg_.video_id),
                                                 settings_.segment_length, clock_, segment_hook_);
  }
  PacketPtr pkt(av_packet_alloc());
  s.frame.reset(av_frame_alloc());
  s.tb = vs->time_base;
  // RTSP's first packet often has no timestamp: the GOP is then measured in packets.
  s.fps = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
  s.interval_ms = interval_.count();
  s.last_decode = steady::now();
  for (;;) {
    if (analyse_it) check_offline();
    intr.deadline = steady::now() + settings_.read_timeout;
    intr.timed_out = false;
    auto t0 = thread_cpu_ns();
    int rc = av_read_frame(in.fmt.get(), pkt.get());
    demux_ns_ += thread_cpu_ns() - t0;
    if (rc < 0) {
      if (!stop_) fail(describe(rc, intr.timed_out, false));
      break;
    }
    if (pkt->stream_index != in.vidx) {
      av_packet_unref(pkt.get());
      continue;
    }
    ++packets_;
    const std::int64_t ms = packet_ms(pkt.get(), s.tb);
    if (evidence) {
      s.got_any = true;
      if (ms != kNoTime) {
        s.ring.push(pkt.get(), ms);
        feed_clips(s, pkt.get(), ms);
        if (recorder) recorder->on_packet(pkt.get(), ms, vs->codecpar, s.tb);
      }
    }
    if (analyse_it) analyse_packet(s, pkt.get(), ms);
    av_packet_unref(pkt.get());
  }
  if (recorder) recorder->finish();
  if (evidence) finish_clips(false);
  return s.got_any;
}

void Camera::analyse_packet(Session& s, AVPacket* pkt, std::int64_t ms) {
  std::int64_t& gop_ms = gop_ms_;  // kept across reconnects: the camera's GOP rarely changes
  const bool key = pkt->flags & AV_PKT_FLAG_KEY;
  if (key) {
    if (ms != kNoTime && s.last_key_ms != kNoTime && ms > s.last_key_ms &&
        ms - s.last_key_ms < 60000) {
      gop_ms = ms - s.last_key_ms;
    } else if (s.packets_since_key > 0 && s.fps.num > 0) {
      gop_ms = av_rescale(s.packets_since_key, 1000LL * s.fps.den, s.fps.num);
    }
    s.last_key_ms = ms;
    s.packets_since_key = 0;
  }
  if (s.packets_since_key >= 0) ++s.packets_since_key;
  // Key frames alone give the sampling rate when the GOP is no longer than the analysis
  // interval: then nothing else is decoded (and not even every key frame).
  const bool key_only = gop_ms > 0 && gop_ms <= s.interval_ms;
  s.dec->skip_frame = key_only ? AVDISCARD_NONKEY : AVDISCARD_DEFAULT;
  // A key frame decoded only for analysis (and its snapshot) is never a reference for
  // anything we decode, so its deblocking can go: 17.7 -> 14.1 ms per 1080p key frame,
  // 48-53 dB PSNR against the deblocked picture on the bench and eval clips. When every
  // frame is decoded the references need the filter (skipping it would make the error
  // drift through the GOP), so it stays on there.
  s.dec->skip_loop_filter = key_only ? AVDISCARD_ALL : AVDISCARD_DEFAULT;
  bool decode = !key_only || (key && due(ms, s.last_sample_ms, s.interval_ms));
  // Overload: a key frame is not even decoded while the camera still has a frame waiting for
  // inference (it would only push that one out), so the CPU goes to inference instead. It
  // counts as dropped. A frame is decoded at least every offline_after / 3 regardless, so a
  // stalled pool never looks like a dead camera.
  if (decode && key_only && slot_ && pool_.queued(slot_) > 0 &&
      steady::now() - s.last_decode < settings_.offline_after / 3) {
    decode = false;
    s.last_sample_ms = ms;
    ++dropped_;
  }
  if (!decode) return;
  const auto t0 = thread_cpu_ns();
  const auto scale_before = scale_ns_.load();
  if (avcodec_send_packet(s.dec.get(), pkt) >= 0) {
    while (avcodec_receive_frame(s.dec.get(), s.frame.get()) >= 0) {
      sample_frame(s, s.frame.get(), ms);
      av_frame_unref(s.frame.get());
    }
  }
  decode_ns_ += thread_cpu_ns() - t0 - (scale_ns_.load() - scale_before);
}

void Camera::sample_frame(Session& s, AVFrame* f, std::int64_t pkt_ms) {
  s.last_decode = steady::now();
  ++decoded_;
  s.got_any = true;
  frame_arrived(f->width, f->height);
  std::int64_t ms = f->best_effort_timestamp != AV_NOPTS_VALUE
                        ? av_rescale_q(f->best_effort_timestamp, s.tb, AVRational{1, 1000})
                        : pkt_ms;
  if (!slot_ || !due(ms, s.last_sample_ms, s.interval_ms)) return;  // decoded for the references
  s.last_sample_ms = ms;
  const auto t0 = thread_cpu_ns();
  const double scale = std::min(
      1.0, static_cast<double>(settings_.analysis_max_side) / std::max(f->width, f->height));
  const int dw = std::max(2, static_cast<int>(f->width * scale) & ~1);
  const int dh = std::max(2, static_cast<int>(f->height * scale) & ~1);
  // Area averaging: what hazmon-video-eval's cv::INTER_AREA does, and cheaper than swscale's
  // bilinear for the usual 3:1 (1.3 vs 2.0 ms for 1080p -> 640x360, docs/benchmarks.md).
  // sws_getCachedContext frees the context it is given when it makes another (or fails).
  s.sws.reset(sws_getCachedContext(s.sws.release(), f->width, f->height,
                                   static_cast<AVPixelFormat>(f->format), dw, dh, AV_PIX_FMT_BGR24,
                                   SWS_AREA, nullptr, nullptr, nullptr));
  if (!s.sws) return;
  // swscale's SIMD output writes whole blocks and so runs past the end of a line whose width
  // is not a multiple of 16 pixels (e.g. 426 px): into a tightly allocated cv::Mat that is a
  // heap overflow on the last line. It writes into a padded, reused scratch buffer instead,
  // and the frame gets a continuous copy (0.1 ms at 640x360).
  const int stride = FFALIGN(dw * 3, 64) + 64;
  if (s.scratch.rows < dh + 1 || static_cast<int>(s.scratch.step) < stride)
    s.scratch.create(dh + 1, stride, CV_8UC1);
  uint8_t* dst[4] = {s.scratch.data, nullptr, nullptr, nullptr};
  int dst_stride[4] = {static_cast<int>(s.scratch.step), 0, 0, 0};
  sws_scale(s.sws.get(), f->data, f->linesize, 0, f->height, dst, dst_stride);
  AnalysisFrame af;
  cv::Mat(dh, dw, CV_8UC3, s.scratch.data, s.scratch.step).copyTo(af.bgr);
  scale_ns_ += thread_cpu_ns() - t0;
  af.time = clock_.now();
  af.pts_ms = ms;
  af.source_width = f->width;
  af.source_height = f->height;
  af.video_id = cfg_.video_id;
  af.company_code = cfg_.company_code;
  dropped_ += pool_.push(slot_, std::move(af));
}

}  // namespace hazmon::video
