#include "test_database.hpp"

#include <gtest/gtest.h>

#include <hazmon/config/config.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/storage/embedded_postgres.hpp>
#include <hazmon/storage/migrations.hpp>

#include <algorithm>
#include <cstdlib>

namespace hazmon::test {

TestDatabase::TestDatabase() {
  const char* dsn = std::getenv("HAZMON_TEST_PG_DSN");
  if (!dsn || !*dsn)
    throw std::runtime_error(
        "HAZMON_TEST_PG_DSN is not set: run the tests through ctest (fixture pg)");
  admin_dsn_ = dsn;
  std::string token = core::random_token(6);
  std::transform(token.begin(), token.end(), token.begin(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : 'x';
  });
  name_ = "t_" + token;
  storage::create_database(admin_dsn_, name_);
  dsn_ = admin_dsn_ + " dbname=" + name_;  // libpq takes the last value of a repeated keyword
  storage::DbSettings s;
  s.dsn = dsn_;
  s.pool_size = 16;
  db_ = std::make_unique<storage::Database>(s);
  storage::Migrator(*db_, config::home_dir() / "migrations").migrate();
}

TestDatabase::~TestDatabase() {
  db_.reset();
  try {
    storage::drop_database(admin_dsn_, name_);
  } catch (const std::exception&) {
    // A leftover database in the throw-away test cluster harms nothing.
  }
}

void TestDatabase::exec(const std::string& sql) {
  db_->in_tx([&](storage::Tx& tx) { tx.exec(sql); });
}

TestDatabase& shared_db() {
  static TestDatabase db;
  return db;
}

}  // namespace hazmon::test
