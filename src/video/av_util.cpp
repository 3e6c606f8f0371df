#include "av_util.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <limits>
#include <mutex>
#include <regex>

#include <hazmon/core/log.hpp>

namespace hazmon::video {

PacketPtr packet_ref(const AVPacket* p) {
  PacketPtr out(av_packet_alloc());
  if (!out || av_packet_ref(out.get(), p) < 0) return nullptr;
  return out;
}

std::string av_error(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

namespace {
std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}
}  // namespace

std::string url_with_credentials(std::string_view url, std::string_view user,
                                 std::string_view pass) {
  if (user.empty()) return std::string(url);
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto host_start = scheme + 3;
  auto path = url.find('/', host_start);
  auto authority =
      url.substr(host_start, path == std::string_view::npos ? url.npos : path - host_start);
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    host_start += at + 1;  // replace
  std::string out(url.substr(0, scheme + 3));
  out += percent_encode(user);
  if (!pass.empty()) out += ':' + percent_encode(pass);
  out += '@';
  out += url.substr(host_start);
  return out;
}

std::string mask_url(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  auto host_start = scheme + 3;
  auto path = url.find('/', host_start);
  auto authority =
      url.substr(host_start, path == std::string_view::npos ? url.npos : path - host_start);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, host_start)) + "***@" +
         std::string(url.substr(host_start + at + 1));
}

std::string mask_credentials_in_text(std::string_view text) {
  static const std::regex userinfo(R"(//[^/@\s]+@)");
  return std::regex_replace(std::string(text), userinfo, "//***@");
}

namespace {
void av_log_to_spdlog(void* avcl, int level, const char* fmt, va_list vl) {
  if (level > AV_LOG_WARNING) return;
  static thread_local int print_prefix = 1;
  char line[1024];
  va_list copy;
  va_copy(copy, vl);
  av_log_format_line2(avcl, level, fmt, copy, line, sizeof line, &print_prefix);
  va_end(copy);
  std::string s = mask_credentials_in_text(line);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) return;
  // Our workers log the outcome (with the camera id); FFmpeg's own lines are detail.
  core::logger(core::LogModule::video)->debug("ffmpeg: {}", s);
}
}  // namespace

void install_av_log() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_callback(av_log_to_spdlog);
    avformat_network_init();
  });
}

std::int64_t packet_ms(const AVPacket* p, AVRational tb) {
  std::int64_t t = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
  if (t == AV_NOPTS_VALUE) return std::numeric_limits<std::int64_t>::min();
  return av_rescale_q(t, tb, AVRational{1, 1000});
}

}  // namespace hazmon::video
