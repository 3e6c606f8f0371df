#pragma once
#include <hazmon/core/clock.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace hazmon::core {

// RFC 3339 in UTC with millisecond precision, as the API emits times.
std::string format_rfc3339(SysTime t);
// RFC 3339 in UTC with the fraction PostgreSQL prints for a timestamptz (microseconds, trailing
// zeros dropped, none when whole): "2026-11-29T21:00:00.12Z", as storage::Tx::exec writes it.
std::string format_rfc3339_pg(SysTime t);
// The years a SysTime (system_clock: 64-bit nanoseconds since 1970) holds with room for any UTC
// offset; times outside them are not times (converting one overflowed: found by tests/fuzz).
inline constexpr int kMinTimeYear = 1678;
inline constexpr int kMaxTimeYear = 2261;
// Accepts RFC 3339 and the provinces' "yyyy-MM-dd HH:mm:ss" (read as UTC+8), years
// kMinTimeYear to kMaxTimeYear.
std::optional<SysTime> parse_time(std::string_view s);

}  // namespace hazmon::core
