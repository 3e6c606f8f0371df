#include <hazmon/model/key_process.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace hazmon::model {

const KeyProcess* KeyProcessCatalogue::process(const std::string& code) const {
  for (const auto& p : processes)
    if (p.code == code) return &p;
  return nullptr;
}

const KeyParameter* KeyProcessCatalogue::parameter(const std::string& param) const {
  for (const auto& p : parameters)
    if (p.param == param) return &p;
  return nullptr;
}

const char* to_string(GapKind k) {
  switch (k) {
    case GapKind::process_parameter:
      return "process_parameter";
    case GapKind::sis:
      return "sis";
    case GapKind::plant_gas:
      return "plant_gas";
    case GapKind::warehouse_temperature:
      return "warehouse_temperature";
    case GapKind::warehouse_humidity:
      return "warehouse_humidity";
    case GapKind::warehouse_gas:
      return "warehouse_gas";
    case GapKind::loading_leak:
      return "loading_leak";
    case GapKind::loading_grounding:
      return "loading_grounding";
    case GapKind::loading_overflow:
      return "loading_overflow";
  }
  return "process_parameter";
}

const std::vector<GapKind>& all_gap_kinds() {
  static const std::vector<GapKind> v{GapKind::process_parameter,  GapKind::sis,
                                      GapKind::plant_gas,          GapKind::warehouse_temperature,
                                      GapKind::warehouse_humidity, GapKind::warehouse_gas,
                                      GapKind::loading_leak,       GapKind::loading_grounding,
                                      GapKind::loading_overflow};
  return v;
}

const char* to_string(CoverageStatus s) {
  switch (s) {
    case CoverageStatus::connected:
      return "connected";
    case CoverageStatus::stale:
      return "stale";
    case CoverageStatus::missing:
      return "missing";
  }
  return "missing";
}

long long EnterpriseCoverage::connected() const {
  return std::count_if(items.begin(), items.end(),
                       [](const auto& i) { return i.status == CoverageStatus::connected; });
}

namespace {
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void settle(CoverageItem& item) {
  item.status = item.fresh > 0    ? CoverageStatus::connected
                : item.points > 0 ? CoverageStatus::stale
                                  : CoverageStatus::missing;
}

void add(CoverageItem& item, const PointGroup& g) {
  item.points += g.points;
  item.fresh += g.fresh;
}

// Whether the parameter's indicator type `type` is shared by no other required parameter of the
// process: then a point that declares only its process may stand for it.
bool unambiguous(const KeyProcessCatalogue& cat, const KeyProcess& proc, const std::string& param,
                 const std::string& type) {
  for (const auto& other : proc.params) {
    if (other == param) continue;
    const auto* kp = cat.parameter(other);
    if (kp && contains(kp->indicator_types, type)) return false;
  }
  return true;
}

bool in_unit(const PointGroup& g, const EnterpriseProcess& ep) {
  return !ep.prodcell_id || (g.prodcell_id && *g.prodcell_id == *ep.prodcell_id);
}

// A SIS requirement's loops: the enterprise's in its unit (anywhere when the process is not run
// in a named unit), of its process or of none.
void count_loops(CoverageItem& item, const std::string& company,
                 const std::vector<SisLoopGroup>& loops) {
  for (const auto& l : loops) {
    if (l.company_code != company) continue;
    if (item.prodcell_id && l.prodcell_id != item.prodcell_id) continue;
    if (l.process_code && l.process_code != item.process_code) continue;
    item.loops += l.loops;
    item.loops_in_service += l.in_service;
  }
}

void process_items(const KeyProcessCatalogue& cat, const EnterpriseProcess& ep,
                   const std::vector<const PointGroup*>& groups, std::vector<CoverageItem>& out) {
  const auto* proc = cat.process(ep.process_code);
  if (!proc) return;
  std::string where = ep.prodcell_name ? *ep.prodcell_name : std::string("全厂");
  for (const auto& param : proc->params) {
    const auto* kp = cat.parameter(param);
    if (!kp) continue;
    CoverageItem item;
    item.kind = GapKind::process_parameter;
    item.process_code = proc->code;
    item.prodcell_id = ep.prodcell_id;
    item.param = param;
    item.label = proc->name + "（" + where + "）" + kp->name;
    for (const auto* g : groups) {
      if (!in_unit(*g, ep)) continue;
      bool declared = g->key_param && *g->key_param == param &&
                      (!g->process_code || *g->process_code == proc->code);
      bool implied = !g->key_param && g->process_code && *g->process_code == proc->code &&
                     contains(kp->indicator_types, g->indicator_type) &&
                     unambiguous(cat, *proc, param, g->indicator_type);
      if (declared || implied) add(item, *g);
    }
    settle(item);
    out.push_back(std::move(item));
  }
  if (proc->sis_required) {
    CoverageItem item;
    item.kind = GapKind::sis;
    item.process_code = proc->code;
    item.prodcell_id = ep.prodcell_id;
    item.label = proc->name + "（" + where + "）安全仪表系统（SIS）状态";
    for (const auto* g : groups)
      if (in_unit(*g, ep) && g->indicator_type == "sis" &&
          (!g->process_code || *g->process_code == proc->code))
        add(item, *g);
    settle(item);
    out.push_back(std::move(item));
  }
}

bool is_gas(const std::string& type) { return type == "combustible" || type == "toxic"; }

void cell_item(GapKind kind, const CoverageCell& cell, const std::string& what,
               const std::vector<const PointGroup*>& groups, bool (*match)(const std::string&),
               std::vector<CoverageItem>& out) {
  CoverageItem item;
  item.kind = kind;
  item.prodcell_id = cell.prodcell_id;
  item.label = cell.name + what;
  for (const auto* g : groups) {
    const auto& place = cell.cell_type == "warehouse" ? g->warehouse_id : g->loading_platform_id;
    if (place && *place == cell.prodcell_id && match(g->indicator_type)) add(item, *g);
  }
  settle(item);
  out.push_back(std::move(item));
}
}  // namespace

