#include <hazmon/service/video_service.hpp>

#include <spdlog/spdlog.h>

#include <hazmon/config/config.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/model/camera_url.hpp>
#include <hazmon/rules/disposal.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <variant>

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

using storage::ph;  // the one placeholder helper (storage/database.hpp)

std::string ts(core::SysTime t) { return core::format_rfc3339(t); }

std::string time_param(const std::string& s, const std::string& name) {
  auto t = core::parse_time(s);
  if (!t) throw Error(Errc::bad_request, name + " must be RFC 3339 or yyyy-MM-dd HH:mm:ss");
  return ts(*t);
}

// "2026-11-29 08:05:03" in UTC+8, as people in the province read times.
std::string beijing_time(core::SysTime t) {
  auto local = floor<seconds>(t) + hours(8);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss hms{local - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

const std::set<std::string>& analysers() {
  static const std::set<std::string> k = {"leave_post", "fire",          "smoke",
                                          "leak",       "camera_health", "offline"};
  return k;
}

bool reviewable(const std::string& analyser) {
  return analyser != "camera_health" && analyser != "offline";
}

const char* analyser_zh(const std::string& a) {
  if (a == "leave_post") return "人员脱岗";
  if (a == "fire") return "火焰";
  if (a == "smoke") return "烟雾";
  if (a == "leak") return "泄漏";
  if (a == "camera_health") return "摄像头画面异常";
  if (a == "offline") return "摄像头离线";
  return "视频异常";
}

const char* kind_zh(const std::string& k) {
  if (k == "absent") return "值班人员离岗";
  if (k == "understaffed") return "在岗人数不足";
  if (k == "vapour") return "疑似气体或蒸汽泄漏";
  if (k == "liquid") return "疑似液体泄漏";
  if (k == "fire") return "疑似火焰";
  if (k == "smoke") return "疑似烟雾";
  return "";
}

// A path the pipeline reported, relative to its base directory; anything that could leave the
// directory is refused here and again when the file is served.
bool safe_relative(const std::string& p) {
  if (p.empty() || p.size() > 512 || p.front() == '/' || p.find('\0') != std::string::npos ||
      p.find('\\') != std::string::npos)
    return false;
  for (const auto& part : fs::path(p))
    if (part == ".." || part == ".") return false;
  return true;
}

// The file under `base`, or 404: relative, no "..", and after resolving links still inside base.
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

const char* phase_name(video::EventPhase p) {
  switch (p) {
    case video::EventPhase::start:
      return "start";
    case video::EventPhase::update:
      return "update";
    case video::EventPhase::end:
      return "end";
  }
  return "start";
}

const char* state_name(video::StreamState s) {
  switch (s) {
    case video::StreamState::connecting:
      return "connecting";
    case video::StreamState::online:
      return "online";
    case video::StreamState::offline:
      return "offline";
    case video::StreamState::stopped:
      return "stopped";
  }
  return "stopped";
}

constexpr const char* kEventColumns =
    "v.id, v.video_id, c.name AS camera_name, c.location AS camera_location, c.lon, c.lat, "
    "c.scene_type, "
    "v.company_code, e.name AS company_name, e.region_code, v.analyser, v.kind, v.episode_id, "
    "v.phase, v.confidence, "
    "v.boxes, v.roi_name, v.roi, v.started_at, v.ended_at, v.detail, v.review_state, "
    "v.reviewed_by, v.reviewed_name, "
    "v.reviewed_role, v.reviewed_at, v.review_reason, v.warning_event_id, "
    "(v.snapshot_path IS NOT NULL) AS has_snapshot, (v.clip_path IS NOT NULL) AS has_clip, "
    "v.created_at, v.updated_at";
constexpr const char* kEventFrom =
    " FROM video_event v JOIN camera c ON c.video_id = v.video_id JOIN enterprise e ON "
    "e.company_code = v.company_code";

// Evidence as URLs the client can fetch (with its bearer token) instead of internal paths.
json with_links(json row) {
  auto id = std::to_string(row["id"].get<long long>());
  row["snapshot_url"] =
      row["has_snapshot"].get<bool>() ? json("/api/v1/video/events/" + id + "/snapshot") : json();
  row["clip_url"] =
      row["has_clip"].get<bool>() ? json("/api/v1/video/events/" + id + "/clip") : json();
  return row;
}

std::string secret_env_name(const std::string& company_code, const std::string& ref) {
  std::string out = "HAZMON_CAMERA_SECRET_";
  for (char c : company_code + "_" + ref)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

// The associated data of a camera's sealed credential: opened only on the row it was set for.
std::string credential_context(const std::string& company_code, const std::string& video_id) {
  return "camera:" + company_code + ":" + video_id;
}

// Roles that see a stream's own error text; everyone else reads "unreachable".
bool sees_stream_errors(model::Role r) {
  return r == model::Role::operator_ || r == model::Role::province_admin;
}

bool plain_text(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

struct Flush {
  std::promise<void> done;
};
using Work = std::variant<video::VideoEvent, video::Segment, std::string /* reload */,
                          std::shared_ptr<Flush>>;

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

struct VideoService::Impl {
  storage::Database& db;
  WarningService* warnings;
  VideoServiceSettings s;
  const core::Clock& clock;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::service);

  std::function<void(const std::vector<video::CameraConfig>&)> cameras_hook;
  std::function<std::vector<video::CameraStatus>()> status_hook;
  std::function<std::vector<video::Segment>()> retention_hook;
  mutable std::mutex hook_mu;  // hooks may be set while the writer runs (tests)

  template <typename F>
  F hook(const F& f) const {
    std::lock_guard lock(hook_mu);
    return f;
  }

  // The writer (core::SerialWorker "video-writer"): events and segments (droppable, bounded by
  // max_queued), camera reloads and flushes (never dropped while running), and housekeeping every
  // housekeeping_interval, one at a time.
  core::SerialWorker worker;

  std::atomic<std::uint64_t> n_seen{0}, n_stored{0}, n_dropped{0}, n_segments{0}, n_failures{0};

  Impl(storage::Database& d, WarningService* w, VideoServiceSettings st, const core::Clock& c,
       core::Liveness* live)
      : db(d),
        warnings(w),
        s(std::move(st)),
        clock(c),
        worker({.name = "video-writer",
                .capacity = s.max_queued,
                .allowance = std::chrono::minutes(5),
                .liveness = live,
                .log = core::LogModule::service}) {}

  bool enqueue(Work w, bool droppable) {
    auto job = [this, w = std::move(w)]() mutable { run(w); };
    return droppable ? worker.post(std::move(job)) : worker.post_always(std::move(job));
  }

  // ---- writer thread ----

  void store_event(const video::VideoEvent& e) {
    std::string snapshot = e.snapshot_path, clip = e.clip_path;
    if (!snapshot.empty() && !safe_relative(snapshot)) {
      log->warn("video event {} on {}: snapshot path {} refused", e.episode_id, e.video_id,
                snapshot);
      snapshot.clear();
    }
    if (!clip.empty() && !safe_relative(clip)) {
      log->warn("video event {} on {}: clip path {} refused", e.episode_id, e.video_id, clip);
      clip.clear();
    }
    auto opt = [](const std::string& v) {
      return v.empty() ? storage::Param() : storage::Param(v);
    };
    double conf = std::isfinite(e.confidence) ? std::clamp(e.confidence, 0.0, 1.0) : 0.0;
    auto n = db.in_tx([&](storage::Tx& tx) {
      return tx.exec_count(
          "INSERT INTO video_event (video_id, company_code, analyser, kind, episode_id, phase, "
          "confidence, boxes, roi_name, "
          "roi, started_at, ended_at, snapshot_path, clip_path, detail, review_state) "
          "SELECT c.video_id, c.company_code, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
          "$14, "
          "CASE WHEN $2 IN ('camera_health','offline') THEN 'not_required' ELSE 'pending' END "
          "FROM camera c WHERE c.video_id = $1 "
          "ON CONFLICT (video_id, episode_id) DO UPDATE SET "
          "phase = CASE WHEN video_event.phase = 'end' THEN 'end' ELSE EXCLUDED.phase END, "
          "confidence = greatest(video_event.confidence, EXCLUDED.confidence), "
          "boxes = CASE WHEN jsonb_array_length(EXCLUDED.boxes) > 0 THEN EXCLUDED.boxes ELSE "
          "video_event.boxes END, "
          "ended_at = coalesce(EXCLUDED.ended_at, video_event.ended_at), "
          // The first snapshot is the one the reviewer sees; a later clip replaces none.
          "snapshot_path = coalesce(video_event.snapshot_path, EXCLUDED.snapshot_path), "
          "clip_path = coalesce(video_event.clip_path, EXCLUDED.clip_path), "
          // The first description is what was detected; later ones ("人员已返岗") describe its end.
          "detail = CASE WHEN video_event.detail = '' THEN EXCLUDED.detail ELSE video_event.detail "
          "END, "
          "updated_at = now()",
          {e.video_id, e.analyser, e.kind.empty() ? e.analyser : e.kind, e.episode_id,
           phase_name(e.phase), std::to_string(conf), boxes_json(e.boxes).dump(), e.roi_name,
           roi_json(e.roi).dump(), ts(e.started_at),
           e.ended_at ? storage::Param(ts(*e.ended_at)) : storage::Param(), opt(snapshot),
           opt(clip), e.detail});
    });
    if (n == 0) {
      log->warn("video event {} for unknown camera {} dropped", e.episode_id, e.video_id);
      ++n_dropped;
      return;
    }
    ++n_stored;
  }

  void store_segment(const video::Segment& g) {
    auto rel = g.path.generic_string();
    if (!safe_relative(rel)) {
      log->warn("segment path {} of camera {} refused", rel, g.video_id);
      return;
    }
    db.in_tx([&](storage::Tx& tx) {
      tx.exec(
          "INSERT INTO video_segment (video_id, company_code, seq, path, start_at, duration_ms, "
          "bytes) "
          "SELECT c.video_id, c.company_code, "
          "coalesce((SELECT max(seq) FROM video_segment WHERE video_id = $1), 0) + 1, $2, $3, $4, "
          "$5 "
          "FROM camera c WHERE c.video_id = $1 ON CONFLICT (path) DO NOTHING",
          {g.video_id, rel, ts(g.start),
           std::to_string(std::clamp<long long>(g.duration.count(), 0, 3600000)),
           std::to_string(g.bytes)});
    });
    ++n_segments;
  }

  // The addresses of the enterprise's active video gateways (gateway_type "video" or 视频…).
  std::vector<std::string> gateway_addresses(storage::Tx& tx,
                                             const std::string& company_code) const {
    std::vector<std::string> out;
    for (auto& r : tx.exec("SELECT host(ip) AS ip FROM gateway WHERE company_code = $1 AND "
                           "is_active AND ip IS NOT NULL "
                           "AND (lower(gateway_type) IN ('video', 'video_gateway') OR gateway_type "
                           "LIKE '%视频%') ORDER BY ip",
                           {company_code}))
      out.push_back(r["ip"].get<std::string>());
    return out;
  }

  std::vector<std::string> allowed_for(storage::Tx& tx, const std::string& company_code) const {
    std::vector<std::string> out;
    for (const auto& c :
         model::networks_for(s.allowed_networks, company_code, gateway_addresses(tx, company_code)))
      out.push_back(c.to_string());
    return out;
  }

  // The camera's credential: the sealed one, else credential_ref in the enterprise namespace.
  std::pair<std::string, std::string> credential_of(const json& r) const {
    const std::string company = r["company_code"], video_id = r["video_id"];
    if (r["credential_sealed"].is_string()) {
      if (!s.secret_box) {
        log->warn("camera {}: a sealed credential but no server key (security.server_key_file)",
                  video_id);
        return {};
      }
      auto plain = s.secret_box->open(r["credential_sealed"].get<std::string>(),
                                      credential_context(company, video_id));
      if (!plain) {
        log->warn(
            "camera {}: the sealed credential does not open with this server key for this camera",
            video_id);
        return {};
      }
      auto j = json::parse(*plain, nullptr, false);
      if (!j.is_object() || !j["u"].is_string() || !j["p"].is_string()) return {};
      return {j["u"].get<std::string>(), j["p"].get<std::string>()};
    }
    return camera_credentials(company, r["credential_ref"].get<std::string>(), s.secrets_dir);
  }

  std::vector<video::CameraConfig> load_cameras() {
    std::map<std::string, std::vector<std::string>> allowed;  // by enterprise
    auto rows = db.in_tx([&](storage::Tx& tx) {
      auto rows = tx.exec(
          "SELECT video_id, company_code, name, scene_type, rtsp_url, coalesce(rtsp_sub_url, '') "
          "AS rtsp_sub_url, "
          "coalesce(credential_ref, '') AS credential_ref, credential_sealed, analysers, rois, "
          "duty_schedule, record "
          "FROM camera WHERE is_active AND rtsp_url IS NOT NULL AND rtsp_url <> '' ORDER BY "
          "video_id");
      for (const auto& r : rows) {
        const std::string company = r["company_code"];
        if (!allowed.count(company)) allowed[company] = allowed_for(tx, company);
      }
      return rows;
    });
    std::vector<video::CameraConfig> out;
    for (const auto& r : rows) {
      video::CameraConfig c;
      c.video_id = r["video_id"];
      c.company_code = r["company_code"];
      c.name = r["name"];
      c.scene_type = r["scene_type"];
      c.rtsp_url = r["rtsp_url"];
      c.rtsp_sub_url = r["rtsp_sub_url"];
      std::tie(c.username, c.password) = credential_of(r);
      c.allowed_networks = allowed[c.company_code];
      c.analysers = r["analysers"];
      c.rois = r["rois"];
      c.duty_schedule = r["duty_schedule"];
      c.record = r["record"].get<bool>();
      out.push_back(std::move(c));
    }
    return out;
  }

  void push_cameras() {
    auto h = hook(cameras_hook);
    if (!h) return;
    auto cams = load_cameras();
    log->info("video: {} camera(s) handed to the pipeline", cams.size());
    h(cams);
  }

  void housekeeping() {
    if (auto status = hook(status_hook)) {
      for (const auto& st : status()) {
        db.in_tx([&](storage::Tx& tx) {
          tx.exec(
              "INSERT INTO camera_status (video_id, state, last_frame_at, last_error, width, "
              "height, frames_analysed, "
              "frames_dropped, reconnects, updated_at) SELECT c.video_id, $2, $3, $4, $5, $6, $7, "
              "$8, $9, $10 "
              "FROM camera c WHERE c.video_id = $1 "
              "ON CONFLICT (video_id) DO UPDATE SET state = EXCLUDED.state, last_frame_at = "
              "EXCLUDED.last_frame_at, "
              "last_error = EXCLUDED.last_error, width = EXCLUDED.width, height = EXCLUDED.height, "
              "frames_analysed = EXCLUDED.frames_analysed, frames_dropped = "
              "EXCLUDED.frames_dropped, "
              "reconnects = EXCLUDED.reconnects, updated_at = EXCLUDED.updated_at",
              {st.video_id, state_name(st.state),
               st.last_frame_at ? storage::Param(ts(*st.last_frame_at)) : storage::Param(),
               st.last_error, std::to_string(st.width), std::to_string(st.height),
               std::to_string(st.frames_analysed), std::to_string(st.frames_dropped),
               std::to_string(st.reconnects), ts(clock.now())});
        });
      }
    }
    if (auto enforce = hook(retention_hook)) {
      auto gone = enforce();
      for (const auto& g : gone)
        db.in_tx([&](storage::Tx& tx) {
          tx.exec("DELETE FROM video_segment WHERE path = $1", {g.path.generic_string()});
        });
      if (!gone.empty())
        log->info("video retention: {} segment(s) removed from the index", gone.size());
    }
  }

  void handle(Work& w) {
    if (auto* e = std::get_if<video::VideoEvent>(&w))
      store_event(*e);
    else if (auto* g = std::get_if<video::Segment>(&w))
      store_segment(*g);
    else if (std::holds_alternative<std::string>(w))
      push_cameras();
    else if (auto* f = std::get_if<std::shared_ptr<Flush>>(&w))
      (*f)->done.set_value();
  }

  // A failed write is logged and counted; the pipeline reports the episode again on its next
  // update, and the row is an upsert.
  void run(Work& w) {
    try {
      handle(w);
    } catch (const std::exception& e) {
      ++n_failures;
      log->warn("video work item failed: {}", e.what());
      if (auto* f = std::get_if<std::shared_ptr<Flush>>(&w)) (*f)->done.set_value();
    }
  }

  void run_housekeeping() {
    try {
      housekeeping();
    } catch (const std::exception& e) {
      ++n_failures;
      log->warn("video housekeeping failed: {}", e.what());
    }
  }

  // ---- queries ----

  json event_in_scope(storage::Tx& tx, const model::Principal& who, long long id, bool for_update) {
    storage::Params params{std::to_string(id)};
    auto where = storage::scope_predicate(who.scope, "v.company_code", "e.region_code", params);
    auto row = tx.exec_one(
        std::string("SELECT ") + kEventColumns + ", v.snapshot_path, v.clip_path, c.hazard_code" +
            kEventFrom + " WHERE v.id = $1 AND " + where + (for_update ? " FOR UPDATE OF v" : ""),
        params);
    if (row.is_null()) throw Error(Errc::not_found, "no such video event");
    return row;
  }

  json camera_in_scope(storage::Tx& tx, const model::Principal& who, const std::string& video_id) {
    if (video_id.empty() || video_id.size() > 32) throw Error(Errc::not_found, "no such camera");
    storage::Params params{video_id};
    auto where = storage::scope_predicate(who.scope, "c.company_code", "e.region_code", params);
    auto row = tx.exec_one(
        "SELECT c.video_id, c.name, c.company_code, e.name AS company_name, c.location, "
        "c.scene_type, "
        "c.record, c.is_active, (c.rtsp_url IS NOT NULL AND c.rtsp_url <> '') AS has_stream "
        "FROM camera c JOIN enterprise e ON e.company_code = c.company_code "
        "WHERE c.video_id = $1 AND " +
            where,
        params);
    if (row.is_null()) throw Error(Errc::not_found, "no such camera");
    return row;
  }

  static std::string content_of(const json& ev) {
    std::string out = ev["company_name"].get<std::string>() + "“" +
                      ev["camera_name"].get<std::string>() + "”摄像头";
    if (ev["camera_location"].is_string() && !ev["camera_location"].get<std::string>().empty())
      out += "（位置：" + ev["camera_location"].get<std::string>() + "）";
    auto started = core::parse_time(ev["started_at"].get<std::string>());
    if (started) out += "于" + beijing_time(*started);
    out += std::string("检测到") + analyser_zh(ev["analyser"].get<std::string>());
    std::string kind = kind_zh(ev["kind"].get<std::string>());
    std::string detail = ev["detail"].get<std::string>();
    if (!detail.empty())
      out += "：" + detail;
    else if (!kind.empty())
      out += "：" + kind;
    char conf[32];
    std::snprintf(conf, sizeof conf, "%.0f%%", ev["confidence"].get<double>() * 100);
    out += std::string("（置信度") + conf + "），经人工审核确认。";
    return out;
  }
};

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
  if (!analysers().count(e.analyser) || e.video_id.empty() || e.episode_id.empty() ||
      e.episode_id.size() > 128) {
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
  auto f = std::make_shared<Flush>();
  auto fut = f->done.get_future();
  impl_->enqueue(f, false);
  if (!impl_->worker.running()) impl_->worker.run_queued_here();  // not started: drain here (tests)
  fut.wait_for(seconds(30));
}

std::vector<video::CameraConfig> VideoService::load_cameras() { return impl_->load_cameras(); }

void VideoService::housekeeping() { impl_->housekeeping(); }

json VideoService::list(const model::Principal& who,
                        const std::map<std::string, std::string>& filters, int limit,
                        long long offset) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "video events are for people, not machine credentials");
  storage::Params params;
  std::string where =
      storage::scope_predicate(who.scope, "v.company_code", "e.region_code", params);
  for (const auto& [k, v] : filters) {
    if (v.empty()) continue;  // an empty form field: no filter
    if (k == "state") {
      if (v != "pending" && v != "confirmed" && v != "rejected" && v != "not_required")
        throw Error(Errc::bad_request,
                    "state must be pending, confirmed, rejected or not_required");
      where += " AND v.review_state = " + ph(params, v);
    } else if (k == "analyser") {
      if (!analysers().count(v))
        throw Error(Errc::bad_request,
                    "analyser must be leave_post, fire, smoke, leak, camera_health or offline");
      where += " AND v.analyser = " + ph(params, v);
    } else if (k == "company_code") {
      where += " AND v.company_code = " + ph(params, v);
    } else if (k == "video_id") {
      where += " AND v.video_id = " + ph(params, v);
    } else if (k == "from" || k == "to") {
      where += std::string(" AND v.started_at ") + (k == "from" ? ">= " : "< ") +
               ph(params, time_param(v, k));
    }
  }
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto tx = impl_->db.begin();
  auto rows = tx.exec(std::string("SELECT ") + kEventColumns +
                          ", count(*) OVER () AS total_count_" + kEventFrom + " WHERE " + where +
                          " ORDER BY v.started_at DESC, v.id DESC LIMIT " + lim + " OFFSET " + ofs,
                      params);
  long long total = rows.empty() ? 0 : rows[0]["total_count_"].get<long long>();
  json items = json::array();
  for (auto& r : rows) {
    r.erase("total_count_");
    items.push_back(with_links(std::move(r)));
  }
  return {{"items", items}, {"total", total}, {"limit", limit}, {"offset", offset}};
}

json VideoService::get(const model::Principal& who, long long id) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "video events are for people, not machine credentials");
  auto tx = impl_->db.begin();
  auto row = impl_->event_in_scope(tx, who, id, false);
  row.erase("snapshot_path");
  row.erase("clip_path");
  row.erase("hazard_code");
  auto out = with_links(std::move(row));
  auto kind = rules::actor_kind_of(who);
  bool may_review =
      out["review_state"] == "pending" && kind && *kind != rules::ActorKind::enterprise;
  out["allowed_decisions"] = may_review ? json::array({"confirm", "reject"}) : json::array();
  out["warning_level"] = video_warning_level(out["analyser"], out["kind"]);
  return out;
}

