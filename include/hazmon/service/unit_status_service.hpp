#pragma once
// Unit run status (装置运行状态; issue 12; docs/duties.md). The enterprise files each production
// unit's status (its users from the dashboard, its gateway by a base-table style upload); a new
// status ends the unit's current one. A stop or an overhaul suppresses the unit's process alarms
// through a filing (报备) on the unit, under the filings' limits: longer than the maximum (or
// uploaded by a machine credential) it is pending and suppresses nothing until a county, city or
// province officer approves it (POST /api/v1/filings/{id}/approve). The end of the status ends the
// filing. Gas detectors are never suppressed by it. Officers read the history in their scope and
// compare the day's statuses with the day's safety commitment.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/unit_status.hpp>
#include <hazmon/service/monitoring.hpp>
#include <hazmon/storage/unit_status_store.hpp>

namespace hazmon::storage {
class Database;
class Tx;
}  // namespace hazmon::storage

namespace hazmon::service {

struct UnitStatusAnswer {
  model::UnitStatus status;
  bool created = true;                        // false: an upload's resend of the current status
  std::optional<std::string> pending_reason;  // why its filing waits for approval
};

// The day's statuses against the day's commitment (show, do not block).
struct UnitCommitmentCheck {
  std::string company_code, day;
  core::SysTime at{};   // the statuses in force then: the day's end, or now for today
  long long units = 0;  // the enterprise's production units (S0)
  bool committed = false;
  struct Line {
    std::string key, name;
    long long committed = 0, statuses = 0;
  };
  std::vector<Line> lines;  // total, running, stopped, startup, trial, overhaul
  bool matches = true;
};

class UnitStatusService {
 public:
  UnitStatusService(storage::Database& db, FilingSettings filing, const core::Clock& clock);
  // Called after a change of suppression windows (the ingest reloads its filings).
  void on_changed(std::function<void()> f) { changed_ = std::move(f); }

  // Files a status: enterprise users (source dashboard) and gateways (source upload) of the
  // enterprise; others 403; another enterprise's company_code 422 on /company_code, a unit that is
  // not the enterprise's production unit 422 on /equip_code (/prodcell_id for a non-major unit,
  // a production cell of type unit without a hazard source). A begin before the unit's latest
  // status is 422 on /begin_at. An upload of the unit's current status again (same status and
  // begin) changes nothing (created false).
  UnitStatusAnswer file(const model::Principal& who, model::UnitStatus s);
  // Ends a current status (the enterprise's users): at `end_at` (default now), with a reason.
  // 404 outside the scope, 409 when already ended.
  model::UnitStatus end(const model::Principal& who, long long id,
                        std::optional<core::SysTime> end_at, const std::string& reason);

  // People only (403 for machines).
  storage::UnitStatusPage list(const model::Principal& who, const storage::UnitStatusFilter& f,
                               int limit, long long offset);
  model::UnitStatus get(const model::Principal& who, long long id);
  UnitCommitmentCheck commitment_check(const model::Principal& who, const std::string& company_code,
                                       const std::string& day);

  core::SysTime now() const { return clock_.now(); }

 private:
  // 422 unless the status's unit is an active production unit of its enterprise in the scope.
  void check_unit(storage::Tx& tx, const model::Principal& who, const model::UnitStatus& s) const;
  // Throws the 409 unit_status_current naming the unit and its current status (filed at the same
  // moment as `s`).
  [[noreturn]] void current_status_conflict(const model::UnitStatus& s,
                                            const storage::UnitTarget& target) const;
  // The filing of a stop or an overhaul, approved when inside the limits; `pending` says why not.
  storage::UnitFiling suppression_filing(storage::Tx& tx, const model::Principal& who,
                                         const model::UnitStatus& s,
                                         std::optional<std::string>& pending) const;

  storage::Database& db_;
  FilingSettings filing_;
  const core::Clock& clock_;
  storage::UnitStatusStore store_;
  std::function<void()> changed_;
};

}  // namespace hazmon::service
