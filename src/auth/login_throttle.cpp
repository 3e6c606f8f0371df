#include <hazmon/auth/login_throttle.hpp>

namespace hazmon::auth {

void LoginThrottle::prune(Entry& e, core::SysTime now) {
  while (!e.failures.empty() && now - e.failures.front() > s_.window) e.failures.pop_front();
}

long long LoginThrottle::retry_after_s(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return 0;
  auto now = clock_.now();
  if (it->second.locked_until > now) {
    auto left = std::chrono::ceil<std::chrono::seconds>(it->second.locked_until - now).count();
    return left > 0 ? left : 1;
  }
  return 0;
}

void LoginThrottle::record_failure(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto now = clock_.now();
  auto& e = entries_[key];
  prune(e, now);
  e.failures.push_back(now);
  if (static_cast<int>(e.failures.size()) >= s_.max_failures) {
    e.locked_until = now + s_.lockout;
    e.failures.clear();
  }
  // Bound memory against a flood of distinct keys: forget entries that are neither locked nor
  // have recent failures.
  if (entries_.size() > 100000) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      prune(it->second, now);
      if (it->second.failures.empty() && it->second.locked_until <= now) it = entries_.erase(it);
      else ++it;
    }
  }
}

void LoginThrottle::record_success(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

}  // namespace hazmon::auth
