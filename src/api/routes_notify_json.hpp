#pragma once
// Inside api only: notifications and duty contacts as GET /notifications and /notify-contacts
// answer them.
#include <nlohmann/json.hpp>

#include <hazmon/model/notification.hpp>
#include <hazmon/model/page.hpp>

#include "json_values.hpp"

namespace hazmon::api {

nlohmann::json notification_json(const model::NotificationRow& n);
nlohmann::json contact_json(const model::ContactRow& c);
using json_values::page_json;

}  // namespace hazmon::api
