// Migration 0021 (issue 12, ADR 0020): a database at the schema before it, filled with warehouse
// and loading production cells, their C0 / Z0 equipment appendices, media, points, cameras and a
// process named on a cell, is migrated; every old value is found again in the new tables or left
// where it was, and what referred to the cells now refers to the warehouse or platform.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/migrations.hpp>

#include <fstream>
#include <map>

#include "pgtest_util.hpp"

namespace fs = std::filesystem;
using hazmon::storage::Database;
using hazmon::storage::Migrator;
using nlohmann::json;
using namespace hazmon::test;

namespace {
constexpr int kVersion = 21;

constexpr const char* kA = "14010500001";

const char* kSeed = R"SQL(
INSERT INTO region(code, name, level, parent_code) VALUES
  ('140105', '小店区', 'county', '140100'), ('140201', '平城区', 'county', '140200');
INSERT INTO enterprise(company_code, name, region_code) VALUES
  ('14010500001', '迁移甲', '140105'), ('14020100002', '迁移乙', '140201');
INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES
  ('14010500001001', '14010500001', '库区', 2), ('14020100002001', '14020100002', '罐区', 3);
INSERT INTO production_cell(prodcell_id, company_code, hazard_code, cell_type, name, area_m2,
    has_dike, dike_area_m2, tank_count, min_tank_spacing_m, responsible_person, is_active, source,
    created_at, updated_at) VALUES
  ('WH1', '14010500001', '14010500001001', 'warehouse', '硝酸铵仓库', 500, false, NULL, 0, NULL,
   '张三', true, 'roster', '2025-01-02T03:04:05Z', '2025-02-03T04:05:06Z'),
  ('WH2', '14010500001', '14010500001001', 'warehouse', '旧仓库', NULL, NULL, NULL, NULL, NULL,
   NULL, false, 'platform', '2024-01-01T00:00:00Z', '2024-06-01T00:00:00Z'),
  ('LD1', '14010500001', '14010500001001', 'loading', '汽车装卸站台', 120, true, 80, NULL, 2.5,
   '李四', true, 'platform', '2025-03-01T00:00:00Z', '2025-03-02T00:00:00Z'),
  ('LD2', '14020100002', '14020100002001', 'loading', '铁路装卸区', NULL, NULL, NULL, NULL, NULL,
   NULL, true, 'platform', '2025-04-01T00:00:00Z', '2025-04-01T00:00:00Z'),
  ('U1', '14010500001', '14010500001001', 'unit', '硝化装置', NULL, NULL, NULL, NULL, NULL, '赵六',
   true, 'platform', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z'),
  ('TF1', '14020100002', '14020100002001', 'tank_farm', '储罐区', 900, true, 850, 4, 6, NULL,
   true, 'platform', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
INSERT INTO equipment(equip_code, company_code, hazard_code, prodcell_id, equip_type, name, detail)
VALUES
  ('14010500001001C0001', '14010500001', '14010500001001', 'WH1', 'C0', '1号库',
   '{"chmstor_id": "CS01", "use": "H4604", "area_m2": 480, "volume_m3": 2000,
     "content_form": "H4703", "structure": "砖混", "design_life_years": 50,
     "completion_date": "2010-05-01", "keeper": "王五", "keeper_phone": "13800000000"}'),
  ('14010500001001C0002', '14010500001', '14010500001001', 'WH1', 'C0', '1号库附间',
   '{"use": "H4601"}'),
  ('14010500001001Q0001', '14010500001', '14010500001001', 'WH1', 'Q0', '库内探测器',
   '{"gas_cas": "6484-52-2"}'),
  ('14010500001001C0003', '14010500001', '14010500001001', 'WH2', 'C0', '旧库',
   '{"use": "raw", "area_m2": -1, "structure": "钢结构", "completion_date": "2020-13-45"}'),
  ('14010500001001Z0001', '14010500001', '14010500001001', 'LD1', 'Z0', '鹤管',
   '{"medium_cas": "8006-61-9", "positions": 4, "mode": "road", "has_grounding_detection": true,
     "has_overflow_detection": false}'),
  ('14020100002001Z0001', '14020100002', '14020100002001', 'LD2', 'Z0', '栈桥',
   '{"mode": "rail", "positions": 12}'),
  ('14010500001001S0001', '14010500001', '14010500001001', 'U1', 'S0', '硝化釜',
   '{"has_sis": true}'),
  ('14020100002001G0001', '14020100002', '14020100002001', 'TF1', 'G0', '1号罐',
   '{"tank_type": "vertical"}');
INSERT INTO equipment_medium(company_code, equip_code, cas, design_inventory_t) VALUES
  ('14010500001', '14010500001001C0001', '6484-52-2', 300),
  ('14010500001', '14010500001001C0002', '6484-52-2', 20),
  ('14010500001', '14010500001001C0002', '7664-41-7', NULL),
  ('14010500001', '14010500001001Z0001', '71-43-2', 5),
  ('14010500001', '14010500001001Z0001', '8006-61-9', 40),
  ('14020100002', '14020100002001Z0001', '67-56-1', 60),
  ('14020100002', '14020100002001G0001', '67-56-1', 1000);
INSERT INTO monitoring_point(quota_code, company_code, hazard_code, equip_code, name,
    indicator_type, value_kind) VALUES
  ('WT1', '14010500001', '14010500001001', '14010500001001C0001', '库温', 'temperature', 'analog'),
  ('WG1', '14010500001', '14010500001001', '14010500001001Q0001', '库内气体', 'toxic', 'analog'),
  ('LG1', '14010500001', '14010500001001', '14010500001001Z0001', '静电接地', 'grounding', 'switch'),
  ('LO2', '14020100002', '14020100002001', '14020100002001Z0001', '溢油', 'overflow', 'switch'),
  ('UT1', '14010500001', '14010500001001', '14010500001001S0001', '釜温', 'temperature', 'analog'),
  ('G1', '14010500001', '14010500001001', NULL, '厂区气体', 'combustible', 'analog');
-- A point on the warehouse cell itself, outside any hazard source (0020).
INSERT INTO monitoring_point(quota_code, company_code, prodcell_id, name, indicator_type,
    value_kind) VALUES ('WH1RH', '14010500001', 'WH1', '库内湿度', 'humidity', 'analog');
INSERT INTO camera(video_id, company_code, hazard_code, prodcell_id, name, scene_type) VALUES
  ('CAMWH1', '14010500001', '14010500001001', 'WH1', '仓库摄像', 'warehouse'),
  ('CAMLD2', '14020100002', '14020100002001', 'LD2', '装卸摄像', 'loading_area'),
  ('CAMU1', '14010500001', '14010500001001', 'U1', '装置摄像', 'process_unit');
INSERT INTO enterprise_process(company_code, prodcell_id, process_code) VALUES
  ('14010500001', 'WH1', 'E1504'), ('14010500001', 'U1', 'E1504'), ('14020100002', 'LD2', 'E1503');
INSERT INTO enterprise_process(company_code, prodcell_id, process_code) VALUES
  ('14020100002', NULL, 'E1503');
)SQL";

json rows(Database& db, const std::string& sql) {
  auto tx = db.begin();
  return tx.exec(sql);
}

std::map<std::string, json> by(const json& list, const char* key) {
  std::map<std::string, json> out;
  for (const auto& r : list) out[r[key].get<std::string>()] = r;
  return out;
}

double num(const json& v) {
  return v.is_string() ? std::stod(v.get<std::string>()) : v.get<double>();
}

}  // namespace

TEST(WarehouseMigration, MovesWarehouseAndLoadingCellsLosingNothing) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(kVersion);
  Migrator m(db, dir.dir());
  m.migrate();
  ASSERT_FALSE(m.status().applied.empty());
  ASSERT_LT(m.status().applied.back(), kVersion);
  db.in_tx([](hazmon::storage::Tx& tx) { tx.exec(kSeed); });

