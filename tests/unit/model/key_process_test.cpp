// model::compute_coverage without a database (docs/processes.md): which points stand for which
// requirement, and the status each gets.
#include <gtest/gtest.h>

#include <hazmon/model/key_process.hpp>

using namespace hazmon::model;

namespace {

KeyProcessCatalogue catalogue() {
  KeyProcessCatalogue c;
  c.parameters = {{"reactor_temperature", "反应釜温度", {"temperature"}},
                  {"feed_flow", "进料流量", {"flow"}},
                  {"cooling_water_flow", "冷却水流量", {"flow"}},
                  {"furnace_gas_temperature", "炉气温度", {"temperature"}},
                  {"electrode_current", "电极电流", {"current"}}};
  c.processes = {
      {"E15014",
       "聚合工艺",
       "116号",
       true,
       {"reactor_temperature", "feed_flow", "cooling_water_flow"}},
      {"E15017", "电石生产工艺", "3号", false, {"furnace_gas_temperature", "electrode_current"}}};
  return c;
}

PointGroup group(std::optional<std::string> cell, std::optional<std::string> process,
                 std::optional<std::string> key, std::string type, long long points,
                 long long fresh, std::string company = "C1") {
  return {std::move(company),
          std::move(cell),
          std::move(process),
          std::move(key),
          std::move(type),
          points,
          fresh};
}

// A group of points in a warehouse ('W…') or on a loading platform ('L…'), on no unit.
PointGroup placed(const std::string& place, std::string type, long long points, long long fresh) {
  auto g = group(std::nullopt, std::nullopt, std::nullopt, std::move(type), points, fresh);
  (place[0] == 'W' ? g.warehouse_id : g.loading_platform_id) = place;
  return g;
}

const CoverageItem& item(const EnterpriseCoverage& ec, GapKind kind, const char* param = nullptr) {
  for (const auto& i : ec.items)
    if (i.kind == kind && (!param || i.param == std::optional<std::string>(param))) return i;
  throw std::runtime_error("no item");
}

}  // namespace

TEST(Coverage, ImpliedDeclaredAndAmbiguousPoints) {
  CoverageInputs in;
  in.enterprises = {{"C1", "甲", "140105"}};
  in.processes = {{1, "C1", "E15014", "聚合工艺", std::string("U1"), std::string("聚合装置")}};
  in.points = {group("U1", "E15014", std::nullopt, "temperature", 2, 1),       // implied
               group("U1", "E15014", std::nullopt, "flow", 3, 3),              // ambiguous: no
               group("U1", std::nullopt, "cooling_water_flow", "flow", 1, 0),  // declared, stale
               group("U2", "E15014", "feed_flow", "flow", 1, 1),               // another unit: no
               group("U1", std::nullopt, std::nullopt, "sis", 1, 1),
               group(std::nullopt, std::nullopt, std::nullopt, "toxic", 1, 1)};
  auto out = compute_coverage(catalogue(), in);
  ASSERT_EQ(out.size(), 1u);
  const auto& ec = out[0];
  ASSERT_EQ(ec.items.size(), 5u);  // 3 parameters + SIS + plant gas
  auto t = item(ec, GapKind::process_parameter, "reactor_temperature");
  EXPECT_EQ(t.status, CoverageStatus::connected);
  EXPECT_EQ(t.points, 2);
  EXPECT_EQ(t.fresh, 1);
  EXPECT_EQ(t.label, "聚合工艺（聚合装置）反应釜温度");
  EXPECT_EQ(item(ec, GapKind::process_parameter, "feed_flow").status, CoverageStatus::missing);
  EXPECT_EQ(item(ec, GapKind::process_parameter, "cooling_water_flow").status,
            CoverageStatus::stale);
  EXPECT_EQ(item(ec, GapKind::sis).status, CoverageStatus::connected);
  EXPECT_EQ(item(ec, GapKind::plant_gas).status, CoverageStatus::connected);
  EXPECT_EQ(ec.connected(), 3);
  EXPECT_FALSE(ec.complete());
}

