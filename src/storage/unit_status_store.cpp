#include <hazmon/storage/unit_status_store.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

#include <algorithm>
#include <vector>

namespace hazmon::storage {

namespace {
// The status with its unit, enterprise and filing as it stands.
constexpr const char* kSelect =
    "SELECT u.id, u.company_code, e.name AS company_name, coalesce(u.equip_code, '') AS "
    "equip_code, coalesce(u.prodcell_id, '') AS prodcell_id, coalesce(q.name, c.name) AS "
    "unit_name, coalesce(q.hazard_code, c.hazard_code, '') AS hazard_code, u.status, u.begin_at, "
    "u.end_at, u.planned_end, u.reason, u.content, u.unit_head, u.responsible_person, "
    "u.responsible_phone, u.end_reason, u.source, u.filed_by, u.ended_by, u.filing_id, "
    "CASE WHEN f.cancelled_at IS NOT NULL THEN 'cancelled' ELSE f.status END AS filing_status, "
    "f.starts_at AS filing_starts_at, f.ends_at AS filing_ends_at, u.created_at, u.updated_at "
    "FROM unit_run_status u JOIN enterprise e ON e.company_code = u.company_code "
    "LEFT JOIN equipment q ON q.equip_code = u.equip_code "
    "LEFT JOIN production_cell c ON c.prodcell_id = u.prodcell_id "
    "LEFT JOIN filing f ON f.id = u.filing_id ";

model::UnitStatus status_of(const Row& r) {
  model::UnitStatus s;
  s.id = r.get<long long>("id");
  s.company_code = r.get<std::string>("company_code");
  s.company_name = r.get<std::string>("company_name");
  s.equip_code = r.get<std::string>("equip_code");
  s.prodcell_id = r.get<std::string>("prodcell_id");
  s.unit_name = r.get<std::string>("unit_name");
  s.hazard_code = r.get<std::string>("hazard_code");
  s.status = r.get<std::string>("status");
  s.begin_at = r.get<core::SysTime>("begin_at");
  s.end_at = r.get<std::optional<core::SysTime>>("end_at");
  s.planned_end = r.get<std::optional<core::SysTime>>("planned_end");
  s.reason = r.get<std::string>("reason");
  s.content = r.get<std::optional<std::string>>("content");
  s.unit_head = r.get<std::optional<std::string>>("unit_head");
  s.responsible_person = r.get<std::optional<std::string>>("responsible_person");
  s.responsible_phone = r.get<std::optional<std::string>>("responsible_phone");
  s.end_reason = r.get<std::optional<std::string>>("end_reason");
  s.source = r.get<std::string>("source");
  s.filed_by = r.get<std::string>("filed_by");
  s.ended_by = r.get<std::optional<std::string>>("ended_by");
  s.filing_id = r.get<std::optional<long long>>("filing_id");
  s.filing_status = r.get<std::optional<std::string>>("filing_status");
  s.filing_starts_at = r.get<std::optional<core::SysTime>>("filing_starts_at");
  s.filing_ends_at = r.get<std::optional<core::SysTime>>("filing_ends_at");
  s.created_at = r.get<core::SysTime>("created_at");
  s.updated_at = r.get<core::SysTime>("updated_at");
  return s;
}

Param opt_text(const std::string& v) {
  if (v.empty()) return std::nullopt;
  return v;
}
// The column of unit_run_status that names a target of this kind.
std::string target_column(const UnitTarget& t) {
  return t.kind == "unit" ? "u.prodcell_id" : "u.equip_code";
}

Param opt_time(const std::optional<core::SysTime>& t) {
  if (!t) return std::nullopt;
  return format_timestamptz(*t);
}
Param opt_id(const std::optional<long long>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}

std::optional<model::UnitStatus> one_status(Tx& tx, const std::string& sql, const Params& p) {
  auto r = tx.query(sql, p);
  if (r.size() == 0) return std::nullopt;
  return status_of(r[0]);
}
}  // namespace

std::optional<std::string> UnitStatusStore::enterprise(Tx& tx, const model::Scope& scope,
                                                       const std::string& company_code) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return tx.one<std::string>(
      "SELECT e.name FROM enterprise e WHERE e.company_code = $1 AND e.is_active AND " + where, p);
}