  auto cells = by(rows(db, "SELECT * FROM production_cell"), "prodcell_id");
  auto equipment = by(rows(db, "SELECT * FROM equipment"), "equip_code");
  auto media = rows(db, "SELECT * FROM equipment_medium ORDER BY id");
  auto points = by(rows(db, "SELECT * FROM monitoring_point"), "quota_code");
  auto cameras = by(rows(db, "SELECT * FROM camera"), "video_id");
  auto version_before = rows(db, "SELECT version FROM registry_version")[0]["version"];

  dir.add(kVersion);
  EXPECT_EQ(m.migrate(), std::vector<int>{kVersion});

  // Warehouses: the cell's columns, the first C0 appendix, the rest in legacy.
  auto wh =
      by(rows(db, "SELECT *, completion_date::text AS completion FROM warehouse"), "warehouse_id");
  ASSERT_EQ(wh.size(), 2u);
  for (const char* id : {"WH1", "WH2"}) {
    SCOPED_TRACE(id);
    const auto &w = wh.at(id), &c = cells.at(id);
    for (const char* k : {"company_code", "hazard_code", "name", "responsible_person", "is_active",
                          "source", "created_at", "updated_at"})
      EXPECT_EQ(w[k], c[k]) << k;
  }
  const auto& w1 = wh.at("WH1");
  EXPECT_EQ(w1["equip_code"], "14010500001001C0001");  // the first C0 of the cell
  EXPECT_EQ(w1["chmstor_id"], "CS01");
  EXPECT_EQ(w1["use"], "H4604");
  EXPECT_DOUBLE_EQ(num(w1["area_m2"]), 500);  // the cell's own area wins; 480 stays in detail
  EXPECT_DOUBLE_EQ(num(w1["volume_m3"]), 2000);
  EXPECT_EQ(w1["content_form"], "H4703");
  EXPECT_EQ(w1["structure"], "砖混");
  EXPECT_EQ(w1["design_life_years"], 50);
  EXPECT_EQ(w1["completion"], "2010-05-01");
  EXPECT_EQ(w1["keeper"], "王五");
  EXPECT_EQ(w1["keeper_phone"], "13800000000");
  EXPECT_TRUE(w1["fire_class"].is_null());
  EXPECT_EQ(w1["legacy"]["has_dike"], false);
  EXPECT_EQ(w1["legacy"]["tank_count"], 0);
  ASSERT_EQ(w1["legacy"]["processes"].size(), 1u);
  EXPECT_EQ(w1["legacy"]["processes"][0]["process_code"], "E1504");
  // WH2's appendix values that fit no column (use "raw", a negative area) are left out of the
  // columns and stay in the equipment's detail; the valid structure moves.
  const auto& w2 = wh.at("WH2");
  EXPECT_TRUE(w2["use"].is_null());
  EXPECT_TRUE(w2["area_m2"].is_null());
  EXPECT_EQ(w2["structure"], "钢结构");
  EXPECT_TRUE(w2["completion"].is_null());  // no such day: it stays in the detail only
  EXPECT_EQ(w2["legacy"], json::object());

