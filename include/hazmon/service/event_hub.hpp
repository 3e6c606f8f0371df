#pragma once
// Fan-out of live changes (alarm episodes, warning events) to the dashboards' streams, each
// subscriber seeing only what its scope covers. Publishers never block on subscribers: a
// subscriber's callback must only queue (http::EventStream does).
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
  std::string kind;          // "alarm" or "warning"
  std::string company_code;  // the enterprise it concerns; scopes filter on it
  std::string json;          // the payload
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
  std::size_t subscribers() const;

 private:
  bool visible(const model::Scope& scope, const std::string& company_code);
  std::string region_of(const std::string& company_code);
  storage::Database& db_;
  mutable std::mutex mutex_;
  long long next_ = 1;
  std::map<long long, std::pair<model::Scope, Callback>> subs_;
  std::mutex regions_mutex_;
  std::map<std::string, std::string> regions_;  // company → region, cached
};

}  // namespace hazmon::service