UnitTarget unit_target(const model::UnitStatus& s) {
  if (!s.prodcell_id.empty()) return {"unit", s.prodcell_id};
  return {"equipment", s.equip_code};
}

std::optional<ProductionUnit> UnitStatusStore::unit(Tx& tx, const std::string& company_code,
                                                    const std::string& equip_code) const {
  auto r = tx.query(
      "SELECT equip_code, name, hazard_code FROM equipment WHERE equip_code = $1 AND "
      "company_code = $2 AND equip_type = 'S0' AND is_active",
      {equip_code, company_code});
  if (r.size() == 0) return std::nullopt;
  return ProductionUnit{r[0].get<std::string>("equip_code"), "", r[0].get<std::string>("name"),
                        r[0].get<std::string>("hazard_code")};
}

std::optional<ProductionUnit> UnitStatusStore::cell(Tx& tx, const std::string& company_code,
                                                    const std::string& prodcell_id) const {
  auto r = tx.query(
      "SELECT prodcell_id, name FROM production_cell WHERE prodcell_id = $1 AND company_code = $2 "
      "AND cell_type = 'unit' AND hazard_code IS NULL AND is_active",
      {prodcell_id, company_code});
  if (r.size() == 0) return std::nullopt;
  return ProductionUnit{"", r[0].get<std::string>("prodcell_id"), r[0].get<std::string>("name"),
                        ""};
}

std::vector<ProductionUnit> UnitStatusStore::units(Tx& tx, const std::string& company_code) const {
  std::vector<ProductionUnit> out;
  for (const auto& row :
       tx.query("SELECT equip_code, '' AS prodcell_id, name, hazard_code FROM equipment WHERE "
                "company_code = $1 AND equip_type = 'S0' AND is_active UNION ALL "
                "SELECT '', prodcell_id, name, '' FROM production_cell WHERE company_code = $1 "
                "AND cell_type = 'unit' AND hazard_code IS NULL AND is_active ORDER BY 2, 1",
                {company_code}))
    out.push_back({row.get<std::string>("equip_code"), row.get<std::string>("prodcell_id"),
                   row.get<std::string>("name"), row.get<std::string>("hazard_code")});
  return out;
}

std::optional<model::UnitStatus> UnitStatusStore::current(Tx& tx, const UnitTarget& unit,
                                                          bool lock) const {
  return one_status(tx,
                    std::string(kSelect) + "WHERE " + target_column(unit) +
                        " = $1 AND u.end_at IS NULL" + (lock ? " FOR UPDATE OF u" : ""),
                    {unit.code});
}

std::optional<model::UnitStatus> UnitStatusStore::latest(Tx& tx, const UnitTarget& unit) const {
  return one_status(tx,
                    std::string(kSelect) + "WHERE " + target_column(unit) +
                        " = $1 ORDER BY u.begin_at DESC, u.id DESC LIMIT 1",
                    {unit.code});
}

std::optional<model::UnitStatus> UnitStatusStore::find(Tx& tx, const model::Scope& scope,
                                                       long long id, bool lock) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "u.company_code", "e.region_code", p);
  return one_status(
      tx, std::string(kSelect) + "WHERE u.id = $1 AND " + where + (lock ? " FOR UPDATE OF u" : ""),
      p);
}

model::UnitStatus UnitStatusStore::read(Tx& tx, long long id) const {
  auto s = one_status(tx, std::string(kSelect) + "WHERE u.id = $1", {std::to_string(id)});
  if (!s) throw core::Error(core::Errc::not_found, "no such unit status");
  return *s;
}

