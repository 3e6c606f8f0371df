#pragma once
// Video AI events in the platform: the EventSink the pipeline (video::Supervisor) reports to,
// the review queue (人工审核), evidence downloads, statistics, camera status and HLS playback
// over the recording segment index. Events and segments are queued and written to PostgreSQL by
// this service's own thread, so the video threads never wait on the database. Queries run on the
// caller's thread under the caller's scope: rows outside it are absent (404).
//
// The service does not own the pipeline: the app connects it through the hooks below
// (set_cameras, status, enforce_retention), which keeps this module testable without cameras.
// The SQL is storage::VideoStore's; answers are model structs (model/video.hpp) that the routes
// turn into JSON.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/video.hpp>
#include <hazmon/video/supervisor.hpp>
#include <hazmon/video/video_event.hpp>

namespace hazmon::storage {
class Database;
}
namespace hazmon::core {
class Liveness;
}

namespace hazmon::service {

class WarningService;

struct VideoServiceSettings {
  std::filesystem::path evidence_dir;   // snapshot_path and clip_path are relative to it
  std::filesystem::path recording_dir;  // segment paths are relative to it
  std::filesystem::path
      secrets_dir;  // legacy credential_ref: <secrets_dir>/<company_code>/<credential_ref>
  // The server key that seals camera credentials in the database (ADR 0014). Null: credentials
  // cannot be set (503) and sealed ones are not opened; credential_ref still works. Not owned:
  // it outlives the service (the app's, or the TestServer's).
  const core::SecretBox* secret_box = nullptr;
  // Networks cameras may connect to, by enterprise-code prefix ("*": every enterprise; the
  // longest matching key wins), plus the addresses of the enterprise's video gateways
  // (model::networks_for). Loopback and link-local need an entry inside their range.
  std::map<std::string, std::vector<std::string>> allowed_networks = {{"*", {"0.0.0.0/0", "::/0"}}};
  std::vector<int> own_ports;  // the server's listening ports: never a camera on this host
  std::size_t max_queued =
      10000;  // events and segments waiting; above this they are dropped and counted
  std::chrono::seconds housekeeping_interval{
      15};                // camera status persisted, retention applied; 0: never
  int live_segments = 5;  // segments in the live playlist
  std::chrono::hours max_playback_span{24};
};
// The config's `video` section. Directories come as written (relative ones are under state_dir:
// app resolves them); secret_box and own_ports are app's.
void from_json(const nlohmann::json& j, VideoServiceSettings& s);

struct VideoStats {
  std::uint64_t events_seen = 0, events_stored = 0, events_dropped = 0, segments_indexed = 0,
                failures = 0;
};

// A file to send: absolute path inside its base directory and its media type.
struct MediaFile {
  std::filesystem::path path;
  std::string content_type;
};

// A legacy credential_ref, resolved only inside the camera's enterprise namespace (issue 9): env
// HAZMON_CAMERA_SECRET_<COMPANYCODE>_<REF> (REF upper-cased, other characters than A-Z and 0-9
// as '_') or the file <secrets_dir>/<company_code>/<ref> (mode 0600); the secret is
// "username:password". Returns {username, password}; empty when not found.
std::pair<std::string, std::string> camera_credentials(const std::string& company_code,
                                                       const std::string& credential_ref,
                                                       const std::filesystem::path& secrets_dir);

class VideoService : public video::EventSink {
 public:
  // `liveness`: the writer ("video-writer") enrolls there.
  VideoService(storage::Database& db, WarningService* warnings, VideoServiceSettings s,
               const core::Clock& clock, core::Liveness* liveness = nullptr);
  ~VideoService() override;
  VideoService(const VideoService&) = delete;

  // ---- the pipeline hookup (set before start; may be replaced later) ----
  // Receives the active cameras with an RTSP URL: at start and after every camera change.
  void on_cameras(std::function<void(const std::vector<video::CameraConfig>&)> f);
  // Live stream states (Supervisor::status); persisted periodically, answered by camera_status.
  void status_source(std::function<std::vector<video::CameraStatus>()> f);
  // Deletes old segments (Supervisor::enforce_retention) and returns them; run periodically.
  void retention(std::function<std::vector<video::Segment>()> f);

