#include <hazmon/storage/auth_store.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::storage {
using model::Scope;
using model::ScopeKind;

const char* scope_kind_name(ScopeKind k) {
  switch (k) {
    case ScopeKind::province:
      return "province";
    case ScopeKind::region:
      return "region";
    case ScopeKind::enterprise:
      return "enterprise";
  }
  return "province";
}

std::string scope_code(const Scope& s) {
  return s.kind == ScopeKind::region       ? s.region_code
         : s.kind == ScopeKind::enterprise ? s.company_code
                                           : "";
}

Scope scope_from(const std::string& kind, const std::string& code) {
  if (kind == "region") return Scope::region(code);
  if (kind == "enterprise") return Scope::enterprise(code);
  return Scope::province();
}

namespace {
std::string id_text(long long id) { return std::to_string(id); }
std::string ts(core::SysTime t) { return core::format_rfc3339(t); }

model::Role role_of(const Row& r, std::string_view column) {
  auto role = model::role_from_string(r.text(r.index(column)));
  if (!role) r.bad_field(r.index(column), "not a known role");
  return *role;
}

// A principal from the columns id, <name_column>, <role_column>, scope_kind, scope_code.
model::Principal principal_of(const Row& r, std::string_view name_column,
                              std::string_view role_column) {
  model::Principal p;
  p.id = r.get<long long>("id");
  p.name = r.get<std::string>(name_column);
  p.role = role_of(r, role_column);
  p.scope = scope_from(r.get<std::string>("scope_kind"), r.get<std::string>("scope_code"));
  return p;
}

// The SQL condition and parameters for the credentials (alias c) within a scope.
std::string credential_scope_sql(const Scope& scope, Params& params) {
  switch (scope.kind) {
    case ScopeKind::province:
      return "true";
    case ScopeKind::region: {
      auto p = ph(params, model::region_prefix(scope.region_code) + "%");
      return "((c.scope_kind = 'enterprise' AND c.scope_code IN (SELECT company_code FROM "
             "enterprise WHERE region_code LIKE " +
             p + ")) OR (c.scope_kind = 'region' AND c.scope_code LIKE " + p + "))";
    }
    case ScopeKind::enterprise:
      return "(c.scope_kind = 'enterprise' AND c.scope_code = " + ph(params, scope.company_code) +
             ")";
  }
  return "false";
}
}  // namespace

// ---- people and sessions ----

std::optional<UserLogin> AuthStore::active_user(Tx& tx, const std::string& username) const {
  auto r = tx.query(
      "SELECT id, username, role, scope_kind, scope_code, password_hash FROM app_user "
      "WHERE username = $1 AND is_active",
      {username});
  if (r.empty()) return std::nullopt;
  return UserLogin{principal_of(r[0], "username", "role"), r[0].get<std::string>("password_hash")};
}

std::optional<std::string> AuthStore::password_hash(Tx& tx, long long user_id) const {
  return tx.one<std::string>("SELECT password_hash FROM app_user WHERE id = $1",
                             {id_text(user_id)});
}

long long AuthStore::add_user(Tx& tx, const NewUserRow& u) const {
  return *tx.one<long long>(
      "INSERT INTO app_user(username, display_name, role, scope_kind, scope_code, password_hash, "
      "mobile, email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
      {u.username, u.display_name, std::string(model::to_string(u.role)),
       scope_kind_name(u.scope.kind), scope_code(u.scope), u.password_hash, u.mobile, u.email});
}

bool AuthStore::set_user_active(Tx& tx, long long user_id, bool active) const {
  return tx
      .one<long long>(
          "UPDATE app_user SET is_active = $1, updated_at = now() WHERE id = $2 RETURNING id",
          {active ? "true" : "false", id_text(user_id)})
      .has_value();
}

void AuthStore::set_password(Tx& tx, long long user_id, const std::string& hash) const {
  tx.query(
      "UPDATE app_user SET password_hash = $1, password_changed_at = now(), updated_at = now() "
      "WHERE id = $2",
      {hash, id_text(user_id)});
}

std::optional<long long> AuthStore::set_password_by_name(Tx& tx, const std::string& username,
                                                         const std::string& hash) const {
  return tx.one<long long>(
      "UPDATE app_user SET password_hash = $1, password_changed_at = now(), updated_at = now() "
      "WHERE username = $2 RETURNING id",
      {hash, username});
}

bool AuthStore::region_exists(Tx& tx, const std::string& code) const {
  return tx.one<int>("SELECT 1 FROM region WHERE code = $1", {code}).has_value();
}

