#pragma once
// Regions of interest: polygons in normalised frame coordinates (camera.rois). An analyser
// entry names one by "roi"; without a name it watches the whole frame.
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <string>
#include <vector>

#include <hazmon/video/video_event.hpp>

namespace hazmon::video::detail {

struct Roi {
  std::string name;            // "全画面" for the whole frame
  std::vector<Point> polygon;  // normalised, at least 3 points

  bool contains(double x, double y) const;  // normalised point, boundary counts as inside
  // Pixel bounding rectangle inside a frame of `size` (never empty for a valid polygon).
  cv::Rect bounds(cv::Size size) const;
  // 8-bit mask (255 inside) of the polygon, drawn in the coordinates of `rect` within a frame of
  // `size`.
  cv::Mat mask(cv::Size size, cv::Rect rect) const;
  bool whole_frame() const;
};

Roi whole_frame_roi();
// Looks up `name` in camera.rois ([{"name", "polygon": [[x,y],...]}]); throws
// core::Error(validation_failed) when it is absent or malformed. `key` names the setting.
Roi find_roi(const nlohmann::json& rois, const std::string& name, const std::string& analyser,
             const char* key);

}  // namespace hazmon::video::detail
