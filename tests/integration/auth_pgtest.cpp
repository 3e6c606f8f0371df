// AuthService against PostgreSQL with a FakeClock: logins, throttling, sessions, passwords,
// users and API credentials.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::auth::AuthService;
using hazmon::auth::AuthSettings;
using hazmon::auth::NewCredential;
using hazmon::auth::NewUser;
using hazmon::core::Errc;
using hazmon::core::FakeClock;
using hazmon::model::Role;
using hazmon::model::Scope;
using hazmon::model::ScopeKind;
using hazmon::storage::Database;
using hazmon::storage::Tx;
using namespace hazmon::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassword = "Correct-Horse-42";
constexpr const char* kEnterprise = "14010077001";

// A fixed instant in the notice's year: nothing may depend on the wall clock.
hazmon::core::SysTime start_time() { return *hazmon::core::parse_time("2021-10-01T00:00:00Z"); }

class AuthPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_db().exec(
        std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") +
        kEnterprise + "', '鉴权测试化工有限公司', '140100') ON CONFLICT DO NOTHING");
  }

  FakeClock clock{start_time()};
  Database& db = shared_db().db();
  AuthService auth{db, AuthSettings{}, clock};

  std::string fresh_name(const char* prefix) { return prefix + lower_token(6); }

  long long add_user(const std::string& name, Role role, Scope scope,
                     const std::string& password = kPassword) {
    NewUser u;
    u.username = name;
    u.display_name = "Test " + name;
    u.role = role;
    u.scope = std::move(scope);
    u.password = password;
    return auth.create_user(u);
  }

  long long count_sql(const std::string& sql, const hazmon::storage::Params& params) {
    auto tx = db.begin();
    return tx.exec_one(sql, params)["n"].get<long long>();
  }
};

}  // namespace

TEST_F(AuthPg, LoginReturnsTokenAndPrincipalWithRoleAndScope) {
  auto name = fresh_name("city");
  auto id = add_user(name, Role::city_officer, Scope::region("140100"));
  auto r = auth.login(name, kPassword, "192.0.2.1");
  EXPECT_GE(r.token.size(), 40u);
  EXPECT_EQ(r.token.find('.'), std::string::npos)
      << "a session token must not look like appId.secret";
  EXPECT_EQ(r.principal.id, id);
  EXPECT_EQ(r.principal.name, name);
  EXPECT_EQ(r.principal.role, Role::city_officer);
  EXPECT_EQ(r.principal.scope.kind, ScopeKind::region);
  EXPECT_EQ(r.principal.scope.region_code, "140100");
  EXPECT_EQ(r.expires_at, start_time() + AuthSettings{}.session_ttl);

  auto tx = db.begin();
  auto s = tx.exec_one("SELECT expires_at, client_addr FROM user_session WHERE user_id = $1",
                       {std::to_string(id)});
  ASSERT_FALSE(s.is_null()) << "the session is stored";
  EXPECT_EQ(s["expires_at"], "2021-10-01T08:00:00Z");
  EXPECT_EQ(s["client_addr"], "192.0.2.1");
}

TEST_F(AuthPg, EnterpriseUserLoginCarriesTheEnterpriseScope) {
  auto name = fresh_name("ent");
  add_user(name, Role::enterprise_user, Scope::enterprise(kEnterprise));
  auto r = auth.login(name, kPassword, "192.0.2.2");
  EXPECT_EQ(r.principal.role, Role::enterprise_user);
  EXPECT_EQ(r.principal.scope.kind, ScopeKind::enterprise);
  EXPECT_EQ(r.principal.scope.company_code, kEnterprise);
  EXPECT_TRUE(r.principal.is_person());
}

TEST_F(AuthPg, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  auto name = fresh_name("prov");
  add_user(name, Role::province_officer, Scope::province());
  auto wrong = caught([&] { auth.login(name, "Wrong-Horse-42", "192.0.2.3"); });
  auto unknown = caught([&] { auth.login(fresh_name("nobody"), kPassword, "192.0.2.3"); });
  ASSERT_TRUE(wrong);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(wrong->code, Errc::unauthenticated);
  EXPECT_EQ(unknown->code, Errc::unauthenticated);
  EXPECT_EQ(wrong->message, unknown->message);
  EXPECT_EQ(count_sql("SELECT count(*) AS n FROM user_session s JOIN app_user u ON u.id = "
                      "s.user_id WHERE u.username = $1",
                      {name}),
            0);
}

