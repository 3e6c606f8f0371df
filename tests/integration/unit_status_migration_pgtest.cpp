// Migration 0027 (issue 12, unit run status for non-major units, overhaul filing fields): a
// database at the schema before it, with statuses of S0 units (one ended with its filing, one
// current) and filings of both origins, is migrated; every old row is as it was, the new columns
// are null, and afterwards a status names exactly one unit, a non-major unit has one current
// status, only an overhaul carries the overhaul fields and a filing may target a unit.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/migrations.hpp>

#include "pgtest_util.hpp"

using hazmon::storage::Database;
using hazmon::storage::Migrator;
using nlohmann::json;
using namespace hazmon::test;

namespace {
constexpr int kVersion = 27;

const char* kSeed = R"SQL(
INSERT INTO region(code, name, level, parent_code) VALUES ('140107', '杏花岭区', 'county', '140100');
INSERT INTO enterprise(company_code, name, region_code) VALUES ('14010700001', '迁移丙', '140107');
INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES
  ('14010700001001', '14010700001', '合成区', 2);
INSERT INTO equipment(equip_code, company_code, hazard_code, equip_type, name) VALUES
  ('14010700001001S0001', '14010700001', '14010700001001', 'S0', '合成装置'),
  ('14010700001001S0002', '14010700001', '14010700001001', 'S0', '精馏装置');
INSERT INTO production_cell(prodcell_id, company_code, cell_type, name) VALUES
  ('MNM1', '14010700001', 'unit', '硝酸铵造粒');
INSERT INTO filing(id, company_code, target_kind, target_code, filing_type, starts_at, ends_at,
    reason, person, status, approved_at, origin) VALUES
  (9001, '14010700001', 'equipment', '14010700001001S0001', 'overhaul', '2026-11-01T00:00:00Z',
   '2026-11-05T00:00:00Z', '检修', '甲', 'approved', '2026-11-01T00:00:00Z', 'unit_status'),
  (9002, '14010700001', 'hazard_source', '14010700001001', 'shutdown', '2026-11-02T00:00:00Z',
   '2026-11-03T00:00:00Z', '停车', '乙', 'pending', NULL, 'filing');
INSERT INTO unit_run_status(company_code, equip_code, status, begin_at, end_at, reason, source,
    filed_by, filing_id, created_at, updated_at) VALUES
  ('14010700001', '14010700001001S0001', 'overhaul', '2026-11-01T00:00:00Z',
   '2026-11-05T00:00:00Z', '检修', 'dashboard', 'ua', 9001, '2026-11-01T00:00:00Z',
   '2026-11-05T00:00:00Z'),
  ('14010700001', '14010700001001S0001', 'running', '2026-11-05T00:00:00Z', NULL, '',
   'upload', 'gw', NULL, '2026-11-05T00:00:00Z', '2026-11-05T00:00:00Z');
)SQL";

json rows(Database& db, const std::string& sql) {
  return db.in_tx([&](hazmon::storage::Tx& tx) { return tx.exec(sql); });
}
void exec(Database& db, const std::string& sql) {
  db.in_tx([&](hazmon::storage::Tx& tx) { tx.exec(sql); });
}
bool refused(Database& db, const std::string& sql) {
  try {
    exec(db, sql);
  } catch (const std::exception&) {
    return true;
  }
  return false;
}
std::string status_row(const std::string& unit_columns, const std::string& unit_values,
                       const std::string& status = "running", const std::string& extra_col = "",
                       const std::string& extra_val = "") {
  return "INSERT INTO unit_run_status(company_code, " + unit_columns + ", status, begin_at, " +
         "source, filed_by, created_at, updated_at" + extra_col + ") VALUES ('14010700001', " +
         unit_values + ", '" + status + "', now(), 'dashboard', 'u', now(), now()" + extra_val +
         ")";
}
constexpr const char* kNew =
    "'prodcell_id' - 'content' - 'unit_head' - 'responsible_person' - 'responsible_phone'";
}  // namespace

