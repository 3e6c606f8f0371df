#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

std::string scope_predicate(const model::Scope& scope, std::string_view company_column,
                            std::string_view region_column, Params& params) {
  switch (scope.kind) {
    case model::ScopeKind::province:
      return "TRUE";
    case model::ScopeKind::region: {
      params.push_back(scope.region_prefix());  // digits only: no LIKE wildcards to escape
      auto p = "$" + std::to_string(params.size());
      if (!region_column.empty()) return std::string(region_column) + " LIKE " + p + " || '%'";
      return std::string(company_column) +
             " IN (SELECT company_code FROM enterprise WHERE region_code LIKE " + p + " || '%')";
    }
    case model::ScopeKind::enterprise:
      params.push_back(scope.company_code);
      return std::string(company_column) + " = $" + std::to_string(params.size());
  }
  return "FALSE";
}

}  // namespace hazmon::storage
