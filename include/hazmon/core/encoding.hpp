#pragma once
// Small encodings shared by modules: lower-case hex, and the address grouping that the login
// brake and the connection cap both use.
#include <optional>
#include <string>
#include <string_view>

namespace hazmon::core {

std::string to_hex(std::string_view bytes);
// nullopt on an odd length or a character that is not a hex digit (either case).
std::optional<std::string> from_hex(std::string_view hex);

// The group a client address counts in: an IPv4 address (also written IPv4-mapped) as itself,
// an IPv6 address as its /64 ("2001:db8:1:2::/64": one host or site usually owns a whole /64),
// and text that is no address as it is.
std::string address_group(std::string_view client_addr);

}  // namespace hazmon::core
