// The camera's hint filter (src/video/hint_filter.hpp): no vapour hint while a fire or smoke
// episode of the same camera is open on an overlapping ROI; a vapour episode raised before stays.
#include <gtest/gtest.h>

#include "hint_filter.hpp"

using namespace hazmon::video;
using hazmon::video::detail::HintFilter;

namespace {

Finding make(const std::string& analyser, const std::string& kind, EventPhase phase,
             std::vector<Point> roi = {}, std::string roi_name = "全画面") {
  Finding f;
  f.analyser = analyser;
  f.kind = kind;
  f.phase = phase;
  f.roi = std::move(roi);
  f.roi_name = std::move(roi_name);
  return f;
}

std::vector<Point> rect(double x0, double y0, double x1, double y1) {
  return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

std::vector<std::string> kinds(const std::vector<Finding>& v) {
  std::vector<std::string> out;
  for (const auto& f : v) out.push_back(f.kind);
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST(HintFilter, VapourUnderOpenSmokeOrFireIsDroppedWithItsEnd) {
  for (const char* explaining : {"smoke", "fire"}) {
    HintFilter h;
    std::vector<Finding> frame{make(explaining, explaining, EventPhase::start)};
    h.apply(frame);
    EXPECT_EQ(kinds(frame), V{explaining});
    frame = {make("leak", "vapour", EventPhase::start)};
    h.apply(frame);
    EXPECT_TRUE(frame.empty()) << explaining;
    EXPECT_EQ(h.suppressed(), 1u);
    // The smoke ends first: the suppressed vapour episode stays suppressed, its end is dropped.
    frame = {make(explaining, explaining, EventPhase::end)};
    h.apply(frame);
    EXPECT_EQ(kinds(frame), V{explaining});
    frame = {make("leak", "vapour", EventPhase::end)};
    h.apply(frame);
    EXPECT_TRUE(frame.empty());
    EXPECT_EQ(h.suppressed(), 0u);
    // Without smoke, a new vapour episode is a hint again.
    frame = {make("leak", "vapour", EventPhase::start)};
    h.apply(frame);
    EXPECT_EQ(kinds(frame), V{"vapour"});
  }
}

TEST(HintFilter, SameFrameOrderDoesNotMatter) {
  HintFilter h;
  std::vector<Finding> frame{make("leak", "vapour", EventPhase::start),
                             make("smoke", "smoke", EventPhase::start)};
  h.apply(frame);
  EXPECT_EQ(kinds(frame), V{"smoke"});
}

TEST(HintFilter, OnlyOverlappingRoisExplain) {
  HintFilter h;
  std::vector<Finding> frame{
      make("smoke", "smoke", EventPhase::start, rect(0, 0, 0.4, 0.5), "roof")};
  h.apply(frame);
  // A vapour ROI elsewhere in the picture (the tank at the bottom right) keeps its hint.
  frame = {make("leak", "vapour", EventPhase::start, rect(0.5, 0.6, 1, 1), "tank")};
  h.apply(frame);
  EXPECT_EQ(kinds(frame), V{"vapour"});
  // One that overlaps the smoke's ROI does not.
  frame = {make("leak", "vapour", EventPhase::start, rect(0.3, 0.4, 0.6, 0.7), "stack")};
  h.apply(frame);
  EXPECT_TRUE(frame.empty());
}

TEST(HintFilter, VapourRaisedFirstStaysAndOtherKindsPass) {
  HintFilter h;
  std::vector<Finding> frame{make("leak", "vapour", EventPhase::start)};
  h.apply(frame);
  EXPECT_EQ(kinds(frame), V{"vapour"});
  frame = {make("smoke", "smoke", EventPhase::start), make("leak", "liquid", EventPhase::start),
           make("leave_post", "absent", EventPhase::start)};
  h.apply(frame);
  EXPECT_EQ(kinds(frame), (V{"smoke", "liquid", "absent"}));
  frame = {make("leak", "vapour", EventPhase::end)};
  h.apply(frame);
  EXPECT_EQ(kinds(frame), V{"vapour"});
}
