#include <hazmon/service/video_service.hpp>

#include <spdlog/spdlog.h>

#include <hazmon/config/config.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/model/camera_url.hpp>
#include <hazmon/storage/database.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "video_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace video_detail {

bool safe_relative(const std::string& p) {
  if (p.empty() || p.size() > 512 || p.front() == '/' || p.find('\0') != std::string::npos ||
      p.find('\\') != std::string::npos)
    return false;
  for (const auto& part : fs::path(p))
    if (part == ".." || part == ".") return false;
  return true;
}

fs::path inside(const fs::path& base, const std::string& rel, const char* what) {
  if (base.empty() || !safe_relative(rel)) throw Error(Errc::not_found, std::string("no ") + what);
  std::error_code ec;
  auto root = fs::canonical(base, ec);
  if (ec) throw Error(Errc::not_found, std::string("no ") + what);
  auto full = fs::canonical(root / rel, ec);
  if (ec || !fs::is_regular_file(full, ec)) throw Error(Errc::not_found, std::string("no ") + what);
  auto r = full.lexically_relative(root);
  if (r.empty() || *r.begin() == "..") throw Error(Errc::not_found, std::string("no ") + what);
  return full;
}

void require_person(const model::Principal& who, const char* message) {
  if (!who.is_person()) throw Error(Errc::forbidden, message);
}

core::SysTime time_param(const std::string& s, const std::string& name) {
  auto t = core::parse_time(s);
  if (!t) throw Error(Errc::bad_request, name + " must be RFC 3339 or yyyy-MM-dd HH:mm:ss");
  return *t;
}

std::string credential_context(const std::string& company_code, const std::string& video_id) {
  return "camera:" + company_code + ":" + video_id;
}

model::StreamState state_of(video::StreamState s) {
  switch (s) {
    case video::StreamState::connecting:
      return model::StreamState::connecting;
    case video::StreamState::online:
      return model::StreamState::online;
    case video::StreamState::offline:
      return model::StreamState::offline;
    case video::StreamState::stopped:
      return model::StreamState::stopped;
  }
  return model::StreamState::stopped;
}

}  // namespace video_detail

using namespace video_detail;

