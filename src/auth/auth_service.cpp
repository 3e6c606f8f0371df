#include <hazmon/auth/auth_service.hpp>

#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>

#include <hazmon/auth/password.hpp>
#include <hazmon/core/encoding.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::auth {
using core::Errc;
using core::Error;
using model::Role;
using model::Scope;
using model::ScopeKind;

namespace {
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

Scope scope_from(const std::string& kind, const std::string& code) {
  if (kind == "region") return Scope::region(code);
  if (kind == "enterprise") return Scope::enterprise(code);
  return Scope::province();
}

std::string scope_code(const Scope& s) {
  return s.kind == ScopeKind::region       ? s.region_code
         : s.kind == ScopeKind::enterprise ? s.company_code
                                           : "";
}

// A verification that always costs one argon2id computation, so that a missing user name
// takes as long as a wrong password.
const std::string& dummy_hash() {
  static const std::string h = hash_password("not-a-real-password-0");
  return h;
}
}  // namespace

std::string role_scope_problem(Role role, const Scope& scope) {
  using model::RegionLevel;
  switch (role) {
    case Role::province_admin:
    case Role::province_officer:
    case Role::operator_:
      return scope.kind == ScopeKind::province ? "" : "this role needs the province scope";
    case Role::city_officer:
      return scope.kind == ScopeKind::region &&
                     model::region_level(scope.region_code) == RegionLevel::city
                 ? ""
                 : "a city officer needs a city region code (e.g. 140100)";
    case Role::county_officer:
      return scope.kind == ScopeKind::region &&
                     model::region_level(scope.region_code) == RegionLevel::county
                 ? ""
                 : "a county officer needs a county region code (e.g. 140105)";
    case Role::enterprise_user:
      return scope.kind == ScopeKind::enterprise && scope.company_code.size() == 11
                 ? ""
                 : "an enterprise user needs an 11-character enterprise code";
    case Role::gateway:
      return scope.kind == ScopeKind::enterprise ? ""
                                                 : "a gateway credential belongs to an enterprise";
    case Role::city_platform:
      return scope.kind == ScopeKind::region ? ""
                                             : "a city platform credential belongs to a region";
  }
  return "unknown role";
}

struct AuthService::Watch {
  explicit Watch(core::SerialWorkerOptions o) : worker(std::move(o)) {}
  core::SerialWorker worker;
};

AuthService::AuthService(storage::Database& db, AuthSettings s, const core::Clock& clock)
    : db_(db), s_(s), clock_(clock), throttle_(s.throttle, clock) {}

AuthService::~AuthService() { stop_revocation_watch(); }

long long AuthService::retry_after_s(const std::string& username, const std::string& client_addr) {
  return throttle_.retry_after_s(username, client_addr);
}

void AuthService::check_not_throttled(const std::string& username, const std::string& client_addr) {
  if (throttle_.retry_after_s(username, client_addr) > 0) {
    throw Error(Errc::throttled, core::Reason::login_throttled,
                "too many failed attempts; try again later");
  }
}

void AuthService::record_failure(const std::string& username, const std::string& client_addr) {
  if (throttle_.record_failure(username, client_addr))
    core::logger(core::LogModule::auth)
        ->warn("login lockout user={} addr_group={}", username, core::address_group(client_addr));
}

LoginResult AuthService::login(const std::string& username, const std::string& password,
                               const std::string& client_addr) {
  check_not_throttled(username, client_addr);
  auto row = db_.in_tx([&](storage::Tx& tx) {
    return tx.exec_one(
        "SELECT id, username, role, scope_kind, scope_code, password_hash FROM app_user "
        "WHERE username = $1 AND is_active",
        {username});
  });
  bool ok = false;
  if (row.is_null()) {
    verify_password(dummy_hash(), password);
  } else {
    ok = verify_password(row["password_hash"].get<std::string>(), password);
  }
  if (!ok) {
    record_failure(username, client_addr);
    throw Error(Errc::unauthenticated, "wrong user name or password");
  }
  throttle_.record_success(username, client_addr);

  LoginResult r;
  r.token = core::random_token(32);
  r.expires_at = clock_.now() + s_.session_ttl;
  r.principal.id = row["id"].get<long long>();
  r.principal.name = row["username"].get<std::string>();
  r.principal.role = *model::role_from_string(row["role"].get<std::string>());
  r.principal.scope = scope_from(row["scope_kind"], row["scope_code"]);
  db_.in_tx([&](storage::Tx& tx) {
    tx.exec(
        "INSERT INTO user_session(token_hash, user_id, expires_at, client_addr) VALUES ($1, $2, "
        "$3, $4)",
        {core::sha256_hex(r.token), std::to_string(r.principal.id),
         core::format_rfc3339(r.expires_at), client_addr});
    // Expired sessions are of no use to anyone; sweep a few on every login. "Expired" by the
    // same clock that set expires_at and that authenticate() compares with.
    tx.exec(
        "DELETE FROM user_session WHERE token_hash IN "
        "(SELECT token_hash FROM user_session WHERE expires_at < $1::timestamptz LIMIT 100)",
        {core::format_rfc3339(clock_.now())});
  });
  return r;
}

