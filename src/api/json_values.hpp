#pragma once
// Inside api only: optional struct fields as JSON values for the answers the routes build: null
// when absent, timestamps as the API writes them (core::format_rfc3339_pg).
#include <nlohmann/json.hpp>

#include <optional>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/time_format.hpp>

namespace hazmon::api::json_values {

inline nlohmann::json time_or_null(const std::optional<core::SysTime>& t) {
  return t ? nlohmann::json(core::format_rfc3339_pg(*t)) : nlohmann::json(nullptr);
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// The records of issue 12 (circulars, patrols, work permits, unit statuses, key processes):
// null when absent, timestamps with milliseconds (core::format_rfc3339).
inline nlohmann::json opt(const std::optional<std::string>& s) { return or_null(s); }
inline nlohmann::json opt(const std::optional<core::SysTime>& t) {
  return t ? nlohmann::json(core::format_rfc3339(*t)) : nlohmann::json(nullptr);
}

// {"items": [...], "total", "limit", "offset"}: one page of a list (`page.items`, `page.total`).
template <typename Page, typename F>
nlohmann::json page_json(const Page& page, F&& item_json, int limit, long long offset) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& x : page.items) items.push_back(item_json(x));
  return {{"items", std::move(items)}, {"total", page.total}, {"limit", limit}, {"offset", offset}};
}

}  // namespace hazmon::api::json_values
