#pragma once
// hazmond's whole wiring (app::Platform, as `hazmond serve` builds it) on an ephemeral port over
// a TestDatabase, with a FakeClock for session expiry and throttling, a RecordingSmsGateway, and
// background ticks that the tests drive (warnings().tick(), notifications().deliver_due()).
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/http/server.hpp>

#include "https_client.hpp"
#include "test_database.hpp"

namespace hazmon::service {
class IngestService;
class WarningService;
class NotificationService;
class VideoService;
class DataQualityService;
class ReportService;
}  // namespace hazmon::service
namespace hazmon::notify {
class RecordingSmsGateway;
}
namespace hazmon::core {
class SecretBox;
}
namespace hazmon::auth {
class AuthService;
}
namespace hazmon::app {
class Platform;
}

namespace hazmon::test {

struct TestServerOptions {
  std::size_t max_body_bytes = 256 * 1024;
  int max_connections = 256;
  // A week: the servers of one test binary share one database, and a login sweeps the sessions
  // that are expired by *its* clock, so a server whose fake clock was moved hours ahead (SIS
  // bypass expiry, warning deadlines) would end every other server's one-hour sessions. Tests of
  // expiry set a short TTL themselves.
  int session_ttl_minutes = 7 * 24 * 60;
  int login_max_failures = 5;
  std::string static_dir;  // empty: a temporary directory with an index.html
  int offline_after_s = 300;
  // A NotificationService (no sender thread: tests call notifications().deliver_due()) mailing
  // through this SMTP URL and sending SMS to a RecordingSmsGateway; empty: none.
  std::string notify_smtp_url;
  bool video =
      false;  // a VideoService (no pipeline) with evidence and recording dirs under the temp dir
  // video.allowed_networks of that VideoService. The suite's RTSP relays run on 127.0.0.1, which
  // is allowed here explicitly; hazmond's default has no loopback.
  std::map<std::string, std::vector<std::string>> camera_networks = {
      {"*", {"0.0.0.0/0", "::/0", "127.0.0.1/32"}}};
  int max_streams_per_principal = 5;
  int stream_recheck_ms = 30000;
  int max_connections_per_address = 256;
  std::size_t max_small_body_bytes = 64 * 1024;
  // 0: no revocation poll thread. Off by default: servers that a test binary keeps until exit
  // (a static world) would otherwise poll a database already destroyed at exit.
  int revocation_poll_ms = 0;
  int handshake_timeout_ms = 5000;
  // The server key (core::SecretBox) file; empty: a fresh one in the temp dir. A test that hands
  // its rows to a hazmond process points this at that process's key (<state_dir>/server.key).
  std::string server_key_file;
  // ingest.max_reading_age_days, ingest.filing_max_days and ingest.overhaul_filing_max_days.
  int max_reading_age_days = 7;
  int filing_max_days = 7;
  int overhaul_filing_max_days = 60;
  // reports.recipients and reports.chromium of the ReportService.
  std::vector<std::string> report_recipients;
  std::string chromium = "/usr/bin/chromium";
  // read_cache.max_entries (ADR 0018); the schema's default otherwise.
  int read_cache_max_entries = 4096;
  // read_cache.version_statement_timeout_ms (the registry version's reader) and
  // http.shutdown_grace_ms.
  int version_statement_timeout_ms = 2000;
  int shutdown_grace_ms = 3000;
  // gb28181.enabled: the GB/T 28181 SIP server on 127.0.0.1, an ephemeral UDP port
  // (platform().gb28181_port()), domain 1400000000, keepalives every 60 s, offline after 3 missed.
  bool gb28181 = false;
  // video.enabled with `video`: the real pipeline runs the cameras (GB/T 28181 live video: RTP
  // on 127.0.0.1, ports 31000-31999).
  bool video_pipeline = false;
  // The `calls` section (duty-room video calls through Janus, docs/calls.md); null: off.
  nlohmann::json calls;
};

class TestServer {
 public:
  explicit TestServer(TestDatabase& db, TestServerOptions o = {});
  ~TestServer();

  unsigned short port() const { return port_; }
  HttpsClient client() const { return HttpsClient(port_); }
  core::FakeClock& clock() { return *clock_; }
  // hazmond's wiring (app::Platform) under this server: its liveness registry, its watchdog check.
  app::Platform& platform();
  // The server key of this test server (a random one under its temp dir).
  core::SecretBox& secret_box();
  auth::AuthService& auth();
  service::IngestService& ingest();
  // Deadline checks run only when a test calls warnings().tick().
  service::WarningService& warnings();
  // Only with TestServerOptions::notify_smtp_url.
  service::NotificationService& notifications();
  notify::RecordingSmsGateway& sms();
  // Only with TestServerOptions::video; feed it VideoEvents and Segments directly.
  service::VideoService& video();
  // Always there; its rollup runs only when a test calls data_quality().refresh().
  service::DataQualityService& data_quality();
  // Always there; its schedule runs only when a test calls reports().tick(). It mails through
  // TestServerOptions::notify_smtp_url when set.
  service::ReportService& reports();
  // Where the VideoService reads evidence and recording files.
  std::string evidence_dir() const;
  std::string recording_dir() const;

  // Creates a user directly (role as in the API, scope code empty for province) and logs in.
  std::string make_user(const std::string& username, const std::string& role,
                        const std::string& scope_code = {});
  std::string login(const std::string& username, const std::string& password = kPassword);
  static constexpr const char* kPassword = "Correct-Horse-42";

  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<core::FakeClock> clock_;
  unsigned short port_ = 0;
};

}  // namespace hazmon::test
