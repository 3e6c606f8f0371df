#pragma once
// Inside service only: VideoService's state, shared by its files by job:
//   video_service.cpp  the writer (events, segments, camera reloads, housekeeping), the pipeline
//                      hookup and the cameras handed to it (credentials, allowed networks)
//   video_review.cpp   the review queue for people: list, get, review, evidence, statistics
//   video_cameras.cpp  camera rows and credentials, camera states, HLS playlists and segments
// SQL lives in storage::VideoStore; the routes turn the returned structs into JSON.
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <hazmon/core/serial_worker.hpp>
#include <hazmon/model/video.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/storage/video_store.hpp>

namespace hazmon::service::video_detail {

// A path the pipeline reported, relative to its base directory; anything that could leave the
// directory is refused here and again when the file is served.
bool safe_relative(const std::string& p);
// The file under `base`, or 404: relative, no "..", and after resolving links still inside base.
std::filesystem::path inside(const std::filesystem::path& base, const std::string& rel,
                             const char* what);
// Throws 403 with `message` for machine credentials.
void require_person(const model::Principal& who, const char* message);
model::StreamState state_of(video::StreamState s);
// The associated data of a camera's sealed credential: opened only on the row it was set for.
std::string credential_context(const std::string& company_code, const std::string& video_id);
// An API time filter: RFC 3339 or "yyyy-MM-dd HH:mm:ss" (UTC+8), else 400 naming it.
core::SysTime time_param(const std::string& s, const std::string& name);

}  // namespace hazmon::service::video_detail

namespace hazmon::service {

struct VideoFlush {
  std::promise<void> done;
};
// A writer's work item: an event, a segment, a camera reload, a flush.
using VideoWork = std::variant<video::VideoEvent, video::Segment, std::string /* reload */,
                               std::shared_ptr<VideoFlush>>;

struct VideoService::Impl {
  storage::Database& db;
  WarningService* warnings;
  VideoServiceSettings s;
  const core::Clock& clock;
  storage::VideoStore store;
  std::shared_ptr<spdlog::logger> log;

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
       core::Liveness* live);

  // ---- writer thread (video_service.cpp) ----
  bool enqueue(VideoWork w, bool droppable);
  void handle(VideoWork& w);
  // A failed write is logged and counted; the pipeline reports the episode again on its next
  // update, and the row is an upsert.
  void run(VideoWork& w);
  void store_event(const video::VideoEvent& e);
  void store_segment(const video::Segment& g);
  std::vector<std::string> allowed_for(storage::Tx& tx, const std::string& company_code) const;
  std::pair<std::string, std::string> credential_of(const storage::ActiveCameraRow& r) const;
  std::vector<video::CameraConfig> load_cameras();
  void push_cameras();
  void housekeeping();
  void run_housekeeping();

  // ---- queries (video_review.cpp, video_cameras.cpp) ----
  // 404 outside the scope.
  storage::VideoEventDetail event_in_scope(storage::Tx& tx, const model::Principal& who,
                                           long long id, bool for_update) const;
  model::CameraInfo camera_in_scope(storage::Tx& tx, const model::Principal& who,
                                    const std::string& video_id) const;
  // The live states of the cameras this process runs (empty without a status hook).
  std::vector<video::CameraStatus> live_status() const;
};

}  // namespace hazmon::service
