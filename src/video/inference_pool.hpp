#pragma once
// A fixed number of inference threads shared by all cameras. Each thread owns one
// InferenceContext (its own cv::dnn::Net objects, which are not safe to share). Cameras push
// frames into their own bounded queue; a camera with frames waiting is served round-robin, and
// never by two threads at once, so its analysers need no locking and see frames in order.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "analyser.hpp"
#include "frame_queue.hpp"

namespace hazmon::video {

class InferencePool {
 public:
  using Analyse = std::function<void(const AnalysisFrame&, InferenceContext*)>;

  struct Slot {  // one camera's place in the pool
    Slot(std::size_t capacity, Analyse fn) : queue(capacity), analyse(std::move(fn)) {}
    DropOldestQueue<AnalysisFrame> queue;
    Analyse analyse;
    bool in_flight = false, ready = false, closed = false;
  };

  InferencePool(int threads, ModelPaths models);
  ~InferencePool();
  InferencePool(const InferencePool&) = delete;

  std::shared_ptr<Slot> add(std::size_t queue_capacity, Analyse fn);
  // Stops serving the slot; returns once no thread is inside its Analyse any more.
  void remove(const std::shared_ptr<Slot>& slot);
  // Never blocks on inference; returns the number of frames dropped to make room.
  std::size_t push(const std::shared_ptr<Slot>& slot, AnalysisFrame frame);
  std::size_t queued(const std::shared_ptr<Slot>& slot) const;

  // Milliseconds spent inside the networks (from the contexts), summed over threads.
  double inference_ms() const;
  void stop();

 private:
  void run(std::size_t index);
  ModelPaths models_;
  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::shared_ptr<Slot>> ready_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> inference_us_;
};

}  // namespace hazmon::video
