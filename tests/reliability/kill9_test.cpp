// kill -9 of hazmond in the middle of a load: every reading whose upload was answered 2xx is in
// PostgreSQL after the restart (checked before anything is resent), and resending every dataId
// afterwards stores nothing twice; the acknowledged ones get the very reply they got before.
#include <gtest/gtest.h>

#include <hazmon/storage/database.hpp>

#include <set>

#include "hazmond_process.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace hazmon::test::rel;

namespace {
constexpr const char* kCompany = "14050000001";  // 晋城: no other test of this binary uses it
constexpr int kPoints = 5;
constexpr int kThreads = 4;
constexpr int kItems = 40;    // readings per upload
constexpr int kMaxSeq = 450;  // uploads per thread at most (keeps collect times distinct)

std::string quota(int p) { return "K9LIT" + std::to_string(p); }

// Each (point, collect second) is used once in the whole test: reading k of upload `seq` of
// thread `t` is taken `offset` seconds before t0.
long long offset_s(int t, int seq, int i) {
  return static_cast<long long>(t) * kMaxSeq * kItems + seq * kItems + i;
}

struct Key {
  std::string quota;
  long long epoch;
  bool operator<(const Key& o) const {
    return quota != o.quota ? quota < o.quota : epoch < o.epoch;
  }
};

// (quota, collect epoch) → how many times it is in `reading`.
std::map<Key, int> stored_readings(storage::Database& db) {
  std::map<Key, int> out;
  db.in_tx([&](storage::Tx& tx) {
    for (auto& r : tx.exec("SELECT p.quota_code, extract(epoch FROM r.collect_ts)::bigint AS t, "
                           "count(*) AS n FROM reading r "
                           "JOIN monitoring_point p USING (point_id) GROUP BY 1, 2"))
      out[{r["quota_code"].get<std::string>(), r["t"].get<long long>()}] =
          static_cast<int>(r["n"].get<long long>());
  });
  return out;
}

int times(const std::map<Key, int>& stored, const Key& k) {
  auto it = stored.find(k);
  return it == stored.end() ? 0 : it->second;
}

std::vector<Key> keys_of(const json& body) {
  std::vector<Key> out;
  for (const auto& d : body["datas"])
    out.push_back(
        {d["quotaCode"].get<std::string>(),
         core::parse_time(d["collectTime"].get<std::string>())->time_since_epoch() / seconds(1)});
  return out;
}
}  // namespace

