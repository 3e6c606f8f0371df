#pragma once
// Video calls between duty rooms (可视化调度, ADR 0031, docs/calls.md) through a Janus VideoRoom
// server on loopback. hazmond is the authority: it decides who may call whom and who may join,
// creates one room per call with a secret and a pin that only it knows, admits each participant
// with a join token of its own (the room's `allowed` list), and is the only way browsers reach
// Janus: `proxy` forwards the Janus HTTP API from the dashboard's origin, request by request,
// allowing only what a participant needs and adding the pin itself. Media goes browser <-> Janus.
//
// Duty rooms: the province's (province_admin, province_officer), a city's or county's (its
// officers), an enterprise's (its users). Officers call the rooms inside their scope (the
// province: every city, county and enterprise; a city: its counties and enterprises; a county:
// its enterprises) and every room above them; an enterprise calls only the rooms above it (its
// county, city, the province), never another enterprise. Operators and machines take no part.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/duty_call.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/call_store.hpp>

namespace hazmon::storage {
class Database;
}
namespace hazmon::core {
class SecretBox;
}

namespace hazmon::service {

struct CallSettings {
  bool enabled = false;
  std::string janus_url = "http://127.0.0.1:8088/janus";  // Janus's HTTP API (loopback)
  std::string api_secret;      // Janus's general.api_secret (from env or file)
  std::string room_admin_key;  // the VideoRoom plugin's admin_key (from env or file)
  std::chrono::milliseconds request_timeout{5000};
  int ring_timeout_s = 60;     // a call nobody answered within this ends as unanswered
  int max_call_minutes = 240;  // a call still open this long ends as expired
  int max_open_calls_per_user = 3;
  int max_long_polls = 4;  // browsers waiting on Janus's event long poll at once
  // Handed to the browsers' RTCPeerConnection (STUN/TURN URLs); empty: none (VPN, no internet).
  std::vector<std::string> ice_servers;
  std::string turn_username, turn_credential;
};
void from_json(const nlohmann::json& j, CallSettings& s);

// What a browser needs to take part, answered by join.
struct CallJoin {
  model::DutyCall call;
  std::string token;  // shown once; the proxy admits it to this call's room only
  std::string display;
};

// What the proxy answers: Janus's status and body, passed on as they are.
struct ProxyAnswer {
  int status = 200;
  std::string body;
};

class JanusClient;
class JanusEventPump;

class CallService {
 public:
  CallService(storage::Database& db, const core::Clock& clock, const core::SecretBox& box,
              CallSettings s);
  ~CallService();

  const CallSettings& settings() const { return s_; }

  // Told after a call was placed, answered or ended (with the call as it now is), so that the
  // called room's dashboards ring at once and stop ringing (the live stream's `call` event).
  // Set before serving; runs on the request's thread and must only queue.
  void on_change(std::function<void(const model::DutyCall&)> fn) { on_change_ = std::move(fn); }

  // A new call from the caller's duty room to the callee's (kind "region" or "enterprise"):
  // 403 for roles that do not call, 422 on /callee_code for a room that is absent or not one
  // this caller may call, 409 past max_open_calls_per_user, 503 when Janus does not answer.
  model::DutyCall create(const model::Principal& who, const std::string& callee_kind,
                         const std::string& callee_code);
  // The calls of the caller's duty room (placed or received), newest first.
  storage::CallPage list(const model::Principal& who, const std::optional<std::string>& state,
                         int limit, long long offset);
  // A call of the caller's room; 404 otherwise.
  model::DutyCall get(const model::Principal& who, long long id);
  // The caller who placed it, or a person of the callee's room: admitted with a new token (an
  // earlier admission of the same person ends). 404 for everyone else, 409 once ended.
  CallJoin join(const model::Principal& who, long long id);
  // The person's admission ends and its token is taken off the room, and he is kicked out of the
  // room on Janus (every handle he joined it with, ADR 0036); when nobody is left in an answered
  // call, it ends.
  model::DutyCall leave(const model::Principal& who, long long id);
  // Hang up (either side), or decline while ringing (the callee's room): the call ends and its
  // room is destroyed. 409 when it already ended.
  model::DutyCall end(const model::Principal& who, long long id);
  // Ends calls ringing past ring_timeout_s or open past max_call_minutes (run before each read
  // and by the maintenance tick).
  void sweep();

  // Shutdown, before the HTTP server drains: requests to Janus in flight (the browsers' event long
  // polls, which Janus holds up to 30 s) end within about a second, and later ones fail at once.
  void stop();

  // The Janus HTTP API for the dashboard (`path`: "", "/<session>" or "/<session>/<handle>").
  ProxyAnswer proxy_post(const model::Principal& who, const std::string& path,
                         const std::string& body);
  ProxyAnswer proxy_get(const model::Principal& who, const std::string& session,
                        const std::string& maxev);
  // The session's Janus events pushed as they come instead of long-polled (GET
  // /api/v1/janus/{session}/events, server-sent events): hazmond's own long poll on one thread
  // of its own (JanusEventPump), so no HTTP worker waits on Janus. `deliver` gets one Janus event
  // (JSON) at a time and must only queue; `still_open` is asked about once a second (false ends the
  // watch); `ended` runs once at its end (the client left, the Janus session is gone or no
  // longer the person's, a newer watch of the same session, shutdown). 404 for a session that is
  // not the person's, 503 past the node's bound.
  void watch_events(const model::Principal& who, const std::string& session,
                    std::function<void(const std::string&)> deliver,
                    std::function<bool()> still_open, std::function<void()> ended);

 private:
  model::DutyRoom room_of(storage::Tx& tx, const model::Principal& who) const;
  std::optional<model::DutyRoom> callee_room(storage::Tx& tx, const model::Principal& who,
                                             const model::DutyRoom& mine, const std::string& kind,
                                             const std::string& code) const;
  void destroy_room(long long room, const std::string& sealed_secret);
  // Kicks ended admissions' handles out of the room (ADR 0036); `sealed_secret` null when the
  // room was destroyed (then only their handles are detached).
  void kick(const std::vector<storage::CallJanusHandle>& handles, long long room,
            const std::string* sealed_secret);
  void changed(long long id);
  std::string open(const std::string& sealed, long long room) const;
  // Steps of proxy_post.
  ProxyAnswer proxy_create_session(const model::Principal& who, const std::string& verb,
                                   const nlohmann::json& out, core::SysTime now);
  // `at`: the session and handle the request is for (a join notes them under its admission).
  std::optional<ProxyAnswer> vet_handle_request(const model::Principal& who,
                                                const nlohmann::json& in, const std::string& verb,
                                                nlohmann::json& out,
                                                const storage::CallJanusHandle& at);
  std::optional<ProxyAnswer> admit_join(const model::Principal& who, nlohmann::json& body,
                                        storage::CallJanusHandle at);

  storage::Database& db_;
  const core::Clock& clock_;
  const core::SecretBox& box_;
  CallSettings s_;
  storage::CallStore store_;
  std::atomic<bool> stopping_{false};
  std::function<void(const model::DutyCall&)> on_change_;
  std::unique_ptr<JanusClient> janus_;
  std::unique_ptr<JanusEventPump> pump_;
  struct Sessions;
  std::unique_ptr<Sessions> sessions_;
};

}  // namespace hazmon::service
