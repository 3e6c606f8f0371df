#include "snapshot.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>
#include <stdexcept>

namespace hazmon::video {

namespace {
std::vector<Point> parse_points(const nlohmann::json& pts) {
  std::vector<Point> out;
  if (!pts.is_array()) return out;
  for (const auto& p : pts) {
    if (p.is_array() && p.size() >= 2 && p[0].is_number() && p[1].is_number()) {
      out.push_back({p[0].get<double>(), p[1].get<double>()});
    } else if (p.is_object() && p.contains("x") && p.contains("y") && p["x"].is_number() &&
               p["y"].is_number()) {
      out.push_back({p["x"].get<double>(), p["y"].get<double>()});
    }
  }
  return out;
}

std::vector<cv::Point> to_pixels(const std::vector<Point>& poly, const cv::Mat& m) {
  std::vector<cv::Point> out;
  for (const auto& p : poly) out.emplace_back(cvRound(p.x * m.cols), cvRound(p.y * m.rows));
  return out;
}
}  // namespace

std::vector<std::vector<Point>> roi_polygons(const nlohmann::json& rois) {
  std::vector<std::vector<Point>> out;
  if (!rois.is_array()) return out;
  for (const auto& r : rois) {
    if (!r.is_object()) continue;
    for (const char* key : {"polygon", "points"}) {
      if (r.contains(key)) {
        auto poly = parse_points(r[key]);
        if (poly.size() >= 3) out.push_back(std::move(poly));
        break;
      }
    }
  }
  return out;
}

cv::Mat draw_evidence(const cv::Mat& bgr, const std::vector<Box>& boxes,
                      const std::vector<std::vector<Point>>& rois,
                      const std::vector<Point>& highlight) {
  cv::Mat out = bgr.clone();
  const int thick = std::max(1, out.cols / 320);
  for (const auto& poly : rois) {
    auto px = to_pixels(poly, out);
    cv::polylines(out, px, true, cv::Scalar(255, 200, 0), thick);  // ROIs: cyan-blue
  }
  if (highlight.size() >= 3) {
    auto px = to_pixels(highlight, out);
    cv::polylines(out, px, true, cv::Scalar(0, 255, 255), thick + 1);  // the event's ROI: yellow
  }
  for (const auto& b : boxes) {
    cv::Rect r(cvRound(b.x * out.cols), cvRound(b.y * out.rows), cvRound(b.w * out.cols),
               cvRound(b.h * out.rows));
    cv::rectangle(out, r, cv::Scalar(0, 0, 255), thick + 1);  // findings: red
    if (!b.label.empty()) {
      char text[64];
      std::snprintf(text, sizeof text, "%s %.2f", b.label.c_str(), b.score);
      cv::putText(out, text, r.tl() + cv::Point(2, -4), cv::FONT_HERSHEY_SIMPLEX, 0.4 * thick,
                  cv::Scalar(0, 0, 255), thick);
    }
  }
  return out;
}

void write_jpeg(const std::filesystem::path& path, const cv::Mat& bgr) {
  std::vector<unsigned char> buf;
  if (bgr.empty() || !cv::imencode(".jpg", bgr, buf, {cv::IMWRITE_JPEG_QUALITY, 85})) {
    throw std::runtime_error("JPEG encoding failed");
  }
  std::filesystem::create_directories(path.parent_path());
  auto tmp = path;
  tmp += ".part";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    if (!f) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace hazmon::video
