#include "systemd.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>

namespace hazmon::app {

void notify_ready() { sd_notify(0, "READY=1\nSTATUS=serving"); }
void notify_stopping() { sd_notify(0, "STOPPING=1"); }

Watchdog::Watchdog(std::function<bool()> healthy, std::chrono::milliseconds check_every) {
  uint64_t usec = 0;
  bool systemd = sd_watchdog_enabled(0, &usec) > 0 && usec > 0;
  auto interval = systemd ? std::min<std::chrono::milliseconds>(
                                check_every, std::chrono::milliseconds(usec / 2000))
                          : check_every;
  thread_ = std::thread([this, interval, systemd, healthy = std::move(healthy)] {
    auto next = std::chrono::steady_clock::now();
    while (!stop_.load()) {
      if (std::chrono::steady_clock::now() >= next) {
        if (healthy() && systemd) sd_notify(0, "WATCHDOG=1");
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
