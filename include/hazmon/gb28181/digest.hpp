#pragma once
// RFC 2617 digest authentication with MD5, as GB/T 28181-2016 §9.1 registers a device: the
// server issues a nonce in a 401 WWW-Authenticate, the device answers with
// response = MD5(HA1:nonce[:nc:cnonce:qop]:HA2), HA1 = MD5(user:realm:password),
// HA2 = MD5(method:uri).
#include <string>
#include <string_view>

#include <hazmon/gb28181/sip_message.hpp>

namespace hazmon::gb28181 {

std::string md5_hex(std::string_view data);

// The response a device holding `password` would send for `c` (its qop, nc and cnonce).
std::string digest_response(const DigestCredentials& c, std::string_view method,
                            std::string_view password);

// Whether `c` answers the challenge with `password`: algorithm MD5 (or absent), qop absent or
// "auth", and the response equal (compared in constant time).
bool digest_matches(const DigestCredentials& c, std::string_view method, std::string_view password);

}  // namespace hazmon::gb28181
