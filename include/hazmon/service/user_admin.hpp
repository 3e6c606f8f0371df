#pragma once
// Listing people for province admins; creating them goes through auth::AuthService.
#include <nlohmann/json_fwd.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

class UserDirectory {
 public:
  explicit UserDirectory(storage::Database& db) : db_(db) {}
  nlohmann::json list(int limit, long long offset);
  long long count();
  bool has_any_user();

 private:
  storage::Database& db_;
};

}  // namespace hazmon::service
