#pragma once
#include <hazmon/core/clock.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hazmon::core {

// RFC 3339 in UTC with millisecond precision, as the API emits times.
std::string format_rfc3339(SysTime t);
// Accepts RFC 3339 and the provinces' "yyyy-MM-dd HH:mm:ss" (read as UTC+8).
std::optional<SysTime> parse_time(std::string_view s);

}  // namespace hazmon::core
