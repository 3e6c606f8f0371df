// Hostile, malformed and cross-enterprise uploads to POST /api/v1/upload/realtime. A request
// that is wrong as a whole gets its status and stable problem code and stores nothing (reading,
// upload_batch, alarm and enterprise_alarm row counts unchanged); an upload whose items are
// wrong gets 200 with rejected[{index, reason}] and stores no reading; after every case the
// server still answers /healthz, and at the end a good upload is still accepted.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/ingest/upload.hpp>
#include <hazmon/storage/database.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {
// 运城 (140800) and 忻州 (140900): no other API test uses them.
constexpr const char* kCompany = "14080000001";
constexpr const char* kOther = "14090000001";
constexpr const char* kPoint = "UBLIT1";
constexpr const char* kOtherPoint = "UBLIT9";

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, gateway, plain_gateway, other_gateway, app_id;
  json envelope;
  HttpsClient client() const { return srv->client(); }
  std::string at(int seconds_ago) const {
    return core::format_rfc3339(srv->clock().now() - seconds(seconds_ago));
  }
};

World* build_world() {
  auto w = std::make_unique<World>();
  w->srv = std::make_unique<TestServer>(shared_db());
  w->admin = w->srv->make_user("ub_admin", "province_admin");
  auto c = w->client();
  auto ok = [&](const std::string& coll, const json& body) {
    auto r = c.post_json("/api/v1/" + coll, body, w->admin);
    if (r.status != 201) throw std::runtime_error("setup: POST " + coll + " → " + r.body);
    return r.json();
  };
  for (auto [code, region, hazard, point] :
       {std::tuple{kCompany, "140800", "14080000001001", kPoint},
        std::tuple{kOther, "140900", "14090000001001", kOtherPoint}}) {
    ok("enterprises", {{"company_code", code},
                       {"name", std::string("坏上传化工有限公司") + code},
                       {"region_code", region}});
    ok("hazard-sources",
       {{"hazard_code", hazard}, {"company_code", code}, {"name", "罐区"}, {"rank", 3}});
    ok("monitoring-points", {{"quota_code", point},
                             {"company_code", code},
                             {"hazard_code", hazard},
                             {"name", "液位"},
                             {"indicator_type", "level"},
                             {"value_kind", "analog"},
                             {"unit", "m"},
                             {"range_low", 0},
                             {"range_high", 20},
                             {"h", 15},
                             {"debounce_s", 0}});
  }
  auto cred = [&](const std::string& company, bool envelope) {
    json body = {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", company}}}};
    if (envelope) body["envelope_cipher"] = "sm4-cbc";
    return ok("credentials", body);
  };
  auto e = cred(kCompany, true);
  w->app_id = e["app_id"].get<std::string>();
  w->gateway = w->app_id + "." + e["secret"].get<std::string>();
  w->envelope = e["envelope"];
  auto p = cred(kCompany, false);
  w->plain_gateway = p["app_id"].get<std::string>() + "." + p["secret"].get<std::string>();
  auto o = cred(kOther, false);
  w->other_gateway = o["app_id"].get<std::string>() + "." + o["secret"].get<std::string>();
  return w.release();
}

World* world() {
  static World* w = nullptr;
  static std::string failure;
  if (!w && failure.empty()) {
    try {
      w = build_world();
    } catch (const std::exception& ex) {
      failure = ex.what();
    }
  }
  if (!w) ADD_FAILURE() << "the upload world could not be built: " << failure;
  return w;
}

// Rows that any upload could add.
// Alarms are counted for this file's two enterprises only: the database is shared with the
// other API tests, and a server's own background work may raise another enterprise's alarm
// (CI once counted 88 against 87 during an item that stores nothing).
std::map<std::string, long long> counts() {
  std::map<std::string, long long> out;
  const std::string ours =
      std::string(" WHERE company_code IN ('") + kCompany + "', '" + kOther + "')";
  shared_db().db().in_tx([&](storage::Tx& tx) {
    for (const char* t : {"reading", "upload_batch", "reading_latest"})
      out[t] = tx.exec_one(std::string("SELECT count(*) AS n FROM ") + t)["n"].get<long long>();
    for (const char* t : {"alarm", "enterprise_alarm"})
      out[t] =
          tx.exec_one(std::string("SELECT count(*) AS n FROM ") + t + ours)["n"].get<long long>();
  });
  return out;
}

::testing::AssertionResult is_problem(const HttpResult& r, int status, const std::string& code) {
  if (r.status != status)
    return ::testing::AssertionFailure()
           << "status " << r.status << " (want " << status << "): " << r.body.substr(0, 300);
  if (r.header("content-type").rfind("application/problem+json", 0) != 0)
    return ::testing::AssertionFailure() << "content-type '" << r.header("content-type") << "'";
  auto j = r.json();
  if (!j.is_object() || j.value("code", "") != code)
    return ::testing::AssertionFailure() << "code (want " << code << "): " << r.body.substr(0, 300);
  if (j.value("request_id", "").empty()) return ::testing::AssertionFailure() << "no request_id";
  return ::testing::AssertionSuccess();
}

// ---- request builders ----------------------------------------------------------------------
json good(const World& w, const std::string& data_id, json datas) {
  return {{"companyCode", kCompany},  {"gatewayCode", "GWUB0000001"}, {"dataId", data_id},
          {"reportType", "realtime"}, {"sendTime", w.at(0)},          {"datas", std::move(datas)}};
}
json item(const World& w, json value, int seconds_ago = 10, std::string quota = kPoint) {
  return {{"quotaCode", quota}, {"collectTime", w.at(seconds_ago)}, {"value", std::move(value)}};
}

using Send = std::function<HttpResult(World&)>;
const std::string kPath = "/api/v1/upload/realtime";

Send as_gateway(std::function<json(World&)> body) {
  return [=](World& w) { return w.client().post_json(kPath, body(w), w.gateway); };
}
Send text(std::string body, std::string content_type = "application/json") {
  return [=](World& w) {
    std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + w.gateway}};
    if (!content_type.empty()) h.emplace_back("Content-Type", content_type);
    return w.client().request("POST", kPath, body, h);
  };
}
// A good upload's text with `from` replaced by `to` (for what nlohmann would refuse to write).
Send edited(std::string from, std::string to) {
  return [=](World& w) {
    auto s = good(w, "ub-edited", json::array({item(w, 7.25)})).dump();
    auto pos = s.find(from);
    if (pos == std::string::npos) throw std::runtime_error("edited: " + from + " not in " + s);
    s.replace(pos, from.size(), to);
    std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + w.gateway},
                                                          {"Content-Type", "application/json"}};
    return w.client().request("POST", kPath, s, h);
  };
}
json without(json j, const char* key) {
  j.erase(key);
  return j;
}
json with(json j, const char* key, json v) {
  j[key] = std::move(v);
  return j;
}
Send field(const char* key, json v) {
  return as_gateway(
      [=](World& w) { return with(good(w, "ub-field", json::array({item(w, 7.25)})), key, v); });
}
Send envelope(std::function<json(World&)> f) {
  return [=](World& w) { return w.client().post_json(kPath, f(w), w.gateway); };
}
std::string sealed(const World& w, const std::string& plain) {
  return ingest::encrypt_envelope_data(plain, w.envelope["cipher"], w.envelope["key_hex"],
                                       w.envelope["iv_hex"]);
}

