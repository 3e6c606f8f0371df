#include <hazmon/http/event_stream.hpp>

namespace hazmon::http {

void EventStream::push(const std::string& event, const std::string& data) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    if (queue_.size() >= max_) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back("event: " + event + "\ndata: " + data + "\n\n");
    wake = waker_;
  }
  if (wake) wake();
}

void EventStream::close() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    wake = waker_;
  }
  if (wake) wake();
}

std::deque<std::string> EventStream::take() {
  std::lock_guard lock(mutex_);
  std::deque<std::string> out;
  out.swap(queue_);
  return out;
}

bool EventStream::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void EventStream::set_waker(std::function<void()> waker) {
  std::lock_guard lock(mutex_);
  waker_ = std::move(waker);
}

std::uint64_t EventStream::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace hazmon::http
