// The upload path end to end over HTTPS: per-item rejection, idempotent resends, rules
// producing alarm episodes, filings suppressing them, the encrypted envelope, scoping of
// uploads and of the reading queries, and the offline timer.
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/ingest/upload.hpp>
#include <hazmon/service/ingest_service.hpp>

#include "ingest_fixture.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {
long long count(const std::string& sql) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
}

using Fixture = IngestFixture;
}  // namespace

TEST(Ingest, AcceptsRejectsAndIsIdempotent) {
  Fixture f;
  auto before = count("SELECT count(*) AS n FROM reading");
  auto body = f.upload(
      "batch-1",
      json::array({f.item(f.kLevel, 30, 6.4),
                   f.item("NOPE", 30, 1),
                   f.item(f.kLevel, 20, 6.5),
                   {{"quotaCode", f.kSwitch}, {"collectTime", f.at(20)}, {"switchValue", 0}},
                   {{"quotaCode", f.kLevel}, {"collectTime", f.at(-3600)}, {"value", 1}}}));
  auto r = f.c.post_json("/api/v1/upload/realtime", body, f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 3);
  ASSERT_EQ(r.json()["rejected"].size(), 2u);
  EXPECT_EQ(r.json()["rejected"][0]["index"], 1);
  EXPECT_EQ(r.json()["rejected"][1]["index"], 4);
  EXPECT_EQ(count("SELECT count(*) AS n FROM reading"), before + 3);
  // The same dataId again: the same reply, nothing stored twice.
  auto again = f.c.post_json("/api/v1/upload/realtime", body, f.gateway);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.json(), r.json());
  EXPECT_EQ(count("SELECT count(*) AS n FROM reading"), before + 3);
  EXPECT_EQ(
      count(
          "SELECT count(*) AS n FROM upload_batch WHERE data_id = 'batch-1' AND company_code = '" +
          f.kCompany + "'"),
      1);

  auto latest = f.c.get("/api/v1/readings/latest?company_code=" + f.kCompany, f.admin);
  ASSERT_EQ(latest.status, 200) << latest.body;
  ASSERT_EQ(latest.json()["items"].size(), 2u);
  EXPECT_EQ(latest.json()["items"][0]["quota_code"], f.kSwitch);
  EXPECT_DOUBLE_EQ(latest.json()["items"][1]["value"].get<double>(), 6.5);
  EXPECT_EQ(latest.json()["items"][1]["online"], true);
  auto hist = f.c.get(
      "/api/v1/points/" + f.kLevel + "/history?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
      f.admin);
  ASSERT_EQ(hist.status, 200) << hist.body;
  EXPECT_EQ(hist.json()["items"].size(), 2u);
}