json VideoService::review(const model::Principal& who, long long id, const json& body) {
  auto& i = *impl_;
  if (!who.is_person())
    throw Error(Errc::forbidden, "video events are for people, not machine credentials");
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items()) {
    if (k != "decision" && k != "reason")
      throw Error(Errc::validation_failed, "unknown field",
                  {{"/" + k, "is not a field of a review"}});
    if (!v.is_string() || v.get<std::string>().size() > 2000)
      throw Error(Errc::validation_failed, "bad field",
                  {{"/" + k, "a string of at most 2000 bytes"}});
  }
  if (!body.contains("decision"))
    throw Error(Errc::validation_failed, "decision is required", {{"/decision", "required"}});
  std::string decision = body["decision"];
  if (decision != "confirm" && decision != "reject")
    throw Error(Errc::validation_failed, "unknown decision", {{"/decision", "confirm or reject"}});
  std::string reason = body.value("reason", "");
  bool blank = reason.find_first_not_of(" \t\r\n") == std::string::npos;
  if (decision == "reject" && blank)
    throw Error(Errc::validation_failed, "a rejection needs a reason",
                {{"/reason", "required when rejecting"}});

  long long warning_id = 0;
  i.db.in_tx([&](storage::Tx& tx) {
    auto ev = i.event_in_scope(tx, who, id, true);
    auto kind = rules::actor_kind_of(who);
    if (!kind || *kind == rules::ActorKind::enterprise || *kind == rules::ActorKind::system)
      throw Error(Errc::forbidden, "only county, city or province officers review video events");
    auto state = ev["review_state"].get<std::string>();
    if (state == "not_required")
      throw Error(Errc::conflict, "camera health and offline events are not reviewed");
    if (state != "pending") throw Error(Errc::conflict, "this video event was already " + state);
    auto now = i.clock.now();
    storage::Params p{std::to_string(id),
                      std::to_string(who.id),
                      who.name,
                      std::string(model::to_string(who.role)),
                      ts(now),
                      blank ? storage::Param() : storage::Param(reason)};
    if (decision == "reject") {
      tx.exec(
          "UPDATE video_event SET review_state = 'rejected', reviewed_by = $2, reviewed_name = $3, "
          "reviewed_role = $4, "
          "reviewed_at = $5, review_reason = $6, updated_at = now() WHERE id = $1",
          p);
      return;
    }
    if (!i.warnings)
      throw Error(Errc::unavailable, core::Reason::feature_disabled,
                  "warning events are not enabled on this server");
    VideoWarning w;
    w.company_code = ev["company_code"];
    w.hazard_code = ev["hazard_code"].is_string() ? ev["hazard_code"].get<std::string>() : "";
    w.level = rules::warning_level_from_string(video_warning_level(ev["analyser"], ev["kind"]))
                  .value_or(rules::WarningLevel::yellow);
    w.content = Impl::content_of(ev);
    w.first = core::parse_time(ev["started_at"].get<std::string>()).value_or(now);
    w.review_text = blank ? std::string("视频AI事件人工审核确认") : reason;
    warning_id = i.warnings->raise_video_event(tx, who, w);
    p.push_back(std::to_string(warning_id));
    tx.exec(
        "UPDATE video_event SET review_state = 'confirmed', reviewed_by = $2, reviewed_name = $3, "
        "reviewed_role = $4, "
        "reviewed_at = $5, review_reason = $6, warning_event_id = $7, updated_at = now() WHERE id "
        "= $1",
        p);
  });
  if (warning_id) {
    i.log->info("video event {} confirmed by {}: warning event {}", id, who.name, warning_id);
    i.warnings->announce(warning_id);
  } else {
    i.log->info("video event {} rejected by {}", id, who.name);
  }
  return get(who, id);
}

