#include "stream_worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <random>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <time.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/model/camera_url.hpp>

#include "av_util.hpp"
#include "packet_ring.hpp"
#include "remuxer.hpp"
#include "snapshot.hpp"
#include "stream_detail.hpp"

namespace hazmon::video {

namespace fs = std::filesystem;
using namespace std::chrono;
using steady = steady_clock;
using namespace stream_detail;

namespace {

// The URL FFmpeg gets: the host replaced by the address it resolves to now, after every address
// it resolves to has passed the allow-list (so a name that resolves differently on the next
// lookup cannot lead FFmpeg elsewhere). "" and `error` set when refused.
std::string resolve_checked(const model::CameraUrl& u, const std::vector<model::Cidr>& allowed,
                            const std::vector<int>& own_ports, std::string& error) {
  std::vector<model::IpAddress> addrs;
  if (u.address) {
    addrs.push_back(*u.address);
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(u.host.c_str(), nullptr, &hints, &res) != 0 || !res) {
      error = "host not found";
      return {};
    }
    for (auto* p = res; p; p = p->ai_next) {
      char buf[INET6_ADDRSTRLEN] = {};
      const void* src =
          p->ai_family == AF_INET
              ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr)
          : p->ai_family == AF_INET6
              ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr)
              : nullptr;
      if (!src || !inet_ntop(p->ai_family, src, buf, sizeof buf)) continue;
      if (auto a = model::IpAddress::parse(buf)) addrs.push_back(*a);
    }
    freeaddrinfo(res);
  }
  if (addrs.empty()) {
    error = "host not found";
    return {};
  }
  const auto local = model::local_interface_addresses();
  for (const auto& a : addrs) {
    if (auto why = model::check_camera_address(a, u.port, allowed, own_ports, local);
        !why.empty()) {
      error = "not allowed: " + u.host + " (" + a.to_string() + ") " + why;
      return {};
    }
  }
  return u.with_host(addrs.front().to_string());
}

std::uint64_t ns_since(steady::time_point t0) {
  return static_cast<std::uint64_t>(duration_cast<nanoseconds>(steady::now() - t0).count());
}

}  // namespace

struct Camera::ClipJob {
  fs::path abs;
  VideoEvent event;
  Remuxer mux;
  std::int64_t end_ms = 0;
  steady::time_point created = steady::now();
};

Camera::Camera(CameraConfig cfg, const VideoSettings& settings, EventSink& sink,
               const core::Clock& clock, InferencePool& pool, SegmentRecorder::Hook segment_hook)
    : cfg_(std::move(cfg)),
      settings_(settings),
      sink_(sink),
      clock_(clock),
      pool_(pool),
      segment_hook_(std::move(segment_hook)) {
  st_.video_id = cfg_.video_id;
  std::string config_error;
  if (cfg_.analysers.is_array()) {
    for (const auto& entry : cfg_.analysers) {
      try {
        analysers_.push_back(make_analyser(entry, cfg_.rois, cfg_.duty_schedule));
      } catch (const std::exception& e) {
        // The stream still runs (status, offline alarm, recording) without this analyser.
        config_error = std::string("invalid analyser: ") + e.what();
        log()->error("camera {}: {}", cfg_.video_id, config_error);
      }
    }
  }
  analyser_last_ms_.assign(analysers_.size(), kNoTime);
  if (!analysers_.empty()) {
    interval_ = analysers_.front()->interval();
    for (const auto& a : analysers_) interval_ = std::min(interval_, a->interval());
    interval_ = std::max(interval_, milliseconds(40));
  }
  st_.last_error = config_error;
  roi_polys_ = roi_polygons(cfg_.rois);
}

Camera::~Camera() { stop(); }

void Camera::start() {
  install_av_log();
  last_frame_steady_ = steady::now();
  if (!analysers_.empty()) {
    slot_ = pool_.add(settings_.frame_queue,
                      [this](const AnalysisFrame& f, InferenceContext* ctx) { analyse(f, ctx); });
  }
  if (!cfg_.rtsp_sub_url.empty() && !cfg_.rtsp_url.empty()) {
    threads_.emplace_back([this] { run_stream(analyse_role, cfg_.rtsp_sub_url); });
    threads_.emplace_back([this] { run_stream(evidence_role, cfg_.rtsp_url); });
  } else {
    auto url = cfg_.rtsp_url.empty() ? cfg_.rtsp_sub_url : cfg_.rtsp_url;
    threads_.emplace_back([this, url] { run_stream(analyse_role | evidence_role, url); });
  }
}

