#include <hazmon/storage/process_store.hpp>

#include <hazmon/core/encoding.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<model::CoverageEnterprise> {
  using E = model::CoverageEnterprise;
  static constexpr auto columns =
      std::make_tuple(column("company_code", &E::company_code), column("name", &E::name),
                      column("region_code", &E::region_code));
};
template <>
struct RowDescription<model::EnterpriseProcess> {
  using P = model::EnterpriseProcess;
  static constexpr auto columns = std::make_tuple(
      column("id", &P::id), column("company_code", &P::company_code),
      column("process_code", &P::process_code), column("process_name", &P::process_name),
      column("prodcell_id", &P::prodcell_id), column("prodcell_name", &P::prodcell_name));
};
template <>
struct RowDescription<model::CoverageCell> {
  using C = model::CoverageCell;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &C::company_code), column("prodcell_id", &C::prodcell_id),
      column("name", &C::name), column("cell_type", &C::cell_type), column("major", &C::major),
      column("media", &C::media), column("hazard_classes", &C::hazard_classes),
      column("mode", &C::mode));
};
template <>
struct RowDescription<model::SisLoopGroup> {
  using G = model::SisLoopGroup;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &G::company_code), column("prodcell_id", &G::prodcell_id),
      column("process_code", &G::process_code), column("loops", &G::loops),
      column("in_service", &G::in_service));
};
template <>
struct RowDescription<model::PointGroup> {
  using G = model::PointGroup;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &G::company_code), column("prodcell_id", &G::prodcell_id),
      column("process_code", &G::process_code), column("key_param", &G::key_param),
      column("warehouse_id", &G::warehouse_id),
      column("loading_platform_id", &G::loading_platform_id),
      column("indicator_type", &G::indicator_type), column("points", &G::points),
      column("fresh", &G::fresh));
};

namespace {
// The enterprises the check covers: those 附件5 extends the connection to (every enterprise
// with a level 1–4 major hazard source), active and operating.
constexpr const char* kExpected =
    "e.is_active AND e.status = 'operating' AND EXISTS (SELECT 1 FROM hazard_source h WHERE "
    "h.company_code = e.company_code AND h.is_active)";

constexpr const char* kProcessColumns =
    "ep.id, ep.company_code, ep.process_code, k.name AS process_name, ep.prodcell_id, "
    "c.name AS prodcell_name";

// "e.company_code = $n" for one enterprise, else TRUE.
std::string only(const std::optional<std::string>& company_code, Params& p) {
  if (!company_code) return "TRUE";
  p.push_back(*company_code);
  return "e.company_code = $" + std::to_string(p.size());
}
}  // namespace

model::KeyProcessCatalogue ProcessStore::catalogue(Tx& tx) const {
  model::KeyProcessCatalogue cat;
  for (const auto& r : tx.query("SELECT param, name, array_to_string(indicator_types, ',') AS "
                                "types FROM key_parameter WHERE is_active ORDER BY param")) {
    cat.parameters.push_back({r.get<std::string>("param"), r.get<std::string>("name"),
                              core::split_list(r.get<std::string>("types"))});
  }
  for (const auto& r :
       tx.query("SELECT k.code, k.name, k.source, k.sis_required, "
                "string_agg(pp.param, ',' ORDER BY pp.position) AS params FROM key_process k "
                "LEFT JOIN key_process_parameter pp ON pp.process_code = k.code "
                "GROUP BY k.code ORDER BY length(k.code), k.code")) {
    model::KeyProcess p;
    p.code = r.get<std::string>("code");
    p.name = r.get<std::string>("name");
    p.source = r.get<std::string>("source");
    p.sis_required = r.get<bool>("sis_required");
    p.params = core::split_list(r.get<std::optional<std::string>>("params").value_or(""));
    cat.processes.push_back(std::move(p));
  }
  return cat;
}

std::optional<model::CoverageEnterprise> ProcessStore::enterprise(
    Tx& tx, const model::Scope& scope, const std::string& company_code) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return tx.one<model::CoverageEnterprise>(
      "SELECT e.company_code, e.name, e.region_code FROM enterprise e "
      "WHERE e.company_code = $1 AND e.is_active AND " +
          where,
      p);
}

