#include <hazmon/service/audit_log.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/storage/auth_store.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::service {

namespace {
const storage::AuditStore kStore;
}

void AuditLog::record(const AuditEntry& e) {
  storage::AuditRow row{e.request_id,  e.actor_id > 0 ? std::optional(e.actor_id) : std::nullopt,
                        e.actor_name,  e.actor_role,
                        e.client_addr, e.method,
                        e.path,        e.status,
                        e.action,      e.target,
                        e.detail};
  db_.in_tx([&](storage::Tx& tx) { kStore.add(tx, row); });
}

nlohmann::json AuditLog::recent(int limit, long long before_id) {
  auto tx = db_.begin();
  return kStore.recent(tx, limit, before_id);
}

}  // namespace hazmon::service
