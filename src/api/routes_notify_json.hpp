#pragma once
// Inside api only: notifications and duty contacts as GET /notifications and /notify-contacts
// answer them.
#include <nlohmann/json.hpp>

#include <hazmon/model/notification.hpp>
#include <hazmon/model/page.hpp>

namespace hazmon::api {

nlohmann::json notification_json(const model::NotificationRow& n);
nlohmann::json contact_json(const model::ContactRow& c);
// {"items": [...], "total", "limit", "offset"}
template <typename T, typename F>
nlohmann::json page_json(const model::Page<T>& page, F&& item_json, int limit, long long offset) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& x : page.items) items.push_back(item_json(x));
  return {{"items", std::move(items)}, {"total", page.total}, {"limit", limit}, {"offset", offset}};
}

}  // namespace hazmon::api
