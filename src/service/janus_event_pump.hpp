#pragma once
// The browsers' Janus event long polls, run by hazmond itself on one thread with libcurl's multi
// interface and pushed to the dashboard as server-sent events (docs/calls.md, ADR 0036): no HTTP
// worker waits on Janus. Per watched session one long poll at a time, started again as soon as
// it answers; each Janus event goes to the watch's `deliver`.
#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hazmon::service {

struct JanusWatch {
  long long session = 0;
  std::function<void(const std::string&)> deliver;  // one Janus event (JSON); must only queue
  std::function<bool()> alive;  // asked about once a second on the pump's thread; false ends it
  std::function<void()> ended;  // once, when the watch ends (whoever ends it)
};

class JanusEventPump {
 public:
  JanusEventPump(std::string url, std::string api_secret, std::size_t max_watches);
  ~JanusEventPump();  // stop()
  JanusEventPump(const JanusEventPump&) = delete;

  // False (nothing started) past max_watches or after stop().
  bool watch(JanusWatch w);
  // Ends every watch (their `ended` runs) within about a second and joins the thread.
  void stop();
  std::size_t watching() const { return count_.load(); }

 private:
  struct Active;
  using ActiveMap = std::map<void*, std::unique_ptr<Active>>;  // by CURL* easy handle
  // Steps of the pump's thread (run), which alone touches active_.
  void run();
  void adopt_new();      // the watches watch() queued: their first long poll
  void read_finished();  // long polls Janus answered: deliver, poll again or end
  void drop_dead();      // watches no longer alive
  void end(ActiveMap::iterator it);

  std::string url_, secret_;
  std::size_t max_;
  std::mutex m_;
  std::vector<JanusWatch> incoming_;
  std::atomic<std::size_t> count_{0};
  std::atomic<bool> stop_{false};
  void* multi_ = nullptr;  // CURLM*
  ActiveMap active_;
  std::thread thread_;
};

}  // namespace hazmon::service
