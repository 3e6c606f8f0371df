// Migration 0029: warning_event.prodcell_id gets its foreign key. A database at the schema before
// it holds events that name a unit that is gone (a warehouse moved out by 0021, an id that never
// was, a unit of another enterprise) beside events of live units; the migration keeps every row,
// nulls the dangling ids with the old value in warning_event_unit_orphan, closes (with a disposal
// record) only an open orphan that would be a second open enterprise-level event, and the key
// holds afterwards.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/migrations.hpp>

#include "pgtest_util.hpp"

using hazmon::storage::Database;
using hazmon::storage::Migrator;
using nlohmann::json;
using namespace hazmon::test;

namespace {
constexpr int kVersion = 29;

const char* kSeed = R"SQL(
INSERT INTO region(code, name, level, parent_code) VALUES ('140105', '小店区', 'county', '140100');
INSERT INTO enterprise(company_code, name, region_code) VALUES
  ('14010500001', '外键甲', '140105'), ('14010500002', '外键乙', '140105');
INSERT INTO production_cell(prodcell_id, company_code, cell_type, name) VALUES
  ('U1', '14010500001', 'unit', '硝化装置');
INSERT INTO warehouse(warehouse_id, company_code, name) VALUES ('W1', '14010500001', '甲类仓库');
)SQL";

// (event_no, company, prodcell_id or NULL, status)
std::string event(const std::string& no, const std::string& company, const std::string& unit,
                  const std::string& status) {
  return "INSERT INTO warning_event(event_no, company_code, hazard_code, prodcell_id, level, "
         "initial_level, rule_id, category, content, status, first_ts, last_ts) VALUES ('" +
         no + "', '" + company + "', NULL, " + unit + ", 'blue', 'blue', 6, 'threshold', '" + no +
         "', '" + status + "', '2026-11-30T00:00:00Z', '2026-11-30T00:10:00Z')";
}

json rows(Database& db, const std::string& sql) {
  return db.in_tx([&](hazmon::storage::Tx& tx) { return tx.exec(sql); });
}
void exec(Database& db, const std::string& sql) {
  db.in_tx([&](hazmon::storage::Tx& tx) { tx.exec(sql); });
}
json by_no(Database& db, const std::string& sql) {
  json out = json::object();
  for (auto& r : rows(db, sql)) out[r["event_no"].get<std::string>()] = r;
  return out;
}
}  // namespace

