// Who hears a duty call on the live stream (docs/calls.md, attack 13.41): the called duty room's
// people only, by the rule CallService::room_of uses.
#include <gtest/gtest.h>

#include <hazmon/service/event_hub.hpp>

using hazmon::model::Role;
using hazmon::service::EventHub;

namespace {
auto province() { return hazmon::model::Scope::province(); }
auto region(const char* code) { return hazmon::model::Scope::region(code); }
auto enterprise(const char* code) { return hazmon::model::Scope::enterprise(code); }
}  // namespace

TEST(DutyRoomEvents, TheProvincesRoomIsItsOfficers) {
  auto key = EventHub::duty_room_key("region", "140000");
  EXPECT_EQ(key, "region:140000");
  EXPECT_TRUE(EventHub::in_duty_room(Role::province_admin, province(), key));
  EXPECT_TRUE(EventHub::in_duty_room(Role::province_officer, province(), key));
  EXPECT_FALSE(EventHub::in_duty_room(Role::operator_, province(), key));
  EXPECT_FALSE(EventHub::in_duty_room(Role::city_officer, region("140100"), key));
  EXPECT_FALSE(EventHub::in_duty_room(Role::enterprise_user, enterprise("14010500001"), key));
  // A city's room is not the province's, though the province's scope covers it.
  EXPECT_FALSE(EventHub::in_duty_room(Role::province_officer, province(), "region:140100"));
}

TEST(DutyRoomEvents, ACitysOrCountysRoomIsItsOwnOfficers) {
  auto city = EventHub::duty_room_key("region", "140100");
  EXPECT_TRUE(EventHub::in_duty_room(Role::city_officer, region("140100"), city));
  EXPECT_FALSE(EventHub::in_duty_room(Role::county_officer, region("140105"), city));
  EXPECT_FALSE(EventHub::in_duty_room(Role::city_officer, region("140200"), city));
  auto county = EventHub::duty_room_key("region", "140105");
  EXPECT_TRUE(EventHub::in_duty_room(Role::county_officer, region("140105"), county));
  EXPECT_FALSE(EventHub::in_duty_room(Role::city_officer, region("140100"), county));
  EXPECT_FALSE(EventHub::in_duty_room(Role::gateway, region("140105"), county));
}

TEST(DutyRoomEvents, AnEnterprisesRoomIsItsUsers) {
  auto key = EventHub::duty_room_key("enterprise", "14010500001");
  EXPECT_TRUE(EventHub::in_duty_room(Role::enterprise_user, enterprise("14010500001"), key));
  EXPECT_FALSE(EventHub::in_duty_room(Role::enterprise_user, enterprise("14010500002"), key));
  EXPECT_FALSE(EventHub::in_duty_room(Role::gateway, enterprise("14010500001"), key));
  EXPECT_FALSE(EventHub::in_duty_room(Role::county_officer, region("140105"), key));
  EXPECT_FALSE(EventHub::in_duty_room(Role::province_admin, province(), key));
  // Anything else is nobody's.
  EXPECT_FALSE(
      EventHub::in_duty_room(Role::enterprise_user, enterprise("14010500001"), "14010500001"));
}
