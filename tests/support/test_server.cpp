#include "test_server.hpp"

#include <hazmon/api/api.hpp>
#include <hazmon/auth/auth_service.hpp>
#include <hazmon/config/config.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/core/secret_box.hpp>
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
#include <hazmon/service/warning_service.hpp>

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>

namespace hazmon::test {
namespace fs = std::filesystem;

namespace {
// Test binaries keep some servers for the whole run (a static "world" per file, never
// destroyed). At exit their threads (HTTP, ingest and warning workers, video housekeeping)
// would go on using the shared database and loggers while static destructors tear those down,
// which crashed some runs at exit. So every server still alive is stopped before that: the
// handler is registered at the first server's construction, after the shared database (the
// constructor's argument) was constructed, and atexit runs in reverse order.
std::mutex g_live_mutex;
std::set<TestServer*> g_live;
void stop_live_servers() {
  std::lock_guard lock(g_live_mutex);
  for (auto* s : g_live) s->stop();
}
}  // namespace

struct TestServer::Impl {
  fs::path tmp;
  core::Metrics metrics;
  std::unique_ptr<core::SecretBox> box;  // before auth: outlives it
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<service::RegistryService> registry;
  std::unique_ptr<service::RosterService> roster;
  std::unique_ptr<service::AuditLog> audit;
  std::unique_ptr<service::UserDirectory> users;
  std::unique_ptr<service::EventHub> events;  // before ingest: outlives its listeners
  std::unique_ptr<service::IngestService> ingest;
  std::unique_ptr<service::MonitoringService> monitoring;
  std::unique_ptr<service::WarningService> warnings;
  notify::RecordingSmsGateway sms;
  std::unique_ptr<notify::SmtpMailer> mailer;
  std::unique_ptr<service::NotificationService> notifications;
  std::unique_ptr<service::VideoService> video;
  std::unique_ptr<service::StatisticsService> statistics;
  std::unique_ptr<service::DataQualityService> data_quality;
  std::unique_ptr<service::ReportService> reports;
  std::unique_ptr<api::ApiContext> ctx;
  http::Router router;
  std::unique_ptr<http::Server> server;
};

TestServer::TestServer(TestDatabase& db, TestServerOptions o)
    : impl_(std::make_unique<Impl>()),
      clock_(std::make_unique<core::FakeClock>(std::chrono::system_clock::now())) {
  auto& i = *impl_;
  i.tmp = fs::temp_directory_path() / ("hazmon-test-" + core::random_token(6));
  fs::create_directories(i.tmp / "static");
  std::ofstream(i.tmp / "static" / "index.html") << "<!doctype html><title>hazmon test</title>";
  std::ofstream(i.tmp / "secret.txt") << "outside the static root";
  auth::AuthSettings as;
  as.session_ttl = std::chrono::minutes(o.session_ttl_minutes);
  as.throttle.max_failures = o.login_max_failures;
  i.box = std::make_unique<core::SecretBox>(
      core::SecretBox::load_or_create(o.server_key_file.empty() ? i.tmp / "server.key" : fs::path(o.server_key_file)));
  i.auth = std::make_unique<auth::AuthService>(db.db(), as, *clock_);
  i.auth->set_secret_box(i.box.get());
  if (o.revocation_poll_ms > 0) i.auth->start_revocation_watch(std::chrono::milliseconds(o.revocation_poll_ms));
  i.registry = std::make_unique<service::RegistryService>(db.db(), config::home_dir() / "schemas");
  i.roster = std::make_unique<service::RosterService>(db.db());
  i.audit = std::make_unique<service::AuditLog>(db.db());
  i.users = std::make_unique<service::UserDirectory>(db.db());
  service::IngestSettings is;
  is.spool_file = i.tmp / "spool" / "readings.spool";
  is.offline_after = std::chrono::seconds(o.offline_after_s);
  is.max_reading_age = std::chrono::hours(24 * o.max_reading_age_days);
  i.ingest = std::make_unique<service::IngestService>(db.db(), is, *clock_, &i.metrics);
  service::FilingSettings fs;
  fs.max_length = std::chrono::hours(24 * o.filing_max_days);
  fs.max_overhaul_length = std::chrono::hours(24 * o.overhaul_filing_max_days);
  i.monitoring = std::make_unique<service::MonitoringService>(db.db(), fs, clock_.get());
  i.monitoring->on_filings_changed([p = i.ingest.get()] { p->reload(); });
  i.registry->on_change([p = i.ingest.get()](const std::string& entity) {
    if (entity == "monitoring-points") p->points_changed();
  });
  service::WarningSettings ws;
  ws.check_interval = std::chrono::seconds(0);  // tests call warnings().tick()
  i.warnings = std::make_unique<service::WarningService>(db.db(), ws, *clock_, &i.metrics);
  i.warnings->subscribe(*i.ingest);
  i.events = std::make_unique<service::EventHub>(db.db());
  i.ingest->on_alarm([h = i.events.get()](const storage::AlarmWrite& a) { h->publish(service::EventHub::from_alarm(a)); });
  i.warnings->on_push([h = i.events.get()](const nlohmann::json& e) { h->publish({"warning", e.value("company_code", ""), e.dump()}); });
  if (!o.notify_smtp_url.empty()) {
    notify::SmtpSettings sm;
    sm.url = o.notify_smtp_url;
    sm.from = "危化品风险监测平台 <noreply@hazmon.test>";
    sm.timeout = std::chrono::milliseconds(5000);
    i.mailer = std::make_unique<notify::SmtpMailer>(sm, *clock_);
    service::NotifySettings ns;
    ns.poll_interval = std::chrono::milliseconds(0);
    ns.retry_initial = std::chrono::seconds(30);
    ns.retry_max = std::chrono::seconds(300);
    ns.max_attempts = 5;
    ns.templates.dashboard_url = "https://hazmon.test";
    i.notifications = std::make_unique<service::NotificationService>(db.db(), ns, *clock_, &i.sms, i.mailer.get(), &i.metrics);
    i.notifications->subscribe(*i.warnings);
  }
  i.warnings->start();
  i.ingest->start();
  if (o.video) {
    service::VideoServiceSettings vs;
    vs.evidence_dir = i.tmp / "evidence";
    vs.recording_dir = i.tmp / "recordings";
    vs.secrets_dir = i.tmp / "camera-secrets";
    vs.housekeeping_interval = std::chrono::seconds(0);
    vs.secret_box = i.box.get();  // camera credentials sealed with this server's key
    vs.allowed_networks = o.camera_networks;
    fs::create_directories(vs.evidence_dir);
    fs::create_directories(vs.recording_dir);
    i.video = std::make_unique<service::VideoService>(db.db(), i.warnings.get(), vs, *clock_);
    i.registry->on_change([v = i.video.get()](const std::string& entity) {
      if (entity == "cameras") v->reload_cameras();
    });
    // As in hazmond: camera URLs are RTSP(S) into the allowed networks (issue 9).
    i.registry->add_check("cameras", [v = i.video.get()](const nlohmann::json& row) { return v->check_camera_row(row); });
    i.video->start();
  }
  service::DataQualitySettings dqs;
  dqs.rollup.offline_after_s = o.offline_after_s;
  i.data_quality = std::make_unique<service::DataQualityService>(db.db(), dqs, *clock_);
  service::ReportSettings rs;
  rs.recipients = o.report_recipients;
  rs.chromium = o.chromium;
  rs.work_dir = i.tmp;
  i.reports = std::make_unique<service::ReportService>(db.db(), *i.data_quality, rs, *clock_, i.mailer.get());
  i.statistics = std::make_unique<service::StatisticsService>(
      db.db(), *clock_, service::StatisticsSettings{std::chrono::seconds(o.offline_after_s)});
  i.ctx = std::make_unique<api::ApiContext>(api::ApiContext{
      *i.auth, *i.registry, *i.roster, *i.audit, *i.users, i.metrics,
      [&db] { return api::Readiness{db.db().ping(), "test"}; }});
  i.ctx->ingest = i.ingest.get();
  i.ctx->monitoring = i.monitoring.get();
  i.ctx->warnings = i.warnings.get();
  i.ctx->events = i.events.get();
  i.ctx->notifications = i.notifications.get();
  i.ctx->video = i.video.get();
  i.ctx->statistics = i.statistics.get();
  i.ctx->data_quality = i.data_quality.get();
  i.ctx->reports = i.reports.get();
  i.ctx->offline_after_s = o.offline_after_s;
  i.ctx->max_streams_per_principal = o.max_streams_per_principal;
  i.ctx->stream_recheck = std::chrono::milliseconds(o.stream_recheck_ms);
  api::register_routes(i.router, *i.ctx);
  i.router.set_fallback(http::make_static_handler(o.static_dir.empty() ? i.tmp / "static" : fs::path(o.static_dir)));
  http::ServerSettings ss;
  ss.listen_address = "127.0.0.1";
  ss.port = 0;
  ss.io_threads = 2;
  ss.worker_threads = 4;
  ss.max_connections = o.max_connections;
  ss.max_body_bytes = o.max_body_bytes;
  ss.max_small_body_bytes = o.max_small_body_bytes;
  ss.max_connections_per_address = o.max_connections_per_address;
  ss.handshake_timeout = std::chrono::milliseconds(o.handshake_timeout_ms);
  ss.read_timeout = std::chrono::milliseconds(3000);
  ss.idle_timeout = std::chrono::milliseconds(3000);
  ss.shutdown_grace = std::chrono::milliseconds(3000);
  auto [cert, key] = http::ensure_dev_certificate(i.tmp / "tls");
  ss.cert_file = cert;
  ss.key_file = key;
  i.server = std::make_unique<http::Server>(ss, i.router, i.metrics);
  port_ = i.server->start();
  // Last: a constructor that threw must not leave a dangling entry.
  static const bool registered = (std::atexit(stop_live_servers), true);
  (void)registered;
  std::lock_guard lock(g_live_mutex);
  g_live.insert(this);
}

TestServer::~TestServer() {
  {
    std::lock_guard lock(g_live_mutex);
    g_live.erase(this);
  }
  stop();
  std::error_code ec;
  fs::remove_all(impl_->tmp, ec);
}

void TestServer::stop() {
  if (impl_->server) impl_->server->stop();
  if (impl_->auth) impl_->auth->stop_revocation_watch();
  if (impl_->video) impl_->video->stop();
  if (impl_->ingest) impl_->ingest->stop();
  if (impl_->warnings) impl_->warnings->stop();
  if (impl_->notifications) impl_->notifications->stop();
}

service::IngestService& TestServer::ingest() { return *impl_->ingest; }
core::SecretBox& TestServer::secret_box() { return *impl_->box; }
auth::AuthService& TestServer::auth() { return *impl_->auth; }
service::WarningService& TestServer::warnings() { return *impl_->warnings; }
service::NotificationService& TestServer::notifications() {
  if (!impl_->notifications) throw std::logic_error("TestServer without TestServerOptions::notify_smtp_url");
  return *impl_->notifications;
}
notify::RecordingSmsGateway& TestServer::sms() { return impl_->sms; }
service::DataQualityService& TestServer::data_quality() { return *impl_->data_quality; }
service::ReportService& TestServer::reports() { return *impl_->reports; }
service::VideoService& TestServer::video() {
  if (!impl_->video) throw std::logic_error("TestServer without TestServerOptions::video");
  return *impl_->video;
}
std::string TestServer::evidence_dir() const { return (impl_->tmp / "evidence").string(); }
std::string TestServer::recording_dir() const { return (impl_->tmp / "recordings").string(); }

std::string TestServer::make_user(const std::string& username, const std::string& role, const std::string& scope_code) {
  auth::NewUser u;
  u.username = username;
  u.role = *model::role_from_string(role);
  u.password = kPassword;
  u.scope = scope_code.empty() ? model::Scope::province()
            : scope_code.size() == 6 ? model::Scope::region(scope_code)
                                     : model::Scope::enterprise(scope_code);
  impl_->auth->create_user(u);
  return login(username);
}

std::string TestServer::login(const std::string& username, const std::string& password) {
  auto r = client().post_json("/api/v1/auth/login", {{"username", username}, {"password", password}});
  if (r.status != 200) throw std::runtime_error("login of " + username + " failed: " + std::to_string(r.status) + " " + r.body);
  return r.json()["token"].get<std::string>();
}

}  // namespace hazmon::test
