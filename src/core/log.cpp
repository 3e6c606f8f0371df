#include <hazmon/core/log.hpp>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <mutex>
#include <string>

namespace hazmon::core {
namespace {
constexpr std::array<const char*, 11> kNames = {"app",    "config", "storage", "auth",
                                                "http",   "api",    "service", "rules",
                                                "ingest", "notify", "video"};
std::mutex g_mutex;
std::array<std::shared_ptr<spdlog::logger>, kNames.size()> g_loggers;
spdlog::sink_ptr g_sink;
spdlog::level::level_enum g_level = spdlog::level::info;

spdlog::sink_ptr default_sink() {
  if (!g_sink) g_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return g_sink;
}
}  // namespace

std::shared_ptr<spdlog::logger> logger(LogModule m) {
  auto i = static_cast<std::size_t>(m);
  std::lock_guard lock(g_mutex);
  if (!g_loggers[i]) {
    g_loggers[i] = std::make_shared<spdlog::logger>(kNames[i], default_sink());
    g_loggers[i]->set_level(g_level);
  }
  return g_loggers[i];
}

void setup_logging(const LogSettings& s) {
  std::lock_guard lock(g_mutex);
  g_level = spdlog::level::from_str(std::string(s.level));
  spdlog::init_thread_pool(8192, 1);
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  // journald adds its own timestamp; keep the line greppable as key=value.
  sink->set_pattern(s.json
                        ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%e","level":"%l","logger":"%n","msg":"%v"})"
                        : "%Y-%m-%d %H:%M:%S.%e %^%l%$ [%n] %v");
  g_sink = sink;
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    g_loggers[i] = std::make_shared<spdlog::async_logger>(
        kNames[i], g_sink, spdlog::thread_pool(), spdlog::async_overflow_policy::overrun_oldest);
    g_loggers[i]->set_level(g_level);
  }
}

void set_log_level(std::string_view level) {
  std::lock_guard lock(g_mutex);
  g_level = spdlog::level::from_str(std::string(level));
  for (auto& l : g_loggers)
    if (l) l->set_level(g_level);
}

void shutdown_logging() {
  std::lock_guard lock(g_mutex);
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (!g_loggers[i]) continue;
    g_loggers[i]->flush();
    auto sync = std::make_shared<spdlog::logger>(kNames[i], default_sink());
    sync->set_level(g_level);
    g_loggers[i] = sync;
  }
  // Joins the pool's thread after it has written what was queued.
  spdlog::shutdown();
}

std::string mask_phone(std::string_view phone) {
  std::string out(phone);
  if (out.size() <= 7) return std::string(out.size(), '*');
  for (std::size_t i = 3; i + 4 < out.size(); ++i) out[i] = '*';
  return out;
}

}  // namespace hazmon::core
