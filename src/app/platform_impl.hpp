#pragma once
// app::Platform's members, shared by the files that build its sections (platform.cpp: core,
// monitoring, notifications, reporting, the API; platform_video.cpp: video and GB/T 28181).
// Private to src/app.
#include <hazmon/app/platform.hpp>

#include <sys/stat.h>

#include <hazmon/api/api.hpp>
#include <hazmon/api/call_event.hpp>
#include <hazmon/api/response_cache.hpp>
#include <hazmon/api/warning_push.hpp>
#include <hazmon/auth/auth_service.hpp>
#include <hazmon/config/config.hpp>
#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/liveness.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/http/server.hpp>
#include <hazmon/http/static_files.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/call_service.hpp>
#include <hazmon/service/circular_service.hpp>
#include <hazmon/service/commitment_service.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/event_hub.hpp>
#include <hazmon/service/federation_forwarder.hpp>
#include <hazmon/service/gb28181_service.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/monitoring.hpp>
#include <hazmon/service/node_service.hpp>
#include <hazmon/service/notification_service.hpp>
#include <hazmon/service/patrol_service.hpp>
#include <hazmon/service/permit_service.hpp>
#include <hazmon/service/plant_model_service.hpp>
#include <hazmon/service/process_service.hpp>
#include <hazmon/service/registry_service.hpp>
#include <hazmon/service/report_service.hpp>
#include <hazmon/service/roster.hpp>
#include <hazmon/service/row_uploads.hpp>
#include <hazmon/service/sis_service.hpp>
#include <hazmon/service/statistics_service.hpp>
#include <hazmon/service/unit_status_service.hpp>
#include <hazmon/service/user_admin.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/live_relay.hpp>
#include <hazmon/storage/migrations.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/registry_version.hpp>
#include <hazmon/video/supervisor.hpp>

#include <spdlog/spdlog.h>

#include <fstream>
#include <mutex>
#include <thread>

#include "settings.hpp"

namespace hazmon::app {

// Members in construction order; each is destroyed before what it uses.
struct Platform::Impl {
  nlohmann::json cfg;
  storage::Database& db;
  PlatformOptions o;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::app);
  std::unique_ptr<core::SystemClock> system_clock;
  const core::Clock* clock = nullptr;
  core::Metrics metrics;
  core::Liveness liveness;  // before every worker: outlives their handles
  std::mutex alive_mu;
  std::vector<std::string> last_stalled;  // what alive() logged last
  std::unique_ptr<core::SecretBox> box;   // before auth and video: outlives them
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<service::RegistryService> registry;
  std::unique_ptr<service::RosterService> roster;
  std::unique_ptr<service::AuditLog> audit;
  std::unique_ptr<service::UserDirectory> users;
  std::unique_ptr<storage::Migrator> migrator;
  std::unique_ptr<service::EventHub>
      events;  // before ingest and warnings: outlives their listeners
  // node.cluster: the live stream's changes to and from the other nodes (ADR 0028); between the
  // hub it delivers to and the services whose listeners send to it.
  std::unique_ptr<storage::LiveRelay> relay;
  std::unique_ptr<service::IngestService> ingest;
  // mode city: forwards what ingest queued to the province (docs/federation.md).
  std::unique_ptr<service::FederationForwarder> federation;
  std::unique_ptr<service::MonitoringService> monitoring;
  std::unique_ptr<service::WarningService> warnings;
  std::unique_ptr<notify::SmtpMailer> mail;
  std::unique_ptr<notify::HttpSmsGateway> sms;
  std::unique_ptr<service::NotificationService> notifications;
  std::unique_ptr<service::VideoService> video;
  // After the service it reports to: stops first.
  std::unique_ptr<video::Supervisor> pipeline;
  // After the pipeline its lease hook feeds: stops first (ADR 0028).
  std::unique_ptr<service::NodeService> nodes;
  std::mutex cameras_mu;
  std::vector<video::CameraConfig> all_cameras;  // node.cluster: what runs somewhere
  std::unique_ptr<service::StatisticsService> statistics;
  std::unique_ptr<service::DataQualityService> data_quality;
  std::unique_ptr<service::ReportService> reports;
  std::unique_ptr<service::CommitmentService> commitments;
  std::unique_ptr<service::PermitService> permits;
  std::unique_ptr<service::SisService> sis;
  std::unique_ptr<service::UnitStatusService> unit_statuses;
  std::unique_ptr<service::CircularService> circulars;
  std::unique_ptr<service::ProcessService> processes;
  std::unique_ptr<service::PatrolService> patrols;
  std::unique_ptr<service::Gb28181Service> gb28181;  // GB/T 28181 devices (docs/gb28181.md)
  std::unique_ptr<::hazmon::gb28181::Server> sip;    // gb28181.enabled: reports to gb28181
  // The pipeline's GB/T 28181 cameras INVITE through the SIP server (ADR 0034); the pipeline
  // stops before both (Platform::stop).
  std::unique_ptr<video::GbSignalling> gb_signalling;
  unsigned short sip_port = 0;
  std::unique_ptr<service::CallService> calls;  // calls.enabled: duty-room video calls
  std::unique_ptr<service::PlantModelService> plant_models;
  std::unique_ptr<service::RowUploadService> row_uploads;      // ADR 0033
  std::unique_ptr<storage::RegistryVersion> registry_version;  // outlives ctx's response cache
  std::unique_ptr<api::ApiContext> ctx;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::mutex stop_mu;
  bool stopped = false;

  Impl(const nlohmann::json& c, storage::Database& d, PlatformOptions opts)
      : cfg(c), db(d), o(opts) {}
  void build_core();
  void build_monitoring();
  void build_notify();
  void build_video();
  void run_held(const std::set<std::string>& held);
  void build_reporting();
  void build_gb28181();
  void build_api();
  api::Readiness readiness();
};

}  // namespace hazmon::app
