#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace hazmon::core {

// Cryptographically random bytes (OpenSSL RAND_bytes), URL-safe base64 without padding.
std::string random_token(std::size_t bytes = 32);
// Random bytes as lower-case hex (symmetric keys, IVs).
std::string random_hex(std::size_t bytes);
// Short id for correlating a request across logs and the problem+json body.
std::string new_request_id();
// Lower-case hex SHA-256 of the input; tokens and API secrets are stored only as this.
std::string sha256_hex(std::string_view data);
// Constant-time comparison for secrets.
bool secure_equals(std::string_view a, std::string_view b);

}  // namespace hazmon::core
