// City federation end to end (ADR 0026, docs/federation.md): two real hazmond processes on two
// databases of the test PostgreSQL, a province and a city in `mode: city` that forwards to it
// over HTTPS with a city_platform credential, the province's dev certificate as the CA. A
// gateway uploads to the city; the uploads arrive at the province once each, as forwarded by
// the city; with the province down the city still answers 2xx and its backlog grows, then
// drains when the province is back; kill -9 of the city between store and send loses nothing
// and sends nothing twice (a row upload resent after the province took it is filed once, ADR
// 0033); an upload the province refuses for good is parked, listed and retried.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/notify/json_poster.hpp>
#include <hazmon/storage/database.hpp>

#include <chrono>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "../reliability/hazmond_process.hpp"
#include "child_process.hpp"
#include "https_client.hpp"
#include "test_database.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
constexpr const char* kCompany = "14070000001";  // 晋中: the city's own enterprise
constexpr const char* kForeign = "14010000009";  // 太原: not the city's region
constexpr const char* kRegion = "140700";
constexpr int kPoints = 3;
constexpr int kItems = 4;  // readings per upload

std::string quota(int p) { return "FEDLIT" + std::to_string(p); }

// A port nothing listens on now: the province keeps it across its restart, so that the city's
// province_url stays right.
unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// `hazmond serve` with a config of its own and extra environment (the reliability tests' process).
using Node = rel::Hazmond;

json ok(const HttpResult& r, int want = 201) {
  if (r.status != want)
    throw std::runtime_error("HTTP " + std::to_string(r.status) + ": " + r.body);
  return r.json();
}

json point_row(const std::string& company, int p, const std::string& name) {
  return {{"quota_code", quota(p) + company.substr(8)},
          {"company_code", company},
          {"hazard_code", company + "001"},
          {"name", name},
          {"indicator_type", "level"},
          {"value_kind", "analog"},
          {"unit", "m"},
          {"range_low", 0},
          {"range_high", 20}};
}

// The same enterprise and points on both sides (each instance keeps its own registry).
void registry(HttpsClient& c, const std::string& admin, const std::string& company,
              const std::string& region) {
  ok(c.post_json("/api/v1/enterprises",
                 {{"company_code", company},
                  {"name", "联邦测试化工" + company},
                  {"region_code", region},
                  {"principal", "总经理刘"}},  // who may file its commitments
                 admin));
  ok(c.post_json(
      "/api/v1/hazard-sources",
      {{"hazard_code", company + "001"}, {"company_code", company}, {"name", "罐区"}, {"rank", 2}},
      admin));
  for (int p = 0; p < kPoints; ++p)
    ok(c.post_json("/api/v1/monitoring-points",
                   point_row(company, p, std::to_string(p) + "#罐液位"), admin));
}

json upload_body(const std::string& company, const std::string& data_id, int seq) {
  json datas = json::array();
  auto t0 = time_point_cast<seconds>(system_clock::now()) - minutes(30);
  for (int i = 0; i < kItems; ++i)
    datas.push_back({{"quotaCode", quota(i % kPoints) + company.substr(8)},
                     {"collectTime", core::format_rfc3339(t0 + seconds(seq * kItems + i))},
                     {"value", 5.0 + i * 0.5}});
  return {{"companyCode", company},
          {"dataId", data_id},
          {"reportType", "realtime"},
          {"sendTime", core::format_rfc3339(system_clock::now())},
          {"datas", datas}};
}

// Polls `cond` until it holds or `limit` passes.
bool eventually(const std::function<bool()>& cond, milliseconds limit) {
  auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return cond();
}

