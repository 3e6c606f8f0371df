// PostgreSQL stopped for 30 s while gateways keep uploading (a private cluster, so that the
// suite's shared one is untouched): every upload is still answered 200 (durable in the spool),
// and once PostgreSQL is back every reading is stored exactly once, in the order it was
// uploaded, and a level crossing H during the outage is one alarm episode.
#include <gtest/gtest.h>

#include <hazmon/ingest/upload.hpp>
#include <hazmon/storage/database.hpp>

#include <cstdlib>

#include "hazmond_process.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace hazmon::test::rel;

namespace {
constexpr const char* kCompany = "14060000001";  // 朔州
constexpr const char* kHazard = "14060000001001";
constexpr const char* kAlarmPoint = "POHI1";
constexpr const char* kEnvelopePoint = "POENV1";  // read only by the encrypted-envelope uploads
constexpr int kThreads = 3;
constexpr int kPointsPerThread = 4;
constexpr int kItems = 20;
constexpr int kOutageSeconds = 30;

std::string quota(int t, int p) { return "PO" + std::to_string(t) + "LIT" + std::to_string(p); }

// Stops the private cluster however the test ends.
struct ClusterGuard {
  PrivateCluster& pg;
  bool up = false;
  ~ClusterGuard() {
    if (!up) return;
    try {
      pg.stop();
    } catch (const std::exception&) {
    }
  }
};

long long metric(HttpsClient c, const std::string& series) {
  auto r = c.get("/metrics");
  auto pos = r.body.find(series + " ");
  return pos == std::string::npos ? -1 : std::atoll(r.body.c_str() + pos + series.size() + 1);
}
}  // namespace