void Camera::stop() {
  if (stop_.exchange(true)) return;
  { std::lock_guard lock(wait_mu_); }
  wait_cv_.notify_all();
  if (slot_) pool_.remove(slot_);  // no analysis of this camera is running after this
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard lock(mu_);
  st_.state = StreamState::stopped;
}

CameraStatus Camera::status() const {
  std::lock_guard lock(mu_);
  CameraStatus s = st_;
  s.packets = packets_;
  s.frames_decoded = decoded_;
  s.frames_analysed = analysed_;
  s.frames_dropped = dropped_;
  s.reconnects = reconnects_;
  return s;
}

void Camera::add_costs(PipelineCosts& c) const {
  c.demux_ms += static_cast<double>(demux_ns_) / 1e6;
  c.decode_ms += static_cast<double>(decode_ns_) / 1e6;
  c.scale_ms += static_cast<double>(scale_ns_) / 1e6;
  c.inference_ms += static_cast<double>(inference_ns_) / 1e6;
  c.analyse_ms += static_cast<double>(analyse_ns_) / 1e6;
  c.packets += packets_;
  c.frames_decoded += decoded_;
  c.frames_analysed += analysed_;
  c.frames_dropped += dropped_;
  c.rtp_accepted += rtp_.accepted;
  c.rtp_foreign += rtp_.foreign;
  c.rtp_late += rtp_.late;
  c.rtp_malformed += rtp_.malformed;
}

// ---------------------------------------------------------------- stream threads

void Camera::run_stream(unsigned role, std::string url) {
  const std::string masked =
      cfg_.gb ? "gb28181:" + cfg_.gb->device_id + "/" + cfg_.gb->channel_id : mask_url(url);
  const auto parsed = model::parse_camera_url(url);
  std::vector<model::Cidr> allowed;
  for (const auto& n : cfg_.allowed_networks)
    if (auto c = model::Cidr::parse(n)) allowed.push_back(*c);
  std::mt19937 rng(std::random_device{}());
  int attempt = 0;
  auto last_ok = steady::now();
  while (!stop_) {
    if (role & analyse_role) {
      std::lock_guard lock(mu_);
      if (st_.state != StreamState::offline) st_.state = StreamState::connecting;
    }
    std::string error;
    bool got = false;
    // Checked before every connection: the row was checked when written, but a host name may
    // resolve to another address now.
    std::string target;
    if (cfg_.gb) {
      // A GB/T 28181 channel: the SIP server INVITEs it, RTP comes from the device's address.
      got = session(role, {}, error);
    } else {
      if (!parsed.url)
        error = "invalid URL: the URL " + parsed.error;
      else
        target = resolve_checked(*parsed.url, allowed, settings_.own_ports, error);
      if (target.empty()) {
        if (role & analyse_role) set_error(error);
      } else {
        got = session(role, url_with_credentials(target, cfg_.username, cfg_.password), error);
      }
    }
    if (stop_) break;
    if (got) {
      attempt = 0;
      last_ok = steady::now();
    }
    ++reconnects_;
    if (settings_.give_up_after.count() > 0 && steady::now() - last_ok >= settings_.give_up_after) {
      give_up(role, masked, error);
      break;
    }
    // Capped exponential back-off with jitter, so that cameras behind one gateway that
    // dropped together do not reconnect in lockstep.
    const auto cap = settings_.backoff_max.count();
    const auto base =
        std::min<std::int64_t>(cap, settings_.backoff_initial.count() << std::min(attempt, 20));
    std::uniform_int_distribution<std::int64_t> jitter(base / 2,
                                                       std::max<std::int64_t>(base / 2, base));
    const milliseconds delay(jitter(rng));
    (attempt == 0 ? log()->warn("camera {} ({}): {}; retry in {} ms", cfg_.video_id, masked, error,
                                delay.count())
                  : log()->debug("camera {} ({}): {}; retry in {} ms", cfg_.video_id, masked, error,
                                 delay.count()));
    attempt = std::min(attempt + 1, 30);
    wait_backoff(delay, role);
  }
  if (role & evidence_role) finish_clips(true);
}

// Offline for give_up_after: no more reconnects (nor offline events) until the camera's config
// changes, which makes set_cameras start a new Camera.
void Camera::give_up(unsigned role, const std::string& masked, const std::string& error) {
  if (role & analyse_role) {
    check_offline(true);  // the one offline event, if it is not open yet
    std::lock_guard lock(mu_);
    st_.state = StreamState::offline;
    st_.last_error = "gave up: " + error;
  }
  log()->warn(
      "camera {} ({}): no frame for {} s ({}); no more reconnects until the camera is changed",
      cfg_.video_id, masked, settings_.give_up_after.count(), error);
  std::unique_lock lock(wait_mu_);
  wait_cv_.wait(lock, [this] { return stop_.load(); });
}

