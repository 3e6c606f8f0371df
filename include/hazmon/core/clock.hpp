#pragma once
// Time comes through a Clock so rules and throttling can be tested without sleeping.
#include <atomic>
#include <chrono>

namespace hazmon::core {

using SysTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SysTime now() const = 0;
};

class SystemClock final : public Clock {
 public:
  SysTime now() const override { return std::chrono::system_clock::now(); }
};

// For tests: time stands still until advanced.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(SysTime start = SysTime{}) : now_(start.time_since_epoch().count()) {}
  SysTime now() const override { return SysTime{SysTime::duration{now_.load()}}; }
  void advance(std::chrono::nanoseconds d) {
    now_ += std::chrono::duration_cast<SysTime::duration>(d).count();
  }

 private:
  std::atomic<SysTime::rep> now_;
};

}  // namespace hazmon::core