model::UnitStatus UnitStatusStore::insert(Tx& tx, const model::UnitStatus& s,
                                          std::optional<long long> filing_id,
                                          core::SysTime at) const {
  auto id = tx.one<long long>(
      "INSERT INTO unit_run_status (company_code, equip_code, prodcell_id, status, begin_at, "
      "planned_end, reason, source, filed_by, filing_id, created_at, updated_at, content, "
      "unit_head, responsible_person, responsible_phone) VALUES ($1, $2, $3, $4, $5, $6, $7, "
      "$8, $9, $10, $11, $11, $12, $13, $14, $15) RETURNING id",
      {s.company_code, opt_text(s.equip_code), opt_text(s.prodcell_id), s.status,
       format_timestamptz(s.begin_at), opt_time(s.planned_end), s.reason, s.source, s.filed_by,
       opt_id(filing_id), format_timestamptz(at), s.content, s.unit_head, s.responsible_person,
       s.responsible_phone});
  return read(tx, *id);
}

void UnitStatusStore::end(Tx& tx, long long id, core::SysTime end_at, const std::string& by,
                          const std::optional<std::string>& reason, core::SysTime at) const {
  tx.exec_count(
      "UPDATE unit_run_status SET end_at = $2, ended_by = $3, end_reason = $4, updated_at = $5 "
      "WHERE id = $1",
      {std::to_string(id), format_timestamptz(end_at), by, reason, format_timestamptz(at)});
}

UnitStatusPage UnitStatusStore::list(Tx& tx, const model::Scope& scope, const UnitStatusFilter& f,
                                     int limit, long long offset) const {
  Params p;
  std::string where = scope_predicate(scope, "u.company_code", "e.region_code", p);
  if (f.company_code) where += " AND u.company_code = " + ph(p, *f.company_code);
  if (f.equip_code) where += " AND u.equip_code = " + ph(p, *f.equip_code);
  if (f.prodcell_id) where += " AND u.prodcell_id = " + ph(p, *f.prodcell_id);
  if (f.status) where += " AND u.status = " + ph(p, *f.status);
  if (f.current_only) where += " AND u.end_at IS NULL";
  auto total = tx.one<long long>(
                     "SELECT count(*) FROM unit_run_status u JOIN enterprise e ON "
                     "e.company_code = u.company_code WHERE " +
                         where,
                     p)
                   .value_or(0);
  auto lim = ph(p, std::to_string(limit));
  auto off = ph(p, std::to_string(offset));
  UnitStatusPage page;
  page.total = total;
  for (const auto& row :
       tx.query(std::string(kSelect) + "WHERE " + where +
                    " ORDER BY u.begin_at DESC, u.id DESC LIMIT " + lim + " OFFSET " + off,
                p))
    page.items.push_back(status_of(row));
  return page;
}

std::map<std::string, long long> UnitStatusStore::counts_at(Tx& tx, const std::string& company_code,
                                                            core::SysTime at) const {
  std::map<std::string, long long> out;
  for (const auto& row :
       tx.query("SELECT u.status, count(*) AS n FROM unit_run_status u LEFT JOIN equipment q ON "
                "q.equip_code = u.equip_code LEFT JOIN production_cell c ON c.prodcell_id = "
                "u.prodcell_id WHERE u.company_code = $1 AND coalesce(q.is_active, c.is_active) "
                "AND u.begin_at <= $2 AND (u.end_at IS NULL OR u.end_at > $2) GROUP BY 1",
                {company_code, format_timestamptz(at)}))
    out[row.get<std::string>("status")] = row.get<long long>("n");
  return out;
}

