#pragma once
// Private to the video module: the boundary between the stream workers (which decode, scale
// and schedule frames) and the analysers (which look at them). OpenCV types live here only.
//
// Threading contract: an Analyser instance belongs to one camera and is never called by two
// threads at once (the inference pool keeps at most one frame per camera in flight). The
// InferenceContext belongs to one inference thread (each thread its own cv::dnn::Net).
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/video/video_event.hpp>

namespace hazmon::video {

struct AnalysisFrame {
  cv::Mat bgr;              // scaled once by the worker (long side ≤ analysis_max_side)
  core::SysTime time;       // wall time of the frame (collect time)
  std::int64_t pts_ms = 0;  // stream time, for clip alignment
  int source_width = 0, source_height = 0;
  std::string video_id, company_code;
};

// One thing an analyser saw. The worker turns findings into VideoEvents with evidence
// (snapshot with boxes and ROI drawn, clip from the packet ring).
struct Finding {
  std::string analyser, kind;
  EventPhase phase = EventPhase::start;
  double confidence = 0;
  std::vector<Box> boxes;
  std::string roi_name;
  std::vector<Point> roi;
  core::SysTime started_at{};
  std::string detail;
};

// Where the model files are (config: video.models_dir; default <home>/models).
struct ModelPaths {
  std::string person_cfg, person_weights;      // yolo-fastest-1.1 body (Darknet)
  std::string fire_prototxt, fire_caffemodel;  // ShuffleNetV2-OnFire (Caffe)
  int person_input = 320;                      // the network input's long side (multiple of 32)
  // true: the short side follows the frame's aspect, rounded up to a multiple of 32 (320x192
  // for 16:9, 320x256 for 4:3, still a plain resize without letterbox): 40 % fewer operations
  // at 16:9, persons undistorted, and on the eval clips as many absence samples and slightly more
  // persons found than the square input (docs/video.md). false: the model README's square
  // 320x320, which stretches 16:9 persons vertically by 1.8.
  bool person_keep_aspect = true;
};

// Per inference thread: loaded lazily, reused for every camera that thread serves.
class InferenceContext {
 public:
  explicit InferenceContext(ModelPaths paths);
  ~InferenceContext();
  InferenceContext(const InferenceContext&) = delete;
  // Persons in the frame, boxes normalised, score > min_score, after NMS.
  std::vector<Box> detect_persons(const cv::Mat& bgr, double min_score);
  // P(fire) of a whole image or crop.
  double fire_probability(const cv::Mat& bgr);
  struct Costs {
    std::uint64_t person_runs = 0, fire_runs = 0;
    double person_ms = 0, fire_ms = 0;
  };
  Costs costs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Analyser {
 public:
  virtual ~Analyser() = default;
  virtual const std::string& name() const = 0;
  // How often this analyser wants a frame (the worker samples at the smallest interval).
  virtual std::chrono::milliseconds interval() const = 0;
  virtual void analyse(const AnalysisFrame& frame, InferenceContext& ctx,
                       std::vector<Finding>& out) = 0;
};

// One entry of camera.analysers: {"type": "leave_post" | "fire" | "smoke" | "leak" |
// "camera_health", "roi": "<name in camera.rois>", ...per-analyser settings}. `rois` and
// `duty_schedule` are the camera row's columns. Throws core::Error (validation_failed: core::Errc
// has no invalid_argument) naming the analyser and the key on bad settings; "fire_smoke" takes
// its parts' settings in the sub-objects "fire" and "smoke" (docs/video.md, "Analysers").
std::unique_ptr<Analyser> make_analyser(const nlohmann::json& entry, const nlohmann::json& rois,
                                        const nlohmann::json& duty_schedule);

}  // namespace hazmon::video
