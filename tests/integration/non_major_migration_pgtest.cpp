// Migration 0020 (issue 12, ADR 0019): a database at the schema before it, with a unit, points,
// a camera, alarms, an open warning event and an edited warning rule, is migrated; nothing
// changes but the new columns (null) and the seeded rules for unranked units, and afterwards the
// database accepts non-major units and enterprise-level points while keeping the code rules.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/migrations.hpp>

#include "pgtest_util.hpp"

namespace fs = std::filesystem;
using hazmon::storage::Database;
using hazmon::storage::Migrator;
using nlohmann::json;
using namespace hazmon::test;

namespace {
constexpr int kVersion = 20;

const char* kSeed = R"SQL(
INSERT INTO region(code, name, level, parent_code) VALUES ('140105', '小店区', 'county', '140100');
INSERT INTO enterprise(company_code, name, region_code) VALUES
  ('14010500001', '迁移甲', '140105'), ('14010500002', '迁移乙', '140105');
INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES
  ('14010500001001', '14010500001', '罐区', 2), ('14010500002001', '14010500002', '罐区', 4);
INSERT INTO production_cell(prodcell_id, company_code, hazard_code, cell_type, name) VALUES
  ('U1', '14010500001', '14010500001001', 'unit', '硝化装置'),
  ('U2', '14010500002', '14010500002001', 'tank_farm', '乙罐区');
INSERT INTO monitoring_point(quota_code, company_code, hazard_code, name, indicator_type,
    value_kind, h, hh) VALUES
  ('P1', '14010500001', '14010500001001', '液位', 'level', 'analog', 15, 18),
  ('P2', '14010500002', '14010500002001', '压力', 'pressure', 'analog', 1, 2);
INSERT INTO camera(video_id, company_code, hazard_code, prodcell_id, name, scene_type) VALUES
  ('C1', '14010500001', NULL, 'U1', '装置区', 'process_unit');
INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, alarm_type, is_data_fault,
    start_ts, raised_ts) SELECT point_id, quota_code, company_code, hazard_code, 'HH', false,
    '2026-12-01T00:00:00Z', '2026-12-01T00:00:30Z' FROM monitoring_point WHERE quota_code = 'P1';
INSERT INTO warning_event(event_no, company_code, hazard_code, level, initial_level, rule_id,
    category, content, status, first_ts, last_ts) VALUES
  ('YJ20261201000001', '14010500001', '14010500001001', 'orange', 'orange', 1, 'threshold', '迁移',
   'pushed', '2026-12-01T00:00:00Z', '2026-12-01T00:00:30Z');
UPDATE warning_rule SET level_by_rank = '{"3":"orange","4":"yellow"}' WHERE id = 2;
INSERT INTO warning_rule(id, name, category, alarm_types, hazard_ranks, level_by_rank) VALUES
  (101, '本省自定规则', 'threshold', '["H"]', '[4]', '{"4":"blue"}');
)SQL";

json rows(Database& db, const std::string& sql) {
  return db.in_tx([&](hazmon::storage::Tx& tx) { return tx.exec(sql); });
}
void exec(Database& db, const std::string& sql) {
  db.in_tx([&](hazmon::storage::Tx& tx) { tx.exec(sql); });
}

constexpr const char* kTables[] = {"production_cell", "monitoring_point", "camera", "alarm",
                                   "warning_event"};
}  // namespace

TEST(NonMajorMigration, KeepsEveryRowAndSeedsTheUnrankedRules) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(kVersion);
  Migrator m(db, dir.dir());
  m.migrate();
  ASSERT_FALSE(m.status().applied.empty());
  ASSERT_LT(m.status().applied.back(), kVersion);
  exec(db, kSeed);

  std::map<std::string, json> before;
  for (const char* t : kTables)
    before[t] = rows(db, std::string("SELECT to_jsonb(x) AS r FROM ") + t + " x ORDER BY 1");
  auto rules_before = rows(db, "SELECT to_jsonb(r) AS r FROM warning_rule r ORDER BY id");
  ASSERT_EQ(rules_before.size(), 6u);

  dir.add(kVersion);
  ASSERT_EQ(m.migrate(), std::vector<int>{kVersion});

  // Every old row as it was; the new columns (points' and events' prodcell_id) are null.
  for (const char* t : kTables) {
    SCOPED_TRACE(t);
    bool added = std::string(t) == "monitoring_point" || std::string(t) == "warning_event";
    auto after = rows(db, std::string("SELECT to_jsonb(x)") + (added ? " - 'prodcell_id'" : "") +
                              " AS r FROM " + t + " x ORDER BY 1");
    EXPECT_EQ(after, before[t]);
    if (added)
      EXPECT_EQ(rows(db, std::string("SELECT count(*) AS n FROM ") + t +
                             " WHERE prodcell_id IS NOT NULL")[0]["n"],
                0);
  }
  auto cam = rows(db, "SELECT prodcell_id FROM camera WHERE video_id = 'C1'");
  EXPECT_EQ(cam[0]["prodcell_id"], "U1");

  // The rules: 1–5 and the province's own as they were (rule 2 edited), 6–9 for unranked units.
  auto rules = rows(db, "SELECT to_jsonb(r) AS r FROM warning_rule r ORDER BY id");
  ASSERT_EQ(rules.size(), 10u);
  for (std::size_t i = 0, j = 0; i < rules.size(); ++i) {
    auto id = rules[i]["r"]["id"].get<long long>();
    if (id >= 6 && id <= 9) {
      EXPECT_EQ(rules[i]["r"]["hazard_ranks"], json::array({"unranked"})) << id;
      EXPECT_TRUE(rules[i]["r"]["level_by_rank"].contains("unranked")) << id;
      EXPECT_EQ(rules[i]["r"]["level_by_rank"].size(), 1u) << id;
    } else {
      EXPECT_EQ(rules[i]["r"], rules_before[j++]["r"]) << id;
    }
  }
  EXPECT_EQ(rows(db, "SELECT level_by_rank FROM warning_rule WHERE id = 8")[0]["level_by_rank"],
            json({{"unranked", "yellow"}}));
}