struct Whole {
  std::string name;
  Send send;
  int status;
  std::string code;
};

std::vector<Whole> whole_request_cases() {
  return {
      // Not JSON, or not the JSON of an upload.
      {"truncated_json",
       text(R"({"companyCode": "14080000001", "dataId": "ub-1", "datas": [{"quotaCode": "UBL)"),
       400, "bad_request"},
      {"empty_body", text(""), 400, "bad_request"},
      {"wrong_content_type", text(R"({"companyCode": "14080000001"})", "text/plain"), 415,
       "unsupported_media_type"},
      {"body_is_array", text(R"([{"quotaCode": "UBLIT1", "value": 1}])"), 422, "validation_failed"},
      {"body_is_string", text(R"("upload")"), 422, "validation_failed"},
      {"nan_literal", edited("7.25", "NaN"), 400, "bad_request"},
      {"infinity_literal", edited("7.25", "Infinity"), 400, "bad_request"},
      {"number_beyond_double", edited("7.25", "1e400"), 400, "bad_request"},
      {"depth_bomb",
       text(R"({"companyCode": "14080000001", "datas": )" + std::string(5000, '[') +
            std::string(5000, ']') + "}"),
       400, "bad_request"},
      {"unknown_top_level_field", field("isAdmin", true), 422, "validation_failed"},
      // The envelope of an upload.
      {"company_code_missing", as_gateway([](World& w) {
         return without(good(w, "ub-2", json::array({item(w, 1)})), "companyCode");
       }),
       422, "validation_failed"},
      {"company_code_number", field("companyCode", 14080000001LL), 422, "validation_failed"},
      {"company_code_short", field("companyCode", "1408000000"), 422, "validation_failed"},
      {"company_code_fullwidth_digits", field("companyCode", "１４０８００００００１"), 422,
       "validation_failed"},
      {"company_code_sql", field("companyCode", "1408' OR 1=1"), 422, "validation_failed"},
      {"data_id_missing", as_gateway([](World& w) {
         return without(good(w, "x", json::array({item(w, 1)})), "dataId");
       }),
       422, "validation_failed"},
      {"data_id_empty", field("dataId", ""), 422, "validation_failed"},
      {"data_id_too_long", field("dataId", std::string(65, 'a')), 422, "validation_failed"},
      {"data_id_sql", field("dataId", "'; DROP TABLE reading; --"), 422, "validation_failed"},
      {"data_id_unicode", field("dataId", "批次-1"), 422, "validation_failed"},
      {"gateway_code_sql", field("gatewayCode", "GW'--"), 422, "validation_failed"},
      {"report_type_unknown", field("reportType", "history"), 422, "validation_failed"},
      {"report_type_number", field("reportType", 1), 422, "validation_failed"},
      {"send_time_garbage", field("sendTime", "yesterday at noon"), 422, "validation_failed"},
      {"send_time_impossible_date", field("sendTime", "2021-02-30 25:61:00"), 422,
       "validation_failed"},
      {"send_time_missing", as_gateway([](World& w) {
         return without(good(w, "ub-3", json::array({item(w, 1)})), "sendTime");
       }),
       422, "validation_failed"},
      {"datas_object", field("datas", {{"quotaCode", kPoint}, {"value", 1}}), 422,
       "validation_failed"},
      {"datas_string", field("datas", "[]"), 422, "validation_failed"},
      {"datas_missing_realtime",
       as_gateway([](World& w) { return without(good(w, "ub-4", json::array()), "datas"); }), 422,
       "validation_failed"},
      {"alarms_not_array", field("alarms", "H"), 422, "validation_failed"},
      {"alarm_of_unknown_point",
       field("alarms", json::array({{{"quotaCode", "NOPE"},
                                     {"alarmType", "H"},
                                     {"startTime", "2021-10-08 10:14:40"}}})),
       422, "validation_failed"},
      {"items_over_the_limit", field("datas", json(std::vector<json>(5001, json::object()))), 413,
       "too_large"},
      // Declared larger than the limit: refused before the body is read (writing all of it
      // would race the server's close).
      {"body_over_the_limit",
       [](World& w) {
         return w.client().raw("POST " + kPath + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                               w.gateway +
                               "\r\nContent-Type: application/json\r\nContent-Length: "
                               "307200\r\n\r\n{\"companyCode\": ");
       },
       413, "body_too_large"},
      // Who is uploading, and for whom.
      {"other_enterprise_company_code", field("companyCode", kOther), 403, "forbidden"},
      {"duplicate_company_code_last_wins",
       [](World& w) {
         auto s = good(w, "ub-dup", json::array({item(w, 1)})).dump();
         s.insert(s.size() - 1, std::string(R"(,"companyCode":")") + kOther + "\"");
         return w.client().request(
             "POST", kPath, s,
             {{"Authorization", "Bearer " + w.gateway}, {"Content-Type", "application/json"}});
       },
       403, "forbidden"},
      {"other_enterprises_gateway",
       [](World& w) {
         return w.client().post_json(kPath, good(w, "ub-5", json::array({item(w, 1)})),
                                     w.other_gateway);
       },
       403, "forbidden"},
      {"no_credentials",
       [](World& w) {
         return w.client().post_json(kPath, good(w, "ub-6", json::array({item(w, 1)})));
       },
       401, "unauthenticated"},
      {"wrong_secret",
       [](World& w) {
         return w.client().post_json(kPath, good(w, "ub-7", json::array({item(w, 1)})),
                                     w.app_id + ".not-the-secret");
       },
       401, "unauthenticated"},
      {"person_uploading",
       [](World& w) {
         return w.client().post_json(kPath, good(w, "ub-8", json::array({item(w, 1)})), w.admin);
       },
       403, "forbidden"},
      // The encrypted envelope.
      {"envelope_wrong_app_id", envelope([](World& w) {
         return json{{"appId", "someone-else"},
                     {"dataId", "ub-9"},
                     {"data", sealed(w, good(w, "ub-9", json::array({item(w, 1)})).dump())}};
       }),
       403, "forbidden"},
      {"envelope_bad_base64", envelope([](World& w) {
         return json{{"appId", w.app_id}, {"dataId", "ub-10"}, {"data", "%%%not base64 or hex%%%"}};
       }),
       400, "bad_request"},
      {"envelope_truncated_ciphertext", envelope([](World& w) {
         auto c = sealed(w, good(w, "ub-11", json::array({item(w, 1)})).dump());
         return json{{"appId", w.app_id}, {"dataId", "ub-11"}, {"data", c.substr(0, c.size() - 6)}};
       }),
       400, "bad_request"},
      {"envelope_not_json_inside", envelope([](World& w) {
         return json{{"appId", w.app_id},
                     {"dataId", "ub-12"},
                     {"data", sealed(w, "companyCode=14080000001")}};
       }),
       400, "bad_request"},
      {"envelope_depth_bomb_inside", envelope([](World& w) {
         return json{
             {"appId", w.app_id}, {"dataId", "ub-13"}, {"data", sealed(w, std::string(200, '['))}};
       }),
       400, "bad_request"},
      {"envelope_data_number", envelope([](World& w) {
         return json{{"appId", w.app_id}, {"dataId", "ub-14"}, {"data", 12345}};
       }),
       422, "validation_failed"},
      {"envelope_extra_field", envelope([](World& w) {
         return json{{"appId", w.app_id}, {"dataId", "ub-15"}, {"data", "00"}, {"key", "x"}};
       }),
       422, "validation_failed"},
      {"envelope_without_key",
       [](World& w) {
         auto app = w.plain_gateway.substr(0, w.plain_gateway.find('.'));
         return w.client().post_json(
             kPath, {{"appId", app}, {"dataId", "ub-16"}, {"data", "00112233"}}, w.plain_gateway);
       },
       422, "validation_failed"},
      {"envelope_hiding_other_company", envelope([](World& w) {
         return json{{"appId", w.app_id},
                     {"dataId", "ub-17"},
                     {"data", sealed(w, with(good(w, "ub-17", json::array({item(w, 1)})),
                                             "companyCode", kOther)
                                            .dump())}};
       }),
       403, "forbidden"},
  };
}

