#pragma once
// Where special work permits (特殊作业票) are stored: `work_permit` and `work_permit_change`
// (every filing, edit and transition with the row as it was before). Migration 0019. Everything
// runs in the caller's transaction and is cut by the caller's scope; service::PermitService holds
// the rules.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/work_permit.hpp>

namespace hazmon::storage {

class Tx;

struct PermitFilter {
  std::optional<std::string> state, work_type, company_code;
  std::optional<std::string> day;  // YYYY-MM-DD: the window touches that Beijing day
  bool in_progress_now = false;    // state in_progress (overdue ones included)
  bool overdue = false;            // in progress with its end passed
};

struct PermitPage {
  std::vector<model::WorkPermit> items;
  long long total = 0;
};

struct PermitChange {
  long long id = 0;
  core::SysTime at{};
  std::string actor, action;
  std::optional<std::string> from_state;
  std::string to_state;
  std::optional<std::string> reason;
  // The fields a change may touch as they were before it (JSON text; null for the filing):
  // what an edit changed is kept, not only that it happened (DOMAIN §4 WC_ENT_QYCN).
  std::optional<std::string> before;
};

// One region's permits in progress at `now`: by commitment key (hot_1, height_3, confined_space
// …, see model::commitment_work_key), hot work and confined space, overdue ones.
struct PermitRegionCount {
  std::string region_code, region_name;
  long long in_progress = 0, hot_work = 0, confined_space = 0, overdue = 0, planned_today = 0;
  std::map<std::string, long long> by_kind;
};

class PermitStore {
 public:
  // The enterprise's name if it is active and inside the scope.
  std::optional<std::string> enterprise(Tx& tx, const model::Scope& scope,
                                        const std::string& company_code) const;
  // Whether the hazard source (and the equipment, in it when both are given) is the enterprise's.
  bool hazard_of(Tx& tx, const std::string& company_code, const std::string& hazard_code) const;
  bool equipment_of(Tx& tx, const std::string& company_code, const std::string& equip_code,
                    const std::optional<std::string>& hazard_code) const;

  std::optional<model::WorkPermit> find(Tx& tx, const model::Scope& scope, long long id,
                                        bool lock) const;
  std::optional<model::WorkPermit> find_by_no(Tx& tx, const std::string& company_code,
                                              const std::string& permit_no) const;
  // Inserts p (state planned or what p says) and records the filing; returns the stored row.
  model::WorkPermit insert(Tx& tx, const model::WorkPermit& p, core::SysTime at) const;
  // Writes every field of p over row p.id (revision + 1) after recording the change with the row
  // as it was.
  model::WorkPermit update(Tx& tx, const model::WorkPermit& p, core::SysTime at,
                           const std::string& actor, const std::string& action,
                           const std::string& from_state,
                           const std::optional<std::string>& reason) const;

  PermitPage list(Tx& tx, const model::Scope& scope, const PermitFilter& f, core::SysTime now,
                  int limit, long long offset) const;
  std::vector<PermitChange> changes(Tx& tx, long long permit_id) const;

  // Per county (or city) inside the scope: the permits in progress at `now`.
  std::vector<PermitRegionCount> counts(Tx& tx, const model::Scope& scope, core::SysTime now,
                                        bool by_city) const;
  // An enterprise's permits whose window touches the Beijing day `day` (not cancelled), by
  // commitment key.
  std::map<std::string, long long> day_counts(Tx& tx, const std::string& company_code,
                                              const std::string& day) const;
  // The special-work counts of the enterprise's commitment of `day`, by key; nullopt: none filed.
  std::optional<std::map<std::string, long long>> commitment_counts(Tx& tx,
                                                                    const std::string& company_code,
                                                                    const std::string& day) const;
};

}  // namespace hazmon::storage
