#include <hazmon/ingest/upload.hpp>

#include <openssl/evp.h>

#include <hazmon/core/error.hpp>

#include <memory>

namespace hazmon::ingest {
using core::Errc;
using core::Error;

namespace {
std::string from_hex(const std::string& hex) {
  if (hex.size() % 2) throw Error(Errc::bad_request, "odd-length hex");
  std::string out(hex.size() / 2, '\0');
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw Error(Errc::bad_request, "not hex");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string to_hex(const std::string& bin) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bin.size() * 2);
  for (unsigned char c : bin) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

bool looks_hex(const std::string& s) {
  if (s.empty() || s.size() % 2) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string from_base64(const std::string& in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0 || in.size() % 4) throw Error(Errc::bad_request, "data is neither hex nor base64");
  std::size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_CIPHER* cipher = nullptr;
  ~CipherCtx() {
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
  }
};

std::string run(const std::string& input, const std::string& cipher_name, const std::string& key_hex,
                const std::string& iv_hex, bool encrypt) {
  const char* name = cipher_name == "sm4-cbc" ? "SM4-CBC" : cipher_name == "aes-128-cbc" ? "AES-128-CBC"
                     : cipher_name == "aes-256-cbc" ? "AES-256-CBC" : nullptr;
  if (!name) throw Error(Errc::internal, "unknown envelope cipher " + cipher_name);
  CipherCtx c;
  c.cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  if (!c.cipher || !c.ctx) throw Error(Errc::internal, std::string("cipher unavailable: ") + name);
  auto key = from_hex(key_hex), iv = from_hex(iv_hex);
  if (static_cast<int>(key.size()) != EVP_CIPHER_get_key_length(c.cipher) ||
      static_cast<int>(iv.size()) != EVP_CIPHER_get_iv_length(c.cipher))
    throw Error(Errc::internal, "envelope key or IV has the wrong length");
  if (EVP_CipherInit_ex2(c.ctx, c.cipher, reinterpret_cast<const unsigned char*>(key.data()),
                         reinterpret_cast<const unsigned char*>(iv.data()), encrypt ? 1 : 0, nullptr) != 1)
    throw Error(Errc::internal, "cipher init failed");
  std::string out(input.size() + 32, '\0');
  int n1 = 0, n2 = 0;
  if (EVP_CipherUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &n1,
                       reinterpret_cast<const unsigned char*>(input.data()), static_cast<int>(input.size())) != 1 ||
      EVP_CipherFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + n1, &n2) != 1)
    throw Error(Errc::bad_request, "the envelope does not decrypt with this gateway's key");
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}
}  // namespace

std::string decrypt_envelope_data(const std::string& data, const std::string& cipher, const std::string& key_hex,
                                  const std::string& iv_hex) {
  if (data.empty() || data.size() > 64 * 1024 * 1024) throw Error(Errc::bad_request, "envelope data is empty or too large");
  std::string bin = looks_hex(data) ? from_hex(data) : from_base64(data);
  return run(bin, cipher, key_hex, iv_hex, false);
}

std::string encrypt_envelope_data(const std::string& plaintext, const std::string& cipher, const std::string& key_hex,
                                  const std::string& iv_hex) {
  return to_hex(run(plaintext, cipher, key_hex, iv_hex, true));
}

}  // namespace hazmon::ingest
