#include "commands.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <hazmon/api/api.hpp>
#include <hazmon/auth/auth_service.hpp>
#include <hazmon/config/config.hpp>
#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/http/server.hpp>
#include <hazmon/http/static_files.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/report_service.hpp>
#include <hazmon/service/event_hub.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/monitoring.hpp>
#include <hazmon/service/notification_service.hpp>
#include <hazmon/notify/sms_gateway.hpp>
#include <hazmon/notify/smtp_mailer.hpp>
#include <hazmon/service/registry_service.hpp>
#include <hazmon/service/roster.hpp>
#include <hazmon/service/user_admin.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/service/statistics_service.hpp>
#include <hazmon/video/supervisor.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/migrations.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "database_setup.hpp"
#include "systemd.hpp"

namespace hazmon::app {
namespace fs = std::filesystem;
using nlohmann::json;

std::string option(const Args& args, const std::string& name, const std::string& def) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) return args[i + 1];
  return def;
}

bool flag(const Args& args, const std::string& name) {
  return std::find(args.begin(), args.end(), name) != args.end();
}

namespace {

json load(const Args& args) {
  std::string file = option(args, "--config");
  if (file.empty()) {
    if (const char* env = std::getenv("HAZMON_CONFIG"); env && *env) file = env;
  }
  return file.empty() ? config::default_config() : config::load_config(file);
}

void setup_logs(const json& cfg) {
  static std::string level;
  level = cfg["log"]["level"].get<std::string>();
  core::setup_logging({level, cfg["log"]["json"].get<bool>()});
}

// The notify section: senders for the channels that have a URL, and the outbox service.
struct Notifier {
  std::unique_ptr<notify::SmtpMailer> mail;
  std::unique_ptr<notify::HttpSmsGateway> sms;
  std::unique_ptr<service::NotificationService> service;
};

Notifier make_notifier(const json& cfg, storage::Database& db, const core::Clock& clock, core::Metrics& metrics) {
  Notifier n;
  const auto& c = cfg["notify"];
  if (!c["enabled"].get<bool>()) return n;
  auto log = core::logger(core::LogModule::notify);
  if (const auto& m = c["smtp"]; !m["url"].get<std::string>().empty()) {
    notify::SmtpSettings s;
    s.url = m["url"].get<std::string>();
    s.username = m["username"].get<std::string>();
    s.password = config::read_secret(m["password_env"].get<std::string>(), m["password_file"].get<std::string>()).value_or("");
    if (!s.username.empty() && s.password.empty())
      throw core::Error(core::Errc::bad_request, "notify.smtp.username is set but no password in $" +
                                                     m["password_env"].get<std::string>() + " or notify.smtp.password_file");
    s.from = m["from"].get<std::string>();
    s.starttls = m["starttls"].get<bool>();
    s.verify_peer = m["verify_peer"].get<bool>();
    s.ca_file = m["ca_file"].get<std::string>();
    s.timeout = std::chrono::milliseconds(m["timeout_ms"].get<int>());
    n.mail = std::make_unique<notify::SmtpMailer>(s, clock);
  }
  if (const auto& m = c["sms"]; !m["url"].get<std::string>().empty()) {
    notify::HttpSmsSettings s;
    s.url = m["url"].get<std::string>();
    s.api_key = config::read_secret(m["api_key_env"].get<std::string>(), m["api_key_file"].get<std::string>()).value_or("");
    if (s.api_key.empty()) log->warn("notify.sms: no API key in ${} or api_key_file; requests go without one",
                                     m["api_key_env"].get<std::string>());
    s.api_key_header = m["api_key_header"].get<std::string>();
    s.sign_name = m["sign_name"].get<std::string>();
    s.verify_peer = m["verify_peer"].get<bool>();
    s.ca_file = m["ca_file"].get<std::string>();
    s.timeout = std::chrono::milliseconds(m["timeout_ms"].get<int>());
    n.sms = std::make_unique<notify::HttpSmsGateway>(s);
  }
  if (!n.mail && !n.sms) log->warn("notify: neither notify.smtp.url nor notify.sms.url is set; warnings are not sent");
  service::NotifySettings s;
  s.retry_initial = std::chrono::seconds(c["retry"]["initial_s"].get<int>());
  s.retry_max = std::chrono::seconds(c["retry"]["max_s"].get<int>());
  s.max_attempts = c["retry"]["max_attempts"].get<int>();
  s.poll_interval = std::chrono::milliseconds(c["poll_interval_ms"].get<int>());
  s.templates.dashboard_url = c["dashboard_url"].get<std::string>();
  n.service = std::make_unique<service::NotificationService>(db, s, clock, n.sms.get(), n.mail.get(), &metrics);
  return n;
}

auth::AuthSettings auth_settings(const json& cfg) {
  const auto& a = cfg["auth"];
  auth::AuthSettings s;
  s.session_ttl = std::chrono::minutes(a["session_ttl_minutes"].get<int>());
  s.throttle.max_failures = a["login_max_failures"].get<int>();
  s.throttle.window = std::chrono::seconds(a["login_window_seconds"].get<int>());
  s.throttle.lockout = std::chrono::seconds(a["login_lockout_seconds"].get<int>());
  s.throttle.user_free_failures = a["user_free_failures"].get<int>();
  s.throttle.user_max_delay = std::chrono::seconds(a["user_max_delay_seconds"].get<int>());
  return s;
}

service::DataQualitySettings data_quality_settings(const json& cfg) {
  const auto& c = cfg["data_quality"];
  service::DataQualitySettings s;
  s.target_online_rate = c["target_online_rate"].get<double>();
  s.rollup.offline_after_s = cfg["ingest"]["offline_after_s"].get<int>();
  s.rollup.default_interval_s = c["default_interval_s"].get<int>();
  s.rollup.timely_within_s = c["timely_within_s"].get<int>();
  s.refresh_interval = std::chrono::seconds(c["refresh_interval_s"].get<int>());
  s.recompute_days = c["recompute_days"].get<int>();
  s.max_days = c["max_days"].get<int>();
  s.max_export_rows = c["max_export_rows"].get<std::int64_t>();
  return s;
}

service::ReportSettings report_settings(const json& cfg) {
  const auto& c = cfg["reports"];
  service::ReportSettings s;
  auto minute_of = [](const std::string& hhmm) { return std::stoi(hhmm.substr(0, 2)) * 60 + std::stoi(hhmm.substr(3, 2)); };
  s.enabled = c["enabled"].get<bool>();
  s.title_prefix = c["title_prefix"].get<std::string>();
  s.daily_minute = minute_of(c["daily_at"].get<std::string>());
  s.weekly_weekday = c["weekly_weekday"].get<int>();
  s.weekly_minute = minute_of(c["weekly_at"].get<std::string>());
  s.recipients = c["recipients"].get<std::vector<std::string>>();
  s.top_n = c["top_n"].get<int>();
  s.chromium = c["chromium"].get<std::string>();
  s.pdf_timeout = std::chrono::seconds(c["pdf_timeout_s"].get<int>());
  s.work_dir = std::filesystem::temp_directory_path();
  s.dashboard_url = cfg["notify"]["dashboard_url"].get<std::string>();
  return s;
}

service::IngestSettings ingest_settings(const json& cfg) {
  const auto& c = cfg["ingest"];
  service::IngestSettings s;
  s.max_items_per_upload = c["max_items_per_upload"].get<std::size_t>();
  s.max_queued_readings = c["max_queued_readings"].get<std::size_t>();
  s.max_group_readings = c["max_group_readings"].get<std::size_t>();
  s.max_future_skew = std::chrono::seconds(c["max_future_skew_s"].get<int>());
  s.max_reading_age = std::chrono::seconds(c["max_reading_age_days"].get<int>() * 86400LL);
  s.late_after = std::chrono::seconds(c["late_after_s"].get<int>());
  s.offline_after = std::chrono::seconds(c["offline_after_s"].get<int>());
  s.frozen_after = std::chrono::seconds(c["frozen_after_s"].get<int>());
  fs::path spool = c["spool_file"].get<std::string>();
  s.spool_file = spool.is_absolute() ? spool : fs::path(cfg["state_dir"].get<std::string>()) / spool;
  s.partition_days_ahead = c["partition_days_ahead"].get<int>();
  s.retention_days = c["retention_days"].get<int>();
  return s;
}

service::FilingSettings filing_settings(const json& cfg) {
  const auto& c = cfg["ingest"];
  service::FilingSettings s;
  s.max_length = std::chrono::seconds(c["filing_max_days"].get<int>() * 86400LL);
  s.max_overhaul_length = std::chrono::seconds(c["overhaul_filing_max_days"].get<int>() * 86400LL);
  return s;
}

service::WarningSettings warning_settings(const json& cfg) {
  const auto& c = cfg["warnings"];
  service::WarningSettings s;
  s.check_interval = std::chrono::seconds(c["check_interval_s"].get<int>());
  s.disposal.escalate_level = c["escalate_level"].get<bool>();
  s.disposal.max_escalations = c["max_escalations"].get<int>();
  const char* levels[] = {"blue", "yellow", "orange", "red"};  // DisposalSettings order
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& d = c["deadlines"][levels[i]];
    s.disposal.deadlines[i] = {std::chrono::minutes(d["feedback_min"].get<int>()),
                               std::chrono::minutes(d["check_min"].get<int>()),
                               std::chrono::minutes(d["close_min"].get<int>())};
  }
  return s;
}

