#include <gtest/gtest.h>

#include <hazmon/rules/thresholds.hpp>

using namespace hazmon::rules;

namespace {
std::vector<std::string> fields(const Limits& l) {
  std::vector<std::string> out;
  for (auto& p : check_limits(l)) out.push_back(p.field);
  return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST(Thresholds, OrderedLimitsInsideTheRangePass) {
  EXPECT_TRUE(check_limits({0.0, 10.0, 1.0, 2.0, 8.0, 9.0}).empty());
  EXPECT_TRUE(
      check_limits({0.0, 10.0, 2.0, 2.0, 8.0, 8.0}).empty());  // LL = L and H = HH are allowed
  EXPECT_TRUE(check_limits({}).empty());
  EXPECT_TRUE(check_limits({0.0, 100.0, std::nullopt, std::nullopt, 25.0, 50.0}).empty());
}

TEST(Thresholds, EachViolationNamesItsField) {
  EXPECT_EQ(fields({10.0, 0.0, {}, {}, {}, {}}), V{"range_high"});
  EXPECT_EQ(fields({0.0, 10.0, 3.0, 2.0, {}, {}}), V{"ll"});
  EXPECT_EQ(fields({0.0, 10.0, {}, 5.0, 5.0, {}}), V{"h"});  // L < H is strict
  EXPECT_EQ(fields({0.0, 10.0, {}, {}, 9.0, 8.0}), V{"hh"});
  EXPECT_EQ(fields({0.0, 10.0, {}, {}, {}, 11.0}), V{"hh"});
  EXPECT_EQ(fields({0.0, 10.0, -1.0, {}, {}, {}}), V{"ll"});
  EXPECT_EQ(fields({0.0, 10.0, 6.0, {}, {}, 5.0}), V{"hh"});  // only LL and HH present
}
