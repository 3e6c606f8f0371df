#pragma once
// Brakes on password guessing that a guesser cannot turn against the real user.
//
// - A (user, address) pair that fails `max_failures` times within `window` is locked out for
//   `lockout`: the guesser's own address stops, the user's other addresses do not.
// - Every user also has a slower, global back-off: past `user_free_failures` failures within
//   `window` from anywhere, an address that has itself failed for this user waits a delay that
//   doubles with each further failure (capped at `user_max_delay`). An address with no failure
//   for the user is never held back, so a correct password from the user's own desk still works
//   while a botnet guesses.
// - Addresses are grouped: IPv4 by address, IPv6 by its /64 (core::address_group).
// In memory, per node: a restart forgives, which is acceptable for a brake.
#include <chrono>
#include <cstdint>
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
  int user_free_failures = 20;
  std::chrono::seconds user_max_delay{900};
};

class LoginThrottle {
 public:
  LoginThrottle(ThrottleSettings s, const core::Clock& clock) : s_(s), clock_(clock) {}
  // Seconds until this user may try again from this address; 0 when it may try now.
  long long retry_after_s(const std::string& user, const std::string& client_addr);
  // Returns true when this failure started a lockout of the pair (audit that once).
  bool record_failure(const std::string& user, const std::string& client_addr);
  void record_success(const std::string& user, const std::string& client_addr);

 private:
  struct Pair {
    std::deque<core::SysTime> failures;
    core::SysTime locked_until{};
  };
  struct User {
    std::deque<core::SysTime> failures;
    core::SysTime next_allowed{};
  };
  void prune(std::deque<core::SysTime>& d, core::SysTime now) const;
  void bound_memory(core::SysTime now);
  ThrottleSettings s_;
  const core::Clock& clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Pair> pairs_;  // user + '\n' + address group
  std::unordered_map<std::string, User> users_;
};

}  // namespace hazmon::auth
