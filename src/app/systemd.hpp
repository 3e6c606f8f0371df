#pragma once
// sd_notify READY/STOPPING/WATCHDOG when run under systemd (Type=notify); no-ops otherwise.
#include <atomic>
#include <functional>
#include <chrono>
#include <thread>

namespace hazmon::app {

void notify_ready();
void notify_stopping();

// Pings the watchdog at half the interval systemd asks for, as long as `healthy()` holds.
class Watchdog {
 public:
  template <typename F>
  explicit Watchdog(F healthy) {
    start([healthy] { return healthy(); });
  }
  ~Watchdog();

 private:
  void start(std::function<bool()> healthy);
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace hazmon::app
