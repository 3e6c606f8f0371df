// hazmond: the provincial hazardous-chemicals risk monitoring and early-warning server.
#include <cstdio>
#include <cstring>
#include <exception>

#include <hazmon/config/config.hpp>
#include <hazmon/core/error.hpp>

#include "commands.hpp"

namespace {
void usage() {
  std::fputs(
      "usage: hazmond <command> [options]\n"
      "  serve [--config FILE]            run the server (embedded PostgreSQL when no DSN is "
      "configured)\n"
      "  check-config FILE                validate a config file against "
      "schemas/config.schema.json\n"
      "  migrate [--config FILE]          apply pending database migrations\n"
      "  import-roster [--config FILE] [--dir DIR]\n"
      "                                   load the notice's enterprise lists and deployment tasks\n"
      "  user add --username U --role R [--scope CODE] [--display-name N] [--config FILE]\n"
      "  user reset --username U [--config FILE]\n"
      "                                   password from $HAZMON_PASSWORD or --password-file, else "
      "generated\n"
      "  federation parked | retry (--id N | --all) [--config FILE]\n"
      "                                   a city instance's uploads the province refused\n"
      "  pg start|stop --dir DIR [--run-as USER]\n"
      "                                   run a private PostgreSQL cluster (used by the test "
      "suite)\n"
      "  version\n"
      "Environment: HAZMON_HOME (schemas/, migrations/, data/, web/), HAZMON_CONFIG (default "
      "config file).\n",
      stderr);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage();
    return 2;
  }
  std::string cmd = argv[1];
  hazmon::app::Args args(argv + 2, argv + argc);
  try {
    if (cmd == "serve") return hazmon::app::cmd_serve(args);
    if (cmd == "check-config") return hazmon::app::cmd_check_config(args);
    if (cmd == "migrate") return hazmon::app::cmd_migrate(args);
    if (cmd == "import-roster") return hazmon::app::cmd_import_roster(args);
    if (cmd == "user") return hazmon::app::cmd_user(args);
    if (cmd == "pg") return hazmon::app::cmd_pg(args);
    if (cmd == "federation") return hazmon::app::cmd_federation(args);
    if (cmd == "version") {
      std::puts("hazmond " HAZMON_VERSION);
      return 0;
    }
    if (cmd == "-h" || cmd == "--help" || cmd == "help") {
      usage();
      return 0;
    }
    std::fprintf(stderr, "hazmond: unknown command '%s'\n", cmd.c_str());
    usage();
    return 2;
  } catch (const hazmon::config::ConfigError& e) {
    std::fprintf(stderr, "hazmond: %s\n", e.what());
    for (const auto& f : e.fields())
      std::fprintf(stderr, "  at %s: %s\n", f.pointer.empty() ? "/" : f.pointer.c_str(),
                   f.message.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hazmond: %s\n", e.what());
    return 1;
  }
}
