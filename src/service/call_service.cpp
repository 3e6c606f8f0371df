#include <hazmon/service/call_service.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/storage/database.hpp>

#include "janus_client.hpp"
#include "janus_event_pump.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using model::Role;
using nlohmann::json;
namespace chr = std::chrono;

namespace {
constexpr auto kSessionTtl = chr::minutes(3);  // a proxied Janus session unused this long is gone
constexpr auto kLongPoll = chr::seconds(35);   // Janus answers a long poll within 30 s
constexpr std::size_t kMaxTransaction = 64;
constexpr int kPublishers = 6;
// Handles one admission may join the room with (a browser uses one to publish and one per other
// publisher it watches): bounds the rows a hostile client makes the proxy note.
constexpr int kMaxHandlesPerAdmission = 16;
// Sessions whose events one node pushes at once (one libcurl transfer each, on one thread).
constexpr std::size_t kMaxEventWatches = 256;

bool is_officer(Role r) {
  return r == Role::province_admin || r == Role::province_officer || r == Role::city_officer ||
         r == Role::county_officer;
}

std::string room_context(long long room) { return "call-room:" + std::to_string(room); }

// 1 .. 2^52 - 1: a room id JavaScript's numbers hold exactly.
long long random_room() {
  auto hex = core::random_hex(7);
  auto v = std::stoull(hex, nullptr, 16) & ((1ULL << 52) - 1);
  return static_cast<long long>(v == 0 ? 1 : v);
}

bool visible(const model::DutyCall& c, const model::DutyRoom& mine) {
  return c.caller == mine || c.callee == mine;
}

// The side a person of `mine` joins on: the caller himself, or anyone of the callee's room.
std::optional<std::string> side_of(const model::DutyCall& c, const model::DutyRoom& mine,
                                   const model::Principal& who) {
  if (c.caller == mine && c.caller_user_id && *c.caller_user_id == who.id) return "caller";
  if (c.callee == mine) return "callee";
  return std::nullopt;
}

// The call `who` of room `mine` acts on (joins, ends), locked, and the side he acts from: 404
// unless it is his room's, 403 for a person of the calling room other than the caller, 409 once
// it has ended. `acts` names what he does in the 403's words.
std::pair<model::DutyCall, std::string> call_to_act_on(const storage::CallStore& store,
                                                       storage::Tx& tx, const model::DutyRoom& mine,
                                                       const model::Principal& who, long long id,
                                                       const std::string& acts) {
  auto c = store.get(tx, id, true);
  if (!c || !visible(*c, mine)) throw Error(Errc::not_found, "no such call");
  auto side = side_of(*c, mine, who);
  if (!side)
    throw Error(Errc::forbidden,
                "only the officer who placed the call " + acts + " from the calling room");
  if (c->state == "ended") throw Error(Errc::conflict, "the call has ended");
  return {std::move(*c), *side};
}

// Janus's ids are below 2^53 (16 digits); 18 digits still fit a long long.
bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos;
}

ProxyAnswer refuse(int status, const std::string& why) {
  // Janus's own error shape, so that the browser's client reads it like any Janus error.
  return {status, json{{"janus", "error"}, {"error", {{"code", status}, {"reason", why}}}}.dump()};
}
}  // namespace

void from_json(const json& j, CallSettings& s) {
  s.enabled = j.value("enabled", s.enabled);
  s.janus_url = j.value("janus_url", s.janus_url);
  s.request_timeout = chr::milliseconds(j.value("request_timeout_ms", 5000));
  s.ring_timeout_s = j.value("ring_timeout_s", s.ring_timeout_s);
  s.max_call_minutes = j.value("max_call_minutes", s.max_call_minutes);
  s.max_open_calls_per_user = j.value("max_open_calls_per_user", s.max_open_calls_per_user);
  s.max_long_polls = j.value("max_long_polls", s.max_long_polls);
  s.ice_servers = j.value("ice_servers", s.ice_servers);
  s.turn_username = j.value("turn_username", s.turn_username);
}

