#pragma once
// Inside service only: optional row fields as JSON values for the answers the services still
// build (issue 11 moves that to the routes): null when absent, timestamps as the API writes them.
#include <nlohmann/json.hpp>

#include <optional>

#include <hazmon/core/clock.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::service::json_values {

inline nlohmann::json time_or_null(const std::optional<core::SysTime>& t) {
  return t ? nlohmann::json(storage::format_timestamptz(*t)) : nlohmann::json(nullptr);
}

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace hazmon::service::json_values
