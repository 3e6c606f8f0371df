#include <hazmon/core/secret_box.hpp>

#include <hazmon/core/encoding.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace hazmon::core {
namespace {
constexpr std::size_t kNonce = 12, kTag = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
}  // namespace

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  if (key_.size() != 32) throw std::invalid_argument("a secret-box key is 32 bytes");
}

SecretBox SecretBox::load_or_create(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) {
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed");
    auto hex = to_hex(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw)) + "\n";
    // O_EXCL: two processes starting at once do not both write a key.
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
      bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
                ::fsync(fd) == 0;
      ::close(fd);
      if (!ok) throw std::runtime_error("cannot write the server key " + file.string());
    } else if (errno != EEXIST) {
      throw std::runtime_error("cannot create the server key " + file.string());
    }
  }
  std::ifstream in(file);
  std::string hex;
  if (!(in >> hex)) throw std::runtime_error("cannot read the server key " + file.string());
  auto key = from_hex(hex);
  if (!key || key->size() != 32)
    throw std::runtime_error("the server key " + file.string() + " is not 64 hex characters");
  return SecretBox(*key);
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view context) const {
  unsigned char nonce[kNonce];
  if (RAND_bytes(nonce, kNonce) != 1) throw std::runtime_error("RAND_bytes failed");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::string out(reinterpret_cast<const char*>(nonce), kNonce);
  out.resize(kNonce + plaintext.size() + kTag);
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  int len = 0, fin = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), p + kNonce, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), p + kNonce + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, p + kNonce + plaintext.size()) !=
          1)
    throw std::runtime_error("AES-256-GCM seal failed");
  return "v1:" + to_hex(out);
}

std::optional<std::string> SecretBox::open(std::string_view sealed,
                                           std::string_view context) const {
  if (!is_sealed(sealed)) return std::nullopt;
  auto raw = from_hex(sealed.substr(3));
  if (!raw || raw->size() < kNonce + kTag) return std::nullopt;
  auto* p = reinterpret_cast<unsigned char*>(raw->data());
  std::size_t n = raw->size() - kNonce - kTag;
  std::string plain(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0, fin = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr,
                         reinterpret_cast<const unsigned char*>(key_.data()), p) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(context.data()),
                        static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, p + kNonce,
                        static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, p + kNonce + n) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &fin) !=
          1)
    return std::nullopt;
  return plain;
}

}  // namespace hazmon::core
