#pragma once
// Reading a registry row (JSON, as the registry store returns it and a patch names it).
#include <nlohmann/json.hpp>

#include <string>

namespace hazmon::service {

// The row's string field `k`, or "" where it is absent, null or not a string.
inline std::string string_field(const nlohmann::json& row, const char* k) {
  return row.contains(k) && row[k].is_string() ? row[k].get<std::string>() : std::string();
}

}  // namespace hazmon::service
