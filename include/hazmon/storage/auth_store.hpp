#pragma once
// Where people, their sessions and the machine credentials are stored: `app_user`,
// `user_session` (only the SHA-256 of a token) and `api_credential` (only the SHA-256 of a
// secret; envelope keys sealed by the caller). All in the caller's transaction; rows come back
// as structs with model::Principal and model::Role. auth::AuthService holds the rules (password
// policy, throttling, caches) and nothing outside storage writes these tables.
#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

// An active user with the hash a login is checked against.
struct UserLogin {
  model::Principal principal;
  std::string password_hash;
};

// The person behind a live session.
struct SessionOwner {
  model::Principal principal;
  core::SysTime expires_at{};
};

// An active machine credential with the hash its secret is checked against.
struct CredentialLogin {
  model::Principal principal;
  std::string secret_hash;
};

struct StoredEnvelopeKey {
  long long id = 0;
  std::string app_id, cipher, key_hex, iv_hex;  // key_hex sealed ("v1:...") or in clear
};

struct NewUserRow {
  std::string username, display_name;
  model::Role role = model::Role::province_officer;
  model::Scope scope;
  std::string password_hash, mobile, email;
};

struct NewCredentialRow {
  std::string app_id;
  model::Role kind = model::Role::gateway;
  model::Scope scope;
  std::string secret_hash, description;
  std::optional<long long> created_by;
  std::optional<std::string> envelope_cipher, envelope_key, envelope_iv;
};

// A machine credential as listed (never its secret or key).
struct CredentialListRow {
  long long id = 0;
  std::string app_id;
  model::Role kind = model::Role::gateway;
  model::Scope scope;
  std::string description, envelope_cipher;  // "" when plain
  bool active = true;
  core::SysTime created_at{};
  std::optional<core::SysTime> last_used_at, revoked_at;
};

// A person as the user list shows it.
struct UserListRow {
  long long id = 0;
  std::string username, display_name, role, scope_kind, scope_code;
  bool is_active = true;
  core::SysTime created_at{};
};

// "province", "region" or "enterprise", and the code stored beside it ("" for the province).
const char* scope_kind_name(model::ScopeKind k);
std::string scope_code(const model::Scope& s);
model::Scope scope_from(const std::string& kind, const std::string& code);

class AuthStore {
 public:
  // ---- people and sessions ----
  std::optional<UserLogin> active_user(Tx& tx, const std::string& username) const;
  std::optional<std::string> password_hash(Tx& tx, long long user_id) const;
  long long add_user(Tx& tx, const NewUserRow& u) const;
  // False when there is no such user.
  bool set_user_active(Tx& tx, long long user_id, bool active) const;
  void set_password(Tx& tx, long long user_id, const std::string& hash) const;
  // The user's id, or nullopt when no user has that name.
  std::optional<long long> set_password_by_name(Tx& tx, const std::string& username,
                                                const std::string& hash) const;
  bool region_exists(Tx& tx, const std::string& code) const;
  bool enterprise_exists(Tx& tx, const std::string& company_code) const;
  // By id; `total` counts all users.
  std::vector<UserListRow> users(Tx& tx, int limit, long long offset, long long& total) const;
  long long user_count(Tx& tx) const;

  void add_session(Tx& tx, const std::string& token_hash, long long user_id,
                   core::SysTime expires_at, const std::string& client_addr) const;
  // Deletes up to `limit` sessions that expired before `now`.
  void sweep_sessions(Tx& tx, core::SysTime now, int limit) const;
  // The active user of an unexpired session.
  std::optional<SessionOwner> session(Tx& tx, const std::string& token_hash,
                                      core::SysTime now) const;
  void delete_session(Tx& tx, const std::string& token_hash) const;
  void delete_user_sessions(Tx& tx, long long user_id) const;

  // ---- machine credentials ----
  std::optional<CredentialLogin> active_credential(Tx& tx, const std::string& app_id) const;
  void touch_credential(Tx& tx, long long id) const;  // last_used_at = now()
  long long add_credential(Tx& tx, const NewCredentialRow& c) const;
  std::optional<StoredEnvelopeKey> envelope_key(Tx& tx, long long credential_id) const;
  // Keys stored in clear, locked for update.
  std::vector<StoredEnvelopeKey> unsealed_envelope_keys(Tx& tx) const;
  void set_envelope_key(Tx& tx, long long credential_id, const std::string& key) const;
  // Credentials within `scope`: all for the province, a region's enterprises' and platforms',
  // an enterprise's own. At most 5000, by id.
  std::vector<CredentialListRow> credentials(Tx& tx, const model::Scope& scope) const;
  bool credential_in_scope(Tx& tx, const model::Scope& scope, long long id) const;
  void revoke_credential(Tx& tx, long long id, std::optional<long long> by) const;
  std::vector<long long> revoked_credentials(Tx& tx) const;
};

// A state-changing request by a person, for the append-only `audit_log` (migration 0001; the
// table refuses UPDATE and DELETE).
struct AuditRow {
  std::string request_id;
  std::optional<long long> actor_id;
  std::string actor_name, actor_role, client_addr, method, path;
  int status = 0;
  std::string action, target;
  std::string detail_json = "{}";
};

class AuditStore {
 public:
  void add(Tx& tx, const AuditRow& a) const;
  // Entries with id < before_id, newest first, as JSON objects (detail stays a JSON object).
  nlohmann::json recent(Tx& tx, int limit, long long before_id) const;
};

}  // namespace hazmon::storage
