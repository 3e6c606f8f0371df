#include <hazmon/auth/login_throttle.hpp>

#include <hazmon/core/encoding.hpp>

namespace hazmon::auth {

namespace {
std::string pair_key(const std::string& user, const std::string& addr) {
  return user + '\n' + core::address_group(addr);
}

long long seconds_until(core::SysTime t, core::SysTime now) {
  if (t <= now) return 0;
  auto left = std::chrono::ceil<std::chrono::seconds>(t - now).count();
  return left > 0 ? left : 1;
}
}  // namespace

void LoginThrottle::prune(std::deque<core::SysTime>& d, core::SysTime now) const {
  while (!d.empty() && now - d.front() > s_.window) d.pop_front();
}

long long LoginThrottle::retry_after_s(const std::string& user, const std::string& client_addr) {
  std::lock_guard lock(mutex_);
  auto now = clock_.now();
  auto p = pairs_.find(pair_key(user, client_addr));
  if (p == pairs_.end()) return 0;  // no failure from here: never held back by the user's back-off
  long long wait = seconds_until(p->second.locked_until, now);
  if (auto u = users_.find(user); u != users_.end())
    wait = std::max(wait, seconds_until(u->second.next_allowed, now));
  return wait;
}

bool LoginThrottle::record_failure(const std::string& user, const std::string& client_addr) {
  std::lock_guard lock(mutex_);
  auto now = clock_.now();
  bound_memory(now);
  auto& p = pairs_[pair_key(user, client_addr)];
  prune(p.failures, now);
  p.failures.push_back(now);
  bool locked = false;
  if (static_cast<int>(p.failures.size()) >= s_.max_failures) {
    p.locked_until = now + s_.lockout;
    p.failures.clear();
    locked = true;
  }
  auto& u = users_[user];
  prune(u.failures, now);
  u.failures.push_back(now);
  int over = static_cast<int>(u.failures.size()) - s_.user_free_failures;
  if (over > 0) {
    auto delay = std::chrono::seconds(1) * (1LL << std::min(over - 1, 20));
    u.next_allowed = now + std::min<std::chrono::seconds>(delay, s_.user_max_delay);
  }
  return locked;
}

void LoginThrottle::record_success(const std::string& user, const std::string& client_addr) {
  std::lock_guard lock(mutex_);
  pairs_.erase(pair_key(user, client_addr));
}

void LoginThrottle::bound_memory(core::SysTime now) {
  // A flood of distinct names or addresses must not grow memory without bound: forget entries
  // that are neither locked nor have recent failures.
  if (pairs_.size() > 100000) {
    for (auto it = pairs_.begin(); it != pairs_.end();) {
      prune(it->second.failures, now);
      if (it->second.failures.empty() && it->second.locked_until <= now)
        it = pairs_.erase(it);
      else
        ++it;
    }
  }
  if (users_.size() > 100000) {
    for (auto it = users_.begin(); it != users_.end();) {
      prune(it->second.failures, now);
      if (it->second.failures.empty() && it->second.next_allowed <= now)
        it = users_.erase(it);
      else
        ++it;
    }
  }
}

}  // namespace hazmon::auth
