// The Migrator against an empty database: order, checksums, idempotence, tampering, bad file
// names and two migrators racing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/migrations.hpp>

#include <fstream>
#include <latch>
#include <set>
#include <thread>

#include "pgtest_util.hpp"

namespace fs = std::filesystem;
using hazmon::core::Errc;
using hazmon::storage::Database;
using hazmon::storage::Migrator;
using namespace hazmon::test;

namespace {

// A copy of migrations/ in a temporary directory that a test may edit.
class MigrationsCopy {
 public:
  MigrationsCopy() : dir_(fs::temp_directory_path() / ("hazmon-migrations-" + lower_token(6))) {
    fs::create_directories(dir_);
    for (auto& e : fs::directory_iterator(source_dir() / "migrations"))
      fs::copy_file(e.path(), dir_ / e.path().filename());
  }
  ~MigrationsCopy() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }
  void write(const std::string& name, const std::string& text) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << text;
  }
  void append(const std::string& name, const std::string& text) {
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::app);
    out << text;
  }

 private:
  fs::path dir_;
};

std::vector<int> shipped_versions() {
  std::vector<int> v;
  for (auto& e : fs::directory_iterator(source_dir() / "migrations"))
    if (e.path().extension() == ".sql")
      v.push_back(std::stoi(e.path().filename().string().substr(0, 4)));
  std::sort(v.begin(), v.end());
  return v;
}

nlohmann::json recorded(Database& db) {
  auto tx = db.begin();
  return tx.exec("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
}

bool table_exists(Database& db, const std::string& name) {
  auto tx = db.begin();
  return tx.exec_one("SELECT to_regclass($1) IS NOT NULL AS e", {name})["e"].get<bool>();
}

}  // namespace

TEST(Migrator, AppliesEveryMigrationInOrderAndRecordsChecksums) {
  EmptyDatabase edb;
  auto& db = edb.open();
  Migrator m(db, source_dir() / "migrations");
  auto files = m.load();
  auto expected = shipped_versions();
  ASSERT_GE(expected.size(), 3u);
  ASSERT_EQ(files.size(), expected.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].version, expected[i]);
    EXPECT_EQ(files[i].version, static_cast<int>(i) + 1) << "versions are 0001..000N without gaps";
  }

  auto before = m.status();
  EXPECT_TRUE(before.applied.empty());
  EXPECT_EQ(before.pending, expected);

  EXPECT_EQ(m.migrate(), expected);

  auto rows = recorded(db);
  ASSERT_EQ(rows.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(rows[i]["version"], files[i].version);
    EXPECT_EQ(rows[i]["name"], files[i].name);
    EXPECT_EQ(rows[i]["checksum"], hazmon::core::sha256_hex(files[i].sql));
    EXPECT_EQ(rows[i]["checksum"].get<std::string>().size(), 64u);
  }
  EXPECT_EQ(rows[0]["name"], "auth_audit");
  {
    // Applied one after the other, each in its own transaction: applied_at follows the version.
    auto tx = db.begin();
    auto order = tx.exec_one(
        "SELECT json_agg(version ORDER BY applied_at, version) AS v FROM schema_migrations");
    EXPECT_EQ(order["v"], nlohmann::json(expected));
  }
  EXPECT_TRUE(table_exists(db, "app_user"));
  EXPECT_TRUE(table_exists(db, "enterprise"));
  EXPECT_TRUE(table_exists(db, "deployment_task"));

  auto after = m.status();
  EXPECT_EQ(after.applied, expected);
  EXPECT_TRUE(after.pending.empty());
}

TEST(Migrator, SecondRunAppliesNothing) {
  EmptyDatabase edb;
  auto& db = edb.open();
  Migrator m(db, source_dir() / "migrations");
  EXPECT_FALSE(m.migrate().empty());
  auto first = recorded(db);
  EXPECT_TRUE(m.migrate().empty());
  EXPECT_TRUE(Migrator(db, source_dir() / "migrations").migrate().empty());
  EXPECT_EQ(recorded(db), first);
}

TEST(Migrator, AppliesOnlyANewMigration) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsCopy copy;
  Migrator m(db, copy.dir());
  auto applied = m.migrate();
  int next = applied.back() + 1;
  char name[32];
  std::snprintf(name, sizeof name, "%04d_probe_table.sql", next);
  copy.write(name, "CREATE TABLE migration_probe (id integer PRIMARY KEY);\n");
  EXPECT_EQ(m.status().pending, std::vector<int>{next});
  EXPECT_EQ(m.migrate(), std::vector<int>{next});
  EXPECT_TRUE(table_exists(db, "migration_probe"));
  EXPECT_EQ(recorded(db).back()["name"], "probe_table");
}