// A directory from the video section: relative paths are under state_dir.
fs::path state_path(const json& cfg, const std::string& configured) {
  fs::path p(configured);
  return p.is_absolute() ? p : fs::path(cfg["state_dir"].get<std::string>()) / p;
}

service::VideoServiceSettings video_service_settings(const json& cfg) {
  const auto& c = cfg["video"];
  service::VideoServiceSettings s;
  s.evidence_dir = state_path(cfg, c["evidence_dir"].get<std::string>());
  s.recording_dir = state_path(cfg, c["recording_dir"].get<std::string>());
  s.secrets_dir = state_path(cfg, c["secrets_dir"].get<std::string>());
  s.allowed_networks = c["allowed_networks"].get<std::map<std::string, std::vector<std::string>>>();
  s.own_ports = {cfg["http"]["port"].get<int>(), 5432 /* PostgreSQL on this host */};
  s.housekeeping_interval = std::chrono::seconds(c["housekeeping_interval_s"].get<int>());
  s.live_segments = c["live_segments"].get<int>();
  return s;
}

// The pipeline's settings (video::Supervisor) from the same section.
video::VideoSettings video_pipeline_settings(const json& cfg) {
  const auto& c = cfg["video"];
  video::VideoSettings s;
  s.evidence_dir = state_path(cfg, c["evidence_dir"].get<std::string>());
  s.recording_dir = state_path(cfg, c["recording_dir"].get<std::string>());
  auto models = c["models_dir"].get<std::string>();
  s.models_dir = models.empty() ? config::home_dir() / "models" : fs::path(models);
  s.inference_threads = c["inference_threads"].get<int>();
  s.analysis_max_side = c["analysis_max_side"].get<int>();
  s.clip_before = std::chrono::seconds(c["clip_before_s"].get<int>());
  s.clip_after = std::chrono::seconds(c["clip_after_s"].get<int>());
  s.segment_length = std::chrono::seconds(c["segment_s"].get<int>());
  s.offline_after = std::chrono::seconds(c["offline_after_s"].get<int>());
  s.give_up_after = std::chrono::seconds(c["give_up_after_s"].get<int>());
  s.own_ports = {cfg["http"]["port"].get<int>(), 5432 /* PostgreSQL on this host */};
  s.recording_retention_days = c["retention_days"].get<int>();
  s.recording_max_bytes = static_cast<std::uint64_t>(c["max_recording_gb"].get<double>() * (1ull << 30));
  return s;
}