  // Loading platforms.
  auto lp = by(rows(db, "SELECT * FROM loading_platform"), "platform_id");
  ASSERT_EQ(lp.size(), 2u);
  for (const char* id : {"LD1", "LD2"}) {
    SCOPED_TRACE(id);
    const auto &p = lp.at(id), &c = cells.at(id);
    for (const char* k : {"company_code", "hazard_code", "name", "responsible_person", "is_active",
                          "source", "created_at", "updated_at"})
      EXPECT_EQ(p[k], c[k]) << k;
    EXPECT_EQ(p["area_m2"].is_null(), c["area_m2"].is_null());
  }
  const auto& l1 = lp.at("LD1");
  EXPECT_EQ(l1["equip_code"], "14010500001001Z0001");
  EXPECT_EQ(l1["positions"], 4);
  EXPECT_EQ(l1["mode"], "road");
  EXPECT_EQ(l1["has_grounding_detection"], true);
  EXPECT_EQ(l1["has_overflow_detection"], false);
  EXPECT_DOUBLE_EQ(num(l1["area_m2"]), 120);
  // The appendix's medium first, then the equipment media, each once.
  EXPECT_EQ(l1["media"], json({"8006-61-9", "71-43-2"}));
  EXPECT_EQ(l1["legacy"],
            json({{"has_dike", true}, {"dike_area_m2", 80}, {"min_tank_spacing_m", 2.5}}));
  const auto& l2 = lp.at("LD2");
  EXPECT_EQ(l2["positions"], 12);
  EXPECT_EQ(l2["mode"], "rail");
  EXPECT_EQ(l2["media"], json({"67-56-1"}));
  EXPECT_TRUE(l2["has_grounding_detection"].is_null());
  ASSERT_EQ(l2["legacy"]["processes"].size(), 1u);
  EXPECT_EQ(l2["legacy"]["processes"][0]["process_code"], "E1503");

  // The warehouse stores its equipment's media, summed per chemical.
  auto wc = rows(db,
                 "SELECT warehouse_id, cas, max_quantity_t, company_code FROM "
                 "warehouse_chemical ORDER BY warehouse_id, cas");
  ASSERT_EQ(wc.size(), 2u) << wc.dump();
  EXPECT_EQ(wc[0]["cas"], "6484-52-2");
  EXPECT_DOUBLE_EQ(num(wc[0]["max_quantity_t"]), 320);
  EXPECT_EQ(wc[1]["cas"], "7664-41-7");
  EXPECT_TRUE(wc[1]["max_quantity_t"].is_null());
  EXPECT_EQ(wc[0]["company_code"], kA);

  // Production cells: the others unchanged, the moved ones gone.
  auto after_cells = by(rows(db, "SELECT * FROM production_cell"), "prodcell_id");
  ASSERT_EQ(after_cells.size(), 2u);
  EXPECT_EQ(after_cells.at("U1"), cells.at("U1"));
  EXPECT_EQ(after_cells.at("TF1"), cells.at("TF1"));

