#include <gtest/gtest.h>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/auth/login_throttle.hpp>
#include <hazmon/auth/password.hpp>
#include <hazmon/core/encoding.hpp>

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

TEST(LoginThrottle, LocksThePairAndForgivesAfterLockout) {
  core::FakeClock clock(core::SysTime{} + 1000h);
  auth::LoginThrottle t({3, 60s, 120s}, clock);
  EXPECT_EQ(t.retry_after_s("admin", "198.51.100.1"), 0);
  EXPECT_FALSE(t.record_failure("admin", "198.51.100.1"));
  EXPECT_FALSE(t.record_failure("admin", "198.51.100.1"));
  EXPECT_EQ(t.retry_after_s("admin", "198.51.100.1"), 0);
  EXPECT_TRUE(t.record_failure("admin", "198.51.100.1")) << "the third failure starts the lockout";
  EXPECT_EQ(t.retry_after_s("admin", "198.51.100.1"), 120);
  // Neither the user from another address nor another user from this address is locked.
  EXPECT_EQ(t.retry_after_s("admin", "198.51.100.2"), 0);
  EXPECT_EQ(t.retry_after_s("officer", "198.51.100.1"), 0);
  clock.advance(119s);
  EXPECT_EQ(t.retry_after_s("admin", "198.51.100.1"), 1);
  clock.advance(1s);
  EXPECT_EQ(t.retry_after_s("admin", "198.51.100.1"), 0);
}

TEST(LoginThrottle, FailuresOutsideTheWindowDoNotCount) {
  core::FakeClock clock(core::SysTime{} + 1000h);
  auth::LoginThrottle t({3, 60s, 120s}, clock);
  t.record_failure("u", "192.0.2.1");
  t.record_failure("u", "192.0.2.1");
  clock.advance(61s);
  t.record_failure("u", "192.0.2.1");
  EXPECT_EQ(t.retry_after_s("u", "192.0.2.1"), 0);
  t.record_success("u", "192.0.2.1");
  t.record_failure("u", "192.0.2.1");
  t.record_failure("u", "192.0.2.1");
  EXPECT_EQ(t.retry_after_s("u", "192.0.2.1"), 0);
}

TEST(LoginThrottle, GlobalBackOffSparesAnAddressWithNoFailures) {
  core::FakeClock clock(core::SysTime{} + 1000h);
  auth::ThrottleSettings s{5, 900s, 900s, 4, 600s};
  auth::LoginThrottle t(s, clock);
  // A guesser spread over many addresses, two failures each: no pair is locked.
  for (int i = 0; i < 6; ++i) {
    t.record_failure("admin", "203.0.113." + std::to_string(i));
    t.record_failure("admin", "203.0.113." + std::to_string(i));
  }
  // 12 failures against a budget of 4: 8 over, so the delay is 2^7 = 128 s for those addresses.
  EXPECT_EQ(t.retry_after_s("admin", "203.0.113.0"), 128);
  EXPECT_EQ(t.retry_after_s("admin", "203.0.113.5"), 128);
  // The real admin's desk has never failed: no wait.
  EXPECT_EQ(t.retry_after_s("admin", "198.51.100.7"), 0);
  // Other users are untouched.
  EXPECT_EQ(t.retry_after_s("officer", "203.0.113.0"), 0);
  // The delay is capped.
  for (int i = 0; i < 30; ++i) t.record_failure("admin", "203.0.113.9");
  EXPECT_LE(t.retry_after_s("admin", "203.0.113.0"), 900);
  EXPECT_GE(t.retry_after_s("admin", "203.0.113.0"), 600);
}

TEST(LoginThrottle, Ipv6IsGroupedBySlash64) {
  EXPECT_EQ(core::address_group("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(core::address_group("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(core::address_group("203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(core::address_group("::ffff:203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(core::address_group("not an address"), "not an address");
  core::FakeClock clock(core::SysTime{} + 1000h);
  auth::LoginThrottle t({2, 60s, 120s}, clock);
  t.record_failure("u", "2001:db8:1:2::10");
  t.record_failure("u", "2001:db8:1:2::20");  // the same /64: the pair is locked
  EXPECT_GT(t.retry_after_s("u", "2001:db8:1:2::30"), 0);
  EXPECT_EQ(t.retry_after_s("u", "2001:db8:1:3::10"), 0);
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
  EXPECT_TRUE(
      auth::role_scope_problem(Role::enterprise_user, Scope::enterprise("14010090001")).empty());
  EXPECT_FALSE(auth::role_scope_problem(Role::enterprise_user, Scope::province()).empty());
  EXPECT_FALSE(auth::role_scope_problem(Role::gateway, Scope::region("140100")).empty());
}
