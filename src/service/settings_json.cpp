// Each service's settings from its section of the config (schema defaults already applied);
// the declarations sit next to each Settings struct.
#include <nlohmann/json.hpp>

#include <hazmon/service/commitment_service.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/monitoring.hpp>
#include <hazmon/service/notification_service.hpp>
#include <hazmon/service/report_service.hpp>
#include <hazmon/service/statistics_service.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/service/warning_service.hpp>

namespace hazmon::service {

void from_json(const nlohmann::json& j, DataQualitySettings& s) {
  s.target_online_rate = j.at("target_online_rate").get<double>();
  s.rollup.default_interval_s = j.at("default_interval_s").get<int>();
  s.rollup.timely_within_s = j.at("timely_within_s").get<int>();
  s.refresh_interval = std::chrono::seconds(j.at("refresh_interval_s").get<int>());
  s.recompute_days = j.at("recompute_days").get<int>();
  s.max_days = j.at("max_days").get<int>();
  s.max_export_rows = j.at("max_export_rows").get<std::int64_t>();
}

void from_json(const nlohmann::json& j, ReportSettings& s) {
  auto minute_of = [](const std::string& hhmm) {
    return std::stoi(hhmm.substr(0, 2)) * 60 + std::stoi(hhmm.substr(3, 2));
  };
  s.enabled = j.at("enabled").get<bool>();
  s.title_prefix = j.at("title_prefix").get<std::string>();
  s.daily_minute = minute_of(j.at("daily_at").get<std::string>());
  s.weekly_weekday = j.at("weekly_weekday").get<int>();
  s.weekly_minute = minute_of(j.at("weekly_at").get<std::string>());
  s.recipients = j.at("recipients").get<std::vector<std::string>>();
  s.top_n = j.at("top_n").get<int>();
  s.chromium = j.at("chromium").get<std::string>();
  s.pdf_timeout = std::chrono::seconds(j.at("pdf_timeout_s").get<int>());
}

void from_json(const nlohmann::json& j, StatisticsSettings& s) {
  s.overview_cache = std::chrono::milliseconds(j.at("overview_cache_ms").get<int>());
  s.point_counts_max_age = std::chrono::seconds(j.at("point_counts_max_age_s").get<int>());
}

void from_json(const nlohmann::json& j, FilingSettings& s) {
  s.max_length = std::chrono::seconds(j.at("filing_max_days").get<int>() * 86400LL);
  s.max_overhaul_length =
      std::chrono::seconds(j.at("overhaul_filing_max_days").get<int>() * 86400LL);
  s.chain_gap = std::chrono::seconds(j.at("filing_chain_gap_minutes").get<int>() * 60LL);
}

void from_json(const nlohmann::json& j, VideoServiceSettings& s) {
  s.evidence_dir = j.at("evidence_dir").get<std::string>();
  s.recording_dir = j.at("recording_dir").get<std::string>();
  s.secrets_dir = j.at("secrets_dir").get<std::string>();
  s.allowed_networks =
      j.at("allowed_networks").get<std::map<std::string, std::vector<std::string>>>();
  s.housekeeping_interval = std::chrono::seconds(j.at("housekeeping_interval_s").get<int>());
  s.live_segments = j.at("live_segments").get<int>();
}

void from_json(const nlohmann::json& j, IngestSettings& s) {
  s.max_items_per_upload = j.at("max_items_per_upload").get<std::size_t>();
  s.max_queued_readings = j.at("max_queued_readings").get<std::size_t>();
  s.max_group_readings = j.at("max_group_readings").get<std::size_t>();
  s.max_future_skew = std::chrono::seconds(j.at("max_future_skew_s").get<int>());
  s.max_reading_age = std::chrono::seconds(j.at("max_reading_age_days").get<int>() * 86400LL);
  s.late_after = std::chrono::seconds(j.at("late_after_s").get<int>());
  s.offline_after = std::chrono::seconds(j.at("offline_after_s").get<int>());
  s.frozen_after = std::chrono::seconds(j.at("frozen_after_s").get<int>());
  s.spool_file = j.at("spool_file").get<std::string>();
  s.partition_days_ahead = j.at("partition_days_ahead").get<int>();
  s.retention_days = j.at("retention_days").get<int>();
}

void from_json(const nlohmann::json& j, WarningSettings& s) {
  s.check_interval = std::chrono::seconds(j.at("check_interval_s").get<int>());
  s.disposal.escalate_level = j.at("escalate_level").get<bool>();
  s.disposal.max_escalations = j.at("max_escalations").get<int>();
  const char* levels[] = {"blue", "yellow", "orange", "red"};  // DisposalSettings order
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& d = j.at("deadlines").at(levels[i]);
    s.disposal.deadlines[i] = {std::chrono::minutes(d.at("feedback_min").get<int>()),
                               std::chrono::minutes(d.at("check_min").get<int>()),
                               std::chrono::minutes(d.at("close_min").get<int>())};
  }
}

void from_json(const nlohmann::json& j, NotifySettings& s) {
  s.retry_initial = std::chrono::seconds(j.at("retry").at("initial_s").get<int>());
  s.retry_max = std::chrono::seconds(j.at("retry").at("max_s").get<int>());
  s.max_attempts = j.at("retry").at("max_attempts").get<int>();
  s.poll_interval = std::chrono::milliseconds(j.at("poll_interval_ms").get<int>());
  s.templates.dashboard_url = j.at("dashboard_url").get<std::string>();
}

void from_json(const nlohmann::json& j, CommitmentSettings& s) {
  s.enabled = j.at("enabled").get<bool>();
  s.deadline_hour = j.at("deadline_hour").get<int>();
  auto level = rules::warning_level_from_string(j.at("warning_level").get<std::string>());
  if (!level)
    throw core::Error(core::Errc::validation_failed, "commitments.warning_level: not a level");
  s.warning_level = *level;
  s.max_warnings_per_check = j.at("max_warnings_per_check").get<int>();
  s.max_missing_listed = j.at("max_missing_listed").get<int>();
}

}  // namespace hazmon::service
