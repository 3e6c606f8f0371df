#pragma once
// The daily safety commitment (安全承诺, issue 12; docs/duties.md). An enterprise files one per
// Beijing-time day, from the dashboard (an enterprise user) or uploaded by its gateway; a later
// filing of the same day replaces the earlier one (the earlier version is kept). The committer
// must be one of the enterprise's 包保责任人 or its principal. At the deadline hour (Beijing
// time) an expected enterprise without the day's commitment gets a `commitment` warning event
// through WarningService, once per day; the filing, when it comes, closes it. Officers see, per
// region and day, expected vs committed by risk grade and who has not committed.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/commitment.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/rules/disposal.hpp>
#include <hazmon/storage/commitment_store.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

class WarningService;

struct CommitmentSettings {
  bool enabled = true;  // false: no deadline check (filing and the summary still work)
  int deadline_hour = 9;  // Beijing time, 0–23: missing after this → warning; filed after → late
  rules::WarningLevel warning_level = rules::WarningLevel::yellow;
  int max_warnings_per_check = 1000;  // enterprises warned per check; the rest at the next
  int max_missing_listed = 500;       // the summary's list of who has not committed
};
// The config's `commitments` section.
void from_json(const nlohmann::json& j, CommitmentSettings& s);

// A filing as the API or an upload gives it; company_code and day may be empty (the caller's
// own enterprise, today).
struct CommitmentFiling {
  model::Commitment c;
  std::string source = "dashboard";  // dashboard | upload
};

struct CommitmentSummary {
  std::string day;
  bool by_city = false;
  int deadline_hour = 9;
  std::vector<storage::CommitmentSummaryRow> regions;
  storage::CommitmentSummaryRow total;  // region_code empty
  std::vector<storage::MissingCommitment> missing;
  bool missing_truncated = false;
};

class CommitmentService {
 public:
  // `warnings` may be null: no warnings are raised or closed (tools, tests of filing alone).
  CommitmentService(storage::Database& db, WarningService* warnings, CommitmentSettings s,
                    const core::Clock& clock);

  // Files the commitment: enterprise users for their own enterprise (another is 422 on
  // /company_code, as if it did not exist), gateways for theirs; others 403. Checks the figures
  // (422 with pointers), the day (today or yesterday in Beijing time), the committer (422 on
  // /committer unless a 包保责任人 valid that day or the principal). Returns the stored row and
  // whether it replaced an earlier one (revision > 1).
  model::Commitment file(const model::Principal& who, CommitmentFiling f);

  // People only (403 for machines); day YYYY-MM-DD (400 otherwise), company_code inside the
  // scope (404 otherwise).
  storage::CommitmentPage list(const model::Principal& who, const storage::CommitmentFilter& f,
                               int limit, long long offset);
  // The replaced versions of a commitment inside the scope (404 otherwise), as JSON text.
  std::vector<std::string> history(const model::Principal& who, long long id);
  // Per county (or city) for a day (default today), under the scope, with who has not committed.
  CommitmentSummary summary(const model::Principal& who, const std::string& day, bool by_city);

  // The deadline check at clock.now(): past the deadline hour, every expected enterprise
  // without the day's commitment or warning gets one. Returns the number raised. Safe on
  // several nodes at once (the warning row is claimed first).
  int check();

  const CommitmentSettings& settings() const { return s_; }
  // Today's Beijing day as YYYY-MM-DD.
  std::string today() const;

 private:
  storage::Database& db_;
  WarningService* warnings_;
  CommitmentSettings s_;
  const core::Clock& clock_;
  storage::CommitmentStore store_;
};

}  // namespace hazmon::service