bool AuthStore::enterprise_exists(Tx& tx, const std::string& company_code) const {
  return tx.one<int>("SELECT 1 FROM enterprise WHERE company_code = $1", {company_code})
      .has_value();
}

template <>
struct RowDescription<UserListRow> {
  using U = UserListRow;
  static constexpr auto columns =
      std::make_tuple(column("id", &U::id), column("username", &U::username),
                      column("display_name", &U::display_name), column("role", &U::role),
                      column("scope_kind", &U::scope_kind), column("scope_code", &U::scope_code),
                      column("is_active", &U::is_active), column("created_at", &U::created_at));
};

std::vector<UserListRow> AuthStore::users(Tx& tx, int limit, long long offset,
                                          long long& total) const {
  auto r = tx.query(
      "SELECT id, username, display_name, role, scope_kind, scope_code, is_active, created_at, "
      "count(*) OVER () AS total_count_ FROM app_user ORDER BY id LIMIT $1 OFFSET $2",
      {std::to_string(limit), std::to_string(offset)});
  total = r.empty() ? 0 : r[0].get<long long>("total_count_");
  return r.as<UserListRow>();
}

long long AuthStore::user_count(Tx& tx) const {
  return *tx.one<long long>("SELECT count(*) FROM app_user");
}

void AuthStore::add_session(Tx& tx, const std::string& token_hash, long long user_id,
                            core::SysTime expires_at, const std::string& client_addr) const {
  tx.query(
      "INSERT INTO user_session(token_hash, user_id, expires_at, client_addr) VALUES ($1, $2, "
      "$3, $4)",
      {token_hash, id_text(user_id), ts(expires_at), client_addr});
}

void AuthStore::sweep_sessions(Tx& tx, core::SysTime now, int limit) const {
  tx.query(
      "DELETE FROM user_session WHERE token_hash IN "
      "(SELECT token_hash FROM user_session WHERE expires_at < $1::timestamptz LIMIT $2)",
      {ts(now), std::to_string(limit)});
}

std::optional<SessionOwner> AuthStore::session(Tx& tx, const std::string& token_hash,
                                               core::SysTime now) const {
  auto r = tx.query(
      "SELECT u.id, u.username, u.role, u.scope_kind, u.scope_code, s.expires_at "
      "FROM user_session s JOIN app_user u ON u.id = s.user_id "
      "WHERE s.token_hash = $1 AND s.expires_at > $2::timestamptz AND u.is_active",
      {token_hash, ts(now)});
  if (r.empty()) return std::nullopt;
  return SessionOwner{principal_of(r[0], "username", "role"),
                      r[0].get<core::SysTime>("expires_at")};
}

void AuthStore::delete_session(Tx& tx, const std::string& token_hash) const {
  tx.query("DELETE FROM user_session WHERE token_hash = $1", {token_hash});
}

void AuthStore::delete_user_sessions(Tx& tx, long long user_id) const {
  tx.query("DELETE FROM user_session WHERE user_id = $1", {id_text(user_id)});
}

// ---- machine credentials ----

std::optional<CredentialLogin> AuthStore::active_credential(Tx& tx,
                                                            const std::string& app_id) const {
  auto r = tx.query(
      "SELECT id, app_id, kind, scope_kind, scope_code, secret_hash FROM api_credential "
      "WHERE app_id = $1 AND is_active",
      {app_id});
  if (r.empty()) return std::nullopt;
  return CredentialLogin{principal_of(r[0], "app_id", "kind"),
                         r[0].get<std::string>("secret_hash")};
}

void AuthStore::touch_credential(Tx& tx, long long id) const {
  tx.query("UPDATE api_credential SET last_used_at = now() WHERE id = $1", {id_text(id)});
}

long long AuthStore::add_credential(Tx& tx, const NewCredentialRow& c) const {
  return *tx.one<long long>(
      "INSERT INTO api_credential(app_id, kind, scope_kind, scope_code, secret_hash, "
      "description, created_by, envelope_cipher, envelope_key_hex, envelope_iv_hex) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
      {c.app_id, std::string(model::to_string(c.kind)), scope_kind_name(c.scope.kind),
       scope_code(c.scope), c.secret_hash, c.description,
       c.created_by ? Param(id_text(*c.created_by)) : Param(), c.envelope_cipher, c.envelope_key,
       c.envelope_iv});
}