TEST(Migrator, ChangedChecksumOfAnAppliedMigrationIsRefused) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsCopy copy;
  Migrator m(db, copy.dir());
  auto applied = m.migrate();
  ASSERT_GE(applied.size(), 2u);
  copy.append("0002_registry.sql", "\n-- edited after it was applied\n");
  // A new file that must not be applied while the history is inconsistent.
  copy.write("0099_after_edit.sql", "CREATE TABLE after_edit (id integer);\n");

  auto on_migrate = caught([&] { m.migrate(); });
  ASSERT_TRUE(on_migrate);
  EXPECT_NE(on_migrate->message.find("migration 2 "), std::string::npos) << on_migrate->message;
  EXPECT_NE(on_migrate->message.find("checksum"), std::string::npos) << on_migrate->message;
  EXPECT_FALSE(table_exists(db, "after_edit"));

  auto on_status = caught([&] { m.status(); });
  ASSERT_TRUE(on_status);
  EXPECT_NE(on_status->message.find("migration 2 "), std::string::npos) << on_status->message;
}

TEST(Migrator, AppliedMigrationMissingOnDiskIsRefused) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsCopy copy;
  Migrator m(db, copy.dir());
  auto applied = m.migrate();
  char name[32];
  std::snprintf(name, sizeof name, "%04d_", applied.back());
  for (auto& e : fs::directory_iterator(copy.dir()))
    if (e.path().filename().string().rfind(name, 0) == 0) fs::remove(e.path());
  auto c = caught([&] { m.migrate(); });
  ASSERT_TRUE(c);
  EXPECT_NE(c->message.find("migration " + std::to_string(applied.back()) + " is applied"),
            std::string::npos)
      << c->message;
}

TEST(Migrator, UnparseableFileNameThrows) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsCopy copy;
  copy.write("README.md", "not a migration, ignored\n");
  EXPECT_EQ(Migrator(db, copy.dir()).load().size(), shipped_versions().size());

  copy.write("4-add-things.sql", "SELECT 1;\n");
  Migrator m(db, copy.dir());
  auto on_load = caught([&] { m.load(); });
  ASSERT_TRUE(on_load);
  EXPECT_NE(on_load->message.find("4-add-things.sql"), std::string::npos) << on_load->message;
  auto on_migrate = caught([&] { m.migrate(); });
  ASSERT_TRUE(on_migrate);
  EXPECT_NE(on_migrate->message.find("4-add-things.sql"), std::string::npos) << on_migrate->message;
  // Nothing was applied: the file list is checked before anything runs.
  EXPECT_FALSE(table_exists(db, "app_user"));
}

TEST(Migrator, DuplicateVersionThrows) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsCopy copy;
  copy.write("0003_another.sql", "SELECT 1;\n");
  auto c = caught([&] { Migrator(db, copy.dir()).load(); });
  ASSERT_TRUE(c);
  EXPECT_NE(c->message.find("share version 3"), std::string::npos) << c->message;
}

TEST(Migrator, MissingDirectoryThrows) {
  EmptyDatabase edb;
  auto& db = edb.open();
  auto c = caught([&] { Migrator(db, source_dir() / "no-such-migrations").migrate(); });
  ASSERT_TRUE(c);
  EXPECT_NE(c->message.find("not found"), std::string::npos) << c->message;
}

TEST(Migrator, TwoMigratorsRacingApplyEachMigrationOnce) {
  EmptyDatabase edb;
  auto& db1 = edb.open();
  auto& db2 = edb.open();
  std::vector<int> got[2];
  std::string errors[2];
  std::latch go(2);
  auto run = [&](int i, Database& db) {
    go.arrive_and_wait();
    try {
      got[i] = Migrator(db, source_dir() / "migrations").migrate();
    } catch (const std::exception& e) {
      errors[i] = e.what();
    }
  };
  std::thread a(run, 0, std::ref(db1));
  std::thread b(run, 1, std::ref(db2));
  a.join();
  b.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");

  std::vector<int> all = got[0];
  all.insert(all.end(), got[1].begin(), got[1].end());
  std::sort(all.begin(), all.end());
  EXPECT_EQ(all, shipped_versions()) << "each version applied by exactly one of the two";
  EXPECT_EQ(recorded(db1).size(), shipped_versions().size());
  auto st = Migrator(db2, source_dir() / "migrations").status();
  EXPECT_TRUE(st.pending.empty());
}
