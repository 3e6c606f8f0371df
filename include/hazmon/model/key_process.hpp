#pragma once
// The 18 key-supervised hazardous chemical processes (重点监管的危险化工工艺, E1501–E15018;
// DOMAIN §3, data/processes/key_processes.json, docs/processes.md), which of them an enterprise
// and its production units run, and the coverage check of 附件5 §1–§4: which required points are
// connected and which are missing. Shared by storage, service and api; compute_coverage needs no
// database.
#include <optional>
#include <string>
#include <vector>

namespace hazmon::model {

// A key parameter kind (reactor temperature, feed flow, …) and the indicator types a point of
// that kind may have.
struct KeyParameter {
  std::string param, name;
  std::vector<std::string> indicator_types;
};

struct KeyProcess {
  std::string code, name, source;
  bool sis_required = true;
  std::vector<std::string> params;  // KeyParameter::param, in the catalogue's order
};

struct KeyProcessCatalogue {
  std::vector<KeyParameter> parameters;
  std::vector<KeyProcess> processes;
  const KeyProcess* process(const std::string& code) const;
  const KeyParameter* parameter(const std::string& param) const;
};

// An enterprise runs a process, in a named production unit or (prodcell_id empty) somewhere.
struct EnterpriseProcess {
  long long id = 0;
  std::string company_code, process_code, process_name;
  std::optional<std::string> prodcell_id, prodcell_name;
};

// The coverage check's inputs for a set of enterprises (storage::ProcessStore::coverage_inputs).
struct CoverageEnterprise {
  std::string company_code, name, region_code;
};
// A warehouse or loading platform (tables warehouse / loading_platform, migration 0021):
// prodcell_id is its warehouse_id or platform_id (the production cell's id before 0021).
// What 附件5 §2–§3 asks of it depends on the rest (docs/processes.md "Warehouses and loading
// platforms: what 附件5 asks"): whether it is part of an active major hazard source, what it
// stores or loads (CAS numbers, comma-separated: a warehouse's active warehouse_chemical rows, a
// platform's media), the hazard classes (H58…) of those chemicals, and a platform's mode.
struct CoverageCell {
  std::string company_code, prodcell_id, name, cell_type;  // warehouse | loading
  bool major = false;
  std::string media, hazard_classes;
  std::optional<std::string> mode;  // road | rail | ship, loading platforms only
};
// Active in-use points of one enterprise grouped by where they hang and what they declare:
// `points` of them, `fresh` of which reported within the data-quality window.
struct PointGroup {
  std::string company_code;
  std::optional<std::string> prodcell_id, process_code, key_param;
  std::string indicator_type;
  long long points = 0, fresh = 0;
  std::optional<std::string> warehouse_id, loading_platform_id;  // where it is, if there
};
// Active SIS loops (sis_loop, migration 0023, docs/sis.md) of one enterprise by unit and process:
// `loops`, `in_service` of which are neither tripped nor bypassed.
struct SisLoopGroup {
  std::string company_code;
  std::optional<std::string> prodcell_id, process_code;
  long long loops = 0, in_service = 0;
};
struct CoverageInputs {
  std::vector<CoverageEnterprise> enterprises;
  std::vector<EnterpriseProcess> processes;
  std::vector<CoverageCell> cells;
  std::vector<PointGroup> points;
  std::vector<SisLoopGroup> sis_loops;
};

// What one requirement is about.
enum class GapKind {
  process_parameter,  // a key parameter of a process (§1)
  sis,                // the process's safety instrumented system state (§1)
  plant_gas,          // plant-wide combustible / toxic gas points (§4)
  warehouse_temperature,
  warehouse_humidity,
  warehouse_gas,  // §2
  loading_leak,
  loading_grounding,
  loading_overflow,  // §3
};
const char* to_string(GapKind k);
const std::vector<GapKind>& all_gap_kinds();

// connected: a matching point reported within the window; stale: matching points exist but none
// did; missing: no matching point.
enum class CoverageStatus { connected, stale, missing };
const char* to_string(CoverageStatus s);

struct CoverageItem {
  GapKind kind = GapKind::process_parameter;
  std::optional<std::string> process_code, prodcell_id, param;
  std::string label;  // Chinese: what is required
  std::string basis;  // warehouse / loading items: why 附件5 asks it (CellRequirements::basis)
  CoverageStatus status = CoverageStatus::missing;
  long long points = 0, fresh = 0;
  long long loops = 0, loops_in_service = 0;  // sis: the loops registered there, those in service
};

struct EnterpriseCoverage {
  CoverageEnterprise enterprise;
  std::vector<CoverageItem> items;
  long long required() const { return static_cast<long long>(items.size()); }
  long long connected() const;
  bool complete() const { return connected() == required(); }
};

// 附件5 §2–§3: which warehouses and loading platforms the check asks points of, and which.
// §2: a warehouse that is part of a major hazard source, or stores ammonium nitrate
// (6484-52-2), needs temperature, humidity and combustible / toxic gas. §3: a loading platform
// that is part of a major hazard source needs gas leak detection when it loads a combustible
// liquid (hazard class H5803…), a liquefied hydrocarbon (GB 50160 甲A) or, by road (or an
// unknown mode), a liquefied toxic gas (H5801… or a listed one), or when none of its media is
// classified; static-grounding (not by ship) and overflow detection when it loads a liquefied
// hydrocarbon.
struct CellRequirements {
  bool temperature = false, humidity = false, gas = false;  // warehouse
  bool leak = false, grounding = false, overflow = false;   // loading platform
  std::string basis;  // Chinese: why (构成重大危险源 / 储存硝酸铵 / 液化烃 …), empty if none
};
CellRequirements cell_requirements(const CoverageCell& cell);
bool is_liquefied_hydrocarbon(const std::string& cas);
bool is_liquefied_toxic_gas(const std::string& cas);

// Matching rules (docs/processes.md): a point counts for key parameter P of process X run in
// unit U (or anywhere in the enterprise when U is not named) when it hangs in U (through its
// equipment) and either declares key_param = P with process_code X or none, or declares no
// key_param, has process_code X and an indicator type of P that no other required parameter of
// X shares. SIS: indicator type sis with process_code X or none. Plant gas: any combustible or
// toxic point. Warehouse / loading: points on equipment of that cell, temperature / humidity /
// combustible-or-toxic, and combustible-or-toxic / grounding / overflow.
std::vector<EnterpriseCoverage> compute_coverage(const KeyProcessCatalogue& catalogue,
                                                 const CoverageInputs& in);

}  // namespace hazmon::model
