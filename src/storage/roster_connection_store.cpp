// The notice's connection duties in storage (migration 0026): the connection status of the
// expected enterprises, the cities' own duties, and the resolution of unmatched roster rows.
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/roster_store.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<ConnectionGroup> {
  using T = ConnectionGroup;
  static constexpr auto columns = std::make_tuple(
      column("region_code", &T::region_code), column("region_name", &T::region_name),
      column("expected", &T::expected), column("not_connected", &T::not_connected),
      column("silent", &T::silent), column("connected", &T::connected));
};

template <>
struct RowDescription<ConnectionRow> {
  using T = ConnectionRow;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &T::company_code), column("name", &T::name),
      column("region_code", &T::region_code), column("city_name", &T::city_name),
      column("state", &T::state), column("gateways", &T::gateways),
      column("points_registered", &T::points_registered),
      column("points_reporting", &T::points_reporting), column("first_data_at", &T::first_data_at),
      column("last_data_at", &T::last_data_at));
};

template <>
struct RowDescription<CityDutyRow> {
  using T = CityDutyRow;
  static constexpr auto columns = std::make_tuple(
      column("city_code", &T::city_code), column("city_name", &T::city_name),
      column("duty", &T::duty), column("title", &T::title), column("deadline", &T::deadline),
      column("source_ref", &T::source_ref), column("status", &T::status),
      column("evidence_note", &T::evidence_note), column("updated_by", &T::updated_by),
      column("completed_at", &T::completed_at), column("updated_at", &T::updated_at),
      column("overdue", &T::overdue));
};

template <>
struct RowDescription<RosterRowView> {
  using T = RosterRowView;
  static constexpr auto columns = std::make_tuple(
      column("attachment", &T::attachment), column("seq", &T::seq),
      column("region_name", &T::region_name), column("city_code", &T::city_code),
      column("name", &T::name), column("match_kind", &T::match_kind), column("note", &T::note),
      column("company_code", &T::company_code), column("resolution", &T::resolution),
      column("resolved_by", &T::resolved_by), column("resolved_at", &T::resolved_at));
};

namespace {

// The expected enterprises of the scope and region with their gateways' state, as a CTE named
// `st`. Gateways that upload while none of the enterprise's registered points reports within the
// window (empty uploads, attack 12.23) make it `silent`, not `connected` (`rp`: the enterprises
// with a reporting point, one hash join of the recent latest values with the points). One pass over
// the enterprises in scope (enterprise_region), their hazard sources (hazard_source_company) and
// their active gateways (gateway_company_seen, index-only).
std::string connection_cte(const model::Scope& scope, const ConnectionQuery& q, Params& params) {
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", params);
  auto prefix = ph(params, q.region_prefix);
  auto hours = ph(params, std::to_string(q.silent_hours));
  // The window ends at the service clock's now (13.28), so tests move it and nodes agree.
  auto now = ph(params, core::format_rfc3339_pg(q.now));
  return "WITH ex AS (SELECT e.company_code, e.name, e.region_code FROM enterprise e "
         "WHERE e.is_active AND e.status <> 'closed' AND e.region_code LIKE " +
         prefix + " || '%' AND " + where +
         " AND (e.max_hazard_rank BETWEEN 1 AND 4 OR e.roster_batch IS NOT NULL OR EXISTS "
         "(SELECT 1 FROM hazard_source h WHERE h.company_code = e.company_code AND h.is_active "
         "AND h.rank BETWEEN 1 AND 4))), "
         "gw AS (SELECT g.company_code, count(*) AS gateways, min(g.first_seen_at) AS "
         "first_data_at, max(g.last_seen_at) AS last_data_at FROM gateway g JOIN ex ON "
         "ex.company_code = g.company_code WHERE g.is_active GROUP BY g.company_code), "
         "rp AS (SELECT DISTINCT p.company_code FROM reading_latest l JOIN monitoring_point p ON "
         "p.point_id = l.point_id JOIN ex ON ex.company_code = p.company_code WHERE p.is_active "
         "AND p.in_use AND l.collect_ts >= " +
         now + "::timestamptz - make_interval(hours => " + hours +
         "::int)), "
         "st AS (SELECT ex.company_code, ex.name, ex.region_code, coalesce(gw.gateways, 0) AS "
         "gateways, gw.first_data_at, gw.last_data_at, CASE WHEN gw.last_data_at IS NULL THEN "
         "'not_connected' WHEN gw.last_data_at < " +
         now + "::timestamptz - make_interval(hours => " + hours +
         "::int) OR rp.company_code IS NULL THEN 'silent' ELSE 'connected' END AS state FROM ex "
         "LEFT JOIN gw ON gw.company_code = ex.company_code LEFT JOIN rp ON rp.company_code = "
         "ex.company_code) ";
}

}  // namespace

