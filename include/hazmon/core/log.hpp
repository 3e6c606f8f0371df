#pragma once
// One named logger per module from a closed list; only app configures sinks.
#include <memory>
#include <string_view>

namespace spdlog {
class logger;
}

namespace hazmon::core {

enum class LogModule {
  app,
  config,
  storage,
  auth,
  http,
  api,
  service,
  rules,
  ingest,
  notify,
  video
};
inline constexpr LogModule kLogModules[] = {
    LogModule::app,    LogModule::config, LogModule::storage, LogModule::auth,
    LogModule::http,   LogModule::api,    LogModule::service, LogModule::rules,
    LogModule::ingest, LogModule::notify, LogModule::video};

std::shared_ptr<spdlog::logger> logger(LogModule m);

struct LogSettings {
  std::string_view level = "info";
  bool json = false;
};
// Called once by app: async stderr sink with a bounded queue that drops on overflow.
void setup_logging(const LogSettings& s);
// Every module's logger at this level (SIGHUP), and loggers made later too.
void set_log_level(std::string_view level);
// The last step of a command: the async queue written out, its thread joined, and every logger
// made synchronous on the same sink, so that a line logged later (a destructor at exit) is
// still written instead of spdlog's "thread pool doesn't exist anymore".
void shutdown_logging();

// Masks all but the first 3 and last 4 digits of a phone number for logs.
std::string mask_phone(std::string_view phone);

}  // namespace hazmon::core
