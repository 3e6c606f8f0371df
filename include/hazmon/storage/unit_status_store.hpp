#pragma once
// Where unit run statuses (装置运行状态) are stored: `unit_run_status` (migration 0022) and the
// filings (报备) they make on their unit to suppress its process alarms (`filing`, origin
// 'unit_status'). Everything runs in the caller's transaction and is cut by the caller's scope;
// service::UnitStatusService holds the rules.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/unit_status.hpp>

namespace hazmon::storage {

class Tx;

struct UnitStatusFilter {
  std::optional<std::string> company_code, equip_code, prodcell_id, status;
  bool current_only = false;  // the statuses in force (no end)
};

struct UnitStatusPage {
  std::vector<model::UnitStatus> items;
  long long total = 0;
};

// A production unit of an enterprise: equipment of type S0 (equip_code) or a non-major unit, a
// production cell of type unit without a hazard source (prodcell_id).
struct ProductionUnit {
  std::string equip_code, prodcell_id, name, hazard_code;
};

// What a status is on, as a filing names it: target_kind equipment (an S0's equip_code) or unit
// (a non-major unit's prodcell_id).
struct UnitTarget {
  std::string kind, code;
};
UnitTarget unit_target(const model::UnitStatus& s);

// The filing a stop or an overhaul makes on its unit.
struct UnitFiling {
  std::string company_code, filing_type, reason, person;
  UnitTarget target;
  core::SysTime starts_at{}, ends_at{};
  std::optional<long long> created_by;  // the user; none for a gateway's upload
  bool approved = false;
};

class UnitStatusStore {
 public:
  // The enterprise's name if it is active and inside the scope.
  std::optional<std::string> enterprise(Tx& tx, const model::Scope& scope,
                                        const std::string& company_code) const;
  // The enterprise's active production unit `equip_code` (equipment type S0).
  std::optional<ProductionUnit> unit(Tx& tx, const std::string& company_code,
                                     const std::string& equip_code) const;
  // The enterprise's active non-major unit `prodcell_id` (cell type unit, no hazard source).
  std::optional<ProductionUnit> cell(Tx& tx, const std::string& company_code,
                                     const std::string& prodcell_id) const;
  // The enterprise's active production units: S0 equipment, then non-major units.
  std::vector<ProductionUnit> units(Tx& tx, const std::string& company_code) const;

  // The unit's current status (no end), locked when `lock`.
  std::optional<model::UnitStatus> current(Tx& tx, const UnitTarget& unit, bool lock) const;
  // The unit's latest status by begin (ended or not).
  std::optional<model::UnitStatus> latest(Tx& tx, const UnitTarget& unit) const;
  std::optional<model::UnitStatus> find(Tx& tx, const model::Scope& scope, long long id,
                                        bool lock) const;
  // Inserts the status (with its filing id, if any); returns the stored row.
  model::UnitStatus insert(Tx& tx, const model::UnitStatus& s, std::optional<long long> filing_id,
                           core::SysTime at) const;
  // Ends status `id` at `end_at`: who and why.
  void end(Tx& tx, long long id, core::SysTime end_at, const std::string& by,
           const std::optional<std::string>& reason, core::SysTime at) const;
  model::UnitStatus read(Tx& tx, long long id) const;

  UnitStatusPage list(Tx& tx, const model::Scope& scope, const UnitStatusFilter& f, int limit,
                      long long offset) const;
  // The statuses of the enterprise's units in force at `at`, by status (units without one are
  // not counted).
  std::map<std::string, long long> counts_at(Tx& tx, const std::string& company_code,
                                             core::SysTime at) const;
  // The unit counts of the enterprise's safety commitment of `day` (total, running, …); nullopt:
  // none filed.
  std::optional<std::map<std::string, long long>> commitment_units(Tx& tx,
                                                                   const std::string& company_code,
                                                                   const std::string& day) const;

  // The suppression filing of a stop or an overhaul (origin unit_status, target the unit).
  long long insert_filing(Tx& tx, const UnitFiling& f) const;
  // The contiguous suppressed time that a window [starts_at, ends_at) on `unit` would be part of:
  // it and the approved, uncancelled filings on the same target (any origin) that overlap it or
  // one another, or lie at most `gap` apart (back-to-back stops), before it and after it (a
  // window filed ahead first, then the one before it). Exact whenever the span is at most
  // `limit`; longer, it is only known to exceed `limit`.
  struct Chain {
    core::SysTime start, end;
  };
  Chain chain(Tx& tx, const UnitTarget& unit, core::SysTime starts_at, core::SysTime ends_at,
              std::chrono::seconds gap, std::chrono::seconds limit) const;
  // The status ended at `end_at`: its filing ends there too (cancelled when that is not after
  // its start), so that suppression stops with the status.
  void end_filing(Tx& tx, long long filing_id, core::SysTime end_at,
                  std::optional<long long> by) const;
};

}  // namespace hazmon::storage
