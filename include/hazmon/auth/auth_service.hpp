#pragma once
// People log in with a password and get an opaque session token; gateways and city platforms
// present `Bearer <appId>.<secret>`. Either way the result is a model::Principal with a scope.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <hazmon/auth/login_throttle.hpp>
#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {
class Database;
}
namespace hazmon::core {
class SecretBox;
class Liveness;
}  // namespace hazmon::core

namespace hazmon::auth {

struct AuthSettings {
  std::chrono::minutes session_ttl{480};
  ThrottleSettings throttle;
  // How long a resolved token is trusted without asking the database again. Logout and
  // password changes through this process take effect at once; a change made elsewhere (another
  // node, SQL by hand) within this time. 0 disables the cache.
  std::chrono::seconds principal_cache{5};
};
// The config's `auth` section (schema defaults applied): `cfg["auth"].get<AuthSettings>()`.
void from_json(const nlohmann::json& j, AuthSettings& s);

struct LoginResult {
  std::string token;  // shown once; only its SHA-256 is stored
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
  std::string cipher, key_hex, iv_hex;  // iv_hex is empty for aes-256-gcm (a nonce per message)
};

// A machine credential as listed; never its secret or key.
struct CredentialInfo {
  long long id = 0;
  std::string app_id;
  model::Role kind = model::Role::gateway;
  model::Scope scope;
  std::string description;
  std::string envelope_cipher;  // "" when plain
  bool active = true;
  std::string created_at, last_used_at, revoked_at;  // RFC 3339, "" when never
};

struct IssuedCredential {
  long long id = 0;
  std::string app_id;
  std::string secret;                   // shown once
  std::optional<EnvelopeKey> envelope;  // shown once
};

class AuthService {
 public:
  AuthService(storage::Database& db, AuthSettings s, const core::Clock& clock);
  ~AuthService();

  // Throws Error(unauthenticated) for a wrong name or password (same message for both) and
  // Error(throttled) while the name or the client address is locked out.
  LoginResult login(const std::string& username, const std::string& password,
                    const std::string& client_addr);
  // A session token or an API credential; nullopt when missing, forged, expired or inactive.
  std::optional<model::Principal> authenticate(const std::string& bearer);
  // What authenticate() would answer from this process's memory alone (a token it resolved within
  // auth.principal_cache), never asking the database; nullopt: ask authenticate(). For callers on
  // I/O threads, which must not block.
  std::optional<model::Principal> authenticate_cached(const std::string& bearer);
  void logout(const std::string& bearer);
  // Throws Error(throttled) while (user, address) is locked out; a wrong old password counts
  // as a failed login.
  void change_password(const model::Principal& who, const std::string& old_password,
                       const std::string& new_password, const std::string& client_addr);

  // Deactivating ends every session of the user at once (and reactivating needs a new login).
  // Throws Error(not_found) for an unknown id.
  void set_active(long long user_id, bool active);

  // Called when sessions end by logout (user_id 0, the token's hash), or every session of a user
  // ends by a password change, reset or deactivation (token_hash empty). Live streams close on it.
  using SessionEndListener = std::function<void(long long user_id, const std::string& token_hash)>;
  void on_session_end(SessionEndListener l);

  // Validates role/scope coherence and the password policy.
  long long create_user(const NewUser& u);
  void reset_password(const std::string& username, const std::string& new_password);
  IssuedCredential create_credential(const NewCredential& c, long long created_by);
  // The symmetric key of a credential that sends encrypted envelopes. While PostgreSQL is away
  // the key this process last read for the credential is used, as for its token (the spool keeps
  // envelope uploads durable too).
  std::optional<EnvelopeKey> envelope_key(long long credential_id);

  // Machine credentials visible to `who`: all for the province, a region's enterprises' and
  // platforms' for its officers, the enterprise's own gateways for its users.
  std::vector<CredentialInfo> list_credentials(const model::Principal& who);
  // Regulators only (forbidden otherwise; not_found outside the caller's scope). The credential
  // stops working on this node at once and on every node within the revocation poll interval,
  // also if PostgreSQL goes away afterwards.
  void revoke_credential(const model::Principal& who, long long id);
  // Reads the revoked credentials and drops them from this node's caches; run periodically by
  // start_revocation_watch (every `every`), so that a node that still remembers a credential
  // from before its revocation never accepts it during a later database outage.
  void refresh_revocations();
  // A worker ("auth-revocations", enrolled in `liveness`) runs refresh_revocations at once and
  // then every `every`.
  void start_revocation_watch(std::chrono::milliseconds every, core::Liveness* liveness = nullptr);
  void stop_revocation_watch();

  // Envelope keys are stored sealed with this box (core::SecretBox) when set; set before serving.
  void set_secret_box(const core::SecretBox* box) { box_ = box; }
  // Seals the envelope keys still stored in clear (rows from before the box); returns how many.
  int seal_envelope_keys();

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
  void check_not_throttled(const std::string& username, const std::string& client_addr);
  void record_failure(const std::string& username, const std::string& client_addr);

  storage::Database& db_;
  AuthSettings s_;
  const core::Clock& clock_;
  LoginThrottle throttle_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, Cached> cache_;
  std::unordered_map<long long, EnvelopeKey> envelope_keys_;  // under cache_mutex_
  std::vector<SessionEndListener> session_end_;  // set up before serving, read-only after
  const core::SecretBox* box_ = nullptr;
  void forget_credential(long long credential_id);
  struct Watch;
  std::unique_ptr<Watch> watch_;
  void sessions_ended(long long user_id, const std::string& token_hash);
};

// Role and scope must fit: province roles have the province scope, city and county officers
// a region of their level, enterprise users an enterprise. Returns a problem or empty.
std::string role_scope_problem(model::Role role, const model::Scope& scope);

}  // namespace hazmon::auth
