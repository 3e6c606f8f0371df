#include <hazmon/service/user_admin.hpp>

#include <hazmon/storage/database.hpp>

#include <nlohmann/json.hpp>

namespace hazmon::service {

nlohmann::json UserDirectory::list(int limit, long long offset) {
  auto tx = db_.begin();
  auto rows = tx.exec(
      "SELECT id, username, display_name, role, scope_kind, scope_code, is_active, created_at, "
      "count(*) OVER () AS total_count_ FROM app_user ORDER BY id LIMIT $1 OFFSET $2",
      {std::to_string(limit), std::to_string(offset)});
  long long total = rows.empty() ? 0 : rows[0]["total_count_"].get<long long>();
  for (auto& r : rows) r.erase("total_count_");
  return {{"items", rows}, {"total", total}, {"limit", limit}, {"offset", offset}};
}

long long UserDirectory::count() {
  auto tx = db_.begin();
  return tx.exec_one("SELECT count(*) AS n FROM app_user")["n"].get<long long>();
}

bool UserDirectory::has_any_user() { return count() > 0; }

}  // namespace hazmon::service
