// model::check_sis_bypass: the fields a bypass (旁路) needs, and that nobody approves their own
// (docs/sis.md, attack 12.11; whether the approver holds the authority is SisStore's query).
#include <gtest/gtest.h>

#include <hazmon/model/sis.hpp>

#include <algorithm>

using namespace hazmon::model;
using namespace std::chrono;

namespace {
SisBypass valid() {
  SisBypass b;
  b.applicant = "仪表工王";
  b.approver = "生产副总李";
  b.reason = "联锁变送器校验";
  b.begin_at = hazmon::core::SysTime{} + hours(24 * 20000);
  b.expiry_at = b.begin_at + hours(8);
  return b;
}
bool names(const std::vector<hazmon::core::FieldError>& e, const std::string& pointer) {
  return std::any_of(e.begin(), e.end(), [&](const auto& f) { return f.pointer == pointer; });
}
}  // namespace

TEST(SisBypassCheck, AValidOnePasses) { EXPECT_TRUE(check_sis_bypass(valid(), hours(72)).empty()); }

TEST(SisBypassCheck, TheApplicantDoesNotApproveTheirOwn) {
  auto b = valid();
  b.approver = b.applicant;
  EXPECT_TRUE(names(check_sis_bypass(b, hours(72)), "/approver"));
  b.approver = "  " + b.applicant + "\t";  // blanks around the same name
  EXPECT_TRUE(names(check_sis_bypass(b, hours(72)), "/approver"));
  b.approver = b.applicant + "（代）";  // another name
  EXPECT_TRUE(check_sis_bypass(b, hours(72)).empty());
}

TEST(SisBypassCheck, MissingOrTooLongFieldsAreNamed) {
  auto b = valid();
  b.approver = " ";
  b.applicant = "";
  auto e = check_sis_bypass(b, hours(72));
  EXPECT_TRUE(names(e, "/approver"));
  EXPECT_TRUE(names(e, "/applicant"));
  EXPECT_EQ(e.size(), 2u);  // two blanks are not "the same person"
  b = valid();
  b.expiry_at = b.begin_at + hours(73);
  EXPECT_TRUE(names(check_sis_bypass(b, hours(72)), "/expiry_at"));
}
