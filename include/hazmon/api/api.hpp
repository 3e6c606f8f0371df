#pragma once
// REST handlers under /api/v1 plus /healthz, /readyz and /metrics. Described in
// schemas/openapi.yaml.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <hazmon/http/router.hpp>

namespace hazmon::auth {
class AuthService;
}
namespace hazmon::core {
class Metrics;
}
namespace hazmon::service {
class RegistryService;
class RosterService;
class AuditLog;
class UserDirectory;
class IngestService;
class EventHub;
class MonitoringService;
class WarningService;
class NodeService;
class NotificationService;
class VideoService;
class StatisticsService;
class DataQualityService;
class ReportService;
class CommitmentService;
class PermitService;
class SisService;
class PlantModelService;
class UnitStatusService;
class CircularService;
class ProcessService;
class PatrolService;
class Gb28181Service;
class CallService;
class FederationForwarder;
class RowUploadService;
}  // namespace hazmon::service

namespace hazmon::api {

class ResponseCache;

struct Readiness {
  bool ready = false;
  std::string detail;
};

struct ApiContext {
  auth::AuthService& auth;
  service::RegistryService& registry;
  service::RosterService& roster;
  service::AuditLog& audit;
  service::UserDirectory& users;
  core::Metrics& metrics;
  std::function<Readiness()> readiness;              // database reachable, migrations current
  service::IngestService* ingest = nullptr;          // null: no upload routes
  service::MonitoringService* monitoring = nullptr;  // null: no reading/alarm/filing routes
  service::WarningService* warnings = nullptr;  // null: no warning-event and warning-rule routes
  int offline_after_s = 300;
  service::EventHub* events = nullptr;              // null: no live stream
  int max_streams_per_principal = 5;                // a person's oldest stream closes beyond this
  std::chrono::milliseconds stream_recheck{30000};  // open streams re-check their session
  service::NotificationService* notifications =
      nullptr;  // null: no notification or duty-contact routes
  service::VideoService* video =
      nullptr;  // null: no video event, evidence, statistics or playback routes
  service::StatisticsService* statistics =
      nullptr;  // null: no /api/v1/overview or /api/v1/statistics/*
  service::DataQualityService* data_quality = nullptr;  // null: no /api/v1/data-quality
  service::ReportService* reports = nullptr;            // null: no /api/v1/reports
  service::CommitmentService* commitments = nullptr;    // null: no /api/v1/commitments
  service::PermitService* permits = nullptr;            // null: no /api/v1/work-permits
  service::SisService* sis = nullptr;                   // null: no /api/v1/sis-loops
  service::UnitStatusService* unit_statuses = nullptr;  // null: no /api/v1/unit-statuses
  service::CircularService* circulars = nullptr;        // null: no /api/v1/circulars
  service::ProcessService* processes = nullptr;         // null: no /api/v1/processes, /coverage
  service::PatrolService* patrols = nullptr;   // null: no patrols, duty check-ins, routine use
  service::Gb28181Service* gb28181 = nullptr;  // null: no /api/v1/gb28181/devices
  service::CallService* calls = nullptr;       // null: no /api/v1/calls, /api/v1/janus
  // null: no /api/v1/plant-models (docs/plant-models.md)
  service::PlantModelService* plant_models = nullptr;
  // null: a province instance (its /api/v1/federation/status says so; nothing parked).
  service::FederationForwarder* federation = nullptr;
  // The row uploads' transactions and dataIds (ADR 0033); app::Platform always sets it (the
  // /upload/{table} and filed-record upload routes answer 500 without it).
  service::RowUploadService* row_uploads = nullptr;
  // null: lists and the overview are made for every request and carry no ETag (ADR 0018).
  std::shared_ptr<ResponseCache> response_cache;
  service::NodeService* nodes = nullptr;  // null: no /api/v1/nodes (ADR 0028)
};

void register_routes(http::Router& router, ApiContext& ctx);

}  // namespace hazmon::api
