#include <hazmon/auth/password.hpp>

#include <sodium.h>

#include <hazmon/core/error.hpp>

namespace hazmon::auth {
namespace {
void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  HAZMON_CHECK(ok, "libsodium failed to initialise");
}
}  // namespace

std::string hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    throw core::Error(core::Errc::unavailable, "out of memory while hashing a password");
  }
  return out;
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  ensure_sodium();
  std::string h(stored_hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string password_policy_problem(std::string_view pw) {
  if (pw.size() < 10) return "the password must have at least 10 characters";
  if (pw.size() > 256) return "the password must have at most 256 characters";
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : pw) {
    if (c >= 'a' && c <= 'z')
      lower = true;
    else if (c >= 'A' && c <= 'Z')
      upper = true;
    else if (c >= '0' && c <= '9')
      digit = true;
    else
      other = true;
  }
  if (lower + upper + digit + other < 3)
    return "the password must mix at least three of: lower case, upper case, digits, other "
           "characters";
  return {};
}

}  // namespace hazmon::auth
