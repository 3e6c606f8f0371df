#include <hazmon/storage/embedded_postgres.hpp>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/random.hpp>

#include <array>
#include <fstream>

namespace hazmon::storage {
namespace fs = std::filesystem;
using core::Errc;
using core::Error;

namespace {
constexpr const char* kSuperuser = "hazmon";

fs::path find_bindir() {
  for (const char* d :
       {"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"}) {
    if (fs::exists(fs::path(d) / "pg_ctl")) return d;
  }
  throw Error(
      Errc::unavailable,
      "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin; run scripts/setup.sh");
}

struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  bool drop = false;
};

RunAs resolve_user(const std::string& name) {
  RunAs r;
  if (::geteuid() != 0) return r;
  struct passwd* pw = ::getpwnam(name.c_str());
  if (!pw)
    throw Error(Errc::unavailable,
                "user '" + name + "' for the embedded PostgreSQL does not exist");
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  r.drop = true;
  return r;
}
}  // namespace

EmbeddedPostgres::EmbeddedPostgres(EmbeddedPgSettings s) : s_(std::move(s)) {
  s_.dir = fs::absolute(s_.dir).lexically_normal();
}

EmbeddedPostgres::~EmbeddedPostgres() {
  try {
    if (started_here_) stop();
  } catch (const std::exception& e) {
    core::logger(core::LogModule::storage)
        ->warn("stopping embedded PostgreSQL failed: {}", e.what());
  }
}

int EmbeddedPostgres::run(const std::vector<std::string>& argv, bool quiet) const {
  RunAs who = resolve_user(s_.run_as);
  fs::path log = s_.dir / "log" / "commands.log";
  pid_t pid = ::fork();
  if (pid < 0) throw Error(Errc::internal, "fork failed");
  if (pid == 0) {
    if (who.drop) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0)
        _exit(126);
    }
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::setenv("LC_ALL", "C.UTF-8", 1);
    ::execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  if (rc != 0 && !quiet) {
    core::logger(core::LogModule::storage)
        ->warn("{} exited with {}; see {}", argv[0], rc, log.string());
  }
  return rc;
}

bool EmbeddedPostgres::is_running() const {
  return run({(bindir_ / "pg_ctl").string(), "-D", (s_.dir / "data").string(), "status"}, true) ==
         0;
}

namespace {
bool traversable_by_others(const fs::path& dir) {
  for (fs::path p = dir.parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH)) return false;
  }
  return true;
}
}  // namespace

void EmbeddedPostgres::start() {
  auto log = core::logger(core::LogModule::storage);
  bindir_ = find_bindir();
  RunAs who = resolve_user(s_.run_as);
  if (who.drop && !traversable_by_others(s_.dir) && !fs::is_symlink(s_.dir)) {
    // The cluster user cannot reach a directory under, say, /root. Keep the cluster where it
    // can (named after the requested path, so each checkout keeps its own) and leave a
    // symlink at the requested place so that operators find it.
    fs::path real =
        fs::path("/var/tmp") / ("hazmon-pg-" + core::sha256_hex(s_.dir.string()).substr(0, 12));
    fs::create_directories(real);
    fs::create_directories(s_.dir.parent_path());
    std::error_code ec;
    fs::create_directory_symlink(real, s_.dir, ec);
    log->warn("user {} cannot traverse the parents of {}; the cluster lives in {} instead",
              s_.run_as, s_.dir.string(), real.string());
  }
  if (fs::is_symlink(s_.dir)) s_.dir = fs::read_symlink(s_.dir);
  fs::create_directories(s_.dir / "log");
  fs::create_directories(s_.dir / "run");
  for (const auto& d : {s_.dir, s_.dir / "log", s_.dir / "run"}) {
    if (who.drop && ::chown(d.c_str(), who.uid, who.gid) != 0) {
      throw Error(Errc::unavailable, "cannot hand " + d.string() + " to user " + s_.run_as);
    }
    ::chmod(d.c_str(), 0700);
  }
  if (who.drop && !traversable_by_others(s_.dir)) {
    throw Error(Errc::unavailable, "user " + s_.run_as + " cannot traverse the parents of " +
                                       s_.dir.string() +
                                       "; chmod o+x them or set state_dir elsewhere");
  }
  fs::path data = s_.dir / "data";
  if (!fs::exists(data / "PG_VERSION")) {
    log->info("creating embedded PostgreSQL cluster in {}", data.string());
    int rc =
        run({(bindir_ / "initdb").string(), "-D", data.string(), "-U", kSuperuser, "-E", "UTF8",
             "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=reject", "--no-sync"});
    if (rc != 0)
      throw Error(Errc::unavailable,
                  "initdb failed; see " + (s_.dir / "log/commands.log").string());
  }
  if (is_running()) {
    log->info("adopting the embedded PostgreSQL already running in {}", data.string());
  } else {
    std::string opts = "-c listen_addresses='' -c unix_socket_directories='" +
                       (s_.dir / "run").string() +
                       "' -c port=5432 -c fsync=on -c max_connections=200 -c shared_buffers=256MB";
    int rc =
        run({(bindir_ / "pg_ctl").string(), "-D", data.string(), "-l",
             (s_.dir / "log" / "postgresql.log").string(), "-w", "-t", "60", "-o", opts, "start"});
    if (rc != 0) {
      throw Error(Errc::unavailable, "the embedded PostgreSQL did not start; see " +
                                         (s_.dir / "log/postgresql.log").string());
    }
    started_here_ = true;
    log->info("embedded PostgreSQL started, socket in {}", (s_.dir / "run").string());
  }
  pqxx::connection admin(dsn("postgres"));
  pqxx::nontransaction tx(admin);
  if (tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", s_.database).empty()) {
    tx.exec("CREATE DATABASE " + tx.quote_name(s_.database));
  }
}

void EmbeddedPostgres::stop() {
  if (bindir_.empty()) bindir_ = find_bindir();
  if (fs::is_symlink(s_.dir)) s_.dir = fs::read_symlink(s_.dir);
  if (!fs::exists(s_.dir / "data" / "PG_VERSION") || !is_running()) return;
  run({(bindir_ / "pg_ctl").string(), "-D", (s_.dir / "data").string(), "-m", "fast", "-w",
       "stop"});
  started_here_ = false;
  core::logger(core::LogModule::storage)->info("embedded PostgreSQL stopped");
}

std::string EmbeddedPostgres::dsn(const std::string& database) const {
  // After start() s_.dir is the real directory (a symlink at the requested place is followed).
  return "host=" + (s_.dir / "run").string() + " port=5432 user=" + kSuperuser +
         " dbname=" + (database.empty() ? s_.database : database);
}

void create_database(const std::string& admin_dsn, const std::string& name,
                     const std::string& template_db) {
  pqxx::connection c(admin_dsn);
  pqxx::nontransaction tx(c);
  std::string sql = "CREATE DATABASE " + tx.quote_name(name);
  if (!template_db.empty()) sql += " TEMPLATE " + tx.quote_name(template_db);
  tx.exec(sql);
}

void drop_database(const std::string& admin_dsn, const std::string& name) {
  pqxx::connection c(admin_dsn);
  pqxx::nontransaction tx(c);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
}

}  // namespace hazmon::storage
