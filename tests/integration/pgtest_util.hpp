#pragma once
// Small helpers shared by the *_pgtest.cpp files of hazmon_pgtest.
#include <gtest/gtest.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/embedded_postgres.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace hazmon::test {

inline const std::filesystem::path& source_dir() {
  static const std::filesystem::path p = HAZMON_SOURCE_DIR;
  return p;
}

// What a call threw: the core::Error's code, message and field pointers.
struct Caught {
  core::Errc code = core::Errc::internal;
  std::string message;
  std::vector<core::FieldError> fields;
  bool has_pointer(const std::string& pointer) const {
    return std::any_of(fields.begin(), fields.end(), [&](auto& f) { return f.pointer == pointer; });
  }
  std::string pointers() const {
    std::string s;
    for (auto& f : fields) s += f.pointer + " (" + f.message + ") ";
    return s;
  }
};

// Runs fn and returns what it threw; a test failure (and nullopt) when it throws nothing.
template <typename F>
std::optional<Caught> caught(F&& fn) {
  try {
    fn();
  } catch (const core::Error& e) {
    return Caught{e.code(), e.what(), e.fields()};
  }
  ADD_FAILURE() << "expected a core::Error";
  return std::nullopt;
}

inline model::Principal principal(model::Role role, model::Scope scope, std::string name = "tester",
                                  long long id = 0) {
  model::Principal p;
  p.id = id;
  p.name = std::move(name);
  p.role = role;
  p.scope = std::move(scope);
  return p;
}
inline model::Principal province_admin() {
  return principal(model::Role::province_admin, model::Scope::province(), "padmin");
}
inline model::Principal city_officer(const std::string& city) {
  return principal(model::Role::city_officer, model::Scope::region(city), "city" + city);
}

inline std::string lower_token(std::size_t bytes) {
  std::string t = core::random_token(bytes);
  std::transform(t.begin(), t.end(), t.begin(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ? std::tolower(c) : 'x';
  });
  return t;
}

// A migration test's own migrations/: those numbered below `below`, copied into a temporary
// directory (removed again at the end); add() copies one more, so that a test can fill the
// schema as it stood and then apply the migration under test.
class MigrationsBelow {
 public:
  explicit MigrationsBelow(int below)
      : dir_(std::filesystem::temp_directory_path() / ("hazmon-migrations-" + lower_token(6))) {
    std::filesystem::create_directories(dir_);
    for (auto& e : std::filesystem::directory_iterator(source_dir() / "migrations"))
      if (e.path().extension() == ".sql" && std::stoi(e.path().filename().string()) < below)
        std::filesystem::copy_file(e.path(), dir_ / e.path().filename());
  }
  ~MigrationsBelow() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  MigrationsBelow(const MigrationsBelow&) = delete;
  MigrationsBelow& operator=(const MigrationsBelow&) = delete;
  void add(int version) {
    for (auto& e : std::filesystem::directory_iterator(source_dir() / "migrations"))
      if (e.path().extension() == ".sql" && std::stoi(e.path().filename().string()) == version)
        std::filesystem::copy_file(e.path(), dir_ / e.path().filename());
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// A database with nothing in it (no migrations), dropped at the end; for the Migrator.
class EmptyDatabase {
 public:
  EmptyDatabase() {
    const char* dsn = std::getenv("HAZMON_TEST_PG_DSN");
    if (!dsn || !*dsn)
      throw std::runtime_error("HAZMON_TEST_PG_DSN is not set: run the tests through ctest");
    admin_dsn_ = dsn;
    name_ = "e_" + lower_token(6);
    storage::create_database(admin_dsn_, name_);
    dsn_ = admin_dsn_ + " dbname=" + name_;
  }
  ~EmptyDatabase() {
    dbs_.clear();
    try {
      storage::drop_database(admin_dsn_, name_);
    } catch (const std::exception&) {
    }
  }
  // A new pool on this database (each racing migrator gets its own).
  storage::Database& open(int pool_size = 4) {
    storage::DbSettings s;
    s.dsn = dsn_;
    s.pool_size = pool_size;
    dbs_.push_back(std::make_unique<storage::Database>(s));
    return *dbs_.back();
  }

 private:
  std::string admin_dsn_, name_, dsn_;
  std::vector<std::unique_ptr<storage::Database>> dbs_;
};

}  // namespace hazmon::test
