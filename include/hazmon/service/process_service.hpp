#pragma once
// The 18 key processes and the coverage check (issue 12, 附件5 §1–§4; docs/processes.md).
// Which processes an enterprise and its units run is registry data, written by those who may
// write the registry under their scope (an enterprise user for its own enterprise only). The
// coverage check tells, per enterprise, which required points are connected (a point exists and
// reported within the data-quality window, ingest.offline_after_s), stale or missing, and sums
// it per city, county or the province.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/key_process.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/process_store.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

// One region's coverage figures: enterprises checked, complete and with gaps, and the gaps
// (stale or missing requirements) per kind.
struct CoverageRegionRow {
  std::string region_code;  // the city (xxxx00) or county; "" for the total
  std::string region_name;  // from the region table; the code when it has none
  long long enterprises = 0, complete = 0, with_gaps = 0, required = 0, connected = 0, stale = 0,
            missing = 0;
  std::map<std::string, long long> gaps;  // model::GapKind name → stale + missing
};

struct CoverageGapEnterprise {
  model::CoverageEnterprise enterprise;
  long long required = 0, connected = 0;
  std::map<std::string, long long> gaps;
};

struct CoverageSummary {
  std::string group_by;  // city | county | province
  int window_s = 300;
  std::vector<CoverageRegionRow> regions;
  CoverageRegionRow total;
  std::vector<CoverageGapEnterprise> enterprises;  // those with gaps, by region and code
  bool enterprises_truncated = false;
};

struct EnterpriseCoverageResult {
  model::CoverageEnterprise enterprise;
  bool checked = false;  // false: not an enterprise the check covers (no active hazard source…)
  int window_s = 300;
  std::vector<model::CoverageItem> items;
};

class ProcessService {
 public:
  ProcessService(storage::Database& db, const core::Clock& clock, int window_s,
                 int max_listed = 500);

  model::KeyProcessCatalogue catalogue();

  // People under their scope; a gateway its own enterprise. company_code outside: 404.
  std::vector<model::EnterpriseProcess> list(const model::Principal& who,
                                             const std::optional<std::string>& company_code);
  // Registry writers under their scope (enterprise users: their own; 404 outside the scope),
  // others 403. 422 with pointers: unknown process (/process_code), a unit that is not the
  // enterprise's (/prodcell_id); 409 when the enterprise already runs it in that unit.
  model::EnterpriseProcess add(const model::Principal& who, const std::string& company_code,
                               const std::optional<std::string>& prodcell_id,
                               const std::string& process_code);
  void remove(const model::Principal& who, long long id);

  // People only; 404 outside the scope.
  EnterpriseCoverageResult enterprise_coverage(const model::Principal& who,
                                               const std::string& company_code);
  // People only; group_by city | county | province.
  CoverageSummary summary(const model::Principal& who, const std::string& group_by);

 private:
  storage::Database& db_;
  const core::Clock& clock_;
  int window_s_;
  int max_listed_;
  storage::ProcessStore store_;
};

}  // namespace hazmon::service