std::vector<ConnectionGroup> RosterStore::connection_counts(Tx& tx, const model::Scope& scope,
                                                            const ConnectionQuery& q) const {
  Params params;
  auto cte = connection_cte(scope, q, params);
  std::string key = q.by_county ? "st.region_code" : "substr(st.region_code, 1, 4) || '00'";
  return tx.rows<ConnectionGroup>(
      cte +
          "SELECT k.code AS region_code, coalesce(r.name, '') AS region_name, k.expected, "
          "k.not_connected, k.silent, k.connected FROM (SELECT " +
          key +
          " AS code, count(*) AS expected, count(*) FILTER (WHERE state = 'not_connected') AS "
          "not_connected, count(*) FILTER (WHERE state = 'silent') AS silent, count(*) FILTER "
          "(WHERE state = 'connected') AS connected FROM st GROUP BY 1) k LEFT JOIN region r ON "
          "r.code = k.code ORDER BY k.code",
      params);
}

std::vector<ConnectionRow> RosterStore::connection_page(Tx& tx, const model::Scope& scope,
                                                        const ConnectionQuery& q) const {
  Params params;
  auto cte = connection_cte(scope, q, params);
  std::string filter = q.state ? "WHERE st.state = " + ph(params, *q.state) : "";
  auto hours = ph(params, std::to_string(q.silent_hours));
  auto now = ph(params, core::format_rfc3339_pg(q.now));
  auto limit = ph(params, std::to_string(q.limit));
  auto offset = ph(params, std::to_string(q.offset));
  // Points only for the page's enterprises (monitoring_point_company, reading_latest's key).
  return tx.rows<ConnectionRow>(
      cte + ", page AS (SELECT * FROM st " + filter +
          " ORDER BY CASE st.state WHEN 'not_connected' THEN 0 WHEN 'silent' THEN 1 ELSE 2 END, "
          "st.region_code, st.company_code LIMIT " +
          limit + "::int OFFSET " + offset + "::int" +
          ") SELECT page.company_code, page.name, page.region_code, coalesce(c.name, '') AS "
          "city_name, page.state, page.gateways, page.first_data_at, page.last_data_at, "
          "pt.registered AS points_registered, pt.reporting AS points_reporting FROM page "
          "LEFT JOIN region c ON c.code = substr(page.region_code, 1, 4) || '00' "
          "CROSS JOIN LATERAL (SELECT count(*) AS registered, count(l.point_id) FILTER (WHERE "
          "l.collect_ts >= " +
          now + "::timestamptz - make_interval(hours => " + hours +
          "::int)) AS reporting FROM monitoring_point p LEFT JOIN reading_latest l ON "
          "l.point_id = p.point_id WHERE p.company_code = page.company_code AND p.is_active AND "
          "p.in_use) pt ORDER BY CASE page.state WHEN 'not_connected' THEN 0 WHEN 'silent' THEN "
          "1 ELSE 2 END, page.region_code, page.company_code",
      params);
}

namespace {
// A region scope sees its own city's duties (a county's too: the duties are its city's).
std::string duty_scope(const model::Scope& scope, Params& params) {
  switch (scope.kind) {
    case model::ScopeKind::province:
      return "TRUE";
    case model::ScopeKind::region:
      return "d.city_code = " + ph(params, scope.region_code.substr(0, 4) + "00");
    case model::ScopeKind::enterprise:
      return "FALSE";
  }
  return "FALSE";
}

constexpr const char* kDutyColumns =
    "d.city_code, r.name AS city_name, d.duty, d.title, d.deadline::text AS deadline, "
    "d.source_ref, d.status, d.evidence_note, d.updated_by, d.completed_at, d.updated_at, "
    "(d.status <> 'done' AND d.deadline < current_date) AS overdue ";
}  // namespace

std::vector<CityDutyRow> RosterStore::city_duties(Tx& tx, const model::Scope& scope,
                                                  const std::optional<std::string>& city_code,
                                                  bool overdue_only) const {
  Params params;
  auto where = duty_scope(scope, params);
  if (city_code) where += " AND d.city_code = " + ph(params, *city_code);
  if (overdue_only) where += " AND d.status <> 'done' AND d.deadline < current_date";
  return tx.rows<CityDutyRow>(std::string("SELECT ") + kDutyColumns +
                                  "FROM city_duty d JOIN region r ON r.code = d.city_code WHERE " +
                                  where + " ORDER BY d.city_code, d.deadline, d.duty",
                              params);
}

