#include <gtest/gtest.h>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/auth/login_throttle.hpp>
#include <hazmon/auth/password.hpp>

using namespace hazmon;
using namespace std::chrono_literals;

TEST(Password, Argon2idRoundTrip) {
  auto h = auth::hash_password("Correct-Horse-42");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(auth::verify_password(h, "Correct-Horse-42"));
  EXPECT_FALSE(auth::verify_password(h, "correct-horse-42"));
  EXPECT_FALSE(auth::verify_password("garbage", "x"));
  EXPECT_NE(auth::hash_password("Correct-Horse-42"), h);  // salted
}

TEST(Password, PolicyNeedsLengthAndVariety) {
  EXPECT_FALSE(auth::password_policy_problem("short1A").empty());
  EXPECT_FALSE(auth::password_policy_problem("alllowercaseletters").empty());
  EXPECT_TRUE(auth::password_policy_problem("Correct-Horse-42").empty());
  EXPECT_TRUE(auth::password_policy_problem("abcdefgh12-x").empty());
}

TEST(LoginThrottle, LocksAfterFailuresAndForgivesAfterLockout) {
  core::FakeClock clock(core::SysTime{} + 1000h);
  auth::LoginThrottle t({3, 60s, 120s}, clock);
  EXPECT_EQ(t.retry_after_s("u:a"), 0);
  t.record_failure("u:a");
  t.record_failure("u:a");
  EXPECT_EQ(t.retry_after_s("u:a"), 0);
  t.record_failure("u:a");
  EXPECT_EQ(t.retry_after_s("u:a"), 120);
  EXPECT_EQ(t.retry_after_s("u:b"), 0);  // other keys are unaffected
  clock.advance(119s);
  EXPECT_EQ(t.retry_after_s("u:a"), 1);
  clock.advance(1s);
  EXPECT_EQ(t.retry_after_s("u:a"), 0);
}

TEST(LoginThrottle, FailuresOutsideTheWindowDoNotCount) {
  core::FakeClock clock(core::SysTime{} + 1000h);
  auth::LoginThrottle t({3, 60s, 120s}, clock);
  t.record_failure("k");
  t.record_failure("k");
  clock.advance(61s);
  t.record_failure("k");
  EXPECT_EQ(t.retry_after_s("k"), 0);
  t.record_success("k");
  t.record_failure("k");
  t.record_failure("k");
  EXPECT_EQ(t.retry_after_s("k"), 0);
}

TEST(RoleScope, RolesNeedMatchingScopes) {
  using model::Role;
  using model::Scope;
  EXPECT_TRUE(auth::role_scope_problem(Role::province_admin, Scope::province()).empty());
  EXPECT_FALSE(auth::role_scope_problem(Role::province_admin, Scope::region("140100")).empty());
  EXPECT_TRUE(auth::role_scope_problem(Role::city_officer, Scope::region("140100")).empty());
  EXPECT_FALSE(auth::role_scope_problem(Role::city_officer, Scope::region("140105")).empty());
  EXPECT_TRUE(auth::role_scope_problem(Role::county_officer, Scope::region("140105")).empty());
  EXPECT_FALSE(auth::role_scope_problem(Role::county_officer, Scope::region("140100")).empty());
  EXPECT_TRUE(auth::role_scope_problem(Role::enterprise_user, Scope::enterprise("14010090001")).empty());
  EXPECT_FALSE(auth::role_scope_problem(Role::enterprise_user, Scope::province()).empty());
  EXPECT_FALSE(auth::role_scope_problem(Role::gateway, Scope::region("140100")).empty());
}
