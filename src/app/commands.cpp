#include "commands.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <hazmon/app/platform.hpp>
#include <hazmon/auth/auth_service.hpp>
#include <hazmon/config/config.hpp>
#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/service/roster.hpp>
#include <hazmon/storage/embedded_postgres.hpp>
#include <hazmon/storage/federation_store.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "database_setup.hpp"
#include "settings.hpp"
#include "systemd.hpp"

namespace hazmon::app {
namespace fs = std::filesystem;
using nlohmann::json;

std::string option(const Args& args, const std::string& name, const std::string& def) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == name) return args[i + 1];
  return def;
}

bool flag(const Args& args, const std::string& name) {
  return std::find(args.begin(), args.end(), name) != args.end();
}

namespace {

json load(const Args& args) {
  std::string file = option(args, "--config");
  if (file.empty()) {
    if (const char* env = std::getenv("HAZMON_CONFIG"); env && *env) file = env;
  }
  return file.empty() ? config::default_config() : config::load_config(file);
}

void setup_logs(const json& cfg) {
  static std::string level;
  level = cfg["log"]["level"].get<std::string>();
  core::setup_logging({level, cfg["log"]["json"].get<bool>()});
}

// A password from $HAZMON_PASSWORD, --password-file, or a freshly generated one (printed).
std::string password_from(const Args& args, bool* generated) {
  *generated = false;
  if (const char* env = std::getenv("HAZMON_PASSWORD"); env && *env) return env;
  if (auto f = option(args, "--password-file"); !f.empty()) {
    auto s = config::read_secret("", f);
    if (!s) throw core::Error(core::Errc::bad_request, "cannot read " + f);
    return *s;
  }
  *generated = true;
  return "Hz-" + core::random_token(12);
}

}  // namespace

int cmd_check_config(const Args& args) {
  if (args.empty()) {
    std::fputs("usage: hazmond check-config FILE\n", stderr);
    return 2;
  }
  config::load_config(args[0]);
  std::printf("%s: valid\n", args[0].c_str());
  return 0;
}

int cmd_migrate(const Args& args) {
  auto cfg = load(args);
  setup_logs(cfg);
  auto h = open_database(cfg, 2);
  int n = run_migrations(*h.db);
  std::printf("applied %d migration(s)\n", n);
  return 0;
}

int cmd_import_roster(const Args& args) {
  auto cfg = load(args);
  setup_logs(cfg);
  auto h = open_database(cfg, 2);
  run_migrations(*h.db);
  service::RosterService roster(*h.db);
  fs::path dir =
      option(args, "--dir", (config::home_dir() / "data" / "roster" / "notice-2021-247").string());
  auto report = roster.import(dir);
  std::fputs(report.to_text().c_str(), stdout);
  return 0;
}

int cmd_user(const Args& args) {
  if (args.empty() || (args[0] != "add" && args[0] != "reset")) {
    std::fputs("usage: hazmond user add|reset --username U [...]\n", stderr);
    return 2;
  }
  auto cfg = load(args);
  setup_logs(cfg);
  auto h = open_database(cfg, 2);
  run_migrations(*h.db);
  core::SystemClock clock;
  auth::AuthService auth(*h.db, auth_settings(cfg), clock);
  std::string username = option(args, "--username");
  if (username.empty()) throw core::Error(core::Errc::bad_request, "--username is required");
  bool generated = false;
  std::string pw = password_from(args, &generated);
  if (args[0] == "reset") {
    auth.reset_password(username, pw);
  } else {
    auto role = model::role_from_string(option(args, "--role", "province_admin"));
    if (!role) throw core::Error(core::Errc::bad_request, "unknown --role");
    std::string code = option(args, "--scope");
    model::Scope scope = code.empty()       ? model::Scope::province()
                         : code.size() == 6 ? model::Scope::region(code)
                                            : model::Scope::enterprise(code);
    auth::NewUser u{username, option(args, "--display-name", username), *role, scope, pw, "", ""};
    try {
      auth.create_user(u);
    } catch (const core::Error& e) {
      for (const auto& f : e.fields())
        std::fprintf(stderr, "  %s: %s\n", f.pointer.c_str(), f.message.c_str());
      throw;
    }
  }
  std::printf("user %s %s\n", username.c_str(), args[0] == "add" ? "created" : "password reset");
  if (generated) std::printf("password: %s\n", pw.c_str());
  return 0;
}