MediaFile VideoService::evidence(const model::Principal& who, long long id,
                                 const std::string& kind) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "video events are for people, not machine credentials");
  auto tx = impl_->db.begin();
  auto row = impl_->event_in_scope(tx, who, id, false);
  const auto& col = row[kind == "snapshot" ? "snapshot_path" : "clip_path"];
  if (!col.is_string()) throw Error(Errc::not_found, "no " + kind + " for this event (yet)");
  return {inside(impl_->s.evidence_dir, col.get<std::string>(),
                 kind == "snapshot" ? "snapshot" : "clip"),
          kind == "snapshot" ? "image/jpeg" : "video/mp4"};
}

json VideoService::statistics(const model::Principal& who,
                              const std::map<std::string, std::string>& filters) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "video statistics are for people, not machine credentials");
  storage::Params params;
  std::string where =
      storage::scope_predicate(who.scope, "v.company_code", "e.region_code", params) +
      " AND v.review_state <> 'not_required'";
  std::string period = "day", group_by = "enterprise";
  json echo = json::object();
  for (const auto& [k, v] : filters) {
    if (v.empty()) continue;
    if (k == "group_by") {
      if (v != "enterprise" && v != "city" && v != "camera" && v != "analyser")
        throw Error(Errc::bad_request, "group_by must be enterprise, city, camera or analyser");
      group_by = v;
    } else if (k == "from" || k == "to") {
      auto t = time_param(v, k);
      where += std::string(" AND v.started_at ") + (k == "from" ? ">= " : "< ") + ph(params, t);
      echo[k] = t;
    } else if (k == "company_code") {
      where += " AND v.company_code = " + ph(params, v);
      echo[k] = v;
    } else if (k == "analyser") {
      if (!analysers().count(v) || !reviewable(v))
        throw Error(Errc::bad_request, "analyser must be leave_post, fire, smoke or leak");
      where += " AND v.analyser = " + ph(params, v);
      echo[k] = v;
    } else if (k == "period") {
      if (v != "day" && v != "week" && v != "month")
        throw Error(Errc::bad_request, "period must be day, week or month");
      period = v;
    }
  }
  echo["period"] = period;
  echo["group_by"] = group_by;
  // false_alarm_rate: rejected over reviewed; null while nothing is reviewed.
  const std::string counts =
      "count(*) AS events, count(*) FILTER (WHERE v.review_state = 'pending') AS pending, "
      "count(*) FILTER (WHERE v.review_state = 'confirmed') AS confirmed, "
      "count(*) FILTER (WHERE v.review_state = 'rejected') AS rejected, "
      "round(count(*) FILTER (WHERE v.review_state = 'rejected')::numeric / "
      "nullif(count(*) FILTER (WHERE v.review_state IN ('confirmed','rejected')), 0), 4)::float8 "
      "AS false_alarm_rate";
  const std::string base =
      std::string(
          " FROM video_event v JOIN enterprise e ON e.company_code = v.company_code "
          "JOIN camera c ON c.video_id = v.video_id "
          "LEFT JOIN region cr ON cr.code = substr(e.region_code, 1, 4) || '00' WHERE ") +
      where;
  auto tx = impl_->db.begin();
  json out = {{"filters", echo}};
  out["totals"] = tx.exec_one("SELECT " + counts + base, params);
  out["by_analyser"] = tx.exec("SELECT v.analyser, " + counts + base +
                                   " GROUP BY v.analyser ORDER BY events DESC, v.analyser",
                               params);
  out["by_kind"] = tx.exec("SELECT v.analyser, v.kind, " + counts + base +
                               " GROUP BY v.analyser, v.kind "
                               "ORDER BY events DESC, v.analyser, v.kind",
                           params);
  // 排名: enterprises by confirmed events, then by all events; rank is dense over confirmed.
  out["by_enterprise"] = tx.exec(
      "SELECT dense_rank() OVER (ORDER BY count(*) FILTER (WHERE v.review_state = 'confirmed') "
      "DESC) AS rank, "
      "v.company_code, e.name AS company_name, e.region_code, " +
          counts + base +
          " GROUP BY v.company_code, e.name, e.region_code ORDER BY rank, events DESC, "
          "v.company_code LIMIT 500",
      params);
  out["by_city"] = tx.exec(
      "SELECT dense_rank() OVER (ORDER BY count(*) FILTER (WHERE v.review_state = 'confirmed') "
      "DESC) AS rank, "
      "substr(e.region_code, 1, 4) || '00' AS city_code, cr.name AS city_name, " +
          counts + base +
          " GROUP BY substr(e.region_code, 1, 4), cr.name ORDER BY rank, events DESC, city_code",
      params);
  // False alarms per camera: the cameras whose analysers most need tuning come first.
  out["by_camera"] =
      tx.exec("SELECT v.video_id, c.name AS camera_name, v.company_code, e.name AS company_name, " +
                  counts + base +
                  " GROUP BY v.video_id, c.name, v.company_code, e.name "
                  "ORDER BY rejected DESC, events DESC, v.video_id LIMIT 500",
              params);
  out["by_period"] =
      tx.exec("SELECT to_char(date_trunc('" + period +
                  "', (v.started_at AT TIME ZONE 'UTC') + interval '8 hours'), 'YYYY-MM-DD') "
                  "AS period, " +
                  counts + base + " GROUP BY 1 ORDER BY 1",
              params);
  // `ranking`: the list chosen by group_by, each row with a display `name` (the dashboard's table).
  json ranking = json::array();
  const char* name_key = group_by == "city"       ? "city_name"
                         : group_by == "camera"   ? "camera_name"
                         : group_by == "analyser" ? "analyser"
                                                  : "company_name";
  for (auto r : out["by_" + group_by]) {
    r["name"] =
        group_by == "analyser" ? json(analyser_zh(r["analyser"].get<std::string>())) : r[name_key];
    ranking.push_back(std::move(r));
  }
  out["ranking"] = std::move(ranking);
  return out;
}