std::optional<std::string> ProcessStore::prodcell_name(Tx& tx, const std::string& company_code,
                                                       const std::string& prodcell_id) const {
  return tx.one<std::string>(
      "SELECT name FROM production_cell WHERE company_code = $1 AND prodcell_id = $2 AND "
      "is_active",
      {company_code, prodcell_id});
}

std::vector<model::EnterpriseProcess> ProcessStore::list(
    Tx& tx, const model::Scope& scope, const std::optional<std::string>& company_code) const {
  Params p;
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  where += " AND " + only(company_code, p);
  return tx.rows<model::EnterpriseProcess>(
      std::string("SELECT ") + kProcessColumns +
          " FROM enterprise_process ep JOIN enterprise e ON e.company_code = ep.company_code "
          "JOIN key_process k ON k.code = ep.process_code "
          "LEFT JOIN production_cell c ON c.prodcell_id = ep.prodcell_id "
          "WHERE ep.is_active AND " +
          where + " ORDER BY ep.company_code, length(ep.process_code), ep.process_code, ep.id",
      p);
}

std::optional<model::EnterpriseProcess> ProcessStore::add(
    Tx& tx, const std::string& company_code, const std::optional<std::string>& prodcell_id,
    const std::string& process_code, const std::string& by) const {
  auto id = tx.one<long long>(
      "INSERT INTO enterprise_process (company_code, prodcell_id, process_code, created_by) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (company_code, coalesce(prodcell_id, ''), "
      "process_code) WHERE is_active DO NOTHING RETURNING id",
      {company_code, prodcell_id, process_code, by});
  if (!id) return std::nullopt;
  return tx.one<model::EnterpriseProcess>(
      std::string("SELECT ") + kProcessColumns +
          " FROM enterprise_process ep JOIN key_process k ON k.code = ep.process_code "
          "LEFT JOIN production_cell c ON c.prodcell_id = ep.prodcell_id WHERE ep.id = $1",
      {std::to_string(*id)});
}

bool ProcessStore::remove(Tx& tx, const model::Scope& scope, long long id) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return tx.exec_count(
             "UPDATE enterprise_process ep SET is_active = false, updated_at = now() "
             "FROM enterprise e WHERE e.company_code = ep.company_code AND ep.id = $1 AND "
             "ep.is_active AND " +
                 where,
             p) > 0;
}

std::map<std::string, std::string> ProcessStore::region_names(
    Tx& tx, const std::vector<std::string>& codes) const {
  std::map<std::string, std::string> out;
  if (codes.empty()) return out;
  std::string list = "{";
  for (const auto& c : codes) {
    if (!model::is_region_code(c)) continue;  // digits only: safe inside the array literal
    list += (list.size() > 1 ? "," : "") + c;
  }
  list += "}";
  for (const auto& r :
       tx.query("SELECT code, name FROM region WHERE code = ANY($1::text[])", {list}))
    out[r.get<std::string>("code")] = r.get<std::string>("name");
  return out;
}

