#include <hazmon/model/key_process.hpp>

#include <hazmon/core/encoding.hpp>

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

bool any_class(const std::vector<std::string>& classes, const char* prefix) {
  return std::any_of(classes.begin(), classes.end(),
                     [prefix](const auto& c) { return c.rfind(prefix, 0) == 0; });
}

std::string joined(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

void cell_item(GapKind kind, const CoverageCell& cell, const std::string& what,
               const std::string& basis, const std::vector<const PointGroup*>& groups,
               bool (*match)(const std::string&), std::vector<CoverageItem>& out) {
  CoverageItem item;
  item.kind = kind;
  item.prodcell_id = cell.prodcell_id;
  item.label = cell.name + what;
  item.basis = basis;
  for (const auto* g : groups) {
    const auto& place = cell.cell_type == "warehouse" ? g->warehouse_id : g->loading_platform_id;
    if (place && *place == cell.prodcell_id && match(g->indicator_type)) add(item, *g);
  }
  settle(item);
  out.push_back(std::move(item));
}
}  // namespace

// GB 50160-2008 (2018 edition) table 3.0.2, class 甲A (液化烃: liquids whose vapour pressure at
// 15 °C exceeds 0.1 MPa, 液化天然气 excluded): the examples it names and their isomers.
bool is_liquefied_hydrocarbon(const std::string& cas) {
  static const std::set<std::string> list{
      "74-84-0",     // 乙烷
      "74-85-1",     // 乙烯
      "74-98-6",     // 丙烷
      "115-07-1",    // 丙烯
      "106-97-8",    // 正丁烷
      "75-28-5",     // 异丁烷
      "106-98-9",    // 1-丁烯
      "107-01-7",    // 2-丁烯
      "590-18-1",    // 顺-2-丁烯
      "624-64-6",    // 反-2-丁烯
      "115-11-7",    // 异丁烯
      "106-99-0",    // 1,3-丁二烯
      "75-19-4",     // 环丙烷
      "287-23-0",    // 环丁烷
      "463-82-1",    // 新戊烷
      "68476-85-7",  // 液化石油气
      "74-87-3",     // 氯甲烷
      "75-01-4",     // 氯乙烯
      "75-21-8",     // 环氧乙烷
  };
  return list.count(cas) > 0;
}

// Toxic gases of GB 18218-2018 table 1 that are loaded liquefied (a chemical's hazard class
// H5801… says the same where the registry has it).
bool is_liquefied_toxic_gas(const std::string& cas) {
  static const std::set<std::string> list{
      "7664-41-7",   // 氨
      "7782-50-5",   // 氯
      "7446-09-5",   // 二氧化硫
      "7783-06-4",   // 硫化氢
      "75-44-5",     // 光气
      "7647-01-0",   // 氯化氢
      "7664-39-3",   // 氟化氢
      "10102-44-0",  // 二氧化氮
      "74-83-9",     // 溴甲烷
      "74-89-5",     // 一甲胺
      "124-40-3",    // 二甲胺
      "75-50-3",     // 三甲胺
      "75-21-8",     // 环氧乙烷
      "7803-51-2",   // 磷化氢
  };
  return list.count(cas) > 0;
}

CellRequirements cell_requirements(const CoverageCell& cell) {
  CellRequirements r;
  auto media = core::split_list(cell.media);
  auto classes = core::split_list(cell.hazard_classes);
  std::vector<std::string> why;
  if (cell.cell_type == "warehouse") {
    // §2: "涉及氯酸钾、氯酸钠、硝化棉等构成危险化学品重大危险源的仓库、所有储存硝酸铵的危化品仓库".
    if (cell.major) why.push_back("构成重大危险源的仓库");
    if (std::find(media.begin(), media.end(), "6484-52-2") != media.end())
      why.push_back("储存硝酸铵的仓库");
    r.temperature = r.humidity = r.gas = !why.empty();
    if (!why.empty()) r.basis = joined(why, "、") + "（附件5第2项）";
    return r;
  }
  if (cell.cell_type != "loading" || !cell.major) return r;  // §3: 重大危险源装卸区 only
  bool hydrocarbon = std::any_of(media.begin(), media.end(), is_liquefied_hydrocarbon);
  bool liquid = any_class(classes, "H5803");
  bool toxic = any_class(classes, "H5801") ||
               std::any_of(media.begin(), media.end(), is_liquefied_toxic_gas);
  bool by_road = !cell.mode || *cell.mode == "road";
  bool unclassified = classes.empty() && !hydrocarbon && !toxic;
  if (liquid) why.push_back("可燃液体");
  if (hydrocarbon) why.push_back("液化烃");
  if (toxic && by_road) why.push_back("液化毒性气体（汽车装卸）");
  if (unclassified) why.push_back("介质未分类");
  r.leak = !why.empty();
  r.grounding = hydrocarbon && (!cell.mode || *cell.mode != "ship");
  r.overflow = hydrocarbon;
  if (r.leak) r.basis = "构成重大危险源的装卸区：" + joined(why, "、") + "（附件5第3项）";
  return r;
}

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
      auto req = cell_requirements(*c);
      const auto& why = req.basis;
      if (req.temperature)
        cell_item(
            GapKind::warehouse_temperature, *c, "温度", why, gs,
            [](const std::string& t) { return t == "temperature"; }, ec.items);
      if (req.humidity)
        cell_item(
            GapKind::warehouse_humidity, *c, "湿度", why, gs,
            [](const std::string& t) { return t == "humidity"; }, ec.items);
      if (req.gas)
        cell_item(GapKind::warehouse_gas, *c, "可燃/有毒气体", why, gs, is_gas, ec.items);
      if (req.leak)
        cell_item(GapKind::loading_leak, *c, "可燃/有毒气体泄漏", why, gs, is_gas, ec.items);
      if (req.grounding)
        cell_item(
            GapKind::loading_grounding, *c, "静电接地", why, gs,
            [](const std::string& t) { return t == "grounding"; }, ec.items);
      if (req.overflow)
        cell_item(
            GapKind::loading_overflow, *c, "溢油（溢流）", why, gs,
            [](const std::string& t) { return t == "overflow"; }, ec.items);
    }
    out.push_back(std::move(ec));
  }
  return out;
}

}  // namespace hazmon::model
