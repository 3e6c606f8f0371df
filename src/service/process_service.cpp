#include <hazmon/service/process_service.hpp>

#include <algorithm>
#include <regex>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::service {
using core::Errc;
using core::Error;
using model::Role;

namespace {
void people_only(const model::Principal& who) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "the coverage check is read by people, not machine credentials");
}

std::string region_key(const std::string& region_code, const std::string& group_by) {
  if (group_by == "province") return region_code.substr(0, 2) + "0000";
  if (group_by == "city") return region_code.substr(0, 4) + "00";
  return region_code;
}

void count(CoverageRegionRow& row, const model::EnterpriseCoverage& ec) {
  ++row.enterprises;
  (ec.complete() ? row.complete : row.with_gaps)++;
  for (const auto& item : ec.items) {
    ++row.required;
    if (item.status == model::CoverageStatus::connected) {
      ++row.connected;
      continue;
    }
    (item.status == model::CoverageStatus::stale ? row.stale : row.missing)++;
    row.gaps[model::to_string(item.kind)]++;
  }
}
}  // namespace

ProcessService::ProcessService(storage::Database& db, const core::Clock& clock, int window_s,
                               int max_listed)
    : db_(db), clock_(clock), window_s_(window_s), max_listed_(max_listed) {}

model::KeyProcessCatalogue ProcessService::catalogue() {
  return db_.in_tx([&](storage::Tx& tx) { return store_.catalogue(tx); });
}

std::vector<model::EnterpriseProcess> ProcessService::list(
    const model::Principal& who, const std::optional<std::string>& company_code) {
  return db_.in_tx([&](storage::Tx& tx) {
    if (company_code && !store_.enterprise(tx, who.scope, *company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.list(tx, who.scope, company_code);
  });
}

model::EnterpriseProcess ProcessService::add(const model::Principal& who,
                                             const std::string& company_code,
                                             const std::optional<std::string>& prodcell_id,
                                             const std::string& process_code) {
  if (!who.is_person() || !model::can_write_registry(who.role))
    throw Error(Errc::forbidden, "this role may not change which processes an enterprise runs");
  static const std::regex code_re("^E15[0-9]{2,3}$");
  std::vector<core::FieldError> problems;
  if (!std::regex_match(process_code, code_re))
    problems.push_back({"/process_code", "expected a key process code E1501–E15018"});
  if (prodcell_id && (prodcell_id->empty() || prodcell_id->size() > 32))
    problems.push_back({"/prodcell_id", "expected a production cell id (1–32 characters)"});
  if (!problems.empty()) throw Error(Errc::validation_failed, "invalid process", problems);
  return db_.in_tx([&](storage::Tx& tx) {
    if (!store_.enterprise(tx, who.scope, company_code))
      throw Error(Errc::not_found, "no such enterprise");
    auto cat = store_.catalogue(tx);
    if (!cat.process(process_code))
      throw Error(Errc::validation_failed, "unknown key process",
                  {{"/process_code", "no key process " + process_code}});
    if (prodcell_id && !store_.prodcell_name(tx, company_code, *prodcell_id))
      throw Error(Errc::validation_failed, "unknown production unit",
                  {{"/prodcell_id", "the enterprise has no production cell " + *prodcell_id}});
    auto row = store_.add(tx, company_code, prodcell_id, process_code, who.name);
    if (!row)
      throw Error(Errc::conflict, "the enterprise already runs " + process_code +
                                      (prodcell_id ? " in " + *prodcell_id : std::string()));
    return *row;
  });
}

void ProcessService::remove(const model::Principal& who, long long id) {
  if (!who.is_person() || !model::can_write_registry(who.role))
    throw Error(Errc::forbidden, "this role may not change which processes an enterprise runs");
  // A declared process brings its key parameters into the enterprise's coverage check (附件5):
  // the enterprise may declare one, but taking one away would lower what the regulator sees, so
  // that is the regulator's act, as lowering a grade is (docs/security.md, attack 12.9).
  if (who.role == model::Role::enterprise_user)
    throw Error(Errc::forbidden,
                "only the regulator stops a declared key process (it removes the process's key "
                "parameters from the coverage check); ask the county, city or province");
  db_.in_tx([&](storage::Tx& tx) {
    if (!store_.remove(tx, who.scope, id)) throw Error(Errc::not_found, "no such process entry");
  });
}

EnterpriseCoverageResult ProcessService::enterprise_coverage(const model::Principal& who,
                                                             const std::string& company_code) {
  people_only(who);
  EnterpriseCoverageResult out;
  out.window_s = window_s_;
  db_.in_tx([&](storage::Tx& tx) {
    auto e = store_.enterprise(tx, who.scope, company_code);
    if (!e) throw Error(Errc::not_found, "no such enterprise");
    out.enterprise = *e;
    auto in = store_.coverage_inputs(tx, who.scope, company_code, clock_.now(), window_s_);
    auto cov = model::compute_coverage(store_.catalogue(tx), in);
    if (!cov.empty()) {
      out.checked = true;
      out.items = std::move(cov.front().items);
    }
  });
  return out;
}

CoverageSummary ProcessService::summary(const model::Principal& who, const std::string& group_by) {
  people_only(who);
  if (group_by != "city" && group_by != "county" && group_by != "province")
    throw Error(Errc::bad_request, "group_by must be city, county or province");
  std::map<std::string, std::string> names;
  auto cov = db_.in_tx([&](storage::Tx& tx) {
    auto in = store_.coverage_inputs(tx, who.scope, std::nullopt, clock_.now(), window_s_);
    std::vector<std::string> codes;
    for (const auto& e : in.enterprises) codes.push_back(region_key(e.region_code, group_by));
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    names = store_.region_names(tx, codes);
    return model::compute_coverage(store_.catalogue(tx), in);
  });
  CoverageSummary out;
  out.group_by = group_by;
  out.window_s = window_s_;
  std::map<std::string, CoverageRegionRow> rows;
  for (const auto& ec : cov) {
    auto key = region_key(ec.enterprise.region_code, group_by);
    auto& row = rows[key];
    row.region_code = key;
    row.region_name = names.count(key) ? names[key] : key;
    count(row, ec);
    count(out.total, ec);
    if (ec.complete()) continue;
    if (static_cast<int>(out.enterprises.size()) >= max_listed_) {
      out.enterprises_truncated = true;
      continue;
    }
    CoverageGapEnterprise g;
    g.enterprise = ec.enterprise;
    g.required = ec.required();
    g.connected = ec.connected();
    for (const auto& item : ec.items)
      if (item.status != model::CoverageStatus::connected) g.gaps[model::to_string(item.kind)]++;
    out.enterprises.push_back(std::move(g));
  }
  for (auto& [_, row] : rows) out.regions.push_back(std::move(row));
  return out;
}

}  // namespace hazmon::service
