#pragma once
// Where the 18 key processes live (migration 0018, docs/processes.md): the catalogue
// (key_parameter, key_process, key_process_parameter), which processes each enterprise and unit
// runs (enterprise_process, registry data: a write bumps the registry version by trigger), and
// the one function that gathers the coverage check's inputs. Runs in the caller's transaction,
// cut by the caller's scope; rows come back as model structs. service::ProcessService holds the
// rules.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/key_process.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

class ProcessStore {
 public:
  model::KeyProcessCatalogue catalogue(Tx& tx) const;

  // The enterprise (active) inside the scope, as the coverage check sees it.
  std::optional<model::CoverageEnterprise> enterprise(Tx& tx, const model::Scope& scope,
                                                      const std::string& company_code) const;
  // The name of the enterprise's active production cell, nullopt when it has none of that id.
  std::optional<std::string> prodcell_name(Tx& tx, const std::string& company_code,
                                           const std::string& prodcell_id) const;

  std::vector<model::EnterpriseProcess> list(Tx& tx, const model::Scope& scope,
                                             const std::optional<std::string>& company_code) const;
  // Inserts an active row; nullopt when the enterprise already runs it in that unit.
  std::optional<model::EnterpriseProcess> add(Tx& tx, const std::string& company_code,
                                              const std::optional<std::string>& prodcell_id,
                                              const std::string& process_code,
                                              const std::string& by) const;
  // Deactivates the row if it is inside the scope; false when there is none.
  bool remove(Tx& tx, const model::Scope& scope, long long id) const;

  // Everything compute_coverage needs for the expected enterprises (active, operating, with an
  // active hazard source) inside the scope, or only `company_code`: their processes, their
  // warehouse and loading cells, and their active in-use points grouped, a point being fresh
  // when its latest reading was collected at or after `now - window_s`. Warehouses and loading
  // platforms are the tables warehouse and loading_platform (migration 0021); a point is in one
  // when it names it (warehouse_id / loading_platform_id) or its equipment stands in it.
  // Region code → name for the codes given (unknown codes are left out).
  std::map<std::string, std::string> region_names(Tx& tx,
                                                  const std::vector<std::string>& codes) const;

  model::CoverageInputs coverage_inputs(Tx& tx, const model::Scope& scope,
                                        const std::optional<std::string>& company_code,
                                        core::SysTime now, int window_s) const;
};

}  // namespace hazmon::storage
