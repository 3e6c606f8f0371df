#pragma once
// Secrets kept in PostgreSQL (camera passwords, envelope keys) are sealed with a server key that
// never enters the database: AES-256-GCM, a random 96-bit nonce per seal, and a context string
// bound as associated data so a sealed value copied to another row (another enterprise's camera,
// another credential) does not open there. A dump of the database alone reveals no secret.
//
// Sealed form: "v1:" + lower-case hex(nonce[12] | ciphertext | tag[16]).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hazmon::core {

class SecretBox {
 public:
  // `key` is 32 raw bytes; anything else throws std::invalid_argument.
  explicit SecretBox(std::string key);
  // Reads the key file (64 hex characters), or creates it with a random key (mode 0600) when it
  // does not exist. Every node sharing a database must use the same file (docs/security.md).
  static SecretBox load_or_create(const std::filesystem::path& file);

  std::string seal(std::string_view plaintext, std::string_view context) const;
  // nullopt when the value is not sealed by this key for this context (or is malformed).
  std::optional<std::string> open(std::string_view sealed, std::string_view context) const;
  static bool is_sealed(std::string_view value) { return value.rfind("v1:", 0) == 0; }

 private:
  std::string key_;
};

}  // namespace hazmon::core
