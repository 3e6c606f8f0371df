#include <hazmon/service/audit_log.hpp>

#include <hazmon/storage/database.hpp>

namespace hazmon::service {

void AuditLog::record(const AuditEntry& e) {
  db_.in_tx([&](storage::Tx& tx) {
    tx.exec(
        "INSERT INTO audit_log(request_id, actor_id, actor_name, actor_role, client_addr, method, "
        "path, status, "
        "action, target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        {e.request_id,
         e.actor_id > 0 ? storage::Param(std::to_string(e.actor_id)) : storage::Param(),
         e.actor_name, e.actor_role, e.client_addr, e.method, e.path, std::to_string(e.status),
         e.action, e.target, e.detail.dump()});
  });
}

nlohmann::json AuditLog::recent(int limit, long long before_id) {
  auto tx = db_.begin();
  return tx.exec(
      "SELECT id, at, request_id, actor_id, actor_name, actor_role, client_addr, method, path, "
      "status, action, target, "
      "detail FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2",
      {std::to_string(before_id), std::to_string(limit)});
}

}  // namespace hazmon::service