struct ProvinceRows {
  long long uploads = 0, distinct_ids = 0, readings = 0, forwarded = 0;
};
ProvinceRows province_rows(storage::Database& db) {
  return db.in_tx([](storage::Tx& tx) {
    ProvinceRows r;
    r.uploads =
        tx.one<long long>("SELECT count(*) FROM upload_batch WHERE company_code = $1", {kCompany})
            .value_or(0);
    r.distinct_ids =
        tx.one<long long>(
              "SELECT count(DISTINCT data_id) FROM upload_batch WHERE company_code = $1",
              {kCompany})
            .value_or(0);
    r.readings = tx.one<long long>(
                       "SELECT count(*) FROM reading r JOIN monitoring_point p USING (point_id) "
                       "WHERE p.company_code = $1",
                       {kCompany})
                     .value_or(0);
    r.forwarded = tx.one<long long>(
                        "SELECT count(*) FROM upload_batch WHERE company_code = $1 AND "
                        "forwarded_by = $2",
                        {kCompany, kRegion})
                      .value_or(0);
    return r;
  });
}
}  // namespace

TEST(Federation, TheCityForwardsWhatItAcceptsOnceEachThroughOutagesAndCrashes) {
  auto t_start = steady_clock::now();
  TestDatabase province_db, city_db;
  std::string province_admin, city_admin, gateway, foreign_gateway, city_platform;
  {
    TestServer p(province_db);
    province_admin = p.make_user("fed_padmin", "province_admin");
    auto c = p.client();
    registry(c, province_admin, kCompany, kRegion);
    auto cred = ok(
        c.post_json("/api/v1/credentials",
                    {{"kind", "city_platform"}, {"scope", {{"kind", "region"}, {"code", kRegion}}}},
                    province_admin));
    city_platform = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
  }
  {
    TestServer s(city_db);
    city_admin = s.make_user("fed_cadmin", "province_admin");
    auto c = s.client();
    registry(c, city_admin, kCompany, kRegion);
    registry(c, city_admin, kForeign, "140100");
    auto token_of = [&](const char* company) {
      auto cred = ok(
          c.post_json("/api/v1/credentials",
                      {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", company}}}},
                      city_admin));
      return cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    };
    gateway = token_of(kCompany);
    foreign_gateway = token_of(kForeign);  // the province refuses it from this city
  }

  auto root = temp_dir("hazmon-fed-");
  auto pport = free_port();
  Node province(root / "province", province_db.dsn(), {{"http", {{"port", pport}}}});
  province.start();
  auto app_id = city_platform.substr(0, city_platform.find('.'));
  auto secret = city_platform.substr(city_platform.find('.') + 1);
  const json city_cfg = {
      {"mode", "city"},
      {"federation",
       {{"province_url", "https://localhost:" + std::to_string(pport)},
        {"app_id", app_id},
        {"ca_file", (root / "province" / "var" / "tls" / "dev-cert.pem").string()},
        {"region_code", kRegion},
        {"poll_interval_ms", 100},
        {"retry_initial_ms", 200},
        {"retry_max_ms", 1000},
        {"request_timeout_ms", 3000}}}};
  Node city(root / "city", city_db.dsn(), city_cfg, {"HAZMON_FEDERATION_SECRET=" + secret});
  city.start();
  auto& pdb = province_db.db();
  auto& cdb = city_db.db();
  auto send = [&](const std::string& company, const std::string& id, int seq) {
    return HttpsClient(city.port())
        .post_json("/api/v1/upload/realtime", upload_body(company, id, seq),
                   company == kCompany ? gateway : foreign_gateway);
  };
  auto status = [&] {
    return ok(HttpsClient(city.port()).get("/api/v1/federation/status", city_admin), 200);
  };
  int seq = 0;

  // 1. Forwarded as accepted, with forwardedBy: the province has each upload once.
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(send(kCompany, "fed-a" + std::to_string(i), seq++).status, 200);
  ASSERT_TRUE(eventually([&] { return province_rows(pdb).uploads == 5; }, seconds(15)))
      << city.output();
  auto rows = province_rows(pdb);
  EXPECT_EQ(rows.forwarded, 5);
  EXPECT_EQ(rows.readings, 5 * kItems);
  // The city notes them sent when its pass commits, just after the province took the last one.
  ASSERT_TRUE(eventually([&] { return status()["backlog"] == 0; }, seconds(5)));
  auto st = status();
  EXPECT_EQ(st["mode"], "city");
  EXPECT_EQ(st["region_code"], kRegion);
  EXPECT_EQ(st["sent"], 5);
  EXPECT_EQ(st["backlog"], 0);

  // Base tables go on too: a point renamed by the gateway at the city is renamed at the province.
  auto renamed =
      HttpsClient(city.port())
          .post_json("/api/v1/upload/points",
                     json::array({point_row(kCompany, 0, "0#罐液位（城市更新）")}), gateway);
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(renamed.json()["updated"], 1);
  auto province_name = [&] {
    return pdb.in_tx([](storage::Tx& tx) {
      return tx
          .one<std::string>("SELECT name FROM monitoring_point WHERE quota_code = $1",
                            {quota(0) + "001"})
          .value_or("");
    });
  };
  ASSERT_TRUE(eventually([&] { return province_name() == "0#罐液位（城市更新）"; }, seconds(10)))
      << city.output();

  // And the filed records: a commitment the gateway uploads to the city is filed at the province
  // for the same enterprise, as an upload, under the gateway's dataId (queued at the same path).
  json commitment{{"units",
                   {{"total", 5},
                    {"running", 3},
                    {"stopped", 1},
                    {"startup", 0},
                    {"trial", 0},
                    {"overhaul", 1}}},
                  {"special_work", {{"hot_1", 2}, {"confined_space", 1}}},
                  {"flags", {{"contractor", true}, {"major_hidden_danger", false}}},
                  {"key_process_count", 2},
                  {"risk_grade", "yellow"},
                  {"committer", "总经理刘"},
                  {"duty_leader", "值班长王"},
                  {"duty_phone", "13912345678"},
                  {"content", "今日承诺：城市转发省级"}};
  auto committed = HttpsClient(city.port())
                       .post_json("/api/v1/upload/commitments",
                                  {{"companyCode", kCompany},
                                   {"dataId", "fed-k0"},
                                   {"datas", json::array({commitment})}},
                                  gateway);
  ASSERT_EQ(committed.status, 200) << committed.body;
  EXPECT_EQ(committed.json()["created"], 1) << committed.body;
  auto province_commitments = [&] {
    return pdb.in_tx([](storage::Tx& tx) {
      return tx
          .one<long long>(
              "SELECT count(*) FROM safety_commitment WHERE company_code = $1 AND source = "
              "'upload' AND content = '今日承诺：城市转发省级'",
              {kCompany})
          .value_or(0);
    });
  };
  ASSERT_TRUE(eventually([&] { return province_commitments() == 1; }, seconds(10)))
      << city.output();
  // The gateway's resend after a lost answer: the city answers it as the first time and files
  // and queues nothing again (a second filing would be a second revision of the commitment).
  auto recommitted = HttpsClient(city.port())
                         .post_json("/api/v1/upload/commitments",
                                    {{"companyCode", kCompany},
                                     {"dataId", "fed-k0"},
                                     {"datas", json::array({commitment})}},
                                    gateway);
  ASSERT_EQ(recommitted.status, 200) << recommitted.body;
  EXPECT_EQ(recommitted.json(), committed.json());
  auto revisions = [](storage::Database& db) {
    return db.in_tx([](storage::Tx& tx) {
      return tx
          .one<long long>("SELECT count(*) FROM safety_commitment_history WHERE company_code = $1",
                          {kCompany})
          .value_or(-1);
    });
  };
  EXPECT_EQ(revisions(cdb), 0);
  EXPECT_EQ(cdb.in_tx([](storage::Tx& tx) {
    return tx.one<long long>("SELECT count(*) FROM federation_outbox WHERE data_id = 'fed-k0'", {})
        .value_or(-1);
  }),
            1);
  EXPECT_EQ(cdb.in_tx([](storage::Tx& tx) {
    return tx.one<std::string>("SELECT path FROM federation_outbox WHERE data_id = 'fed-k0'", {})
        .value_or("");
  }),
            "/api/v1/upload/commitments");

  // The province's certificate is verified (attack 13.2): another self-signed certificate (the
  // city's own) as the CA fails the handshake; the right one reaches it (401: no such secret).
  auto url = "https://localhost:" + std::to_string(pport);
  auto wrong = notify::JsonPoster(
                   {url, (root / "city" / "var" / "tls" / "dev-cert.pem").string(), seconds(3)})
                   .post("/api/v1/upload/realtime", "{}", "app-x.nosecret");
  EXPECT_FALSE(wrong.transport_ok);
  EXPECT_NE(wrong.error, "");
  auto right = notify::JsonPoster(
                   {url, (root / "province" / "var" / "tls" / "dev-cert.pem").string(), seconds(3)})
                   .post("/api/v1/upload/realtime", "{}", "app-x.nosecret");
  EXPECT_TRUE(right.transport_ok) << right.error;
  EXPECT_EQ(right.status, 401);

  // 2. The province down: the city still answers 2xx; its backlog grows and it counts failures.
  ASSERT_EQ(province.terminate(), 0);
  for (int i = 0; i < 6; ++i)
    ASSERT_EQ(send(kCompany, "fed-b" + std::to_string(i), seq++).status, 200);
  ASSERT_TRUE(eventually([&] { return status()["failed"].get<int>() >= 2; }, seconds(10)));
  st = status();
  EXPECT_EQ(st["backlog"], 6);
  EXPECT_GT(st["oldest_age_s"].get<double>(), 0);
  EXPECT_NE(st["last_error"].get<std::string>(), "");
  EXPECT_EQ(province_rows(pdb).uploads, 5);

  // 3. Back: the queue drains, nothing lost, nothing twice.
  province.start();
  ASSERT_TRUE(eventually([&] { return status()["backlog"] == 0; }, seconds(15))) << city.output();
  rows = province_rows(pdb);
  EXPECT_EQ(rows.uploads, 11);
  EXPECT_EQ(rows.distinct_ids, 11);
  EXPECT_EQ(rows.readings, 11 * kItems);

  // 4. kill -9 of the city between store and send: with the province down the rows are stored
  //    and queued, not sent; after the restart each is sent once.
  ASSERT_EQ(province.terminate(), 0);
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(send(kCompany, "fed-c" + std::to_string(i), seq++).status, 200);
  city.kill9();
  province.start();
  city.start();
  ASSERT_TRUE(eventually([&] { return province_rows(pdb).uploads == 14; }, seconds(15)))
      << city.output();
  //    And the other window, sent but not yet marked at the crash: the city sends those rows
  //    again, the commitment of step 1 too; the province's dedup by (companyCode, dataId) makes
  //    each a no-op (readings: upload_batch; row uploads: row_upload, migration 0037).
  city.kill9();
  cdb.in_tx([](storage::Tx& tx) {
    tx.exec(
        "UPDATE federation_outbox SET status = 'queued', sent_at = NULL WHERE data_id LIKE "
        "'fed-c%' OR data_id = 'fed-k0'");
  });
  city.start();
  ASSERT_TRUE(
      eventually([&] { return status()["backlog"] == 0 && status()["sent"] == 4; }, seconds(15)))
      << city.output();
  rows = province_rows(pdb);
  EXPECT_EQ(rows.uploads, 14);
  EXPECT_EQ(rows.distinct_ids, 14);
  EXPECT_EQ(rows.readings, 14 * kItems);
  EXPECT_EQ(rows.forwarded, 14);
  //    The commitment arrived once: one filing, no second revision, one record of its dataId.
  EXPECT_EQ(province_commitments(), 1);
  EXPECT_EQ(revisions(pdb), 0);
  EXPECT_EQ(pdb.in_tx([](storage::Tx& tx) {
    return tx
        .one<long long>("SELECT count(*) FROM row_upload WHERE data_id = $1",
                        {std::string(kRegion) + ":fed-k0"})
        .value_or(-1);
  }),
            1);

  // 5. Refused for good (another region's enterprise: 403 at the province): parked, listed,
  //    never silently dropped; the queue behind it goes on.
  ASSERT_EQ(send(kForeign, "fed-x0", seq++).status, 200);
  ASSERT_EQ(send(kCompany, "fed-d0", seq++).status, 200);
  ASSERT_TRUE(eventually([&] { return status()["parked_rows"] == 1; }, seconds(10)));
  ASSERT_TRUE(eventually([&] { return province_rows(pdb).uploads == 15; }, seconds(10)));
  auto parked = ok(HttpsClient(city.port()).get("/api/v1/federation/parked", city_admin), 200);
  ASSERT_EQ(parked["items"].size(), 1u);
  auto item = parked["items"][0];
  EXPECT_EQ(item["company_code"], kForeign);
  EXPECT_EQ(item["data_id"], "fed-x0");
  EXPECT_EQ(item["http_status"], 403);
  EXPECT_EQ(item["problem_code"], "forbidden");
  //    The admin queues it again: refused again, parked again (counted twice since start).
  auto id = std::to_string(item["id"].get<long long>());
  auto retried =
      ok(HttpsClient(city.port())
             .post_json("/api/v1/federation/parked/" + id + "/retry", json::object(), city_admin),
         200);
  EXPECT_EQ(retried["requeued"], 1);
  ASSERT_TRUE(eventually([&] { return status()["parked"] == 2 && status()["parked_rows"] == 1; },
                         seconds(10)));
  //    The same at the console: `hazmond federation parked` lists it, `retry --id` queues it.
  auto cli = [&](std::vector<std::string> args, int& rc) {
    args.insert(args.begin(), {hazmond_path(), "federation"});
    args.insert(args.end(), {"--config", (city.dir() / "hazmond.json").string()});
    auto c = spawn(args, {"HAZMON_DB_DSN=" + city_db.dsn()});
    rc = wait_exit(c, seconds(60));
    return c.output;
  };
  int rc = -1;
  auto listed = cli({"parked"}, rc);
  EXPECT_EQ(rc, 0) << listed;
  EXPECT_NE(listed.find(id + "\t" + kForeign + "\tfed-x0\t403\tforbidden"), std::string::npos)
      << listed;
  auto requeued = cli({"retry", "--id", id}, rc);
  EXPECT_EQ(rc, 0) << requeued;
  EXPECT_NE(requeued.find("1 parked upload(s) queued again"), std::string::npos) << requeued;
  ASSERT_TRUE(eventually([&] { return status()["parked"] == 3 && status()["parked_rows"] == 1; },
                         seconds(10)));
  cli({"retry", "--id", "999999"}, rc);
  EXPECT_EQ(rc, 1);  // no such parked row

  // SIGTERM drains cleanly.
  EXPECT_EQ(city.terminate(), 0);

  // 6. A credential the province refuses (401: a wrong or revoked secret) concerns every row,
  //    not one: nothing is parked, the queue waits and says why.
  Node refused(root / "city-wrong-secret", city_db.dsn(), city_cfg,
               {"HAZMON_FEDERATION_SECRET=not-the-secret"});
  refused.start();
  ASSERT_EQ(
      HttpsClient(refused.port())
          .post_json("/api/v1/upload/realtime", upload_body(kCompany, "fed-e0", seq++), gateway)
          .status,
      200);
  auto wstatus = [&] {
    return ok(HttpsClient(refused.port()).get("/api/v1/federation/status", city_admin), 200);
  };
  ASSERT_TRUE(eventually([&] { return wstatus()["failed"].get<int>() >= 2; }, seconds(10)))
      << refused.output();
  st = wstatus();
  EXPECT_EQ(st["backlog"], 1);
  EXPECT_EQ(st["parked"], 0);
  EXPECT_EQ(st["parked_rows"], 1);  // only the other region's upload of step 5
  EXPECT_NE(st["last_error"].get<std::string>().find("401"), std::string::npos) << st.dump();
  EXPECT_EQ(province_rows(pdb).uploads, 15);
  EXPECT_EQ(refused.terminate(), 0);
  EXPECT_EQ(province.terminate(), 0);

  // City mode without the secret does not start, and says what is missing.
  Node no_secret(root / "city-no-secret", city_db.dsn(), city_cfg);
  try {
    no_secret.start();
    ADD_FAILURE() << "a city instance without its federation secret started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("HAZMON_FEDERATION_SECRET"), std::string::npos)
        << e.what();
  }
  std::printf(
      "federation test: %lld ms\n",
      static_cast<long long>(duration_cast<milliseconds>(steady_clock::now() - t_start).count()));
}
