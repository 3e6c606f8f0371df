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
#include <hazmon/service/call_service.hpp>
#include <hazmon/service/commitment_service.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/monitoring.hpp>
#include <hazmon/service/notification_service.hpp>
#include <hazmon/service/report_service.hpp>
#include <hazmon/service/statistics_service.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/service/warning_service.hpp>
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

TEST(Settings, IngestWarningsAndOutboxDefaultsAreTheSchemas) {
  auto i = defaults()["ingest"].get<service::IngestSettings>();
  service::IngestSettings di;
  EXPECT_EQ(i.max_items_per_upload, di.max_items_per_upload);
  EXPECT_EQ(i.max_queued_readings, di.max_queued_readings);
  EXPECT_EQ(i.max_group_readings, di.max_group_readings);
  EXPECT_EQ(i.max_future_skew, di.max_future_skew);
  EXPECT_EQ(i.max_reading_age, di.max_reading_age);
  EXPECT_EQ(i.late_after, di.late_after);
  EXPECT_EQ(i.offline_after, di.offline_after);
  EXPECT_EQ(i.frozen_after, di.frozen_after);
  EXPECT_EQ(i.partition_days_ahead, di.partition_days_ahead);
  EXPECT_EQ(i.retention_days, di.retention_days);
  EXPECT_EQ(i.spool_file, "spool/readings.spool");  // under state_dir (app)

  auto w = defaults()["warnings"].get<service::WarningSettings>();
  service::WarningSettings dw;
  EXPECT_EQ(w.check_interval, dw.check_interval);
  EXPECT_EQ(w.disposal.escalate_level, dw.disposal.escalate_level);
  EXPECT_EQ(w.disposal.max_escalations, dw.disposal.max_escalations);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(w.disposal.deadlines[k].feedback, dw.disposal.deadlines[k].feedback) << k;
    EXPECT_EQ(w.disposal.deadlines[k].check, dw.disposal.deadlines[k].check) << k;
    EXPECT_EQ(w.disposal.deadlines[k].close, dw.disposal.deadlines[k].close) << k;
  }

  auto n = defaults()["notify"].get<service::NotifySettings>();
  service::NotifySettings dn;
  EXPECT_EQ(n.retry_initial, dn.retry_initial);
  EXPECT_EQ(n.retry_max, dn.retry_max);
  EXPECT_EQ(n.max_attempts, dn.max_attempts);
  EXPECT_EQ(n.poll_interval, dn.poll_interval);
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
  EXPECT_EQ(ds.overview_cache,
            std::chrono::milliseconds(0));  // no reuse: a test reads its own writes
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

TEST(Settings, CommitmentDefaultsAreTheSchemas) {
  auto c = defaults()["commitments"].get<service::CommitmentSettings>();
  service::CommitmentSettings dc;
  EXPECT_EQ(c.enabled, dc.enabled);
  EXPECT_EQ(c.deadline_hour, dc.deadline_hour);
  EXPECT_EQ(c.warning_level, dc.warning_level);
  EXPECT_EQ(c.max_warnings_per_check, dc.max_warnings_per_check);
  EXPECT_EQ(c.max_missing_listed, dc.max_missing_listed);
}

TEST(Settings, CallDefaultsAreTheSchemas) {
  auto c = defaults()["calls"].get<service::CallSettings>();
  service::CallSettings dc;
  EXPECT_EQ(c.enabled, dc.enabled);
  EXPECT_FALSE(c.enabled);  // off unless an operator runs Janus beside hazmond (docs/calls.md)
  EXPECT_EQ(c.janus_url, dc.janus_url);
  EXPECT_EQ(c.request_timeout, dc.request_timeout);
  EXPECT_EQ(c.ring_timeout_s, dc.ring_timeout_s);
  EXPECT_EQ(c.max_call_minutes, dc.max_call_minutes);
  EXPECT_EQ(c.max_open_calls_per_user, dc.max_open_calls_per_user);
  EXPECT_EQ(c.max_long_polls, dc.max_long_polls);
  EXPECT_EQ(c.ice_servers, dc.ice_servers);
  EXPECT_TRUE(c.ice_servers.empty());  // no STUN by default: the VPN has no internet
  EXPECT_EQ(c.turn_username, dc.turn_username);
}