TEST(Coverage, EnterpriseWideProcessNoSisCellsAndUnknownCodes) {
  CoverageInputs in;
  in.enterprises = {{"C1", "甲", "140105"}, {"C2", "乙", "140106"}};
  in.processes = {{1, "C1", "E15017", "电石生产工艺", std::nullopt, std::nullopt},
                  {2, "C1", "E15099", "?", std::nullopt, std::nullopt}};  // not in the catalogue
  // A warehouse of a major hazard source; a liquefied-hydrocarbon platform of one (附件5 §2–§3).
  in.cells = {{"C1", "W1", "一号库", "warehouse", true, "", "", std::nullopt},
              {"C1", "L1", "站台", "loading", true, "74-98-6", "H580201", std::string("road")}};
  in.points = {group("U9", "E15017", std::nullopt, "temperature", 1, 1),  // any unit counts
               group(std::nullopt, "E15017", std::nullopt, "current", 1, 1),
               placed("W1", "humidity", 1, 1), placed("L1", "grounding", 1, 0),
               placed("L1", "combustible", 1, 1),
               // A unit that shares the warehouse's id is not the warehouse (migration 0021).
               group("W1", std::nullopt, std::nullopt, "temperature", 1, 1),
               group(std::nullopt, std::nullopt, std::nullopt, "combustible", 1, 1, "C2")};
  auto out = compute_coverage(catalogue(), in);
  ASSERT_EQ(out.size(), 2u);
  const auto& a = out[0];
  // 2 parameters, no SIS (not required here), plant gas, 3 warehouse, 3 loading.
  ASSERT_EQ(a.items.size(), 9u);
  EXPECT_EQ(item(a, GapKind::process_parameter, "furnace_gas_temperature").status,
            CoverageStatus::connected);
  EXPECT_EQ(item(a, GapKind::process_parameter, "electrode_current").status,
            CoverageStatus::connected);
  EXPECT_EQ(item(a, GapKind::plant_gas).status, CoverageStatus::connected);  // the loading one
  EXPECT_EQ(item(a, GapKind::warehouse_humidity).status, CoverageStatus::connected);
  EXPECT_EQ(item(a, GapKind::warehouse_temperature).status, CoverageStatus::missing);
  EXPECT_EQ(item(a, GapKind::warehouse_gas).status, CoverageStatus::missing);
  EXPECT_EQ(item(a, GapKind::loading_leak).status, CoverageStatus::connected);
  EXPECT_EQ(item(a, GapKind::loading_grounding).status, CoverageStatus::stale);
  EXPECT_EQ(item(a, GapKind::loading_overflow).status, CoverageStatus::missing);
  EXPECT_EQ(item(a, GapKind::warehouse_humidity).label, "一号库湿度");
  const auto& b = out[1];
  ASSERT_EQ(b.items.size(), 1u);
  EXPECT_TRUE(b.complete());
}

namespace {
CoverageCell cell(const char* type, bool major, std::string media, std::string classes = "",
                  std::optional<std::string> mode = std::nullopt) {
  return {"C1", "X1", "甲", type, major, std::move(media), std::move(classes), std::move(mode)};
}
std::vector<GapKind> kinds_required(const CoverageCell& c) {
  CoverageInputs in;
  in.enterprises = {{"C1", "甲", "140105"}};
  in.cells = {c};
  auto out = compute_coverage(KeyProcessCatalogue{}, in);
  std::vector<GapKind> kinds;
  for (const auto& i : out.at(0).items)
    if (i.kind != GapKind::plant_gas) kinds.push_back(i.kind);
  return kinds;
}
}  // namespace

