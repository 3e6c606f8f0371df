// decode_upload_text (simdjson, hand-written time parser) must decide exactly as the document
// path and core::parse_time do: same accepted items, same times, same rejections and errors.
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
  return RegistrySnapshot({a, b});
}

model::Principal gateway() {
  model::Principal p;
  p.role = model::Role::gateway;
  p.scope = model::Scope::enterprise("14010000012");
  return p;
}

core::SysTime now() { return *core::parse_time("2024-03-01 10:16:00"); }

std::string body_with_times(const std::vector<std::string>& times) {
  json datas = json::array();
  for (const auto& t : times)
    datas.push_back({{"quotaCode", "LIT101"}, {"collectTime", t}, {"value", 1.5}});
  return json{{"companyCode", "14010000012"},
              {"dataId", "t-1"},
              {"reportType", "realtime"},
              {"sendTime", "2024-03-01 10:15:30"},
              {"datas", datas}}
      .dump();
}

std::int64_t ms(core::SysTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::Errc error_of_text(const std::string& text) {
  try {
    decode_upload_text(text, points(), gateway(), now(), {});
  } catch (const core::Error& e) {
    return e.code();
  }
  return core::Errc::internal;  // "no error" marker
}
}  // namespace

TEST(DecodeUploadText, TimesAgreeWithCoreParseTime) {
  // The fast form, its edge cases, and forms only core::parse_time reads; repeated texts use
  // the remembered answer, so every string appears twice in a row.
  std::vector<std::string> cases = {
      "2024-02-29 23:59:59",       "2023-02-29 00:00:00",      "2024-02-30 00:00:00",
      "2024-04-31 12:00:00",       "2024-12-31 23:59:59",      "2024-01-01 00:00:00",
      "2024-13-01 00:00:00",       "2024-00-10 00:00:00",      "2024-01-00 00:00:00",
      "2024-01-10 24:00:00",       "2024-01-10 23:60:00",      "2024-01-10 23:59:60",
      "2024-02-29 23:59:60",       "2024-1-5 03:04:05",        "2024-01-05 3:04:05",
      "2024-01-05T03:04:05+08:00", "2024-01-05T03:04:05.250Z", "2024-01-05 03:04:05 ",
      "x024-01-05 03:04:05",       "2024-01-05 03:04:0x",      "1999-12-31 16:00:00",
      "2000-02-29 08:00:00",       "1900-02-29 08:00:00",      "1010-10-08 02:15:30",
      "9999-12-31 23:59:59",       "2262-01-01 00:00:00",      "1678-01-01 08:00:00"};
  std::vector<std::string> times;
  for (const auto& c : cases) {
    times.push_back(c);
    times.push_back(c);
  }
  UploadSettings no_horizon;
  no_horizon.max_reading_age =
      std::chrono::seconds(0);  // this test is about reading times, not their age
  auto u = decode_upload_text(body_with_times(times), points(), gateway(), now(), no_horizon);
  std::size_t next = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    auto expected = core::parse_time(times[i]);
    bool accepted = next < u.reading_index.size() && u.reading_index[next] == static_cast<int>(i);
    if (expected && *expected <= now() + std::chrono::seconds(300)) {
      ASSERT_TRUE(accepted) << times[i];
      EXPECT_EQ(u.readings[next].collect_ms, ms(*expected)) << times[i];
      ++next;
    } else {
      EXPECT_FALSE(accepted) << times[i];
    }
  }
  EXPECT_EQ(next, u.readings.size());
}