std::optional<model::Principal> AuthService::cached(const std::string& key) {
  if (s_.principal_cache.count() == 0) return std::nullopt;
  std::lock_guard lock(cache_mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  if (clock_.now() >= it->second.until) {
    // A stale entry stays as the last known good answer while PostgreSQL is unreachable (see
    // authenticate) until the session itself ends; machine credentials keep theirs.
    if (it->second.principal.is_person() && clock_.now() >= it->second.expires) cache_.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

void AuthService::remember(const std::string& key, const model::Principal& p,
                           core::SysTime session_expiry) {
  if (s_.principal_cache.count() == 0) return;
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() > 100000) cache_.clear();  // bounded; a flood of tokens only costs lookups
  cache_[key] =
      Cached{p, std::min(session_expiry, clock_.now() + s_.principal_cache), session_expiry};
}

void AuthService::forget_user(long long user_id) {
  std::lock_guard lock(cache_mutex_);
  std::erase_if(cache_, [&](const auto& kv) {
    return kv.second.principal.is_person() && kv.second.principal.id == user_id;
  });
}

std::optional<model::Principal> AuthService::authenticate(const std::string& bearer) {
  if (bearer.empty() || bearer.size() > 512) return std::nullopt;
  auto key = core::sha256_hex(bearer);
  if (auto p = cached(key)) return p;
  auto now = core::format_rfc3339(clock_.now());
  if (auto dot = bearer.find('.'); dot != std::string::npos) {
    std::string app_id = bearer.substr(0, dot);
    std::string secret = bearer.substr(dot + 1);
    nlohmann::json row;
    try {
      row = db_.in_tx([&](storage::Tx& tx) {
        auto r = tx.exec_one(
            "SELECT id, app_id, kind, scope_kind, scope_code, secret_hash FROM api_credential "
            "WHERE app_id = $1 AND is_active",
            {app_id});
        // Only a request with the right secret is a use of the credential.
        if (r.is_null() ||
            !core::secure_equals(core::sha256_hex(secret), r["secret_hash"].get<std::string>()))
          return nlohmann::json();
        tx.exec("UPDATE api_credential SET last_used_at = now() WHERE id = $1",
                {std::to_string(r["id"].get<long long>())});
        return r;
      });
    } catch (const storage::TransientError&) {
      // PostgreSQL is away. Gateways must keep uploading (the ingest spool makes their data
      // durable), so a token that this process verified before, secret included (the cache key
      // is the hash of the whole token), is still accepted; anything else gets the 503.
      std::lock_guard lock(cache_mutex_);
      if (auto it = cache_.find(key); it != cache_.end() && !it->second.principal.is_person())
        return it->second.principal;
      throw;
    }
    if (row.is_null()) {
      // Revoked, deactivated or a wrong secret: whatever this node remembered for the token is
      // no longer a last known good answer for a later outage.
      std::lock_guard lock(cache_mutex_);
      cache_.erase(key);
      return std::nullopt;
    }
    model::Principal p;
    p.id = row["id"].get<long long>();
    p.name = row["app_id"].get<std::string>();
    p.role = *model::role_from_string(row["kind"].get<std::string>());
    p.scope = scope_from(row["scope_kind"], row["scope_code"]);
    remember(key, p, clock_.now() + std::chrono::hours(24));
    return p;
  }
  nlohmann::json row;
  try {
    row = db_.in_tx([&](storage::Tx& tx) {
      return tx.exec_one(
          "SELECT u.id, u.username, u.role, u.scope_kind, u.scope_code, "
          "(extract(epoch FROM s.expires_at) * 1000)::bigint AS expires_ms FROM user_session s "
          "JOIN app_user u ON u.id = s.user_id "
          "WHERE s.token_hash = $1 AND s.expires_at > $2::timestamptz AND u.is_active",
          {key, now});
    });
  } catch (const storage::TransientError&) {
    // PostgreSQL is away. A session this process verified before keeps working until it ends,
    // so the duty room's live alarm stream (fed from memory and the ingest spool) can reconnect
    // during an outage; a logout or password change through this process has already removed
    // it, and a change made elsewhere meanwhile cannot be read anyway.
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(key);
        it != cache_.end() && it->second.principal.is_person() && clock_.now() < it->second.expires)
      return it->second.principal;
    throw;
  }
  if (row.is_null()) return std::nullopt;
  model::Principal p;
  p.id = row["id"].get<long long>();
  p.name = row["username"].get<std::string>();
  p.role = *model::role_from_string(row["role"].get<std::string>());
  p.scope = scope_from(row["scope_kind"], row["scope_code"]);
  remember(key, p, core::SysTime{std::chrono::milliseconds(row["expires_ms"].get<long long>())});
  return p;
}

void AuthService::logout(const std::string& bearer) {
  auto hash = core::sha256_hex(bearer);
  {
    std::lock_guard lock(cache_mutex_);
    cache_.erase(hash);
  }
  db_.in_tx(
      [&](storage::Tx& tx) { tx.exec("DELETE FROM user_session WHERE token_hash = $1", {hash}); });
  sessions_ended(0, hash);
}

void AuthService::on_session_end(SessionEndListener l) { session_end_.push_back(std::move(l)); }

void AuthService::sessions_ended(long long user_id, const std::string& token_hash) {
  for (const auto& l : session_end_) l(user_id, token_hash);
}

void AuthService::set_active(long long user_id, bool active) {
  db_.in_tx([&](storage::Tx& tx) {
    auto row = tx.exec_one(
        "UPDATE app_user SET is_active = $1, updated_at = now() WHERE id = $2 RETURNING id",
        {active ? "true" : "false", std::to_string(user_id)});
    if (row.is_null()) throw Error(Errc::not_found, "no such user");
    if (!active) tx.exec("DELETE FROM user_session WHERE user_id = $1", {std::to_string(user_id)});
  });
  if (!active) {
    forget_user(user_id);
    sessions_ended(user_id, "");
  }
}

void AuthService::change_password(const model::Principal& who, const std::string& old_password,
                                  const std::string& new_password, const std::string& client_addr) {
  if (!who.is_person()) throw Error(Errc::forbidden, "machine credentials have no password");
  // A stolen session must not become an unthrottled password oracle: the old-password check
  // counts against the same (user, address) brake as a login.
  check_not_throttled(who.name, client_addr);
  auto row = db_.in_tx([&](storage::Tx& tx) {
    return tx.exec_one("SELECT password_hash FROM app_user WHERE id = $1",
                       {std::to_string(who.id)});
  });
  if (row.is_null() || !verify_password(row["password_hash"].get<std::string>(), old_password)) {
    record_failure(who.name, client_addr);
    throw Error(Errc::validation_failed, "the current password is wrong",
                {{"/old_password", "does not match"}});
  }
  if (auto p = password_policy_problem(new_password); !p.empty()) {
    throw Error(Errc::validation_failed, p, {{"/new_password", p}});
  }
  auto hash = hash_password(new_password);
  db_.in_tx([&](storage::Tx& tx) {
    tx.exec(
        "UPDATE app_user SET password_hash = $1, password_changed_at = now(), updated_at = now() "
        "WHERE id = $2",
        {hash, std::to_string(who.id)});
    // Every other session of this user ends: a changed password usually means a leaked one.
    tx.exec("DELETE FROM user_session WHERE user_id = $1", {std::to_string(who.id)});
  });
  forget_user(who.id);
  sessions_ended(who.id, "");
}

long long AuthService::create_user(const NewUser& u) {
  std::vector<core::FieldError> problems;
  if (auto p = role_scope_problem(u.role, u.scope); !p.empty()) problems.push_back({"/scope", p});
  if (u.role == Role::gateway || u.role == Role::city_platform)
    problems.push_back({"/role", "machine roles get API credentials, not user accounts"});
  if (auto p = password_policy_problem(u.password); !p.empty())
    problems.push_back({"/password", p});
  if (!problems.empty())
    throw Error(Errc::validation_failed, "the user cannot be created", problems);
  auto hash = hash_password(u.password);
  return db_.in_tx([&](storage::Tx& tx) {
    // The scope must name something that exists.
    if (u.scope.kind == ScopeKind::region &&
        tx.exec_one("SELECT 1 AS x FROM region WHERE code = $1", {u.scope.region_code}).is_null())
      throw Error(Errc::validation_failed, "unknown region", {{"/scope/code", "no such region"}});
    if (u.scope.kind == ScopeKind::enterprise &&
        tx.exec_one("SELECT 1 AS x FROM enterprise WHERE company_code = $1", {u.scope.company_code})
            .is_null())
      throw Error(Errc::validation_failed, "unknown enterprise",
                  {{"/scope/code", "no such enterprise"}});
    auto row = tx.exec_one(
        "INSERT INTO app_user(username, display_name, role, scope_kind, scope_code, password_hash, "
        "mobile, email) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        {u.username, u.display_name, std::string(model::to_string(u.role)),
         scope_kind_name(u.scope.kind), scope_code(u.scope), hash, u.mobile, u.email});
    return row["id"].get<long long>();
  });
}