TEST(Ingest, SustainedExceedanceBecomesOneAlarmEpisode) {
  Fixture f;
  // 16 m above H = 15 for 60 s, a 19 m peak, then back below H − deadband.
  auto r = f.c.post_json(
      "/api/v1/upload/realtime",
      f.upload("alarm-1", json::array({f.item(f.kLevel, 200, 10), f.item(f.kLevel, 170, 16),
                                       f.item(f.kLevel, 140, 16.5), f.item(f.kLevel, 110, 17),
                                       f.item(f.kLevel, 80, 14.8), f.item(f.kLevel, 50, 14.2)})),
      f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  auto alarms = f.c.get("/api/v1/alarms?company_code=" + f.kCompany + "", f.admin);
  ASSERT_EQ(alarms.status, 200) << alarms.body;
  ASSERT_EQ(alarms.json()["items"].size(), 1u) << alarms.body;
  auto a = alarms.json()["items"][0];
  EXPECT_EQ(a["alarm_type"], "H");
  EXPECT_DOUBLE_EQ(a["peak_value"].get<double>(), 17);
  EXPECT_FALSE(a["end_ts"].is_null());
  EXPECT_EQ(a["suppressed"], false);
  EXPECT_EQ(a["duration_s"], 120);
}

TEST(Ingest, AlarmsInsideAFiledWindowAreSuppressed) {
  Fixture f;
  auto filing = f.c.post_json("/api/v1/filings",
                              {{"company_code", f.kCompany},
                               {"target_kind", "hazard_source"},
                               {"target_code", f.kHazard},
                               {"filing_type", "overhaul"},
                               {"starts_at", f.at(3600)},
                               {"ends_at", f.at(-3600)},
                               {"reason", "大检修"}},
                              f.admin);
  ASSERT_EQ(filing.status, 201) << filing.body;
  auto r = f.c.post_json(
      "/api/v1/upload/realtime",
      f.upload("sup-1", json::array({f.item(f.kLevel, 100, 19), f.item(f.kLevel, 60, 19.5)})),
      f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  auto alarms = f.c.get("/api/v1/alarms?company_code=" + f.kCompany + "&suppressed=true", f.admin);
  ASSERT_EQ(alarms.json()["items"].size(), 1u) << alarms.body;
  EXPECT_EQ(alarms.json()["items"][0]["alarm_type"], "HH");
  EXPECT_EQ(f.c.get("/api/v1/alarms?company_code=" + f.kCompany + "&suppressed=false", f.admin)
                .json()["items"]
                .size(),
            0u);
}

TEST(Ingest, EncryptedEnvelopeIsAccepted) {
  Fixture f;
  auto inner = f.upload("env-1", json::array({f.item(f.kLevel, 10, 7.5)}));
  auto data = ingest::encrypt_envelope_data(inner.dump(), f.envelope["cipher"],
                                            f.envelope["key_hex"], f.envelope["iv_hex"]);
  auto app_id = f.gateway.substr(0, f.gateway.find('.'));
  auto r = f.c.post_json("/api/v1/upload/realtime",
                         {{"appId", app_id}, {"dataId", "env-1"}, {"data", data}}, f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1);
  // Garbage ciphertext is a clean 400, not a 500.
  auto bad = f.c.post_json(
      "/api/v1/upload/realtime",
      {{"appId", app_id}, {"dataId", "env-2"}, {"data", "00112233445566778899aabbccddeeff"}},
      f.gateway);
  EXPECT_EQ(bad.status, 400) << bad.body;
}

// Brackets inside strings are text, not nesting: an envelope whose plaintext holds 40 of them in
// a point code opens (the envelope's depth check counted them and refused it), and so does the
// same upload sent plain.
TEST(Ingest, BracketsInStringsAreNotNesting) {
  Fixture f;
  const std::string brackets(40, '[');
  auto inner =
      f.upload("env-br-1", json::array({f.item(f.kLevel, 10, 7.5), f.item(brackets, 10, 1)}));
  auto data = ingest::encrypt_envelope_data(inner.dump(), f.envelope["cipher"],
                                            f.envelope["key_hex"], f.envelope["iv_hex"]);
  auto app_id = f.gateway.substr(0, f.gateway.find('.'));
  auto r = f.c.post_json("/api/v1/upload/realtime",
                         {{"appId", app_id}, {"dataId", "env-br-1"}, {"data", data}}, f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1);
  ASSERT_EQ(r.json()["rejected"].size(), 1u) << r.body;
  EXPECT_EQ(r.json()["rejected"][0]["index"], 1);
  auto plain = f.c.post_json(
      "/api/v1/upload/realtime",
      f.upload("plain-br-1", json::array({f.item(brackets + "\\\"{{", 10, 1)})), f.gateway);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.json()["rejected"].size(), 1u);
  // Real nesting past 32 levels is still refused, plain and inside an envelope.
  auto deep = f.upload("deep-1", json::array({f.item(f.kLevel, 10, 7.5)}));
  json nest = 1;
  for (int i = 0; i < 40; ++i) nest = json::array({nest});
  deep["extra"] = nest;
  EXPECT_EQ(f.c.post_json("/api/v1/upload/realtime", deep, f.gateway).status, 400);
  auto deep_data = ingest::encrypt_envelope_data(deep.dump(), f.envelope["cipher"],
                                                 f.envelope["key_hex"], f.envelope["iv_hex"]);
  auto opened =
      f.c.post_json("/api/v1/upload/realtime",
                    {{"appId", app_id}, {"dataId", "deep-1"}, {"data", deep_data}}, f.gateway);
  EXPECT_EQ(opened.status, 400) << opened.body;
  EXPECT_NE(opened.body.find("could not be opened"), std::string::npos) << opened.body;
}

// The envelope is told by the body's own top-level keys: a plain upload whose text mentions
// "appId" (a point code, the dataId) is a plain upload, stored as such.
TEST(Ingest, APlainUploadMentioningAppIdIsNotAnEnvelope) {
  Fixture f;
  auto body = f.upload("appId", json::array({f.item(f.kLevel, 10, 7.5), f.item("appId", 10, 1)}));
  auto r = f.c.post_json("/api/v1/upload/realtime", body, f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1);
  ASSERT_EQ(r.json()["rejected"].size(), 1u);
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM upload_batch WHERE data_id = 'appId' AND company_code = '" +
            f.kCompany + "'"),
      1);
  // A top-level appId without data is neither an envelope nor a plain upload's field.
  auto odd = f.upload("odd-1", json::array({f.item(f.kLevel, 10, 7.5)}));
  odd["appId"] = "x";
  auto refused = f.c.post_json("/api/v1/upload/realtime", odd, f.gateway);
  EXPECT_EQ(refused.status, 422) << refused.body;
}