namespace {
// Issue 9: "connection refused", "invalid data" and "unauthorized" tell an address probe what
// lives at an address. Only operators and province admins read the stream's own words.
json generic_errors(const model::Principal& who, json out) {
  if (sees_stream_errors(who.role)) return out;
  if (out.contains("last_error") && out["last_error"].is_string() &&
      !out["last_error"].get<std::string>().empty())
    out["last_error"] = "unreachable";
  return out;
}
}  // namespace

std::vector<core::FieldError> VideoService::check_camera_row(const json& row) const {
  std::vector<core::FieldError> out;
  auto& i = *impl_;
  const std::string company = row.contains("company_code") && row["company_code"].is_string()
                                  ? row["company_code"].get<std::string>()
                                  : "";
  std::optional<std::vector<model::Cidr>> allowed;
  const auto local = model::local_interface_addresses();
  for (const char* k : {"rtsp_url", "rtsp_sub_url"}) {
    if (!row.contains(k) || !row[k].is_string()) continue;
    if (!allowed) {
      auto gateways = i.db.in_tx([&](storage::Tx& tx) { return i.gateway_addresses(tx, company); });
      allowed = model::networks_for(i.s.allowed_networks, company, gateways);
    }
    if (auto why =
            model::check_camera_url(row[k].get<std::string>(), *allowed, i.s.own_ports, local);
        !why.empty())
      out.push_back({std::string("/") + k, "the URL " + why});
  }
  return out;
}

