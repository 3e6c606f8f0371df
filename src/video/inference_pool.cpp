#include "inference_pool.hpp"

#include <spdlog/spdlog.h>

#include <hazmon/core/log.hpp>

namespace hazmon::video {

InferencePool::InferencePool(int threads, ModelPaths models) : models_(std::move(models)) {
  const std::size_t n = static_cast<std::size_t>(std::max(1, threads));
  inference_us_ = std::make_unique<std::atomic<std::uint64_t>[]>(n);
  for (std::size_t i = 0; i < n; ++i) inference_us_[i] = 0;
  for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this, i] { run(i); });
}

InferencePool::~InferencePool() { stop(); }

void InferencePool::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::shared_ptr<InferencePool::Slot> InferencePool::add(std::size_t capacity, Analyse fn) {
  return std::make_shared<Slot>(capacity, std::move(fn));
}

void InferencePool::remove(const std::shared_ptr<Slot>& slot) {
  std::unique_lock lock(mu_);
  slot->closed = true;
  slot->queue.clear();
  idle_cv_.wait(lock, [&] { return !slot->in_flight; });
}

std::size_t InferencePool::push(const std::shared_ptr<Slot>& slot, AnalysisFrame frame) {
  std::size_t dropped;
  {
    std::lock_guard lock(mu_);
    if (slot->closed) return 0;
    dropped = slot->queue.push(std::move(frame));
    if (slot->in_flight || slot->ready) return dropped;
    slot->ready = true;
    ready_.push_back(slot);
  }
  cv_.notify_one();
  return dropped;
}

std::size_t InferencePool::queued(const std::shared_ptr<Slot>& slot) const {
  std::lock_guard lock(mu_);
  return slot->queue.size();
}

double InferencePool::inference_ms() const {
  double ms = 0;
  for (std::size_t i = 0; i < threads_.size(); ++i)
    ms += static_cast<double>(inference_us_[i].load()) / 1000.0;
  return ms;
}

void InferencePool::run(std::size_t index) {
  std::unique_ptr<InferenceContext> ctx;
  try {
    ctx = std::make_unique<InferenceContext>(models_);
  } catch (const std::exception& e) {
    // Analysers that need a network will report it; the classical ones still run.
    core::logger(core::LogModule::video)
        ->error("inference thread {}: no models: {}", index, e.what());
  }
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
    if (stopping_) return;
    auto slot = std::move(ready_.front());
    ready_.pop_front();
    slot->ready = false;
    if (slot->closed) continue;
    auto frame = slot->queue.pop();
    if (!frame) continue;
    slot->in_flight = true;
    lock.unlock();
    try {
      slot->analyse(*frame, ctx.get());
    } catch (const std::exception& e) {
      core::logger(core::LogModule::video)
          ->warn("camera {}: analyser failed: {}", frame->video_id, e.what());
    }
    if (ctx) {
      auto c = ctx->costs();
      inference_us_[index] = static_cast<std::uint64_t>((c.person_ms + c.fire_ms) * 1000.0);
    }
    lock.lock();
    slot->in_flight = false;
    if (!slot->closed && !slot->queue.empty() && !slot->ready) {
      slot->ready = true;
      ready_.push_back(slot);  // back of the line: round-robin between cameras
    }
    idle_cv_.notify_all();
  }
}

}  // namespace hazmon::video