void AuthService::reset_password(const std::string& username, const std::string& new_password) {
  if (auto p = password_policy_problem(new_password); !p.empty()) {
    throw Error(Errc::validation_failed, p, {{"/password", p}});
  }
  auto hash = hash_password(new_password);
  long long user_id = 0;
  db_.in_tx([&](storage::Tx& tx) {
    auto row = tx.exec_one(
        "UPDATE app_user SET password_hash = $1, password_changed_at = now(), updated_at = now() "
        "WHERE username = $2 RETURNING id",
        {hash, username});
    if (row.is_null()) throw Error(Errc::not_found, "no user named " + username);
    tx.exec("DELETE FROM user_session WHERE user_id = $1",
            {std::to_string(row["id"].get<long long>())});
    user_id = row["id"].get<long long>();
  });
  forget_user(user_id);
  sessions_ended(user_id, "");
}

IssuedCredential AuthService::create_credential(const NewCredential& c, long long created_by) {
  if (c.kind != Role::gateway && c.kind != Role::city_platform)
    throw Error(Errc::validation_failed, "kind must be gateway or city_platform",
                {{"/kind", "unknown kind"}});
  if (auto p = role_scope_problem(c.kind, c.scope); !p.empty())
    throw Error(Errc::validation_failed, p, {{"/scope", p}});
  IssuedCredential out;
  out.app_id = "app-" + core::random_token(12);
  out.secret = core::random_token(32);
  if (!c.envelope_cipher.empty()) {
    const auto& ci = c.envelope_cipher;
    if (ci != "sm4-cbc" && ci != "aes-128-cbc" && ci != "aes-256-cbc" && ci != "aes-256-gcm")
      throw Error(
          Errc::validation_failed, "unknown envelope cipher",
          {{"/envelope_cipher", "aes-256-gcm (recommended), sm4-cbc, aes-128-cbc or aes-256-cbc"}});
    int key_bytes = ci == "aes-256-cbc" || ci == "aes-256-gcm" ? 32 : 16;
    // GCM takes a fresh nonce with every message; the CBC variants keep the fixed IV that
    // gateways which can do nothing else expect.
    out.envelope = EnvelopeKey{ci, core::random_hex(key_bytes),
                               ci == "aes-256-gcm" ? "" : core::random_hex(16)};
  }
  std::string stored_key = out.envelope ? out.envelope->key_hex : "";
  if (out.envelope && box_) stored_key = box_->seal(stored_key, "envelope:" + out.app_id);
  out.id = db_.in_tx([&](storage::Tx& tx) {
    auto row = tx.exec_one(
        "INSERT INTO api_credential(app_id, kind, scope_kind, scope_code, secret_hash, "
        "description, created_by, "
        "envelope_cipher, envelope_key_hex, envelope_iv_hex) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        {out.app_id, std::string(model::to_string(c.kind)), scope_kind_name(c.scope.kind),
         scope_code(c.scope), core::sha256_hex(out.secret), c.description,
         created_by > 0 ? storage::Param(std::to_string(created_by)) : storage::Param(),
         out.envelope ? storage::Param(out.envelope->cipher) : storage::Param(),
         out.envelope ? storage::Param(stored_key) : storage::Param(),
         out.envelope ? storage::Param(out.envelope->iv_hex) : storage::Param()});
    return row["id"].get<long long>();
  });
  return out;
}