// The Janus sessions this node's proxy created, by the person they were created for.
struct CallService::Sessions {
  std::mutex m;
  std::map<long long, std::pair<long long, core::SysTime>> owner;  // session → (user, last use)
  std::atomic<int> long_polls{0};
  std::map<long long, long long> watch_of;  // session → its newest event watch (the older end)
  long long watches = 0;

  void add(long long session, long long user, core::SysTime now) {
    std::lock_guard lock(m);
    for (auto it = owner.begin(); it != owner.end();) {
      if (now - it->second.second <= kSessionTtl) {
        ++it;
        continue;
      }
      watch_of.erase(it->first);
      it = owner.erase(it);
    }
    owner[session] = {user, now};
  }
  bool owns(long long session, long long user, core::SysTime now) {
    std::lock_guard lock(m);
    auto it = owner.find(session);
    if (it == owner.end() || it->second.first != user || now - it->second.second > kSessionTtl)
      return false;
    it->second.second = now;
    return true;
  }
  void drop(long long session) {
    std::lock_guard lock(m);
    owner.erase(session);
    watch_of.erase(session);
  }
  long long new_watch(long long session) {
    std::lock_guard lock(m);
    return watch_of[session] = ++watches;
  }
  bool newest_watch(long long session, long long watch) {
    std::lock_guard lock(m);
    auto it = watch_of.find(session);
    return it != watch_of.end() && it->second == watch;
  }
};

CallService::CallService(storage::Database& db, const core::Clock& clock,
                         const core::SecretBox& box, CallSettings s)
    : db_(db),
      clock_(clock),
      box_(box),
      s_(std::move(s)),
      janus_(std::make_unique<JanusClient>(s_.janus_url, s_.api_secret, s_.request_timeout,
                                           &stopping_)),
      pump_(std::make_unique<JanusEventPump>(s_.janus_url, s_.api_secret, kMaxEventWatches)),
      sessions_(std::make_unique<Sessions>()) {}

CallService::~CallService() { pump_->stop(); }

void CallService::stop() {
  stopping_ = true;
  pump_->stop();  // the event streams end, so that they never hold up the HTTP drain
}

model::DutyRoom CallService::room_of(storage::Tx& tx, const model::Principal& who) const {
  std::optional<model::DutyRoom> room;
  if (who.role == Role::province_admin || who.role == Role::province_officer) {
    if (auto code = store_.province_code(tx)) room = store_.region_room(tx, *code);
  } else if (who.role == Role::city_officer || who.role == Role::county_officer) {
    room = store_.region_room(tx, who.scope.region_code);
  } else if (who.role == Role::enterprise_user) {
    room = store_.enterprise_room(tx, who.scope.company_code);
  } else {
    throw Error(Errc::forbidden, "duty calls are for the people of a duty room");
  }
  if (!room) throw Error(Errc::forbidden, "your duty room is not in the registry");
  return *room;
}

std::optional<model::DutyRoom> CallService::callee_room(storage::Tx& tx,
                                                        const model::Principal& who,
                                                        const model::DutyRoom& mine,
                                                        const std::string& kind,
                                                        const std::string& code) const {
  std::optional<model::DutyRoom> room;
  if (kind == "region") {
    room = store_.region_room(tx, code);
    if (!room || *room == mine) return std::nullopt;
    // A room above the caller's (its county, city, province), or an officer's room below.
    bool above = mine.region_code.rfind(model::region_prefix(code), 0) == 0;
    bool below = is_officer(who.role) && who.scope.covers_region(code);
    if (!above && !below) return std::nullopt;
  } else {
    room = store_.enterprise_room(tx, code);
    if (!room || *room == mine) return std::nullopt;
    if (!is_officer(who.role) || !who.scope.covers_region(room->region_code)) return std::nullopt;
  }
  return room;
}

std::string CallService::open(const std::string& sealed, long long room) const {
  auto v = box_.open(sealed, room_context(room));
  if (!v) throw Error(Errc::internal, "a call's room secret does not open with the server key");
  return *v;
}

