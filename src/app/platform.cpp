#include <hazmon/app/platform.hpp>

#include "platform_impl.hpp"

namespace hazmon::app {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The config's `node` section (ADR 0028).
service::NodeSettings node_settings(const json& cfg) {
  const auto& n = cfg["node"];
  service::NodeSettings s;
  s.id = n["id"].get<std::string>();
  s.cluster = n["cluster"].get<bool>();
  s.renew = std::chrono::seconds(n["renew_s"].get<int>());
  s.ttl = std::chrono::seconds(n["lease_ttl_s"].get<int>());
  if (s.ttl < 2 * s.renew)
    throw core::Error(core::Errc::bad_request,
                      "node.lease_ttl_s must be at least twice node.renew_s");
#ifdef HAZMON_VERSION
  s.version = HAZMON_VERSION;
#endif
  return s;
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
    auth::NewUser u{
        admin, "省厅管理员", model::Role::province_admin, model::Scope::province(), pw, "", ""};
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
    log->info("imported the notice's roster: {} enterprises, {} deployment tasks",
              report.enterprises_created, report.tasks_created);
  }
}

}  // namespace

void Platform::Impl::build_core() {
  if (!o.clock) system_clock = std::make_unique<core::SystemClock>();
  clock = o.clock ? o.clock : system_clock.get();
  fs::create_directories(cfg["state_dir"].get<std::string>());
  // Camera passwords and envelope keys are sealed with the server key in PostgreSQL.
  box = std::make_unique<core::SecretBox>(core::SecretBox::load_or_create(
      state_path(cfg, cfg["security"]["server_key_file"].get<std::string>())));
  auth = std::make_unique<auth::AuthService>(db, auth_settings(cfg), *clock);
  auth->set_secret_box(box.get());
  if (int sealed = auth->seal_envelope_keys(); sealed > 0)
    log->info("sealed {} envelope key(s) with the server key", sealed);
  if (o.revocation_watch)
    auth->start_revocation_watch(
        std::chrono::milliseconds(cfg["auth"]["revocation_poll_ms"].get<int>()), &liveness);
  if (cfg["demo"]["enabled"].get<bool>()) demo_bootstrap(cfg, db, *auth);
  registry = std::make_unique<service::RegistryService>(db, config::home_dir() / "schemas");
  registry->set_clock(clock);
  registry->set_default_interval_s(cfg["data_quality"]["default_interval_s"].get<int>());
  roster = std::make_unique<service::RosterService>(
      db, cfg.contains("connection") ? cfg["connection"].get<service::ConnectionSettings>()
                                     : service::ConnectionSettings{});
  roster->set_clock(clock);
  audit = std::make_unique<service::AuditLog>(db);
  users = std::make_unique<service::UserDirectory>(db);
  migrator = std::make_unique<storage::Migrator>(db, config::home_dir() / "migrations");
}

void Platform::Impl::build_monitoring() {
  // This node among those that share the database (ADR 0028); ingest evaluates under its id.
  nodes = std::make_unique<service::NodeService>(db, node_settings(cfg), *clock, &liveness);
  events = std::make_unique<service::EventHub>(db);
  ingest = std::make_unique<service::IngestService>(db, ingest_settings(cfg), *clock, &metrics,
                                                    &liveness);
  if (city_mode(cfg))
    federation = std::make_unique<service::FederationForwarder>(db, federation_settings(cfg),
                                                                *clock, &metrics, &liveness);
  monitoring = std::make_unique<service::MonitoringService>(db, filing_settings(cfg), clock);
  monitoring->on_filings_changed([p = ingest.get()] { p->reload(); });
  registry->on_change([p = ingest.get()](const std::string& entity) {
    // Debounced; uploads wait for it. An enterprise's region decides which city platform may
    // forward for it (the snapshot holds both).
    if (entity == "monitoring-points" || entity == "enterprises" || entity == "gateways")
      p->points_changed();
  });
  auto ws = warning_settings(cfg);
  if (o.manual_ticks) ws.check_interval = std::chrono::seconds(0);  // the caller calls tick()
  warnings = std::make_unique<service::WarningService>(db, ws, *clock, &metrics, &liveness);
  warnings->subscribe(*ingest);
  ingest->set_node(nodes->id(), nodes->cluster(),
                   std::chrono::seconds(cfg["node"]["lease_ttl_s"].get<int>()));
  warnings->set_node(nodes->id(), nodes->cluster());
  ingest->on_alarm([h = events.get()](const model::AlarmEvent& a) {
    h->publish(service::EventHub::from_alarm(a));
  });
  warnings->on_push([h = events.get()](const model::WarningPush& p) {
    h->publish({"warning", p.event.company_code, api::warning_push_json(p).dump()});
  });
  if (nodes->cluster()) {
    // Every node's dashboards see every node's alarms and warnings (ADR 0028).
    relay = std::make_unique<storage::LiveRelay>(
        db.settings().dsn, nodes->id(),
        [h = events.get()](const std::string& kind, const std::string& company,
                           const std::string& text) {
          h->publish({kind, company, text});
        });
    ingest->on_alarm([r = relay.get()](const model::AlarmEvent& a) {
      auto e = service::EventHub::from_alarm(a);
      r->send(e.kind, e.company_code, e.json);
    });
    warnings->on_push([r = relay.get()](const model::WarningPush& p) {
      r->send("warning", p.event.company_code, api::warning_push_json(p).dump());
    });
  }
}

