#include "database_setup.hpp"

#include <spdlog/spdlog.h>

#include <hazmon/config/config.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/storage/migrations.hpp>

namespace hazmon::app {

DatabaseHandle open_database(const nlohmann::json& cfg, int pool_size) {
  const auto& dbc = cfg["database"];
  DatabaseHandle h;
  storage::DbSettings s;
  s.pool_size = pool_size;
  s.statement_timeout = std::chrono::milliseconds(dbc["statement_timeout_ms"].get<int>());
  auto dsn =
      config::read_secret(dbc["dsn_env"].get<std::string>(), dbc["dsn_file"].get<std::string>());
  if (dsn) {
    s.dsn = *dsn;
    h.description =
        "external PostgreSQL (DSN from " + dbc["dsn_env"].get<std::string>() + " or dsn_file)";
  } else {
    storage::EmbeddedPgSettings es;
    es.dir = std::filesystem::path(cfg["state_dir"].get<std::string>()) / "pg";
    es.run_as = dbc["embedded"]["run_as"].get<std::string>();
    es.database = dbc["embedded"]["database"].get<std::string>();
    h.embedded = std::make_unique<storage::EmbeddedPostgres>(es);
    h.embedded->start();
    s.dsn = h.embedded->dsn();
    h.description = "embedded PostgreSQL in " + es.dir.string();
  }
  h.db = std::make_unique<storage::Database>(s);
  core::logger(core::LogModule::app)->info("database: {}", h.description);
  return h;
}

int run_migrations(storage::Database& db) {
  storage::Migrator m(db, config::home_dir() / "migrations");
  auto applied = m.migrate();
  core::logger(core::LogModule::app)->info("migrations: {} applied now", applied.size());
  return static_cast<int>(applied.size());
}

}  // namespace hazmon::app
