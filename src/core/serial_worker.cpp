#include <hazmon/core/serial_worker.hpp>

#include <spdlog/spdlog.h>

#include <hazmon/core/liveness.hpp>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace hazmon::core {

using std::chrono::milliseconds;
using steady = std::chrono::steady_clock;

namespace {
struct Queued {
  Job job;
  std::size_t weight;
};
struct Periodic {
  std::string name;
  milliseconds period;
  std::function<void()> task;
  bool at_start;
  steady::time_point due{};
};
}  // namespace

struct SerialWorker::Impl {
  SerialWorkerOptions o;
  std::shared_ptr<spdlog::logger> log = logger(o.log);
  Liveness::Handle live;

  mutable std::mutex mu;
  std::condition_variable cv;       // wakes the worker: a job, stop
  std::condition_variable done_cv;  // wakes stop(): the thread ended
  std::deque<Queued> queue;
  std::size_t weight = 0;
  bool stopping = false, finished = false;
  OnStop mode = OnStop::drain;
  steady::time_point deadline{};
  StopReport stop_report;
  std::vector<Periodic> tasks;
  std::thread thread;
  std::atomic<std::uint64_t> n_dropped{0}, n_failures{0};

  explicit Impl(SerialWorkerOptions opt) : o(std::move(opt)) {}

  milliseconds beat_every() const { return std::max(milliseconds(1), o.allowance / 3); }

  template <typename F>
  void guarded(const char* what, const std::string& name, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      ++n_failures;
      log->warn("{}: {} {} failed: {}", o.name, what, name, e.what());
    } catch (...) {
      ++n_failures;
      log->warn("{}: {} {} failed", o.name, what, name);
    }
  }

  // Drops everything queued; called with `mu` held. The jobs are destroyed outside the lock.
  std::deque<Queued> take_all_locked() {
    std::deque<Queued> out;
    out.swap(queue);
    weight = 0;
    return out;
  }

  void drop(std::deque<Queued> jobs, const char* why) {
    if (jobs.empty()) return;
    n_dropped += jobs.size();
    {
      std::lock_guard lock(mu);
      stop_report.dropped += jobs.size();
    }
    log->warn("{}: {} queued job(s) dropped ({})", o.name, jobs.size(), why);
    jobs.clear();  // destructors may answer waiting callers (a broken promise, a shutdown reply)
  }

  void run() {
    if (!o.name.empty()) pthread_setname_np(pthread_self(), o.name.substr(0, 15).c_str());
    {
      auto now = steady::now();
      for (auto& t : tasks) t.due = t.at_start ? now : now + t.period;
    }
    std::unique_lock lock(mu);
    for (;;) {
      live.beat();
      if (stopping) {
        bool past = steady::now() >= deadline;
        if (mode == OnStop::drop || queue.empty() || past) {
          if (past && !queue.empty()) stop_report.deadline_passed = true;
          auto left = take_all_locked();
          lock.unlock();
          drop(std::move(left),
               mode == OnStop::drop ? "stop drops the queue" : "stop deadline passed");
          lock.lock();
          break;
        }
      }
      // A task that is due runs before the next job, so a steady stream of jobs cannot starve
      // it; tasks do not run once stop() began.
      Periodic* next = nullptr;
      if (!stopping)
        for (auto& t : tasks)
          if (!next || t.due < next->due) next = &t;
      auto now = steady::now();
      if (next && next->due <= now) {
        lock.unlock();
        run_task(*next);
        lock.lock();
        continue;
      }
      if (!queue.empty()) {
        Queued q = std::move(queue.front());
        queue.pop_front();
        weight -= std::min(weight, q.weight);
        if (stopping) ++stop_report.ran;
        lock.unlock();
        guarded("job", "", [&] { q.job(); });
        q.job = Job{};  // destroyed on this thread, before the next turn
        lock.lock();
        continue;
      }
      auto wake = now + beat_every();
      if (next) wake = std::min(wake, next->due);
      cv.wait_until(lock, wake);
    }
    finished = true;
    lock.unlock();
    done_cv.notify_all();
  }

  void run_task(Periodic& t) {
    live.beat();
    guarded("task", t.name, [&] { t.task(); });
    live.beat();
    t.due = steady::now() + t.period;
  }
};

SerialWorker::SerialWorker(SerialWorkerOptions o) : impl_(std::make_unique<Impl>(std::move(o))) {}

