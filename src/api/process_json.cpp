#include "process_json.hpp"

#include "json_values.hpp"

namespace hazmon::api {
using json_values::opt;
using nlohmann::json;

namespace {
json gaps_json(const std::map<std::string, long long>& gaps) {
  json j = json::object();
  for (auto k : model::all_gap_kinds()) {
    auto it = gaps.find(model::to_string(k));
    j[model::to_string(k)] = it == gaps.end() ? 0 : it->second;
  }
  return j;
}

json region_json(const service::CoverageRegionRow& r) {
  return {{"region_code", r.region_code}, {"region_name", r.region_name},
          {"enterprises", r.enterprises}, {"complete", r.complete},
          {"with_gaps", r.with_gaps},     {"required", r.required},
          {"connected", r.connected},     {"stale", r.stale},
          {"missing", r.missing},         {"gaps", gaps_json(r.gaps)}};
}

json enterprise_json(const model::CoverageEnterprise& e) {
  return {{"company_code", e.company_code}, {"name", e.name}, {"region_code", e.region_code}};
}
}  // namespace

json catalogue_json(const model::KeyProcessCatalogue& c) {
  json params = json::array();
  for (const auto& p : c.parameters)
    params.push_back(
        {{"param", p.param}, {"name", p.name}, {"indicator_types", p.indicator_types}});
  json procs = json::array();
  for (const auto& p : c.processes)
    procs.push_back({{"code", p.code},
                     {"name", p.name},
                     {"sis_required", p.sis_required},
                     {"source", p.source},
                     {"parameters", p.params}});
  return {{"parameters", params}, {"processes", procs}};
}

json enterprise_process_json(const model::EnterpriseProcess& p) {
  return {{"id", p.id},
          {"company_code", p.company_code},
          {"process_code", p.process_code},
          {"process_name", p.process_name},
          {"prodcell_id", opt(p.prodcell_id)},
          {"prodcell_name", opt(p.prodcell_name)}};
}

json enterprise_coverage_json(const service::EnterpriseCoverageResult& r) {
  json items = json::array();
  long long connected = 0, stale = 0, missing = 0;
  for (const auto& i : r.items) {
    (i.status == model::CoverageStatus::connected ? connected
     : i.status == model::CoverageStatus::stale   ? stale
                                                  : missing)++;
    items.push_back({{"kind", model::to_string(i.kind)},
                     {"process_code", opt(i.process_code)},
                     {"prodcell_id", opt(i.prodcell_id)},
                     {"param", opt(i.param)},
                     {"label", i.label},
                     {"status", model::to_string(i.status)},
                     {"points", i.points},
                     {"fresh", i.fresh}});
    if (!i.basis.empty()) items.back()["basis"] = i.basis;  // why 附件5 §2–§3 asks it
    if (i.kind == model::GapKind::sis) {                    // the SIS loops there (docs/sis.md)
      items.back()["loops"] = i.loops;
      items.back()["loops_in_service"] = i.loops_in_service;
    }
  }
  auto j = enterprise_json(r.enterprise);
  j["checked"] = r.checked;
  j["window_s"] = r.window_s;
  j["required"] = r.items.size();
  j["connected"] = connected;
  j["stale"] = stale;
  j["missing"] = missing;
  j["complete"] = r.checked && connected == static_cast<long long>(r.items.size());
  j["items"] = items;
  return j;
}

json coverage_summary_json(const service::CoverageSummary& s) {
  json regions = json::array();
  for (const auto& r : s.regions) regions.push_back(region_json(r));
  json ents = json::array();
  for (const auto& e : s.enterprises) {
    auto j = enterprise_json(e.enterprise);
    j["required"] = e.required;
    j["connected"] = e.connected;
    j["gaps"] = gaps_json(e.gaps);
    ents.push_back(j);
  }
  return {{"group_by", s.group_by}, {"window_s", s.window_s},
          {"regions", regions},     {"total", region_json(s.total)},
          {"enterprises", ents},    {"enterprises_truncated", s.enterprises_truncated}};
}

json coverage_statistics_json(const service::CoverageSummary& s) {
  json rows = json::array();
  for (const auto& r : s.regions) rows.push_back(region_json(r));
  return {{"group_by", s.group_by},
          {"window_s", s.window_s},
          {"rows", rows},
          {"total", region_json(s.total)}};
}

std::vector<report::Table> coverage_tables(const service::CoverageSummary& s) {
  using report::Cell;
  report::Table t;
  t.title = "接入完整性";
  t.notes.push_back("附件5 §1-§4 接入完整性核查；" + std::to_string(s.window_s) +
                    " 秒内有数据视为已接入");
  t.columns = {{s.group_by == "county" ? "县区"
                : s.group_by == "city" ? "地市"
                                       : "省"},
               {"核查企业"},
               {"完整"},
               {"有缺项"},
               {"应接入项"},
               {"已接入"},
               {"未上报"},
               {"缺失"}};
  static const std::map<model::GapKind, const char*> kNames = {
      {model::GapKind::process_parameter, "缺:工艺关键参数"},
      {model::GapKind::sis, "缺:安全仪表"},
      {model::GapKind::plant_gas, "缺:全厂气体"},
      {model::GapKind::warehouse_temperature, "缺:仓库温度"},
      {model::GapKind::warehouse_humidity, "缺:仓库湿度"},
      {model::GapKind::warehouse_gas, "缺:仓库气体"},
      {model::GapKind::loading_leak, "缺:装卸区泄漏"},
      {model::GapKind::loading_grounding, "缺:静电接地"},
      {model::GapKind::loading_overflow, "缺:溢油"}};
  for (auto k : model::all_gap_kinds()) t.columns.push_back({kNames.at(k)});
  auto row = [&](const service::CoverageRegionRow& r, const std::string& name) {
    std::vector<Cell> cells{Cell::of_text(name),      Cell::of_int(r.enterprises),
                            Cell::of_int(r.complete), Cell::of_int(r.with_gaps),
                            Cell::of_int(r.required), Cell::of_int(r.connected),
                            Cell::of_int(r.stale),    Cell::of_int(r.missing)};
    for (auto k : model::all_gap_kinds()) {
      auto it = r.gaps.find(model::to_string(k));
      cells.push_back(Cell::of_int(it == r.gaps.end() ? 0 : it->second));
    }
    t.rows.push_back(std::move(cells));
  };
  for (const auto& r : s.regions) row(r, r.region_name);
  row(s.total, "合计");
  return {t};
}

}  // namespace hazmon::api