  // Equipment: every row, every value as before; the place moved from prodcell_id.
  auto eq_after = by(rows(db, "SELECT * FROM equipment"), "equip_code");
  ASSERT_EQ(eq_after.size(), equipment.size());
  for (const auto& [code, before] : equipment) {
    SCOPED_TRACE(code);
    auto after = eq_after.at(code);
    auto old_cell = before["prodcell_id"].get<std::string>();
    auto type = cells.at(old_cell)["cell_type"].get<std::string>();
    EXPECT_EQ(after["warehouse_id"], type == "warehouse" ? json(old_cell) : json());
    EXPECT_EQ(after["loading_platform_id"], type == "loading" ? json(old_cell) : json());
    EXPECT_EQ(after["prodcell_id"],
              type == "warehouse" || type == "loading" ? json() : json(old_cell));
    for (const char* k : {"warehouse_id", "loading_platform_id", "prodcell_id"}) after.erase(k);
    auto b = before;
    b.erase("prodcell_id");
    EXPECT_EQ(after, b);
  }
  EXPECT_EQ(rows(db, "SELECT * FROM equipment_medium ORDER BY id"), media);

  // Points follow their equipment; cameras their cell.
  auto pt_after = by(rows(db, "SELECT * FROM monitoring_point"), "quota_code");
  ASSERT_EQ(pt_after.size(), points.size());
  std::map<std::string, std::pair<json, json>> want_place = {
      {"WT1", {"WH1", nullptr}},  {"WG1", {"WH1", nullptr}},   {"LG1", {nullptr, "LD1"}},
      {"LO2", {nullptr, "LD2"}},  {"UT1", {nullptr, nullptr}}, {"G1", {nullptr, nullptr}},
      {"WH1RH", {"WH1", nullptr}}};
  for (const auto& [q, before] : points) {
    SCOPED_TRACE(q);
    auto after = pt_after.at(q);
    EXPECT_EQ(after["warehouse_id"], want_place.at(q).first);
    EXPECT_EQ(after["loading_platform_id"], want_place.at(q).second);
    EXPECT_TRUE(after["prodcell_id"].is_null());
    for (const char* k : {"warehouse_id", "loading_platform_id", "prodcell_id"}) after.erase(k);
    auto b = before;
    b.erase("prodcell_id");
    EXPECT_EQ(after, b);
  }
  auto cam_after = by(rows(db, "SELECT * FROM camera"), "video_id");
  EXPECT_EQ(cam_after.at("CAMWH1")["warehouse_id"], "WH1");
  EXPECT_TRUE(cam_after.at("CAMWH1")["prodcell_id"].is_null());
  EXPECT_EQ(cam_after.at("CAMLD2")["loading_platform_id"], "LD2");
  EXPECT_TRUE(cam_after.at("CAMLD2")["prodcell_id"].is_null());
  EXPECT_EQ(cam_after.at("CAMU1")["prodcell_id"], "U1");
  EXPECT_TRUE(cam_after.at("CAMU1")["warehouse_id"].is_null());
  for (const auto& [id, before] : cameras) {
    auto after = cam_after.at(id);
    for (const char* k : {"warehouse_id", "loading_platform_id", "prodcell_id"}) after.erase(k);
    auto b = before;
    b.erase("prodcell_id");
    EXPECT_EQ(after, b) << id;
  }

  // A process named on a moved cell is run by the enterprise: one enterprise-wide row, unless
  // one was there (LD2's E1503 of enterprise B).
  auto procs = rows(db,
                    "SELECT company_code, coalesce(prodcell_id, '') AS cell, process_code, "
                    "is_active FROM enterprise_process ORDER BY company_code, process_code, cell");
  EXPECT_EQ(procs, json::parse(R"([
    {"company_code": "14010500001", "cell": "", "process_code": "E1504", "is_active": true},
    {"company_code": "14010500001", "cell": "U1", "process_code": "E1504", "is_active": true},
    {"company_code": "14020100002", "cell": "", "process_code": "E1503", "is_active": true}])"));

  // Only tank farms and units remain production cells; the new tables bump the registry version.
  EXPECT_THROW(db.in_tx([](hazmon::storage::Tx& tx) {
    tx.exec(
        "INSERT INTO production_cell(prodcell_id, company_code, hazard_code, cell_type, name) "
        "VALUES ('WH9', '14010500001', '14010500001001', 'warehouse', 'x')");
  }),
               std::exception);
  db.in_tx([](hazmon::storage::Tx& tx) {
    tx.exec(
        "UPDATE warehouse SET fire_class = '丙', fire_class_item = 2 WHERE warehouse_id = 'WH1'");
  });
  EXPECT_NE(rows(db, "SELECT version FROM registry_version")[0]["version"], version_before);
  EXPECT_THROW(db.in_tx([](hazmon::storage::Tx& tx) {
    tx.exec(
        "UPDATE warehouse SET fire_class = '丁', fire_class_item = 1 WHERE warehouse_id = 'WH1'");
  }),
               std::exception);
}