TEST_F(AuthPg, DeactivatedUserCannotLogIn) {
  auto name = fresh_name("gone");
  add_user(name, Role::province_officer, Scope::province());
  auto token = auth.login(name, kPassword, "192.0.2.4").token;
  ASSERT_TRUE(auth.authenticate(token));  // now cached
  shared_db().exec("UPDATE app_user SET is_active = false WHERE username = '" + name + "'");
  auto c = caught([&] { auth.login(name, kPassword, "192.0.2.4"); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::unauthenticated);
  // A change made behind the service's back (SQL by hand, another node) holds within the
  // principal cache time.
  clock.advance(AuthSettings{}.principal_cache);
  EXPECT_FALSE(auth.authenticate(token)) << "an inactive user's session no longer works";
}

TEST_F(AuthPg, RepeatedFailuresLockThePairUntilTheLockoutPasses) {
  auto name = fresh_name("thr");
  add_user(name, Role::province_officer, Scope::province());
  const int n = AuthSettings{}.throttle.max_failures;
  for (int i = 0; i < n; ++i) {
    auto c = caught([&] { auth.login(name, "Wrong-Horse-42", "198.51.100.1"); });
    ASSERT_TRUE(c);
    EXPECT_EQ(c->code, Errc::unauthenticated) << "attempt " << i + 1;
  }
  auto locked = caught([&] { auth.login(name, kPassword, "198.51.100.1"); });
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->code, Errc::throttled)
      << "the guessing address waits out the lockout, right password or not";
  const auto lockout = AuthSettings{}.throttle.lockout;
  EXPECT_EQ(auth.retry_after_s(name, "198.51.100.1"), lockout.count());
  // The user's own desk, which never failed, is not locked out by the guesser.
  EXPECT_EQ(auth.login(name, kPassword, "198.51.100.200").principal.name, name);

  clock.advance(lockout - 1s);
  auto still = caught([&] { auth.login(name, kPassword, "198.51.100.1"); });
  ASSERT_TRUE(still);
  EXPECT_EQ(still->code, Errc::throttled);
  EXPECT_EQ(auth.retry_after_s(name, "198.51.100.1"), 1);

  clock.advance(2s);
  EXPECT_EQ(auth.retry_after_s(name, "198.51.100.1"), 0);
  auto r = auth.login(name, kPassword, "198.51.100.1");
  EXPECT_EQ(r.principal.name, name);
}

TEST_F(AuthPg, FailuresFromOneAddressDoNotLockOtherUsersThere) {
  auto victim = fresh_name("vic");
  add_user(victim, Role::province_officer, Scope::province());
  const int n = AuthSettings{}.throttle.max_failures;
  for (int i = 0; i < n; ++i) {
    auto c = caught([&] { auth.login(fresh_name("guess"), "Whatever-123", "203.0.113.9"); });
    ASSERT_TRUE(c);
    EXPECT_EQ(c->code, Errc::unauthenticated);
  }
  // A shared duty-room address: the guesses for other names lock nobody else out.
  EXPECT_EQ(auth.login(victim, kPassword, "203.0.113.9").principal.name, victim);
}