// SMS and e-mail after the live stream: the outbox write takes a transaction.
void Platform::Impl::build_notify() {
  if (!cfg["notify"]["enabled"].get<bool>()) return;
  auto nlog = core::logger(core::LogModule::notify);
  if (auto s = smtp_settings(cfg); !s.url.empty())
    mail = std::make_unique<notify::SmtpMailer>(s, *clock);
  notify::SmsGateway* sms_gateway = o.sms;
  if (auto s = sms_settings(cfg); !sms_gateway && !s.url.empty()) {
    if (s.api_key.empty())
      nlog->warn("notify.sms: no API key in ${} or api_key_file; requests go without one",
                 cfg["notify"]["sms"]["api_key_env"].get<std::string>());
    sms = std::make_unique<notify::HttpSmsGateway>(s);
    sms_gateway = sms.get();
  }
  if (!mail && !sms_gateway)
    nlog->warn("notify: neither notify.smtp.url nor notify.sms.url is set; warnings are not sent");
  auto ns = notify_settings(cfg);
  if (o.manual_ticks)
    ns.poll_interval = std::chrono::milliseconds(0);  // the caller calls deliver_due()
  notifications = std::make_unique<service::NotificationService>(db, ns, *clock, sms_gateway,
                                                                 mail.get(), &metrics, &liveness);
  notifications->subscribe(*warnings);
}

void Platform::Impl::build_reporting() {
  statistics = std::make_unique<service::StatisticsService>(db, *clock, statistics_settings(cfg));
  data_quality =
      std::make_unique<service::DataQualityService>(db, data_quality_settings(cfg), *clock);
  reports = std::make_unique<service::ReportService>(db, *data_quality, report_settings(cfg),
                                                     *clock, mail.get());
  commitments = std::make_unique<service::CommitmentService>(
      db, warnings.get(), cfg["commitments"].get<service::CommitmentSettings>(), *clock);
  permits = std::make_unique<service::PermitService>(db, *clock);
  sis = std::make_unique<service::SisService>(
      db, warnings.get(),
      cfg.contains("sis") ? cfg["sis"].get<service::SisSettings>() : service::SisSettings{},
      *clock);
  // A stop or an overhaul files its suppression window like a filing (docs/duties.md).
  unit_statuses = std::make_unique<service::UnitStatusService>(db, filing_settings(cfg), *clock);
  unit_statuses->on_changed([p = ingest.get()] { p->reload(); });
  circulars = std::make_unique<service::CircularService>(db, *clock);
  circulars->set_notifier(notifications.get());  // null: circulars send nothing
  // The coverage check counts a point connected by the data-quality window (docs/processes.md).
  processes = std::make_unique<service::ProcessService>(
      db, *clock, cfg["ingest"]["offline_after_s"].get<int>());
  patrols = std::make_unique<service::PatrolService>(db, *clock);
  if (auto cs = call_settings(cfg); cs.enabled) {
    calls = std::make_unique<service::CallService>(db, *clock, *box, std::move(cs));
    // The called room's dashboards ring at once, on this node and (cluster) the others.
    calls->on_change([h = events.get(), r = relay.get()](const model::DutyCall& c) {
      service::LiveEvent e{"call", service::EventHub::duty_room_key(c.callee.kind, c.callee.code),
                           api::call_event_json(c).dump()};
      h->publish(e);
      if (r) r->send(e.kind, e.company_code, e.json);
    });
  }
  plant_models = std::make_unique<service::PlantModelService>(db, *clock);
  if (o.manual_ticks) return;  // the caller runs refresh(), tick() and check()
  ingest->on_maintenance([c = commitments.get()] { c->check(); });  // the deadline, every minute
  ingest->on_maintenance([s = sis.get()] { s->check(); });          // trips from points, expiries
  ingest->on_maintenance([c = circulars.get()] { c->remind_overdue(); });  // past the deadline
  ingest->on_maintenance([s = statistics.get(), d = data_quality.get(), r = reports.get()] {
    s->refresh_point_counts();  // the overview's point counts, for every scope at once
    d->refresh();               // after the minute/hour aggregates
    r->tick();                  // the schedule, once the day's data quality is rolled up
  });
}