TEST(NonMajorMigration, AcceptsNonMajorUnitsAndKeepsTheCodeRules) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(kVersion + 1);
  Migrator m(db, dir.dir());
  m.migrate();
  exec(db, kSeed);

  // A non-major unit, a point on it, a point on the enterprise, their alarms, a camera.
  exec(db,
       "INSERT INTO production_cell(prodcell_id, company_code, cell_type, name) VALUES "
       "('NM1', '14010500001', 'unit', '硝酸铵仓库'), ('NM2', '14010500001', 'unit', '装卸区')");
  exec(db,
       "INSERT INTO monitoring_point(quota_code, company_code, prodcell_id, name, indicator_type, "
       "value_kind) VALUES ('G1', '14010500001', 'NM1', '仓库可燃气体', 'combustible', 'analog'), "
       "('G2', '14010500001', NULL, '厂区有毒气体', 'toxic', 'analog')");
  exec(db,
       "INSERT INTO camera(video_id, company_code, prodcell_id, name, scene_type) VALUES "
       "('C2', '14010500001', 'NM1', '仓库', 'warehouse')");
  exec(db,
       "INSERT INTO alarm(point_id, quota_code, company_code, hazard_code, alarm_type, "
       "is_data_fault, start_ts, raised_ts) SELECT point_id, quota_code, company_code, NULL, "
       "'HH', false, now(), now() FROM monitoring_point WHERE quota_code IN ('G1', 'G2')");
  EXPECT_EQ(rows(db, "SELECT count(*) AS n FROM alarm WHERE hazard_code IS NULL")[0]["n"], 2);

  // One open sensor event per non-major unit and one for the enterprise's own points.
  auto event = [](const std::string& no, const std::string& unit) {
    return "INSERT INTO warning_event(event_no, company_code, hazard_code, prodcell_id, level, "
           "initial_level, rule_id, category, content, status, first_ts, last_ts) VALUES ('" +
           no + "', '14010500001', NULL, " + unit +
           ", 'blue', 'blue', 6, 'threshold', 'x', 'pushed', now(), now())";
  };
  exec(db, event("YJ1", "'NM1'"));
  exec(db, event("YJ2", "'NM2'"));
  exec(db, event("YJ3", "NULL"));
  EXPECT_ANY_THROW(exec(db, event("YJ4", "'NM1'")));
  EXPECT_ANY_THROW(exec(db, event("YJ5", "NULL")));
  exec(db, "UPDATE warning_event SET status = 'closed' WHERE event_no = 'YJ1'");
  exec(db, event("YJ6", "'NM1'"));  // closed: a new one may open

  // The code rules stay: units, points and cameras are their enterprise's.
  EXPECT_ANY_THROW(exec(db,
                        "INSERT INTO production_cell(prodcell_id, company_code, hazard_code, "
                        "cell_type, name) VALUES ('X1', '14010500001', '14010500002001', 'unit', "
                        "'x')"));
  EXPECT_ANY_THROW(exec(db,
                        "INSERT INTO monitoring_point(quota_code, company_code, prodcell_id, name, "
                        "indicator_type, value_kind) VALUES ('X2', '14010500002', 'NM1', 'x', "
                        "'toxic', 'analog')"));
  EXPECT_ANY_THROW(exec(db,
                        "INSERT INTO monitoring_point(quota_code, company_code, hazard_code, name, "
                        "indicator_type, value_kind) VALUES ('X3', '14010500001', "
                        "'14010500002001', 'x', 'toxic', 'analog')"));
  EXPECT_ANY_THROW(exec(db,
                        "INSERT INTO camera(video_id, company_code, prodcell_id, name, scene_type) "
                        "VALUES ('X4', '14010500002', 'NM1', 'x', 'other')"));
  // Equipment belongs to a hazard source: a point without one names none.
  exec(db,
       "INSERT INTO equipment(equip_code, company_code, hazard_code, equip_type, name) VALUES "
       "('14010500001001G0001', '14010500001', '14010500001001', 'G0', '储罐')");
  EXPECT_ANY_THROW(exec(db,
                        "INSERT INTO monitoring_point(quota_code, company_code, equip_code, name, "
                        "indicator_type, value_kind) VALUES ('X5', '14010500001', "
                        "'14010500001001G0001', 'x', 'level', 'analog')"));
  exec(db,
       "INSERT INTO monitoring_point(quota_code, company_code, hazard_code, equip_code, name, "
       "indicator_type, value_kind) VALUES ('OK5', '14010500001', '14010500001001', "
       "'14010500001001G0001', 'x', 'level', 'analog')");
  EXPECT_EQ(
      rows(db, "SELECT count(*) AS n FROM monitoring_point WHERE quota_code LIKE 'X%'")[0]["n"], 0);
}
