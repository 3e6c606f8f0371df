#pragma once
// Safety instrumented system loops (安全仪表系统 联锁回路, issue 12 "SIS meaning"; docs/sis.md).
// A loop is registered per enterprise (tag, unit, the points it protects, its trip point); its
// state is in service, bypassed (旁路) or tripped (联锁动作). The enterprise files bypasses (with
// applicant, approver, reason and an expiry at most sis.max_bypass_hours after the begin) and
// trips, from the dashboard or its gateway's upload; trips also come from the loop's trip point
// (a switch reading 1). A trip raises a `sis` warning event at once, closed when the trip is
// reset; an active bypass past its expiry raises one, closed when the bypass ends. Both through
// WarningService::raise_system_event, the path of the missing-commitment warning.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/sis.hpp>
#include <hazmon/rules/disposal.hpp>
#include <hazmon/storage/sis_store.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

class WarningService;

struct SisSettings {
  bool enabled = true;  // false: no `sis` warnings and no trips from points (filing still works)
  int max_bypass_hours = 72;  // a bypass's expiry at most this long after its begin
  // The longest bypass (from its approval, or from now when uploaded) the enterprise approves
  // itself; a longer one waits for a county, city or province officer (docs/sis.md, 13.24).
  int enterprise_approval_max_hours = 24;
  // A bypass of a loop in effect within this many minutes of the end of an approved one continues
  // it: both limits above count from the chain's first start (back-to-back bypasses, 13.31).
  int chain_gap_minutes = 60;
  rules::WarningLevel trip_warning_level = rules::WarningLevel::orange;
  rules::WarningLevel bypass_warning_level = rules::WarningLevel::yellow;
  int trip_scan_window_s = 3600;  // trip-point readings older than this are not looked at
  int max_warnings_per_check = 1000;
};
// The config's `sis` section (absent keys keep their defaults).
void from_json(const nlohmann::json& j, SisSettings& s);

struct SisLoopDetail {
  model::SisLoop loop;
  std::vector<model::SisBypass> bypasses;  // newest first
  std::vector<model::SisTrip> trips;       // newest first
};

// One row of POST /api/v1/upload/sis, already decoded by the API edge.
struct SisUploadRow {
  std::string kind;  // loop | bypass | bypass_end | trip | trip_reset
  std::string company_code;
  model::SisLoop loop;               // kind loop (loop.tag names the loop for every kind)
  model::SisBypass bypass;           // kind bypass
  model::SisTrip trip;               // kind trip
  std::string by, note;              // bypass_end, trip_reset: who (required to reset) and a note
  std::optional<std::string> cause;  // trip_reset: the cause found
};

class SisService {
 public:
  // `warnings` may be null: no warnings are raised or closed.
  SisService(storage::Database& db, WarningService* warnings, SisSettings s,
             const core::Clock& clock);

  // Registers or updates (by tag) a loop: registry writers under their scope (another
  // enterprise's is 404 on /company_code as 422), gateways for their enterprise; 422 with
  // pointers for bad fields, a hazard source, unit or point that is not the enterprise's, a trip
  // point that is not a switch point.
  model::SisLoop save_loop(const model::Principal& who, model::SisLoop l, bool& created);
  // People only; inside the scope.
  std::vector<model::SisLoop> list(const model::Principal& who, const storage::SisLoopFilter& f);
  SisLoopDetail get(const model::Principal& who, long long id);

  // The enterprise's users (the API checks the role) and, through upload(), its gateway.
  // file_bypass: a dashboard filing is `requested` until approved; 422 without approver or with
  // an expiry beyond the maximum, 409 when the loop has an open bypass.
  model::SisBypass file_bypass(const model::Principal& who, long long loop_id, model::SisBypass b);
  model::SisBypass approve_bypass(const model::Principal& who, long long id);
  model::SisBypass end_bypass(const model::Principal& who, long long id, const std::string& note);
  // 409 when the loop has a trip not reset.
  model::SisTrip file_trip(const model::Principal& who, long long loop_id, model::SisTrip t);
  // 409 while the loop's trip point still reads 1 (a point's trip is not hidden by a filing).
  model::SisTrip reset_trip(const model::Principal& who, long long id, const std::string& by,
                            const std::string& note, const std::optional<std::string>& cause);

  // One upload row of the gateway `who`: true when it created a record (a loop, a bypass, a
  // trip), false when it changed one. Throws as the calls above.
  bool upload(const model::Principal& who, SisUploadRow row);

  // At clock.now(): trips from trip points, then the warnings due (trips without one, active
  // bypasses past their expiry). Returns the number of warnings raised. Safe on several nodes.
  int check();

  core::SysTime now() const { return clock_.now(); }
  const SisSettings& settings() const { return s_; }

 private:
  model::SisTrip record_trip(const model::SisLoop& loop, model::SisTrip t, long long& warning);
  std::optional<long long> trip_warning(storage::Tx& tx, const model::SisTrip& t);
  void close_warning(storage::Tx& tx, const std::optional<long long>& id, const std::string& text);
  // The first start of the bypass chain of the loop a bypass in effect from `now` continues
  // (sis.chain_gap_minutes; takes the loop's chain lock), and its text for a refusal.
  core::SysTime chain_start(storage::Tx& tx, long long loop_id, core::SysTime now);
  std::string chain_text(core::SysTime first) const;

  storage::Database& db_;
  WarningService* warnings_;
  SisSettings s_;
  const core::Clock& clock_;
  storage::SisStore store_;
};

}  // namespace hazmon::service
