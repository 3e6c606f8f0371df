#pragma once
// Reading the statistics queries' JSON rows (statistics_store.cpp, statistics_overview.cpp).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

namespace hazmon::storage::stat_rows {
using nlohmann::json;

inline std::optional<std::string> opt_str(const json& v) {
  if (v.is_null()) return std::nullopt;
  return v.is_string() ? v.get<std::string>() : v.dump();
}
inline std::string str(const json& v) {
  return v.is_string() ? v.get<std::string>() : (v.is_null() ? "" : v.dump());
}
inline long long num(const json& v) {
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number()) return static_cast<long long>(v.get<double>());
  if (v.is_string()) return std::stoll(v.get<std::string>());
  return 0;
}
inline core::SysTime when(const json& v) {
  auto t = core::parse_time(str(v));
  if (!t)
    throw core::Error(core::Errc::internal, "statistics: unreadable timestamp from the database");
  return *t;
}

// The city code of an enterprise row `e` (its region's first four digits, then 00).
inline const char* const kCityOf = "substr(e.region_code, 1, 4) || '00'";

}  // namespace hazmon::storage::stat_rows
