// The Janus HTTP API proxied for the dashboard (docs/calls.md, ADR 0031): requests vetted one
// by one, joins admitted with the person's own token and noted for the kick (ADR 0036), and the
// session's events pushed as server-sent events (JanusEventPump).
#include <hazmon/service/call_service.hpp>

#include <algorithm>

#include <hazmon/core/error.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/storage/database.hpp>

#include "call_internal.hpp"
#include "janus_client.hpp"
#include "janus_event_pump.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using namespace call_detail;

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
