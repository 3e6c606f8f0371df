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

#include "call_internal.hpp"
#include "janus_client.hpp"
#include "janus_event_pump.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using model::Role;
using nlohmann::json;
namespace chr = std::chrono;
using namespace call_detail;

namespace {

// Sessions whose events one node pushes at once (one libcurl transfer each, on one thread).
constexpr std::size_t kMaxEventWatches = 256;

std::string room_context(long long room) { return "call-room:" + std::to_string(room); }

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

}  // namespace hazmon::service