TEST(Ingest, OnlyTheEnterprisesOwnGatewayMayUpload) {
  Fixture f;
  auto body = f.upload("x-1", json::array({f.item(f.kLevel, 10, 7.5)}));
  EXPECT_EQ(f.c.post_json("/api/v1/upload/realtime", body, f.admin).status, 403);
  EXPECT_EQ(f.c.post_json("/api/v1/upload/realtime", body, "").status, 401);
  EXPECT_EQ(f.c.post_json("/api/v1/upload/realtime", body, f.gateway + "x").status, 401);
  auto other = body;
  other["companyCode"] = "14020000001";  // not this gateway's enterprise
  EXPECT_EQ(f.c.post_json("/api/v1/upload/realtime", other, f.gateway).status, 403);
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM upload_batch WHERE data_id = 'x-1' AND company_code = '" +
            f.kCompany + "'"),
      0);
  // A city officer of another city sees none of this enterprise's readings.
  auto datong = f.srv.make_user("datong_reader" + std::to_string(f.n), "city_officer", "140200");
  auto latest = f.c.get("/api/v1/readings/latest?company_code=" + f.kCompany, datong);
  ASSERT_EQ(latest.status, 200);
  EXPECT_EQ(latest.json()["items"].size(), 0u);
  EXPECT_EQ(f.c.get("/api/v1/points/" + f.kLevel +
                        "/history?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
                    datong)
                .status,
            404);
}

TEST(Ingest, SilentPointGoesOffline) {
  Fixture f;
  ASSERT_EQ(f.c.post_json("/api/v1/upload/realtime",
                          f.upload("off-1", json::array({f.item(f.kSwitch, 1, 0)})), f.gateway)
                .status,
            200);
  f.srv.clock().advance(seconds(121));
  f.srv.ingest().tick();
  auto alarms = f.c.get(
      "/api/v1/alarms?company_code=" + f.kCompany + "&alarm_type=OFFLINE&active=true", f.admin);
  ASSERT_EQ(alarms.json()["items"].size(), 1u) << alarms.body;
  EXPECT_EQ(alarms.json()["items"][0]["quota_code"], f.kSwitch);
  EXPECT_EQ(alarms.json()["items"][0]["is_data_fault"], true);
}
