#pragma once
// Private to src/video: the concrete analysers behind make_analyser(), one factory per type.
// Each factory reads its settings (and only its settings: Settings::finish() rejects the rest).
#include "analyser.hpp"
#include "duty_schedule.hpp"
#include "roi.hpp"
#include "settings.hpp"

#include <memory>

namespace hazmon::video::detail {

std::unique_ptr<Analyser> make_leave_post(Settings& s, Roi roi, DutySchedule duty);
std::unique_ptr<Analyser> make_fire(Settings& s, Roi roi);
std::unique_ptr<Analyser> make_smoke(Settings& s, Roi roi);
std::unique_ptr<Analyser> make_leak(Settings& s, Roi roi, const nlohmann::json& rois);
std::unique_ptr<Analyser> make_camera_health(Settings& s);

// Builds a Finding with the fields every analyser fills the same way.
Finding finding(const std::string& analyser, const std::string& kind, EventPhase phase,
                double confidence, const Roi& roi, core::SysTime started_at, std::string detail,
                std::vector<Box> boxes = {});

// Maps a box normalised to `rect` (a crop of a frame of `size`) back to the whole frame.
Box to_frame(const Box& b, cv::Rect rect, cv::Size size);
Box rect_box(cv::Rect rect, cv::Size size, double score, std::string label);

}  // namespace hazmon::video::detail