TEST(EventUnitFkMigration, DanglingUnitsAreNulledLoggedAndKeptAndTheKeyHolds) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(kVersion);
  Migrator m(db, dir.dir());
  m.migrate();
  ASSERT_FALSE(m.status().applied.empty());
  ASSERT_LT(m.status().applied.back(), kVersion);
  exec(db, kSeed);
  const std::string a = "'14010500001'", b = "'14010500002'";
  exec(db, event("YJ1", "14010500001", "'U1'", "pushed"));    // a live unit: untouched
  exec(db, event("YJ2", "14010500001", "'W1'", "pushed"));    // moved to warehouse by 0021
  exec(db, event("YJ3", "14010500001", "'GONE'", "closed"));  // never was
  exec(db, event("YJ4", "14010500002", "NULL", "pending"));   // enterprise-level, open
  exec(db, event("YJ5", "14010500002", "'X9'", "fed_back"));  // would be a second open one
  exec(db, event("YJ6", "14010500002", "'U1'", "closed"));    // a unit of the other enterprise
  exec(db, event("YJ7", "14010500001", "'U1'", "closed"));    // a live unit, closed: untouched
  const char* kAll = "SELECT event_no, to_jsonb(w) AS r FROM warning_event w ORDER BY id";
  auto before = by_no(db, kAll);
  ASSERT_EQ(before.size(), 7u);

  dir.add(kVersion);
  ASSERT_EQ(m.migrate(), std::vector<int>{kVersion});

  // Every row is still there; those of live units and the enterprise-level one exactly as they
  // were.
  auto after = by_no(db, kAll);
  ASSERT_EQ(after.size(), 7u);
  for (const char* no : {"YJ1", "YJ4", "YJ7"}) EXPECT_EQ(after[no], before[no]) << no;
  // The orphans: prodcell_id null, nothing else changed except YJ5's closing.
  for (const char* no : {"YJ2", "YJ3", "YJ5", "YJ6"}) {
    SCOPED_TRACE(no);
    EXPECT_TRUE(after[no]["r"]["prodcell_id"].is_null());
    auto strip = [](json r) {
      for (const char* k : {"prodcell_id", "updated_at", "status", "closed_ts"}) r.erase(k);
      return r;
    };
    EXPECT_EQ(strip(after[no]["r"]), strip(before[no]["r"]));
  }
  EXPECT_EQ(after["YJ2"]["r"]["status"], "pushed");  // the enterprise had no open event: stays open
  EXPECT_EQ(after["YJ3"]["r"]["status"], "closed");
  EXPECT_EQ(after["YJ6"]["r"]["status"], "closed");
  EXPECT_EQ(after["YJ5"]["r"]["status"], "closed");
  EXPECT_FALSE(after["YJ5"]["r"]["closed_ts"].is_null());
  EXPECT_EQ(after["YJ4"]["r"]["status"], "pending");  // the enterprise's own stays the open one

  // The report: one row per orphan with the old value and where it lives now.
  auto log = by_no(db,
                   "SELECT w.event_no, o.company_code, o.prodcell_id, o.moved_to, o.status_before, "
                   "o.closed_by_migration FROM warning_event_unit_orphan o JOIN warning_event w "
                   "ON w.id = o.event_id");
  ASSERT_EQ(log.size(), 4u) << log.dump();
  EXPECT_EQ(log["YJ2"]["prodcell_id"], "W1");
  EXPECT_EQ(log["YJ2"]["moved_to"], "warehouse");
  EXPECT_EQ(log["YJ2"]["closed_by_migration"], false);
  EXPECT_EQ(log["YJ3"]["prodcell_id"], "GONE");
  EXPECT_TRUE(log["YJ3"]["moved_to"].is_null());
  EXPECT_EQ(log["YJ5"]["prodcell_id"], "X9");
  EXPECT_EQ(log["YJ5"]["status_before"], "fed_back");
  EXPECT_EQ(log["YJ5"]["closed_by_migration"], true);
  EXPECT_EQ(log["YJ6"]["prodcell_id"], "U1");
  EXPECT_EQ(log["YJ6"]["company_code"], "14010500002");
  EXPECT_EQ(log["YJ6"]["closed_by_migration"], false);

  // The closing is on the event's record, by the system.
  auto rec = rows(db,
                  "SELECT d.action, d.actor_role, d.from_status, d.to_status, d.text FROM "
                  "disposal_record d JOIN warning_event w ON w.id = d.event_id");
  ASSERT_EQ(rec.size(), 1u) << rec.dump();
  EXPECT_EQ(rec[0]["action"], "close");
  EXPECT_EQ(rec[0]["actor_role"], "system");
  EXPECT_EQ(rec[0]["from_status"], "fed_back");
  EXPECT_NE(rec[0]["text"].get<std::string>().find("X9"), std::string::npos);

  // The key holds: no unit that is not there, none of another enterprise; a live one is fine.
  EXPECT_ANY_THROW(exec(db, event("YJ8", "14010500001", "'GONE'", "closed")));
  EXPECT_ANY_THROW(exec(db, event("YJ9", "14010500002", "'U1'", "closed")));
  EXPECT_ANY_THROW(exec(db, "UPDATE warning_event SET prodcell_id = 'W1' WHERE event_no = 'YJ2'"));
  exec(db, event("YJ10", "14010500001", "'U1'", "closed"));
  EXPECT_ANY_THROW(exec(db, "DELETE FROM production_cell WHERE prodcell_id = 'U1'"));
  EXPECT_EQ(rows(db, "SELECT count(*) AS n FROM warning_event WHERE company_code = " + a)[0]["n"],
            5);
  EXPECT_EQ(rows(db, "SELECT count(*) AS n FROM warning_event WHERE company_code = " + b)[0]["n"],
            3);
}