std::optional<std::map<std::string, long long>> UnitStatusStore::commitment_units(
    Tx& tx, const std::string& company_code, const std::string& day) const {
  auto r = tx.query(
      "SELECT units_total AS total, units_running AS running, units_stopped AS stopped, "
      "units_startup AS startup, units_trial AS trial, units_overhaul AS overhaul "
      "FROM safety_commitment WHERE company_code = $1 AND day = $2::date",
      {company_code, day});
  if (r.size() == 0) return std::nullopt;
  std::map<std::string, long long> out;
  for (const char* k : {"total", "running", "stopped", "startup", "trial", "overhaul"})
    out[k] = r[0].get<long long>(k);
  return out;
}

long long UnitStatusStore::insert_filing(Tx& tx, const UnitFiling& f) const {
  return *tx.one<long long>(
      "INSERT INTO filing (company_code, target_kind, target_code, filing_type, starts_at, "
      "ends_at, reason, person, created_by, status, approved_by, approved_at, origin) "
      "VALUES ($1, $11, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $9::text = "
      "'approved' THEN now() END, 'unit_status') RETURNING id",
      {f.company_code, f.target.code, f.filing_type, format_timestamptz(f.starts_at),
       format_timestamptz(f.ends_at), f.reason, f.person, opt_id(f.created_by),
       std::string(f.approved ? "approved" : "pending"),
       f.approved ? opt_id(f.created_by) : Param(), f.target.kind});
}

UnitStatusStore::Chain UnitStatusStore::chain(Tx& tx, const UnitTarget& unit,
                                              core::SysTime starts_at, core::SysTime ends_at,
                                              std::chrono::seconds gap,
                                              std::chrono::seconds limit) const {
  // Two filings on one target at the same moment would each read the other's absence and both
  // come into force: the second waits here until the first transaction ends, and its read below
  // (READ COMMITTED, a new snapshot per statement) then sees the first's window.
  tx.exec_count("SELECT pg_advisory_xact_lock(hashtext('filing_chain'), hashtext($1 || ':' || $2))",
                {unit.kind, unit.code});
  // A chain of at most `limit` around the window lies within [ends_at - limit, starts_at +
  // limit], and so does the next window that would join it: reading the windows within `limit`
  // and `gap` of the new one either finds the whole chain or one that already exceeds `limit`.
  auto r = tx.query(
      "SELECT starts_at, ends_at FROM filing WHERE target_kind = $1 AND target_code = $2 AND "
      "cancelled_at IS NULL AND status = 'approved' AND ends_at >= $3::timestamptz AND "
      "starts_at <= $4::timestamptz ORDER BY starts_at, id LIMIT 1000",
      {unit.kind, unit.code, format_timestamptz(starts_at - limit - gap),
       format_timestamptz(ends_at + limit + gap)});
  std::vector<Chain> windows;
  for (const auto& row : r)
    windows.push_back({row.get<core::SysTime>("starts_at"), row.get<core::SysTime>("ends_at")});
  Chain c{starts_at, std::max(starts_at, ends_at)};
  // Grow until no window touches the chain (few windows: quadratic at worst).
  for (bool grown = true; grown;) {
    grown = false;
    for (const auto& w : windows)
      if (w.start <= c.end + gap && w.end + gap >= c.start &&
          (w.start < c.start || w.end > c.end)) {
        c.start = std::min(c.start, w.start);
        c.end = std::max(c.end, w.end);
        grown = true;
      }
  }
  return c;
}

void UnitStatusStore::end_filing(Tx& tx, long long filing_id, core::SysTime end_at,
                                 std::optional<long long> by) const {
  auto end = format_timestamptz(end_at);
  // Ending at or before its start: nothing of the window is left.
  tx.exec_count(
      "UPDATE filing SET cancelled_at = now(), cancelled_by = $3 WHERE id = $1 AND "
      "cancelled_at IS NULL AND starts_at >= $2::timestamptz",
      {std::to_string(filing_id), end, opt_id(by)});
  tx.exec_count(
      "UPDATE filing SET ends_at = $2::timestamptz WHERE id = $1 AND cancelled_at IS NULL AND "
      "ends_at > $2::timestamptz",
      {std::to_string(filing_id), end});
}

}  // namespace hazmon::storage