void VideoService::set_credential(const model::Principal& who, const std::string& video_id,
                                  const json& body) {
  auto& i = *impl_;
  if (!who.is_person())
    throw Error(Errc::forbidden, "camera credentials are set by people, not machine credentials");
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be a JSON object",
                {{"", "expected an object"}});
  std::vector<core::FieldError> problems;
  for (auto& [k, v] : body.items())
    if (k != "username" && k != "password") problems.push_back({"/" + k, "unknown field"});
  auto text = [&](const char* k, std::size_t max) -> std::string {
    if (!body.contains(k) || !body[k].is_string()) {
      problems.push_back({std::string("/") + k, "must be a string"});
      return {};
    }
    auto v = body[k].get<std::string>();
    if (v.empty() || v.size() > max)
      problems.push_back({std::string("/") + k, "must be 1 to " + std::to_string(max) + " bytes"});
    else if (!plain_text(v))
      problems.push_back({std::string("/") + k, "must not contain control characters"});
    return v;
  };
  auto user = text("username", 128);
  auto pass = text("password", 256);
  if (!problems.empty())
    throw Error(Errc::validation_failed, "the credential is not valid", problems);
  i.db.in_tx([&](storage::Tx& tx) {
    auto cam = i.camera_in_scope(tx, who, video_id);
    if (!model::can_write_registry(who.role))
      throw Error(Errc::forbidden, std::string("the role ") +
                                       std::string(model::to_string(who.role)) +
                                       " may not change cameras");
    if (!i.s.secret_box)
      throw Error(Errc::unavailable, core::Reason::feature_disabled,
                  "no server key is configured: camera credentials cannot be stored");
    const std::string company = cam["company_code"];
    auto sealed = i.s.secret_box->seal(json{{"u", user}, {"p", pass}}.dump(),
                                       credential_context(company, video_id));
    tx.exec(
        "UPDATE camera SET credential_sealed = $2, credential_set_at = now(), credential_ref = "
        "NULL, updated_at = now() "
        "WHERE video_id = $1",
        {video_id, sealed});
  });
  reload_cameras();
}

