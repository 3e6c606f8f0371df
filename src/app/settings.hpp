#pragma once
// Each module's Settings from the validated config (defaults are the schema's, filled in by
// config::validate_config): the module parses its own section (`from_json` next to each Settings
// struct); here app adds what crosses sections (state_dir, ingest.offline_after_s, secrets, the
// listening port). Private to app.
#include <nlohmann/json.hpp>

#include <filesystem>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/http/server.hpp>
#include <hazmon/notify/sms_gateway.hpp>
#include <hazmon/notify/smtp_mailer.hpp>
#include <hazmon/service/call_service.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/federation_forwarder.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/monitoring.hpp>
#include <hazmon/service/notification_service.hpp>
#include <hazmon/service/report_service.hpp>
#include <hazmon/service/statistics_service.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/video/supervisor.hpp>

namespace hazmon::app {

// A path from the config: relative paths are under state_dir.
std::filesystem::path state_path(const nlohmann::json& cfg,
                                 const std::filesystem::path& configured);

auth::AuthSettings auth_settings(const nlohmann::json& cfg);
http::ServerSettings server_settings(const nlohmann::json& cfg);
// notify.smtp / notify.sms with their secrets read (throws when a username has no password).
notify::SmtpSettings smtp_settings(const nlohmann::json& cfg);
notify::HttpSmsSettings sms_settings(const nlohmann::json& cfg);
service::NotifySettings notify_settings(const nlohmann::json& cfg);
service::DataQualitySettings data_quality_settings(const nlohmann::json& cfg);
// calls with Janus's api_secret, the VideoRoom admin_key and the TURN credential read (throws
// when calls are enabled without the first two).
service::CallSettings call_settings(const nlohmann::json& cfg);
service::ReportSettings report_settings(const nlohmann::json& cfg);
// In mode city, forward_path is set: accepted uploads are queued for the province.
service::IngestSettings ingest_settings(const nlohmann::json& cfg);
// mode city: the federation block with its secret read (throws when there is none).
service::FederationSettings federation_settings(const nlohmann::json& cfg);
bool city_mode(const nlohmann::json& cfg);
service::FilingSettings filing_settings(const nlohmann::json& cfg);
service::WarningSettings warning_settings(const nlohmann::json& cfg);
service::StatisticsSettings statistics_settings(const nlohmann::json& cfg);
service::VideoServiceSettings video_service_settings(const nlohmann::json& cfg);
video::VideoSettings video_pipeline_settings(const nlohmann::json& cfg);

}  // namespace hazmon::app
