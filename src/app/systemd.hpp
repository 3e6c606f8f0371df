#pragma once
// sd_notify READY/STOPPING/WATCHDOG when run under systemd (Type=notify); no-ops otherwise.
#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace hazmon::app {

void notify_ready();
void notify_stopping();

// Asks `healthy()` every `check_every` (and at half the interval systemd asks for, when it asks):
// pings the systemd watchdog only while it holds, so a hung worker gets the service restarted.
// Without a systemd watchdog the check still runs (it logs a stalled worker).
class Watchdog {
 public:
  explicit Watchdog(std::function<bool()> healthy,
                    std::chrono::milliseconds check_every = std::chrono::seconds(5));
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace hazmon::app
