#pragma once
// A server-sent-events response: the handler returns a Response whose `stream` is set; the
// server sends the header and then every pushed event as it comes, with a keep-alive comment
// when idle, until the client goes or the server stops. Producers push from any thread.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace hazmon::http {

class EventStream {
 public:
  explicit EventStream(std::size_t max_queued = 1000) : max_(max_queued) {}

  // `data` is one JSON document; `event` the SSE event name. A slow client loses the oldest
  // queued events first (counted in dropped()) rather than holding memory without bound.
  void push(const std::string& event, const std::string& data);
  void close();

  // Server side.
  std::deque<std::string> take();
  bool closed() const;
  void set_waker(std::function<void()> waker);
  std::uint64_t dropped() const;
  // Called once when the stream ends, whoever ends it (unsubscribe here).
  std::function<void()> on_close;
  // Asked on a worker thread every `recheck_every` while the stream is open: false closes it
  // (the session behind it has ended, maybe on another node). Empty: never asked.
  std::function<bool()> still_authorised;
  std::chrono::milliseconds recheck_every{30000};

 private:
  mutable std::mutex mutex_;
  std::deque<std::string> queue_;
  std::size_t max_;
  bool closed_ = false;
  std::uint64_t dropped_ = 0;
  std::function<void()> waker_;
};

}  // namespace hazmon::http
