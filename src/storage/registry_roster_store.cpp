#include <hazmon/storage/database.hpp>
#include <hazmon/storage/roster_store.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<TaskCounts> {
  using T = TaskCounts;
  static constexpr auto columns =
      std::make_tuple(column("task", &T::task), column("total", &T::total),
                      column("done", &T::done), column("in_progress", &T::in_progress),
                      column("not_started", &T::not_started), column("overdue", &T::overdue));
};

template <>
struct RowDescription<DeploymentTaskRow> {
  using T = DeploymentTaskRow;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &T::company_code), column("enterprise_name", &T::enterprise_name),
      column("task", &T::task), column("status", &T::status), column("deadline", &T::deadline),
      column("source_ref", &T::source_ref), column("note", &T::note),
      column("completed_at", &T::completed_at), column("updated_at", &T::updated_at),
      column("overdue", &T::overdue));
};

namespace {
std::string task_scope(const model::Scope& scope, Params& params) {
  return scope_predicate(scope, "e.company_code", "e.region_code", params);
}

constexpr const char* kCounts =
    "count(*) AS total, count(*) FILTER (WHERE t.status = 'done') AS done, "
    "count(*) FILTER (WHERE t.status = 'in_progress') AS in_progress, "
    "count(*) FILTER (WHERE t.status = 'not_started') AS not_started, "
    "count(*) FILTER (WHERE t.status <> 'done' AND t.deadline < current_date) AS overdue ";
}  // namespace

std::map<std::string, std::string> RosterStore::city_codes(Tx& tx) const {
  std::map<std::string, std::string> out;
  for (auto r : tx.query("SELECT code, name FROM region WHERE level = 'city'"))
    out[r.get<std::string>("name")] = r.get<std::string>("code");
  return out;
}

std::optional<std::string> RosterStore::enterprise_by_name(Tx& tx, const std::string& name) const {
  return tx.one<std::string>("SELECT company_code FROM enterprise WHERE name = $1", {name});
}

void RosterStore::set_roster_batch(Tx& tx, const std::string& company_code,
                                   const std::string& batch) const {
  tx.query(
      "UPDATE enterprise SET roster_batch = $2, updated_at = now() WHERE company_code = $1 "
      "AND roster_batch IS DISTINCT FROM $2",
      {company_code, batch});
}

long long RosterStore::next_provisional_serial(Tx& tx, const std::string& city_code) const {
  return *tx.one<long long>(
      "SELECT coalesce(max(substr(company_code, 8, 4)::int), 0) + 1 FROM enterprise "
      "WHERE company_code LIKE $1 || '9%'",
      {city_code});
}

void RosterStore::add_roster_enterprise(Tx& tx, const std::string& company_code,
                                        const std::string& name, const std::string& region_code,
                                        const std::string& batch) const {
  tx.query(
      "INSERT INTO enterprise(company_code, name, region_code, roster_batch, source) "
      "VALUES ($1, $2, $3, $4, 'roster')",
      {company_code, name, region_code, batch});
}

void RosterStore::put_roster_row(Tx& tx, const RosterRowWrite& r) const {
  // Attachment 1 carries the batch; the others keep the one stored.
  std::string batch_update = r.batch ? "batch = EXCLUDED.batch, " : "";
  tx.query(
      "INSERT INTO roster_row(attachment, seq, region_name, name, batch, match_kind, "
      "company_code, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
      "ON CONFLICT (attachment, seq) DO UPDATE SET region_name = EXCLUDED.region_name, "
      "name = EXCLUDED.name, " +
          batch_update +
          "match_kind = EXCLUDED.match_kind, company_code = EXCLUDED.company_code, "
          "note = EXCLUDED.note, imported_at = now() "
          // A row a person resolved (migration 0026) keeps its resolution.
          "WHERE roster_row.match_kind <> 'resolved'",
      {std::to_string(r.attachment), std::to_string(r.seq), r.region_name, r.name,
       r.batch.value_or(""), r.match_kind, r.company_code, r.note});
}

