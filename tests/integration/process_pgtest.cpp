// The 18 key processes and the coverage check (issue 12, 附件5 §1–§4; docs/processes.md)
// against a real PostgreSQL: the catalogue migration 0018 loads equals the shipped
// data/processes/key_processes.json; a seeded enterprise with known gaps is covered exactly
// (connected, stale, missing per requirement, with the matching rules for declared, implied and
// ambiguous points); the region summary under a city scope; and the enterprise-process writes
// (checks, scope, duplicates, the registry version bump).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/process_service.hpp>
#include <hazmon/storage/database.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;

namespace {

constexpr const char* kGaps = "14010500011";      // nitration unit, warehouse, loading area
constexpr const char* kComplete = "14010500012";  // one fresh gas point, no process
constexpr const char* kOther = "14020100013";     // another city
constexpr const char* kUnit = "U1101050001";
constexpr const char* kWarehouse = "W1101050001";
constexpr const char* kLoading = "L1101050001";

core::SysTime at(const char* rfc3339) { return *core::parse_time(rfc3339); }

struct World {
  TestDatabase db;  // of its own: the summary counts every enterprise in the database
  core::FakeClock clock{at("2026-12-07T02:00:00Z")};
  service::ProcessService processes{db.db(), clock, 300};

  void point(const std::string& quota, const char* company, const std::string& type,
             const std::string& equip, const std::string& process, const std::string& key,
             const char* reading_at, bool in_use = true) {
    auto q = [](const std::string& s) { return s.empty() ? std::string("NULL") : "'" + s + "'"; };
    db.exec(
        "INSERT INTO monitoring_point(quota_code, company_code, hazard_code, equip_code, name, "
        "indicator_type, value_kind, process_code, key_param, in_use) VALUES ('" +
        quota + "', '" + company + "', '" + company + "001', " + q(equip) + ", '" + quota + "', '" +
        type + "', '" + (type == "sis" || type == "grounding" ? "switch" : "analog") + "', " +
        q(process) + ", " + q(key) + ", " + (in_use ? "true" : "false") + ")");
    if (reading_at)
      db.exec(std::string("INSERT INTO reading_latest(point_id, collect_ts, value, quality, "
                          "received_ts) SELECT point_id, '") +
              reading_at + "', 1, 0, '" + reading_at +
              "' FROM monitoring_point WHERE quota_code = '" + quota + "'");
  }

  World() {
    db.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES ('140105', '小店区', "
        "'county', '140100'), ('140201', '平城区', 'county', '140200')");
    for (const char* c : {kGaps, kComplete, kOther}) {
      db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") + c +
              "', '工艺测试" + c + "', '" + (c == std::string(kOther) ? "140201" : "140105") +
              "')");
      db.exec(std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) "
                          "VALUES ('") +
              c + "001', '" + c + "', '装置区', 2)");
    }
    std::string hz = std::string(kGaps) + "001";
    db.exec(std::string("INSERT INTO production_cell(prodcell_id, company_code, hazard_code, "
                        "cell_type, name) VALUES ('") +
            kUnit + "', '" + kGaps + "', '" + hz + "', 'unit', '硝化装置')");
    // Warehouses and loading platforms are tables of their own (migration 0021).
    db.exec(std::string("INSERT INTO warehouse(warehouse_id, company_code, hazard_code, name) "
                        "VALUES ('") +
            kWarehouse + "', '" + kGaps + "', '" + hz + "', '硝酸铵仓库')");
    // A liquefied-hydrocarbon platform of the major hazard source: all three §3 requirements.
    db.exec(std::string("INSERT INTO loading_platform(platform_id, company_code, hazard_code, "
                        "name, media, mode) VALUES ('") +
            kLoading + "', '" + kGaps + "', '" + hz + "', '装卸站台', '[\"74-98-6\"]', 'road')");
    for (auto [equip, place, type] : {std::tuple{"S0001", "prodcell_id", "S0"},
                                      {"C0001", "warehouse_id", "C0"},
                                      {"Z0001", "loading_platform_id", "Z0"}})
      db.exec("INSERT INTO equipment(equip_code, company_code, hazard_code, " + std::string(place) +
              ", equip_type, name) VALUES ('" + hz + equip + "', '" + kGaps + "', '" + hz + "', '" +
              (type == std::string("S0")   ? kUnit
               : type == std::string("C0") ? kWarehouse
                                           : kLoading) +
              "', '" + type + "', '" + equip + "')");
    db.exec(std::string("INSERT INTO enterprise_process(company_code, prodcell_id, process_code) "
                        "VALUES ('") +
            kGaps + "', '" + kUnit + "', 'E1504')");
    const char* fresh = "2026-12-07T01:58:00Z";
    const char* old = "2026-12-07T01:00:00Z";
    std::string unit = hz + "S0001", wh = hz + "C0001", ld = hz + "Z0001";
    point("T1", kGaps, "temperature", unit, "E1504", "", fresh);    // implied: reactor temperature
    point("P1", kGaps, "pressure", unit, "E1504", "", old);         // stale reactor pressure
    point("F1", kGaps, "flow", unit, "E1504", "feed_flow", fresh);  // declared
    point("F2", kGaps, "flow", unit, "E1504", "", fresh);  // ambiguous: feed or cooling water
    point("A1", kGaps, "agitator", unit, "E1504", "", fresh, false);  // not in use
    point("PH1", kGaps, "ph", "", "E1504", "ph", fresh);  // on no equipment: not in the unit
    point("SIS1", kGaps, "sis", unit, "", "", fresh);
    point("G1", kGaps, "combustible", "", "", "", fresh);
    point("WT1", kGaps, "temperature", wh, "", "", fresh);
    point("WG1", kGaps, "toxic", "", "", "", nullptr);  // never reported; named below
    db.exec(std::string("UPDATE monitoring_point SET warehouse_id = '") + kWarehouse +
            "' WHERE quota_code = 'WG1'");  // in the warehouse on no equipment
    point("LG1", kGaps, "grounding", ld, "", "", fresh);
    point("G2", kComplete, "toxic", "", "", "", fresh);
    point("G3", kOther, "combustible", "", "", "", old);
  }
};