std::optional<EnvelopeKey> AuthService::envelope_key(long long credential_id) {
  nlohmann::json row;
  try {
    row = db_.in_tx([&](storage::Tx& tx) {
      return tx.exec_one(
          "SELECT app_id, envelope_cipher, envelope_key_hex, coalesce(envelope_iv_hex, '') AS iv "
          "FROM api_credential WHERE id = $1 AND is_active AND envelope_cipher IS NOT NULL",
          {std::to_string(credential_id)});
    });
  } catch (const storage::TransientError&) {
    std::lock_guard lock(cache_mutex_);
    if (auto it = envelope_keys_.find(credential_id); it != envelope_keys_.end()) return it->second;
    throw;
  }
  std::lock_guard lock(cache_mutex_);
  if (row.is_null()) {
    envelope_keys_.erase(credential_id);
    return std::nullopt;
  }
  std::string key_hex = row["envelope_key_hex"].get<std::string>();
  if (core::SecretBox::is_sealed(key_hex)) {
    auto opened =
        box_ ? box_->open(key_hex, "envelope:" + row["app_id"].get<std::string>()) : std::nullopt;
    if (!opened) {
      core::logger(core::LogModule::auth)
          ->error(
              "the envelope key of credential {} does not open with this node's server key "
              "(security.server_key_file)",
              credential_id);
      envelope_keys_.erase(credential_id);
      return std::nullopt;
    }
    key_hex = *opened;
  }
  EnvelopeKey key{row["envelope_cipher"], key_hex, row["iv"]};
  if (envelope_keys_.size() > 100000) envelope_keys_.clear();
  envelope_keys_[credential_id] = key;
  return key;
}