struct PerItem {
  std::string name;
  std::function<json(World&)> item;
  std::string reason;  // a word the rejection reason must contain
};

std::vector<PerItem> per_item_cases() {
  return {
      {"future_collect_time", [](World& w) { return item(w, 5, -3600); }, "future"},
      // Another enterprise's point is answered exactly like a point that does not exist (ADR 0015).
      {"other_enterprises_point", [](World& w) { return item(w, 5, 10, kOtherPoint); },
       "unknown quotaCode"},
      {"unknown_point", [](World& w) { return item(w, 5, 10, "NOPE"); }, "unknown"},
      {"point_sql", [](World& w) { return item(w, 5, 10, "x' OR '1'='1"); }, "unknown"},
      {"point_unicode", [](World& w) { return item(w, 5, 10, "液位计一"); }, "unknown"},
      {"value_string", [](World& w) { return item(w, "12.5"); }, "number"},
      {"value_boolean", [](World& w) { return item(w, true); }, "number"},
      {"value_array",
       [](World& w) {
         return item(w, json::array({1, 2}));
       },
       "number"},
      {"value_missing",
       [](World& w) {
         return json{{"quotaCode", kPoint}, {"collectTime", w.at(10)}};
       },
       "required"},
      {"switch_value_2",
       [](World& w) {
         return json{{"quotaCode", kPoint}, {"collectTime", w.at(10)}, {"switchValue", 2}};
       },
       "0 or 1"},
      {"collect_time_garbage",
       [](World& w) {
         return json{{"quotaCode", kPoint}, {"collectTime", "soon"}, {"value", 1}};
       },
       "time"},
      {"collect_time_number",
       [](World& w) {
         return json{{"quotaCode", kPoint}, {"collectTime", 1633659300}, {"value", 1}};
       },
       "collectTime"},
      {"quality_out_of_range", [](World& w) { return with(item(w, 1), "quality", 9); }, "quality"},
      {"item_not_object", [](World&) { return json(42); }, "object"},
      {"quota_code_missing",
       [](World& w) {
         return json{{"collectTime", w.at(10)}, {"value", 1}};
       },
       "quotaCode"},
      // Issue 9, attack 9: readings from long ago and absurd values (the point's range is 0…20,
      // so 10× its scale is ±200; ingest.max_reading_age_days is 7 in the test server).
      {"reading_from_1970",
       [](World&) {
         return json{{"quotaCode", kPoint}, {"collectTime", "1970-01-01 08:00:00"}, {"value", 5}};
       },
       "older than 7 days"},
      {"reading_from_1970_rfc3339",
       [](World&) {
         return json{{"quotaCode", kPoint}, {"collectTime", "1970-01-01T00:00:00Z"}, {"value", 5}};
       },
       "older than 7 days"},
      {"reading_8_days_old", [](World& w) { return item(w, 5, 8 * 86400); }, "older than 7 days"},
      {"value_1e308", [](World& w) { return item(w, 1e308); }, "±1e15"},
      {"value_minus_1e308", [](World& w) { return item(w, -1e308); }, "±1e15"},
      {"value_1e16", [](World& w) { return item(w, 1e16); }, "±1e15"},
      {"value_beyond_ten_times_range", [](World& w) { return item(w, 200.5); }, "10×"},
      {"value_below_ten_times_range", [](World& w) { return item(w, -250); }, "10×"},
  };
}
}  // namespace