void Camera::wait_backoff(milliseconds d, unsigned role) {
  const auto until = steady::now() + d;
  std::unique_lock lock(wait_mu_);
  while (!stop_ && steady::now() < until) {
    wait_cv_.wait_for(lock, std::min<steady::duration>(until - steady::now(), milliseconds(200)));
    if (role & analyse_role) {
      lock.unlock();
      check_offline();
      lock.lock();
    }
  }
}

void Camera::set_error(std::string e) {
  std::lock_guard lock(mu_);
  st_.last_error = std::move(e);
}

// ---------------------------------------------------------------- online / offline

void Camera::frame_arrived(int width, int height) {
  std::unique_lock lock(mu_);
  st_.state = StreamState::online;
  st_.last_frame_at = clock_.now();
  st_.width = width;
  st_.height = height;
  last_frame_steady_ = steady::now();
  if (offline_episode_.empty()) return;
  VideoEvent e;
  e.video_id = cfg_.video_id;
  e.company_code = cfg_.company_code;
  e.analyser = "offline";
  e.kind = "offline";
  e.phase = EventPhase::end;
  e.episode_id = std::exchange(offline_episode_, {});
  e.started_at = offline_since_;
  e.ended_at = clock_.now();
  e.detail = "摄像头恢复在线";
  lock.unlock();
  emit(e);
}

void Camera::check_offline(bool now) {
  std::unique_lock lock(mu_);
  if (!offline_episode_.empty() ||
      (!now && steady::now() - last_frame_steady_ < settings_.offline_after))
    return;
  st_.state = StreamState::offline;
  VideoEvent e;
  e.video_id = cfg_.video_id;
  e.company_code = cfg_.company_code;
  e.analyser = "offline";
  e.kind = "offline";
  e.phase = EventPhase::start;
  e.started_at = st_.last_frame_at.value_or(clock_.now());
  offline_since_ = e.started_at;
  e.episode_id = offline_episode_ = stamp_string(clock_.now()) + "-offline-" + core::random_hex(3);
  e.confidence = 1.0;
  // Not the error itself: events are shown to the enterprise, and the kind of network error is
  // what an address probe would read (issue 9); operators see it in the status and the log.
  e.detail = "摄像头离线：超过 " + std::to_string(settings_.offline_after.count()) + " 秒无画面";
  lock.unlock();
  emit(e);
}

// ---------------------------------------------------------------- analysis (pool thread)

void Camera::analyse(const AnalysisFrame& frame, InferenceContext* ctx) {
  const auto t0 = steady::now();
  const auto before = ctx ? ctx->costs() : InferenceContext::Costs{};
  std::vector<Finding> findings;
  for (std::size_t i = 0; i < analysers_.size(); ++i) {
    if (!ctx || !due(frame.pts_ms, analyser_last_ms_[i], analysers_[i]->interval().count()))
      continue;
    analyser_last_ms_[i] = frame.pts_ms;
    analysers_[i]->analyse(frame, *ctx, findings);
  }
  const auto after = ctx ? ctx->costs() : InferenceContext::Costs{};
  const auto total = ns_since(t0);
  const auto infer = static_cast<std::uint64_t>(
      (after.person_ms + after.fire_ms - before.person_ms - before.fire_ms) * 1e6);
  inference_ns_ += infer;
  analyse_ns_ += total > infer ? total - infer : 0;
  ++analysed_;
  hints_.apply(findings);
  for (auto& f : findings) report(frame, std::move(f));
}