// The city instance's parked uploads (docs/federation.md): list them, or queue them again. The
// same as GET /api/v1/federation/parked and POST .../retry, for an operator at the console; the
// running server picks requeued rows up at its next pass.
int cmd_federation(const Args& args) {
  if (args.empty() || (args[0] != "parked" && args[0] != "retry")) {
    std::fputs("usage: hazmond federation parked | retry (--id N | --all) [--config FILE]\n",
               stderr);
    return 2;
  }
  auto cfg = load(args);
  setup_logs(cfg);
  auto h = open_database(cfg, 2);
  run_migrations(*h.db);
  storage::FederationStore store;
  if (args[0] == "parked") {
    auto rows = h.db->in_tx([&](storage::Tx& tx) { return store.parked(tx, 1000); });
    for (const auto& p : rows)
      std::printf("%lld\t%s\t%s\t%s\t%s\t%s\n", p.id, p.company_code.c_str(), p.data_id.c_str(),
                  p.http_status ? std::to_string(*p.http_status).c_str() : "-",
                  p.problem_code.c_str(), p.last_error.c_str());
    std::printf("%zu parked upload(s)\n", rows.size());
    return 0;
  }
  std::optional<long long> id;
  if (auto text = option(args, "--id"); !text.empty()) {
    if (text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18)
      throw core::Error(core::Errc::bad_request, "--id must be a parked row's id");
    id = std::stoll(text);
  } else if (!flag(args, "--all")) {
    throw core::Error(core::Errc::bad_request, "retry needs --id N or --all");
  }
  auto n = h.db->in_tx([&](storage::Tx& tx) { return store.requeue_parked(tx, id); });
  std::printf("%lld parked upload(s) queued again\n", n);
  return id && n == 0 ? 1 : 0;
}

int cmd_pg(const Args& args) {
  if (args.empty() || (args[0] != "start" && args[0] != "stop")) {
    std::fputs("usage: hazmond pg start|stop --dir DIR [--run-as USER]\n", stderr);
    return 2;
  }
  storage::EmbeddedPgSettings s;
  s.dir = option(args, "--dir");
  if (s.dir.empty()) throw core::Error(core::Errc::bad_request, "--dir is required");
  s.run_as = option(args, "--run-as", "postgres");
  s.database = option(args, "--database", "hazmon");
  storage::EmbeddedPostgres pg(s);
  if (args[0] == "start") {
    pg.start();
    std::printf("%s\n", pg.dsn().c_str());
    // Leave it running for the caller: forget that we started it.
    std::fflush(stdout);
    std::quick_exit(0);
  }
  pg.stop();
  return 0;
}

namespace {

// SIGHUP: the log level of every logger from the config file again.
void reload_log_level(const Args& args) {
  auto log = core::logger(core::LogModule::app);
  try {
    auto fresh = load(args);
    core::set_log_level(fresh["log"]["level"].get<std::string>());
    log->info("SIGHUP: log level reloaded; other settings need a restart");
  } catch (const std::exception& e) {
    log->error("SIGHUP: config not reloaded: {}", e.what());
  }
}

}  // namespace

int cmd_serve(const Args& args) {
  auto cfg = load(args);
  setup_logs(cfg);
  auto log = core::logger(core::LogModule::app);

  // Signals are taken by sigwait in this thread; every thread started later inherits the mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  fs::path state = cfg["state_dir"].get<std::string>();
  fs::create_directories(state);
  {  // Everything that logs is gone before the log's thread is.
    // Every HTTP worker may hold a connection for a moment; beyond 64 a pool only crowds
    // PostgreSQL's max_connections (200 in the embedded cluster) and its memory.
    int pool = cfg["database"]["pool_size"].get<int>();
    if (pool == 0) pool = std::min(cfg["http"]["worker_threads"].get<int>() + 2, 64);
    auto dbh = open_database(cfg, pool);
    if (cfg["database"]["migrate_on_start"].get<bool>()) run_migrations(*dbh.db);
    Platform platform(cfg, *dbh.db);
    unsigned short port = platform.start();
    std::printf(
        "hazmond is serving https://localhost:%u/ (self-signed certificate in development)\n",
        port);
    if (cfg["demo"]["enabled"].get<bool>()) {
      std::printf("log in as '%s' with the password in %s\n",
                  cfg["demo"]["admin_user"].get<std::string>().c_str(),
                  (state / "admin-password").c_str());
    }
    std::fflush(stdout);
    notify_ready();
    Watchdog watchdog([&platform] { return platform.alive(); });

    for (;;) {
      int sig = 0;
      sigwait(&sigs, &sig);
      if (sig == SIGHUP) {
        reload_log_level(args);
        continue;
      }
      log->info("signal {}: draining", sig);
      break;
    }
    notify_stopping();
    platform.stop();
  }
  log->info("stopped");
  core::shutdown_logging();
  return 0;
}

}  // namespace hazmon::app