int AuthService::seal_envelope_keys() {
  if (!box_) return 0;
  return db_.in_tx([&](storage::Tx& tx) {
    auto rows = tx.exec(
        "SELECT id, app_id, envelope_key_hex FROM api_credential "
        "WHERE envelope_key_hex IS NOT NULL AND envelope_key_hex NOT LIKE 'v1:%' FOR UPDATE");
    for (auto& r : rows) {
      tx.exec("UPDATE api_credential SET envelope_key_hex = $1 WHERE id = $2",
              {box_->seal(r["envelope_key_hex"].get<std::string>(),
                          "envelope:" + r["app_id"].get<std::string>()),
               std::to_string(r["id"].get<long long>())});
    }
    return static_cast<int>(rows.size());
  });
}

namespace {
// The SQL condition and parameters for the credentials `who` may see.
std::string credential_scope_sql(const model::Principal& who, std::vector<storage::Param>& params) {
  switch (who.scope.kind) {
    case ScopeKind::province:
      return "true";
    case ScopeKind::region: {
      params.push_back(model::region_prefix(who.scope.region_code) + "%");
      auto n = std::to_string(params.size());
      return "((c.scope_kind = 'enterprise' AND c.scope_code IN (SELECT company_code FROM "
             "enterprise WHERE region_code LIKE $" +
             n + ")) OR (c.scope_kind = 'region' AND c.scope_code LIKE $" + n + "))";
    }
    case ScopeKind::enterprise:
      params.push_back(who.scope.company_code);
      return "(c.scope_kind = 'enterprise' AND c.scope_code = $" + std::to_string(params.size()) +
             ")";
  }
  return "false";
}

bool is_regulator(Role r) {
  return r == Role::province_admin || r == Role::city_officer || r == Role::county_officer;
}
}  // namespace