int RosterStore::add_task(Tx& tx, const std::string& company_code, const std::string& task,
                          const std::string& deadline, const std::string& source_ref) const {
  return static_cast<int>(
      tx.query("INSERT INTO deployment_task(company_code, task, deadline, source_ref) "
               "VALUES ($1, $2, $3, $4) ON CONFLICT (company_code, task) DO NOTHING",
               {company_code, task, deadline, source_ref})
          .affected_rows());
}

int RosterStore::add_extended_access_for_hazard_sources(Tx& tx, const std::string& deadline) const {
  return static_cast<int>(
      tx.query("INSERT INTO deployment_task(company_code, task, deadline, source_ref) "
               "SELECT DISTINCT company_code, 'extended_access', $1::date, '附件5: registry "
               "hazard source' FROM hazard_source "
               "WHERE is_active ON CONFLICT (company_code, task) DO NOTHING",
               {deadline})
          .affected_rows());
}

std::vector<TaskCounts> RosterStore::counts_by_city(Tx& tx, const model::Scope& scope) const {
  Params params;
  auto where = task_scope(scope, params);
  auto r =
      tx.query(std::string("SELECT c.code AS city_code, c.name AS city_name, t.task, ") + kCounts +
                   "FROM deployment_task t JOIN enterprise e ON e.company_code = "
                   "t.company_code JOIN region c ON c.code = substr(e.region_code, 1, 4) "
                   "|| '00' WHERE e.is_active AND " +
                   where + " GROUP BY c.code, c.name, t.task ORDER BY c.code, t.task",
               params);
  auto out = r.as<TaskCounts>();
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].city_code = r[i].get<std::string>("city_code");
    out[i].city_name = r[i].get<std::string>("city_name");
  }
  return out;
}

std::vector<TaskCounts> RosterStore::counts_by_task(Tx& tx, const model::Scope& scope) const {
  Params params;
  auto where = task_scope(scope, params);
  return tx.rows<TaskCounts>(std::string("SELECT t.task, ") + kCounts +
                                 "FROM deployment_task t JOIN enterprise e ON e.company_code = "
                                 "t.company_code WHERE e.is_active AND " +
                                 where + " GROUP BY t.task ORDER BY t.task",
                             params);
}

std::vector<DeploymentTaskRow> RosterStore::tasks(Tx& tx, const model::Scope& scope,
                                                  const std::string& company_code) const {
  Params params{company_code};
  auto where = task_scope(scope, params);
  return tx.rows<DeploymentTaskRow>(
      "SELECT t.company_code, e.name AS enterprise_name, t.task, t.status, t.deadline::text AS "
      "deadline, t.source_ref, t.note, t.completed_at, t.updated_at, "
      "(t.status <> 'done' AND t.deadline < current_date) AS overdue "
      "FROM deployment_task t JOIN enterprise e ON e.company_code = t.company_code "
      "WHERE t.company_code = $1 AND " +
          where + " ORDER BY t.task",
      params);
}

std::optional<std::string> RosterStore::lock_task(Tx& tx, const model::Scope& scope,
                                                  const std::string& company_code,
                                                  const std::string& task) const {
  Params params{company_code, task};
  auto where = task_scope(scope, params);
  return tx.one<std::string>(
      "SELECT t.status FROM deployment_task t JOIN enterprise e ON e.company_code = "
      "t.company_code WHERE t.company_code = $1 AND t.task = $2 AND " +
          where + " FOR UPDATE OF t",
      params);
}

DeploymentTaskRow RosterStore::update_task(Tx& tx, const std::string& company_code,
                                           const std::string& task, const std::string& status,
                                           const std::string& note) const {
  return *tx.one<DeploymentTaskRow>(
      "UPDATE deployment_task SET status = $3, note = $4, updated_at = now(), "
      "completed_at = CASE WHEN $3 = 'done' THEN coalesce(completed_at, now()) ELSE NULL END "
      "WHERE company_code = $1 AND task = $2 "
      "RETURNING company_code, '' AS enterprise_name, task, status, deadline::text AS deadline, "
      "'' AS source_ref, note, completed_at, updated_at, false AS overdue",
      {company_code, task, status, note});
}

}  // namespace hazmon::storage
