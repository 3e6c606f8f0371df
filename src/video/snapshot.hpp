#pragma once
// Evidence picture of an event: the analysed frame with the finding's boxes and the camera's
// ROI polygons drawn, as JPEG.
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <hazmon/video/video_event.hpp>

namespace hazmon::video {

// ROI polygons of camera.rois: [{"name": "...", "polygon"|"points": [[x,y], ...] or
// [{"x":..,"y":..}]}]. Entries in another shape are skipped (the analysers validate ROIs; this only
// draws them).
std::vector<std::vector<Point>> roi_polygons(const nlohmann::json& rois);

cv::Mat draw_evidence(const cv::Mat& bgr, const std::vector<Box>& boxes,
                      const std::vector<std::vector<Point>>& rois,
                      const std::vector<Point>& highlight);

// Writes the JPEG (quality 85) with a temporary name and renames it, so readers never see half
// a file. Throws std::runtime_error on failure.
void write_jpeg(const std::filesystem::path& path, const cv::Mat& bgr);

}  // namespace hazmon::video