TEST(EventUnitFkMigration, ADatabaseWithNoDanglingUnitLogsNothing) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(kVersion);
  Migrator m(db, dir.dir());
  m.migrate();
  exec(db, kSeed);
  exec(db, event("YJ1", "14010500001", "'U1'", "pushed"));
  exec(db, event("YJ2", "14010500001", "NULL", "pushed"));
  auto before = rows(db, "SELECT to_jsonb(w) AS r FROM warning_event w ORDER BY id");
  dir.add(kVersion);
  ASSERT_EQ(m.migrate(), std::vector<int>{kVersion});
  EXPECT_EQ(rows(db, "SELECT to_jsonb(w) AS r FROM warning_event w ORDER BY id"), before);
  EXPECT_EQ(rows(db, "SELECT count(*) AS n FROM warning_event_unit_orphan")[0]["n"], 0);
  EXPECT_EQ(rows(db, "SELECT count(*) AS n FROM disposal_record")[0]["n"], 0);
}

// The way such rows came to be: an event of a warehouse cell (a non-major unit) from before 0021,
// which moved the cell into `warehouse` and left the event's prodcell_id pointing nowhere.
TEST(EventUnitFkMigration, AnEventOfAWarehouseCellMovedBy0021IsKeptAndReported) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(21);
  Migrator m(db, dir.dir());
  m.migrate();
  ASSERT_EQ(m.status().applied.back(), 20);
  exec(db,
       "INSERT INTO region(code, name, level, parent_code) VALUES ('140105', '小店区', 'county', "
       "'140100'); INSERT INTO enterprise(company_code, name, region_code) VALUES "
       "('14010500001', '外键甲', '140105'); INSERT INTO production_cell(prodcell_id, "
       "company_code, cell_type, name) VALUES ('WH1', '14010500001', 'warehouse', '硝酸铵仓库'), "
       "('U1', '14010500001', 'unit', '硝化装置')");
  exec(db, event("YJ1", "14010500001", "'WH1'", "pushed"));
  exec(db, event("YJ2", "14010500001", "'U1'", "pushed"));
  for (int v = 21; v < kVersion; ++v) dir.add(v);
  m.migrate();
  ASSERT_LT(m.status().applied.back(), kVersion);
  // 0021 moved the cell and left the event as it was.
  ASSERT_EQ(rows(db, "SELECT count(*) AS n FROM warehouse WHERE warehouse_id = 'WH1'")[0]["n"], 1);
  ASSERT_EQ(
      rows(db, "SELECT prodcell_id FROM warning_event WHERE event_no = 'YJ1'")[0]["prodcell_id"],
      "WH1");

  dir.add(kVersion);
  ASSERT_EQ(m.migrate(), std::vector<int>{kVersion});
  auto ev = by_no(db, "SELECT event_no, prodcell_id, status FROM warning_event");
  EXPECT_TRUE(ev["YJ1"]["prodcell_id"].is_null());
  EXPECT_EQ(ev["YJ1"]["status"], "pushed");  // no other open enterprise-level event: stays open
  EXPECT_EQ(ev["YJ2"]["prodcell_id"], "U1");
  auto log = rows(db,
                  "SELECT prodcell_id, moved_to, closed_by_migration FROM "
                  "warning_event_unit_orphan");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["prodcell_id"], "WH1");
  EXPECT_EQ(log[0]["moved_to"], "warehouse");
  EXPECT_EQ(log[0]["closed_by_migration"], false);
}