void VideoService::delete_credential(const model::Principal& who, const std::string& video_id) {
  auto& i = *impl_;
  if (!who.is_person())
    throw Error(Errc::forbidden, "camera credentials are set by people, not machine credentials");
  i.db.in_tx([&](storage::Tx& tx) {
    i.camera_in_scope(tx, who, video_id);
    if (!model::can_write_registry(who.role))
      throw Error(Errc::forbidden, std::string("the role ") +
                                       std::string(model::to_string(who.role)) +
                                       " may not change cameras");
    tx.exec(
        "UPDATE camera SET credential_sealed = NULL, credential_set_at = NULL, credential_ref = "
        "NULL, updated_at = now() "
        "WHERE video_id = $1",
        {video_id});
  });
  reload_cameras();
}

namespace {
// A camera's state: the stream worker's own when this process runs it ("live"), else what was last
// stored ("stored"), else unknown. Shared by one camera's status and the list of cameras.
void put_state(json& out, const json& stored, const video::CameraStatus* live) {
  out["source"] = "none";
  out["state"] = "unknown";
  if (live) {
    out["source"] = "live";
    out["state"] = state_name(live->state);
    out["last_frame_at"] = live->last_frame_at ? json(ts(*live->last_frame_at)) : json();
    out["last_error"] = live->last_error;
    out["width"] = live->width;
    out["height"] = live->height;
    out["frames_decoded"] = live->frames_decoded;
    out["frames_analysed"] = live->frames_analysed;
    out["frames_dropped"] = live->frames_dropped;
    out["reconnects"] = live->reconnects;
    return;
  }
  if (!stored.is_null()) {
    out["source"] = "stored";
    for (const auto& [k, v] : stored.items()) out[k] = v;
  }
}

std::string like_escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

json VideoService::camera_status(const model::Principal& who, const std::string& video_id) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "camera status is for people, not machine credentials");
  auto& i = *impl_;
  json cam, stored, seg;
  {
    auto tx = i.db.begin();
    cam = i.camera_in_scope(tx, who, video_id);
    stored = tx.exec_one(
        "SELECT state, last_frame_at, last_error, width, height, frames_analysed, frames_dropped, "
        "reconnects, "
        "updated_at FROM camera_status WHERE video_id = $1",
        {video_id});
    seg = tx.exec_one(
        "SELECT count(*) AS segments, min(start_at) AS first_segment_at, max(start_at) AS "
        "last_segment_at, "
        "coalesce(sum(bytes), 0)::bigint AS bytes FROM video_segment WHERE video_id = $1",
        {video_id});
  }
  json out = cam;
  out["recording"] = seg;
  std::optional<video::CameraStatus> live;
  if (auto status = i.hook(i.status_hook))
    for (auto& st : status())
      if (st.video_id == video_id) live = std::move(st);
  put_state(out, stored, live ? &*live : nullptr);
  return generic_errors(who, std::move(out));
}