const model::CoverageItem* find(const std::vector<model::CoverageItem>& items, model::GapKind k,
                                const char* param = nullptr) {
  for (const auto& i : items)
    if (i.kind == k && (!param || (i.param && *i.param == param))) return &i;
  return nullptr;
}

}  // namespace

TEST(KeyProcessPg, TheCatalogueIsTheShippedFile) {
  World w;
  std::ifstream in(source_dir() / "data/processes/key_processes.json");
  ASSERT_TRUE(in) << "data/processes/key_processes.json";
  auto file = nlohmann::json::parse(in);
  auto cat = w.processes.catalogue();
  ASSERT_EQ(cat.processes.size(), 18u);
  ASSERT_EQ(cat.processes.size(), file["processes"].size());
  EXPECT_EQ(cat.processes.front().code, "E1501");
  EXPECT_EQ(cat.processes.back().code, "E15018");
  for (const auto& p : file["processes"]) {
    const auto* got = cat.process(p["code"].get<std::string>());
    ASSERT_NE(got, nullptr) << p["code"];
    EXPECT_EQ(got->name, p["name"].get<std::string>());
    EXPECT_EQ(got->sis_required, p["sis_required"].get<bool>());
    EXPECT_EQ(got->source, p["source"].get<std::string>());
    EXPECT_EQ(got->params, p["parameters"].get<std::vector<std::string>>()) << got->code;
  }
  ASSERT_EQ(cat.parameters.size(), file["parameters"].size());
  for (const auto& p : file["parameters"]) {
    const auto* got = cat.parameter(p["key"].get<std::string>());
    ASSERT_NE(got, nullptr) << p["key"];
    EXPECT_EQ(got->name, p["name"].get<std::string>());
    EXPECT_EQ(got->indicator_types, p["indicator_types"].get<std::vector<std::string>>());
  }
}