void CallService::destroy_room(long long room, const std::string& sealed_secret) {
  try {
    janus_->videoroom(
        {{"request", "destroy"}, {"room", room}, {"secret", open(sealed_secret, room)}});
  } catch (const Error& e) {
    // The call has ended in PostgreSQL; a room left on Janus admits nobody new (its tokens are
    // of ended admissions) and goes with Janus's next restart.
    core::logger(core::LogModule::service)
        ->warn("call room not destroyed room={} error={}", room, e.what());
  }
}

// Ended admissions out of the room (ADR 0036). The VideoRoom kick tells the publisher's handle
// "kicked" and the others that it left; detaching every handle the admission joined with closes
// its PeerConnections, subscribers' too, which the kick alone leaves open. Best effort: the
// admission has ended in PostgreSQL and its token is off the room's ACL either way.
void CallService::kick(const std::vector<storage::CallJanusHandle>& handles, long long room,
                       const std::string* sealed_secret) {
  auto log = core::logger(core::LogModule::service);
  for (const auto& h : handles) {
    if (!sealed_secret || !h.publisher_id) continue;
    try {
      janus_->videoroom({{"request", "kick"},
                         {"room", room},
                         {"secret", open(*sealed_secret, room)},
                         {"id", *h.publisher_id}});
    } catch (const Error& e) {
      // Gone already (the browser left the room or its session ended): nothing to kick.
      log->debug("call publisher not kicked room={} id={} error={}", room, *h.publisher_id,
                 e.what());
    }
  }
  for (const auto& h : handles) {
    auto r =
        janus_->post("/" + std::to_string(h.janus_session) + "/" + std::to_string(h.janus_handle),
                     {{"janus", "detach"}});
    log->info("call handle detached room={} handle={} status={}", room, h.janus_handle, r.status);
  }
}

void CallService::changed(long long id) {
  if (!on_change_) return;
  try {
    auto c = db_.in_tx([&](storage::Tx& tx) { return store_.get(tx, id, false); });
    if (c) on_change_(*c);
  } catch (const std::exception& e) {
    // The change is durable; the dashboards' slow poll shows it.
    core::logger(core::LogModule::service)->warn("call change not pushed id={}: {}", id, e.what());
  }
}

model::DutyCall CallService::create(const model::Principal& who, const std::string& callee_kind,
                                    const std::string& callee_code) {
  if (!who.is_person()) throw Error(Errc::forbidden, "duty calls are for people");
  if (callee_kind != "region" && callee_kind != "enterprise")
    throw Error(Errc::validation_failed, "the request is not valid",
                {{"/callee_kind", "must be region or enterprise"}});
  if (callee_code.empty() || callee_code.size() > 32)
    throw Error(Errc::validation_failed, "the request is not valid",
                {{"/callee_code", "1 to 32 characters"}});
  sweep();
  auto now = clock_.now();
  model::DutyCall c;
  db_.in_tx([&](storage::Tx& tx) {
    c.caller = room_of(tx, who);
    auto callee = callee_room(tx, who, c.caller, callee_kind, callee_code);
    if (!callee)
      throw Error(Errc::validation_failed, "no such duty room",
                  {{"/callee_code", "no duty room you may call"}});
    c.callee = *callee;
    if (store_.open_calls_started_by(tx, who.id) >= s_.max_open_calls_per_user)
      throw Error(Errc::conflict, "you have " + std::to_string(s_.max_open_calls_per_user) +
                                      " calls open; end one first");
  });
  c.caller_user_id = who.id;
  c.caller_name = who.name;
  c.started_at = now;
  c.janus_room = random_room();
  auto secret = core::random_token(24), pin = core::random_token(12);
  // An empty `allowed` list: only the tokens join adds get in (Janus's room ACL).
  janus_->videoroom({{"request", "create"},
                     {"room", c.janus_room},
                     {"admin_key", s_.room_admin_key},
                     {"secret", secret},
                     {"pin", pin},
                     {"is_private", true},
                     {"permanent", false},
                     {"publishers", kPublishers},
                     {"description", "hazmon call"},
                     {"allowed", json::array()}});
  long long id = 0;
  try {
    id = db_.in_tx([&](storage::Tx& tx) {
      return store_.insert(tx, c, box_.seal(secret, room_context(c.janus_room)),
                           box_.seal(pin, room_context(c.janus_room)));
    });
  } catch (...) {
    janus_->videoroom({{"request", "destroy"}, {"room", c.janus_room}, {"secret", secret}});
    throw;
  }
  core::logger(core::LogModule::service)
      ->info("call placed id={} caller={} from={}:{} to={}:{}", id, who.name, c.caller.kind,
             c.caller.code, c.callee.kind, c.callee.code);
  changed(id);
  return db_.in_tx([&](storage::Tx& tx) { return *store_.get(tx, id, false); });
}

