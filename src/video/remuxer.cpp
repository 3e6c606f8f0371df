#include "remuxer.hpp"

#include <stdexcept>

namespace hazmon::video {

Remuxer::~Remuxer() { close(); }

void Remuxer::open(const std::filesystem::path& path, const char* format,
                   const AVCodecParameters* par, AVRational in_time_base, bool rebase) {
  close();
  in_tb_ = in_time_base;
  rebase_ = rebase;
  first_dts_ = last_dts_ = AV_NOPTS_VALUE;
  offset_ = 0;
  last_end_ = 0;
  packets_ = 0;
  AVFormatContext* ctx = nullptr;
  int rc = avformat_alloc_output_context2(&ctx, nullptr, format, path.c_str());
  if (rc < 0 || !ctx)
    throw std::runtime_error("muxer " + std::string(format) + ": " + av_error(rc));
  AVStream* st = avformat_new_stream(ctx, nullptr);
  if (!st || avcodec_parameters_copy(st->codecpar, par) < 0) {
    avformat_free_context(ctx);
    throw std::runtime_error("muxer: cannot add the video stream");
  }
  st->codecpar->codec_tag = 0;  // let the muxer pick the tag for its container
  st->time_base = in_time_base;
  if ((rc = avio_open(&ctx->pb, path.c_str(), AVIO_FLAG_WRITE)) < 0) {
    avformat_free_context(ctx);
    throw std::runtime_error("cannot open " + path.string() + ": " + av_error(rc));
  }
  AVDictionary* opts = nullptr;
  if (std::string_view(format) == "mp4") av_dict_set(&opts, "movflags", "+faststart", 0);
  rc = avformat_write_header(ctx, &opts);
  av_dict_free(&opts);
  if (rc < 0) {
    avio_closep(&ctx->pb);
    avformat_free_context(ctx);
    throw std::runtime_error("muxer header: " + av_error(rc));
  }
  ctx_ = ctx;
}

bool Remuxer::write(const AVPacket* in) {
  if (!ctx_) return false;
  PacketPtr p = packet_ref(in);
  if (!p) return false;
  if (p->dts == AV_NOPTS_VALUE) p->dts = p->pts;
  if (p->dts == AV_NOPTS_VALUE) return false;
  if (first_dts_ == AV_NOPTS_VALUE) {
    first_dts_ = p->dts;
    offset_ = rebase_ ? first_dts_ : std::min<std::int64_t>(first_dts_, 0);  // never negative
  }
  p->dts -= offset_;
  p->pts = p->pts == AV_NOPTS_VALUE ? p->dts : p->pts - offset_;
  if (last_dts_ != AV_NOPTS_VALUE && p->dts <= last_dts_) p->dts = last_dts_ + 1;
  if (p->pts < p->dts) p->pts = p->dts;
  last_dts_ = p->dts;
  last_end_ = std::max(last_end_, p->pts + std::max<std::int64_t>(p->duration, 0));
  p->stream_index = 0;
  p->pos = -1;
  av_packet_rescale_ts(p.get(), in_tb_, ctx_->streams[0]->time_base);
  if (av_interleaved_write_frame(ctx_, p.get()) < 0) return false;
  ++packets_;
  return true;
}

std::int64_t Remuxer::duration_ms() const {
  if (first_dts_ == AV_NOPTS_VALUE) return 0;
  return av_rescale_q(last_end_ - (first_dts_ - offset_), in_tb_, AVRational{1, 1000});
}

bool Remuxer::close() {
  if (!ctx_) return false;
  bool ok = packets_ > 0 && av_write_trailer(ctx_) >= 0;
  avio_closep(&ctx_->pb);
  avformat_free_context(ctx_);
  ctx_ = nullptr;
  return ok;
}

}  // namespace hazmon::video
