#include "systemd.hpp"

#include <systemd/sd-daemon.h>

namespace hazmon::app {

void notify_ready() { sd_notify(0, "READY=1\nSTATUS=serving"); }
void notify_stopping() { sd_notify(0, "STOPPING=1"); }

void Watchdog::start(std::function<bool()> healthy) {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  auto interval = std::chrono::microseconds(usec / 2);
  thread_ = std::thread([this, interval, healthy = std::move(healthy)] {
    auto next = std::chrono::steady_clock::now();
    while (!stop_.load()) {
      if (std::chrono::steady_clock::now() >= next) {
        if (healthy()) sd_notify(0, "WATCHDOG=1");
        next += interval;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
}

Watchdog::~Watchdog() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace hazmon::app
