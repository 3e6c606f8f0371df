#include "roi.hpp"

#include <opencv2/imgproc.hpp>

#include <hazmon/core/error.hpp>

#include <algorithm>
#include <cmath>

namespace hazmon::video::detail {

bool Roi::contains(double x, double y) const {
  // Even-odd ray casting; points on an edge count as inside (a foot on the ROI line is on post).
  bool inside = false;
  const size_t n = polygon.size();
  for (size_t i = 0, j = n - 1; i < n; j = i++) {
    const auto& a = polygon[i];
    const auto& b = polygon[j];
    double cross = (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x);
    if (std::abs(cross) < 1e-12 && x >= std::min(a.x, b.x) - 1e-12 &&
        x <= std::max(a.x, b.x) + 1e-12 && y >= std::min(a.y, b.y) - 1e-12 &&
        y <= std::max(a.y, b.y) + 1e-12)
      return true;
    if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

cv::Rect Roi::bounds(cv::Size size) const {
  double x0 = 1, y0 = 1, x1 = 0, y1 = 0;
  for (const auto& p : polygon) {
    x0 = std::min(x0, p.x);
    y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x);
    y1 = std::max(y1, p.y);
  }
  int px0 = std::clamp(static_cast<int>(std::floor(x0 * size.width)), 0, size.width - 1);
  int py0 = std::clamp(static_cast<int>(std::floor(y0 * size.height)), 0, size.height - 1);
  int px1 = std::clamp(static_cast<int>(std::ceil(x1 * size.width)), px0 + 1, size.width);
  int py1 = std::clamp(static_cast<int>(std::ceil(y1 * size.height)), py0 + 1, size.height);
  return {px0, py0, px1 - px0, py1 - py0};
}

cv::Mat Roi::mask(cv::Size size, cv::Rect rect) const {
  cv::Mat m(rect.size(), CV_8U, cv::Scalar(0));
  std::vector<cv::Point> pts;
  for (const auto& p : polygon)
    pts.emplace_back(static_cast<int>(std::lround(p.x * size.width)) - rect.x,
                     static_cast<int>(std::lround(p.y * size.height)) - rect.y);
  cv::fillPoly(m, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(255));
  return m;
}

bool Roi::whole_frame() const {
  return polygon.size() == 4 && bounds({1000, 1000}) == cv::Rect(0, 0, 1000, 1000) &&
         contains(0.5, 0.001) && contains(0.001, 0.999) && contains(0.999, 0.001) &&
         contains(0.999, 0.999);
}

Roi whole_frame_roi() { return Roi{"全画面", {{0, 0}, {1, 0}, {1, 1}, {0, 1}}}; }

Roi find_roi(const nlohmann::json& rois, const std::string& name, const std::string& analyser,
             const char* key) {
  auto fail = [&](const std::string& msg) -> Roi {
    throw core::Error(core::Errc::validation_failed,
                      "analyser " + analyser + ", setting '" + key + "': " + msg,
                      {core::FieldError{std::string("/") + key, msg}});
  };
  if (!rois.is_array()) return fail("the camera has no ROI list");
  for (const auto& r : rois) {
    if (!r.is_object() || !r.contains("name") || r.at("name") != name) continue;
    if (!r.contains("polygon") || !r.at("polygon").is_array() || r.at("polygon").size() < 3)
      return fail("ROI '" + name + "' needs a polygon of at least 3 points");
    Roi roi{name, {}};
    for (const auto& p : r.at("polygon")) {
      if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
        return fail("ROI '" + name + "' has a point that is not [x, y]");
      double x = p[0].get<double>(), y = p[1].get<double>();
      if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1))
        return fail("ROI '" + name + "' has a point outside 0..1 (coordinates are normalised)");
      roi.polygon.push_back({x, y});
    }
    return roi;
  }
  return fail("no ROI named '" + name + "' on this camera");
}

}  // namespace hazmon::video::detail