storage::CallPage CallService::list(const model::Principal& who,
                                    const std::optional<std::string>& state, int limit,
                                    long long offset) {
  if (!who.is_person()) throw Error(Errc::forbidden, "duty calls are for people");
  if (state && *state != "ringing" && *state != "active" && *state != "ended")
    throw Error(Errc::bad_request, "state must be ringing, active or ended");
  sweep();
  return db_.in_tx([&](storage::Tx& tx) {
    auto mine = room_of(tx, who);
    auto page = store_.list(tx, mine, state, limit, offset);
    for (auto& c : page.items) c.incoming = c.callee == mine;
    return page;
  });
}

model::DutyCall CallService::get(const model::Principal& who, long long id) {
  if (!who.is_person()) throw Error(Errc::forbidden, "duty calls are for people");
  sweep();
  return db_.in_tx([&](storage::Tx& tx) {
    auto mine = room_of(tx, who);
    auto c = store_.get(tx, id, false);
    if (!c || !visible(*c, mine)) throw Error(Errc::not_found, "no such call");
    c->incoming = c->callee == mine;
    return *c;
  });
}

CallJoin CallService::join(const model::Principal& who, long long id) {
  if (!who.is_person()) throw Error(Errc::forbidden, "duty calls are for people");
  sweep();
  auto now = clock_.now();
  auto token = core::random_token(24);
  auto hash = core::sha256_hex(token);
  std::vector<storage::CallJanusHandle> void_handles;
  storage::CallRoomSecrets sec;
  bool answered = false;
  db_.in_tx([&](storage::Tx& tx) {
    auto [c, side] = call_to_act_on(store_, tx, room_of(tx, who), who, id, "joins");
    auto old = store_.leave(tx, id, who.id, now);
    // An earlier admission of his is void: its handles are kicked below.
    void_handles = store_.take_janus_handles(tx, id, who.id);
    store_.insert_participant(tx, id, who.id, who.name, side, hash, now);
    answered = side == "callee" && c.state == "ringing";
    if (side == "callee") store_.set_active(tx, id, now);
    sec = *store_.secrets(tx, id);
    auto secret = open(sec.sealed_secret, c.janus_room);
    // Janus admits the token's hash (the proxy swaps it in); the browser never holds what
    // Janus accepts, and an ended admission is taken off the list.
    janus_->videoroom({{"request", "allowed"},
                       {"room", c.janus_room},
                       {"secret", secret},
                       {"action", "add"},
                       {"allowed", json::array({hash})}});
    if (!old.empty())
      janus_->videoroom({{"request", "allowed"},
                         {"room", c.janus_room},
                         {"secret", secret},
                         {"action", "remove"},
                         {"allowed", old}});
  });
  kick(void_handles, sec.janus_room, &sec.sealed_secret);
  core::logger(core::LogModule::service)->info("call joined id={} user={}", id, who.name);
  if (answered) changed(id);
  auto c = get(who, id);
  return {std::move(c), token, who.name};
}

