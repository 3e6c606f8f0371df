#include <hazmon/storage/registry_store.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {
namespace {

std::string select_list(const EntityDef& def) {
  std::string s;
  for (const auto& c : def.columns) {
    if (!s.empty()) s += ", ";
    // inet and date render as text; everything else converts by type OID in database.cpp.
    // host(), not ::text, for inet: ::text appends the mask ("10.0.0.1/32"), which the schema
    // refuses when the row is validated again on update.
    if (c.type == ColType::inet)
      s += "host(" + c.name + ") AS " + c.name;
    else if (c.type == ColType::date)
      s += c.name + "::text AS " + c.name;
    else
      s += c.name;
  }
  return s;
}

// The WHERE fragment that keeps a query inside `scope`.
std::string scope_sql(const EntityDef& def, const model::Scope& scope, Params& params) {
  using model::ScopeKind;
  if (scope.kind == ScopeKind::province || def.scope_by == ScopeBy::global) return "TRUE";
  bool region = scope.kind == ScopeKind::region;
  std::string key = region ? scope.region_prefix() : scope.company_code;
  switch (def.scope_by) {
    case ScopeBy::global:
      return "TRUE";
    case ScopeBy::region:
      return region ? "code LIKE " + ph(params, key) + " || '%'"
                    : "code = (SELECT region_code FROM enterprise WHERE company_code = " +
                          ph(params, key) + ")";
    case ScopeBy::park:
      return region ? "region_code LIKE " + ph(params, key) + " || '%'"
                    : "park_id = (SELECT park_id FROM enterprise WHERE company_code = " +
                          ph(params, key) + ")";
    case ScopeBy::enterprise:
      return scope_predicate(scope, "company_code", "region_code", params);
    case ScopeBy::company:
      return scope_predicate(scope, "company_code", "", params);
  }
  return "FALSE";
}

}  // namespace

std::string to_param(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

std::string RegistryStore::list_text(Tx& tx, const EntityDef& def, const model::Scope& scope,
                                     const ListQuery& q) const {
  Params params;
  std::string where = scope_sql(def, scope, params);
  if (!q.include_inactive) where += " AND is_active";
  for (const auto& [k, v] : q.filters) {
    // Region filters select the region and everything under it.
    if (k == "region_code")
      where +=
          " AND region_code LIKE " + ph(params, escape_like(model::region_prefix(v))) + " || '%'";
    else
      where += " AND " + k + "::text = " + ph(params, v);
  }
  if (!q.q.empty() && !def.search_column.empty())
    where +=
        " AND " + def.search_column + " ILIKE '%' || " + ph(params, escape_like(q.q)) + " || '%'";
  // Rows are written to JSON text straight from the result: building a JSON document per row
  // cost more than the query, and PostgreSQL's own json_agg more still (docs/benchmarks.md). The
  // total comes with the page (a window count over the filtered rows: one query, one scan); only
  // a page past the end, which has no row to carry it, counts again.
  long long total = 0;
  auto items = tx.exec_json("SELECT " + select_list(def) + ", count(*) OVER () AS total_ FROM " +
                                def.table + " WHERE " + where + " ORDER BY " + def.key + " LIMIT " +
                                ph(params, std::to_string(q.limit)) + " OFFSET " +
                                ph(params, std::to_string(q.offset)),
                            params, total);
  if (total == 0 && q.offset > 0) {
    params.resize(params.size() - 2);
    total = tx.exec_one("SELECT count(*) AS n FROM " + def.table + " WHERE " + where, params)["n"]
                .get<long long>();
  }
  return "{\"items\":" + items + ",\"total\":" + std::to_string(total) +
         ",\"limit\":" + std::to_string(q.limit) + ",\"offset\":" + std::to_string(q.offset) + "}";
}

nlohmann::json RegistryStore::list(Tx& tx, const EntityDef& def, const model::Scope& scope,
                                   const ListQuery& q) const {
  return nlohmann::json::parse(list_text(tx, def, scope, q));
}

nlohmann::json RegistryStore::get(Tx& tx, const EntityDef& def, const model::Scope& scope,
                                  const std::string& key, bool lock) const {
  Params params;
  std::string where = scope_sql(def, scope, params);
  std::string sql = "SELECT " + select_list(def) + " FROM " + def.table + " WHERE " + def.key +
                    "::text = " + ph(params, key) + " AND " + where + (lock ? " FOR UPDATE" : "");
  return tx.exec_one(sql, params);
}

nlohmann::json RegistryStore::insert(Tx& tx, const EntityDef& def,
                                     const nlohmann::json& row) const {
  Params params;
  std::string cols, vals;
  for (const auto& c : def.columns) {
    if (c.readonly || !row.contains(c.name) || row[c.name].is_null()) continue;
    if (!cols.empty()) {
      cols += ", ";
      vals += ", ";
    }
    cols += c.name;
    vals += ph(params, to_param(row[c.name]));
  }
  return tx.exec_one("INSERT INTO " + def.table + " (" + cols + ") VALUES (" + vals +
                         ") RETURNING " + select_list(def),
                     params);
}

nlohmann::json RegistryStore::update(Tx& tx, const EntityDef& def, const std::string& key,
                                     const nlohmann::json& changes) const {
  Params params;
  std::string sets = "updated_at = now()";
  for (const auto& c : def.columns) {
    if (c.readonly || !changes.contains(c.name)) continue;
    const auto& v = changes[c.name];
    sets += ", " + c.name + " = " + (v.is_null() ? std::string("NULL") : ph(params, to_param(v)));
  }
  return tx.exec_one("UPDATE " + def.table + " SET " + sets + " WHERE " + def.key +
                         "::text = " + ph(params, key) + " RETURNING " + select_list(def),
                     params);
}

bool RegistryStore::deactivate(Tx& tx, const EntityDef& def, const model::Scope& scope,
                               const std::string& key) const {
  Params params;
  std::string where = scope_sql(def, scope, params);
  return tx.exec_count("UPDATE " + def.table + " SET is_active = false, updated_at = now() WHERE " +
                           def.key + "::text = " + ph(params, key) + " AND " + where,
                       params) > 0;
}

bool RegistryStore::enterprise_in_scope(Tx& tx, const model::Scope& scope,
                                        const std::string& company_code) const {
  const auto* def = find_entity("enterprises");
  return !get(tx, *def, scope, company_code).is_null();
}

bool RegistryStore::region_in_scope(Tx& tx, const model::Scope& scope,
                                    const std::string& region_code) const {
  if (scope.kind == model::ScopeKind::enterprise) return false;
  if (!scope.covers_region(region_code)) return false;
  return !tx.exec_one("SELECT 1 AS x FROM region WHERE code = $1", {region_code}).is_null();
}

nlohmann::json RegistryStore::reference_owner(Tx& tx, const Reference& ref,
                                              const std::string& value) const {
  bool has_company = ref.table != "region" && ref.table != "park" && ref.table != "chemical" &&
                     ref.table != "key_parameter";
  std::string col = ref.table == "enterprise" ? "company_code"
                    : has_company             ? "company_code"
                                              : "''::text";
  auto row = tx.exec_one("SELECT " + col + " AS owner FROM " + ref.table + " WHERE " + ref.key +
                             "::text = $1 AND is_active",
                         {value});
  if (row.is_null()) return nullptr;
  return row["owner"];
}

}  // namespace hazmon::storage
