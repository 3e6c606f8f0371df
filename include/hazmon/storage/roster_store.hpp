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

// 接入状态 (issue 12, 二(二)): the expected enterprises (active, not closed, with a level 1-4
// major hazard source or on the notice's roster) counted by state per sub-region.
struct ConnectionGroup {
  std::string region_code, region_name;
  long long expected = 0, not_connected = 0, silent = 0, connected = 0;
};

// One expected enterprise: not_connected (no active gateway, or none has sent data), silent (no
// data for the silence window) or connected; first and last data time from its gateways; its
// active points and those whose latest value falls in the window.
struct ConnectionRow {
  std::string company_code, name, region_code, city_name, state;
  long long gateways = 0, points_registered = 0, points_reporting = 0;
  std::optional<core::SysTime> first_data_at, last_data_at;
};

struct ConnectionQuery {
  std::string region_prefix;  // "14", "1401" or "140105": the region asked for
  bool by_county = false;     // group by county (a city asked) instead of by city
  int silent_hours = 24;
  core::SysTime now{};  // the service clock's: the window ends here, not at PostgreSQL's now()
  std::optional<std::string> state;  // only this state in the page
  int limit = 100, offset = 0;
};

// 市级部署任务 (migration 0026).
struct CityDutyRow {
  std::string city_code, city_name, duty, title, deadline, source_ref, status, evidence_note;
  std::optional<std::string> updated_by;
  std::optional<core::SysTime> completed_at;
  core::SysTime updated_at{};
  bool overdue = false;
};

// A roster row with the city it names (region_name resolved to a city code; "" for 中石化 /
// 中石油 and other rows without a city).
struct RosterRowView {
  int attachment = 0, seq = 0;
  std::string region_name, city_code, name, match_kind, note;
  std::optional<std::string> company_code, resolution, resolved_by;
  std::optional<core::SysTime> resolved_at;
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

  // ---- connection status (roster_connection_store.cpp) ----
  // Counts per sub-region of q.region_prefix, within the scope.
  std::vector<ConnectionGroup> connection_counts(Tx& tx, const model::Scope& scope,
                                                 const ConnectionQuery& q) const;
  // A page of the expected enterprises (not connected first, then silent, then connected).
  std::vector<ConnectionRow> connection_page(Tx& tx, const model::Scope& scope,
                                             const ConnectionQuery& q) const;

  // ---- city duties ----
  // Within the scope (a region scope sees its own city's duties), by city and deadline.
  std::vector<CityDutyRow> city_duties(Tx& tx, const model::Scope& scope,
                                       const std::optional<std::string>& city_code,
                                       bool overdue_only) const;
  // The duty locked for update within the scope; nullopt when absent or outside it.
  std::optional<std::string> lock_city_duty(Tx& tx, const model::Scope& scope,
                                            const std::string& city_code,
                                            const std::string& duty) const;
  CityDutyRow update_city_duty(Tx& tx, const std::string& city_code, const std::string& duty,
                               const std::string& status, const std::string& evidence_note,
                               const std::string& updated_by) const;

  // ---- roster row resolution ----
  // Rows of attachments 2-4 within the scope (a region scope sees the rows naming its city);
  // match_kind filters when set.
  std::vector<RosterRowView> roster_rows(Tx& tx, const model::Scope& scope,
                                         const std::optional<std::string>& match_kind) const;
  // One row within the scope, locked for update.
  std::optional<RosterRowView> lock_roster_row(Tx& tx, const model::Scope& scope, int attachment,
                                               int seq) const;
  // Attachment 1's enterprises: names and codes, for suggestions.
  std::vector<std::pair<std::string, std::string>> master_enterprises(Tx& tx) const;
  // An active enterprise's name within the scope.
  std::optional<std::string> enterprise_name_in_scope(Tx& tx, const model::Scope& scope,
                                                      const std::string& company_code) const;
  bool region_exists(Tx& tx, const std::string& region_code) const;
  void resolve_roster_row(Tx& tx, int attachment, int seq, const std::string& company_code,
                          const std::string& resolution, const std::string& resolved_by) const;
};

}  // namespace hazmon::storage
