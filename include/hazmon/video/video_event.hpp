#pragma once
// What the video pipeline reports upward: one AI event (an analyser's finding on one camera)
// with its evidence. No OpenCV or FFmpeg types: the service layer stores these, puts them in
// the review queue (人工审核) and turns confirmed ones into warning events.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>

namespace hazmon::video {

// Normalised to the frame: 0..1, top-left origin.
struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  double score = 0;
  std::string label;  // "person", "fire", "smoke", "vapour", "liquid", ...
};

struct Point {
  double x = 0, y = 0;
};

enum class EventPhase { start, update, end };

struct VideoEvent {
  std::string video_id;  // camera (camera.video_id)
  std::string company_code;
  std::string analyser;  // leave_post | fire | smoke | leak | camera_health | offline
  std::string kind;      // absent, understaffed, fire, smoke, vapour, liquid, black, frozen,
                         // covered, blur, scene_change, offline
  EventPhase phase = EventPhase::start;
  std::string episode_id;  // stable across start/update/end of one episode on one camera
  double confidence = 0;
  std::vector<Box> boxes;
  std::string roi_name;
  std::vector<Point> roi;
  core::SysTime started_at{};
  std::optional<core::SysTime> ended_at;
  // Paths relative to the evidence directory; empty when not (yet) written. The clip is
  // finished after the post-event span, so `end`/`update` may carry it when `start` did not.
  std::string snapshot_path;
  std::string clip_path;
  std::string detail;  // short human text (Chinese), e.g. "值班区域无人 12 分钟"
};

// Implemented by the service layer; called from video threads, must not block for long.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_video_event(const VideoEvent& e) = 0;
};

}  // namespace hazmon::video
