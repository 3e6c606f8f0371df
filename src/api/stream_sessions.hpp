#pragma once
// The live streams open per person, so that a logout, password change or deactivation closes
// them at once and one token cannot hold more than a few (the oldest gives way).
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include <hazmon/http/event_stream.hpp>

namespace hazmon::api {

class StreamSessions {
 public:
  explicit StreamSessions(int max_per_principal)
      : max_(max_per_principal < 1 ? 1 : max_per_principal) {}
  // Registers a new stream; closes this person's oldest streams beyond the limit.
  void add(long long user_id, const std::string& token_hash,
           const std::shared_ptr<http::EventStream>& s);
  // user_id 0: the streams opened with this token; token_hash empty: every stream of the user.
  void close(long long user_id, const std::string& token_hash);

 private:
  struct Entry {
    long long user_id;
    std::string token_hash;
    std::weak_ptr<http::EventStream> stream;
  };
  void prune();  // under mutex_
  int max_;
  std::mutex mutex_;
  std::deque<Entry> entries_;  // oldest first
};

}  // namespace hazmon::api