TEST_F(AuthPg, WrongOldPasswordsAreThrottledLikeLogins) {
  auto name = fresh_name("opw");
  add_user(name, Role::province_officer, Scope::province());
  auto a = auth.login(name, kPassword, "192.0.2.30");
  const int n = AuthSettings{}.throttle.max_failures;
  for (int i = 0; i < n; ++i) {
    auto c = caught([&] {
      auth.change_password(a.principal, "Not-The-Password-1", "Brand-New-Pass-7", "192.0.2.30");
    });
    ASSERT_TRUE(c);
    EXPECT_EQ(c->code, Errc::validation_failed) << "attempt " << i + 1;
  }
  auto c = caught(
      [&] { auth.change_password(a.principal, kPassword, "Brand-New-Pass-7", "192.0.2.30"); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::throttled);
  auto login = caught([&] { auth.login(name, kPassword, "192.0.2.30"); });
  ASSERT_TRUE(login);
  EXPECT_EQ(login->code, Errc::throttled) << "the same (user, address) brake";
}

TEST_F(AuthPg, FailuresOutsideTheWindowAreForgotten) {
  auto name = fresh_name("win");
  add_user(name, Role::province_officer, Scope::province());
  const auto s = AuthSettings{}.throttle;
  for (int i = 0; i < s.max_failures - 1; ++i)
    EXPECT_THROW(auth.login(name, "Wrong-Horse-42", "198.51.101.1"), hazmon::core::Error);
  clock.advance(s.window + 1s);
  EXPECT_THROW(auth.login(name, "Wrong-Horse-42", "198.51.101.2"), hazmon::core::Error);
  EXPECT_EQ(auth.retry_after_s(name, "198.51.101.3"), 0);
  EXPECT_EQ(auth.login(name, kPassword, "198.51.101.3").principal.name, name);
}

TEST_F(AuthPg, AuthenticateAcceptsTheTokenAndRejectsForgedOnes) {
  auto name = fresh_name("tok");
  add_user(name, Role::province_officer, Scope::province());
  auto r = auth.login(name, kPassword, "192.0.2.5");
  auto p = auth.authenticate(r.token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->id, r.principal.id);
  EXPECT_EQ(p->name, name);
  EXPECT_EQ(p->role, r.principal.role);

  std::string forged = r.token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(auth.authenticate(forged));
  EXPECT_FALSE(auth.authenticate(hazmon::core::random_token(32)));
  EXPECT_FALSE(auth.authenticate(""));
  EXPECT_FALSE(auth.authenticate(hazmon::core::sha256_hex(r.token)))
      << "the stored hash is not a token";
  EXPECT_FALSE(auth.authenticate(std::string(600, 'a')));
}

TEST_F(AuthPg, LogoutEndsTheSession) {
  auto name = fresh_name("out");
  add_user(name, Role::province_officer, Scope::province());
  auto a = auth.login(name, kPassword, "192.0.2.6");
  auto b = auth.login(name, kPassword, "192.0.2.6");
  ASSERT_TRUE(auth.authenticate(a.token));
  auth.logout(a.token);
  EXPECT_FALSE(auth.authenticate(a.token));
  EXPECT_TRUE(auth.authenticate(b.token)) << "only the session logged out ends";
}

TEST_F(AuthPg, SessionExpiresWhenTheClockPassesTheTtl) {
  auto name = fresh_name("ttl");
  add_user(name, Role::province_officer, Scope::province());
  auto r = auth.login(name, kPassword, "192.0.2.7");
  const auto ttl = AuthSettings{}.session_ttl;
  clock.advance(ttl - 1s);
  EXPECT_TRUE(auth.authenticate(r.token));
  clock.advance(2s);
  EXPECT_FALSE(auth.authenticate(r.token));
}

TEST_F(AuthPg, LoginSweepsSessionsExpiredByTheClock) {
  auto a = fresh_name("swa");
  auto b = fresh_name("swb");
  auto id_a = add_user(a, Role::province_officer, Scope::province());
  add_user(b, Role::province_officer, Scope::province());
  auth.login(a, kPassword, "192.0.2.20");
  const std::string sql = "SELECT count(*) AS n FROM user_session WHERE user_id = $1";
  auth.login(b, kPassword, "192.0.2.21");
  EXPECT_EQ(count_sql(sql, {std::to_string(id_a)}), 1) << "a live session survives another login";
  clock.advance(AuthSettings{}.session_ttl + 1s);
  auth.login(b, kPassword, "192.0.2.21");
  EXPECT_EQ(count_sql(sql, {std::to_string(id_a)}), 0) << "an expired one is swept";
}

TEST_F(AuthPg, ShorterConfiguredTtlApplies) {
  AuthSettings s;
  s.session_ttl = std::chrono::minutes(5);
  AuthService short_auth(db, s, clock);
  auto name = fresh_name("short");
  add_user(name, Role::province_officer, Scope::province());
  auto r = short_auth.login(name, kPassword, "192.0.2.8");
  EXPECT_EQ(r.expires_at, start_time() + 5min);
  clock.advance(5min + 1s);
  EXPECT_FALSE(short_auth.authenticate(r.token));
}

TEST_F(AuthPg, OnlyTheHashOfTheTokenIsStored) {
  auto name = fresh_name("hash");
  auto id = add_user(name, Role::province_officer, Scope::province());
  auto r = auth.login(name, kPassword, "192.0.2.9");
  auto tx = db.begin();
  auto rows =
      tx.exec("SELECT token_hash FROM user_session WHERE user_id = $1", {std::to_string(id)});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["token_hash"], hazmon::core::sha256_hex(r.token));
  // The raw token appears in no column of any session row.
  EXPECT_EQ(tx.exec_one("SELECT count(*) AS n FROM user_session s WHERE strpos(s::text, $1) > 0",
                        {r.token})["n"],
            0);
  EXPECT_EQ(tx.exec_one("SELECT count(*) AS n FROM user_session s WHERE strpos(s::text, $1) > 0",
                        {hazmon::core::sha256_hex(r.token)})["n"],
            1);
  // Nor is the password stored: only its argon2id hash.
  auto u = tx.exec_one("SELECT password_hash FROM app_user WHERE id = $1", {std::to_string(id)});
  EXPECT_EQ(u["password_hash"].get<std::string>().rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(tx.exec_one("SELECT count(*) AS n FROM app_user u WHERE strpos(u::text, $1) > 0",
                        {kPassword})["n"],
            0);
}

TEST_F(AuthPg, ChangePasswordEnforcesPolicyAndEndsOtherSessions) {
  auto name = fresh_name("chg");
  add_user(name, Role::province_officer, Scope::province());
  auto a = auth.login(name, kPassword, "192.0.2.10");
  auto b = auth.login(name, kPassword, "192.0.2.11");

  auto wrong_old = caught([&] {
    auth.change_password(a.principal, "Not-The-Password-1", "Brand-New-Pass-7", "192.0.2.10");
  });
  ASSERT_TRUE(wrong_old);
  EXPECT_EQ(wrong_old->code, Errc::validation_failed);
  EXPECT_TRUE(wrong_old->has_pointer("/old_password")) << wrong_old->pointers();

  for (const char* weak : {"Sh0rt!", "alllowercaseletters", "ALLUPPER1234567"}) {
    auto c = caught([&] { auth.change_password(a.principal, kPassword, weak, "192.0.2.10"); });
    ASSERT_TRUE(c) << weak;
    EXPECT_EQ(c->code, Errc::validation_failed) << weak;
    EXPECT_TRUE(c->has_pointer("/new_password")) << weak << ": " << c->pointers();
  }
  EXPECT_TRUE(auth.authenticate(b.token)) << "a refused change ends nothing";

  auth.change_password(a.principal, kPassword, "Brand-New-Pass-7", "192.0.2.10");
  EXPECT_FALSE(auth.authenticate(b.token)) << "the other session ends";
  auto old = caught([&] { auth.login(name, kPassword, "192.0.2.12"); });
  ASSERT_TRUE(old);
  EXPECT_EQ(old->code, Errc::unauthenticated);
  EXPECT_EQ(auth.login(name, "Brand-New-Pass-7", "192.0.2.12").principal.name, name);
}

TEST_F(AuthPg, MachinesHaveNoPasswordToChange) {
  auto gw = principal(Role::gateway, Scope::enterprise(kEnterprise), "app-x", 1);
  auto c = caught([&] { auth.change_password(gw, "a", "Brand-New-Pass-7", "192.0.2.10"); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::forbidden);
}

TEST_F(AuthPg, ResetPasswordEndsSessionsAndNeedsAnExistingUser) {
  auto name = fresh_name("rst");
  add_user(name, Role::province_officer, Scope::province());
  auto a = auth.login(name, kPassword, "192.0.2.13");
  auth.reset_password(name, "Reset-Password-99");
  EXPECT_FALSE(auth.authenticate(a.token));
  EXPECT_EQ(auth.login(name, "Reset-Password-99", "192.0.2.13").principal.name, name);
  auto missing = caught([&] { auth.reset_password(fresh_name("ghost"), "Reset-Password-99"); });
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->code, Errc::not_found);
  auto weak = caught([&] { auth.reset_password(name, "weak"); });
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->code, Errc::validation_failed);
  EXPECT_TRUE(weak->has_pointer("/password"));
}

