#pragma once
// Which background workers are still turning. A worker enrolls a name with an allowance (the
// longest silence that is still healthy), beats on every loop turn and tick, and leaves when its
// handle goes. The watchdog asks stalled(now): a worker stuck in a job (a hung ingest writer)
// stops beating and is named there, so the watchdog stops being fed.
//
// Time is steady time, not core::Clock (wall time): a watchdog must not fire because NTP stepped
// the wall clock. Tests pass `now` to stalled() instead of sleeping.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace hazmon::core {

class Liveness {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  struct Entry;
  struct State;

  // A worker's place in the registry. Beating is lock-free; destroying or reset() leaves the
  // registry. An empty handle (no registry given) beats into nothing. May outlive the registry.
  class Handle {
   public:
    Handle() = default;
    Handle(Handle&&) noexcept = default;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle();

    void beat() const noexcept;
    void beat(TimePoint now) const noexcept;
    void reset() noexcept;  // unregister now
    explicit operator bool() const noexcept { return entry_ != nullptr; }

   private:
    friend class Liveness;
    std::shared_ptr<State> state_;
    std::shared_ptr<Entry> entry_;
  };

  struct Report {
    std::string name;
    std::chrono::milliseconds allowance;
    std::chrono::milliseconds silent_for;  // since the last beat (0 when it beat after `now`)
    bool stalled;
  };

  Liveness();
  ~Liveness();
  Liveness(const Liveness&) = delete;
  Liveness& operator=(const Liveness&) = delete;

  // Counts as a beat now. Names need not be unique (two workers of one kind): each handle is
  // its own entry.
  Handle enroll(std::string name, std::chrono::milliseconds allowance);

  // Names of the workers silent for longer than their allowance at `now`.
  std::vector<std::string> stalled(TimePoint now = std::chrono::steady_clock::now()) const;
  bool healthy(TimePoint now = std::chrono::steady_clock::now()) const {
    return stalled(now).empty();
  }
  // Every enrolled worker, in enrolment order (for /health-style reports and logs).
  std::vector<Report> report(TimePoint now = std::chrono::steady_clock::now()) const;
  std::size_t size() const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace hazmon::core