// A password from $HAZMON_PASSWORD, --password-file, or a freshly generated one (printed).
std::string password_from(const Args& args, bool* generated) {
  *generated = false;
  if (const char* env = std::getenv("HAZMON_PASSWORD"); env && *env) return env;
  if (auto f = option(args, "--password-file"); !f.empty()) {
    auto s = config::read_secret("", f);
    if (!s) throw core::Error(core::Errc::bad_request, "cannot read " + f);
    return *s;
  }
  *generated = true;
  return "Hz-" + core::random_token(12);
}

fs::path resolve_static_dir(const std::string& configured) {
  if (configured.empty()) return {};
  fs::path p(configured);
  if (p.is_absolute() || fs::exists(p)) return p;
  if (fs::exists(config::home_dir() / p)) return config::home_dir() / p;
  return {};
}

// First start with demo enabled: an admin with a generated password and the notice's roster.
void demo_bootstrap(const json& cfg, storage::Database& db, auth::AuthService& auth) {
  auto log = core::logger(core::LogModule::app);
  service::UserDirectory users(db);
  fs::path pw_file = fs::path(cfg["state_dir"].get<std::string>()) / "admin-password";
  std::string admin = cfg["demo"]["admin_user"].get<std::string>();
  if (!users.has_any_user()) {
    std::string pw = "Hz-" + core::random_token(12);
    auth::NewUser u{admin, "省厅管理员", model::Role::province_admin, model::Scope::province(), pw, "", ""};
    auth.create_user(u);
    std::ofstream out(pw_file, std::ios::trunc);
    out << pw << "\n";
    out.close();
    ::chmod(pw_file.c_str(), 0600);
    log->info("created the demo admin '{}'; its password is in {}", admin, pw_file.string());
  }
  bool roster_loaded = db.in_tx([](storage::Tx& tx) {
    return !tx.exec_one("SELECT 1 AS x FROM roster_row LIMIT 1").is_null();
  });
  if (!roster_loaded) {
    service::RosterService roster(db);
    auto report = roster.import(config::home_dir() / "data" / "roster" / "notice-2021-247");
    log->info("imported the notice's roster: {} enterprises, {} deployment tasks", report.enterprises_created,
              report.tasks_created);
  }
}

}  // namespace