TEST_F(AuthPg, CreateUserRejectsRoleScopeMismatches) {
  struct Case {
    Role role;
    Scope scope;
    const char* pointer;
  };
  const std::vector<Case> cases = {
      {Role::city_officer, Scope::region("140105"), "/scope"},  // a county code
      {Role::city_officer, Scope::province(), "/scope"},
      {Role::county_officer, Scope::region("140100"), "/scope"},  // a city code
      {Role::province_officer, Scope::region("140100"), "/scope"},
      {Role::province_admin, Scope::enterprise(kEnterprise), "/scope"},
      {Role::enterprise_user, Scope::enterprise("1401"), "/scope"},  // not 11 characters
      {Role::enterprise_user, Scope::region("140100"), "/scope"},
      {Role::gateway, Scope::enterprise(kEnterprise), "/role"},      // machines get credentials
      {Role::city_officer, Scope::region("149900"), "/scope/code"},  // no such city
      {Role::enterprise_user, Scope::enterprise("14010099999"),
       "/scope/code"},  // no such enterprise
  };
  for (const auto& k : cases) {
    auto name = fresh_name("bad");
    auto c = caught([&] { add_user(name, k.role, k.scope); });
    ASSERT_TRUE(c) << hazmon::model::to_string(k.role) << " " << k.pointer;
    EXPECT_EQ(c->code, Errc::validation_failed) << hazmon::model::to_string(k.role);
    EXPECT_TRUE(c->has_pointer(k.pointer))
        << hazmon::model::to_string(k.role) << ": " << c->pointers();
    EXPECT_EQ(count_sql("SELECT count(*) AS n FROM app_user WHERE username = $1", {name}), 0);
  }
}