std::vector<EnterpriseCoverage> compute_coverage(const KeyProcessCatalogue& cat,
                                                 const CoverageInputs& in) {
  std::map<std::string, std::vector<const PointGroup*>> groups;
  for (const auto& g : in.points) groups[g.company_code].push_back(&g);
  std::map<std::string, std::vector<const EnterpriseProcess*>> procs;
  for (const auto& p : in.processes) procs[p.company_code].push_back(&p);
  std::map<std::string, std::vector<const CoverageCell*>> cells;
  for (const auto& c : in.cells) cells[c.company_code].push_back(&c);
  static const std::vector<const PointGroup*> none;

  std::vector<EnterpriseCoverage> out;
  out.reserve(in.enterprises.size());
  for (const auto& e : in.enterprises) {
    EnterpriseCoverage ec;
    ec.enterprise = e;
    auto gi = groups.find(e.company_code);
    const auto& gs = gi == groups.end() ? none : gi->second;
    for (const auto* p : procs[e.company_code]) process_items(cat, *p, gs, ec.items);
    for (auto& item : ec.items)
      if (item.kind == GapKind::sis) count_loops(item, e.company_code, in.sis_loops);
    CoverageItem gas;
    gas.kind = GapKind::plant_gas;
    gas.label = "全厂可燃/有毒气体检测";
    for (const auto* g : gs)
      if (is_gas(g->indicator_type)) add(gas, *g);
    settle(gas);
    ec.items.push_back(std::move(gas));
    for (const auto* c : cells[e.company_code]) {
      if (c->cell_type == "warehouse") {
        cell_item(
            GapKind::warehouse_temperature, *c, "温度", gs,
            [](const std::string& t) { return t == "temperature"; }, ec.items);
        cell_item(
            GapKind::warehouse_humidity, *c, "湿度", gs,
            [](const std::string& t) { return t == "humidity"; }, ec.items);
        cell_item(GapKind::warehouse_gas, *c, "可燃/有毒气体", gs, is_gas, ec.items);
      } else if (c->cell_type == "loading") {
        cell_item(GapKind::loading_leak, *c, "可燃/有毒气体泄漏", gs, is_gas, ec.items);
        cell_item(
            GapKind::loading_grounding, *c, "静电接地", gs,
            [](const std::string& t) { return t == "grounding"; }, ec.items);
        cell_item(
            GapKind::loading_overflow, *c, "溢油（溢流）", gs,
            [](const std::string& t) { return t == "overflow"; }, ec.items);
      }
    }
    out.push_back(std::move(ec));
  }
  return out;
}

}  // namespace hazmon::model