std::vector<CredentialInfo> AuthService::list_credentials(const model::Principal& who) {
  if (!(is_regulator(who.role) || who.role == Role::enterprise_user ||
        who.role == Role::province_officer || who.role == Role::operator_))
    throw Error(Errc::forbidden, "machine credentials cannot list credentials");
  std::vector<storage::Param> params;
  auto where = credential_scope_sql(who, params);
  auto rows = db_.in_tx([&](storage::Tx& tx) {
    return tx.exec(
        "SELECT c.id, c.app_id, c.kind, c.scope_kind, c.scope_code, c.description, "
        "coalesce(c.envelope_cipher, '') AS cipher, "
        "c.is_active, c.created_at, c.last_used_at, c.revoked_at FROM api_credential c WHERE " +
            where + " ORDER BY c.id LIMIT 5000",
        params);
  });
  std::vector<CredentialInfo> out;
  auto text = [](const nlohmann::json& v) {
    return v.is_string() ? v.get<std::string>() : std::string();
  };
  for (auto& r : rows) {
    CredentialInfo c;
    c.id = r["id"].get<long long>();
    c.app_id = r["app_id"].get<std::string>();
    c.kind = *model::role_from_string(r["kind"].get<std::string>());
    c.scope = scope_from(r["scope_kind"], r["scope_code"]);
    c.description = r["description"].get<std::string>();
    c.envelope_cipher = r["cipher"].get<std::string>();
    c.active = r["is_active"].get<bool>();
    c.created_at = text(r["created_at"]);
    c.last_used_at = text(r["last_used_at"]);
    c.revoked_at = text(r["revoked_at"]);
    out.push_back(std::move(c));
  }
  return out;
}

void AuthService::revoke_credential(const model::Principal& who, long long id) {
  std::vector<storage::Param> params{std::to_string(id)};
  auto where = credential_scope_sql(who, params);
  db_.in_tx([&](storage::Tx& tx) {
    if (tx.exec_one("SELECT c.id FROM api_credential c WHERE c.id = $1 AND " + where, params)
            .is_null())
      throw Error(Errc::not_found, "no such credential");
    if (!is_regulator(who.role))
      throw Error(Errc::forbidden, "only regulators revoke API credentials");
    tx.exec(
        "UPDATE api_credential SET is_active = false, revoked_at = coalesce(revoked_at, now()), "
        "revoked_by = $2 "
        "WHERE id = $1",
        {std::to_string(id),
         who.is_person() ? storage::Param(std::to_string(who.id)) : storage::Param()});
  });
  forget_credential(id);
}

void AuthService::forget_credential(long long credential_id) {
  std::lock_guard lock(cache_mutex_);
  std::erase_if(cache_, [&](const auto& kv) {
    return !kv.second.principal.is_person() && kv.second.principal.id == credential_id;
  });
  envelope_keys_.erase(credential_id);
}

void AuthService::refresh_revocations() {
  auto rows = db_.in_tx([&](storage::Tx& tx) {
    return tx.exec("SELECT id FROM api_credential WHERE NOT is_active");
  });
  for (auto& r : rows) forget_credential(r["id"].get<long long>());
}

void AuthService::start_revocation_watch(std::chrono::milliseconds every,
                                         core::Liveness* liveness) {
  if (watch_) return;
  // A poll blocked on an unreachable database is bounded by the pool's timeouts; ten intervals
  // (at least two minutes) of silence is a hang.
  auto allowance = std::max<std::chrono::milliseconds>(every * 10, std::chrono::minutes(2));
  watch_ = std::make_unique<Watch>(core::SerialWorkerOptions{.name = "auth-revocations",
                                                             .allowance = allowance,
                                                             .liveness = liveness,
                                                             .log = core::LogModule::auth});
  watch_->worker.every(
      "refresh", every,
      [this] {
        try {
          refresh_revocations();
        } catch (const std::exception& e) {
          core::logger(core::LogModule::auth)
              ->debug("revocation poll failed (PostgreSQL away?): {}", e.what());
        }
      },
      /*at_start=*/true);
  watch_->worker.start();
}

void AuthService::stop_revocation_watch() {
  if (!watch_) return;
  watch_->worker.stop(core::SerialWorker::OnStop::drop,
                      std::chrono::seconds(5));  // a poll in flight ends first
  watch_.reset();
}

}  // namespace hazmon::auth
