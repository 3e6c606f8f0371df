#include <hazmon/storage/call_store.hpp>

#include <hazmon/storage/database.hpp>

namespace hazmon::storage {

namespace {
// The name of a duty room: its region's or its enterprise's.
std::string room_name(const std::string& kind_col, const std::string& code_col) {
  return "(CASE " + kind_col +
         " WHEN 'region' THEN (SELECT r.name FROM region r WHERE r.code = " + code_col +
         ") ELSE (SELECT e.name FROM enterprise e WHERE e.company_code = " + code_col + ") END)";
}
std::string room_region(const std::string& kind_col, const std::string& code_col) {
  return "(CASE " + kind_col + " WHEN 'region' THEN " + code_col +
         " ELSE (SELECT e.region_code FROM enterprise e WHERE e.company_code = " + code_col +
         ") END)";
}

const std::string& call_columns() {
  static const std::string cols =
      "c.id, c.caller_user_id, c.caller_name, c.caller_kind, c.caller_code, "
      "coalesce(" +
      room_name("c.caller_kind", "c.caller_code") + ", '') AS caller_room_name, coalesce(" +
      room_region("c.caller_kind", "c.caller_code") +
      ", '') AS caller_region, c.callee_kind, c.callee_code, coalesce(" +
      room_name("c.callee_kind", "c.callee_code") + ", '') AS callee_room_name, coalesce(" +
      room_region("c.callee_kind", "c.callee_code") +
      ", '') AS callee_region, c.janus_room, c.state, c.started_at, c.answered_at, c.ended_at, "
      "c.ended_by, c.end_reason";
  return cols;
}

model::DutyCall call_of(const Row& r) {
  model::DutyCall c;
  c.id = r.get<long long>("id");
  c.caller_user_id = r.get<std::optional<long long>>("caller_user_id");
  c.caller_name = r.get<std::string>("caller_name");
  c.caller = {r.get<std::string>("caller_kind"), r.get<std::string>("caller_code"),
              r.get<std::string>("caller_room_name"), r.get<std::string>("caller_region")};
  c.callee = {r.get<std::string>("callee_kind"), r.get<std::string>("callee_code"),
              r.get<std::string>("callee_room_name"), r.get<std::string>("callee_region")};
  c.janus_room = r.get<long long>("janus_room");
  c.state = r.get<std::string>("state");
  c.started_at = r.get<core::SysTime>("started_at");
  c.answered_at = r.get<std::optional<core::SysTime>>("answered_at");
  c.ended_at = r.get<std::optional<core::SysTime>>("ended_at");
  c.ended_by = r.get<std::optional<std::string>>("ended_by");
  c.end_reason = r.get<std::optional<std::string>>("end_reason");
  return c;
}

void attach_participants(Tx& tx, std::vector<model::DutyCall>& calls) {
  if (calls.empty()) return;
  std::string ids = "{";
  for (std::size_t i = 0; i < calls.size(); ++i)
    ids += (i ? "," : "") + std::to_string(calls[i].id);
  ids += "}";
  auto rows = tx.query(
      "SELECT id, call_id, user_id, user_name, side, joined_at, left_at "
      "FROM duty_call_participant WHERE call_id = ANY($1::bigint[]) ORDER BY joined_at, id",
      {ids});
  for (const auto& r : rows) {
    model::CallParticipant p;
    p.id = r.get<long long>("id");
    p.user_id = r.get<std::optional<long long>>("user_id");
    p.user_name = r.get<std::string>("user_name");
    p.side = r.get<std::string>("side");
    p.joined_at = r.get<core::SysTime>("joined_at");
    p.left_at = r.get<std::optional<core::SysTime>>("left_at");
    auto call_id = r.get<long long>("call_id");
    for (auto& c : calls)
      if (c.id == call_id) c.participants.push_back(p);
  }
}

CallRoomSecrets secrets_of(const Row& r) {
  return {r.get<long long>("id"), r.get<long long>("janus_room"), r.get<std::string>("room_secret"),
          r.get<std::string>("room_pin")};
}
}  // namespace

std::optional<model::DutyRoom> CallStore::region_room(Tx& tx, const std::string& code) const {
  auto r = tx.query("SELECT code, name FROM region WHERE code = $1 AND is_active", {code});
  if (r.empty()) return std::nullopt;
  return model::DutyRoom{"region", code, r[0].get<std::string>("name"), code};
}

std::optional<model::DutyRoom> CallStore::enterprise_room(Tx& tx, const std::string& code) const {
  auto r = tx.query(
      "SELECT name, region_code FROM enterprise WHERE company_code = $1 AND is_active", {code});
  if (r.empty()) return std::nullopt;
  return model::DutyRoom{"enterprise", code, r[0].get<std::string>("name"),
                         r[0].get<std::string>("region_code")};
}

std::optional<std::string> CallStore::province_code(Tx& tx) const {
  return tx.one<std::string>(
      "SELECT code FROM region WHERE level = 'province' ORDER BY code LIMIT 1");
}

long long CallStore::insert(Tx& tx, const model::DutyCall& c, const std::string& sealed_secret,
                            const std::string& sealed_pin) const {
  return *tx.one<long long>(
      "INSERT INTO duty_call(caller_user_id, caller_name, caller_kind, caller_code, callee_kind, "
      "callee_code, janus_room, room_secret, room_pin, state, started_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'ringing', $10) RETURNING id",
      {c.caller_user_id ? Param(std::to_string(*c.caller_user_id)) : std::nullopt, c.caller_name,
       c.caller.kind, c.caller.code, c.callee.kind, c.callee.code, std::to_string(c.janus_room),
       sealed_secret, sealed_pin, format_timestamptz(c.started_at)});
}

std::optional<model::DutyCall> CallStore::get(Tx& tx, long long id, bool lock) const {
  if (lock) tx.query("SELECT id FROM duty_call WHERE id = $1 FOR UPDATE", {std::to_string(id)});
  auto r = tx.query("SELECT " + call_columns() + " FROM duty_call c WHERE c.id = $1",
                    {std::to_string(id)});
  if (r.empty()) return std::nullopt;
  std::vector<model::DutyCall> calls{call_of(r[0])};
  attach_participants(tx, calls);
  return std::move(calls.front());
}

std::optional<CallRoomSecrets> CallStore::secrets(Tx& tx, long long id) const {
  auto r = tx.query("SELECT id, janus_room, room_secret, room_pin FROM duty_call WHERE id = $1",
                    {std::to_string(id)});
  if (r.empty()) return std::nullopt;
  return secrets_of(r[0]);
}

CallPage CallStore::list(Tx& tx, const model::DutyRoom& room,
                         const std::optional<std::string>& state, int limit,
                         long long offset) const {
  Params p{room.kind, room.code};
  std::string where =
      "((c.caller_kind = $1 AND c.caller_code = $2) OR (c.callee_kind = $1 AND c.callee_code = "
      "$2))";
  if (state) {
    p.push_back(*state);
    where += " AND c.state = $3";
  }
  CallPage page;
  page.total = *tx.one<long long>("SELECT count(*) FROM duty_call c WHERE " + where, p);
  p.push_back(std::to_string(limit));
  p.push_back(std::to_string(offset));
  auto n = p.size();
  auto rows = tx.query("SELECT " + call_columns() + " FROM duty_call c WHERE " + where +
                           " ORDER BY c.started_at DESC, c.id DESC LIMIT $" +
                           std::to_string(n - 1) + " OFFSET $" + std::to_string(n),
                       p);
  for (const auto& r : rows) page.items.push_back(call_of(r));
  attach_participants(tx, page.items);
  return page;
}

long long CallStore::open_calls_started_by(Tx& tx, long long user_id) const {
  return *tx.one<long long>(
      "SELECT count(*) FROM duty_call WHERE caller_user_id = $1 AND state <> 'ended'",
      {std::to_string(user_id)});
}

void CallStore::set_active(Tx& tx, long long id, core::SysTime at) const {
  tx.query(
      "UPDATE duty_call SET state = 'active', answered_at = $2 WHERE id = $1 AND state = "
      "'ringing'",
      {std::to_string(id), format_timestamptz(at)});
}

void CallStore::end(Tx& tx, long long id, core::SysTime at, const std::string& by,
                    const std::string& reason) const {
  tx.query(
      "UPDATE duty_call SET state = 'ended', ended_at = $2, ended_by = $3, end_reason = $4 "
      "WHERE id = $1 AND state <> 'ended'",
      {std::to_string(id), format_timestamptz(at), by, reason});
  leave_all(tx, id, at);
}

std::vector<CallRoomSecrets> CallStore::end_overdue(Tx& tx, core::SysTime now,
                                                    core::SysTime ring_deadline,
                                                    core::SysTime max_deadline) const {
  auto rows = tx.query(
      "UPDATE duty_call SET state = 'ended', ended_at = greatest($1::timestamptz, started_at), "
      "ended_by = 'system', end_reason = CASE WHEN state = 'ringing' AND started_at < $2 "
      "THEN 'unanswered' ELSE 'expired' END "
      "WHERE state <> 'ended' AND ((state = 'ringing' AND started_at < $2) OR started_at < $3) "
      "RETURNING id, janus_room, room_secret, room_pin",
      {format_timestamptz(now), format_timestamptz(ring_deadline),
       format_timestamptz(max_deadline)});
  std::vector<CallRoomSecrets> out;
  for (const auto& r : rows) {
    out.push_back(secrets_of(r));
    leave_all(tx, out.back().call_id, now);
  }
  return out;
}

long long CallStore::insert_participant(Tx& tx, long long call_id, long long user_id,
                                        const std::string& user_name, const std::string& side,
                                        const std::string& token_hash, core::SysTime at) const {
  return *tx.one<long long>(
      "INSERT INTO duty_call_participant(call_id, user_id, user_name, side, token_hash, "
      "joined_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
      {std::to_string(call_id), std::to_string(user_id), user_name, side, token_hash,
       format_timestamptz(at)});
}

std::vector<std::string> CallStore::leave(Tx& tx, long long call_id, long long user_id,
                                          core::SysTime at) const {
  return tx.rows<std::string>(
      "UPDATE duty_call_participant SET left_at = greatest($3::timestamptz, joined_at) "
      "WHERE call_id = $1 AND user_id = $2 AND left_at IS NULL RETURNING token_hash",
      {std::to_string(call_id), std::to_string(user_id), format_timestamptz(at)});
}

void CallStore::leave_all(Tx& tx, long long call_id, core::SysTime at) const {
  tx.query(
      "UPDATE duty_call_participant SET left_at = greatest($2::timestamptz, joined_at) "
      "WHERE call_id = $1 AND left_at IS NULL",
      {std::to_string(call_id), format_timestamptz(at)});
}

long long CallStore::open_participants(Tx& tx, long long call_id) const {
  return *tx.one<long long>(
      "SELECT count(*) FROM duty_call_participant WHERE call_id = $1 AND left_at IS NULL",
      {std::to_string(call_id)});
}

std::optional<CallAdmission> CallStore::admission(Tx& tx, const std::string& token_hash,
                                                  bool lock) const {
  auto r = tx.query(
      "SELECT p.call_id, p.id AS participant_id, c.janus_room, p.user_id, p.user_name, "
      "c.room_pin FROM duty_call_participant p JOIN duty_call c ON c.id = p.call_id "
      "WHERE p.token_hash = $1 AND p.left_at IS NULL AND c.state <> 'ended'" +
          std::string(lock ? " FOR SHARE OF p" : ""),
      {token_hash});
  if (r.empty()) return std::nullopt;
  CallAdmission a;
  a.call_id = r[0].get<long long>("call_id");
  a.participant_id = r[0].get<long long>("participant_id");
  a.janus_room = r[0].get<long long>("janus_room");
  a.user_id = r[0].get<std::optional<long long>>("user_id");
  a.user_name = r[0].get<std::string>("user_name");
  a.sealed_pin = r[0].get<std::string>("room_pin");
  return a;
}

bool CallStore::note_janus_handle(Tx& tx, const CallJanusHandle& h, core::SysTime at,
                                  int max) const {
  auto id = std::to_string(h.participant_id);
  auto session = std::to_string(h.janus_session), handle = std::to_string(h.janus_handle);
  auto known = *tx.one<long long>(
      "SELECT count(*) FROM duty_call_janus_handle WHERE participant_id = $1 AND "
      "janus_session = $2 AND janus_handle = $3",
      {id, session, handle});
  if (known == 0 &&
      *tx.one<long long>("SELECT count(*) FROM duty_call_janus_handle WHERE participant_id = $1",
                         {id}) >= max)
    return false;
  tx.query(
      "INSERT INTO duty_call_janus_handle(participant_id, janus_session, janus_handle, "
      "publisher_id, noted_at) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (participant_id, janus_session, janus_handle) DO UPDATE SET "
      "publisher_id = coalesce(EXCLUDED.publisher_id, duty_call_janus_handle.publisher_id)",
      {id, session, handle, h.publisher_id ? Param(std::to_string(*h.publisher_id)) : std::nullopt,
       format_timestamptz(at)});
  return true;
}

std::vector<CallJanusHandle> CallStore::take_janus_handles(Tx& tx, long long call_id,
                                                           std::optional<long long> user_id) const {
  auto rows = tx.query(
      "DELETE FROM duty_call_janus_handle h USING duty_call_participant p "
      "WHERE p.id = h.participant_id AND p.call_id = $1 AND "
      "($2::bigint IS NULL OR (p.user_id = $2::bigint AND p.left_at IS NOT NULL)) "
      "RETURNING h.participant_id, h.janus_session, h.janus_handle, h.publisher_id",
      {std::to_string(call_id), user_id ? Param(std::to_string(*user_id)) : std::nullopt});
  std::vector<CallJanusHandle> out;
  for (const auto& r : rows)
    out.push_back({r.get<long long>("participant_id"), r.get<long long>("janus_session"),
                   r.get<long long>("janus_handle"),
                   r.get<std::optional<long long>>("publisher_id")});
  return out;
}

}  // namespace hazmon::storage
