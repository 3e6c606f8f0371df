#include "segment_recorder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <regex>

#include <hazmon/core/log.hpp>

namespace hazmon::video {

namespace fs = std::filesystem;
using namespace std::chrono;

std::string day_string(core::SysTime t) {
  std::time_t tt = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y%m%d", &tm);
  return buf;
}

std::string stamp_string(core::SysTime t) {
  std::time_t tt = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%S", &tm);
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count() % 1000;
  char out[40];
  std::snprintf(out, sizeof out, "%s%03dZ", buf, static_cast<int>(ms < 0 ? ms + 1000 : ms));
  return out;
}

SegmentRecorder::SegmentRecorder(fs::path dir, std::string video_id, seconds length,
                                 const core::Clock& clock, Hook hook)
    : dir_(std::move(dir)),
      video_id_(std::move(video_id)),
      length_(length),
      clock_(clock),
      hook_(std::move(hook)) {}

void SegmentRecorder::on_packet(const AVPacket* p, std::int64_t ms, const AVCodecParameters* par,
                                AVRational tb) {
  const bool key = p->flags & AV_PKT_FLAG_KEY;
  if (mux_.is_open() && key && ms - start_ms_ >= length_.count()) finish();
  if (!mux_.is_open()) {
    if (!key) return;  // a segment must start with a key frame to play on its own
    start_ = clock_.now();
    start_ms_ = ms;
    auto folder = dir_ / video_id_ / day_string(start_);
    std::error_code ec;
    fs::create_directories(folder, ec);
    part_ = folder / (stamp_string(start_) + ".ts.part");
    try {
      mux_.open(part_, "mpegts", par, tb, /*rebase=*/false);
    } catch (const std::exception& e) {
      core::logger(core::LogModule::video)->warn("camera {}: recording: {}", video_id_, e.what());
      return;
    }
  }
  mux_.write(p);
}

void SegmentRecorder::finish() {
  if (!mux_.is_open()) return;
  auto dur = mux_.duration_ms();
  bool ok = mux_.close();
  std::error_code ec;
  if (!ok) {
    fs::remove(part_, ec);
    return;
  }
  auto final_path =
      part_.parent_path() / (stamp_string(start_) + "_" + std::to_string(dur) + ".ts");
  fs::rename(part_, final_path, ec);
  if (ec) return;
  Segment s;
  s.video_id = video_id_;
  s.path = fs::relative(final_path, dir_, ec);
  s.start = start_;
  s.duration = milliseconds(dur);
  s.bytes = fs::file_size(final_path, ec);
  if (hook_) {
    try {
      hook_(s);
    } catch (const std::exception& e) {
      core::logger(core::LogModule::video)
          ->warn("camera {}: segment hook: {}", video_id_, e.what());
    }
  }
}

std::optional<Segment> parse_segment(const fs::path& recording_dir, const fs::path& file) {
  static const std::regex name(R"((\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z_(\d+)\.ts)");
  std::smatch m;
  const std::string fname = file.filename().string();
  if (!std::regex_match(fname, m, name)) return std::nullopt;
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  Segment s;
  std::error_code ec;
  s.path = fs::relative(file, recording_dir, ec);
  s.video_id = s.path.begin() != s.path.end() ? s.path.begin()->string() : "";
  s.start = system_clock::from_time_t(timegm(&tm)) + milliseconds(std::stoi(m[7]));
  s.duration = milliseconds(std::stoll(m[8]));
  s.bytes = fs::file_size(file, ec);
  return s;
}

std::vector<Segment> scan_segments(const fs::path& recording_dir) {
  std::vector<Segment> out;
  std::error_code ec;
  if (!fs::exists(recording_dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(recording_dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    if (auto s = parse_segment(recording_dir, it->path())) out.push_back(std::move(*s));
  }
  std::sort(out.begin(), out.end(),
            [](const Segment& a, const Segment& b) { return a.start < b.start; });
  return out;
}

std::vector<Segment> enforce_retention(const fs::path& recording_dir, int days,
                                       std::uint64_t max_bytes, core::SysTime now) {
  auto all = scan_segments(recording_dir);
  std::uint64_t total = 0;
  for (const auto& s : all) total += s.bytes;
  const auto cutoff = now - hours(24) * days;
  std::vector<Segment> removed;
  for (const auto& s : all) {  // oldest first
    if (s.start >= cutoff && total <= max_bytes) break;
    std::error_code ec;
    if (fs::remove(recording_dir / s.path, ec) && !ec) {
      total -= s.bytes;
      removed.push_back(s);
    }
  }
  return removed;
}

}  // namespace hazmon::video
