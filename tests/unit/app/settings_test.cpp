// Each module parses its own config section (from_json next to its Settings struct) and the
// defaults have one source: the schema's defaults, parsed, give the struct's own defaults. A
// default changed on one side only fails here.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/config/config.hpp>
#include <hazmon/http/server.hpp>
#include <hazmon/notify/sms_gateway.hpp>
#include <hazmon/notify/smtp_mailer.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/monitoring.hpp>
#include <hazmon/service/report_service.hpp>
#include <hazmon/service/statistics_service.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/video/supervisor.hpp>

using namespace hazmon;
using nlohmann::json;

namespace {
const json& defaults() {
  static const json cfg = config::default_config();
  return cfg;
}
}  // namespace

TEST(Settings, AuthDefaultsAreTheSchemas) {
  auto s = defaults()["auth"].get<auth::AuthSettings>();
  auth::AuthSettings d;
  EXPECT_EQ(s.session_ttl, d.session_ttl);
  EXPECT_EQ(s.throttle.max_failures, d.throttle.max_failures);
  EXPECT_EQ(s.throttle.window, d.throttle.window);
  EXPECT_EQ(s.throttle.lockout, d.throttle.lockout);
  EXPECT_EQ(s.throttle.user_free_failures, d.throttle.user_free_failures);
  EXPECT_EQ(s.throttle.user_max_delay, d.throttle.user_max_delay);
}

TEST(Settings, HttpDefaultsAreTheSchemas) {
  auto s = defaults()["http"].get<http::ServerSettings>();
  http::ServerSettings d;
  EXPECT_EQ(s.listen_address, d.listen_address);
  EXPECT_EQ(s.port, d.port);
  EXPECT_EQ(s.io_threads, d.io_threads);
  EXPECT_EQ(s.worker_threads, d.worker_threads);
  EXPECT_EQ(s.max_connections, d.max_connections);
  EXPECT_EQ(s.max_connections_per_address, d.max_connections_per_address);
  EXPECT_EQ(s.handshake_timeout, d.handshake_timeout);
  EXPECT_EQ(s.max_body_bytes, d.max_body_bytes);
  EXPECT_EQ(s.max_small_body_bytes, d.max_small_body_bytes);
  EXPECT_EQ(s.max_header_bytes, d.max_header_bytes);
  EXPECT_EQ(s.read_timeout, d.read_timeout);
  EXPECT_EQ(s.idle_timeout, d.idle_timeout);
  EXPECT_EQ(s.shutdown_grace, d.shutdown_grace);
  EXPECT_EQ(s.cert_file, d.cert_file);
}

TEST(Settings, NotifySendersDefaultsAreTheSchemas) {
  auto m = defaults()["notify"]["smtp"].get<notify::SmtpSettings>();
  notify::SmtpSettings dm;
  EXPECT_EQ(m.url, dm.url);
  EXPECT_EQ(m.starttls, dm.starttls);
  EXPECT_EQ(m.verify_peer, dm.verify_peer);
  EXPECT_EQ(m.timeout, dm.timeout);
  auto s = defaults()["notify"]["sms"].get<notify::HttpSmsSettings>();
  notify::HttpSmsSettings ds;
  EXPECT_EQ(s.url, ds.url);
  EXPECT_EQ(s.api_key_header, ds.api_key_header);
  EXPECT_EQ(s.verify_peer, ds.verify_peer);
  EXPECT_EQ(s.timeout, ds.timeout);
}

TEST(Settings, ServiceDefaultsAreTheSchemas) {
  auto q = defaults()["data_quality"].get<service::DataQualitySettings>();
  service::DataQualitySettings dq;
  EXPECT_EQ(q.target_online_rate, dq.target_online_rate);
  EXPECT_EQ(q.rollup.default_interval_s, dq.rollup.default_interval_s);
  EXPECT_EQ(q.rollup.timely_within_s, dq.rollup.timely_within_s);
  EXPECT_EQ(q.refresh_interval, dq.refresh_interval);
  EXPECT_EQ(q.recompute_days, dq.recompute_days);
  EXPECT_EQ(q.max_days, dq.max_days);
  EXPECT_EQ(q.max_export_rows, dq.max_export_rows);

  auto r = defaults()["reports"].get<service::ReportSettings>();
  service::ReportSettings dr;
  EXPECT_EQ(r.enabled, dr.enabled);
  EXPECT_EQ(r.title_prefix, dr.title_prefix);
  EXPECT_EQ(r.daily_minute, dr.daily_minute);
  EXPECT_EQ(r.weekly_weekday, dr.weekly_weekday);
  EXPECT_EQ(r.weekly_minute, dr.weekly_minute);
  EXPECT_EQ(r.recipients, dr.recipients);
  EXPECT_EQ(r.top_n, dr.top_n);
  EXPECT_EQ(r.chromium, dr.chromium);
  EXPECT_EQ(r.pdf_timeout, dr.pdf_timeout);

  auto f = defaults()["ingest"].get<service::FilingSettings>();
  service::FilingSettings df;
  EXPECT_EQ(f.max_length, df.max_length);
  EXPECT_EQ(f.max_overhaul_length, df.max_overhaul_length);

  auto v = defaults()["video"].get<service::VideoServiceSettings>();
  service::VideoServiceSettings dv;
  EXPECT_EQ(v.housekeeping_interval, dv.housekeeping_interval);
  EXPECT_EQ(v.live_segments, dv.live_segments);
}

TEST(Settings, VideoPipelineDefaultsAreTheSchemas) {
  auto s = defaults()["video"].get<video::VideoSettings>();
  video::VideoSettings d;
  EXPECT_EQ(s.inference_threads, d.inference_threads);
  EXPECT_EQ(s.analysis_max_side, d.analysis_max_side);
  EXPECT_EQ(s.clip_before, d.clip_before);
  EXPECT_EQ(s.clip_after, d.clip_after);
  EXPECT_EQ(s.segment_length, d.segment_length);
  EXPECT_EQ(s.offline_after, d.offline_after);
  EXPECT_EQ(s.give_up_after, d.give_up_after);
  EXPECT_EQ(s.recording_retention_days, d.recording_retention_days);
  EXPECT_EQ(s.recording_max_bytes, d.recording_max_bytes);
}

// Where the struct's default is deliberately not the config's: code that builds the struct by
// hand (tests) gets the conservative value, and the config asks for more. Named here so that
// a change on either side is a decision.
TEST(Settings, DeliberateDifferencesAreTheseOnly) {
  auto st = defaults()["statistics"].get<service::StatisticsSettings>();
  service::StatisticsSettings ds;
  EXPECT_EQ(ds.overview_cache, std::chrono::milliseconds(0));  // no reuse: a test reads its own writes
  EXPECT_EQ(st.overview_cache, std::chrono::milliseconds(5000));
  EXPECT_EQ(ds.point_counts_max_age, std::chrono::seconds(0));
  EXPECT_EQ(st.point_counts_max_age, std::chrono::seconds(180));
  // Cameras: hazmond allows only its gateways' networks unless configured; a bare struct any.
  auto v = defaults()["video"].get<service::VideoServiceSettings>();
  EXPECT_TRUE(v.allowed_networks.empty());
  EXPECT_EQ(service::VideoServiceSettings{}.allowed_networks.count("*"), 1u);
}

TEST(Settings, AMissingKeyIsAnErrorNotASilentDefault) {
  json auth = defaults()["auth"];
  auth.erase("session_ttl_minutes");
  EXPECT_THROW(auth.get<auth::AuthSettings>(), json::exception);
}