SerialWorker::~SerialWorker() { stop(OnStop::drain, std::chrono::seconds(30)); }

void SerialWorker::every(std::string name, milliseconds period, std::function<void()> task,
                         bool at_start) {
  std::lock_guard lock(impl_->mu);
  impl_->tasks.push_back(
      Periodic{std::move(name), std::max(period, milliseconds(1)), std::move(task), at_start});
}

void SerialWorker::start() {
  auto& i = *impl_;
  std::lock_guard lock(i.mu);
  if (i.thread.joinable() || i.stopping) return;
  if (i.o.liveness) i.live = i.o.liveness->enroll(i.o.name, i.o.allowance);
  i.thread = std::thread([&i] { i.run(); });
}

bool SerialWorker::running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->thread.joinable() && !impl_->finished;
}

bool SerialWorker::post(Job job, std::size_t weight) {
  auto& i = *impl_;
  {
    std::lock_guard lock(i.mu);
    if (!i.stopping && (i.o.capacity == 0 || i.weight + weight <= i.o.capacity)) {
      i.weight += weight;
      i.queue.push_back(Queued{std::move(job), weight});
      i.cv.notify_one();
      return true;
    }
  }
  ++i.n_dropped;
  return false;  // `job` is destroyed here, outside the lock
}

bool SerialWorker::post_always(Job job, std::size_t weight) {
  auto& i = *impl_;
  {
    std::lock_guard lock(i.mu);
    if (!i.stopping) {
      i.weight += weight;
      i.queue.push_back(Queued{std::move(job), weight});
      i.cv.notify_one();
      return true;
    }
  }
  ++i.n_dropped;
  return false;
}

StopReport SerialWorker::stop(OnStop mode, milliseconds deadline) {
  auto& i = *impl_;
  std::unique_lock lock(i.mu);
  if (i.stopping) {
    // A second call: wait for the first to finish the thread.
    i.done_cv.wait(lock, [&] { return i.finished || !i.thread.joinable(); });
    return i.stop_report;
  }
  i.stopping = true;
  i.mode = mode;
  i.deadline = steady::now() + deadline;
  if (!i.thread.joinable()) {
    // Never started: what was queued never runs.
    auto left = i.take_all_locked();
    lock.unlock();
    i.drop(std::move(left), "stopped before it started");
    lock.lock();
    i.finished = true;
    i.done_cv.notify_all();
    return i.stop_report;
  }
  i.cv.notify_all();
  if (!i.done_cv.wait_until(lock, i.deadline + milliseconds(50), [&] { return i.finished; })) {
    // The job in hand outlasts the deadline. Drop what waits behind it now, so that callers
    // waiting on those jobs hear at once, then wait for the job: it cannot be interrupted.
    i.stop_report.deadline_passed = true;
    auto left = i.take_all_locked();
    lock.unlock();
    i.drop(std::move(left), "stop deadline passed");
    i.log->error("{}: a job is still running {} ms after the stop deadline; waiting for it",
                 i.o.name, deadline.count());
    lock.lock();
    i.done_cv.wait(lock, [&] { return i.finished; });
  }
  lock.unlock();
  i.thread.join();
  i.live.reset();
  lock.lock();
  return i.stop_report;
}

std::size_t SerialWorker::run_queued_here() {
  auto& i = *impl_;
  std::size_t ran = 0;
  for (;;) {
    Queued q;
    {
      std::lock_guard lock(i.mu);
      if (i.thread.joinable() || i.queue.empty()) return ran;
      q = std::move(i.queue.front());
      i.queue.pop_front();
      i.weight -= std::min(i.weight, q.weight);
    }
    i.guarded("job", "", [&] { q.job(); });
    ++ran;
  }
}

void SerialWorker::beat() const noexcept { impl_->live.beat(); }

std::uint64_t SerialWorker::dropped() const { return impl_->n_dropped.load(); }
std::uint64_t SerialWorker::failures() const { return impl_->n_failures.load(); }

std::size_t SerialWorker::queued() const {
  std::lock_guard lock(impl_->mu);
  return impl_->queue.size();
}

std::size_t SerialWorker::queued_weight() const {
  std::lock_guard lock(impl_->mu);
  return impl_->weight;
}

const std::string& SerialWorker::name() const { return impl_->o.name; }

}  // namespace hazmon::core
