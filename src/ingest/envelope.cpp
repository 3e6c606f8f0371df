#include <hazmon/ingest/upload.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <hazmon/core/encoding.hpp>
#include <hazmon/core/error.hpp>

#include <memory>

namespace hazmon::ingest {
using core::Errc;
using core::Error;

namespace {
constexpr const char* kEnvelopeUnopened =
    "the envelope could not be opened with this credential's key";

// Keys and ciphertexts in hex; a malformed one is the caller's bad request.
std::string from_hex(const std::string& hex) {
  auto bin = core::from_hex(hex);
  if (!bin) throw Error(Errc::bad_request, "not hex");
  return *bin;
}

using core::to_hex;

bool looks_hex(const std::string& s) {
  if (s.empty() || s.size() % 2) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string from_base64(const std::string& in) {
  std::string out(in.size() / 4 * 3 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
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

std::string run(const std::string& input, const std::string& cipher_name,
                const std::string& key_hex, const std::string& iv_hex, bool encrypt) {
  const char* name = cipher_name == "sm4-cbc"       ? "SM4-CBC"
                     : cipher_name == "aes-128-cbc" ? "AES-128-CBC"
                     : cipher_name == "aes-256-cbc" ? "AES-256-CBC"
                                                    : nullptr;
  if (!name) throw Error(Errc::internal, "unknown envelope cipher " + cipher_name);
  CipherCtx c;
  c.cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  if (!c.cipher || !c.ctx) throw Error(Errc::internal, std::string("cipher unavailable: ") + name);
  auto key = from_hex(key_hex), iv = from_hex(iv_hex);
  if (static_cast<int>(key.size()) != EVP_CIPHER_get_key_length(c.cipher) ||
      static_cast<int>(iv.size()) != EVP_CIPHER_get_iv_length(c.cipher))
    throw Error(Errc::internal, "envelope key or IV has the wrong length");
  if (EVP_CipherInit_ex2(c.ctx, c.cipher, reinterpret_cast<const unsigned char*>(key.data()),
                         reinterpret_cast<const unsigned char*>(iv.data()), encrypt ? 1 : 0,
                         nullptr) != 1)
    throw Error(Errc::internal, "cipher init failed");
  std::string out(input.size() + 32, '\0');
  int n1 = 0, n2 = 0;
  if (EVP_CipherUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &n1,
                       reinterpret_cast<const unsigned char*>(input.data()),
                       static_cast<int>(input.size())) != 1 ||
      EVP_CipherFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + n1, &n2) != 1)
    throw Error(Errc::bad_request, kEnvelopeUnopened);
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

constexpr std::size_t kGcmNonce = 12, kGcmTag = 16;

// AES-256-GCM: nonce (12 bytes) | ciphertext | tag (16 bytes); the appId is associated data.
std::string gcm(const std::string& input, const std::string& key_hex, const std::string& aad,
                bool encrypt) {
  auto key = from_hex(key_hex);
  if (key.size() != 32) throw Error(Errc::internal, "an aes-256-gcm key is 32 bytes");
  CipherCtx c;
  auto* k = reinterpret_cast<const unsigned char*>(key.data());
  auto* a = reinterpret_cast<const unsigned char*>(aad.data());
  int len = 0;
  if (encrypt) {
    std::string nonce(kGcmNonce, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kGcmNonce) != 1)
      throw Error(Errc::internal, "RAND_bytes failed");
    std::string out = nonce;
    out.resize(kGcmNonce + input.size() + kGcmTag);
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    int fin = 0;
    if (EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kGcmNonce, nullptr) != 1 ||
        EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, k, o) != 1 ||
        EVP_EncryptUpdate(c.ctx, nullptr, &len, a, static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(c.ctx, o + kGcmNonce, &len,
                          reinterpret_cast<const unsigned char*>(input.data()),
                          static_cast<int>(input.size())) != 1 ||
        EVP_EncryptFinal_ex(c.ctx, o + kGcmNonce + len, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kGcmTag, o + kGcmNonce + input.size()) !=
            1)
      throw Error(Errc::internal, "AES-256-GCM encryption failed");
    return out;
  }
  if (input.size() < kGcmNonce + kGcmTag) throw Error(Errc::bad_request, kEnvelopeUnopened);
  std::size_t n = input.size() - kGcmNonce - kGcmTag;
  auto* in = reinterpret_cast<const unsigned char*>(input.data());
  std::string out(n, '\0');
  std::string tag = input.substr(kGcmNonce + n);
  int fin = 0;
  if (EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kGcmNonce, nullptr) != 1 ||
      EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, k, in) != 1 ||
      EVP_DecryptUpdate(c.ctx, nullptr, &len, a, static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(c.ctx, reinterpret_cast<unsigned char*>(out.data()), &len, in + kGcmNonce,
                        static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kGcmTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &fin) != 1)
    throw Error(Errc::bad_request, kEnvelopeUnopened);
  return out;
}
}  // namespace

std::string decrypt_envelope_data(const std::string& data, const std::string& cipher,
                                  const std::string& key_hex, const std::string& iv_hex,
                                  const std::string& aad) {
  // Every failure, whatever its cause (not hex or base64, bad padding, a failed tag), gets the
  // same answer: distinguishable errors would make a padding oracle of the CBC variants.
  if (data.empty() || data.size() > 64 * 1024 * 1024)
    throw Error(Errc::bad_request, kEnvelopeUnopened);
  std::string bin;
  try {
    bin = looks_hex(data) ? from_hex(data) : from_base64(data);
  } catch (const Error&) {
    throw Error(Errc::bad_request, kEnvelopeUnopened);
  }
  if (cipher == "aes-256-gcm") return gcm(bin, key_hex, aad, false);
  return run(bin, cipher, key_hex, iv_hex, false);
}

std::string encrypt_envelope_data(const std::string& plaintext, const std::string& cipher,
                                  const std::string& key_hex, const std::string& iv_hex,
                                  const std::string& aad) {
  if (cipher == "aes-256-gcm") return to_hex(gcm(plaintext, key_hex, aad, true));
  return to_hex(run(plaintext, cipher, key_hex, iv_hex, true));
}

}  // namespace hazmon::ingest