json VideoService::camera_states(const model::Principal& who, const std::string& company_code,
                                 const std::string& q, int limit, long long offset) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "camera status is for people, not machine credentials");
  auto& i = *impl_;
  storage::Params params;
  auto where = storage::scope_predicate(who.scope, "c.company_code", "e.region_code", params) +
               " AND c.is_active";
  if (!company_code.empty()) {
    params.emplace_back(company_code);
    where += " AND c.company_code = $" + std::to_string(params.size());
  }
  if (!q.empty()) {
    params.emplace_back(like_escaped(q));
    auto p = "'%' || $" + std::to_string(params.size()) + " || '%'";
    where +=
        " AND (c.name ILIKE " + p + " OR c.video_id ILIKE " + p + " OR e.name ILIKE " + p + ")";
  }
  const std::string from =
      " FROM camera c JOIN enterprise e ON e.company_code = c.company_code WHERE " + where;
  const std::string from_with_status =
      " FROM camera c JOIN enterprise e ON e.company_code = c.company_code "
      "LEFT JOIN camera_status s ON s.video_id = c.video_id WHERE " +
      where;
  json rows, segs;
  long long total;
  {
    auto tx = i.db.begin();
    total = tx.exec_one("SELECT count(*) AS n" + from, params)["n"].get<long long>();
    auto page = params;
    page.emplace_back(std::to_string(limit));
    page.emplace_back(std::to_string(offset));
    rows = tx.exec(
        "SELECT c.video_id, c.name, c.company_code, e.name AS company_name, c.location, "
        "c.scene_type, c.record, "
        "c.is_active, (c.rtsp_url IS NOT NULL AND c.rtsp_url <> '') AS has_stream, s.state AS "
        "s_state, "
        "s.last_frame_at AS s_last_frame_at, s.last_error AS s_last_error, s.width AS s_width, "
        "s.height AS s_height, "
        "s.frames_analysed AS s_frames_analysed, s.frames_dropped AS s_frames_dropped, "
        "s.reconnects AS s_reconnects, s.updated_at AS s_updated_at" +
            from_with_status + " ORDER BY c.company_code, c.video_id LIMIT $" +
            std::to_string(page.size() - 1) + " OFFSET $" + std::to_string(page.size()),
        page);
    std::string ids = "{";
    for (const auto& r : rows)
      ids += (ids.size() > 1 ? "," : "") + r["video_id"].get<std::string>();  // [0-9A-Za-z] only
    ids += "}";
    segs = tx.exec(
        "SELECT video_id, count(*) AS segments, min(start_at) AS first_segment_at, max(start_at) "
        "AS last_segment_at, "
        "coalesce(sum(bytes), 0)::bigint AS bytes FROM video_segment WHERE video_id = "
        "ANY($1::text[]) GROUP BY video_id",
        {ids});
  }
  std::map<std::string, json> recording;
  for (auto& r : segs) {
    auto id = r["video_id"].get<std::string>();
    r.erase("video_id");
    recording[id] = std::move(r);
  }
  std::map<std::string, video::CameraStatus> live;
  if (auto status = i.hook(i.status_hook))
    for (auto& st : status()) live.emplace(st.video_id, std::move(st));
  json items = json::array();
  for (auto& r : rows) {
    // The stored state's columns come prefixed s_; null state: never stored.
    json stored = r["s_state"].is_null() ? json() : json::object();
    for (const char* k : {"state", "last_frame_at", "last_error", "width", "height",
                          "frames_analysed", "frames_dropped", "reconnects", "updated_at"}) {
      auto key = std::string("s_") + k;
      if (!stored.is_null()) stored[k] = r[key];
      r.erase(key);
    }
    auto id = r["video_id"].get<std::string>();
    auto rec = recording.find(id);
    r["recording"] = rec != recording.end() ? rec->second
                                            : json{{"segments", 0},
                                                   {"first_segment_at", nullptr},
                                                   {"last_segment_at", nullptr},
                                                   {"bytes", 0}};
    auto l = live.find(id);
    put_state(r, stored, l != live.end() ? &l->second : nullptr);
    items.push_back(generic_errors(who, std::move(r)));
  }
  return {{"items", std::move(items)}, {"total", total}, {"limit", limit}, {"offset", offset}};
}

