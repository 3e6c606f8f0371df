#pragma once
// Small encodings shared by modules: lower-case hex, the address grouping that the login
// brake and the connection cap both use, and comma-separated lists.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hazmon::core {

std::string to_hex(std::string_view bytes);
// nullopt on an odd length or a character that is not a hex digit (either case).
std::optional<std::string> from_hex(std::string_view hex);

// The group a client address counts in: an IPv4 address (also written IPv4-mapped) as itself,
// an IPv6 address as its /64 ("2001:db8:1:2::/64": one host or site usually owns a whole /64),
// and text that is no address as it is.
std::string address_group(std::string_view client_addr);

// The items of a comma-separated list (as string_agg(..., ',') writes it), in order; empty items
// ("a,,b", a trailing comma, "") are dropped and nothing is trimmed.
std::vector<std::string> split_list(std::string_view s);

}  // namespace hazmon::core
