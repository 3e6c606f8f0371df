#pragma once
// Where video AI events, recording segments and camera stream states are stored: the tables
// `video_event` (with its review, 人工审核), `video_segment` (the HLS index), `camera_status`, and
// the video columns of `camera` (credentials, analysers). All in the caller's transaction; rows
// come back as model structs with real enums (model/video.hpp). service::VideoService holds the
// rules and the workflow; nothing outside storage writes these tables.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/video.hpp>

namespace hazmon::storage {

class Tx;

// An episode report from the pipeline, upserted on (video_id, episode_id).
struct VideoEventWrite {
  std::string video_id;
  model::VideoAnalyser analyser = model::VideoAnalyser::fire;
  std::string kind, episode_id;
  model::VideoPhase phase = model::VideoPhase::start;
  double confidence = 0;       // 0..1
  std::string boxes = "[]";    // JSON text
  std::string roi_name;        //
  std::string roi = "[]";      // JSON text
  core::SysTime started_at{};  //
  std::optional<core::SysTime> ended_at;
  std::optional<std::string> snapshot_path, clip_path;  // relative, already checked
  std::string detail;
};

struct SegmentWrite {
  std::string video_id, path;  // path relative to the recording directory, already checked
  core::SysTime start{};
  long long duration_ms = 0;
  long long bytes = 0;
};

struct CameraStatusWrite {
  std::string video_id;
  model::StreamState state = model::StreamState::stopped;
  std::optional<core::SysTime> last_frame_at;
  std::string last_error;
  int width = 0, height = 0;
  long long frames_analysed = 0, frames_dropped = 0, reconnects = 0;
  core::SysTime updated_at{};
};

// An active camera with a stream, as the pipeline needs it (JSON columns as text).
struct ActiveCameraRow {
  std::string video_id, company_code, name, scene_type, rtsp_url, rtsp_sub_url, credential_ref;
  std::optional<std::string> credential_sealed;
  std::string analysers, rois, duty_schedule;  // JSON text
  bool record = false;
  // A GB/T 28181 channel instead of an RTSP URL (migration 0038): the device row, its 20-digit
  // id, the channel; 0 and empty for RTSP cameras.
  long long gb_device_row = 0;
  std::string gb_device_id, gb_channel_id;
};

// A video event with what the review and the evidence routes need beyond the record.
struct VideoEventDetail {
  model::VideoEventRecord event;
  std::optional<std::string> snapshot_path, clip_path, hazard_code;
};

struct VideoEventFilter {
  std::optional<model::VideoReviewState> state;
  std::optional<model::VideoAnalyser> analyser;
  std::optional<std::string> company_code, video_id;
  std::optional<core::SysTime> from, to;  // on started_at, [from, to)
};

// Who reviewed, when and why (the reason is null when none was given).
struct VideoReviewWrite {
  model::VideoReviewState state = model::VideoReviewState::rejected;
  long long reviewer_id = 0;
  std::string reviewer_name, reviewer_role;
  core::SysTime at{};
  std::optional<std::string> reason;
  std::optional<long long> warning_event_id;  // confirmed only
};

// Statistics over reviewable events (review_state <> not_required) inside a scope.
struct VideoStatsFilter {
  std::optional<core::SysTime> from, to;
  std::optional<std::string> company_code;
  std::optional<model::VideoAnalyser> analyser;
  std::string period = "day";  // day | week | month
};

struct SegmentRow {
  long long id = 0, seq = 0;
  core::SysTime start_at{};
  long long duration_ms = 0;
};

class VideoStore {
 public:
  // ---- the writer ----
  // false when the camera is unknown (nothing written).
  bool upsert_event(Tx& tx, const VideoEventWrite& e) const;
  void add_segment(Tx& tx, const SegmentWrite& g) const;
  void save_status(Tx& tx, const CameraStatusWrite& s) const;
  void remove_segment(Tx& tx, const std::string& path) const;
  std::vector<ActiveCameraRow> active_cameras(Tx& tx) const;
  // The addresses of the enterprise's active video gateways (gateway_type "video" or 视频…).
  std::vector<std::string> video_gateways(Tx& tx, const std::string& company_code) const;

  // ---- events (inside the caller's scope) ----
  model::VideoEventPage list(Tx& tx, const model::Scope& scope, const VideoEventFilter& f,
                             int limit, long long offset) const;
  // nullopt outside the scope too; for_update locks the event row.
  std::optional<VideoEventDetail> find(Tx& tx, const model::Scope& scope, long long id,
                                       bool for_update) const;
  void save_review(Tx& tx, long long id, const VideoReviewWrite& r) const;
  model::VideoStatistics statistics(Tx& tx, const model::Scope& scope,
                                    const VideoStatsFilter& f) const;

  // ---- cameras (inside the caller's scope) ----
  std::optional<model::CameraInfo> camera(Tx& tx, const model::Scope& scope,
                                          const std::string& video_id) const;
  // Active cameras, optionally of one enterprise and matching q (ILIKE on the camera's name,
  // video_id or the enterprise's name), ordered by enterprise and video_id, with their stored
  // state (source stored or none) and recording summary.
  model::CameraStatePage camera_states(Tx& tx, const model::Scope& scope,
                                       const std::string& company_code, const std::string& q,
                                       int limit, long long offset) const;
  std::optional<model::StreamStatus> stored_status(Tx& tx, const std::string& video_id) const;
  model::RecordingSummary recording(Tx& tx, const std::string& video_id) const;
  void set_credential(Tx& tx, const std::string& video_id, const std::string& sealed) const;
  void clear_credential(Tx& tx, const std::string& video_id) const;

  // ---- recording segments ----
  // Segments overlapping [from, to) (one may start before from), at most 20000.
  std::vector<SegmentRow> segments(Tx& tx, const std::string& video_id, core::SysTime from,
                                   core::SysTime to) const;
  // The newest `n`, oldest first.
  std::vector<SegmentRow> latest_segments(Tx& tx, const std::string& video_id, int n) const;
  // A segment's path inside the scope.
  std::optional<std::string> segment_path(Tx& tx, const model::Scope& scope, long long id) const;
};

}  // namespace hazmon::storage
