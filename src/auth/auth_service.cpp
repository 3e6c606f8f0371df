#include <hazmon/auth/auth_service.hpp>

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
#include <hazmon/storage/auth_store.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::auth {
using core::Errc;
using core::Error;
using model::Role;
using model::Scope;
using model::ScopeKind;

namespace {
const storage::AuthStore kStore;

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
  auto user = db_.in_tx([&](storage::Tx& tx) { return kStore.active_user(tx, username); });
  bool ok = false;
  if (!user) {
    verify_password(dummy_hash(), password);
  } else {
    ok = verify_password(user->password_hash, password);
  }
  if (!ok) {
    record_failure(username, client_addr);
    throw Error(Errc::unauthenticated, "wrong user name or password");
  }
  throttle_.record_success(username, client_addr);

  LoginResult r;
  r.token = core::random_token(32);
  r.expires_at = clock_.now() + s_.session_ttl;
  r.principal = std::move(user->principal);
  db_.in_tx([&](storage::Tx& tx) {
    kStore.add_session(tx, core::sha256_hex(r.token), r.principal.id, r.expires_at, client_addr);
    // Expired sessions are of no use to anyone; sweep a few on every login. "Expired" by the
    // same clock that set expires_at and that authenticate() compares with.
    kStore.sweep_sessions(tx, clock_.now(), 100);
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

std::optional<model::Principal> AuthService::authenticate_cached(const std::string& bearer) {
  if (bearer.empty() || bearer.size() > 512) return std::nullopt;
  return cached(core::sha256_hex(bearer));
}

std::optional<model::Principal> AuthService::authenticate(const std::string& bearer) {
  if (bearer.empty() || bearer.size() > 512) return std::nullopt;
  auto key = core::sha256_hex(bearer);
  if (auto p = cached(key)) return p;
  if (auto dot = bearer.find('.'); dot != std::string::npos) {
    std::string app_id = bearer.substr(0, dot);
    std::string secret = bearer.substr(dot + 1);
    std::optional<storage::CredentialLogin> cred;
    try {
      cred = db_.in_tx([&](storage::Tx& tx) {
        auto c = kStore.active_credential(tx, app_id);
        // Only a request with the right secret is a use of the credential.
        if (!c || !core::secure_equals(core::sha256_hex(secret), c->secret_hash))
          return std::optional<storage::CredentialLogin>();
        kStore.touch_credential(tx, c->principal.id);
        return c;
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
    if (!cred) {
      // Revoked, deactivated or a wrong secret: whatever this node remembered for the token is
      // no longer a last known good answer for a later outage.
      std::lock_guard lock(cache_mutex_);
      cache_.erase(key);
      return std::nullopt;
    }
    remember(key, cred->principal, clock_.now() + std::chrono::hours(24));
    return cred->principal;
  }
  std::optional<storage::SessionOwner> owner;
  try {
    owner = db_.in_tx([&](storage::Tx& tx) { return kStore.session(tx, key, clock_.now()); });
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
  if (!owner) return std::nullopt;
  remember(key, owner->principal, owner->expires_at);
  return owner->principal;
}

void AuthService::logout(const std::string& bearer) {
  auto hash = core::sha256_hex(bearer);
  {
    std::lock_guard lock(cache_mutex_);
    cache_.erase(hash);
  }
  db_.in_tx([&](storage::Tx& tx) { kStore.delete_session(tx, hash); });
  sessions_ended(0, hash);
}

void AuthService::on_session_end(SessionEndListener l) { session_end_.push_back(std::move(l)); }

void AuthService::sessions_ended(long long user_id, const std::string& token_hash) {
  for (const auto& l : session_end_) l(user_id, token_hash);
}

void AuthService::set_active(long long user_id, bool active) {
  db_.in_tx([&](storage::Tx& tx) {
    if (!kStore.set_user_active(tx, user_id, active)) throw Error(Errc::not_found, "no such user");
    if (!active) kStore.delete_user_sessions(tx, user_id);
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
  auto stored = db_.in_tx([&](storage::Tx& tx) { return kStore.password_hash(tx, who.id); });
  if (!stored || !verify_password(*stored, old_password)) {
    record_failure(who.name, client_addr);
    throw Error(Errc::validation_failed, "the current password is wrong",
                {{"/old_password", "does not match"}});
  }
  if (auto p = password_policy_problem(new_password); !p.empty()) {
    throw Error(Errc::validation_failed, p, {{"/new_password", p}});
  }
  auto hash = hash_password(new_password);
  db_.in_tx([&](storage::Tx& tx) {
    kStore.set_password(tx, who.id, hash);
    // Every other session of this user ends: a changed password usually means a leaked one.
    kStore.delete_user_sessions(tx, who.id);
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
    if (u.scope.kind == ScopeKind::region && !kStore.region_exists(tx, u.scope.region_code))
      throw Error(Errc::validation_failed, "unknown region", {{"/scope/code", "no such region"}});
    if (u.scope.kind == ScopeKind::enterprise &&
        !kStore.enterprise_exists(tx, u.scope.company_code))
      throw Error(Errc::validation_failed, "unknown enterprise",
                  {{"/scope/code", "no such enterprise"}});
    return kStore.add_user(tx,
                           {u.username, u.display_name, u.role, u.scope, hash, u.mobile, u.email});
  });
}

void AuthService::reset_password(const std::string& username, const std::string& new_password) {
  if (auto p = password_policy_problem(new_password); !p.empty()) {
    throw Error(Errc::validation_failed, p, {{"/password", p}});
  }
  auto hash = hash_password(new_password);
  long long user_id = 0;
  db_.in_tx([&](storage::Tx& tx) {
    auto id = kStore.set_password_by_name(tx, username, hash);
    if (!id) throw Error(Errc::not_found, "no user named " + username);
    kStore.delete_user_sessions(tx, *id);
    user_id = *id;
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
  storage::NewCredentialRow row{out.app_id, c.kind, c.scope, core::sha256_hex(out.secret),
                                c.description};
  if (created_by > 0) row.created_by = created_by;
  if (out.envelope) {
    row.envelope_cipher = out.envelope->cipher;
    row.envelope_key = stored_key;
    row.envelope_iv = out.envelope->iv_hex;
  }
  out.id = db_.in_tx([&](storage::Tx& tx) { return kStore.add_credential(tx, row); });
  return out;
}

std::optional<EnvelopeKey> AuthService::envelope_key(long long credential_id) {
  std::optional<storage::StoredEnvelopeKey> row;
  try {
    row = db_.in_tx([&](storage::Tx& tx) { return kStore.envelope_key(tx, credential_id); });
  } catch (const storage::TransientError&) {
    std::lock_guard lock(cache_mutex_);
    if (auto it = envelope_keys_.find(credential_id); it != envelope_keys_.end()) return it->second;
    throw;
  }
  std::lock_guard lock(cache_mutex_);
  if (!row) {
    envelope_keys_.erase(credential_id);
    return std::nullopt;
  }
  std::string key_hex = row->key_hex;
  if (core::SecretBox::is_sealed(key_hex)) {
    auto opened = box_ ? box_->open(key_hex, "envelope:" + row->app_id) : std::nullopt;
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
  EnvelopeKey key{row->cipher, key_hex, row->iv_hex};
  if (envelope_keys_.size() > 100000) envelope_keys_.clear();
  envelope_keys_[credential_id] = key;
  return key;
}

int AuthService::seal_envelope_keys() {
  if (!box_) return 0;
  return db_.in_tx([&](storage::Tx& tx) {
    auto rows = kStore.unsealed_envelope_keys(tx);
    for (const auto& r : rows)
      kStore.set_envelope_key(tx, r.id, box_->seal(r.key_hex, "envelope:" + r.app_id));
    return static_cast<int>(rows.size());
  });
}

namespace {
bool is_regulator(Role r) {
  return r == Role::province_admin || r == Role::city_officer || r == Role::county_officer;
}
}  // namespace

std::vector<CredentialInfo> AuthService::list_credentials(const model::Principal& who) {
  if (!(is_regulator(who.role) || who.role == Role::enterprise_user ||
        who.role == Role::province_officer || who.role == Role::operator_))
    throw Error(Errc::forbidden, "machine credentials cannot list credentials");
  auto rows = db_.in_tx([&](storage::Tx& tx) { return kStore.credentials(tx, who.scope); });
  std::vector<CredentialInfo> out;
  out.reserve(rows.size());
  auto text = [](const std::optional<core::SysTime>& t) {
    return t ? storage::format_timestamptz(*t) : std::string();
  };
  for (auto& r : rows) {
    out.push_back(CredentialInfo{r.id, std::move(r.app_id), r.kind, std::move(r.scope),
                                 std::move(r.description), std::move(r.envelope_cipher), r.active,
                                 text(r.created_at), text(r.last_used_at), text(r.revoked_at)});
  }
  return out;
}

void AuthService::revoke_credential(const model::Principal& who, long long id) {
  db_.in_tx([&](storage::Tx& tx) {
    if (!kStore.credential_in_scope(tx, who.scope, id))
      throw Error(Errc::not_found, "no such credential");
    if (!is_regulator(who.role))
      throw Error(Errc::forbidden, "only regulators revoke API credentials");
    kStore.revoke_credential(tx, id, who.is_person() ? std::optional(who.id) : std::nullopt);
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
  auto ids = db_.in_tx([&](storage::Tx& tx) { return kStore.revoked_credentials(tx); });
  for (long long id : ids) forget_credential(id);
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