model::CoverageInputs ProcessStore::coverage_inputs(Tx& tx, const model::Scope& scope,
                                                    const std::optional<std::string>& company_code,
                                                    core::SysTime now, int window_s) const {
  model::CoverageInputs in;
  Params p;
  auto where = std::string(kExpected) + " AND " +
               scope_predicate(scope, "e.company_code", "e.region_code", p) + " AND " +
               only(company_code, p);
  in.enterprises = tx.rows<model::CoverageEnterprise>(
      "SELECT e.company_code, e.name, e.region_code FROM enterprise e WHERE " + where +
          " ORDER BY e.region_code, e.company_code",
      p);
  if (in.enterprises.empty()) return in;
  in.processes = tx.rows<model::EnterpriseProcess>(
      std::string("SELECT ") + kProcessColumns +
          " FROM enterprise_process ep JOIN enterprise e ON e.company_code = ep.company_code "
          "JOIN key_process k ON k.code = ep.process_code "
          "LEFT JOIN production_cell c ON c.prodcell_id = ep.prodcell_id "
          "WHERE ep.is_active AND " +
          where + " ORDER BY ep.company_code, length(ep.process_code), ep.process_code, ep.id",
      p);
  // What 附件5 §2–§3 asks of each depends on its major hazard source, what it stores or loads
  // and the hazard classes of those (model::cell_requirements).
  in.cells = tx.rows<model::CoverageCell>(
      "SELECT w.company_code, w.warehouse_id AS prodcell_id, w.name, 'warehouse' AS cell_type, "
      "EXISTS (SELECT 1 FROM hazard_source h WHERE h.hazard_code = w.hazard_code AND "
      "h.is_active) AS major, coalesce((SELECT string_agg(wc.cas, ',' ORDER BY wc.cas) FROM "
      "warehouse_chemical wc WHERE wc.warehouse_id = w.warehouse_id AND wc.is_active), '') AS "
      "media, coalesce((SELECT string_agg(DISTINCT hc, ',') FROM warehouse_chemical wc JOIN "
      "chemical ch ON ch.cas = wc.cas, jsonb_array_elements_text(ch.hazard_classes) hc WHERE "
      "wc.warehouse_id = w.warehouse_id AND wc.is_active), '') AS hazard_classes, NULL::text AS "
      "mode FROM warehouse w JOIN enterprise e ON e.company_code = w.company_code WHERE "
      "w.is_active AND " +
          where +
          " UNION ALL SELECT l.company_code, l.platform_id, l.name, 'loading', EXISTS (SELECT 1 "
          "FROM hazard_source h WHERE h.hazard_code = l.hazard_code AND h.is_active), "
          "coalesce((SELECT string_agg(m, ',') FROM jsonb_array_elements_text(l.media) m), ''), "
          "coalesce((SELECT string_agg(DISTINCT hc, ',') FROM jsonb_array_elements_text(l.media) "
          "m JOIN chemical ch ON ch.cas = m, jsonb_array_elements_text(ch.hazard_classes) hc), "
          "''), l.mode FROM loading_platform l JOIN enterprise e ON e.company_code = "
          "l.company_code WHERE l.is_active AND " +
          where + " ORDER BY 1, 4 DESC, 2",
      p);
  Params q = p;
  q.push_back(core::format_rfc3339_pg(now));
  auto at = "$" + std::to_string(q.size());
  q.push_back(std::to_string(window_s));
  auto win = "$" + std::to_string(q.size());
  in.points = tx.rows<model::PointGroup>(
      // A point's unit is its own prodcell_id (a non-major unit's point has no equipment,
      // ADR 0019), else its equipment's.
      "SELECT mp.company_code, coalesce(mp.prodcell_id, eq.prodcell_id) AS prodcell_id, "
      "mp.process_code, mp.key_param, "
      "coalesce(mp.warehouse_id, eq.warehouse_id) AS warehouse_id, "
      "coalesce(mp.loading_platform_id, eq.loading_platform_id) AS loading_platform_id, "
      "mp.indicator_type, count(*) AS points, count(*) FILTER (WHERE rl.collect_ts >= " +
          at + "::timestamptz - make_interval(secs => " + win +
          "::int)) AS fresh FROM monitoring_point mp "
          "JOIN enterprise e ON e.company_code = mp.company_code "
          "LEFT JOIN equipment eq ON eq.equip_code = mp.equip_code AND eq.is_active "
          "LEFT JOIN reading_latest rl ON rl.point_id = mp.point_id "
          "WHERE mp.is_active AND mp.in_use AND " +
          where + " GROUP BY 1, 2, 3, 4, 5, 6, 7",
      q);
  // In service: no trip waiting for its reset and no active bypass (docs/sis.md).
  in.sis_loops = tx.rows<model::SisLoopGroup>(
      "SELECT l.company_code, l.prodcell_id, l.process_code, count(*) AS loops, count(*) FILTER "
      "(WHERE NOT EXISTS (SELECT 1 FROM sis_trip t WHERE t.loop_id = l.id AND t.reset_at IS NULL) "
      "AND NOT EXISTS (SELECT 1 FROM sis_bypass b WHERE b.loop_id = l.id AND b.state = "
      "'active')) AS in_service FROM sis_loop l JOIN enterprise e ON e.company_code = "
      "l.company_code WHERE l.is_active AND " +
          where + " GROUP BY 1, 2, 3",
      p);
  return in;
}

}  // namespace hazmon::storage
