#pragma once
// Where the database is: a DSN from the environment or a secret file, or the embedded cluster
// under state_dir/pg started here.
#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include <hazmon/storage/database.hpp>
#include <hazmon/storage/embedded_postgres.hpp>

namespace hazmon::app {

struct DatabaseHandle {
  std::unique_ptr<storage::EmbeddedPostgres> embedded;  // null with an external DSN
  std::unique_ptr<storage::Database> db;
  std::string description;  // for the log, without secrets
};

DatabaseHandle open_database(const nlohmann::json& cfg, int pool_size);
// Applies migrations from HAZMON_HOME/migrations; returns how many were applied.
int run_migrations(storage::Database& db);

}  // namespace hazmon::app
