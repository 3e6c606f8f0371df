#pragma once
// Inside api only: optional struct fields as JSON values for the answers the routes build: null
// when absent, timestamps as the API writes them (storage::format_timestamptz).
#include <nlohmann/json.hpp>

#include <optional>

#include <hazmon/core/clock.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::api::json_values {

inline nlohmann::json time_or_null(const std::optional<core::SysTime>& t) {
  return t ? nlohmann::json(storage::format_timestamptz(*t)) : nlohmann::json(nullptr);
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace hazmon::api::json_values