// 附件5 §2: "涉及氯酸钾、氯酸钠、硝化棉等构成危险化学品重大危险源的仓库、所有储存硝酸铵的危化品
// 仓库": temperature, humidity and gas of those warehouses, and of no other (fire class or other
// stored chemicals do not matter).
TEST(Coverage, WarehousesByAnnex5Section2) {
  using K = GapKind;
  const std::vector<K> all{K::warehouse_temperature, K::warehouse_humidity, K::warehouse_gas};
  EXPECT_EQ(kinds_required(cell("warehouse", true, "")), all);  // part of a major hazard source
  EXPECT_EQ(kinds_required(cell("warehouse", true, "7775-09-9")), all);   // 氯酸钠, major
  EXPECT_EQ(kinds_required(cell("warehouse", false, "6484-52-2")), all);  // 硝酸铵, not major
  EXPECT_EQ(kinds_required(cell("warehouse", false, "7664-93-9,6484-52-2")), all);
  EXPECT_TRUE(kinds_required(cell("warehouse", false, "")).empty());
  EXPECT_TRUE(kinds_required(cell("warehouse", false, "7775-09-9,71-43-2", "H580301")).empty());
  EXPECT_EQ(cell_requirements(cell("warehouse", true, "6484-52-2")).basis,
            "构成重大危险源的仓库、储存硝酸铵的仓库（附件5第2项）");
  EXPECT_EQ(cell_requirements(cell("warehouse", false, "6484-52-2")).basis,
            "储存硝酸铵的仓库（附件5第2项）");
  EXPECT_EQ(cell_requirements(cell("warehouse", false, "")).basis, "");
}

// 附件5 §3: leak detection of a major hazard source's loading area for combustible liquids,
// liquefied hydrocarbons and liquefied toxic gases by road; grounding and overflow for liquefied
// hydrocarbons only.
TEST(Coverage, LoadingPlatformsByAnnex5Section3) {
  using K = GapKind;
  const std::vector<K> leak{K::loading_leak};
  const std::vector<K> all{K::loading_leak, K::loading_grounding, K::loading_overflow};
  // Not a major hazard source: nothing, whatever it loads.
  EXPECT_TRUE(kinds_required(cell("loading", false, "74-98-6", "H580201", "road")).empty());
  EXPECT_TRUE(kinds_required(cell("loading", false, "")).empty());
  // Liquefied hydrocarbon (GB 50160 甲A): all three, by road or rail; by ship no grounding.
  EXPECT_EQ(kinds_required(cell("loading", true, "74-98-6", "", "road")), all);
  EXPECT_EQ(kinds_required(cell("loading", true, "115-07-1", "H580201", "rail")), all);
  EXPECT_EQ(kinds_required(cell("loading", true, "68476-85-7", "", "ship")),
            (std::vector<K>{K::loading_leak, K::loading_overflow}));
  // Combustible liquid (H5803…): leak only, any mode.
  EXPECT_EQ(kinds_required(cell("loading", true, "71-43-2", "H580301", "rail")), leak);
  EXPECT_EQ(kinds_required(cell("loading", true, "67-56-1", "H580302,H580401", "ship")), leak);
  // Liquefied toxic gas: leak by road (or an unknown mode), nothing by rail or ship.
  EXPECT_EQ(kinds_required(cell("loading", true, "7782-50-5", "", "road")), leak);
  EXPECT_EQ(kinds_required(cell("loading", true, "7664-41-7", "")), leak);
  EXPECT_EQ(kinds_required(cell("loading", true, "10035-10-6", "H580101", "road")), leak);
  EXPECT_TRUE(kinds_required(cell("loading", true, "7782-50-5", "", "rail")).empty());
  EXPECT_TRUE(kinds_required(cell("loading", true, "10035-10-6", "H580101", "ship")).empty());
  // Classified media outside §3 (a flammable gas that is no liquefied hydrocarbon, an acid):
  // nothing; media the registry cannot classify: leak, which every §3 class needs.
  EXPECT_TRUE(kinds_required(cell("loading", true, "1333-74-0", "H580201", "road")).empty());
  EXPECT_TRUE(kinds_required(cell("loading", true, "7664-93-9", "H581401", "road")).empty());
  EXPECT_EQ(kinds_required(cell("loading", true, "")), leak);
  EXPECT_EQ(kinds_required(cell("loading", true, "9999-99-9", "", "rail")), leak);
  EXPECT_EQ(cell_requirements(cell("loading", true, "74-98-6,71-43-2", "H580301", "road")).basis,
            "构成重大危险源的装卸区：可燃液体、液化烃（附件5第3项）");
  EXPECT_EQ(cell_requirements(cell("loading", true, "7782-50-5", "", "road")).basis,
            "构成重大危险源的装卸区：液化毒性气体（汽车装卸）（附件5第3项）");
}