api::Readiness Platform::Impl::readiness() {
  if (auto stalled = liveness.stalled(); !stalled.empty()) {
    std::string names;
    for (const auto& n : stalled) names += (names.empty() ? "" : ", ") + n;
    return {false, "stalled worker(s): " + names};
  }
  if (!db.ping()) return {false, "database unreachable"};
  try {
    auto st = migrator->status();
    if (!st.pending.empty())
      return {false, std::to_string(st.pending.size()) + " migration(s) pending"};
  } catch (const std::exception& e) {
    return {false, "migrations: cannot check"};
  }
  return {true, "database reachable, migrations current"};
}

void Platform::Impl::build_api() {
  const auto& hc = cfg["http"];
  ctx = std::make_unique<api::ApiContext>(api::ApiContext{*auth, *registry, *roster, *audit, *users,
                                                          metrics, [this] { return readiness(); }});
  ctx->ingest = ingest.get();
  ctx->monitoring = monitoring.get();
  ctx->warnings = warnings.get();
  ctx->events = events.get();
  ctx->notifications = notifications.get();
  ctx->video = video.get();
  ctx->statistics = statistics.get();
  ctx->data_quality = data_quality.get();
  ctx->reports = reports.get();
  ctx->commitments = commitments.get();
  ctx->patrols = patrols.get();
  ctx->gb28181 = gb28181.get();
  ctx->calls = calls.get();
  ctx->plant_models = plant_models.get();
  ctx->permits = permits.get();
  ctx->sis = sis.get();
  ctx->unit_statuses = unit_statuses.get();
  ctx->nodes = nodes.get();
  ctx->circulars = circulars.get();
  ctx->processes = processes.get();
  ctx->federation = federation.get();
  row_uploads = std::make_unique<service::RowUploadService>(db);
  ctx->row_uploads = row_uploads.get();
  ctx->offline_after_s = cfg["ingest"]["offline_after_s"].get<int>();
  ctx->max_streams_per_principal = hc["max_streams_per_principal"].get<int>();
  ctx->stream_recheck = std::chrono::milliseconds(hc["stream_recheck_ms"].get<int>());
  auto rc = cfg["read_cache"].get<api::ResponseCacheSettings>();
  rc.live_max_age = std::chrono::milliseconds(cfg["statistics"]["overview_cache_ms"].get<int>());
  registry_version = std::make_unique<storage::RegistryVersion>(
      db.settings().dsn,
      std::chrono::milliseconds(cfg["read_cache"]["version_statement_timeout_ms"].get<int>()),
      std::chrono::seconds(cfg["read_cache"]["version_connect_timeout_s"].get<int>()));
  ctx->response_cache = std::make_shared<api::ResponseCache>(
      rc, [v = registry_version.get()] { return v->current(); }, metrics);
  ctx->response_cache->set_async_version(
      [v = registry_version.get()](auto done) { v->current_async(std::move(done)); },
      [v = registry_version.get()] { return v->stopped(); });
  api::register_routes(router, *ctx);
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
  auto ss = server_settings(cfg);
  if (ss.cert_file.empty() || ss.key_file.empty()) {
    auto [c, k] =
        http::ensure_dev_certificate(fs::path(cfg["state_dir"].get<std::string>()) / "tls");
    ss.cert_file = c;
    ss.key_file = k;
    log->warn("no TLS certificate configured; using the self-signed development certificate {}",
              c.string());
  }
  server = std::make_unique<http::Server>(ss, router, metrics);
}

Platform::Platform(const json& cfg, storage::Database& db, PlatformOptions o)
    : impl_(std::make_unique<Impl>(cfg, db, o)) {
  auto& i = *impl_;
  i.build_core();
  i.build_monitoring();
  i.build_notify();
  i.build_video();
  i.build_reporting();
  i.build_gb28181();
  i.build_api();
}

