#include "settings.hpp"

#include <hazmon/config/config.hpp>
#include <hazmon/core/error.hpp>

namespace hazmon::app {
namespace fs = std::filesystem;
using nlohmann::json;

fs::path state_path(const json& cfg, const fs::path& configured) {
  const fs::path& p = configured;
  return p.is_absolute() ? p : fs::path(cfg["state_dir"].get<std::string>()) / p;
}

auth::AuthSettings auth_settings(const json& cfg) { return cfg["auth"].get<auth::AuthSettings>(); }

http::ServerSettings server_settings(const json& cfg) {
  return cfg["http"].get<http::ServerSettings>();
}

notify::SmtpSettings smtp_settings(const json& cfg) {
  const auto& m = cfg["notify"]["smtp"];
  auto s = m.get<notify::SmtpSettings>();
  s.password = config::read_secret(m["password_env"].get<std::string>(),
                                   m["password_file"].get<std::string>())
                   .value_or("");
  if (!s.username.empty() && s.password.empty())
    throw core::Error(core::Errc::bad_request, "notify.smtp.username is set but no password in $" +
                                                   m["password_env"].get<std::string>() +
                                                   " or notify.smtp.password_file");
  return s;
}

notify::HttpSmsSettings sms_settings(const json& cfg) {
  const auto& m = cfg["notify"]["sms"];
  auto s = m.get<notify::HttpSmsSettings>();
  s.api_key =
      config::read_secret(m["api_key_env"].get<std::string>(), m["api_key_file"].get<std::string>())
          .value_or("");
  return s;
}

service::NotifySettings notify_settings(const json& cfg) {
  return cfg["notify"].get<service::NotifySettings>();
}

service::CallSettings call_settings(const json& cfg) {
  const auto& m = cfg["calls"];
  auto s = m.get<service::CallSettings>();
  auto secret = [&m](const char* name) {
    return config::read_secret(m[std::string(name) + "_env"].get<std::string>(),
                               m[std::string(name) + "_file"].get<std::string>())
        .value_or("");
  };
  s.api_secret = secret("api_secret");
  s.room_admin_key = secret("room_admin_key");
  s.turn_credential = secret("turn_credential");
  if (s.enabled && (s.api_secret.empty() || s.room_admin_key.empty()))
    throw core::Error(core::Errc::bad_request,
                      "calls.enabled needs Janus's api_secret and the VideoRoom admin_key "
                      "(calls.api_secret_env / _file, calls.room_admin_key_env / _file)");
  return s;
}

service::DataQualitySettings data_quality_settings(const json& cfg) {
  auto s = cfg["data_quality"].get<service::DataQualitySettings>();
  s.rollup.offline_after_s = cfg["ingest"]["offline_after_s"].get<int>();
  return s;
}

service::ReportSettings report_settings(const json& cfg) {
  auto s = cfg["reports"].get<service::ReportSettings>();
  s.work_dir = std::filesystem::temp_directory_path();
  s.dashboard_url = cfg["notify"]["dashboard_url"].get<std::string>();
  return s;
}

service::IngestSettings ingest_settings(const json& cfg) {
  auto s = cfg["ingest"].get<service::IngestSettings>();
  s.spool_file = state_path(cfg, s.spool_file);
  if (city_mode(cfg)) s.forward_path = "/api/v1/upload/realtime";
  return s;
}

bool city_mode(const json& cfg) { return cfg.value("mode", std::string("province")) == "city"; }

service::FederationSettings federation_settings(const json& cfg) {
  const auto& f = cfg["federation"];
  service::FederationSettings s;
  s.province_url = f["province_url"].get<std::string>();
  s.app_id = f["app_id"].get<std::string>();
  s.region_code = f["region_code"].get<std::string>();
  s.ca_file = state_path(cfg, f["ca_file"].get<std::string>()).string();
  auto secret_file = f["secret_file"].get<std::string>();
  s.secret = config::read_secret(
                 f["secret_env"].get<std::string>(),
                 secret_file.empty() ? std::string() : state_path(cfg, secret_file).string())
                 .value_or("");
  if (s.secret.empty())
    throw core::Error(core::Errc::bad_request,
                      "mode city: no secret for the federation credential in $" +
                          f["secret_env"].get<std::string>() + " or federation.secret_file");
  if (!fs::is_regular_file(s.ca_file))
    throw core::Error(core::Errc::bad_request,
                      "mode city: federation.ca_file " + s.ca_file + " is not a readable file");
  s.batch_size = f["batch_size"].get<int>();
  s.poll_interval = std::chrono::milliseconds(f["poll_interval_ms"].get<int>());
  s.retry_initial = std::chrono::milliseconds(f["retry_initial_ms"].get<int>());
  s.retry_max = std::chrono::milliseconds(f["retry_max_ms"].get<int>());
  s.request_timeout = std::chrono::milliseconds(f["request_timeout_ms"].get<int>());
  s.keep_sent = std::chrono::hours(f["keep_sent_h"].get<int>());
  return s;
}

service::FilingSettings filing_settings(const json& cfg) {
  return cfg["ingest"].get<service::FilingSettings>();
}

service::WarningSettings warning_settings(const json& cfg) {
  return cfg["warnings"].get<service::WarningSettings>();
}

service::VideoServiceSettings video_service_settings(const json& cfg) {
  auto s = cfg["video"].get<service::VideoServiceSettings>();
  s.evidence_dir = state_path(cfg, s.evidence_dir);
  s.recording_dir = state_path(cfg, s.recording_dir);
  s.secrets_dir = state_path(cfg, s.secrets_dir);
  s.own_ports = {cfg["http"]["port"].get<int>(), 5432 /* PostgreSQL on this host */};
  return s;
}

// The pipeline's settings (video::Supervisor) from the same section.
video::VideoSettings video_pipeline_settings(const json& cfg) {
  auto s = cfg["video"].get<video::VideoSettings>();
  s.evidence_dir = state_path(cfg, s.evidence_dir);
  s.recording_dir = state_path(cfg, s.recording_dir);
  if (s.models_dir.empty()) s.models_dir = config::home_dir() / "models";
  s.own_ports = {cfg["http"]["port"].get<int>(), 5432 /* PostgreSQL on this host */};
  // GB/T 28181 media (ADR 0034): the RTP ports are the video pipeline's, configured beside the
  // SIP server they are INVITEd through.
  if (cfg.contains("gb28181")) {
    const auto& g = cfg["gb28181"];
    s.gb_media_bind = g.value("media_bind", s.gb_media_bind);
    s.gb_media_address = g.value("media_address", s.gb_media_address);
    s.gb_port_min = g.value("media_port_min", s.gb_port_min);
    s.gb_port_max = g.value("media_port_max", s.gb_port_max);
    s.gb_reorder_window = g.value("media_reorder_window", s.gb_reorder_window);
  }
  return s;
}

service::StatisticsSettings statistics_settings(const json& cfg) {
  auto s = cfg["statistics"].get<service::StatisticsSettings>();
  s.offline_after = std::chrono::seconds(cfg["ingest"]["offline_after_s"].get<int>());
  return s;
}

}  // namespace hazmon::app
