#include <nlohmann/json.hpp>

#include <hazmon/video/supervisor.hpp>

namespace hazmon::video {

void from_json(const nlohmann::json& j, VideoSettings& s) {
  s.evidence_dir = j.at("evidence_dir").get<std::string>();
  s.recording_dir = j.at("recording_dir").get<std::string>();
  s.models_dir = j.at("models_dir").get<std::string>();
  s.inference_threads = j.at("inference_threads").get<int>();
  s.analysis_max_side = j.at("analysis_max_side").get<int>();
  s.clip_before = std::chrono::seconds(j.at("clip_before_s").get<int>());
  s.clip_after = std::chrono::seconds(j.at("clip_after_s").get<int>());
  s.segment_length = std::chrono::seconds(j.at("segment_s").get<int>());
  s.offline_after = std::chrono::seconds(j.at("offline_after_s").get<int>());
  s.give_up_after = std::chrono::seconds(j.at("give_up_after_s").get<int>());
  s.recording_retention_days = j.at("retention_days").get<int>();
  s.recording_max_bytes =
      static_cast<std::uint64_t>(j.at("max_recording_gb").get<double>() * (1ull << 30));
}

}  // namespace hazmon::video
