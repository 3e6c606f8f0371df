#pragma once
// Generic, scope-filtered CRUD over the registry tables. Each entity is described once
// (registry_entities.cpp): its table, key, columns, how its rows relate to a scope, and which
// query parameters filter it. Values travel as SQL parameters, never as SQL text.
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Database;
class Tx;

enum class ColType { text, integer, number, boolean, date, json, inet, timestamp };

struct Column {
  std::string name;
  ColType type = ColType::text;
  bool readonly = false;  // maintained by the server (timestamps, is_active, generated ids)
};

// How a row's visibility follows from a scope.
enum class ScopeBy {
  global,      // reference data everyone may read (chemicals catalogue)
  region,      // the region table itself: code under the scope's prefix
  park,        // parks: region_code under the prefix
  enterprise,  // the enterprise table: region_code under the prefix, or the enterprise itself
  company,     // rows owned by an enterprise through company_code
};

// A column that names a row of another table; checked before writing.
struct Reference {
  std::string column;
  std::string table;
  std::string key;
  bool same_company = false;  // the referenced row must belong to the row's enterprise
};

struct EntityDef {
  std::string name;  // URL segment and schema file name, e.g. "hazard-sources"
  std::string table;
  std::string key;  // primary key column
  bool key_generated = false;
  std::vector<Column> columns;
  std::vector<std::string> immutable;  // may be set on create, never changed afterwards
  ScopeBy scope_by = ScopeBy::company;
  std::vector<std::string> filters;  // equality filters allowed in list queries
  std::vector<Reference> references;
  std::string search_column = "name";

  const Column* column(std::string_view n) const;
};

const std::vector<EntityDef>& registry_entities();
const EntityDef* find_entity(std::string_view name);

struct ListQuery {
  std::map<std::string, std::string> filters;
  std::string q;
  bool include_inactive = false;
  int limit = 50;
  long long offset = 0;
};

class RegistryStore {
 public:
  // {"items": [...], "total": N, "limit": L, "offset": O}
  nlohmann::json list(Tx& tx, const EntityDef& def, const model::Scope& scope,
                      const ListQuery& q) const;
  // The same, as JSON text rendered by PostgreSQL (what the API sends as it is).
  std::string list_text(Tx& tx, const EntityDef& def, const model::Scope& scope,
                        const ListQuery& q) const;
  // The row, or null when absent or outside the scope (the caller answers 404 either way).
  nlohmann::json get(Tx& tx, const EntityDef& def, const model::Scope& scope,
                     const std::string& key, bool lock = false) const;
  nlohmann::json insert(Tx& tx, const EntityDef& def, const nlohmann::json& row) const;
  nlohmann::json update(Tx& tx, const EntityDef& def, const std::string& key,
                        const nlohmann::json& changes) const;
  bool deactivate(Tx& tx, const EntityDef& def, const model::Scope& scope,
                  const std::string& key) const;

  bool enterprise_in_scope(Tx& tx, const model::Scope& scope,
                           const std::string& company_code) const;
  bool region_in_scope(Tx& tx, const model::Scope& scope, const std::string& region_code) const;
  // The referenced row's company_code (or "" for tables without one); null when absent.
  nlohmann::json reference_owner(Tx& tx, const Reference& ref, const std::string& value) const;
};

// JSON value → SQL parameter text (objects and arrays as JSON, booleans as true/false).
std::string to_param(const nlohmann::json& v);

}  // namespace hazmon::storage
