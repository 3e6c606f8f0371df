#pragma once
// Forward-only SQL migrations: migrations/NNNN_name.sql, applied in order, each in its own
// transaction under an advisory lock, recorded with a SHA-256 checksum in schema_migrations.
#include <filesystem>
#include <string>
#include <vector>

namespace hazmon::storage {

class Database;

struct Migration {
  int version = 0;
  std::string name;
  std::string checksum;
  std::string sql;
};

struct MigrationStatus {
  std::vector<int> applied;
  std::vector<int> pending;
};

class Migrator {
 public:
  Migrator(Database& db, std::filesystem::path dir);
  // Reads and orders the files; throws on a malformed name or a duplicate version.
  std::vector<Migration> load() const;
  // Applies what is pending; returns the versions applied now. A changed checksum of an
  // applied file, or an applied version missing on disk, is an error.
  std::vector<int> migrate();
  MigrationStatus status();

 private:
  Database& db_;
  std::filesystem::path dir_;
};

}  // namespace hazmon::storage