  void start();  // the writer thread; pushes the cameras once
  void stop();   // writes what is queued (dropped if still queued after 30 s), then stops

  // From the video threads; never blocks on the database.
  void on_video_event(const video::VideoEvent& e) override;
  void add_segment(const video::Segment& s);
  // The registry changed a camera: re-read the rows and hand them to on_cameras (queued).
  void reload_cameras();
  // Waits until everything queued before it is written (tests, shutdown).
  void flush();
  // Stores the camera states and applies retention now (the writer does it every
  // housekeeping_interval); on the caller's thread.
  void housekeeping();
  // The active cameras as the pipeline needs them (credentials opened, allowed networks set).
  std::vector<video::CameraConfig> load_cameras();

  // ---- camera rows and credentials (issue 9, ADR 0014) ----
  // The registry's extra check on a camera row being written: rtsp_url and rtsp_sub_url must be
  // RTSP(S) without userinfo, and a literal address (or localhost) must lie in the networks
  // allowed for the enterprise. Field errors on /rtsp_url, /rtsp_sub_url.
  std::vector<core::FieldError> check_camera_row(const nlohmann::json& row) const;
  // PUT …/credential {username, password}: sealed with the server key for this camera only.
  // 404 outside the scope, 403 for roles that may not change cameras, 422 for a bad body, 503
  // without a server key. The secret is never returned; rows show has_credential.
  void set_credential(const model::Principal& who, const std::string& video_id,
                      const nlohmann::json& body);
  // DELETE …/credential: drops the sealed credential and credential_ref.
  void delete_credential(const model::Principal& who, const std::string& video_id);

  // ---- queries and review (caller's thread and scope) ----
  // Filters: state, analyser, company_code, video_id, from, to (started_at).
  model::VideoEventPage list(const model::Principal& who,
                             const std::map<std::string, std::string>& filters, int limit,
                             long long offset);
  model::VideoEventView get(const model::Principal& who, long long id);
  // {decision: confirm|reject, reason}: 404 outside the scope, 403 unless county, city or
  // province officer, 409 unless pending, 422 for an unknown decision or a reject without reason.
  // Confirm creates and pushes a warning event (WarningService::raise_video_event).
  model::VideoEventView review(const model::Principal& who, long long id,
                               const nlohmann::json& body);
  // kind: "snapshot" or "clip"; 404 when absent, outside the scope or outside evidence_dir.
  MediaFile evidence(const model::Principal& who, long long id, const std::string& kind);
  // Filters: from, to, company_code, analyser, period (day|week|month).
  model::VideoStatistics statistics(const model::Principal& who,
                                    const std::map<std::string, std::string>& filters);
  // last_error is the stream's own error for operators and province admins, and only
  // "unreachable" for everyone else (an address probe learns nothing from it).
  model::CameraState camera_status(const model::Principal& who, const std::string& video_id);
  // The active cameras in scope (optionally one enterprise's, or matching q in the camera's or
  // enterprise's name or the video_id), each with camera_status's fields and recording summary:
  // ordered by enterprise and video_id.
  model::CameraStatePage camera_states(const model::Principal& who, const std::string& company_code,
                                       const std::string& q, int limit, long long offset);
  // HLS playlists; segment URIs are /api/v1/video/segments/{id}.
  std::string playback_playlist(const model::Principal& who, const std::string& video_id,
                                core::SysTime from, core::SysTime to);
  std::string live_playlist(const model::Principal& who, const std::string& video_id);
  MediaFile segment(const model::Principal& who, long long id);

  VideoStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Warning level of a confirmed event by analyser and kind (docs/video.md has the table).
std::string video_warning_level(const std::string& analyser, const std::string& kind);

// A time in a video answer as PostgreSQL prints a timestamptz (storage::format_timestamptz):
// RFC 3339 UTC with the microseconds that are not zero.
std::string video_time(core::SysTime t);

}  // namespace hazmon::service
