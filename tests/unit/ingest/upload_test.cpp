#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/ingest/upload.hpp>

using namespace hazmon;
using namespace hazmon::ingest;
using nlohmann::json;

namespace {
RegistrySnapshot points() {
  model::PointDef a;
  a.point_id = 1;
  a.quota_code = "LIT101";
  a.company_code = "14010000012";
  model::PointDef b = a;
  b.point_id = 2;
  b.quota_code = "JD01";
  b.analog = false;
  model::PointDef other = a;
  other.point_id = 3;
  other.quota_code = "OTHER1";
  other.company_code = "14020000001";
  return RegistrySnapshot({a, b, other});
}

model::Principal gateway(const std::string& company = "14010000012") {
  model::Principal p;
  p.role = model::Role::gateway;
  p.scope = model::Scope::enterprise(company);
  return p;
}

core::SysTime now() { return *core::parse_time("2021-10-08 10:16:00"); }

json upload(json datas) {
  return {{"companyCode", "14010000012"},
          {"gatewayCode", "14010000101"},
          {"dataId", "d-1"},
          {"reportType", "realtime"},
          {"sendTime", "2021-10-08 10:15:30"},
          {"datas", std::move(datas)}};
}

core::Errc error_of(const json& body, const model::Principal& who = gateway()) {
  try {
    decode_upload(body, points(), who, now(), {});
  } catch (const core::Error& e) {
    return e.code();
  }
  return core::Errc::internal;  // "no error" marker for the tests below
}
}  // namespace

