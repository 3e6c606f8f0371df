#pragma once
// Fan-out of live changes (alarm episodes, warning events, duty calls) to the dashboards' streams,
// each subscriber seeing only what its scope covers (a call: only the called duty room's people).
// Publishers never block on subscribers: a subscriber's callback must only queue (http::EventStream
// does).
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include <hazmon/model/alarm.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {
class Database;
}  // namespace hazmon::storage

namespace hazmon::service {

struct LiveEvent {
  std::string kind;  // "alarm", "warning" or "call"
  // The enterprise it concerns; scopes filter on it. For a "call": the called duty room as
  // duty_room_key() writes it, whose people alone see it (docs/calls.md, attack 13.41). One field
  // for both, so that storage::LiveRelay carries calls between nodes unchanged.
  std::string company_code;
  std::string json;  // the payload
};

class EventHub {
 public:
  explicit EventHub(storage::Database& db) : db_(db) {}
  using Callback = std::function<void(const LiveEvent&)>;
  long long subscribe(const model::Principal& who, Callback cb);
  void unsubscribe(long long id);
  void publish(const LiveEvent& e);
  // An alarm episode change as the stream carries it.
  static LiveEvent from_alarm(const model::AlarmEvent& a);
  // "region:<code>" or "enterprise:<code>": a duty room (model::DutyRoom's kind and code).
  static std::string duty_room_key(const std::string& kind, const std::string& code);
  // Whether a person of this role and scope is of that duty room (CallService::room_of's rule:
  // the province's officers, a city's or county's own officers, an enterprise's users).
  static bool in_duty_room(model::Role role, const model::Scope& scope, const std::string& key);
  std::size_t subscribers() const;

 private:
  struct Sub {
    model::Role role;
    model::Scope scope;
    Callback cb;
  };
  bool visible(const Sub& s, const LiveEvent& e);
  std::string region_of(const std::string& company_code);
  storage::Database& db_;
  mutable std::mutex mutex_;
  long long next_ = 1;
  std::map<long long, Sub> subs_;
  std::mutex regions_mutex_;
  std::map<std::string, std::string> regions_;  // company → region, cached
};

}  // namespace hazmon::service
