#include <gtest/gtest.h>

#include <hazmon/model/commitment.hpp>
#include <hazmon/model/work_permit.hpp>

#include <algorithm>
#include <set>

using namespace hazmon::model;
using namespace std::chrono;

namespace {
WorkPermit valid() {
  WorkPermit p;
  p.permit_no = "DH-1";
  p.work_type = "hot_work";
  p.grade = "1";
  p.location = "罐区";
  p.begin_at = hazmon::core::SysTime{} + hours(24 * 20000);
  p.end_at = p.begin_at + hours(8);
  p.responsible = "张三";
  p.responsible_mobile = "13912345678";
  return p;
}
bool names(const std::vector<hazmon::core::FieldError>& e, const std::string& pointer) {
  return std::any_of(e.begin(), e.end(), [&](const auto& f) { return f.pointer == pointer; });
}
}  // namespace

TEST(WorkPermit, AValidOnePasses) { EXPECT_TRUE(check_permit(valid()).empty()); }

TEST(WorkPermit, OnlyTheStandardsTypeAndGradePairsAreValid) {
  EXPECT_EQ(work_types().size(), 8u);
  EXPECT_TRUE(valid_work_grade("hot_work", "special"));
  EXPECT_TRUE(valid_work_grade("height", "4"));
  EXPECT_TRUE(valid_work_grade("lifting", "3"));
  EXPECT_TRUE(valid_work_grade("road_closure", std::nullopt));
  EXPECT_FALSE(valid_work_grade("hot_work", "3"));
  EXPECT_FALSE(valid_work_grade("hot_work", std::nullopt));
  EXPECT_FALSE(valid_work_grade("height", "5"));
  EXPECT_FALSE(valid_work_grade("lifting", "4"));
  EXPECT_FALSE(valid_work_grade("confined_space", "1"));
  EXPECT_FALSE(valid_work_grade("welding", std::nullopt));
  auto p = valid();
  p.grade = std::nullopt;
  EXPECT_TRUE(names(check_permit(p), "/grade"));
  p.work_type = "welding";
  EXPECT_TRUE(names(check_permit(p), "/work_type"));
}

TEST(WorkPermit, EveryValidPairMapsOntoACommitmentCount) {
  std::set<std::string> keys;
  for (const auto& k : special_work_kinds()) keys.insert(k.key);
  std::set<std::string> mapped;
  for (const auto& t : work_types()) {
    if (t.grades.empty()) {
      mapped.insert(commitment_work_key(t.key, std::nullopt));
    } else {
      for (const char* g : t.grades) mapped.insert(commitment_work_key(t.key, std::string(g)));
    }
  }
  EXPECT_EQ(mapped, keys);  // the 15 counts of the commitment, one for one
  EXPECT_EQ(commitment_work_key("hot_work", "3"), "");
}

TEST(WorkPermit, TheStateMachineAllowsTheDocumentedStepsOnly) {
  EXPECT_EQ(permit_transition("planned", "start"), "in_progress");
  EXPECT_EQ(permit_transition("in_progress", "finish"), "done");
  EXPECT_EQ(permit_transition("planned", "cancel"), "cancelled");
  EXPECT_EQ(permit_transition("in_progress", "cancel"), "cancelled");
  EXPECT_FALSE(permit_transition("planned", "finish"));
  EXPECT_FALSE(permit_transition("in_progress", "start"));
  EXPECT_FALSE(permit_transition("done", "cancel"));
  EXPECT_FALSE(permit_transition("cancelled", "start"));
  EXPECT_FALSE(permit_transition("planned", "resume"));
}

TEST(WorkPermit, TheWindowMobileAndContractorAreChecked) {
  auto p = valid();
  p.end_at = p.begin_at;
  EXPECT_TRUE(names(check_permit(p), "/end_at"));
  p.end_at = p.begin_at + hours(24 * 31);
  EXPECT_TRUE(names(check_permit(p), "/end_at"));
  p = valid();
  p.responsible_mobile = "0351-1234567";
  EXPECT_TRUE(names(check_permit(p), "/responsible_mobile"));
  p = valid();
  p.contractor = true;
  EXPECT_TRUE(names(check_permit(p), "/work_unit"));
  p.work_unit = "某安装公司";
  EXPECT_TRUE(check_permit(p).empty());
}

TEST(WorkPermit, OverdueIsInProgressPastItsEnd) {
  auto p = valid();
  auto after = p.end_at + minutes(1);
  EXPECT_FALSE(permit_overdue(p, after));  // planned
  p.state = "in_progress";
  EXPECT_TRUE(permit_overdue(p, after));
  EXPECT_FALSE(permit_overdue(p, p.end_at - minutes(1)));
  p.state = "done";
  EXPECT_FALSE(permit_overdue(p, after));
}
