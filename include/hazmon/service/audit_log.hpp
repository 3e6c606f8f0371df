#pragma once
// The append-only audit trail of state-changing requests by people (the table refuses UPDATE
// and DELETE). Written in the request's worker thread after the outcome is known.
#include <nlohmann/json_fwd.hpp>

#include <string>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct AuditEntry {
  std::string request_id;
  long long actor_id = 0;  // 0 when the actor is not (yet) known, e.g. a failed login
  std::string actor_name;
  std::string actor_role;
  std::string client_addr;
  std::string method;
  std::string path;
  int status = 0;
  std::string action;         // e.g. "registry.create"
  std::string target;         // e.g. "enterprises/14010090001"
  std::string detail = "{}";  // a JSON object, as text (nlohmann::json::dump)
};

class AuditLog {
 public:
  explicit AuditLog(storage::Database& db) : db_(db) {}
  void record(const AuditEntry& e);
  // Newest first; province admins only (checked by the caller).
  nlohmann::json recent(int limit, long long before_id);

 private:
  storage::Database& db_;
};

}  // namespace hazmon::service
