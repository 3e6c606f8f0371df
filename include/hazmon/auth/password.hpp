#pragma once
#include <string>
#include <string_view>

namespace hazmon::auth {

// argon2id through libsodium's crypto_pwhash_str (salt and parameters inside the string).
std::string hash_password(std::string_view password);
bool verify_password(std::string_view stored_hash, std::string_view password);
// Empty when acceptable, otherwise a sentence saying what is wrong.
std::string password_policy_problem(std::string_view password);

}  // namespace hazmon::auth
