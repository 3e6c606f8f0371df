#pragma once
// Shared helpers of the video unit tests: model paths in the repo, frames, and a driver that
// feeds an analyser one frame per simulated second.
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "analyser.hpp"

namespace hazmon::video::vt {

inline ModelPaths repo_models() {
  const std::string m = std::string(HAZMON_SOURCE_DIR) + "/models/";
  ModelPaths p;
  p.person_cfg = m + "yolo-fastest-1.1-body/yolo-fastest-1.1_body.cfg";
  p.person_weights = m + "yolo-fastest-1.1-body/yolo-fastest-1.1_body.weights";
  p.fire_prototxt = m + "shufflenetv2-onfire/shufflenetv2_onfire_ff.prototxt";
  p.fire_caffemodel = m + "shufflenetv2-onfire/shufflenetv2_onfire_ff.caffemodel";
  return p;
}

inline cv::Mat eval_image(const std::string& name) {
  return cv::imread(std::string(HAZMON_SOURCE_DIR) + "/tests/data/video-eval/" + name,
                    cv::IMREAD_COLOR);
}

// Monday 2026-11-30 02:00 UTC = 10:00 in China.
inline core::SysTime monday_10am() { return core::SysTime{std::chrono::seconds(1'796'004'000)}; }

struct Fed {
  std::vector<Finding> findings;
  std::vector<int> at;  // sample index of each finding
};

// Feeds frames[i] at t0 + i * step and collects the findings.
inline Fed feed(Analyser& a, InferenceContext& ctx, const std::vector<cv::Mat>& frames,
                core::SysTime t0, std::chrono::milliseconds step = std::chrono::seconds(1)) {
  Fed fed;
  for (size_t i = 0; i < frames.size(); ++i) {
    AnalysisFrame f;
    f.bgr = frames[i];
    f.time = t0 + step * static_cast<int>(i);
    f.source_width = frames[i].cols;
    f.source_height = frames[i].rows;
    std::vector<Finding> out;
    a.analyse(f, ctx, out);
    for (auto& x : out) {
      fed.findings.push_back(x);
      fed.at.push_back(static_cast<int>(i));
    }
  }
  return fed;
}

}  // namespace hazmon::video::vt
