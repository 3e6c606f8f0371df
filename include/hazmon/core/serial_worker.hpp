#pragma once
// One shape for a service's background thread: a bounded queue of jobs run one at a time in
// order, named periodic tasks on the same thread, liveness beats, and a stop with a deadline.
//
//   core::SerialWorker w({.name = "video-writer", .capacity = 10000, .liveness = &registry});
//   w.every("housekeeping", 60s, [&] { housekeeping(); });
//   w.start();
//   if (!w.post([e] { store(e); })) ...;   // full or stopping: the caller decides (drop, 503)
//   w.stop(5s);                            // drains what is queued, drops what is left at 5 s
//
// Jobs and tasks run on the worker's thread only, so what they touch needs no lock against each
// other. A job or task that throws is logged (with the worker's name) and counted; the worker
// goes on. The wait between turns is a condition variable with a deadline (the next task due,
// or the next beat), not an Asio timer: nothing here needs an io_context.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <hazmon/core/log.hpp>

namespace hazmon::core {

class Liveness;

// A move-only callable (std::function needs copyable captures; jobs carry promises).
class Job {
 public:
  Job() = default;
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, Job>>>
  Job(F&& f)
      : p_(std::make_unique<Model<std::decay_t<F>>>(std::forward<F>(f))) {
  }  // NOLINT: implicit by design
  void operator()() { (*p_)(); }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void operator()() = 0;
  };
  template <typename F>
  struct Model final : Base {
    explicit Model(F&& f) : f(std::move(f)) {}
    explicit Model(const F& f) : f(f) {}
    void operator()() override { f(); }
    F f;
  };
  std::unique_ptr<Base> p_;
};

struct SerialWorkerOptions {
  std::string name = "worker";  // thread name (first 15 bytes), liveness name, log prefix
  // Queue bound in weight units (a job weighs 1 unless post() says otherwise: ingest weighs
  // an upload by its readings). 0: unbounded.
  std::size_t capacity = 0;
  // Longest healthy silence: the worker beats at every turn and at least three times per
  // allowance while idle, so only a job or task running longer than this reads as stalled.
  std::chrono::milliseconds allowance{std::chrono::seconds(60)};
  Liveness* liveness = nullptr;  // none: no beats
  LogModule log = LogModule::app;
};

struct StopReport {
  std::size_t ran = 0;      // jobs run between stop() and the end
  std::size_t dropped = 0;  // jobs discarded (drop mode, or left at the deadline)
  bool deadline_passed = false;
};

class SerialWorker {
 public:
  enum class OnStop {
    drain,  // run what is queued until the deadline, then drop the rest
    drop,   // drop what is queued at once; only the job in hand finishes
  };

  explicit SerialWorker(SerialWorkerOptions o);
  // stop(OnStop::drain, 30 s) if still running.
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  // A task run on the worker's thread every `period` (fixed delay: the next run is `period`
  // after this one ends), first at start() when `at_start`, else one period after start().
  // Register before start().
  void every(std::string name, std::chrono::milliseconds period, std::function<void()> task,
             bool at_start = false);

  void start();
  bool running() const;

  // Queues a job. False (and counted in dropped()) when the queue would exceed its capacity
  // or the worker is stopping; the job is then destroyed unrun. Before start() jobs queue up and
  // run once the worker starts.
  bool post(Job job, std::size_t weight = 1);
  // Queues a job past the bound (control work that must not be lost: reload, flush). False
  // only while stopping.
  bool post_always(Job job, std::size_t weight = 0);

  // Stops the thread. drain: queued jobs keep running until `deadline`; what is left then is
  // dropped (logged with its count). drop: queued jobs are dropped at once. Either way the job in
  // hand is never interrupted (a thread cannot be): if it outlasts the deadline this logs an
  // error and keeps waiting for it, while Liveness names the worker as stalled. Tasks do not
  // run after stop() begins. Idempotent; returns what happened on the first call.
  StopReport stop(OnStop mode, std::chrono::milliseconds deadline);

  // Before start() only (tests that never start the thread): runs what is queued on the
  // calling thread, in order; returns how many ran. 0 once started.
  std::size_t run_queued_here();

  // For a long job or task on this worker's thread: counts as a beat.
  void beat() const noexcept;

  std::uint64_t dropped() const;   // jobs refused by post() or discarded at stop
  std::uint64_t failures() const;  // jobs and tasks that threw
  std::size_t queued() const;      // jobs waiting (not the one in hand)
  std::size_t queued_weight() const;
  const std::string& name() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::core
