#include "test_server.hpp"

#include <hazmon/app/platform.hpp>
#include <hazmon/auth/auth_service.hpp>
#include <hazmon/config/config.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/notify/sms_gateway.hpp>

#include <cstdlib>
#include <filesystem>
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
  notify::RecordingSmsGateway sms;  // before the platform: outlives it
  std::unique_ptr<app::Platform> platform;
};

namespace {
// hazmond's config (schema defaults) with the test's options: the same wiring as `serve`.
nlohmann::json test_config(const TestServerOptions& o, const fs::path& tmp) {
  nlohmann::json c = {
      {"state_dir", tmp.string()},
      {"http",
       {{"listen_address", "127.0.0.1"},
        {"port", 0},
        {"io_threads", 2},
        {"worker_threads", 4},
        {"max_connections", o.max_connections},
        {"max_body_bytes", o.max_body_bytes},
        {"max_small_body_bytes", o.max_small_body_bytes},
        {"max_connections_per_address", o.max_connections_per_address},
        {"handshake_timeout_ms", o.handshake_timeout_ms},
        {"read_timeout_ms", 3000},
        {"idle_timeout_ms", 3000},
        {"shutdown_grace_ms", o.shutdown_grace_ms},
        {"max_streams_per_principal", o.max_streams_per_principal},
        {"stream_recheck_ms", o.stream_recheck_ms},
        {"static_dir", o.static_dir.empty() ? (tmp / "static").string() : o.static_dir}}},
      {"auth",
       {{"session_ttl_minutes", o.session_ttl_minutes},
        {"login_max_failures", o.login_max_failures},
        {"revocation_poll_ms", o.revocation_poll_ms > 0 ? o.revocation_poll_ms : 2000}}},
      {"security",
       {{"server_key_file",
         o.server_key_file.empty() ? (tmp / "server.key").string() : o.server_key_file}}},
      {"ingest",
       {{"offline_after_s", o.offline_after_s},
        {"max_reading_age_days", o.max_reading_age_days},
        {"filing_max_days", o.filing_max_days},
        {"overhaul_filing_max_days", o.overhaul_filing_max_days}}},
      // Overview figures counted per request, never from a cache: tests read their own writes.
      {"statistics", {{"overview_cache_ms", 0}, {"point_counts_max_age_s", 0}}},
      {"notify",
       {{"enabled", !o.notify_smtp_url.empty()},
        {"dashboard_url", "https://hazmon.test"},
        {"smtp",
         {{"url", o.notify_smtp_url},
          {"from", "危化品风险监测平台 <noreply@hazmon.test>"},
          {"timeout_ms", 5000}}},
        {"retry", {{"initial_s", 30}, {"max_s", 300}, {"max_attempts", 5}}}}},
      {"reports", {{"recipients", o.report_recipients}, {"chromium", o.chromium}}},
      {"read_cache",
       {{"max_entries", o.read_cache_max_entries},
        {"version_statement_timeout_ms", o.version_statement_timeout_ms}}},
      {"video",
       // No pipeline unless asked: tests feed VideoEvents and Segments directly.
       {{"enabled", o.video && o.video_pipeline},
        {"evidence_dir", "evidence"},
        {"recording_dir", "recordings"},
        {"secrets_dir", "camera-secrets"},
        {"allowed_networks", o.camera_networks}}},
      {"gb28181",
       {{"enabled", o.gb28181},
        {"listen_address", "127.0.0.1"},
        {"port", 0},
        {"domain", "1400000000"},
        {"sip_id", "14000000002000000001"},
        {"media_bind", "127.0.0.1"},
        {"media_port_min", 31000},
        {"media_port_max", 31999}}},
  };
  if (!o.calls.is_null()) c["calls"] = o.calls;
  return config::validate_config(std::move(c));
}
}  // namespace

TestServer::TestServer(TestDatabase& db, TestServerOptions o)
    : impl_(std::make_unique<Impl>()),
      clock_(std::make_unique<core::FakeClock>(std::chrono::system_clock::now())) {
  auto& i = *impl_;
  i.tmp = fs::temp_directory_path() / ("hazmon-test-" + core::random_token(6));
  fs::create_directories(i.tmp / "static");
  std::ofstream(i.tmp / "static" / "index.html") << "<!doctype html><title>hazmon test</title>";
  std::ofstream(i.tmp / "secret.txt") << "outside the static root";
  app::PlatformOptions po;
  po.clock = clock_.get();
  po.sms = &i.sms;
  po.manual_ticks = true;  // tests call warnings().tick(), notifications().deliver_due()
  po.revocation_watch = o.revocation_poll_ms > 0;
  po.video_service = o.video;
  i.platform = std::make_unique<app::Platform>(test_config(o, i.tmp), db.db(), po);
  port_ = i.platform->start();
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
  if (impl_->platform) impl_->platform->stop();
}

app::Platform& TestServer::platform() { return *impl_->platform; }
service::IngestService& TestServer::ingest() { return impl_->platform->ingest(); }
core::SecretBox& TestServer::secret_box() { return impl_->platform->secret_box(); }
auth::AuthService& TestServer::auth() { return impl_->platform->auth(); }
service::WarningService& TestServer::warnings() { return impl_->platform->warnings(); }
service::NotificationService& TestServer::notifications() {
  if (!impl_->platform->notifications())
    throw std::logic_error("TestServer without TestServerOptions::notify_smtp_url");
  return *impl_->platform->notifications();
}
notify::RecordingSmsGateway& TestServer::sms() { return impl_->sms; }
service::DataQualityService& TestServer::data_quality() { return impl_->platform->data_quality(); }
service::ReportService& TestServer::reports() { return impl_->platform->reports(); }
service::VideoService& TestServer::video() {
  if (!impl_->platform->video())
    throw std::logic_error("TestServer without TestServerOptions::video");
  return *impl_->platform->video();
}
std::string TestServer::evidence_dir() const { return (impl_->tmp / "evidence").string(); }
std::string TestServer::recording_dir() const { return (impl_->tmp / "recordings").string(); }

std::string TestServer::make_user(const std::string& username, const std::string& role,
                                  const std::string& scope_code) {
  auth::NewUser u;
  u.username = username;
  u.role = *model::role_from_string(role);
  u.password = kPassword;
  u.scope = scope_code.empty()       ? model::Scope::province()
            : scope_code.size() == 6 ? model::Scope::region(scope_code)
                                     : model::Scope::enterprise(scope_code);
  impl_->platform->auth().create_user(u);
  return login(username);
}

std::string TestServer::login(const std::string& username, const std::string& password) {
  auto r =
      client().post_json("/api/v1/auth/login", {{"username", username}, {"password", password}});
  if (r.status != 200)
    throw std::runtime_error("login of " + username + " failed: " + std::to_string(r.status) + " " +
                             r.body);
  return r.json()["token"].get<std::string>();
}

}  // namespace hazmon::test