std::optional<std::string> RosterStore::lock_city_duty(Tx& tx, const model::Scope& scope,
                                                       const std::string& city_code,
                                                       const std::string& duty) const {
  Params params{city_code, duty};
  auto where = duty_scope(scope, params);
  return tx.one<std::string>(
      "SELECT d.status FROM city_duty d WHERE d.city_code = $1 AND "
      "d.duty = $2 AND " +
          where + " FOR UPDATE",
      params);
}

CityDutyRow RosterStore::update_city_duty(Tx& tx, const std::string& city_code,
                                          const std::string& duty, const std::string& status,
                                          const std::string& evidence_note,
                                          const std::string& updated_by) const {
  return *tx.one<CityDutyRow>(
      std::string("WITH u AS (UPDATE city_duty SET status = $3, evidence_note = $4, updated_by = "
                  "$5, updated_at = now(), completed_at = CASE WHEN $3 = 'done' THEN "
                  "coalesce(completed_at, now()) ELSE NULL END WHERE city_code = $1 AND duty = $2 "
                  "RETURNING *) SELECT ") +
          kDutyColumns + "FROM u d JOIN region r ON r.code = d.city_code",
      {city_code, duty, status, evidence_note, updated_by});
}

namespace {
// The city a row names: region_name is a city's name as printed (晋中市), else "".
constexpr const char* kRowColumns =
    "x.attachment, x.seq, x.region_name, coalesce(c.code, '') AS city_code, x.name, "
    "x.match_kind, x.note, x.company_code, x.resolution, x.resolved_by, x.resolved_at ";
constexpr const char* kRowFrom =
    "FROM roster_row x LEFT JOIN region c ON c.level = 'city' AND c.name = x.region_name ";

// Province sees every row; a city scope the rows naming that city; nothing else.
std::string row_scope(const model::Scope& scope, Params& params) {
  if (scope.kind == model::ScopeKind::province) return "TRUE";
  if (scope.kind == model::ScopeKind::region) return "c.code = " + ph(params, scope.region_code);
  return "FALSE";
}
}  // namespace

std::vector<RosterRowView> RosterStore::roster_rows(
    Tx& tx, const model::Scope& scope, const std::optional<std::string>& match_kind) const {
  Params params;
  auto where = row_scope(scope, params);
  if (match_kind) where += " AND x.match_kind = " + ph(params, *match_kind);
  return tx.rows<RosterRowView>(std::string("SELECT ") + kRowColumns + kRowFrom +
                                    "WHERE x.attachment > 1 AND " + where +
                                    " ORDER BY x.attachment, x.seq",
                                params);
}

std::optional<RosterRowView> RosterStore::lock_roster_row(Tx& tx, const model::Scope& scope,
                                                          int attachment, int seq) const {
  Params params{std::to_string(attachment), std::to_string(seq)};
  auto where = row_scope(scope, params);
  return tx.one<RosterRowView>(std::string("SELECT ") + kRowColumns + kRowFrom +
                                   "WHERE x.attachment = $1 AND x.seq = $2 AND x.attachment > 1 "
                                   "AND " +
                                   where + " FOR UPDATE OF x",
                               params);
}

std::vector<std::pair<std::string, std::string>> RosterStore::master_enterprises(Tx& tx) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto r : tx.query("SELECT x.name, x.company_code FROM roster_row x JOIN enterprise e ON "
                         "e.company_code = x.company_code WHERE x.attachment = 1 AND "
                         "e.is_active ORDER BY x.seq"))
    out.emplace_back(r.get<std::string>(0), r.get<std::string>(1));
  return out;
}

std::optional<std::string> RosterStore::enterprise_name_in_scope(
    Tx& tx, const model::Scope& scope, const std::string& company_code) const {
  Params params{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", params);
  return tx.one<std::string>(
      "SELECT e.name FROM enterprise e WHERE e.company_code = $1 AND e.is_active AND " + where,
      params);
}

bool RosterStore::region_exists(Tx& tx, const std::string& region_code) const {
  return tx.one<std::string>("SELECT code FROM region WHERE code = $1 AND is_active", {region_code})
      .has_value();
}

void RosterStore::resolve_roster_row(Tx& tx, int attachment, int seq,
                                     const std::string& company_code, const std::string& resolution,
                                     const std::string& resolved_by) const {
  tx.query(
      "UPDATE roster_row SET match_kind = 'resolved', company_code = $3, resolution = $4, "
      "resolved_by = $5, resolved_at = now() WHERE attachment = $1 AND seq = $2",
      {std::to_string(attachment), std::to_string(seq), company_code, resolution, resolved_by});
}

}  // namespace hazmon::storage
