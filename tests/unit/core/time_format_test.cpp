#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>

using namespace hazmon::core;
using namespace std::chrono;

TEST(TimeFormat, ProvincialLocalTimeIsUtcPlus8) {
  auto t = parse_time("2021-10-08 10:15:30");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2021-10-08T02:15:30.000Z");
}

TEST(TimeFormat, Rfc3339WithOffsetsAndFractions) {
  EXPECT_EQ(format_rfc3339(*parse_time("2021-10-08T10:15:30+08:00")), "2021-10-08T02:15:30.000Z");
  EXPECT_EQ(format_rfc3339(*parse_time("2021-10-08T02:15:30.250Z")), "2021-10-08T02:15:30.250Z");
  EXPECT_EQ(format_rfc3339(*parse_time("2021-10-07T21:15:30-05:00")), "2021-10-08T02:15:30.000Z");
}

TEST(TimeFormat, RejectsMalformedAndImpossibleDates) {
  for (const char* s :
       {"", "2021-10-08", "2021-13-01 00:00:00", "2021-02-30 00:00:00", "2021-10-08T10:15:30",
        "2021-10-08 10:15:30Z", "2021-10-08T10:15:30+0800", "2021-10-08x10:15:30", "not a time",
        "2021-10-08T25:00:00Z", "2021-10-08T10:15:30.Z"}) {
    EXPECT_FALSE(parse_time(s).has_value()) << s;
  }
}

TEST(TimeFormat, FormatsBeforeEpochCorrectly) {
  EXPECT_EQ(format_rfc3339(SysTime{} - milliseconds(1)), "1969-12-31T23:59:59.999Z");
}

// Found by tests/fuzz (corpus/upload/crash-df99361390e5...): a year the nanosecond clock cannot
// hold overflowed when converted (undefined behaviour); such times are refused.
TEST(TimeFormat, RefusesYearsTheClockCannotHold) {
  for (const char* s : {"1010-10-08T02:15:30+00:00", "1677-12-31T23:59:59Z", "2262-01-01T00:00:00Z",
                        "9999-12-31 23:59:59", "0000-01-01 00:00:00", "-999-01-01T00:00:00Z"}) {
    EXPECT_FALSE(parse_time(s).has_value()) << s;
  }
  ASSERT_TRUE(parse_time("1678-01-01T00:00:00Z"));
  EXPECT_EQ(format_rfc3339(*parse_time("2261-12-31T23:59:59Z")), "2261-12-31T23:59:59.000Z");
}

TEST(TimeFormat, PostgresStyleKeepsMicrosecondsWithoutTrailingZeros) {
  using namespace std::chrono;
  SysTime whole{seconds(1764450000)};  // 2025-11-29T21:00:00Z
  EXPECT_EQ(format_rfc3339_pg(whole), "2025-11-29T21:00:00Z");
  EXPECT_EQ(format_rfc3339_pg(whole + milliseconds(120)), "2025-11-29T21:00:00.12Z");
  EXPECT_EQ(format_rfc3339_pg(whole + microseconds(7)), "2025-11-29T21:00:00.000007Z");
  EXPECT_EQ(format_rfc3339_pg(whole + nanoseconds(999)), "2025-11-29T21:00:00Z");  // floored
  EXPECT_EQ(format_rfc3339_pg(SysTime{} - seconds(1)), "1969-12-31T23:59:59Z");
}