TEST(DecodeUpload, AcceptsGoodItemsAndRejectsBadOnesByIndex) {
  auto u = decode_upload(
      upload(json::array({
          {{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", 6.42}},
          {{"quotaCode", "NOPE"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", 1}},
          {{"quotaCode", "OTHER1"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", 1}},
          {{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", "6.4"}},
          {{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 11:15:00"}, {"value", 1}},
          {{"quotaCode", "JD01"}, {"collectTime", "2021-10-08T02:15:00Z"}, {"switchValue", 1}},
          {{"quotaCode", "JD01"}, {"collectTime", "2021-10-08 10:15:00"}, {"switchValue", 2}},
          {{"quotaCode", "LIT101"}, {"collectTime", "yesterday"}, {"value", 1}},
          {{"quotaCode", "LIT101"},
           {"collectTime", "2021-10-08 10:15:00"},
           {"value", 1},
           {"quality", 9}},
      })),
      points(), gateway(), now(), {});
  ASSERT_EQ(u.readings.size(), 2u);
  EXPECT_EQ(u.readings[0].point_id, 1);
  EXPECT_DOUBLE_EQ(u.readings[0].value, 6.42);
  EXPECT_EQ(u.readings[0].collect_ms, 1633659300000);  // 2021-10-08T02:15:00Z
  EXPECT_EQ(u.readings[1].point_id, 2);
  EXPECT_EQ(u.reading_index, (std::vector<int>{0, 5}));
  std::vector<int> rejected;
  for (auto& r : u.rejected) rejected.push_back(r.index);
  EXPECT_EQ(rejected, (std::vector<int>{1, 2, 3, 4, 6, 7, 8}));
  EXPECT_EQ(u.rejected[0].reason, "unknown quotaCode");
  // Another enterprise's point is answered like one that does not exist (ADR 0015).
  EXPECT_EQ(u.rejected[1].reason, "unknown quotaCode");
  EXPECT_EQ(u.rejected[3].reason, "collectTime is in the future");
  auto reply = upload_reply(u);
  EXPECT_EQ(reply["accepted"], 2);
  EXPECT_EQ(reply["rejected"].size(), 7u);
  EXPECT_EQ(reply["dataId"], "d-1");
}

// Issue 9, attack 9: readings older than the horizon, and values no sensor can give.
TEST(DecodeUpload, RejectsOldReadingsAndAbsurdValuesOneByOne) {
  auto pts = [] {
    model::PointDef p;
    p.point_id = 1;
    p.quota_code = "LIT101";
    p.company_code = "14010000012";
    p.range_low = 0;
    p.range_high = 20;
    return RegistrySnapshot({p});
  }();
  UploadSettings s;
  s.max_reading_age = std::chrono::hours(24 * 7);
  auto u = decode_upload(
      upload(json::array({
          {{"quotaCode", "LIT101"}, {"collectTime", "1970-01-01 08:00:00"}, {"value", 1}},
          {{"quotaCode", "LIT101"},
           {"collectTime", "2021-10-01 10:16:01"},
           {"value", 1}},  // 6 d 23:59:59 ago
          {{"quotaCode", "LIT101"},
           {"collectTime", "2021-10-01 10:15:59"},
           {"value", 1}},  // 7 d 1 s ago
          {{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", 1e308}},
          {{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", -2e15}},
          {{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", 200}},
          {{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", -200.01}},
          {{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", 25}},
      })),
      pts, gateway(), now(), s);
  EXPECT_EQ(u.reading_index, (std::vector<int>{1, 5, 7}));
  ASSERT_EQ(u.rejected.size(), 5u);
  EXPECT_EQ(u.rejected[0].reason, "collectTime is older than 7 days");
  EXPECT_EQ(u.rejected[1].index, 2);
  EXPECT_EQ(u.rejected[1].reason, "collectTime is older than 7 days");
  EXPECT_EQ(u.rejected[2].reason, "value is outside ±1e15");
  EXPECT_EQ(u.rejected[3].reason, "value is outside ±1e15");
  EXPECT_EQ(u.rejected[4].index, 6);
  EXPECT_EQ(u.rejected[4].reason, "value is outside 10× the point's range");
}

TEST(DecodeUpload, PlausibleBoundIsTenTimesTheRangesScale) {
  model::PointDef p;
  EXPECT_FALSE(plausible_abs_bound(p));  // no range: only ±1e15
  p.range_low = 0;
  p.range_high = 0;
  EXPECT_FALSE(plausible_abs_bound(p));
  p.range_high = 20;
  EXPECT_DOUBLE_EQ(*plausible_abs_bound(p), 200);
  p.range_low = -1;
  p.range_high = 1;
  EXPECT_DOUBLE_EQ(*plausible_abs_bound(p), 20);  // around zero: the span
  p.range_low = 100;
  p.range_high = 101;
  EXPECT_DOUBLE_EQ(*plausible_abs_bound(p),
                   1010);  // far from zero: the magnitude (a fault reading 0 passes)
  p.range_low.reset();
  p.range_high = -50;
  EXPECT_DOUBLE_EQ(*plausible_abs_bound(p), 500);  // one bound only
}

TEST(DecodeUpload, WholeRequestErrors) {
  using core::Errc;
  EXPECT_EQ(error_of(json::array()), Errc::validation_failed);
  auto b = upload(json::array());
  b["extra"] = 1;
  EXPECT_EQ(error_of(b), Errc::validation_failed);
  b = upload(json::array());
  b.erase("dataId");
  EXPECT_EQ(error_of(b), Errc::validation_failed);
  b = upload(json::array());
  b["reportType"] = "sometimes";
  EXPECT_EQ(error_of(b), Errc::validation_failed);
  b = upload(json::array());
  b["datas"] = "lots";
  EXPECT_EQ(error_of(b), Errc::validation_failed);
  b = upload(json::array());
  b["sendTime"] = "tuesday";
  EXPECT_EQ(error_of(b), Errc::validation_failed);
  b = upload(json::array());
  b["dataId"] = "a'; DROP TABLE reading; --";
  EXPECT_EQ(error_of(b), Errc::validation_failed);
  // A gateway of another enterprise may not upload for this one.
  EXPECT_EQ(error_of(upload(json::array()), gateway("14020000001")), Errc::forbidden);
  json big = json::array();
  for (int i = 0; i < 5001; ++i)
    big.push_back({{"quotaCode", "LIT101"}, {"collectTime", "2021-10-08 10:15:00"}, {"value", 1}});
  EXPECT_EQ(error_of(upload(big)), Errc::too_large);
}

TEST(DecodeUpload, HeartbeatNeedsNoData) {
  json hb = {{"companyCode", "14010000012"},
             {"dataId", "hb-1"},
             {"reportType", "heartbeat"},
             {"sendTime", "2021-10-08 10:15:30"}};
  auto u = decode_upload(hb, points(), gateway(), now(), {});
  EXPECT_EQ(u.report_type, ReportType::heartbeat);
  EXPECT_TRUE(u.readings.empty());
}

TEST(DecodeUpload, CityPlatformMayForwardForItsRegionOnly) {
  model::Principal city;
  city.role = model::Role::city_platform;
  city.scope = model::Scope::region("140100");
  auto b = upload(json::array());
  b["forwardedBy"] = "140100";
  EXPECT_NO_THROW(decode_upload(b, points(), city, now(), {}));
  city.scope = model::Scope::region("140200");
  EXPECT_EQ(error_of(b, city), core::Errc::forbidden);
}

TEST(DecodeUpload, AForwardedUploadIsKeptUnderItsCityAndAGatewayDoesNotForward) {
  model::Principal city;
  city.role = model::Role::city_platform;
  city.name = "cz-platform";
  city.scope = model::Scope::region("140100");
  auto b = upload(json::array());
  auto u = decode_upload(b, points(), city, now(), {});
  EXPECT_EQ(u.forwarded_by, "140100");
  EXPECT_EQ(u.app_id, "cz-platform");
  EXPECT_EQ(u.data_id, "140100:" + b["dataId"].get<std::string>());
  EXPECT_EQ(upload_reply(u)["dataId"], b["dataId"]);
  b["forwardedBy"] = "140200";
  EXPECT_EQ(error_of(b, city), core::Errc::forbidden);
  b["forwardedBy"] = "140100";
  EXPECT_EQ(error_of(b, gateway()), core::Errc::forbidden);
  b.erase("forwardedBy");
  auto direct = decode_upload(b, points(), gateway(), now(), {});
  EXPECT_EQ(direct.forwarded_by, "");
  EXPECT_EQ(direct.data_id, b["dataId"].get<std::string>());
  // The enterprise's stored region decides, not its code: moved out of 140100, refused there.
  auto company = b["companyCode"].get<std::string>();
  RegistrySnapshot moved({}, {{company, "140200"}});
  EXPECT_THROW(decode_upload(b, moved, city, now(), {}), core::Error);
  city.scope = model::Scope::region("140200");
  EXPECT_NO_THROW(decode_upload(b, moved, city, now(), {}));
}

TEST(Envelope, Sm4AndAesRoundTrip) {
  std::string body = R"({"companyCode":"14010000012","dataId":"x"})";
  for (auto [cipher, key] :
       {std::pair{"sm4-cbc", "0123456789abcdeffedcba9876543210"},
        {"aes-128-cbc", "000102030405060708090a0b0c0d0e0f"},
        {"aes-256-cbc", "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"}}) {
    std::string iv = "0f0e0d0c0b0a09080706050403020100";
    auto ct = encrypt_envelope_data(body, cipher, key, iv);
    EXPECT_NE(ct.find_first_not_of("0123456789abcdef"), 0u);
    EXPECT_EQ(decrypt_envelope_data(ct, cipher, key, iv), body) << cipher;
    // A wrong key fails the padding check rather than yielding garbage JSON silently.
    std::string wrong = key;
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    EXPECT_THROW(decrypt_envelope_data(ct, cipher, wrong, iv), core::Error) << cipher;
  }
  EXPECT_THROW(decrypt_envelope_data("zz", "sm4-cbc", "0123456789abcdeffedcba9876543210",
                                     "0f0e0d0c0b0a09080706050403020100"),
               core::Error);
}

TEST(Envelope, Sm4MatchesTheStandardTestVector) {
  // GB/T 32907-2016 appendix A: key = plaintext = 0123456789abcdeffedcba9876543210 encrypts (ECB,
  // one block) to 681edf34d206965e86b3e94f536e4246. In CBC with a zero IV the first block is the
  // same.
  auto ct = encrypt_envelope_data(
      std::string("\x01\x23\x45\x67\x89\xab\xcd\xef\xfe\xdc\xba\x98\x76\x54\x32\x10", 16),
      "sm4-cbc", "0123456789abcdeffedcba9876543210", "00000000000000000000000000000000");
  EXPECT_EQ(ct.substr(0, 32), "681edf34d206965e86b3e94f536e4246");
}