std::string VideoService::playback_playlist(const model::Principal& who,
                                            const std::string& video_id, core::SysTime from,
                                            core::SysTime to) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "playback is for people, not machine credentials");
  auto& i = *impl_;
  if (to <= from) throw Error(Errc::bad_request, "to must be after from");
  if (to - from > i.s.max_playback_span)
    throw Error(Errc::bad_request, "a playback range is at most " +
                                       std::to_string(i.s.max_playback_span.count()) + " hours");
  auto tx = i.db.begin();
  i.camera_in_scope(tx, who, video_id);
  // Segments overlapping the range (one may start before `from`).
  auto rows = tx.exec(
      "SELECT id, seq, start_at, duration_ms FROM video_segment WHERE video_id = $1 AND start_at < "
      "$3 "
      "AND start_at + duration_ms * interval '1 millisecond' > $2 ORDER BY start_at, seq LIMIT "
      "20000",
      {video_id, ts(from), ts(to)});
  if (rows.empty()) throw Error(Errc::not_found, "no recording in this range");
  long long max_ms = 1000;
  for (const auto& r : rows) max_ms = std::max(max_ms, r["duration_ms"].get<long long>());
  std::string out = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:" +
                    std::to_string((max_ms + 999) / 1000) +
                    "\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(rows[0]["seq"].get<long long>()) +
                    "\n";
  std::optional<core::SysTime> expected;
  for (const auto& r : rows) {
    auto start = core::parse_time(r["start_at"].get<std::string>()).value_or(from);
    auto dur = milliseconds(r["duration_ms"].get<long long>());
    // A gap (camera offline, server restarted) is a discontinuity for the player.
    if (expected && (start - *expected > seconds(1) || *expected - start > seconds(1)))
      out += "#EXT-X-DISCONTINUITY\n";
    expected = start + dur;
    char inf[48];
    std::snprintf(inf, sizeof inf, "#EXTINF:%.3f,\n", static_cast<double>(dur.count()) / 1000.0);
    out += "#EXT-X-PROGRAM-DATE-TIME:" + ts(start) + "\n" + inf + "/api/v1/video/segments/" +
           std::to_string(r["id"].get<long long>()) + "\n";
  }
  out += "#EXT-X-ENDLIST\n";
  return out;
}

std::string VideoService::live_playlist(const model::Principal& who, const std::string& video_id) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "live view is for people, not machine credentials");
  auto& i = *impl_;
  auto tx = i.db.begin();
  i.camera_in_scope(tx, who, video_id);
  auto rows = tx.exec(
      "SELECT * FROM (SELECT id, seq, start_at, duration_ms FROM video_segment WHERE video_id = $1 "
      "ORDER BY seq DESC LIMIT $2) s ORDER BY seq",
      {video_id, std::to_string(std::max(1, i.s.live_segments))});
  if (rows.empty())
    throw Error(Errc::not_found, "this camera has no recent segments (is recording on?)");
  long long max_ms = 1000;
  for (const auto& r : rows) max_ms = std::max(max_ms, r["duration_ms"].get<long long>());
  std::string out =
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:" + std::to_string((max_ms + 999) / 1000) +
      "\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(rows[0]["seq"].get<long long>()) + "\n";
  for (const auto& r : rows) {
    char inf[48];
    std::snprintf(inf, sizeof inf, "#EXTINF:%.3f,\n",
                  static_cast<double>(r["duration_ms"].get<long long>()) / 1000.0);
    out += "#EXT-X-PROGRAM-DATE-TIME:" + r["start_at"].get<std::string>() + "\n" + inf +
           "/api/v1/video/segments/" + std::to_string(r["id"].get<long long>()) + "\n";
  }
  return out;  // no ENDLIST: the player reloads it
}

MediaFile VideoService::segment(const model::Principal& who, long long id) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "playback is for people, not machine credentials");
  auto tx = impl_->db.begin();
  storage::Params params{std::to_string(id)};
  auto where = storage::scope_predicate(who.scope, "g.company_code", "e.region_code", params);
  auto row = tx.exec_one(
      "SELECT g.path FROM video_segment g JOIN enterprise e ON e.company_code = g.company_code "
      "WHERE g.id = $1 AND " +
          where,
      params);
  if (row.is_null()) throw Error(Errc::not_found, "no such segment");
  auto path = inside(impl_->s.recording_dir, row["path"].get<std::string>(), "segment");
  auto ext = path.extension().string();
  return {path, ext == ".ts"                     ? "video/mp2t"
                : ext == ".mp4" || ext == ".m4s" ? "video/mp4"
                                                 : "application/octet-stream"};
}

VideoStats VideoService::stats() const {
  const auto& i = *impl_;
  return {i.n_seen, i.n_stored, i.n_dropped, i.n_segments, i.n_failures};
}

}  // namespace hazmon::service
