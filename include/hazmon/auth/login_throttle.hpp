#pragma once
// Counts failed logins per key (user name, client address) in a sliding window and locks a key
// out for a while once it has too many. In memory: a restart forgives, which is acceptable for
// a per-node brake on guessing; the audit log keeps every attempt.
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include <hazmon/core/clock.hpp>

namespace hazmon::auth {

struct ThrottleSettings {
  int max_failures = 5;
  std::chrono::seconds window{900};
  std::chrono::seconds lockout{900};
};

class LoginThrottle {
 public:
  LoginThrottle(ThrottleSettings s, const core::Clock& clock) : s_(s), clock_(clock) {}
  // Seconds until the key may try again; 0 when it may try now.
  long long retry_after_s(const std::string& key);
  void record_failure(const std::string& key);
  void record_success(const std::string& key);

 private:
  struct Entry {
    std::deque<core::SysTime> failures;
    core::SysTime locked_until{};
  };
  void prune(Entry& e, core::SysTime now);
  ThrottleSettings s_;
  const core::Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace hazmon::auth
