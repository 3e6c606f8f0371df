#pragma once
// What call_service.cpp (the call records) and call_proxy.cpp (the Janus proxy and its event
// streams) share: the limits, small checks and the proxy's session book. Private to src/service.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include <hazmon/core/random.hpp>
#include <hazmon/service/call_service.hpp>

namespace hazmon::service {
namespace call_detail {
using model::Role;
using nlohmann::json;
namespace chr = std::chrono;

// A proxied Janus session unused this long is gone.
inline constexpr auto kSessionTtl = chr::minutes(3);
// Janus answers a long poll within 30 s.
inline constexpr auto kLongPoll = chr::seconds(35);
inline constexpr std::size_t kMaxTransaction = 64;
inline constexpr int kPublishers = 6;
// Handles one admission may join the room with (a browser uses one to publish and one per other
// publisher it watches): bounds the rows a hostile client makes the proxy note.
inline constexpr int kMaxHandlesPerAdmission = 16;

inline bool is_officer(Role r) {
  return r == Role::province_admin || r == Role::province_officer || r == Role::city_officer ||
         r == Role::county_officer;
}

// 1 .. 2^52 - 1: a room id (or a VideoRoom publisher id) JavaScript's numbers hold exactly.
inline long long random_room() {
  auto hex = core::random_hex(7);
  auto v = std::stoull(hex, nullptr, 16) & ((1ULL << 52) - 1);
  return static_cast<long long>(v == 0 ? 1 : v);
}

// Janus's ids are below 2^53 (16 digits); 18 digits still fit a long long.
inline bool all_digits(const std::string& s) {
  return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string::npos;
}

inline ProxyAnswer refuse(int status, const std::string& why) {
  // Janus's own error shape, so that the browser's client reads it like any Janus error.
  return {status, json{{"janus", "error"}, {"error", {{"code", status}, {"reason", why}}}}.dump()};
}

}  // namespace call_detail

// The Janus sessions this node's proxy created, by the person they were created for.
struct CallService::Sessions {
  static constexpr auto kSessionTtl = call_detail::kSessionTtl;
  std::mutex m;
  std::map<long long, std::pair<long long, core::SysTime>> owner;  // session → (user, last use)
  std::atomic<int> long_polls{0};
  std::map<long long, long long> watch_of;  // session → its newest event watch (the older end)
  long long watches = 0;

  void add(long long session, long long user, core::SysTime now) {
    std::lock_guard lock(m);
    for (auto it = owner.begin(); it != owner.end();) {
      if (now - it->second.second <= kSessionTtl) {
        ++it;
        continue;
      }
      watch_of.erase(it->first);
      it = owner.erase(it);
    }
    owner[session] = {user, now};
  }
  bool owns(long long session, long long user, core::SysTime now) {
    std::lock_guard lock(m);
    auto it = owner.find(session);
    if (it == owner.end() || it->second.first != user || now - it->second.second > kSessionTtl)
      return false;
    it->second.second = now;
    return true;
  }
  void drop(long long session) {
    std::lock_guard lock(m);
    owner.erase(session);
    watch_of.erase(session);
  }
  long long new_watch(long long session) {
    std::lock_guard lock(m);
    return watch_of[session] = ++watches;
  }
  bool newest_watch(long long session, long long watch) {
    std::lock_guard lock(m);
    auto it = watch_of.find(session);
    return it != watch_of.end() && it->second == watch;
  }
};

}  // namespace hazmon::service
