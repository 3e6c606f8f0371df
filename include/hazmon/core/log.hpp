#pragma once
// One named logger per module from a closed list; only app configures sinks.
#include <memory>
#include <string_view>

namespace spdlog { class logger; }

namespace hazmon::core {

enum class LogModule { app, config, storage, auth, http, api, service, rules, ingest, notify, video };

std::shared_ptr<spdlog::logger> logger(LogModule m);

struct LogSettings {
  std::string_view level = "info";
  bool json = false;
};
// Called once by app: async stderr sink with a bounded queue that drops on overflow.
void setup_logging(const LogSettings& s);

// Masks all but the first 3 and last 4 digits of a phone number for logs.
std::string mask_phone(std::string_view phone);

}  // namespace hazmon::core
