#pragma once
// Inside service only: NotificationService's duty contacts (notification_contacts.cpp).
#include <nlohmann/json.hpp>

#include <map>
#include <string>

#include <hazmon/model/scope.hpp>
#include <hazmon/storage/notification_store.hpp>

namespace hazmon::storage {
class Database;
}  // namespace hazmon::storage

namespace hazmon::service::notification_detail {

int level_rank(const std::string& level);  // blue 0 … red 3; −1 for anything else
bool is_tier(const std::string& t);        // enterprise, county, city, province

model::Page<model::ContactRow> list_contacts(storage::Database& db,
                                             const storage::NotificationStore& st,
                                             const model::Principal& who,
                                             const std::map<std::string, std::string>& filters,
                                             int limit, long long offset);
model::ContactRow create_contact(storage::Database& db, const storage::NotificationStore& st,
                                 const model::Principal& who, const nlohmann::json& body);
model::ContactRow replace_contact(storage::Database& db, const storage::NotificationStore& st,
                                  const model::Principal& who, long long id,
                                  const nlohmann::json& body);
void delete_contact(storage::Database& db, const storage::NotificationStore& st,
                    const model::Principal& who, long long id);

}  // namespace hazmon::service::notification_detail
