#pragma once
// The one wiring of hazmond: every service built from the validated config, connected to the
// others, and served over HTTPS. `hazmond serve` and the tests' TestServer both use it; what
// differs between them (a fake clock, a recording SMS gateway, background ticks that a test
// drives by hand) is a PlatformOptions field, not a second copy of the wiring.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hazmon::core {
class Clock;
class Liveness;
class Metrics;
class SecretBox;
}  // namespace hazmon::core
namespace hazmon::storage {
class Database;
}
namespace hazmon::notify {
class SmsGateway;
}
namespace hazmon::auth {
class AuthService;
}
namespace hazmon::http {
class Router;
}
namespace hazmon::video {
class Supervisor;
}
namespace hazmon::service {
class IngestService;
class MonitoringService;
class WarningService;
class NotificationService;
class VideoService;
class DataQualityService;
class ReportService;
class CommitmentService;
class PermitService;
class SisService;
class StatisticsService;
class RegistryService;
class EventHub;
}  // namespace hazmon::service

namespace hazmon::app {

struct PlatformOptions {
  // The clock every service reads; null: the system clock.
  const core::Clock* clock = nullptr;
  // Replaces the HTTP SMS gateway of notify.sms (tests: a RecordingSmsGateway). Not owned.
  notify::SmsGateway* sms = nullptr;
  // Background ticks off: warning deadlines, the notification sender, video housekeeping and
  // ingest's maintenance tasks (point counts, data-quality rollup, report schedule) run only when
  // the caller ticks them (tests), and no revocation poll unless revocation_watch.
  bool manual_ticks = false;
  bool revocation_watch = true;
  // The review queue (VideoService): hazmond always has it; tests ask for it.
  bool video_service = true;
};

class Platform {
 public:
  // `cfg` is a validated config (config::load_config / validate_config); `db` outlives the
  // Platform and is migrated. Builds everything; starts no thread but the revocation poll.
  Platform(const nlohmann::json& cfg, storage::Database& db, PlatformOptions o = {});
  ~Platform();  // stop()
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  // Starts the workers and the HTTPS server; returns the port it listens on.
  unsigned short start();
  // The shutdown order: HTTP, the video pipeline, video events, ingest, warnings, notifications.
  // Idempotent.
  void stop();

  // The registry where every long-running worker beats (ingest's writer, ticker, tasks and
  // loader, the video writer, ...).
  core::Liveness& liveness();
  // Names of the workers silent for longer than their allowance (empty: all turning). /readyz
  // answers 503 naming them.
  std::vector<std::string> stalled_workers() const;
  // What feeds the systemd watchdog: true while no worker is stalled. Logs (once per change)
  // which workers stalled and when they turn again.
  bool alive();

  core::Metrics& metrics();
  core::SecretBox& secret_box();
  // The UDP port of the GB/T 28181 SIP server once started; 0 when gb28181.enabled is false.
  unsigned short gb28181_port() const;
  auth::AuthService& auth();
  service::RegistryService& registry();
  service::IngestService& ingest();
  service::MonitoringService& monitoring();
  service::WarningService& warnings();
  service::EventHub& events();
  service::NotificationService* notifications();  // null: notify disabled
  service::VideoService* video();                 // null: PlatformOptions::video_service false
  video::Supervisor* pipeline();                  // null: video.enabled false or it failed to start
  service::StatisticsService& statistics();
  service::DataQualityService& data_quality();
  service::ReportService& reports();
  // Its deadline check runs after ingest's maintenance, or when the caller runs check().
  service::CommitmentService& commitments();
  service::PermitService& permits();
  service::SisService& sis();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::app
