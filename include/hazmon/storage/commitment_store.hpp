#pragma once
// Where daily safety commitments (安全承诺) are stored: `safety_commitment` (one row per
// enterprise per Beijing day), `safety_commitment_history` (every replaced version, whole) and
// `commitment_warning` (the `commitment` warning event raised for a day's missing commitment).
// Migration 0017. Everything runs in the caller's transaction and is cut by the caller's scope;
// rows come back as model structs. service::CommitmentService holds the rules.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/commitment.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

// An expected enterprise (active, operating, with an active hazard source) that may sign.
struct CommitmentEnterprise {
  std::string company_code, name, region_code;
  std::optional<std::string> principal;
};

struct CommitmentFilter {
  std::optional<std::string> day;           // YYYY-MM-DD
  std::optional<std::string> company_code;  // inside the scope
  std::optional<bool> late;
};

struct CommitmentPage {
  std::vector<model::Commitment> items;
  long long total = 0;
};

// One region's figures for a day: expected enterprises, those that committed (and of them the
// late ones), and the committed ones by risk grade.
struct CommitmentSummaryRow {
  std::string region_code, region_name;
  long long expected = 0, committed = 0, late = 0, red = 0, orange = 0, yellow = 0, blue = 0;
  long long recent_committer = 0;  // committed by a name entered shortly before (13.30)
};

struct MissingCommitment {
  std::string company_code, company_name, region_code, region_name;
  std::optional<long long> warning_event_id;
};

// The warning of a day's missing commitment.
struct CommitmentWarningRow {
  std::string company_code;
  std::optional<long long> warning_event_id;
  std::optional<core::SysTime> closed_at;
};

class CommitmentStore {
 public:
  // The enterprise, if it is inside the scope and active (any status: a suspended one may file).
  std::optional<CommitmentEnterprise> enterprise(Tx& tx, const model::Scope& scope,
                                                 const std::string& company_code) const;
  // The 包保责任人 role of `name` among the enterprise's active responsible persons valid on
  // `day`; nullopt when none has that name.
  std::optional<model::CommitterRole> responsible_role(Tx& tx, const std::string& company_code,
                                                       const std::string& name,
                                                       const std::string& day) const;
  // Whether the committer's name (`role`: a 包保责任人 of that name, or the enterprise's
  // principal) took its present value less than `hours` ago by the database's clock, which set
  // it (migration 0036).
  bool committer_recent(Tx& tx, const std::string& company_code, const std::string& name,
                        model::CommitterRole role, int hours) const;

  // Stores c (c.company_code, c.day) under a lock on that pair: the first filing of the day is
  // inserted with revision 1; a later one keeps the row id, is written over it with the next
  // revision, and the version it replaces goes whole into safety_commitment_history. Returns
  // the stored row.
  model::Commitment save(Tx& tx, const model::Commitment& c, const std::string& replaced_by) const;

  CommitmentPage list(Tx& tx, const model::Scope& scope, const CommitmentFilter& f, int limit,
                      long long offset) const;
  // Whether the commitment exists inside the scope.
  bool visible(Tx& tx, const model::Scope& scope, long long id) const;
  // The replaced versions of a commitment (row_data as JSON text), oldest first.
  std::vector<std::string> history(Tx& tx, long long commitment_id) const;

  // Per region for `day`: `city` groups by the city (first four digits + 00), `county` by the
  // enterprise's own region code.
  std::vector<CommitmentSummaryRow> summary(Tx& tx, const model::Scope& scope,
                                            const std::string& day, bool by_city) const;
  // Expected enterprises inside the scope without a commitment for `day`, by region and code.
  std::vector<MissingCommitment> missing(Tx& tx, const model::Scope& scope, const std::string& day,
                                         int limit) const;

  // ---- the deadline check ----
  // Expected enterprises (province-wide) with no commitment and no warning row for `day`.
  std::vector<std::string> unwarned_missing(Tx& tx, const std::string& day, int limit) const;
  // Claims the day's warning for the enterprise, under the lock a filing of that day takes; false
  // when another node or run has it or the commitment has been filed meanwhile.
  bool claim_warning(Tx& tx, const std::string& company_code, const std::string& day,
                     core::SysTime at) const;
  void set_warning_event(Tx& tx, const std::string& company_code, const std::string& day,
                         long long event_id) const;
  // The open (not yet closed) warning row of the enterprise's day, locked.
  std::optional<CommitmentWarningRow> lock_open_warning(Tx& tx, const std::string& company_code,
                                                        const std::string& day) const;
  void close_warning(Tx& tx, const std::string& company_code, const std::string& day,
                     core::SysTime at) const;
};

}  // namespace hazmon::storage
