#include <hazmon/storage/migrations.hpp>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/storage/database.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

namespace hazmon::storage {
namespace fs = std::filesystem;
using core::Errc;
using core::Error;

namespace {
// Arbitrary but fixed: every hazmond of one database serialises migrations on it.
constexpr const char* kLockKey = "7418862071";

void ensure_table(Database& db) {
  db.in_tx([](Tx& tx) {
    tx.exec("SELECT pg_advisory_xact_lock(" + std::string(kLockKey) + ")");
    tx.exec(R"(CREATE TABLE IF NOT EXISTS schema_migrations (
                 version integer PRIMARY KEY,
                 name text NOT NULL,
                 checksum text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()))");
  });
}

std::map<int, std::string> applied_checksums(Tx& tx) {
  std::map<int, std::string> out;
  for (auto& r : tx.exec("SELECT version, checksum FROM schema_migrations"))
    out[r["version"].get<int>()] = r["checksum"].get<std::string>();
  return out;
}

void verify(const std::vector<Migration>& files, const std::map<int, std::string>& applied) {
  for (auto& [version, checksum] : applied) {
    auto it =
        std::find_if(files.begin(), files.end(), [&](auto& m) { return m.version == version; });
    if (it == files.end()) {
      throw Error(Errc::internal,
                  "migration " + std::to_string(version) +
                      " is applied in the database but missing from the migrations directory");
    }
    if (it->checksum != checksum) {
      throw Error(Errc::internal, "migration " + std::to_string(version) + " (" + it->name +
                                      ") was changed after it was applied: checksum mismatch. "
                                      "Migrations are forward-only; add a new file instead.");
    }
  }
}
}  // namespace

Migrator::Migrator(Database& db, fs::path dir) : db_(db), dir_(std::move(dir)) {}

std::vector<Migration> Migrator::load() const {
  static const std::regex kName(R"(^(\d{4})_([a-z0-9_]+)\.sql$)");
  std::vector<Migration> out;
  if (!fs::is_directory(dir_))
    throw Error(Errc::internal, "migrations directory " + dir_.string() + " not found");
  for (auto& entry : fs::directory_iterator(dir_)) {
    auto fname = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    std::smatch m;
    if (!std::regex_match(fname, m, kName)) {
      throw Error(Errc::internal, "migration file name " + fname + " is not NNNN_name.sql");
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    Migration mig{std::stoi(m[1]), m[2], core::sha256_hex(ss.str()), ss.str()};
    out.push_back(std::move(mig));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version)
      throw Error(Errc::internal, "two migrations share version " + std::to_string(out[i].version));
  }
  return out;
}

std::vector<int> Migrator::migrate() {
  auto files = load();
  ensure_table(db_);
  std::vector<int> done;
  auto log = core::logger(core::LogModule::storage);
  for (const auto& m : files) {
    bool applied_now = db_.in_tx([&](Tx& tx) {
      tx.exec("SELECT pg_advisory_xact_lock(" + std::string(kLockKey) + ")");
      auto applied = applied_checksums(tx);
      verify(files, applied);
      if (applied.count(m.version)) return false;
      log->info("applying migration {:04d}_{}", m.version, m.name);
      tx.exec(m.sql);
      tx.exec("INSERT INTO schema_migrations(version, name, checksum) VALUES ($1, $2, $3)",
              {std::to_string(m.version), m.name, m.checksum});
      return true;
    });
    if (applied_now) done.push_back(m.version);
  }
  return done;
}

MigrationStatus Migrator::status() {
  auto files = load();
  MigrationStatus st;
  auto tx = db_.begin();
  auto exists = tx.exec_one("SELECT to_regclass('schema_migrations') IS NOT NULL AS e");
  std::map<int, std::string> applied;
  if (exists["e"].get<bool>()) applied = applied_checksums(tx);
  verify(files, applied);
  for (auto& m : files) (applied.count(m.version) ? st.applied : st.pending).push_back(m.version);
  return st;
}

}  // namespace hazmon::storage