Platform::~Platform() {
  try {
    stop();
  } catch (const std::exception& e) {
    impl_->log->error("stopping: {}", e.what());
  }
}

unsigned short Platform::start() {
  auto& i = *impl_;
  if (i.notifications) i.notifications->start();
  i.warnings->start();
  i.nodes->start();
  if (i.relay) i.relay->start();
  i.ingest->start();
  if (i.federation) i.federation->start();
  if (i.video) i.video->start();
  if (i.sip) i.sip_port = i.sip->start();
  return i.server->start();
}

void Platform::stop() {
  auto& i = *impl_;
  std::lock_guard lock(i.stop_mu);
  if (i.stopped) return;
  i.stopped = true;
  // Requests waiting on the I/O threads for the registry version (ADR 0018) are answered before
  // the server's io_context goes: half the grace period for the read in flight, then 503 and
  // the read is cut, while the server drains beside it.
  const auto patience = server_settings(i.cfg).shutdown_grace / 2;
  std::thread version_stop([&i, patience] { i.registry_version->stop(patience); });
  // The browsers' Janus long polls (up to 30 s each) would outlast the drain.
  if (i.calls) i.calls->stop();
  try {
    i.server->stop();
  } catch (const std::exception&) {
    version_stop.join();
    throw;
  }
  version_stop.join();
  // GB/T 28181 cameras end their calls (BYE) through the SIP server: the pipeline goes first.
  if (i.sip && i.pipeline) i.pipeline->stop();
  if (i.sip) i.sip->stop();  // no more registrations, keepalives or catalogs
  i.auth->stop_revocation_watch();
  // The forwarder ends its pass after the row in flight (what was sent is committed), before
  // the database pool goes with the process.
  if (i.federation) i.federation->stop();
  if (i.pipeline) i.pipeline->stop();  // no more events or segments
  if (i.video) i.video->stop();        // writes what they reported
  i.ingest->stop();  // and a maintenance task in flight, before the services it uses
  i.warnings->stop();
  i.nodes->stop();  // its camera leases go back to the other nodes
  if (i.relay) i.relay->stop();
  if (i.notifications) i.notifications->stop();
}

core::Liveness& Platform::liveness() { return impl_->liveness; }
std::vector<std::string> Platform::stalled_workers() const { return impl_->liveness.stalled(); }

bool Platform::alive() {
  auto& i = *impl_;
  auto report = i.liveness.report();
  std::vector<std::string> stalled;
  for (const auto& r : report)
    if (r.stalled) stalled.push_back(r.name);
  std::lock_guard lock(i.alive_mu);
  if (stalled != i.last_stalled) {
    for (const auto& r : report)
      if (r.stalled)
        i.log->error("worker '{}' silent for {} ms (allowed {} ms): the watchdog is not fed",
                     r.name, r.silent_for.count(), r.allowance.count());
    if (stalled.empty()) i.log->info("every worker turns again: the watchdog is fed");
    i.last_stalled = stalled;
  }
  return stalled.empty();
}

core::Metrics& Platform::metrics() { return impl_->metrics; }
core::SecretBox& Platform::secret_box() { return *impl_->box; }
unsigned short Platform::gb28181_port() const { return impl_->sip_port; }
auth::AuthService& Platform::auth() { return *impl_->auth; }
service::RegistryService& Platform::registry() { return *impl_->registry; }
service::IngestService& Platform::ingest() { return *impl_->ingest; }
service::MonitoringService& Platform::monitoring() { return *impl_->monitoring; }
service::WarningService& Platform::warnings() { return *impl_->warnings; }
service::EventHub& Platform::events() { return *impl_->events; }
service::NotificationService* Platform::notifications() { return impl_->notifications.get(); }
service::VideoService* Platform::video() { return impl_->video.get(); }
video::Supervisor* Platform::pipeline() { return impl_->pipeline.get(); }
service::StatisticsService& Platform::statistics() { return *impl_->statistics; }
service::DataQualityService& Platform::data_quality() { return *impl_->data_quality; }
service::ReportService& Platform::reports() { return *impl_->reports; }
service::CommitmentService& Platform::commitments() { return *impl_->commitments; }
service::PermitService& Platform::permits() { return *impl_->permits; }
service::SisService& Platform::sis() { return *impl_->sis; }

}  // namespace hazmon::app