TEST_F(AuthPg, CreateUserEnforcesPasswordPolicyAndUniqueNames) {
  auto weak = caught(
      [&] { add_user(fresh_name("weak"), Role::province_officer, Scope::province(), "password"); });
  ASSERT_TRUE(weak);
  EXPECT_EQ(weak->code, Errc::validation_failed);
  EXPECT_TRUE(weak->has_pointer("/password")) << weak->pointers();

  auto name = fresh_name("dup");
  add_user(name, Role::province_officer, Scope::province());
  auto dup = caught([&] { add_user(name, Role::city_officer, Scope::region("140200")); });
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->code, Errc::conflict);
}

TEST_F(AuthPg, GatewayCredentialAuthenticatesAsItsEnterprise) {
  NewCredential nc;
  nc.kind = Role::gateway;
  nc.scope = Scope::enterprise(kEnterprise);
  nc.description = "gateway of the test enterprise";
  auto cred = auth.create_credential(nc, 0);
  EXPECT_GT(cred.id, 0);
  EXPECT_EQ(cred.app_id.rfind("app-", 0), 0u);
  EXPECT_EQ(cred.app_id.find('.'), std::string::npos);
  EXPECT_GE(cred.secret.size(), 40u);

  auto p = auth.authenticate(cred.app_id + "." + cred.secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->role, Role::gateway);
  EXPECT_FALSE(p->is_person());
  EXPECT_EQ(p->id, cred.id);
  EXPECT_EQ(p->name, cred.app_id);
  EXPECT_EQ(p->scope.kind, ScopeKind::enterprise);
  EXPECT_EQ(p->scope.company_code, kEnterprise);

  std::string wrong = cred.secret;
  wrong.front() = wrong.front() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(auth.authenticate(cred.app_id + "." + wrong));
  EXPECT_FALSE(auth.authenticate(cred.app_id + "."));
  EXPECT_FALSE(auth.authenticate("app-unknown." + cred.secret));

  auto tx = db.begin();
  auto row = tx.exec_one("SELECT secret_hash, last_used_at FROM api_credential WHERE id = $1",
                         {std::to_string(cred.id)});
  EXPECT_EQ(row["secret_hash"], hazmon::core::sha256_hex(cred.secret));
  EXPECT_FALSE(row["last_used_at"].is_null());
  EXPECT_EQ(tx.exec_one("SELECT count(*) AS n FROM api_credential c WHERE strpos(c::text, $1) > 0",
                        {cred.secret})["n"],
            0);
}

TEST_F(AuthPg, DeactivatedCredentialIsRejected) {
  NewCredential nc;
  nc.kind = Role::gateway;
  nc.scope = Scope::enterprise(kEnterprise);
  auto cred = auth.create_credential(nc, 0);
  ASSERT_TRUE(auth.authenticate(cred.app_id + "." + cred.secret));
  shared_db().exec("UPDATE api_credential SET is_active = false WHERE id = " +
                   std::to_string(cred.id));
  clock.advance(AuthSettings{}.principal_cache);
  EXPECT_FALSE(auth.authenticate(cred.app_id + "." + cred.secret));
}

TEST_F(AuthPg, CityPlatformCredentialIsScopedToItsRegion) {
  NewCredential nc;
  nc.kind = Role::city_platform;
  nc.scope = Scope::region("140200");
  auto cred = auth.create_credential(nc, 0);
  auto p = auth.authenticate(cred.app_id + "." + cred.secret);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->role, Role::city_platform);
  EXPECT_EQ(p->scope.kind, ScopeKind::region);
  EXPECT_EQ(p->scope.region_code, "140200");
}

TEST_F(AuthPg, CredentialKindAndScopeMustFit) {
  NewCredential person;
  person.kind = Role::city_officer;
  person.scope = Scope::region("140100");
  auto c1 = caught([&] { auth.create_credential(person, 0); });
  ASSERT_TRUE(c1);
  EXPECT_EQ(c1->code, Errc::validation_failed);
  EXPECT_TRUE(c1->has_pointer("/kind"));

  NewCredential gw_region;
  gw_region.kind = Role::gateway;
  gw_region.scope = Scope::region("140100");
  auto c2 = caught([&] { auth.create_credential(gw_region, 0); });
  ASSERT_TRUE(c2);
  EXPECT_EQ(c2->code, Errc::validation_failed);
  EXPECT_TRUE(c2->has_pointer("/scope"));
}