TEST(KeyProcessPg, CoverageOfASeededEnterpriseWithKnownGaps) {
  World w;
  auto r = w.processes.enterprise_coverage(province_admin(), kGaps);
  ASSERT_TRUE(r.checked);
  using K = model::GapKind;
  using S = model::CoverageStatus;
  ASSERT_EQ(r.items.size(), 14u);  // 6 parameters + SIS + plant gas + 3 warehouse + 3 loading
  struct Want {
    K kind;
    const char* param;
    S status;
    long long points, fresh;
  };
  for (auto want :
       {Want{K::process_parameter, "reactor_temperature", S::connected, 1, 1},
        Want{K::process_parameter, "reactor_pressure", S::stale, 1, 0},
        Want{K::process_parameter, "agitator", S::missing, 0, 0},
        Want{K::process_parameter, "feed_flow", S::connected, 1, 1},
        Want{K::process_parameter, "cooling_water_flow", S::missing, 0, 0},
        Want{K::process_parameter, "ph", S::missing, 0, 0},
        Want{K::sis, nullptr, S::connected, 1, 1}, Want{K::plant_gas, nullptr, S::connected, 2, 1},
        Want{K::warehouse_temperature, nullptr, S::connected, 1, 1},
        Want{K::warehouse_humidity, nullptr, S::missing, 0, 0},
        Want{K::warehouse_gas, nullptr, S::stale, 1, 0},
        Want{K::loading_leak, nullptr, S::missing, 0, 0},
        Want{K::loading_grounding, nullptr, S::connected, 1, 1},
        Want{K::loading_overflow, nullptr, S::missing, 0, 0}}) {
    const auto* item = find(r.items, want.kind, want.param);
    ASSERT_NE(item, nullptr) << model::to_string(want.kind) << " "
                             << (want.param ? want.param : "");
    EXPECT_EQ(item->status, want.status) << item->label;
    EXPECT_EQ(item->points, want.points) << item->label;
    EXPECT_EQ(item->fresh, want.fresh) << item->label;
  }
  EXPECT_EQ(find(r.items, K::process_parameter, "ph")->label, "硝化工艺（硝化装置）pH值");

  // The reading of the stale pressure point arrives: connected once it is inside the window.
  w.db.exec(
      "UPDATE reading_latest SET collect_ts = '2026-12-07T01:56:00Z' WHERE point_id = "
      "(SELECT point_id FROM monitoring_point WHERE quota_code = 'P1')");
  r = w.processes.enterprise_coverage(province_admin(), kGaps);
  EXPECT_EQ(find(r.items, K::process_parameter, "reactor_pressure")->status, S::connected);
  // ... and stale again when the clock moves past it.
  w.clock.advance(std::chrono::minutes(10));
  r = w.processes.enterprise_coverage(province_admin(), kGaps);
  EXPECT_EQ(find(r.items, K::process_parameter, "reactor_pressure")->status, S::stale);
  EXPECT_EQ(find(r.items, K::process_parameter, "reactor_temperature")->status, S::stale);

  auto done = w.processes.enterprise_coverage(province_admin(), kComplete);
  ASSERT_EQ(done.items.size(), 1u);
  EXPECT_EQ(done.items[0].kind, K::plant_gas);

  // Scope: another city's enterprise does not exist for this city; machines may not read.
  auto e = caught([&] { w.processes.enterprise_coverage(city_officer("140200"), kGaps); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);
  auto gw = principal(model::Role::gateway, model::Scope::enterprise(kGaps), "gw");
  e = caught([&] { w.processes.enterprise_coverage(gw, kGaps); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);
}

TEST(KeyProcessPg, SummaryPerCountyCityAndProvince) {
  World w;
  auto s = w.processes.summary(city_officer("140100"), "county");
  ASSERT_EQ(s.regions.size(), 1u);  // 140201 is another city
  const auto& row = s.regions[0];
  EXPECT_EQ(row.region_code, "140105");
  EXPECT_EQ(row.region_name, "小店区");
  EXPECT_EQ(row.enterprises, 2);
  EXPECT_EQ(row.complete, 1);
  EXPECT_EQ(row.with_gaps, 1);
  EXPECT_EQ(row.required, 15);
  EXPECT_EQ(row.connected, 7);
  EXPECT_EQ(row.stale, 2);
  EXPECT_EQ(row.missing, 6);
  std::map<std::string, long long> gaps{{"process_parameter", 4},
                                        {"warehouse_humidity", 1},
                                        {"warehouse_gas", 1},
                                        {"loading_leak", 1},
                                        {"loading_overflow", 1}};
  EXPECT_EQ(row.gaps, gaps);
  ASSERT_EQ(s.enterprises.size(), 1u);
  EXPECT_EQ(s.enterprises[0].enterprise.company_code, kGaps);
  EXPECT_EQ(s.enterprises[0].required, 14);
  EXPECT_EQ(s.enterprises[0].connected, 6);

  auto p = w.processes.summary(province_admin(), "city");
  ASSERT_EQ(p.regions.size(), 2u);
  EXPECT_EQ(p.regions[0].region_code, "140100");
  EXPECT_EQ(p.regions[1].region_code, "140200");
  EXPECT_EQ(p.regions[0].region_name, "太原市");
  EXPECT_EQ(p.regions[1].with_gaps, 1);  // its only gas point is stale
  EXPECT_EQ(p.regions[1].gaps.at("plant_gas"), 1);
  EXPECT_EQ(p.total.enterprises, 3);
  EXPECT_EQ(p.total.complete, 1);
  auto prov = w.processes.summary(province_admin(), "province");
  ASSERT_EQ(prov.regions.size(), 1u);
  EXPECT_EQ(prov.regions[0].region_code, "140000");
  EXPECT_EQ(prov.regions[0].with_gaps, 2);
  auto e = caught([&] { w.processes.summary(province_admin(), "park"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::bad_request);
}

TEST(KeyProcessPg, EnterpriseProcessWritesAreCheckedScopedAndBumpTheRegistryVersion) {
  World w;
  auto own = principal(model::Role::enterprise_user, model::Scope::enterprise(kComplete), "u");
  auto version = [&] {
    return w.db.db().in_tx(
        [](storage::Tx& tx) { return *tx.one<long long>("SELECT version FROM registry_version"); });
  };
  auto before = version();
  auto added = w.processes.add(own, kComplete, std::nullopt, "E15010");
  EXPECT_EQ(added.process_name, "氧化工艺");
  EXPECT_FALSE(added.prodcell_id);
  EXPECT_GT(version(), before);
  // Now the enterprise lacks the oxidation parameters and its SIS.
  auto r = w.processes.enterprise_coverage(province_admin(), kComplete);
  EXPECT_EQ(r.items.size(), 8u);  // 6 parameters + SIS + plant gas

  struct Bad {
    model::Principal who;
    const char* company;
    std::optional<std::string> cell;
    const char* process;
    core::Errc code;
    const char* pointer;
  };
  for (const auto& b : std::vector<Bad>{
           {own, kComplete, std::nullopt, "E15010", core::Errc::conflict, nullptr},
           {own, kComplete, std::nullopt, "E15099", core::Errc::validation_failed, "/process_code"},
           {own, kComplete, std::nullopt, "X1", core::Errc::validation_failed, "/process_code"},
           {own, kComplete, std::string(kUnit), "E1504", core::Errc::validation_failed,
            "/prodcell_id"},  // another enterprise's unit
           {own, kGaps, std::nullopt, "E1504", core::Errc::not_found, nullptr},
           {city_officer("140200"), kGaps, std::nullopt, "E1504", core::Errc::not_found, nullptr},
           {principal(model::Role::province_officer, model::Scope::province()), kGaps, std::nullopt,
            "E1504", core::Errc::forbidden, nullptr}}) {
    auto e = caught([&] { w.processes.add(b.who, b.company, b.cell, b.process); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, b.code) << b.process << " " << e->message;
    if (b.pointer) EXPECT_TRUE(e->has_pointer(b.pointer)) << e->pointers();
  }
  auto list = w.processes.list(city_officer("140100"), std::nullopt);
  EXPECT_EQ(list.size(), 2u);
  EXPECT_TRUE(w.processes.list(city_officer("140200"), std::nullopt).empty());
  auto e = caught([&] { w.processes.remove(city_officer("140200"), added.id); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::not_found);
  // The enterprise may not stop it (it would leave its own coverage check); its city may.
  e = caught([&] { w.processes.remove(own, added.id); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, core::Errc::forbidden);
  EXPECT_EQ(w.processes.list(own, std::nullopt).size(), 1u);
  w.processes.remove(city_officer("140100"), added.id);
  EXPECT_EQ(w.processes.list(own, std::nullopt).size(), 0u);
  // Removed, it may be added again.
  EXPECT_NO_THROW(w.processes.add(own, kComplete, std::nullopt, "E15010"));
}

// A point that names its unit itself (monitoring_point.prodcell_id, migration 0020; ADR 0019),
// on no equipment, counts for the processes of that unit like one on the unit's equipment.
TEST(KeyProcessPg, APointOnTheUnitWithoutEquipmentCountsForTheUnit) {
  World w;
  using K = model::GapKind;
  auto r = w.processes.enterprise_coverage(province_admin(), kGaps);
  ASSERT_EQ(find(r.items, K::process_parameter, "ph")->status, model::CoverageStatus::missing);
  w.point("PH2", kGaps, "ph", "", "E1504", "ph", "2026-12-07T01:58:00Z");
  w.db.exec(std::string("UPDATE monitoring_point SET prodcell_id = '") + kUnit +
            "' WHERE quota_code = 'PH2'");
  r = w.processes.enterprise_coverage(province_admin(), kGaps);
  const auto* ph = find(r.items, K::process_parameter, "ph");
  ASSERT_NE(ph, nullptr);
  EXPECT_EQ(ph->status, model::CoverageStatus::connected);
  EXPECT_EQ(ph->points, 1);
  EXPECT_EQ(ph->fresh, 1);
}

// 附件5 §2–§3 against the registry as stored: a warehouse is required when it is part of an
// active major hazard source or stores ammonium nitrate (an active warehouse_chemical row); a
// loading platform only when it is part of one, and then by what it loads (media, the chemicals'
// hazard classes) and how (mode). Seeded on both sides of each condition.
TEST(KeyProcessPg, WarehousesAndPlatformsAsAnnex5Asks) {
  World w;
  const std::string c = "14010500015", hz = c + "001", off = c + "002";
  w.db.exec("INSERT INTO enterprise(company_code, name, region_code) VALUES ('" + c +
            "', '附件5测试', '140105')");
  w.db.exec(
      "INSERT INTO hazard_source(hazard_code, company_code, name, rank, is_active) VALUES ('" + hz +
      "', '" + c + "', '罐区', 3, true), ('" + off + "', '" + c + "', '已核销', 4, false)");
  w.db.exec(
      "INSERT INTO chemical(cas, name, hazard_classes) VALUES "
      "('6484-52-2', '硝酸铵', '[]'), ('7775-09-9', '氯酸钠', '[]'), "
      "('71-43-2', '苯', '[\"H580301\"]'), ('1333-74-0', '氢', '[\"H580201\"]'), "
      "('7782-50-5', '氯', '[]') ON CONFLICT (cas) DO UPDATE SET hazard_classes = "
      "EXCLUDED.hazard_classes");
  auto q = [](const std::string& v) { return v.empty() ? std::string("NULL") : "'" + v + "'"; };
  auto warehouse = [&](const char* id, const std::string& hazard, const char* fire) {
    w.db.exec(
        "INSERT INTO warehouse(warehouse_id, company_code, hazard_code, name, fire_class) "
        "VALUES ('" +
        std::string(id) + "', '" + c + "', " + q(hazard) + ", '" + id + "', " + q(fire) + ")");
  };
  auto stores = [&](const char* id, const char* cas, bool active) {
    w.db.exec(
        "INSERT INTO warehouse_chemical(company_code, warehouse_id, cas, is_active) VALUES ('" + c +
        "', '" + id + "', '" + cas + "', " + (active ? "true" : "false") + ")");
  };
  warehouse("WA", hz, "丙");   // part of the major hazard source, nothing recorded as stored
  warehouse("WB", "", "乙");   // stores ammonium nitrate, no major hazard source
  warehouse("WC", "", "甲");   // sodium chlorate, 甲 class, but no major hazard source
  warehouse("WD", off, "甲");  // its hazard source is no longer active
  warehouse("WE", "", "乙");   // ammonium nitrate no longer stored
  stores("WB", "6484-52-2", true);
  stores("WC", "7775-09-9", true);
  stores("WE", "6484-52-2", false);
  auto platform = [&](const char* id, const std::string& hazard, const char* media,
                      const char* mode) {
    w.db.exec(
        "INSERT INTO loading_platform(platform_id, company_code, hazard_code, name, media, "
        "mode) VALUES ('" +
        std::string(id) + "', '" + c + "', " + q(hazard) + ", '" + id + "', '" + media + "', " +
        q(mode) + ")");
  };
  platform("LA", hz, R"(["74-98-6"])", "road");    // liquefied hydrocarbon: all three
  platform("LB", "", R"(["74-98-6"])", "road");    // the same, no major hazard source: none
  platform("LC", hz, R"(["71-43-2"])", "rail");    // combustible liquid (H5803…): leak
  platform("LD", hz, R"(["7782-50-5"])", "rail");  // liquefied toxic gas by rail: none
  platform("LE", hz, R"(["7782-50-5"])", "road");  // ... by road: leak
  platform("LF", hz, R"(["1333-74-0"])", "road");  // flammable gas, no liquefied hydrocarbon
  platform("LG", hz, "[]", "");                    // media not entered: leak
  platform("LH", hz, R"(["74-98-6"])", "ship");    // liquefied hydrocarbon by ship: no grounding
  platform("LI", off, R"(["74-98-6"])", "road");   // inactive hazard source: none
  // A fresh grounding point on LA: its requirement is connected.
  w.db.exec(
      "INSERT INTO monitoring_point(quota_code, company_code, hazard_code, "
      "loading_platform_id, name, indicator_type, value_kind, in_use) VALUES ('LAG', '" +
      c + "', '" + hz + "', 'LA', '静电接地', 'grounding', 'switch', true)");
  w.db.exec(
      "INSERT INTO reading_latest(point_id, collect_ts, value, quality, received_ts) SELECT "
      "point_id, '2026-12-07T01:58:00Z', 1, 0, '2026-12-07T01:58:00Z' FROM monitoring_point "
      "WHERE quota_code = 'LAG'");

  auto r = w.processes.enterprise_coverage(province_admin(), c);
  ASSERT_TRUE(r.checked);
  using K = model::GapKind;
  std::map<std::string, std::vector<std::string>> got;
  std::map<std::string, std::string> basis;
  for (const auto& i : r.items) {
    if (i.kind == K::plant_gas) continue;
    ASSERT_TRUE(i.prodcell_id) << i.label;
    got[*i.prodcell_id].push_back(model::to_string(i.kind));
    basis[*i.prodcell_id] = i.basis;
  }
  using V = std::vector<std::string>;
  const V wh{"warehouse_temperature", "warehouse_humidity", "warehouse_gas"};
  std::map<std::string, std::vector<std::string>> want{
      {"WA", wh},
      {"WB", wh},
      {"LA", {"loading_leak", "loading_grounding", "loading_overflow"}},
      {"LC", {"loading_leak"}},
      {"LE", {"loading_leak"}},
      {"LG", {"loading_leak"}},
      {"LH", {"loading_leak", "loading_overflow"}}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(basis["WA"], "构成重大危险源的仓库（附件5第2项）");
  EXPECT_EQ(basis["WB"], "储存硝酸铵的仓库（附件5第2项）");
  EXPECT_EQ(basis["LC"], "构成重大危险源的装卸区：可燃液体（附件5第3项）");
  EXPECT_EQ(basis["LE"], "构成重大危险源的装卸区：液化毒性气体（汽车装卸）（附件5第3项）");
  EXPECT_EQ(basis["LG"], "构成重大危险源的装卸区：介质未分类（附件5第3项）");
  for (const auto& i : r.items)
    if (i.kind == K::loading_grounding)
      EXPECT_EQ(i.status, model::CoverageStatus::connected);
    else if (i.kind != K::plant_gas)
      EXPECT_EQ(i.status, model::CoverageStatus::missing) << i.label;

  // Crossing a condition moves the warehouse in or out: WC's sodium chlorate forms the major
  // hazard source (hazard code set), WB no longer stores ammonium nitrate.
  w.db.exec("UPDATE warehouse SET hazard_code = '" + hz + "' WHERE warehouse_id = 'WC'");
  w.db.exec("UPDATE warehouse_chemical SET is_active = false WHERE warehouse_id = 'WB'");
  // LD is loaded by road now; LF also loads propane.
  w.db.exec("UPDATE loading_platform SET mode = 'road' WHERE platform_id = 'LD'");
  w.db.exec(
      R"(UPDATE loading_platform SET media = '["1333-74-0", "74-98-6"]' WHERE platform_id = 'LF')");
  r = w.processes.enterprise_coverage(province_admin(), c);
  got.clear();
  for (const auto& i : r.items)
    if (i.kind != K::plant_gas) got[*i.prodcell_id].push_back(model::to_string(i.kind));
  want.erase("WB");
  want["WC"] = wh;
  want["LD"] = {"loading_leak"};
  want["LF"] = {"loading_leak", "loading_grounding", "loading_overflow"};
  EXPECT_EQ(got, want);
}
