#pragma once
// Where the deployment roster (晋应急发〔2021〕247号) is stored: `roster_row` (every row of every
// attachment with what the import made of it), `deployment_task` (one per enterprise and task),
// and the roster's provisional enterprises in `enterprise`. All in the caller's transaction;
// service::RosterService holds the matching and the workflow.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

struct RosterRowWrite {
  int attachment = 1;
  int seq = 0;
  std::string region_name, name;
  std::optional<std::string> batch;  // attachment 1 only (the others keep '')
  std::string match_kind;
  std::optional<std::string> company_code;
  std::string note;
};

// Deployment tasks counted by status (per city when city_code is set).
struct TaskCounts {
  std::string city_code, city_name;  // "" in the per-task totals
  std::string task;
  long long total = 0, done = 0, in_progress = 0, not_started = 0, overdue = 0;
};

struct DeploymentTaskRow {
  std::string company_code, enterprise_name, task, status, deadline, source_ref, note;
  std::optional<core::SysTime> completed_at;
  core::SysTime updated_at{};
  bool overdue = false;
};

class RosterStore {
 public:
  // City names → codes.
  std::map<std::string, std::string> city_codes(Tx& tx) const;
  std::optional<std::string> enterprise_by_name(Tx& tx, const std::string& name) const;
  void set_roster_batch(Tx& tx, const std::string& company_code, const std::string& batch) const;
  // The next free 4-digit serial of the provisional codes <city_code>9xxxx.
  long long next_provisional_serial(Tx& tx, const std::string& city_code) const;
  void add_roster_enterprise(Tx& tx, const std::string& company_code, const std::string& name,
                             const std::string& region_code, const std::string& batch) const;
  // Inserts or replaces the row (attachment, seq).
  void put_roster_row(Tx& tx, const RosterRowWrite& r) const;
  // 1 when added, 0 when the enterprise had the task already.
  int add_task(Tx& tx, const std::string& company_code, const std::string& task,
               const std::string& deadline, const std::string& source_ref) const;
  // extended_access for every enterprise with an active hazard source; how many were added.
  int add_extended_access_for_hazard_sources(Tx& tx, const std::string& deadline) const;

  // Active enterprises' tasks within the scope, by city and task, and by task.
  std::vector<TaskCounts> counts_by_city(Tx& tx, const model::Scope& scope) const;
  std::vector<TaskCounts> counts_by_task(Tx& tx, const model::Scope& scope) const;
  // An enterprise's tasks within the scope, by task.
  std::vector<DeploymentTaskRow> tasks(Tx& tx, const model::Scope& scope,
                                       const std::string& company_code) const;
  // The task's status, locked for update; nullopt when absent or outside the scope.
  std::optional<std::string> lock_task(Tx& tx, const model::Scope& scope,
                                       const std::string& company_code,
                                       const std::string& task) const;
  // Sets status and note (completed_at follows status) and returns the task (enterprise_name and
  // source_ref are left empty, overdue false).
  DeploymentTaskRow update_task(Tx& tx, const std::string& company_code, const std::string& task,
                                const std::string& status, const std::string& note) const;
};

}  // namespace hazmon::storage
