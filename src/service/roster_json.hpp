#pragma once
// Inside the roster service (roster.cpp, roster_connection.cpp, city_platforms.cpp): an optional
// time of its JSON answers, null when absent, written as PostgreSQL writes a timestamptz.
#include <nlohmann/json.hpp>

#include <optional>

#include <hazmon/core/clock.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::service::roster_json {

inline nlohmann::json time_or_null(const std::optional<core::SysTime>& t) {
  return t ? nlohmann::json(storage::format_timestamptz(*t)) : nlohmann::json(nullptr);
}

}  // namespace hazmon::service::roster_json
