#include <gtest/gtest.h>

#include <hazmon/rules/gb18218.hpp>

using namespace hazmon::rules;

TEST(Gb18218, AlphaFollowsPeopleExposedBands) {
  EXPECT_DOUBLE_EQ(alpha_for_people_exposed(0), 0.5);
  EXPECT_DOUBLE_EQ(alpha_for_people_exposed(1), 1.0);
  EXPECT_DOUBLE_EQ(alpha_for_people_exposed(29), 1.0);
  EXPECT_DOUBLE_EQ(alpha_for_people_exposed(30), 1.2);
  EXPECT_DOUBLE_EQ(alpha_for_people_exposed(49), 1.2);
  EXPECT_DOUBLE_EQ(alpha_for_people_exposed(50), 1.5);
  EXPECT_DOUBLE_EQ(alpha_for_people_exposed(99), 1.5);
  EXPECT_DOUBLE_EQ(alpha_for_people_exposed(100), 2.0);
}

TEST(Gb18218, LevelBoundariesAreInclusiveBelow) {
  EXPECT_EQ(level_for_r(100), 1);
  EXPECT_EQ(level_for_r(99.999), 2);
  EXPECT_EQ(level_for_r(50), 2);
  EXPECT_EQ(level_for_r(49.9), 3);
  EXPECT_EQ(level_for_r(10), 3);
  EXPECT_EQ(level_for_r(9.99), 4);
}

TEST(Gb18218, ChlorineTankGradesAsLevelOne) {
  // 50 t of chlorine (Q = 5 t, β = 4) with 120 people exposed: R = 2 × 4 × 50/5 = 80 → level 2;
  // 60 t chlorine plus 40 t ammonia (Q = 10 t, β = 2): R = 2 × (48 + 8) = 112 → level 1.
  auto g = grade({{"7782-50-5", 50, 5, 4}}, 120);
  EXPECT_TRUE(g.is_major_hazard);
  EXPECT_DOUBLE_EQ(g.s, 10);
  EXPECT_DOUBLE_EQ(g.r, 80);
  EXPECT_EQ(g.level, 2);
  auto g2 = grade({{"7782-50-5", 60, 5, 4}, {"7664-41-7", 40, 10, 2}}, 120);
  EXPECT_DOUBLE_EQ(g2.r, 2.0 * (4 * 12 + 2 * 4));
  EXPECT_EQ(g2.level, 1);
}

TEST(Gb18218, BelowCriticalQuantityIsNotAMajorHazard) {
  auto g = grade({{"67-56-1", 100, 500, 1}}, 10);
  EXPECT_FALSE(g.is_major_hazard);
  EXPECT_FALSE(g.level.has_value());
}

TEST(Gb18218, RejectsNonsenseInputs) {
  EXPECT_THROW(grade({{"x", 1, 0, 1}}, 1), std::invalid_argument);
  EXPECT_THROW(grade({{"x", 1, 1, 0}}, 1), std::invalid_argument);
  EXPECT_THROW(grade({{"x", -1, 1, 1}}, 1), std::invalid_argument);
  EXPECT_THROW(grade({}, -1), std::invalid_argument);
}