int cmd_check_config(const Args& args) {
  if (args.empty()) {
    std::fputs("usage: hazmond check-config FILE\n", stderr);
    return 2;
  }
  config::load_config(args[0]);
  std::printf("%s: valid\n", args[0].c_str());
  return 0;
}

int cmd_migrate(const Args& args) {
  auto cfg = load(args);
  setup_logs(cfg);
  auto h = open_database(cfg, 2);
  int n = run_migrations(*h.db);
  std::printf("applied %d migration(s)\n", n);
  return 0;
}

int cmd_import_roster(const Args& args) {
  auto cfg = load(args);
  setup_logs(cfg);
  auto h = open_database(cfg, 2);
  run_migrations(*h.db);
  service::RosterService roster(*h.db);
  fs::path dir = option(args, "--dir", (config::home_dir() / "data" / "roster" / "notice-2021-247").string());
  auto report = roster.import(dir);
  std::fputs(report.to_text().c_str(), stdout);
  return 0;
}

int cmd_user(const Args& args) {
  if (args.empty() || (args[0] != "add" && args[0] != "reset")) {
    std::fputs("usage: hazmond user add|reset --username U [...]\n", stderr);
    return 2;
  }
  auto cfg = load(args);
  setup_logs(cfg);
  auto h = open_database(cfg, 2);
  run_migrations(*h.db);
  core::SystemClock clock;
  auth::AuthService auth(*h.db, auth_settings(cfg), clock);
  std::string username = option(args, "--username");
  if (username.empty()) throw core::Error(core::Errc::bad_request, "--username is required");
  bool generated = false;
  std::string pw = password_from(args, &generated);
  if (args[0] == "reset") {
    auth.reset_password(username, pw);
  } else {
    auto role = model::role_from_string(option(args, "--role", "province_admin"));
    if (!role) throw core::Error(core::Errc::bad_request, "unknown --role");
    std::string code = option(args, "--scope");
    model::Scope scope = code.empty() ? model::Scope::province()
                         : code.size() == 6 ? model::Scope::region(code)
                                            : model::Scope::enterprise(code);
    auth::NewUser u{username, option(args, "--display-name", username), *role, scope, pw, "", ""};
    try {
      auth.create_user(u);
    } catch (const core::Error& e) {
      for (const auto& f : e.fields()) std::fprintf(stderr, "  %s: %s\n", f.pointer.c_str(), f.message.c_str());
      throw;
    }
  }
  std::printf("user %s %s\n", username.c_str(), args[0] == "add" ? "created" : "password reset");
  if (generated) std::printf("password: %s\n", pw.c_str());
  return 0;
}