namespace {

json boxes_json(const std::vector<video::Box>& boxes) {
  json out = json::array();
  for (const auto& b : boxes)
    out.push_back(
        {{"x", b.x}, {"y", b.y}, {"w", b.w}, {"h", b.h}, {"score", b.score}, {"label", b.label}});
  return out;
}

json roi_json(const std::vector<video::Point>& roi) {
  json out = json::array();
  for (const auto& p : roi) out.push_back(json::array({p.x, p.y}));
  return out;
}

model::VideoPhase phase_of(video::EventPhase p) {
  switch (p) {
    case video::EventPhase::start:
      return model::VideoPhase::start;
    case video::EventPhase::update:
      return model::VideoPhase::update;
    case video::EventPhase::end:
      return model::VideoPhase::end;
  }
  return model::VideoPhase::start;
}

std::string secret_env_name(const std::string& company_code, const std::string& ref) {
  std::string out = "HAZMON_CAMERA_SECRET_";
  for (char c : company_code + "_" + ref)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

}  // namespace

std::pair<std::string, std::string> camera_credentials(const std::string& company_code,
                                                       const std::string& ref,
                                                       const fs::path& secrets_dir) {
  auto unsafe = [](const std::string& v) {
    return v.empty() || v.find('/') != std::string::npos || v.find("..") != std::string::npos ||
           v.find('\0') != std::string::npos;
  };
  if (unsafe(ref) || unsafe(company_code)) return {};
  std::optional<std::string> s;
  try {
    s = config::read_secret(
        secret_env_name(company_code, ref),
        secrets_dir.empty() ? std::string() : (secrets_dir / company_code / ref).string());
  } catch (const std::exception& e) {
    core::logger(core::LogModule::service)->warn("camera secret {}: {}", ref, e.what());
    return {};
  }
  if (!s) return {};
  auto colon = s->find(':');
  if (colon == std::string::npos) return {*s, ""};
  return {s->substr(0, colon), s->substr(colon + 1)};
}

std::string video_warning_level(const std::string& analyser, const std::string& kind) {
  if (analyser == "fire") return "red";
  if (analyser == "smoke" || analyser == "leak") return "orange";
  if (analyser == "leave_post") return kind == "understaffed" ? "blue" : "yellow";
  return "blue";
}

std::string video_time(core::SysTime t) { return storage::format_timestamptz(t); }

// ---- the writer ----

VideoService::Impl::Impl(storage::Database& d, WarningService* w, VideoServiceSettings st,
                         const core::Clock& c, core::Liveness* live)
    : db(d),
      warnings(w),
      s(std::move(st)),
      clock(c),
      log(core::logger(core::LogModule::service)),
      worker({.name = "video-writer",
              .capacity = s.max_queued,
              .allowance = std::chrono::minutes(5),
              .liveness = live,
              .log = core::LogModule::service}) {}

bool VideoService::Impl::enqueue(VideoWork w, bool droppable) {
  auto job = [this, w = std::move(w)]() mutable { run(w); };
  return droppable ? worker.post(std::move(job)) : worker.post_always(std::move(job));
}

void VideoService::Impl::store_event(const video::VideoEvent& e) {
  storage::VideoEventWrite w;
  if (!e.snapshot_path.empty()) {
    if (safe_relative(e.snapshot_path))
      w.snapshot_path = e.snapshot_path;
    else
      log->warn("video event {} on {}: snapshot path {} refused", e.episode_id, e.video_id,
                e.snapshot_path);
  }
  if (!e.clip_path.empty()) {
    if (safe_relative(e.clip_path))
      w.clip_path = e.clip_path;
    else
      log->warn("video event {} on {}: clip path {} refused", e.episode_id, e.video_id,
                e.clip_path);
  }
  w.video_id = e.video_id;
  w.analyser = model::video_analyser_from_string(e.analyser).value();  // checked when queued
  w.kind = e.kind.empty() ? e.analyser : e.kind;
  w.episode_id = e.episode_id;
  w.phase = phase_of(e.phase);
  w.confidence = std::isfinite(e.confidence) ? std::clamp(e.confidence, 0.0, 1.0) : 0.0;
  w.boxes = boxes_json(e.boxes).dump();
  w.roi_name = e.roi_name;
  w.roi = roi_json(e.roi).dump();
  w.started_at = e.started_at;
  w.ended_at = e.ended_at;
  w.detail = e.detail;
  if (!db.in_tx([&](storage::Tx& tx) { return store.upsert_event(tx, w); })) {
    log->warn("video event {} for unknown camera {} dropped", e.episode_id, e.video_id);
    ++n_dropped;
    return;
  }
  ++n_stored;
}

void VideoService::Impl::store_segment(const video::Segment& g) {
  auto rel = g.path.generic_string();
  if (!safe_relative(rel)) {
    log->warn("segment path {} of camera {} refused", rel, g.video_id);
    return;
  }
  storage::SegmentWrite w{g.video_id, rel, g.start,
                          std::clamp<long long>(g.duration.count(), 0, 3600000),
                          static_cast<long long>(g.bytes)};
  db.in_tx([&](storage::Tx& tx) { store.add_segment(tx, w); });
  ++n_segments;
}

std::vector<std::string> VideoService::Impl::allowed_for(storage::Tx& tx,
                                                         const std::string& company_code) const {
  std::vector<std::string> out;
  for (const auto& c : model::networks_for(s.allowed_networks, company_code,
                                           store.video_gateways(tx, company_code)))
    out.push_back(c.to_string());
  return out;
}

// The camera's credential: the sealed one, else credential_ref in the enterprise namespace.
std::pair<std::string, std::string> VideoService::Impl::credential_of(
    const storage::ActiveCameraRow& r) const {
  if (r.credential_sealed) {
    if (!s.secret_box) {
      log->warn("camera {}: a sealed credential but no server key (security.server_key_file)",
                r.video_id);
      return {};
    }
    auto plain =
        s.secret_box->open(*r.credential_sealed, credential_context(r.company_code, r.video_id));
    if (!plain) {
      log->warn(
          "camera {}: the sealed credential does not open with this server key for this camera",
          r.video_id);
      return {};
    }
    auto j = json::parse(*plain, nullptr, false);
    if (!j.is_object() || !j["u"].is_string() || !j["p"].is_string()) return {};
    return {j["u"].get<std::string>(), j["p"].get<std::string>()};
  }
  return camera_credentials(r.company_code, r.credential_ref, s.secrets_dir);
}

std::vector<video::CameraConfig> VideoService::Impl::load_cameras() {
  std::map<std::string, std::vector<std::string>> allowed;  // by enterprise
  auto rows = db.in_tx([&](storage::Tx& tx) {
    auto rows = store.active_cameras(tx);
    for (const auto& r : rows)
      if (!allowed.count(r.company_code)) allowed[r.company_code] = allowed_for(tx, r.company_code);
    return rows;
  });
  std::vector<video::CameraConfig> out;
  for (const auto& r : rows) {
    video::CameraConfig c;
    c.video_id = r.video_id;
    c.company_code = r.company_code;
    c.name = r.name;
    c.scene_type = r.scene_type;
    c.rtsp_url = r.rtsp_url;
    c.rtsp_sub_url = r.rtsp_sub_url;
    std::tie(c.username, c.password) = credential_of(r);
    c.allowed_networks = allowed[c.company_code];
    c.analysers = json::parse(r.analysers);
    c.rois = json::parse(r.rois);
    c.duty_schedule = json::parse(r.duty_schedule);
    c.record = r.record;
    if (r.gb_device_row > 0)  // a GB/T 28181 channel (ADR 0034): no URL, no credential
      c.gb = video::GbSource{r.gb_device_row, r.gb_device_id, r.gb_channel_id};
    out.push_back(std::move(c));
  }
  return out;
}

void VideoService::Impl::push_cameras() {
  auto h = hook(cameras_hook);
  if (!h) return;
  auto cams = load_cameras();
  log->info("video: {} camera(s) handed to the pipeline", cams.size());
  h(cams);
}

void VideoService::Impl::housekeeping() {
  if (auto status = hook(status_hook)) {
    for (const auto& st : status()) {
      storage::CameraStatusWrite w{st.video_id,
                                   state_of(st.state),
                                   st.last_frame_at,
                                   st.last_error,
                                   st.width,
                                   st.height,
                                   static_cast<long long>(st.frames_analysed),
                                   static_cast<long long>(st.frames_dropped),
                                   static_cast<long long>(st.reconnects),
                                   clock.now()};
      db.in_tx([&](storage::Tx& tx) { store.save_status(tx, w); });
    }
  }
  if (auto enforce = hook(retention_hook)) {
    auto gone = enforce();
    for (const auto& g : gone)
      db.in_tx([&](storage::Tx& tx) { store.remove_segment(tx, g.path.generic_string()); });
    if (!gone.empty())
      log->info("video retention: {} segment(s) removed from the index", gone.size());
  }
}

void VideoService::Impl::handle(VideoWork& w) {
  if (auto* e = std::get_if<video::VideoEvent>(&w))
    store_event(*e);
  else if (auto* g = std::get_if<video::Segment>(&w))
    store_segment(*g);
  else if (std::holds_alternative<std::string>(w))
    push_cameras();
  else if (auto* f = std::get_if<std::shared_ptr<VideoFlush>>(&w))
    (*f)->done.set_value();
}

void VideoService::Impl::run(VideoWork& w) {
  try {
    handle(w);
  } catch (const std::exception& e) {
    ++n_failures;
    log->warn("video work item failed: {}", e.what());
    if (auto* f = std::get_if<std::shared_ptr<VideoFlush>>(&w)) (*f)->done.set_value();
  }
}

void VideoService::Impl::run_housekeeping() {
  try {
    housekeeping();
  } catch (const std::exception& e) {
    ++n_failures;
    log->warn("video housekeeping failed: {}", e.what());
  }
}

std::vector<video::CameraStatus> VideoService::Impl::live_status() const {
  auto status = hook(status_hook);
  return status ? status() : std::vector<video::CameraStatus>{};
}

// ---- the service ----

VideoService::VideoService(storage::Database& db, WarningService* warnings, VideoServiceSettings s,
                           const core::Clock& clock, core::Liveness* liveness)
    : impl_(std::make_unique<Impl>(db, warnings, std::move(s), clock, liveness)) {}

VideoService::~VideoService() { stop(); }

void VideoService::on_cameras(std::function<void(const std::vector<video::CameraConfig>&)> f) {
  std::lock_guard lock(impl_->hook_mu);
  impl_->cameras_hook = std::move(f);
}
void VideoService::status_source(std::function<std::vector<video::CameraStatus>()> f) {
  std::lock_guard lock(impl_->hook_mu);
  impl_->status_hook = std::move(f);
}
void VideoService::retention(std::function<std::vector<video::Segment>()> f) {
  std::lock_guard lock(impl_->hook_mu);
  impl_->retention_hook = std::move(f);
}

void VideoService::start() {
  auto& i = *impl_;
  if (i.worker.running()) return;
  i.enqueue(std::string("reload"), false);
  if (i.s.housekeeping_interval > seconds(0))
    i.worker.every("housekeeping", i.s.housekeeping_interval, [&i] { i.run_housekeeping(); });
  i.worker.start();
}

void VideoService::stop() {
  auto& i = *impl_;
  if (!i.worker.running()) return;
  // What is queued is written; what is still queued after 30 s is dropped and logged.
  i.worker.stop(core::SerialWorker::OnStop::drain, seconds(30));
}

void VideoService::on_video_event(const video::VideoEvent& e) {
  auto& i = *impl_;
  ++i.n_seen;
  if (!model::video_analyser_from_string(e.analyser) || e.video_id.empty() ||
      e.episode_id.empty() || e.episode_id.size() > 128) {
    ++i.n_dropped;
    i.log->warn("malformed video event (camera '{}', analyser '{}') dropped", e.video_id,
                e.analyser);
    return;
  }
  if (!i.enqueue(e, true)) {
    ++i.n_dropped;
    if (i.n_dropped % 100 == 1)
      i.log->error("video event queue full: {} events dropped so far", i.n_dropped.load());
  }
}

void VideoService::add_segment(const video::Segment& s) {
  if (!impl_->enqueue(s, true)) ++impl_->n_dropped;
}

void VideoService::reload_cameras() { impl_->enqueue(std::string("reload"), false); }

void VideoService::flush() {
  auto f = std::make_shared<VideoFlush>();
  auto fut = f->done.get_future();
  impl_->enqueue(f, false);
  if (!impl_->worker.running()) impl_->worker.run_queued_here();  // not started: drain here (tests)
  fut.wait_for(seconds(30));
}

std::vector<video::CameraConfig> VideoService::load_cameras() { return impl_->load_cameras(); }

void VideoService::housekeeping() { impl_->housekeeping(); }

VideoStats VideoService::stats() const {
  const auto& i = *impl_;
  return {i.n_seen, i.n_stored, i.n_dropped, i.n_segments, i.n_failures};
}

}  // namespace hazmon::service
