#include <hazmon/service/user_admin.hpp>

#include <hazmon/storage/database.hpp>

namespace hazmon::service {

namespace {
const storage::AuthStore kStore;
}

UserPage UserDirectory::list(int limit, long long offset) {
  auto tx = db_.begin();
  UserPage page;
  page.items = kStore.users(tx, limit, offset, page.total);
  return page;
}

long long UserDirectory::count() {
  auto tx = db_.begin();
  return kStore.user_count(tx);
}

bool UserDirectory::has_any_user() { return count() > 0; }

}  // namespace hazmon::service