TEST(Reliability, PostgresStoppedDuringLoadLosesNothingAndKeepsOrder) {
  auto t_start = steady_clock::now();
  auto dir = temp_dir("hazmon-pgout-");
  PrivateCluster pg(dir / "pg");
  ClusterGuard guard{pg};
  pg.start();
  guard.up = true;
  std::printf("private PostgreSQL up after %.1f s\n",
              duration<double>(steady_clock::now() - t_start).count());

  // A fresh, migrated database in the private cluster (TestDatabase reads the admin DSN from
  // the environment).
  std::string saved = std::getenv("HAZMON_TEST_PG_DSN") ? std::getenv("HAZMON_TEST_PG_DSN") : "";
  ::setenv("HAZMON_TEST_PG_DSN", pg.admin_dsn.c_str(), 1);
  auto db = std::make_unique<TestDatabase>();
  ::setenv("HAZMON_TEST_PG_DSN", saved.c_str(), 1);

  std::string token, env_app_id, env_token, duty, revoked_app, revoked_token;
  json env_key;
  {
    // Envelope keys are sealed with the server key: the one the hazmond below will use.
    TestServerOptions so;
    so.server_key_file = (dir / "hazmond" / "var" / "server.key").string();
    TestServer setup(*db, so);
    auto admin = setup.make_user("po_admin", "province_admin");
    duty = setup.make_user("po_duty", "province_officer");
    auto c = setup.client();
    auto ok = [](const HttpResult& r) {
      if (r.status != 201) throw std::runtime_error(r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kCompany}, {"name", "朔州断库化工有限公司"}, {"region_code", "140600"}},
        admin));
    ok(c.post_json(
        "/api/v1/hazard-sources",
        {{"hazard_code", kHazard}, {"company_code", kCompany}, {"name", "罐区"}, {"rank", 2}},
        admin));
    for (int t = 0; t < kThreads; ++t)
      for (int p = 0; p < kPointsPerThread; ++p)
        ok(c.post_json("/api/v1/monitoring-points",
                       {{"quota_code", quota(t, p)},
                        {"company_code", kCompany},
                        {"hazard_code", kHazard},
                        {"name", "液位" + quota(t, p)},
                        {"indicator_type", "level"},
                        {"value_kind", "analog"},
                        {"unit", "m"},
                        {"range_low", 0},
                        {"range_high", 20}},
                       admin));
    ok(c.post_json("/api/v1/monitoring-points",
                   {{"quota_code", kAlarmPoint},
                    {"company_code", kCompany},
                    {"hazard_code", kHazard},
                    {"name", "1#罐液位"},
                    {"indicator_type", "level"},
                    {"value_kind", "analog"},
                    {"unit", "m"},
                    {"range_low", 0},
                    {"range_high", 20},
                    {"h", 15},
                    {"hh", 18},
                    {"debounce_s", 0},
                    {"deadband", 0.5}},
                   admin));
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin));
    token = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    ok(c.post_json("/api/v1/monitoring-points",
                   {{"quota_code", kEnvelopePoint},
                    {"company_code", kCompany},
                    {"hazard_code", kHazard},
                    {"name", "2#罐液位"},
                    {"indicator_type", "level"},
                    {"value_kind", "analog"},
                    {"unit", "m"},
                    {"range_low", 0},
                    {"range_high", 20}},
                   admin));
    auto env = ok(c.post_json("/api/v1/credentials",
                              {{"kind", "gateway"},
                               {"scope", {{"kind", "enterprise"}, {"code", kCompany}}},
                               {"envelope_cipher", "sm4-cbc"}},
                              admin));
    auto rev = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin));
    revoked_app = rev["app_id"].get<std::string>();
    revoked_token = revoked_app + "." + rev["secret"].get<std::string>();
    env_app_id = env["app_id"].get<std::string>();
    env_token = env_app_id + "." + env["secret"].get<std::string>();
    env_key = env["envelope"];
  }

  Hazmond server(dir / "hazmond", db->dsn());
  std::atomic<unsigned short> port{server.start()};

  // Reading i of upload seq of thread t is collected at base + seq × 100 ms + i ms; thread 0
  // also reports the alarm point at + 50 ms, high (16 m > H) while `high` is set.
  auto base_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() - 200000;
  auto at = [&](long long ms) { return core::format_rfc3339(core::SysTime{milliseconds(ms)}); };
  std::atomic<bool> high{false}, outage{false}, was_high{false};
  std::atomic<int> low_made{0};  // uploads of thread 0 made after the high phase
  std::mutex info_mu;
  std::map<std::string, std::pair<bool, bool>>
      info;  // dataId → (sent during the outage, alarm point high)
  Gateways gw(
      token, kThreads,
      [&](int t, int seq) -> json {
        if (seq >= 1900) return nullptr;  // keeps collect times in the past
        json datas = json::array();
        for (int i = 0; i < kItems; ++i)
          datas.push_back({{"quotaCode", quota(t, i % kPointsPerThread)},
                           {"collectTime", at(base_ms + seq * 100LL + i)},
                           {"value", 3.0 + (i % 7) * 0.5}});
        bool h = high.load();
        if (t == 0 && h) was_high = true;
        if (t == 0 && !h && was_high) ++low_made;
        if (t == 0)
          datas.push_back({{"quotaCode", kAlarmPoint},
                           {"collectTime", at(base_ms + seq * 100LL + 50)},
                           {"value", h ? 16.0 : 5.0}});
        std::string id = "po-" + std::to_string(t) + "-" + std::to_string(seq);
        {
          std::lock_guard lock(info_mu);
          info[id] = {outage.load(), h};
        }
        return {{"companyCode", kCompany},
                {"dataId", id},
                {"reportType", "realtime"},
                {"sendTime", core::format_rfc3339(system_clock::now())},
                {"datas", datas}};
      },
      milliseconds(100));  // about 25 uploads/s: every one a spool record while PostgreSQL is away
  gw.start(port);
  std::this_thread::sleep_for(seconds(3));

  // An encrypted-envelope gateway (SM4-CBC) uploads once before and once during the outage: its
  // key, like its token, must not need PostgreSQL once this process has read it.
  auto envelope_upload = [&](int n) {
    json inner = {{"companyCode", kCompany},
                  {"dataId", "po-env-" + std::to_string(n)},
                  {"reportType", "realtime"},
                  {"sendTime", core::format_rfc3339(system_clock::now())},
                  {"datas", json::array({{{"quotaCode", kEnvelopePoint},
                                          {"collectTime", at(base_ms + n * 1000LL)},
                                          {"value", 4.5}}})}};
    auto data = ingest::encrypt_envelope_data(inner.dump(), env_key["cipher"], env_key["key_hex"],
                                              env_key["iv_hex"]);
    return HttpsClient(port).post_json(
        "/api/v1/upload/realtime",
        {{"appId", env_app_id}, {"dataId", "po-env-" + std::to_string(n)}, {"data", data}},
        env_token);
  };
  auto env_before = envelope_upload(1);
  EXPECT_EQ(env_before.status, 200) << env_before.body;

  // A duty officer's session, verified by this hazmond before the outage.
  EXPECT_EQ(HttpsClient(port).get("/api/v1/enterprises", duty).status, 200);
  // A credential revoked on another node (here: by SQL) just before the outage. This hazmond
  // used it a moment ago and remembers it; its revocation poll (2 s) must drop it before
  // PostgreSQL goes away, or the outage's "last known good" answer would still let it in.
  EXPECT_EQ(HttpsClient(port).get("/api/v1/auth/me", revoked_token).status, 200);
  db->exec("UPDATE api_credential SET is_active = false, revoked_at = now() WHERE app_id = '" +
           revoked_app + "'");
  std::this_thread::sleep_for(milliseconds(2600));

  pg.stop();
  outage = true;
  auto stopped_at = steady_clock::now();
  std::this_thread::sleep_for(seconds(2));
  auto revoked_during = HttpsClient(port).get("/api/v1/auth/me", revoked_token);
  EXPECT_NE(revoked_during.status, 200)
      << "a credential revoked before the outage works during it: " << revoked_during.body;
  std::printf("revoked credential during the outage: %d\n", revoked_during.status);
  auto env_during = envelope_upload(2);
  EXPECT_EQ(env_during.status, 200) << env_during.body;
  // Past the principal cache's freshness (5 s) the officer's dashboard reconnects to the live
  // stream: the session is still accepted, and the alarm raised from an upload that only the
  // spool holds reaches it.
  std::this_thread::sleep_for(seconds(5));
  auto live = HttpsClient(port).read_stream("/api/v1/stream", duty,
                                            "\"quota_code\":\"" + std::string(kAlarmPoint) + "\"",
                                            seconds(10), [&] { high = true; });
  EXPECT_NE(live.find("\"transition\":\"raised\""), std::string::npos) << live;
  high = true;
  std::this_thread::sleep_until(stopped_at + seconds(kOutageSeconds));
  outage = false;
  pg.start();
  std::printf("PostgreSQL was away for %.1f s\n",
              duration<double>(steady_clock::now() - stopped_at).count());
  auto back_at = steady_clock::now();
  // The writer replays the spool before it takes new groups (uploads wait meanwhile); the level
  // goes back down only after that, so that the clearing reading is one sent once all is in.
  while (metric(HttpsClient(port), "hazmon_ingest_backlog{kind=\"spool_records\"}") != 0 &&
         steady_clock::now() < back_at + seconds(90))
    std::this_thread::sleep_for(milliseconds(200));
  std::printf("spool replayed %.1f s after PostgreSQL came back\n",
              duration<double>(steady_clock::now() - back_at).count());
  high = false;
  while (low_made < 4 && steady_clock::now() < back_at + seconds(120))
    std::this_thread::sleep_for(milliseconds(50));
  gw.stop();
  auto per_thread = gw.per_thread();

  // Every upload was answered 200, including those sent while PostgreSQL was stopped.
  std::size_t total = 0, during = 0;
  for (const auto& v : per_thread)
    for (const auto& s : v) {
      ++total;
      EXPECT_EQ(s.status, 200) << s.data_id << " " << s.reply.dump();
      if (info[s.data_id].first && s.status == 200) ++during;
    }
  std::printf("%zu uploads, %zu of them answered 200 while PostgreSQL was stopped\n", total,
              during);
  if (::testing::Test::HasFailure())
    std::printf("hazmond's warnings and errors:\n%s\n", server.problems().c_str());
  EXPECT_GT(during, 20u);
  auto spooled = metric(HttpsClient(port), "hazmon_ingest_events_total{kind=\"group_spooled\"}");
  EXPECT_GT(spooled, 0) << "nothing went through the spool";

  // The spool drains into PostgreSQL.
  storage::DbSettings ds;
  ds.dsn = db->dsn();
  ds.pool_size = 2;
  storage::Database check(ds);
  auto count = [&](const std::string& sql) {
    for (int attempt = 0;; ++attempt) {
      try {
        return check.in_tx([&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
      } catch (const storage::TransientError&) {
        if (attempt > 20) throw;
        std::this_thread::sleep_for(milliseconds(250));
      }
    }
  };
  auto drained_by = steady_clock::now() + seconds(60);
  const long long kEnvelopeUploads = 2;  // one reading each
  while (count("SELECT count(*) AS n FROM upload_batch") <
             static_cast<long long>(total) + kEnvelopeUploads &&
         steady_clock::now() < drained_by)
    std::this_thread::sleep_for(milliseconds(200));
  ASSERT_EQ(count("SELECT count(*) AS n FROM upload_batch"),
            static_cast<long long>(total) + kEnvelopeUploads)
      << server.problems();
  EXPECT_EQ(count("SELECT count(*) AS n FROM reading r JOIN monitoring_point p USING (point_id) "
                  "WHERE p.quota_code = 'POENV1'"),
            kEnvelopeUploads);

  // Every reading exactly once.
  long long expected_readings = static_cast<long long>(total) * kItems +
                                static_cast<long long>(per_thread[0].size()) + kEnvelopeUploads;
  EXPECT_EQ(count("SELECT count(*) AS n FROM reading"), expected_readings);
  EXPECT_EQ(count("SELECT count(*) AS n FROM (SELECT point_id, collect_ts FROM reading GROUP BY 1, "
                  "2 HAVING count(*) > 1) d"),
            0);

  // In order: uploads were committed (directly or by the replay) in the order each gateway sent
  // them, so along a gateway's dataIds, and along each point's collect times, the committing
  // transaction id never goes back.
  EXPECT_EQ(count("SELECT count(*) AS n FROM (SELECT xmin::text::bigint AS x, "
                  "lag(xmin::text::bigint) OVER ("
                  "PARTITION BY split_part(data_id, '-', 2) ORDER BY split_part(data_id, '-', "
                  "3)::int) AS prev "
                  "FROM upload_batch) o WHERE x < prev"),
            0);
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM (SELECT xmin::text::bigint AS x, lag(xmin::text::bigint) "
            "OVER ("
            "PARTITION BY point_id ORDER BY collect_ts) AS prev FROM reading) o WHERE x < prev"),
      0);
  // The replay really spread the uploads over several transactions (the check above is not
  // vacuous).
  EXPECT_GT(count("SELECT count(DISTINCT xmin::text) AS n FROM upload_batch"), 10);

  // One H episode for the alarm point: raised at its first high reading (sent during the
  // outage), cleared after PostgreSQL returned; evaluated once, not again on replay.
  long long first_high = -1;
  for (std::size_t seq = 0; seq < per_thread[0].size(); ++seq)
    if (info["po-0-" + std::to_string(seq)].second) {
      first_high = base_ms + static_cast<long long>(seq) * 100 + 50;
      break;
    }
  ASSERT_GE(first_high, 0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM alarm a JOIN monitoring_point p USING (point_id) "
                  "WHERE p.quota_code = '" +
                  std::string(kAlarmPoint) + "'"),
            1);
  auto episode = check.in_tx([&](storage::Tx& tx) {
    return tx.exec_one(
        "SELECT a.alarm_type, round(extract(epoch FROM a.start_ts) * 1000)::bigint AS start_ms, "
        "a.end_ts IS NOT NULL AS ended, a.peak_value FROM alarm a JOIN monitoring_point p USING "
        "(point_id) "
        "WHERE p.quota_code = $1",
        {kAlarmPoint});
  });
  ASSERT_TRUE(episode.is_object()) << episode.dump();
  EXPECT_EQ(episode["alarm_type"], "H") << episode.dump();
  EXPECT_EQ(episode["start_ms"], first_high) << episode.dump();
  EXPECT_EQ(episode["ended"], true) << episode.dump();
  if (episode["ended"] != true) {
    auto rows = check.in_tx([&](storage::Tx& tx) {
      return tx.exec(
          "SELECT r.value, round(extract(epoch FROM r.collect_ts) * 1000)::bigint AS t, "
          "r.xmin::text AS x "
          "FROM reading r JOIN monitoring_point p USING (point_id) WHERE p.quota_code = $1 ORDER "
          "BY r.collect_ts",
          {kAlarmPoint});
    });
    auto ax = check.in_tx(
        [&](storage::Tx& tx) { return tx.exec("SELECT xmin::text AS x, * FROM alarm"); });
    std::string trace;
    double last = -1;
    for (auto& r : rows)
      if (r["value"].get<double>() != last) {
        trace += r.dump() + "\n";
        last = r["value"].get<double>();
      }
    ADD_FAILURE() << "value changes of the alarm point:\n"
                  << trace << "alarm rows: " << ax.dump() << "\n"
                  << server.problems();
  }
  EXPECT_DOUBLE_EQ(episode["peak_value"].get<double>(), 16) << episode.dump();
  EXPECT_EQ(count("SELECT count(*) AS n FROM alarm a JOIN monitoring_point p USING (point_id) "
                  "WHERE p.quota_code <> '" +
                  std::string(kAlarmPoint) + "'"),
            0);

  EXPECT_EQ(server.terminate(), 0) << server.output();
  db.reset();
  pg.stop();
  guard.up = false;
  fs::remove_all(dir);
  std::printf("PostgreSQL outage test took %.1f s\n",
              duration<double>(steady_clock::now() - t_start).count());
}
