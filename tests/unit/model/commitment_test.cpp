#include <gtest/gtest.h>

#include <hazmon/model/commitment.hpp>

#include <algorithm>
#include <set>

using namespace hazmon::model;

namespace {
Commitment valid() {
  Commitment c;
  c.units_total = 6;
  c.units_running = 3;
  c.units_stopped = 1;
  c.units_startup = 0;
  c.units_trial = 1;
  c.units_overhaul = 1;
  c.key_process_count = 2;
  c.committer = "张三";
  c.duty_leader = "李四";
  c.duty_phone = "13912345678";
  return c;
}
bool names(const std::vector<hazmon::core::FieldError>& e, const std::string& pointer) {
  return std::any_of(e.begin(), e.end(), [&](const auto& f) { return f.pointer == pointer; });
}
}  // namespace

TEST(Commitment, AValidOnePasses) { EXPECT_TRUE(check_commitment(valid()).empty()); }

TEST(Commitment, UnitCountsMustAddUpToTheTotal) {
  auto c = valid();
  c.units_running = 4;  // 4+1+0+1+1 = 7 ≠ 6
  auto e = check_commitment(c);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].pointer, "/units/total");
  EXPECT_NE(e[0].message.find("(6)"), std::string::npos) << e[0].message;
}

TEST(Commitment, NegativeAndHugeCountsAreNamedByPointer) {
  auto c = valid();
  c.units_stopped = -1;
  c.work[1] = kMaxCount + 1;  // hot_1
  auto e = check_commitment(c);
  EXPECT_TRUE(names(e, "/units/stopped"));
  EXPECT_TRUE(names(e, "/special_work/hot_1"));
  // A bad count is reported as itself, not as a sum that does not add up.
  EXPECT_FALSE(names(e, "/units/total"));
}

TEST(Commitment, KeyProcessesAreAtMostEighteen) {
  auto c = valid();
  c.key_process_count = 19;
  EXPECT_TRUE(names(check_commitment(c), "/key_process_count"));
  c.key_process_count = 18;
  EXPECT_TRUE(check_commitment(c).empty());
}

TEST(Commitment, SignOffAndPhoneAreRequired) {
  auto c = valid();
  c.committer = "  ";
  c.duty_leader = "";
  c.duty_phone = "12345";
  auto e = check_commitment(c);
  EXPECT_TRUE(names(e, "/committer"));
  EXPECT_TRUE(names(e, "/duty_leader"));
  EXPECT_TRUE(names(e, "/duty_phone"));
  c = valid();
  c.duty_phone = "0351-7654321";  // a fixed line
  EXPECT_TRUE(check_commitment(c).empty());
}

TEST(Commitment, SpecialWorkHasGb30871TypesAndGrades) {
  const auto& k = special_work_kinds();
  ASSERT_EQ(k.size(), 15u);
  std::set<std::string> keys;
  for (const auto& w : k) keys.insert(w.key);
  EXPECT_EQ(keys.size(), 15u);
  for (const char* want :
       {"hot_special", "hot_1", "hot_2", "confined_space", "blinding", "height_1", "height_4",
        "lifting_1", "lifting_3", "temporary_power", "excavation", "road_closure"})
    EXPECT_TRUE(keys.count(want)) << want;
  EXPECT_FALSE(keys.count("height_5"));
  EXPECT_FALSE(keys.count("lifting_4"));
}

TEST(Commitment, CommitterRolesRoundTrip) {
  for (auto r : {CommitterRole::principal, CommitterRole::technical, CommitterRole::operations,
                 CommitterRole::enterprise_principal})
    EXPECT_EQ(committer_role_from_string(to_string(r)), r);
  EXPECT_FALSE(committer_role_from_string("boss"));
}
