#pragma once
// A private PostgreSQL 15 cluster under a directory, on a unix socket only, made with Debian's
// initdb and pg_ctl. Used by `hazmond serve` when no DSN is configured, and by the test suite.
#include <filesystem>
#include <string>
#include <vector>

namespace hazmon::storage {

struct EmbeddedPgSettings {
  std::filesystem::path dir;        // cluster data in dir/data, socket in dir/run, log in dir/log
  std::string run_as = "postgres";  // used only when running as root
  std::string database = "hazmon";
};

class EmbeddedPostgres {
 public:
  explicit EmbeddedPostgres(EmbeddedPgSettings s);
  ~EmbeddedPostgres();  // stops the cluster if this object started it
  EmbeddedPostgres(const EmbeddedPostgres&) = delete;

  // initdb on first use, start (or adopt a running server), create the database. Throws
  // core::Error with a sentence an operator can act on.
  void start();
  void stop();
  bool started_here() const { return started_here_; }
  // libpq connection string for `database` (or another database of the same cluster).
  std::string dsn(const std::string& database = {}) const;

 private:
  int run(const std::vector<std::string>& argv, bool quiet = false) const;
  bool is_running() const;
  EmbeddedPgSettings s_;
  std::filesystem::path bindir_;
  bool started_here_ = false;
};

// Outside a transaction (CREATE DATABASE cannot run inside one); used by tests and set-up.
void create_database(const std::string& admin_dsn, const std::string& name,
                     const std::string& template_db = {});
void drop_database(const std::string& admin_dsn, const std::string& name);

}  // namespace hazmon::storage
