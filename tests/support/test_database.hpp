#pragma once
// A fresh database per test binary in the PostgreSQL that the test suite started (ctest
// fixture `pg`, DSN in $HAZMON_TEST_PG_DSN), with every migration applied; dropped at the end.
#include <memory>
#include <string>

#include <hazmon/storage/database.hpp>

namespace hazmon::test {

class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  storage::Database& db() { return *db_; }
  const std::string& dsn() const { return dsn_; }
  const std::string& admin_dsn() const { return admin_dsn_; }
  // Runs one statement in its own committed transaction.
  void exec(const std::string& sql);

 private:
  std::string admin_dsn_, name_, dsn_;
  std::unique_ptr<storage::Database> db_;
};

// The shared database of this test binary (created on first use).
TestDatabase& shared_db();

}  // namespace hazmon::test
