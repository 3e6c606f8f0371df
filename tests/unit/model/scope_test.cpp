#include <gtest/gtest.h>

#include <hazmon/model/scope.hpp>

using namespace hazmon::model;

TEST(Scope, RegionLevelsFromGbt2260Codes) {
  EXPECT_EQ(region_level("140000"), RegionLevel::province);
  EXPECT_EQ(region_level("140100"), RegionLevel::city);
  EXPECT_EQ(region_level("140105"), RegionLevel::county);
  EXPECT_FALSE(region_level("14010"));
  EXPECT_FALSE(region_level("1401000"));
  EXPECT_FALSE(region_level("14a100"));
  EXPECT_FALSE(region_level("000000"));
}

TEST(Scope, PrefixesSelectEverythingBelow) {
  EXPECT_EQ(region_prefix("140000"), "14");
  EXPECT_EQ(region_prefix("140100"), "1401");
  EXPECT_EQ(region_prefix("140105"), "140105");
}

TEST(Scope, CoversOwnRegionOnly) {
  auto city = Scope::region("140100");
  EXPECT_TRUE(city.covers_region("140100"));
  EXPECT_TRUE(city.covers_region("140105"));
  EXPECT_FALSE(city.covers_region("140200"));
  EXPECT_FALSE(city.covers_region("141100"));  // 1411 is not under 1401
  auto county = Scope::region("140105");
  EXPECT_TRUE(county.covers_region("140105"));
  EXPECT_FALSE(county.covers_region("140106"));
  EXPECT_FALSE(county.covers_region("140100"));
  EXPECT_TRUE(Scope::province().covers_region("141100"));
  EXPECT_FALSE(Scope::enterprise("14010090001").covers_region("140100"));
}

TEST(Roles, RoundTripAndCapabilities) {
  for (auto r :
       {Role::province_admin, Role::province_officer, Role::city_officer, Role::county_officer,
        Role::enterprise_user, Role::operator_, Role::gateway, Role::city_platform}) {
    EXPECT_EQ(role_from_string(to_string(r)), r);
  }
  EXPECT_FALSE(role_from_string("root"));
  EXPECT_TRUE(can_write_registry(Role::city_officer));
  EXPECT_FALSE(can_write_registry(Role::province_officer));
  EXPECT_FALSE(can_write_registry(Role::operator_));
  EXPECT_TRUE(can_manage_users(Role::province_admin));
  EXPECT_FALSE(can_manage_users(Role::city_officer));
  Principal gw;
  gw.role = Role::gateway;
  EXPECT_FALSE(gw.is_person());
}
