#pragma once
// Classical cues for smoke, vapour and liquid until trained models exist (docs/video.md,
// "Analysers"). Only core/imgproc are used: cv::BackgroundSubtractorMOG2 lives in OpenCV's
// `video` module, which hazmon does not link, so the background is a selective running average.
//
// MotionCues (smoke, vapour), per sample on the ROI crop scaled to `width` pixels:
//   foreground  |gray - background| > diff_threshold
//   colour gate HSV saturation <= sat_max and val_min <= value <= val_max (grey/white, not dark)
//   contrast    edge energy in the blob now / in the background there (smoke and mist soften
//               edges; people and vehicles add edges)
//   dynamics    mean |frame-to-frame difference| in the blob (a plume churns; a ghost left by
//               a removed object or a light switched on does not)
//   transparency correlation of the blob with the background behind it (smoke and mist keep the
//               background's structure, attenuated; people and vehicles are opaque)
// All measured on the largest connected blob only.
// A sample is a candidate when the blob is large enough and all gates pass; the analysers add
// persistence (K of N), growth and upward drift.
//
// GroundChange (liquid): change against a reference learnt at the start, compensated for the
// global brightness, that stays put between samples (a puddle is static, people are not).
#include <opencv2/core.hpp>

#include "roi.hpp"

namespace hazmon::video::detail {

struct CueParams {
  int width = 160;
  double alpha = 0.05;      // background learning rate per sample (background pixels)
  int diff_threshold = 12;  // grey levels
  int sat_max = 70;         // HSV S, 0..255
  int val_min = 60, val_max = 255;
  double min_area = 0.01;         // share of the ROI
  double max_edge_ratio = 1.0;    // no more edges than the background had there
  double min_dynamic = 2.0;       // grey levels
  double min_transparency = 0.4;  // correlation of the blob with the background behind it
  int learn_samples = 5;
};

struct CueSample {
  bool learning = true, candidate = false;
  double area = 0, edge_ratio = 1, dynamic = 0, transparency = 0;
  double cy = 0;   // blob centroid y, normalised to the frame (0 = top)
  cv::Rect2d box;  // blob bounds, normalised to the frame
};

class MotionCues {
 public:
  explicit MotionCues(CueParams p) : p_(p) {}
  CueSample update(const cv::Mat& bgr, const Roi& roi);
  const CueParams& params() const { return p_; }

 private:
  CueParams p_;
  cv::Mat bg_, prev_, mask_, bg_edges_;
  cv::Size frame_size_;
  int samples_ = 0;
};

struct GroundParams {
  int width = 160;
  int diff_threshold = 25;
  int static_threshold = 6;  // a changed pixel must differ from the previous sample by less
  double min_area = 0.02;
  double alpha = 0.01;  // reference refresh on unchanged pixels (slow light changes)
  int learn_samples = 5;
};

struct GroundSample {
  bool learning = true, candidate = false;
  double area = 0, darker = 0;  // darker: share of the changed pixels darker than the reference
  cv::Rect2d box;
};

class GroundChange {
 public:
  explicit GroundChange(GroundParams p) : p_(p) {}
  GroundSample update(const cv::Mat& bgr, const Roi& roi);

 private:
  GroundParams p_;
  cv::Mat ref_, prev_, mask_;
  cv::Size frame_size_;
  int samples_ = 0;
};

// Crops the ROI's bounding rectangle and scales it to `width` (keeping the aspect); also the
// ROI mask at that size. Shared by the cues and the camera-health analyser.
cv::Mat crop_scaled(const cv::Mat& bgr, const Roi& roi, int width, cv::Rect& rect_out);

}  // namespace hazmon::video::detail
