#pragma once
// Where duty-room video calls are recorded (migration 0035; ADR 0031, docs/calls.md):
// `duty_call` and `duty_call_participant`. Everything runs in the caller's transaction;
// service::CallService holds the rules (who may call whom, who may join).
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/duty_call.hpp>

namespace hazmon::storage {

class Tx;

struct CallPage {
  std::vector<model::DutyCall> items;
  long long total = 0;
};

// A call's room secrets as stored (sealed with the server key).
struct CallRoomSecrets {
  long long call_id = 0;
  long long janus_room = 0;
  std::string sealed_secret, sealed_pin;
};

// An open admission to a call that has not ended, found by its token.
struct CallAdmission {
  long long call_id = 0, participant_id = 0, janus_room = 0;
  std::optional<long long> user_id;
  std::string user_name, sealed_pin;
};

// A Janus handle an admission joined the call's room with (migration 0039): what kicking the
// person out of the room addresses.
struct CallJanusHandle {
  long long participant_id = 0, janus_session = 0, janus_handle = 0;
  std::optional<long long> publisher_id;  // the VideoRoom participant id of a publisher's join
};

class CallStore {
 public:
  // An active region (province, city, county) or enterprise as a duty room; nullopt if absent.
  std::optional<model::DutyRoom> region_room(Tx& tx, const std::string& code) const;
  std::optional<model::DutyRoom> enterprise_room(Tx& tx, const std::string& code) const;
  // The code of the province-level region ("140000").
  std::optional<std::string> province_code(Tx& tx) const;

  long long insert(Tx& tx, const model::DutyCall& c, const std::string& sealed_secret,
                   const std::string& sealed_pin) const;
  // With its participants; `lock`: FOR UPDATE of the call row.
  std::optional<model::DutyCall> get(Tx& tx, long long id, bool lock) const;
  std::optional<CallRoomSecrets> secrets(Tx& tx, long long id) const;
  // Calls where `room` is the caller's or the callee's room, newest first; `state` filters.
  CallPage list(Tx& tx, const model::DutyRoom& room, const std::optional<std::string>& state,
                int limit, long long offset) const;
  // Calls not ended that this user started.
  long long open_calls_started_by(Tx& tx, long long user_id) const;
  void set_active(Tx& tx, long long id, core::SysTime at) const;
  void end(Tx& tx, long long id, core::SysTime at, const std::string& by,
           const std::string& reason) const;
  // Calls still ringing at `ring_deadline` or started before `max_deadline`: ended with reason
  // unanswered / expired; returns their secrets so that their rooms can be destroyed.
  std::vector<CallRoomSecrets> end_overdue(Tx& tx, core::SysTime now, core::SysTime ring_deadline,
                                           core::SysTime max_deadline) const;

  long long insert_participant(Tx& tx, long long call_id, long long user_id,
                               const std::string& user_name, const std::string& side,
                               const std::string& token_hash, core::SysTime at) const;
  // The open admissions of this user to this call (left_at set to `at`); their token hashes.
  std::vector<std::string> leave(Tx& tx, long long call_id, long long user_id,
                                 core::SysTime at) const;
  // Closes every open admission of the call (it ended).
  void leave_all(Tx& tx, long long call_id, core::SysTime at) const;
  long long open_participants(Tx& tx, long long call_id) const;
  // `lock`: FOR SHARE of the admission's row, so that a leave or an end (which update it) waits
  // until a handle noted under it is committed, and then kicks that handle too.
  std::optional<CallAdmission> admission(Tx& tx, const std::string& token_hash,
                                         bool lock = false) const;

  // Notes a handle an admission joins the room with (again: the publisher id is kept or set);
  // false when the admission already has `max` handles (nothing noted).
  bool note_janus_handle(Tx& tx, const CallJanusHandle& h, core::SysTime at, int max) const;
  // Takes (deletes and returns) the handles of the call's ended admissions: of `user_id` only,
  // or of every admission when it is nullopt (the call ended).
  std::vector<CallJanusHandle> take_janus_handles(Tx& tx, long long call_id,
                                                  std::optional<long long> user_id) const;
};

}  // namespace hazmon::storage