int cmd_pg(const Args& args) {
  if (args.empty() || (args[0] != "start" && args[0] != "stop")) {
    std::fputs("usage: hazmond pg start|stop --dir DIR [--run-as USER]\n", stderr);
    return 2;
  }
  storage::EmbeddedPgSettings s;
  s.dir = option(args, "--dir");
  if (s.dir.empty()) throw core::Error(core::Errc::bad_request, "--dir is required");
  s.run_as = option(args, "--run-as", "postgres");
  s.database = option(args, "--database", "hazmon");
  storage::EmbeddedPostgres pg(s);
  if (args[0] == "start") {
    pg.start();
    std::printf("%s\n", pg.dsn().c_str());
    // Leave it running for the caller: forget that we started it.
    std::fflush(stdout);
    std::quick_exit(0);
  }
  pg.stop();
  return 0;
}

int cmd_serve(const Args& args) {
  auto cfg = load(args);
  setup_logs(cfg);
  auto log = core::logger(core::LogModule::app);

  // Signals are taken by sigwait in this thread; every thread started later inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  fs::path state = cfg["state_dir"].get<std::string>();
  fs::create_directories(state);
  const auto& hc = cfg["http"];
  // Every HTTP worker may hold a connection for a moment; beyond 64 a pool only crowds
  // PostgreSQL's max_connections (200 in the embedded cluster) and its memory.
  int pool = cfg["database"]["pool_size"].get<int>();
  if (pool == 0) pool = std::min(hc["worker_threads"].get<int>() + 2, 64);
  auto dbh = open_database(cfg, pool);
  if (cfg["database"]["migrate_on_start"].get<bool>()) run_migrations(*dbh.db);

  core::SystemClock clock;
  core::Metrics metrics;
  auth::AuthService auth(*dbh.db, auth_settings(cfg), clock);
  // Camera passwords and envelope keys are sealed with the server key in PostgreSQL.
  auto server_box = core::SecretBox::load_or_create(state_path(cfg, cfg["security"]["server_key_file"].get<std::string>()));
  auth.set_secret_box(&server_box);
  if (int sealed = auth.seal_envelope_keys(); sealed > 0) log->info("sealed {} envelope key(s) with the server key", sealed);
  auth.start_revocation_watch(std::chrono::milliseconds(cfg["auth"]["revocation_poll_ms"].get<int>()));
  if (cfg["demo"]["enabled"].get<bool>()) demo_bootstrap(cfg, *dbh.db, auth);
  service::RegistryService registry(*dbh.db, config::home_dir() / "schemas");
  service::RosterService roster(*dbh.db);
  service::AuditLog audit(*dbh.db);
  service::UserDirectory users(*dbh.db);
  storage::Migrator migrator(*dbh.db, config::home_dir() / "migrations");
  service::IngestSettings is = ingest_settings(cfg);
  service::IngestService ingest(*dbh.db, is, clock, &metrics);
  service::MonitoringService monitoring(*dbh.db, filing_settings(cfg), &clock);
  monitoring.on_filings_changed([&ingest] { ingest.reload(); });
  registry.on_change([&ingest](const std::string& entity) {
    if (entity == "monitoring-points") ingest.points_changed();  // debounced; uploads wait for it
  });
  service::WarningService warnings(*dbh.db, warning_settings(cfg), clock, &metrics);
  warnings.subscribe(ingest);
  service::EventHub events(*dbh.db);
  ingest.on_alarm([&events](const storage::AlarmWrite& a) { events.publish(service::EventHub::from_alarm(a)); });
  warnings.on_push([&events](const nlohmann::json& e) {
    events.publish({"warning", e.value("company_code", ""), e.dump()});
  });
  // SMS and e-mail after the live stream: the outbox write takes a transaction.
  auto notifier = make_notifier(cfg, *dbh.db, clock, metrics);
  if (notifier.service) {
    notifier.service->subscribe(warnings);
    notifier.service->start();
  }
  // Video events: the review queue always; the pipeline (one worker per camera row with an RTSP
  // URL, nothing without cameras) when video.enabled. The pipeline reports to the service and
  // gets its cameras from it; declared after it, so it stops first.
  auto video_settings = video_service_settings(cfg);
  video_settings.secret_box = &server_box;  // camera credentials (ADR 0014)
  service::VideoService video(*dbh.db, &warnings, std::move(video_settings), clock);
  service::StatisticsService statistics(*dbh.db, clock, {std::chrono::seconds(cfg["ingest"]["offline_after_s"].get<int>()),
                                                        std::chrono::milliseconds(cfg["statistics"]["overview_cache_ms"].get<int>()),
                                                        std::chrono::seconds(cfg["statistics"]["point_counts_max_age_s"].get<int>())});
  registry.on_change([&video](const std::string& entity) {
    if (entity == "cameras" || entity == "enterprises") video.reload_cameras();
  });
  registry.add_check("cameras", [&video](const nlohmann::json& row) {
    std::vector<core::FieldError> out = video.check_camera_row(row);  // RTSP only, allowed networks
    auto get = [&row](const char* k) { return row.contains(k) ? row[k] : nlohmann::json::array(); };
    for (auto& [pointer, message] : video::check_camera_settings(get("analysers"), get("rois"), get("duty_schedule")))
      out.push_back({pointer, message});
    return out;
  });
  std::unique_ptr<video::Supervisor> pipeline;
  if (cfg["video"]["enabled"].get<bool>()) {
    try {
      pipeline = std::make_unique<video::Supervisor>(video_pipeline_settings(cfg), video, clock, &metrics);
    } catch (const std::exception& e) {
      // The review queue and the rest of the platform still serve; cameras are not analysed.
      log->error("video pipeline not started: {}", e.what());
    }
  }
  if (pipeline) {
    pipeline->on_segment([&video](const video::Segment& s) { video.add_segment(s); });
    video.on_cameras([p = pipeline.get()](const std::vector<video::CameraConfig>& cams) { p->set_cameras(cams); });
    video.status_source([p = pipeline.get()] { return p->status(); });
    video.retention([p = pipeline.get()] { return p->enforce_retention(); });
  }
  service::DataQualityService data_quality(*dbh.db, data_quality_settings(cfg), clock);
  service::ReportService reports(*dbh.db, data_quality, report_settings(cfg), clock, notifier.mail.get());
  ingest.on_maintenance([&statistics, &data_quality, &reports] {
    statistics.refresh_point_counts();  // the overview's point counts, for every scope at once
    data_quality.refresh();  // after the minute/hour aggregates
    reports.tick();          // the schedule, once the day's data quality is rolled up
  });
  // Declared after the two services, so destroyed before them: should serve leave by an
  // exception, the ingest threads (and a maintenance task in flight) stop before the services
  // their tasks use are gone. The normal shutdown below stops ingest earlier anyway.
  struct StopIngestFirst {
    service::IngestService& ingest;
    ~StopIngestFirst() { ingest.stop(); }
  } stop_ingest_first{ingest};
  warnings.start();
  ingest.start();
  video.start();

  api::ApiContext ctx{auth, registry, roster, audit, users, metrics, [&]() -> api::Readiness {
                        if (!dbh.db->ping()) return {false, "database unreachable"};
                        try {
                          auto st = migrator.status();
                          if (!st.pending.empty()) return {false, std::to_string(st.pending.size()) + " migration(s) pending"};
                        } catch (const std::exception& e) {
                          return {false, "migrations: cannot check"};
                        }
                        return {true, "database reachable, migrations current"};
                      }};
  ctx.ingest = &ingest;
  ctx.monitoring = &monitoring;
  ctx.warnings = &warnings;
  ctx.events = &events;
  ctx.notifications = notifier.service.get();
  ctx.video = &video;
  ctx.statistics = &statistics;
  ctx.data_quality = &data_quality;
  ctx.reports = &reports;
  ctx.offline_after_s = cfg["ingest"]["offline_after_s"].get<int>();
  ctx.max_streams_per_principal = hc["max_streams_per_principal"].get<int>();
  ctx.stream_recheck = std::chrono::milliseconds(hc["stream_recheck_ms"].get<int>());
  http::Router router;
  api::register_routes(router, ctx);
  if (auto dir = resolve_static_dir(hc["static_dir"].get<std::string>()); !dir.empty()) {
    // The dashboard loads its map from /maps/shanxi.geojson: the file shipped in web/dist, or
    // the operator's approved standard map (标准地图) named by dashboard.map_file.
    std::vector<http::StaticOverride> overrides;
    if (auto map = cfg["dashboard"]["map_file"].get<std::string>(); !map.empty()) {
      auto file = resolve_static_dir(map);
      if (file.empty() || !fs::is_regular_file(file))
        throw core::Error(core::Errc::bad_request, "dashboard.map_file: no such file: " + map);
      overrides.push_back({"/maps/shanxi.geojson", file});
    }
    router.set_fallback(http::make_static_handler(dir, std::move(overrides)));
  }

  http::ServerSettings ss;
  ss.listen_address = hc["listen_address"].get<std::string>();
  ss.port = static_cast<unsigned short>(hc["port"].get<int>());
  ss.io_threads = hc["io_threads"].get<int>();
  ss.worker_threads = hc["worker_threads"].get<int>();
  ss.max_connections = hc["max_connections"].get<int>();
  ss.max_body_bytes = hc["max_body_bytes"].get<std::size_t>();
  ss.max_small_body_bytes = hc["max_small_body_bytes"].get<std::size_t>();
  ss.max_connections_per_address = hc["max_connections_per_address"].get<int>();
  ss.handshake_timeout = std::chrono::milliseconds(hc["handshake_timeout_ms"].get<int>());
  ss.max_header_bytes = hc["max_header_bytes"].get<std::size_t>();
  ss.read_timeout = std::chrono::milliseconds(hc["read_timeout_ms"].get<int>());
  ss.idle_timeout = std::chrono::milliseconds(hc["idle_timeout_ms"].get<int>());
  ss.shutdown_grace = std::chrono::milliseconds(hc["shutdown_grace_ms"].get<int>());
  std::string cert = hc["tls"]["cert_file"].get<std::string>(), key = hc["tls"]["key_file"].get<std::string>();
  if (cert.empty() || key.empty()) {
    auto [c, k] = http::ensure_dev_certificate(state / "tls");
    ss.cert_file = c;
    ss.key_file = k;
    log->warn("no TLS certificate configured; using the self-signed development certificate {}", c.string());
  } else {
    ss.cert_file = cert;
    ss.key_file = key;
  }
  http::Server server(ss, router, metrics);
  unsigned short port = server.start();
  std::printf("hazmond is serving https://localhost:%u/ (self-signed certificate in development)\n", port);
  if (cfg["demo"]["enabled"].get<bool>()) {
    std::printf("log in as '%s' with the password in %s\n", cfg["demo"]["admin_user"].get<std::string>().c_str(),
                (state / "admin-password").c_str());
  }
  std::fflush(stdout);
  notify_ready();
  Watchdog watchdog([&] { return true; });

  for (;;) {
    int sig = 0;
    sigwait(&sigs, &sig);
    if (sig == SIGHUP) {
      try {
        auto fresh = load(args);
        spdlog::level::level_enum lvl = spdlog::level::from_str(fresh["log"]["level"].get<std::string>());
        for (auto m : {core::LogModule::app, core::LogModule::config, core::LogModule::storage, core::LogModule::auth,
                       core::LogModule::http, core::LogModule::api, core::LogModule::service})
          core::logger(m)->set_level(lvl);
        log->info("SIGHUP: log level reloaded; other settings need a restart");
      } catch (const std::exception& e) {
        log->error("SIGHUP: config not reloaded: {}", e.what());
      }
      continue;
    }
    log->info("signal {}: draining", sig);
    break;
  }
  notify_stopping();
  server.stop();
  if (pipeline) pipeline->stop();  // no more events or segments
  video.stop();                    // writes what they reported
  ingest.stop();
  warnings.stop();
  if (notifier.service) notifier.service->stop();
  log->info("stopped");
  spdlog::shutdown();
  return 0;
}

}  // namespace hazmon::app