TEST(UploadBadInput, WholeRequestsAreRefusedAndStoreNothing) {
  auto* w = world();
  ASSERT_NE(w, nullptr);
  auto cases = whole_request_cases();
  ASSERT_GE(cases.size(), 30u);
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto before = counts();
    auto r = c.send(*w);
    EXPECT_TRUE(is_problem(r, c.status, c.code)) << c.name;
    EXPECT_EQ(counts(), before) << c.name << " stored something";
    EXPECT_EQ(w->client().get("/healthz").status, 200) << "not serving after " << c.name;
  }
}

TEST(UploadBadInput, BadItemsAreRejectedOneByOne) {
  auto* w = world();
  ASSERT_NE(w, nullptr);
  auto cases = per_item_cases();
  int n = 0;
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto before = counts();
    auto id = "ub-item-" + std::to_string(n++);
    auto r = w->client().post_json(kPath, good(*w, id, json::array({c.item(*w)})), w->gateway);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["accepted"], 0) << r.body;
    ASSERT_EQ(r.json()["rejected"].size(), 1u) << r.body;
    EXPECT_EQ(r.json()["rejected"][0]["index"], 0);
    EXPECT_NE(r.json()["rejected"][0]["reason"].get<std::string>().find(c.reason),
              std::string::npos)
        << r.body;
    auto after = counts();
    EXPECT_EQ(after["reading"], before["reading"]);
    EXPECT_EQ(after["reading_latest"], before["reading_latest"]);
    EXPECT_EQ(after["alarm"], before["alarm"]);
    // The upload itself is recorded (its reply serves a resend), with nothing accepted.
    EXPECT_EQ(after["upload_batch"], before["upload_batch"] + 1);
  }
  // Good and bad items side by side: only the bad ones go, by index; the other enterprise's
  // point is untouched.
  auto before = counts();
  auto r = w->client().post_json(kPath,
                                 good(*w, "ub-mixed",
                                      json::array({item(*w, 7.5, 30), item(*w, 16, 20, kOtherPoint),
                                                   item(*w, "NaN", 15), item(*w, 8, 10)})),
                                 w->gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 2);
  ASSERT_EQ(r.json()["rejected"].size(), 2u);
  EXPECT_EQ(r.json()["rejected"][0]["index"], 1);
  EXPECT_EQ(r.json()["rejected"][1]["index"], 2);
  EXPECT_EQ(counts()["reading"], before["reading"] + 2);
  auto other = shared_db().db().in_tx([](storage::Tx& tx) {
    return tx
        .exec_one(
            "SELECT count(*) AS n FROM reading r JOIN monitoring_point p USING (point_id) WHERE "
            "p.company_code = $1",
            {kOther})["n"]
        .get<long long>();
  });
  EXPECT_EQ(other, 0);
}

TEST(UploadBadInput, ServerStillAcceptsAGoodUploadAfterward) {
  auto* w = world();
  ASSERT_NE(w, nullptr);
  auto before = counts();
  auto r = w->client().post_json(kPath, good(*w, "ub-final", json::array({item(*w, 6.5, 5)})),
                                 w->gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1);
  EXPECT_EQ(counts()["reading"], before["reading"] + 1);
}