TEST(DecodeUploadText, SameResultAsTheDocumentPath) {
  std::string text =
      R"({"companyCode":"14010000012","dataId":"t-2","reportType":"realtime","sendTime":"2024-03-01 10:15:30",
    "datas":[{"quotaCode":"LIT101","collectTime":"2024-03-01 10:15:00","value":6.42,"quality":2},
             {"quotaCode":"JD01","collectTime":"2024-03-01 10:15:00","switchValue":1},
             {"quotaCode":"JD01","collectTime":"2024-03-01 10:15:00","switchValue":2},
             {"quotaCode":"LIT101","collectTime":"2024-03-01 10:15:00","value":"6.4"},
             {"quotaCode":"LIT101","collectTime":"2024-03-01 10:15:00","value":1,"quality":1.0},
             {"quotaCode":"LIT101","collectTime":"2024-03-01 10:15:00","value":18446744073709551615},
             {"quotaCode":"NOPE","collectTime":"2024-03-01 10:15:00","value":1},
             {"quotaCode":"LIT101","quotaCode":"JD01","collectTime":"2024-03-01 10:15:00","switchValue":0},
             7],
    "alarms":[{"quotaCode":"LIT101","alarmType":"H","startTime":"2024-03-01 10:14:00","value":16,"threshold":15}]})";
  auto a = decode_upload_text(text, points(), gateway(), now(), {});
  auto b = decode_upload(json::parse(text), points(), gateway(), now(), {});
  ASSERT_EQ(a.readings.size(), b.readings.size());
  for (std::size_t i = 0; i < a.readings.size(); ++i) {
    EXPECT_EQ(a.readings[i].point_id, b.readings[i].point_id) << i;
    EXPECT_EQ(a.readings[i].collect_ms, b.readings[i].collect_ms) << i;
    EXPECT_DOUBLE_EQ(a.readings[i].value, b.readings[i].value) << i;
    EXPECT_EQ(a.readings[i].quality, b.readings[i].quality) << i;
  }
  EXPECT_EQ(a.reading_index, b.reading_index);
  ASSERT_EQ(a.rejected.size(), b.rejected.size());
  for (std::size_t i = 0; i < a.rejected.size(); ++i) {
    EXPECT_EQ(a.rejected[i].index, b.rejected[i].index);
    EXPECT_EQ(a.rejected[i].reason, b.rejected[i].reason);
  }
  // The items: 0, 1 and 7 (the repeated key's last value) pass; 5 (a huge but finite number,
  // read alike on both paths) is beyond ±1e15 and rejected since issue 9.
  EXPECT_EQ(a.reading_index, (std::vector<int>{0, 1, 7}));
  EXPECT_EQ(a.readings[2].point_id, 2);
  bool five = false;
  for (const auto& r : a.rejected)
    five = five || (r.index == 5 && r.reason == "value is outside ±1e15");
  EXPECT_TRUE(five);
  ASSERT_EQ(a.alarms.size(), 1u);
  EXPECT_EQ(a.alarms[0].threshold.value_or(0), 15);
}

TEST(DecodeUploadText, MalformedTextIsABadRequest) {
  EXPECT_EQ(error_of_text(R"({"companyCode": "14010000012", "datas": [)"), core::Errc::bad_request);
  EXPECT_EQ(error_of_text(R"({"companyCode": 1e400})"), core::Errc::bad_request);
  EXPECT_EQ(error_of_text(R"({"companyCode": NaN})"), core::Errc::bad_request);
  EXPECT_EQ(error_of_text("\"upload\""), core::Errc::validation_failed);
  EXPECT_EQ(error_of_text(R"({"companyCode": "14010000012", "isAdmin": true})"),
            core::Errc::validation_failed);
  // A number beyond 64-bit integers is a double to nlohmann: read the same way here.
  EXPECT_EQ(error_of_text(R"({"companyCode": 123456789012345678901234567890})"),
            core::Errc::validation_failed);
}

// Found by tests/fuzz: a sendTime in a year the clock cannot hold (here 1010) overflowed in the
// conversion; it is now "not a time" on both paths.
TEST(DecodeUploadText, TimesOutsideTheClockAreNotTimes) {
  for (const char* send : {"1010-10-08T02:15:30+00:00", "9999-12-31 23:59:59"}) {
    std::string text =
        std::string(
            R"({"companyCode":"14010000012","dataId":"hb-7","reportType":"heartbeat","sendTime":")") +
        send + "\"}";
    EXPECT_EQ(error_of_text(text), core::Errc::validation_failed) << send;
  }
}
