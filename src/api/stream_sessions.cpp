#include "stream_sessions.hpp"

#include <vector>

namespace hazmon::api {

void StreamSessions::prune() {
  std::erase_if(entries_, [](const Entry& e) {
    auto s = e.stream.lock();
    return !s || s->closed();
  });
}

void StreamSessions::add(long long user_id, const std::string& token_hash,
                         const std::shared_ptr<http::EventStream>& s) {
  std::vector<std::shared_ptr<http::EventStream>> to_close;
  {
    std::lock_guard lock(mutex_);
    prune();
    int n = 0;
    for (const auto& e : entries_) n += e.user_id == user_id;
    for (auto it = entries_.begin(); it != entries_.end() && n >= max_;) {
      if (it->user_id == user_id) {
        if (auto old = it->stream.lock()) to_close.push_back(old);
        it = entries_.erase(it);
        --n;
      } else {
        ++it;
      }
    }
    entries_.push_back({user_id, token_hash, s});
  }
  for (auto& old : to_close) old->close();  // outside the lock: close() wakes the writer
}

void StreamSessions::close(long long user_id, const std::string& token_hash) {
  std::vector<std::shared_ptr<http::EventStream>> to_close;
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end();) {
      bool match = token_hash.empty() ? it->user_id == user_id : it->token_hash == token_hash;
      if (match) {
        if (auto s = it->stream.lock()) to_close.push_back(s);
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& s : to_close) s->close();
}

}  // namespace hazmon::api
