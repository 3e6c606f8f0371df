// ROI polygons and duty hours (China Standard Time, whatever the server's zone).
#include <gtest/gtest.h>

#include <hazmon/core/error.hpp>

#include "duty_schedule.hpp"
#include "roi.hpp"

using namespace hazmon::video::detail;
using nlohmann::json;
using namespace std::chrono;

namespace {
// 2026-11-30 is a Monday; local = UTC + 8 h.
hazmon::core::SysTime local(int day_of_month, int hh, int mm) {
  return hazmon::core::SysTime{seconds(1'795'968'000)} + days(day_of_month - 30) + hours(hh) +
         minutes(mm);
}
}  // namespace

TEST(Roi, ContainsPointsOfAConcavePolygon) {
  // An L shape: the notch (top right) is outside.
  Roi l{"l", {{0, 0}, {0.5, 0}, {0.5, 0.5}, {1, 0.5}, {1, 1}, {0, 1}}};
  struct Case {
    double x, y;
    bool inside;
  };
  for (auto c :
       {Case{0.25, 0.25, true}, Case{0.75, 0.25, false}, Case{0.75, 0.75, true},
        Case{0.5, 0.25, true}, Case{1.01, 0.75, false}, Case{0, 1, true}, Case{0.6, 0.49, false}}) {
    EXPECT_EQ(l.contains(c.x, c.y), c.inside) << c.x << "," << c.y;
  }
  EXPECT_TRUE(whole_frame_roi().whole_frame());
  EXPECT_FALSE(l.whole_frame());
}

TEST(Roi, BoundsAndMaskFollowThePolygon) {
  Roi r{"r", {{0.25, 0.5}, {0.75, 0.5}, {0.75, 1.0}, {0.25, 1.0}}};
  auto b = r.bounds({200, 100});
  EXPECT_EQ(b, cv::Rect(50, 50, 100, 50));
  cv::Mat m = r.mask({200, 100}, b);
  EXPECT_EQ(m.size(), b.size());
  EXPECT_GT(cv::countNonZero(m), 0.95 * b.area());
  auto r2 =
      find_roi(json::parse(R"([{"name":"a","polygon":[[0,0],[1,0],[0,1]]}])"), "a", "fire", "roi");
  EXPECT_EQ(r2.polygon.size(), 3u);
  EXPECT_THROW(find_roi(json::array(), "a", "fire", "roi"), hazmon::core::Error);
}

TEST(DutySchedule, LocalTimeIsChinaStandardTime) {
  auto lt = china_local(local(30, 0, 5));  // Monday 00:05 local = Sunday 16:05 UTC
  EXPECT_EQ(lt.weekday, 1);
  EXPECT_EQ(lt.minute, 5);
  lt = china_local(local(29, 23, 59));
  EXPECT_EQ(lt.weekday, 7);
  EXPECT_EQ(lt.minute, 23 * 60 + 59);
}

TEST(DutySchedule, Table) {
  auto day =
      DutySchedule::parse(json::parse(R"([{"days":[1,2,3,4,5],"from":"08:00","to":"20:00"}])"));
  auto night = DutySchedule::parse(json::parse(R"([{"days":[1],"from":"20:00","to":"08:00"}])"));
  auto whole = DutySchedule::parse(json::parse(R"([{"days":[6,7],"from":"00:00","to":"24:00"}])"));
  auto always = DutySchedule::parse(json::array());
  struct Case {
    const DutySchedule* s;
    int dom, hh, mm;
    bool on;
    const char* why;
  };
  const Case cases[] = {
      {&day, 30, 8, 0, true, "Monday 08:00, start is inclusive"},
      {&day, 30, 19, 59, true, "Monday 19:59"},
      {&day, 30, 20, 0, false, "Monday 20:00, end is exclusive"},
      {&day, 30, 7, 59, false, "Monday 07:59"},
      {&day, 29, 10, 0, false, "Sunday"},
      {&day, 28, 10, 0, false, "Saturday"},
      {&night, 30, 21, 0, true, "Monday night"},
      {&night, 31 /* Tuesday */, 7, 59, true, "Tuesday morning continues Monday's shift"},
      {&night, 31, 8, 0, false, "Tuesday 08:00, shift over"},
      {&night, 31, 21, 0, false, "Tuesday night is not listed"},
      {&night, 30, 7, 0, false, "Monday morning: Sunday had no night shift"},
      {&whole, 28, 0, 0, true, "Saturday midnight"},
      {&whole, 29, 23, 59, true, "Sunday 23:59"},
      {&whole, 30, 0, 0, false, "Monday"},
      {&always, 30, 3, 0, true, "empty schedule = always"},
  };
  for (const auto& c : cases) EXPECT_EQ(c.s->on_duty(local(c.dom, c.hh, c.mm)), c.on) << c.why;
  EXPECT_TRUE(always.always());
  EXPECT_FALSE(day.always());
}