model::DutyCall CallService::leave(const model::Principal& who, long long id) {
  if (!who.is_person()) throw Error(Errc::forbidden, "duty calls are for people");
  auto now = clock_.now();
  std::optional<storage::CallRoomSecrets> destroy;
  std::vector<storage::CallJanusHandle> handles;
  storage::CallRoomSecrets sec;
  db_.in_tx([&](storage::Tx& tx) {
    auto mine = room_of(tx, who);
    auto c = store_.get(tx, id, true);
    if (!c || !visible(*c, mine)) throw Error(Errc::not_found, "no such call");
    auto tokens = store_.leave(tx, id, who.id, now);
    sec = *store_.secrets(tx, id);
    handles = store_.take_janus_handles(tx, id, who.id);
    if (c->state == "ended" || tokens.empty()) return;
    if (c->state == "active" && store_.open_participants(tx, id) == 0) {
      store_.end(tx, id, now, who.name, "left");
      // Nobody is left: every handle goes with the room.
      auto rest = store_.take_janus_handles(tx, id, std::nullopt);
      handles.insert(handles.end(), rest.begin(), rest.end());
      destroy = sec;
      return;
    }
    try {
      janus_->videoroom({{"request", "allowed"},
                         {"room", c->janus_room},
                         {"secret", open(sec.sealed_secret, c->janus_room)},
                         {"action", "remove"},
                         {"allowed", tokens}});
    } catch (const Error& e) {
      // The admission has ended here; the proxy no longer admits its token either way.
      core::logger(core::LogModule::service)
          ->warn("call token not removed from Janus id={} error={}", id, e.what());
    }
  });
  if (destroy) {
    destroy_room(destroy->janus_room, destroy->sealed_secret);
    kick(handles, sec.janus_room, nullptr);
    changed(id);
  } else {
    kick(handles, sec.janus_room, &sec.sealed_secret);
  }
  return get(who, id);
}

model::DutyCall CallService::end(const model::Principal& who, long long id) {
  if (!who.is_person()) throw Error(Errc::forbidden, "duty calls are for people");
  auto now = clock_.now();
  storage::CallRoomSecrets sec;
  std::vector<storage::CallJanusHandle> handles;
  db_.in_tx([&](storage::Tx& tx) {
    auto [c, side] = call_to_act_on(store_, tx, room_of(tx, who), who, id, "ends it");
    auto reason = side == "callee" && c.state == "ringing" ? "declined" : "hung_up";
    store_.end(tx, id, now, who.name, reason);
    sec = *store_.secrets(tx, id);
    handles = store_.take_janus_handles(tx, id, std::nullopt);
  });
  destroy_room(sec.janus_room, sec.sealed_secret);
  kick(handles, sec.janus_room, nullptr);
  core::logger(core::LogModule::service)->info("call ended id={} by={}", id, who.name);
  changed(id);
  return get(who, id);
}

void CallService::sweep() {
  auto now = clock_.now();
  std::vector<std::pair<storage::CallRoomSecrets, std::vector<storage::CallJanusHandle>>> ended;
  db_.in_tx([&](storage::Tx& tx) {
    for (auto& e : store_.end_overdue(tx, now, now - chr::seconds(s_.ring_timeout_s),
                                      now - chr::minutes(s_.max_call_minutes)))
      ended.emplace_back(e, store_.take_janus_handles(tx, e.call_id, std::nullopt));
  });
  for (const auto& [e, handles] : ended) {
    destroy_room(e.janus_room, e.sealed_secret);
    kick(handles, e.janus_room, nullptr);
    changed(e.call_id);
  }
}

// ---- the proxy ----