void Camera::report(const AnalysisFrame& frame, Finding&& f) {
  VideoEvent e;
  e.video_id = cfg_.video_id;
  e.company_code = cfg_.company_code;
  e.analyser = f.analyser;
  e.kind = f.kind;
  e.phase = f.phase;
  e.confidence = f.confidence;
  e.boxes = std::move(f.boxes);
  e.roi_name = f.roi_name;
  e.roi = f.roi;
  e.started_at = f.started_at == core::SysTime{} ? frame.time : f.started_at;
  e.detail = f.detail;
  const std::string key = f.analyser + "/" + f.kind + "/" + f.roi_name;
  {
    std::lock_guard lock(mu_);
    auto it = episodes_.find(key);
    if (e.phase == EventPhase::end) {
      if (it == episodes_.end()) return;  // nothing open to end
      e.episode_id = it->second.episode_id;
      e.snapshot_path = it->second.snapshot_path;
      e.clip_path = it->second.clip_path;
      e.ended_at = frame.time;
      episodes_.erase(it);
    } else if (it != episodes_.end()) {
      e.phase = EventPhase::update;  // a repeated start continues the open episode
      e.episode_id = it->second.episode_id;
      e.snapshot_path = it->second.snapshot_path;
      e.clip_path = it->second.clip_path;
    } else {
      e.phase = EventPhase::start;  // an update without a start opens the episode
      e.episode_id = stamp_string(frame.time) + "-" + safe_name(f.analyser) + "-" +
                     safe_name(f.kind) + "-" + core::random_hex(3);
    }
  }
  if (e.phase == EventPhase::start && !settings_.evidence_dir.empty()) {
    const fs::path rel = fs::path(safe_name(cfg_.video_id)) / day_string(frame.time) / e.episode_id;
    try {
      auto jpg = rel;
      jpg += ".jpg";
      write_jpeg(settings_.evidence_dir / jpg,
                 draw_evidence(frame.bgr, e.boxes, roi_polys_, e.roi));
      e.snapshot_path = jpg.string();
    } catch (const std::exception& ex) {
      log()->warn("camera {}: snapshot: {}", cfg_.video_id, ex.what());
    }
    std::lock_guard lock(mu_);
    episodes_[key] = e;
  } else if (e.phase == EventPhase::start) {
    std::lock_guard lock(mu_);
    episodes_[key] = e;
  }
  emit(e);
  if (e.phase == EventPhase::start && !settings_.evidence_dir.empty()) {
    auto mp4 = fs::path(safe_name(cfg_.video_id)) / day_string(frame.time) / e.episode_id;
    mp4 += ".mp4";
    VideoEvent later = e;
    later.phase = EventPhase::update;
    later.clip_path = mp4.string();
    request_clip(settings_.evidence_dir / mp4, std::move(later));
  }
}

void Camera::emit(const VideoEvent& e) {
  try {
    sink_.on_video_event(e);
  } catch (const std::exception& ex) {
    log()->error("camera {}: event sink: {}", cfg_.video_id, ex.what());
  }
}

// ---------------------------------------------------------------- evidence clips

void Camera::request_clip(fs::path abs, VideoEvent e) {
  auto job = std::make_unique<ClipJob>();
  job->abs = std::move(abs);
  job->event = std::move(e);
  std::lock_guard lock(clip_mu_);
  clip_requests_.push_back(std::move(job));
}

void Camera::feed_clips(Session& s, const AVPacket* p, std::int64_t ms) {
  // Running clips take this packet; a clip is done clip_after past its start.
  for (auto it = clips_.begin(); it != clips_.end();) {
    auto& job = **it;
    job.mux.write(p);
    if (ms >= job.end_ms ||
        ms < job.end_ms - duration_cast<milliseconds>(settings_.clip_after).count() - 60000) {
      clip_finished(job);
      it = clips_.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<std::unique_ptr<ClipJob>> fresh;
  {
    std::lock_guard lock(clip_mu_);
    if (clip_requests_.empty() || s.ring.entries().empty()) return;
    fresh.swap(clip_requests_);
  }
  for (auto& job : fresh) {
    try {
      fs::create_directories(job->abs.parent_path());
      job->mux.open(job->abs, "mp4", s.stream->codecpar, s.stream->time_base);
    } catch (const std::exception& e) {
      log()->warn("camera {}: clip: {}", cfg_.video_id, e.what());
      continue;
    }
    for (const auto& entry : s.ring.entries())
      job->mux.write(entry.pkt.get());  // includes this packet
    job->end_ms = ms + duration_cast<milliseconds>(settings_.clip_after).count();
    clips_.push_back(std::move(job));
  }
}

void Camera::clip_finished(ClipJob& job) {
  if (!job.mux.close()) return;
  {
    std::lock_guard lock(mu_);  // a later update or end of the episode carries the clip too
    for (auto& [k, ep] : episodes_) {
      if (ep.episode_id == job.event.episode_id) ep.clip_path = job.event.clip_path;
    }
  }
  emit(job.event);
}

void Camera::finish_clips(bool all) {
  // The stream is gone: running clips end here (shorter than asked, still playable).
  for (auto& job : clips_) clip_finished(*job);
  clips_.clear();
  std::lock_guard lock(clip_mu_);
  const auto too_old = settings_.clip_before + settings_.clip_after + seconds(60);
  std::erase_if(clip_requests_,
                [&](const auto& j) { return all || steady::now() - j->created > too_old; });
}

}  // namespace hazmon::video