TEST(UnitStatusMigration, KeepsEveryStatusAndFilingAsItWas) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(kVersion);
  Migrator m(db, dir.dir());
  m.migrate();
  ASSERT_FALSE(m.status().applied.empty());
  ASSERT_LT(m.status().applied.back(), kVersion);
  exec(db, kSeed);
  auto statuses = rows(db, "SELECT to_jsonb(x) AS r FROM unit_run_status x ORDER BY id");
  auto filings = rows(db, "SELECT to_jsonb(x) AS r FROM filing x ORDER BY id");
  ASSERT_EQ(statuses.size(), 2u);

  dir.add(kVersion);
  ASSERT_EQ(m.migrate(), std::vector<int>{kVersion});

  EXPECT_EQ(rows(db, std::string("SELECT to_jsonb(x) - ") + kNew +
                         " AS r FROM unit_run_status x ORDER BY id"),
            statuses);
  EXPECT_EQ(rows(db,
                 "SELECT count(*) AS n FROM unit_run_status WHERE prodcell_id IS NULL AND content "
                 "IS NULL AND unit_head IS NULL AND responsible_person IS NULL AND "
                 "responsible_phone IS NULL AND equip_code IS NOT NULL")[0]["n"],
            2);
  EXPECT_EQ(rows(db, "SELECT to_jsonb(x) AS r FROM filing x ORDER BY id"), filings);
}

TEST(UnitStatusMigration, AStatusNamesOneUnitAndOnlyAnOverhaulCarriesItsFields) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(kVersion + 1);
  Migrator m(db, dir.dir());
  m.migrate();
  exec(db, kSeed);
  // A non-major unit's status; a second current one is refused, as for S0 units.
  exec(db, status_row("prodcell_id", "'MNM1'"));
  EXPECT_TRUE(refused(db, status_row("prodcell_id", "'MNM1'")));
  // Neither unit, both, an unknown cell, another enterprise's cell.
  EXPECT_TRUE(refused(db, status_row("prodcell_id", "NULL")));
  EXPECT_TRUE(refused(db, status_row("equip_code, prodcell_id", "'14010700001001S0002', 'MNM1'")));
  EXPECT_TRUE(refused(db, status_row("prodcell_id", "'NOSUCH'")));
  exec(db,
       "INSERT INTO enterprise(company_code, name, region_code) VALUES ('14010700002', '丁', "
       "'140107')");
  exec(db,
       "INSERT INTO production_cell(prodcell_id, company_code, cell_type, name) VALUES "
       "('MNM2', '14010700002', 'unit', '丁装置')");
  EXPECT_TRUE(refused(db, status_row("prodcell_id", "'MNM2'")));
  // The overhaul fields: on an overhaul, not on a stop; length-checked.
  EXPECT_TRUE(refused(db, status_row("equip_code", "'14010700001001S0002'", "stopped", ", content",
                                     ", '检修内容'")));
  EXPECT_TRUE(refused(db, status_row("equip_code", "'14010700001001S0002'", "overhaul",
                                     ", responsible_phone", ", '" + std::string(21, '1') + "'")));
  exec(db, status_row("equip_code", "'14010700001001S0002'", "overhaul",
                      ", content, responsible_person, responsible_phone",
                      ", '更换内件', '丙', '13912345678'"));
  // A filing may target a unit now; an unknown kind is still refused.
  const std::string filing =
      "INSERT INTO filing(company_code, target_kind, target_code, filing_type, starts_at, "
      "ends_at, status) VALUES ('14010700001', '%', 'MNM1', 'shutdown', now(), now() + interval "
      "'1 hour', 'approved')";
  auto with = [&](const std::string& kind) {
    auto s = filing;
    s.replace(s.find('%'), 1, kind);
    return s;
  };
  exec(db, with("unit"));
  EXPECT_TRUE(refused(db, with("warehouse")));
}
