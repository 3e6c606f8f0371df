#include <gtest/gtest.h>

#include <hazmon/model/unit_status.hpp>

using namespace hazmon::model;
using namespace std::chrono;

namespace {
const hazmon::core::SysTime kNow = hazmon::core::SysTime{} + hours(24 * 20000);

UnitStatus valid() {
  UnitStatus s;
  s.equip_code = "14010000001001S0001";
  s.status = "stopped";
  s.begin_at = kNow - hours(1);
  s.reason = "停车消缺";
  return s;
}
bool names(const std::vector<hazmon::core::FieldError>& e, const std::string& pointer) {
  for (const auto& f : e)
    if (f.pointer == pointer) return true;
  return false;
}
}  // namespace

TEST(UnitStatus, AValidStopPasses) { EXPECT_TRUE(check_unit_status(valid(), kNow).empty()); }

TEST(UnitStatus, EachRuleNamesItsField) {
  auto s = valid();
  s.status = "paused";
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/status"));
  s = valid();
  s.begin_at = kNow + minutes(6);
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/begin_at"));
  s.begin_at = kNow + minutes(4);  // clock skew
  EXPECT_TRUE(check_unit_status(s, kNow).empty());
  s.begin_at = kNow - hours(24 * kMaxUnitStatusBackDays + 1);
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/begin_at"));
  s = valid();
  s.planned_end = s.begin_at;
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/planned_end"));
  s = valid();
  s.reason = "  ";
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/reason"));
  s.status = "startup";  // only stops and overhauls need a reason
  EXPECT_TRUE(check_unit_status(s, kNow).empty());
  s = valid();
  s.equip_code.clear();
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/equip_code"));
}

TEST(UnitStatus, OnlyStopsAndOverhaulsFileAWindowAndGasDetectorsAreSpared) {
  EXPECT_EQ(unit_status_filing_type("stopped"), "shutdown");
  EXPECT_EQ(unit_status_filing_type("overhaul"), "overhaul");
  for (const char* s : {"running", "startup", "trial", "other"})
    EXPECT_EQ(unit_status_filing_type(s), "") << s;
  for (const char* t : {"combustible", "toxic", "oxygen"}) EXPECT_TRUE(is_safety_indicator(t));
  for (const char* t : {"temperature", "pressure", "level", "flow"})
    EXPECT_FALSE(is_safety_indicator(t));
  for (const char* s : kUnitStatuses) {
    EXPECT_TRUE(valid_unit_status(s));
    EXPECT_STRNE(unit_status_name(s), "");
  }
  EXPECT_FALSE(valid_unit_status("shutdown"));
}

TEST(UnitStatus, ANonMajorUnitIsNamedByItsCellAndOnlyOnce) {
  auto s = valid();
  s.equip_code.clear();
  s.prodcell_id = "NM1";
  EXPECT_TRUE(check_unit_status(s, kNow).empty());
  s.equip_code = "14010000001001S0001";
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/prodcell_id"));
}

TEST(UnitStatus, AnOverhaulCarriesItsFilingFieldsAndNoOtherStatusDoes) {
  auto s = valid();
  s.status = "overhaul";
  auto e = check_unit_status(s, kNow);
  EXPECT_TRUE(names(e, "/content"));
  EXPECT_TRUE(names(e, "/responsible_person"));
  EXPECT_TRUE(names(e, "/responsible_phone"));
  s.content = "更换反应釜搅拌器密封";
  s.responsible_person = "检修负责人";
  s.responsible_phone = "13812345678";
  EXPECT_TRUE(check_unit_status(s, kNow).empty());
  s.responsible_phone = "0351-1234567";
  EXPECT_TRUE(check_unit_status(s, kNow).empty());
  s.responsible_phone = "12345";
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/responsible_phone"));
  s.responsible_phone = "13812345678";
  s.content = std::string(kMaxOverhaulContent + 1, 'x');
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/content"));
  s.content = "  ";
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/content"));
  s = valid();  // a stop
  s.unit_head = "装置主任";
  EXPECT_TRUE(names(check_unit_status(s, kNow), "/unit_head"));
}
