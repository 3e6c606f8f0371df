#pragma once
// The vocabulary of video AI events (视频智能分析事件) shared by storage, service and api: the
// analyser, the review state (人工审核), the episode phase, a stream's state, and the records the
// video store returns (events, cameras with their stored state and recording summary, review
// statistics). Each enum has to_string / *_from_string for its stored and API text, and
// enum_from_string(text, std::type_identity<E>) so that storage::Row::get<E> reads it.
// JSON columns (boxes, roi) travel as the JSON text PostgreSQL returned; the API edge parses them.
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <hazmon/core/clock.hpp>

namespace hazmon::model {

enum class VideoAnalyser { leave_post, fire, smoke, leak, camera_health, offline };
// Camera health and offline episodes are technical: shown, never reviewed into warnings.
constexpr bool reviewable(VideoAnalyser a) {
  return a != VideoAnalyser::camera_health && a != VideoAnalyser::offline;
}

enum class VideoReviewState { pending, confirmed, rejected, not_required };
enum class VideoPhase { start, update, end };
enum class StreamState { connecting, online, offline, stopped };

inline const char* to_string(VideoAnalyser a) {
  switch (a) {
    case VideoAnalyser::leave_post:
      return "leave_post";
    case VideoAnalyser::fire:
      return "fire";
    case VideoAnalyser::smoke:
      return "smoke";
    case VideoAnalyser::leak:
      return "leak";
    case VideoAnalyser::camera_health:
      return "camera_health";
    case VideoAnalyser::offline:
      return "offline";
  }
  return "offline";
}
inline const char* to_string(VideoReviewState s) {
  switch (s) {
    case VideoReviewState::pending:
      return "pending";
    case VideoReviewState::confirmed:
      return "confirmed";
    case VideoReviewState::rejected:
      return "rejected";
    case VideoReviewState::not_required:
      return "not_required";
  }
  return "pending";
}
inline const char* to_string(VideoPhase p) {
  switch (p) {
    case VideoPhase::start:
      return "start";
    case VideoPhase::update:
      return "update";
    case VideoPhase::end:
      return "end";
  }
  return "start";
}
inline const char* to_string(StreamState s) {
  switch (s) {
    case StreamState::connecting:
      return "connecting";
    case StreamState::online:
      return "online";
    case StreamState::offline:
      return "offline";
    case StreamState::stopped:
      return "stopped";
  }
  return "stopped";
}

// 人员脱岗 …: how the analyser's findings are named to people.
inline const char* chinese_name(VideoAnalyser a) {
  switch (a) {
    case VideoAnalyser::leave_post:
      return "人员脱岗";
    case VideoAnalyser::fire:
      return "火焰";
    case VideoAnalyser::smoke:
      return "烟雾";
    case VideoAnalyser::leak:
      return "泄漏";
    case VideoAnalyser::camera_health:
      return "摄像头画面异常";
    case VideoAnalyser::offline:
      return "摄像头离线";
  }
  return "视频异常";
}

inline std::optional<VideoAnalyser> video_analyser_from_string(std::string_view s) {
  for (auto a : {VideoAnalyser::leave_post, VideoAnalyser::fire, VideoAnalyser::smoke,
                 VideoAnalyser::leak, VideoAnalyser::camera_health, VideoAnalyser::offline})
    if (s == to_string(a)) return a;
  return std::nullopt;
}
inline std::optional<VideoReviewState> video_review_state_from_string(std::string_view s) {
  for (auto v : {VideoReviewState::pending, VideoReviewState::confirmed, VideoReviewState::rejected,
                 VideoReviewState::not_required})
    if (s == to_string(v)) return v;
  return std::nullopt;
}
inline std::optional<VideoPhase> video_phase_from_string(std::string_view s) {
  for (auto v : {VideoPhase::start, VideoPhase::update, VideoPhase::end})
    if (s == to_string(v)) return v;
  return std::nullopt;
}
inline std::optional<StreamState> stream_state_from_string(std::string_view s) {
  for (auto v :
       {StreamState::connecting, StreamState::online, StreamState::offline, StreamState::stopped})
    if (s == to_string(v)) return v;
  return std::nullopt;
}

inline std::optional<VideoAnalyser> enum_from_string(std::string_view s,
                                                     std::type_identity<VideoAnalyser>) {
  return video_analyser_from_string(s);
}
inline std::optional<VideoReviewState> enum_from_string(std::string_view s,
                                                        std::type_identity<VideoReviewState>) {
  return video_review_state_from_string(s);
}
inline std::optional<VideoPhase> enum_from_string(std::string_view s,
                                                  std::type_identity<VideoPhase>) {
  return video_phase_from_string(s);
}
inline std::optional<StreamState> enum_from_string(std::string_view s,
                                                   std::type_identity<StreamState>) {
  return stream_state_from_string(s);
}

// One row of video_event with its camera and enterprise (the review queue's line).
struct VideoEventRecord {
  long long id = 0;
  std::string video_id, camera_name;
  std::optional<std::string> camera_location;
  std::optional<double> lon, lat;
  std::string scene_type, company_code, company_name, region_code;
  VideoAnalyser analyser = VideoAnalyser::fire;
  std::string kind, episode_id;
  VideoPhase phase = VideoPhase::start;
  double confidence = 0;
  std::string boxes = "[]";  // JSON text: [{x, y, w, h, score, label}]
  std::string roi_name;
  std::string roi = "[]";  // JSON text: [[x, y], …]
  core::SysTime started_at{};
  std::optional<core::SysTime> ended_at;
  std::string detail;
  VideoReviewState review_state = VideoReviewState::pending;
  std::optional<long long> reviewed_by;
  std::optional<std::string> reviewed_name, reviewed_role;
  std::optional<core::SysTime> reviewed_at;
  std::optional<std::string> review_reason;
  std::optional<long long> warning_event_id;
  bool has_snapshot = false, has_clip = false;
  core::SysTime created_at{}, updated_at{};
};

struct VideoEventPage {
  std::vector<VideoEventRecord> items;
  long long total = 0;
};

// One event as a person sees it: the row, what this person may decide, and the warning level a
// confirmation would raise.
struct VideoEventView {
  VideoEventRecord event;
  bool may_review = false;  // allowed_decisions: confirm and reject
  std::string warning_level;
};

// A camera row as the video pages show it.
struct CameraInfo {
  std::string video_id, name, company_code, company_name;
  std::optional<std::string> location;
  std::string scene_type;
  bool record = false, is_active = false, has_stream = false;
};

// The recording segments indexed for a camera.
struct RecordingSummary {
  long long segments = 0;
  std::optional<core::SysTime> first_segment_at, last_segment_at;
  long long bytes = 0;
};

// A stream's state: the worker's own when this process runs it (live), else the one last stored,
// else none (unknown).
enum class StatusSource { none, live, stored };
struct StreamStatus {
  StatusSource source = StatusSource::none;
  StreamState state = StreamState::stopped;  // meaningless when source is none
  std::optional<core::SysTime> last_frame_at;
  std::string last_error;
  int width = 0, height = 0;
  long long frames_decoded = 0;  // live only
  long long frames_analysed = 0, frames_dropped = 0, reconnects = 0;
  std::optional<core::SysTime> updated_at;  // stored only
};

struct CameraState {
  CameraInfo camera;
  RecordingSummary recording;
  StreamStatus status;
};

struct CameraStatePage {
  std::vector<CameraState> items;
  long long total = 0;
};

// Review figures of a group of events; false_alarm_rate: rejected over reviewed, none while
// nothing is reviewed.
struct VideoReviewCounts {
  long long events = 0, pending = 0, confirmed = 0, rejected = 0;
  std::optional<double> false_alarm_rate;
};

// One line of a statistics grouping; only the fields of its grouping are set (by_analyser:
// analyser; by_kind: analyser, kind; by_enterprise: rank, company_code, company_name,
// region_code; by_city: rank, city_code, city_name; by_camera: video_id, camera_name,
// company_code, company_name; by_period: period).
struct VideoStatLine {
  long long rank = 0;
  VideoAnalyser analyser = VideoAnalyser::fire;
  std::string kind, company_code, company_name, region_code, city_code;
  std::optional<std::string> city_name;
  std::string video_id, camera_name, period;
  VideoReviewCounts counts;
};

struct VideoStatistics {
  // The filters applied, as echoed to the client (from, to, company_code, analyser), and the
  // period and grouping used.
  std::vector<std::pair<std::string, std::string>> filters;
  std::string period = "day";
  std::string group_by = "enterprise";  // enterprise | city | camera | analyser: the ranking
  VideoReviewCounts totals;
  std::vector<VideoStatLine> by_analyser, by_kind, by_enterprise, by_city, by_camera, by_period;
};

}  // namespace hazmon::model
