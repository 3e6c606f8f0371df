#pragma once
// Special work permits (特殊作业票, GB 30871-2022; issue 12; docs/duties.md). The enterprise
// files its permits (its users from the dashboard, its gateway by a base-table style upload),
// edits them with a reason while planned or in progress, and moves them planned -> in_progress ->
// done, or cancels them with a reason; every change is kept. Officers read and count them inside
// their scope; a permit in progress past its end is listed as overdue (no warning is raised:
// docs/duties.md). The day's permits can be compared with the day's safety commitment.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/work_permit.hpp>
#include <hazmon/storage/permit_store.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct PermitDetail {
  model::WorkPermit permit;
  std::vector<storage::PermitChange> changes;
};

// The per-region figures at `now`.
struct PermitSummary {
  core::SysTime at{};
  bool by_city = false;
  std::vector<storage::PermitRegionCount> regions;
  storage::PermitRegionCount total;
};

// The day's permits against the day's commitment, per commitment key (hot_1, height_3 …).
struct PermitCommitmentCheck {
  std::string company_code, day;
  bool committed = false;
  struct Line {
    std::string key, name;
    long long committed = 0, permits = 0;
  };
  std::vector<Line> lines;  // every key; difference = permits - committed
  bool matches = true;
};

// An edit: the fields to change (absent: kept) and why.
struct PermitEdit {
  std::optional<std::string> work_type, location, work_unit, responsible, responsible_mobile,
      content;
  // present and null: cleared
  std::optional<std::optional<std::string>> grade, hazard_code, equip_code;
  std::optional<core::SysTime> begin_at, end_at;
  std::optional<bool> contractor;
  std::string reason;
};

class PermitService {
 public:
  PermitService(storage::Database& db, const core::Clock& clock);

  // Files a permit: enterprise users (source dashboard) and gateways (source upload) of the
  // enterprise; others 403; another enterprise's company_code 422 on /company_code as if absent.
  // The fields are checked (422 with pointers), the hazard source and equipment must be the
  // enterprise's. A dashboard filing with a permit number the enterprise already used is 409; an
  // upload with one updates that permit (and may move its state one legal step).
  // `created` says whether a new row was made.
  model::WorkPermit file(const model::Principal& who, model::WorkPermit p, bool& created);
  // Edits a planned or in-progress permit (409 otherwise) with a reason (422 without).
  model::WorkPermit edit(const model::Principal& who, long long id, const PermitEdit& e);
  // start | finish | cancel (cancel needs a reason); an illegal step is 409 conflict.
  model::WorkPermit transition(const model::Principal& who, long long id, const std::string& action,
                               const std::string& reason);

  // People only (403 for machines).
  storage::PermitPage list(const model::Principal& who, const storage::PermitFilter& f, int limit,
                           long long offset);
  PermitDetail get(const model::Principal& who, long long id);
  PermitSummary summary(const model::Principal& who, bool by_city);
  PermitCommitmentCheck commitment_check(const model::Principal& who,
                                         const std::string& company_code, const std::string& day);

  core::SysTime now() const { return clock_.now(); }
  std::string today() const;

 private:
  void check_place(storage::Tx& tx, const model::WorkPermit& p) const;
  storage::Database& db_;
  const core::Clock& clock_;
  storage::PermitStore store_;
};

}  // namespace hazmon::service
