// The alarm vocabulary of model/alarm.hpp: every type and transition has the text stored in
// `alarm.alarm_type` and sent on the live stream, reads back from it, unknown or lower-case text
// reads as nothing, and only the four data faults count as such.
#include <gtest/gtest.h>

#include <hazmon/model/alarm.hpp>

#include <string>
#include <vector>

using namespace hazmon::model;

TEST(AlarmVocabulary, TypesRoundTripThroughTheirStoredText) {
  const std::vector<AlarmType> all = {
      AlarmType::hh,      AlarmType::h,         AlarmType::l,
      AlarmType::ll,      AlarmType::switch_on, AlarmType::out_of_range,
      AlarmType::offline, AlarmType::frozen,    AlarmType::device_fault};
  const std::vector<std::string> names = {
      "HH", "H", "L", "LL", "SWITCH", "OUT_OF_RANGE", "OFFLINE", "FROZEN", "DEVICE_FAULT"};
  ASSERT_EQ(all.size(), names.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(to_string(all[i]), names[i]);
    auto back = enum_from_string(names[i], std::type_identity<AlarmType>{});
    ASSERT_TRUE(back) << names[i];
    EXPECT_EQ(*back, all[i]);
  }
  EXPECT_FALSE(alarm_type_from_string("hh"));
  EXPECT_FALSE(alarm_type_from_string(""));
  EXPECT_FALSE(alarm_type_from_string("HHH"));
}

TEST(AlarmVocabulary, OnlyQualityTypesAreDataFaults) {
  EXPECT_FALSE(is_data_fault(AlarmType::hh));
  EXPECT_FALSE(is_data_fault(AlarmType::h));
  EXPECT_FALSE(is_data_fault(AlarmType::l));
  EXPECT_FALSE(is_data_fault(AlarmType::ll));
  EXPECT_FALSE(is_data_fault(AlarmType::switch_on));
  EXPECT_TRUE(is_data_fault(AlarmType::out_of_range));
  EXPECT_TRUE(is_data_fault(AlarmType::offline));
  EXPECT_TRUE(is_data_fault(AlarmType::frozen));
  EXPECT_TRUE(is_data_fault(AlarmType::device_fault));
}

TEST(AlarmVocabulary, TransitionsRoundTripThroughTheirText) {
  const std::vector<AlarmTransition> all = {AlarmTransition::raised, AlarmTransition::escalated,
                                            AlarmTransition::cleared};
  const std::vector<std::string> names = {"raised", "escalated", "cleared"};
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(to_string(all[i]), names[i]);
    auto back = enum_from_string(names[i], std::type_identity<AlarmTransition>{});
    ASSERT_TRUE(back) << names[i];
    EXPECT_EQ(*back, all[i]);
  }
  EXPECT_FALSE(alarm_transition_from_string("Raised"));
}
