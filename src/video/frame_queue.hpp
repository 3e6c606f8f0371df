#pragma once
// Bounded queue that never blocks the producer: when full, the oldest item is dropped (and the
// caller counts it). A stale frame is worth less than a fresh one to every analyser. Not
// thread-safe on its own; the inference pool guards it with its mutex.
#include <cstddef>
#include <deque>
#include <optional>

namespace hazmon::video {

template <class T>
class DropOldestQueue {
 public:
  explicit DropOldestQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Returns how many items were dropped to make room (0 or 1).
  std::size_t push(T item) {
    std::size_t dropped = 0;
    while (items_.size() >= capacity_) {
      items_.pop_front();
      ++dropped;
    }
    items_.push_back(std::move(item));
    return dropped;
  }
  std::optional<T> pop() {
    if (items_.empty()) return std::nullopt;
    T t = std::move(items_.front());
    items_.pop_front();
    return t;
  }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  std::size_t capacity() const { return capacity_; }
  void clear() { items_.clear(); }

 private:
  std::size_t capacity_;
  std::deque<T> items_;
};

}  // namespace hazmon::video
