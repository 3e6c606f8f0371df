#include <hazmon/video/supervisor.hpp>

#include <hazmon/core/error.hpp>

#include "analyser.hpp"

namespace hazmon::video {

std::vector<std::pair<std::string, std::string>> check_camera_settings(
    const nlohmann::json& analysers, const nlohmann::json& rois,
    const nlohmann::json& duty_schedule) {
  std::vector<std::pair<std::string, std::string>> problems;
  if (!analysers.is_array()) return {{"/analysers", "must be an array"}};
  const auto& r = rois.is_null() ? nlohmann::json::array() : rois;
  const auto& d = duty_schedule.is_null() ? nlohmann::json::array() : duty_schedule;
  for (std::size_t i = 0; i < analysers.size(); ++i) {
    try {
      (void)make_analyser(analysers[i], r, d);
    } catch (const core::Error& e) {
      problems.emplace_back("/analysers/" + std::to_string(i), e.what());
    } catch (const std::exception& e) {
      problems.emplace_back("/analysers/" + std::to_string(i), e.what());
    }
  }
  return problems;
}

}  // namespace hazmon::video
