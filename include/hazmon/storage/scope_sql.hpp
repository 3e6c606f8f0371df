#pragma once
// The one SQL predicate that keeps a query inside a caller's scope, for rows owned by an
// enterprise: the province sees all, a city or county the enterprises under its region code,
// an enterprise its own rows. Values go into `params`; column names come from the caller's code.
#include <string>
#include <string_view>

#include <hazmon/model/scope.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::storage {

// `company_column` names the row's company_code. `region_column` names the enterprise's
// region_code when the query joins enterprise; when empty, the region is looked up by subquery.
std::string scope_predicate(const model::Scope& scope, std::string_view company_column,
                            std::string_view region_column, Params& params);

}  // namespace hazmon::storage
