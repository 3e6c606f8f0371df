#pragma once
// People log in with a password and get an opaque session token; gateways and city platforms
// present `Bearer <appId>.<secret>`. Either way the result is a model::Principal with a scope.
#include <chrono>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>

#include <hazmon/auth/login_throttle.hpp>
#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage { class Database; }

namespace hazmon::auth {

struct AuthSettings {
  std::chrono::minutes session_ttl{480};
  ThrottleSettings throttle;
  // How long a resolved token is trusted without asking the database again. Logout and
  // password changes through this process take effect at once; a change made elsewhere (another
  // node, SQL by hand) within this time. 0 disables the cache.
  std::chrono::seconds principal_cache{5};
};

struct LoginResult {
  std::string token;       // shown once; only its SHA-256 is stored
  core::SysTime expires_at;
  model::Principal principal;
};

struct NewUser {
  std::string username;
  std::string display_name;
  model::Role role = model::Role::province_officer;
  model::Scope scope;
  std::string password;
  std::string mobile;
  std::string email;
};

struct NewCredential {
  model::Role kind = model::Role::gateway;  // gateway or city_platform
  model::Scope scope;                       // enterprise for a gateway, region for a city
  std::string description;
  std::string envelope_cipher;  // "", "sm4-cbc", "aes-128-cbc" or "aes-256-cbc": a key is generated
};

struct EnvelopeKey {
  std::string cipher, key_hex, iv_hex;
};

struct IssuedCredential {
  long long id = 0;
  std::string app_id;
  std::string secret;  // shown once
  std::optional<EnvelopeKey> envelope;  // shown once
};

class AuthService {
 public:
  AuthService(storage::Database& db, AuthSettings s, const core::Clock& clock);

  // Throws Error(unauthenticated) for a wrong name or password (same message for both) and
  // Error(throttled) while the name or the client address is locked out.
  LoginResult login(const std::string& username, const std::string& password,
                    const std::string& client_addr);
  // A session token or an API credential; nullopt when missing, forged, expired or inactive.
  std::optional<model::Principal> authenticate(const std::string& bearer);
  void logout(const std::string& bearer);
  void change_password(const model::Principal& who, const std::string& old_password,
                       const std::string& new_password);

  // Validates role/scope coherence and the password policy.
  long long create_user(const NewUser& u);
  void reset_password(const std::string& username, const std::string& new_password);
  IssuedCredential create_credential(const NewCredential& c, long long created_by);
  // The symmetric key of a credential that sends encrypted envelopes. While PostgreSQL is away
  // the key this process last read for the credential is used, as for its token (the spool keeps
  // envelope uploads durable too).
  std::optional<EnvelopeKey> envelope_key(long long credential_id);

  // Seconds a client must wait; exposed for the Retry-After header.
  long long retry_after_s(const std::string& username, const std::string& client_addr);

 private:
  struct Cached {
    model::Principal principal;
    core::SysTime until;    // min(session expiry, cache time + principal_cache)
    core::SysTime expires;  // the session's (or credential's cache) own end: the last-known-good
                            // answer while PostgreSQL is unreachable is used up to here
  };
  std::optional<model::Principal> cached(const std::string& key);
  void remember(const std::string& key, const model::Principal& p, core::SysTime session_expiry);
  void forget_user(long long user_id);

  storage::Database& db_;
  AuthSettings s_;
  const core::Clock& clock_;
  LoginThrottle throttle_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, Cached> cache_;
  std::unordered_map<long long, EnvelopeKey> envelope_keys_;  // under cache_mutex_
};

// Role and scope must fit: province roles have the province scope, city and county officers
// a region of their level, enterprise users an enterprise. Returns a problem or empty.
std::string role_scope_problem(model::Role role, const model::Scope& scope);

}  // namespace hazmon::auth
