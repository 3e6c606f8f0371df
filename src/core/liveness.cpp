#include <hazmon/core/liveness.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace hazmon::core {

struct Liveness::Entry {
  std::string name;
  std::chrono::milliseconds allowance;
  std::atomic<TimePoint::rep> last;  // steady ticks of the last beat
};

struct Liveness::State {
  mutable std::mutex mu;
  std::vector<std::shared_ptr<Entry>> entries;  // in enrolment order

  void remove(const Entry* e) {
    std::lock_guard lock(mu);
    std::erase_if(entries, [e](const auto& p) { return p.get() == e; });
  }
};

Liveness::Handle& Liveness::Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    state_ = std::move(other.state_);
    entry_ = std::move(other.entry_);
  }
  return *this;
}

Liveness::Handle::~Handle() { reset(); }

void Liveness::Handle::beat() const noexcept { beat(std::chrono::steady_clock::now()); }

void Liveness::Handle::beat(TimePoint now) const noexcept {
  if (entry_) entry_->last.store(now.time_since_epoch().count(), std::memory_order_relaxed);
}

void Liveness::Handle::reset() noexcept {
  if (state_ && entry_) state_->remove(entry_.get());
  state_.reset();
  entry_.reset();
}

Liveness::Liveness() : state_(std::make_shared<State>()) {}
Liveness::~Liveness() = default;

Liveness::Handle Liveness::enroll(std::string name, std::chrono::milliseconds allowance) {
  auto e = std::make_shared<Entry>();
  e->name = std::move(name);
  e->allowance = allowance;
  e->last.store(std::chrono::steady_clock::now().time_since_epoch().count());
  {
    std::lock_guard lock(state_->mu);
    state_->entries.push_back(e);
  }
  Handle h;
  h.state_ = state_;
  h.entry_ = std::move(e);
  return h;
}

std::vector<Liveness::Report> Liveness::report(TimePoint now) const {
  std::vector<Report> out;
  std::lock_guard lock(state_->mu);
  out.reserve(state_->entries.size());
  for (const auto& e : state_->entries) {
    TimePoint last{TimePoint::duration{e->last.load(std::memory_order_relaxed)}};
    auto silent = now > last ? std::chrono::duration_cast<std::chrono::milliseconds>(now - last)
                             : std::chrono::milliseconds{0};
    out.push_back(Report{e->name, e->allowance, silent, now - last > e->allowance});
  }
  return out;
}

std::vector<std::string> Liveness::stalled(TimePoint now) const {
  std::vector<std::string> out;
  for (auto& r : report(now))
    if (r.stalled) out.push_back(std::move(r.name));
  return out;
}

std::size_t Liveness::size() const {
  std::lock_guard lock(state_->mu);
  return state_->entries.size();
}

}  // namespace hazmon::core