template <>
struct RowDescription<StoredEnvelopeKey> {
  using K = StoredEnvelopeKey;
  static constexpr auto columns = std::make_tuple(
      column("id", &K::id), column("app_id", &K::app_id), column("cipher", &K::cipher),
      column("key_hex", &K::key_hex), column("iv", &K::iv_hex));
};

std::optional<StoredEnvelopeKey> AuthStore::envelope_key(Tx& tx, long long credential_id) const {
  return tx.one<StoredEnvelopeKey>(
      "SELECT id, app_id, envelope_cipher AS cipher, envelope_key_hex AS key_hex, "
      "coalesce(envelope_iv_hex, '') AS iv FROM api_credential "
      "WHERE id = $1 AND is_active AND envelope_cipher IS NOT NULL",
      {id_text(credential_id)});
}

std::vector<StoredEnvelopeKey> AuthStore::unsealed_envelope_keys(Tx& tx) const {
  return tx.rows<StoredEnvelopeKey>(
      "SELECT id, app_id, coalesce(envelope_cipher, '') AS cipher, envelope_key_hex AS key_hex, "
      "coalesce(envelope_iv_hex, '') AS iv FROM api_credential "
      "WHERE envelope_key_hex IS NOT NULL AND envelope_key_hex NOT LIKE 'v1:%' FOR UPDATE");
}

void AuthStore::set_envelope_key(Tx& tx, long long credential_id, const std::string& key) const {
  tx.query("UPDATE api_credential SET envelope_key_hex = $1 WHERE id = $2",
           {key, id_text(credential_id)});
}

std::vector<CredentialListRow> AuthStore::credentials(Tx& tx, const Scope& scope) const {
  Params params;
  auto where = credential_scope_sql(scope, params);
  auto rows = tx.query(
      "SELECT c.id, c.app_id, c.kind, c.scope_kind, c.scope_code, c.description, "
      "coalesce(c.envelope_cipher, '') AS cipher, c.is_active, c.created_at, c.last_used_at, "
      "c.revoked_at FROM api_credential c WHERE " +
          where + " ORDER BY c.id LIMIT 5000",
      params);
  std::vector<CredentialListRow> out;
  out.reserve(rows.size());
  for (auto r : rows) {
    auto p = principal_of(r, "app_id", "kind");
    CredentialListRow c;
    c.id = p.id;
    c.app_id = std::move(p.name);
    c.kind = p.role;
    c.scope = std::move(p.scope);
    c.description = r.get<std::string>("description");
    c.envelope_cipher = r.get<std::string>("cipher");
    c.active = r.get<bool>("is_active");
    c.created_at = r.get<core::SysTime>("created_at");
    c.last_used_at = r.get<std::optional<core::SysTime>>("last_used_at");
    c.revoked_at = r.get<std::optional<core::SysTime>>("revoked_at");
    out.push_back(std::move(c));
  }
  return out;
}

bool AuthStore::credential_in_scope(Tx& tx, const Scope& scope, long long id) const {
  Params params{id_text(id)};
  auto where = credential_scope_sql(scope, params);
  return tx.one<long long>("SELECT c.id FROM api_credential c WHERE c.id = $1 AND " + where, params)
      .has_value();
}

void AuthStore::revoke_credential(Tx& tx, long long id, std::optional<long long> by) const {
  tx.query(
      "UPDATE api_credential SET is_active = false, revoked_at = coalesce(revoked_at, now()), "
      "revoked_by = $2 WHERE id = $1",
      {id_text(id), by ? Param(id_text(*by)) : Param()});
}

std::vector<long long> AuthStore::revoked_credentials(Tx& tx) const {
  return tx.rows<long long>("SELECT id FROM api_credential WHERE NOT is_active");
}

// ---- audit ----

void AuditStore::add(Tx& tx, const AuditRow& a) const {
  tx.query(
      "INSERT INTO audit_log(request_id, actor_id, actor_name, actor_role, client_addr, method, "
      "path, status, action, target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
      "$11)",
      {a.request_id, a.actor_id ? Param(id_text(*a.actor_id)) : Param(), a.actor_name, a.actor_role,
       a.client_addr, a.method, a.path, std::to_string(a.status), a.action, a.target,
       a.detail_json});
}

nlohmann::json AuditStore::recent(Tx& tx, int limit, long long before_id) const {
  return tx.exec(
      "SELECT id, at, request_id, actor_id, actor_name, actor_role, client_addr, method, path, "
      "status, action, target, detail FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2",
      {std::to_string(before_id), std::to_string(limit)});
}

}  // namespace hazmon::storage
