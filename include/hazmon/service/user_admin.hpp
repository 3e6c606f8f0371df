#pragma once
// Listing people for province admins; creating them goes through auth::AuthService.
#include <vector>

#include <hazmon/storage/auth_store.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct UserPage {
  std::vector<storage::UserListRow> items;  // by id
  long long total = 0;                      // all users
};

class UserDirectory {
 public:
  explicit UserDirectory(storage::Database& db) : db_(db) {}
  UserPage list(int limit, long long offset);
  long long count();
  bool has_any_user();

 private:
  storage::Database& db_;
};

}  // namespace hazmon::service