namespace {
// The proxy's path, "", "/<session>" or "/<session>/<handle>", as its numbers; nullopt for any
// other path.
std::optional<std::vector<std::string>> proxy_path(const std::string& path) {
  std::vector<std::string> parts;
  for (std::size_t at = 1; at <= path.size() && !path.empty();) {
    auto slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  for (const auto& p : parts)
    if (!all_digits(p)) return std::nullopt;
  if (parts.size() > 2) return std::nullopt;
  return parts;
}

// What a session may be asked (attach to the VideoRoom, keepalive, destroy), copied into `out`;
// the refusal otherwise.
std::optional<ProxyAnswer> vet_session_request(const json& in, const std::string& verb, json& out) {
  if (verb == "attach") {
    if (in.value("plugin", "") != "janus.plugin.videoroom")
      return refuse(403, "only the VideoRoom plugin");
    out["plugin"] = "janus.plugin.videoroom";
  } else if (verb != "destroy" && verb != "keepalive") {
    return refuse(403, "not allowed through hazmond");
  }
  return std::nullopt;
}
}  // namespace

ProxyAnswer CallService::proxy_post(const model::Principal& who, const std::string& path,
                                    const std::string& body_text) {
  if (!who.is_person() || (!is_officer(who.role) && who.role != Role::enterprise_user))
    throw Error(Errc::forbidden, "duty calls are for the people of a duty room");
  auto in = json::parse(body_text, nullptr, false);
  if (in.is_discarded() || !in.is_object() || !in.contains("janus") || !in["janus"].is_string())
    throw Error(Errc::bad_request, "a Janus request is a JSON object with a janus member");
  auto verb = in["janus"].get<std::string>();
  json out = {{"janus", verb}};
  if (in.contains("transaction") && in["transaction"].is_string() &&
      in["transaction"].get<std::string>().size() <= kMaxTransaction)
    out["transaction"] = in["transaction"];
  auto now = clock_.now();

  auto parts = proxy_path(path);
  if (!parts) return refuse(404, "no such session or handle");
  if (parts->empty()) return proxy_create_session(who, verb, out, now);
  long long session = std::stoll((*parts)[0]);
  if (!sessions_->owns(session, who.id, now)) return refuse(404, "no such session");
  storage::CallJanusHandle at;
  at.janus_session = session;
  if (parts->size() == 2) at.janus_handle = std::stoll((*parts)[1]);
  auto refused = parts->size() == 1 ? vet_session_request(in, verb, out)
                                    : vet_handle_request(who, in, verb, out, at);
  if (refused) return *refused;
  if (parts->size() == 1 && verb == "destroy") sessions_->drop(session);
  auto r = janus_->post(path, out);
  if (r.status == 0) throw Error(Errc::unavailable, "the video call server does not answer");
  return {static_cast<int>(r.status), r.body};
}

// POST to the proxy's root: only "create", and the new session is bound to the person.
ProxyAnswer CallService::proxy_create_session(const model::Principal& who, const std::string& verb,
                                              const json& out, core::SysTime now) {
  if (verb != "create") return refuse(403, "not allowed through hazmond");
  auto r = janus_->post("", out);
  if (r.status == 0) throw Error(Errc::unavailable, "the video call server does not answer");
  auto j = json::parse(r.body, nullptr, false);
  if (!j.is_discarded() && j.value("janus", "") == "success" && j.contains("data") &&
      j["data"].contains("id") && j["data"]["id"].is_number_integer())
    sessions_->add(j["data"]["id"].get<long long>(), who.id, now);
  return {static_cast<int>(r.status), r.body};
}

// What a handle may be asked (VideoRoom messages hazmond passes, trickle, detach, hangup),
// copied into `out`; the refusal otherwise.
std::optional<ProxyAnswer> CallService::vet_handle_request(const model::Principal& who,
                                                           const json& in, const std::string& verb,
                                                           json& out,
                                                           const storage::CallJanusHandle& at) {
  if (verb == "message") {
    if (!in.contains("body") || !in["body"].is_object())
      return refuse(400, "a message needs a body");
    json body = in["body"];
    auto request = body.value("request", "");
    static const std::vector<std::string> kPassed = {"configure", "publish", "unpublish",
                                                     "start",     "pause",   "leave"};
    if (request == "join" || request == "joinandconfigure") {
      if (auto refused = admit_join(who, body, at)) return refused;
    } else if (std::find(kPassed.begin(), kPassed.end(), request) == kPassed.end()) {
      return refuse(403, "not allowed through hazmond");
    }
    // Janus can record to its own disk on request: not in this slice, not by a browser.
    for (const char* k : {"record", "filename", "secret", "admin_key", "new_secret"}) body.erase(k);
    out["body"] = body;
    if (in.contains("jsep") && in["jsep"].is_object()) out["jsep"] = in["jsep"];
  } else if (verb == "trickle") {
    for (const char* k : {"candidate", "candidates"})
      if (in.contains(k)) out[k] = in[k];
  } else if (verb != "detach" && verb != "hangup") {
    return refuse(403, "not allowed through hazmond");
  }
  return std::nullopt;
}

// A VideoRoom join: only with the person's own open admission's token for that room; the
// token's hash and the room's pin go to Janus instead of what the browser sent. The handle is
// noted under the admission, and a publisher gets an id of hazmond's choosing, so that the
// person can be kicked out when the admission ends (ADR 0036). The admission's row is locked
// while the handle is noted: a leave or end waits for it and then kicks this handle too.
std::optional<ProxyAnswer> CallService::admit_join(const model::Principal& who, json& body,
                                                   storage::CallJanusHandle at) {
  if (!body.contains("room") || !body["room"].is_number_integer() || !body.contains("token") ||
      !body["token"].is_string())
    return refuse(403, "join with the room and the token hazmond gave you");
  auto hash = core::sha256_hex(body["token"].get<std::string>());
  if (body.value("ptype", "") == "publisher") at.publisher_id = random_room();
  bool too_many = false;
  auto a = db_.in_tx([&](storage::Tx& tx) {
    auto found = store_.admission(tx, hash, true);
    if (!found || !found->user_id || *found->user_id != who.id ||
        found->janus_room != body["room"].get<long long>())
      return decltype(found){};
    at.participant_id = found->participant_id;
    too_many = !store_.note_janus_handle(tx, at, clock_.now(), kMaxHandlesPerAdmission);
    return found;
  });
  if (!a) return refuse(403, "you are not admitted to this call");
  if (too_many) return refuse(403, "too many Janus handles for one admission");
  if (at.publisher_id) body["id"] = *at.publisher_id;
  body["token"] = hash;
  body["pin"] = open(a->sealed_pin, a->janus_room);
  if (body.value("ptype", "") == "publisher") body["display"] = who.name;
  return std::nullopt;
}

ProxyAnswer CallService::proxy_get(const model::Principal& who, const std::string& session,
                                   const std::string& maxev) {
  if (!who.is_person() || (!is_officer(who.role) && who.role != Role::enterprise_user))
    throw Error(Errc::forbidden, "duty calls are for the people of a duty room");
  if (!all_digits(session) || !sessions_->owns(std::stoll(session), who.id, clock_.now()))
    return refuse(404, "no such session");
  int n = 1;
  if (!maxev.empty()) {
    if (!all_digits(maxev) || maxev.size() > 3)
      throw Error(Errc::bad_request, "maxev must be a number from 1 to 100");
    n = std::clamp(std::stoi(maxev), 1, 100);
  }
  if (sessions_->long_polls.fetch_add(1) >= s_.max_long_polls) {
    sessions_->long_polls.fetch_sub(1);
    throw Error(Errc::unavailable, "too many browsers wait on the video call server");
  }
  JanusReply r;
  try {
    r = janus_->get("/" + session + "?maxev=" + std::to_string(n), kLongPoll);
  } catch (...) {
    sessions_->long_polls.fetch_sub(1);
    throw;
  }
  sessions_->long_polls.fetch_sub(1);
  if (r.status == 0) throw Error(Errc::unavailable, "the video call server does not answer");
  return {static_cast<int>(r.status), r.body};
}

void CallService::watch_events(const model::Principal& who, const std::string& session,
                               std::function<void(const std::string&)> deliver,
                               std::function<bool()> still_open, std::function<void()> ended) {
  if (!who.is_person() || (!is_officer(who.role) && who.role != Role::enterprise_user))
    throw Error(Errc::forbidden, "duty calls are for the people of a duty room");
  if (!all_digits(session) || !sessions_->owns(std::stoll(session), who.id, clock_.now()))
    throw Error(Errc::not_found, "no such session");
  auto id = std::stoll(session);
  auto watch = sessions_->new_watch(id);
  JanusWatch w;
  w.session = id;
  w.deliver = std::move(deliver);
  w.alive = [this, id, watch, user = who.id, still_open = std::move(still_open)] {
    return !stopping_.load() && still_open() && sessions_->newest_watch(id, watch) &&
           sessions_->owns(id, user, clock_.now());
  };
  w.ended = std::move(ended);
  if (!pump_->watch(std::move(w)))
    throw Error(Errc::unavailable, "too many browsers wait on the video call server");
}

}  // namespace hazmon::service