TEST(Reliability, Kill9DuringLoadLosesNothingAcknowledgedAndStoresNothingTwice) {
  auto t_start = steady_clock::now();
  TestDatabase db;
  std::string token;
  {
    // The enterprise, its points and a gateway credential, through the API as an operator would.
    TestServer setup(db);
    auto admin = setup.make_user("k9_admin", "province_admin");
    auto c = setup.client();
    auto ok = [](const HttpResult& r) {
      if (r.status != 201) throw std::runtime_error(r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kCompany}, {"name", "晋城可靠性化工有限公司"}, {"region_code", "140500"}},
        admin));
    ok(c.post_json("/api/v1/hazard-sources",
                   {{"hazard_code", std::string(kCompany) + "001"},
                    {"company_code", kCompany},
                    {"name", "罐区"},
                    {"rank", 2}},
                   admin));
    for (int p = 0; p < kPoints; ++p)
      ok(c.post_json("/api/v1/monitoring-points",
                     {{"quota_code", quota(p)},
                      {"company_code", kCompany},
                      {"hazard_code", std::string(kCompany) + "001"},
                      {"name", std::to_string(p) + "#罐液位"},
                      {"indicator_type", "level"},
                      {"value_kind", "analog"},
                      {"unit", "m"},
                      {"range_low", 0},
                      {"range_high", 20}},
                     admin));
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin));
    token = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
  }

  auto dir = temp_dir("hazmon-k9-");
  Hazmond server(dir, db.dsn());
  std::atomic<unsigned short> port{server.start()};
  auto t0 = system_clock::now() - hours(1);
  Gateways gw(token, kThreads, [&](int t, int seq) -> json {
    if (seq >= kMaxSeq) return nullptr;
    json datas = json::array();
    for (int i = 0; i < kItems; ++i)
      datas.push_back({{"quotaCode", quota(i % kPoints)},
                       {"collectTime", core::format_rfc3339(time_point_cast<seconds>(t0) -
                                                            seconds(offset_s(t, seq, i)))},
                       {"value", 5.0 + (i % 10) * 0.25}});
    return {{"companyCode", kCompany},
            {"dataId", "k9-" + std::to_string(t) + "-" + std::to_string(seq)},
            {"reportType", "realtime"},
            {"sendTime", core::format_rfc3339(system_clock::now())},
            {"datas", datas}};
  });
  gw.start(port);
  std::this_thread::sleep_for(milliseconds(2500));
  server.kill9();
  auto killed_at = steady_clock::now();
  std::this_thread::sleep_for(milliseconds(200));  // uploads meanwhile find nothing listening
  gw.stop();
  auto sent = gw.all();

  std::size_t acked = 0, unacked = 0;
  for (const auto& s : sent) (s.status == 200 ? acked : unacked)++;
  std::printf(
      "before kill -9: %zu uploads answered 200, %zu unanswered or failed (%d readings each)\n",
      acked, unacked, kItems);
  ASSERT_GT(acked, 5u) << "the load did not get going: " << server.output();
  ASSERT_GT(unacked, 0u);
  for (const auto& s : sent)
    ASSERT_TRUE(s.status == 200 || s.status == 0 || s.status == 503) << s.status;

  // Restart over the same state directory and database.
  port = server.start();
  std::printf("restarted %.1f s after the kill\n",
              duration<double>(steady_clock::now() - killed_at).count());

  // Nothing acknowledged was lost: checked before any resend could put it back.
  auto stored = stored_readings(db.db());
  std::size_t missing = 0;
  for (const auto& s : sent) {
    if (s.status != 200) continue;
    for (const auto& k : keys_of(s.body))
      if (times(stored, k) != 1) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "readings of acknowledged uploads missing or doubled after kill -9";
  for (const auto& [k, n] : stored)
    ASSERT_EQ(n, 1) << k.quota << " at " << k.epoch << " stored " << n << " times";

  // Every client resends everything it sent: the acknowledged get the same reply, the others
  // are stored now (or were stored before the kill and get their reply).
  for (const auto& s : sent) {
    auto r = HttpsClient(port).post_json("/api/v1/upload/realtime", s.body, token);
    ASSERT_EQ(r.status, 200) << s.data_id << ": " << r.body;
    if (s.status == 200) {
      EXPECT_EQ(r.json(), s.reply) << s.data_id;
    } else {
      EXPECT_EQ(r.json()["accepted"], kItems) << r.body;
    }
  }
  // Exactly once, all of them.
  stored = stored_readings(db.db());
  std::set<Key> expected;
  for (const auto& s : sent)
    for (const auto& k : keys_of(s.body)) expected.insert(k);
  EXPECT_EQ(expected.size(), sent.size() * kItems) << "the test's own collect times collide";
  EXPECT_EQ(stored.size(), expected.size());
  for (const auto& k : expected) EXPECT_EQ(times(stored, k), 1) << k.quota << " at " << k.epoch;
  auto batches = db.db().in_tx([](storage::Tx& tx) {
    return tx
        .exec_one("SELECT count(*) AS n FROM upload_batch WHERE company_code = $1", {kCompany})["n"]
        .get<long long>();
  });
  EXPECT_EQ(batches, static_cast<long long>(sent.size()));

  EXPECT_EQ(server.terminate(), 0) << server.output();
  fs::remove_all(dir);
  std::printf("kill -9 test took %.1f s\n",
              duration<double>(steady_clock::now() - t_start).count());
}
