#include <hazmon/gb28181/digest.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

namespace hazmon::gb28181 {

std::string md5_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

std::string digest_response(const DigestCredentials& c, std::string_view method,
                            std::string_view password) {
  auto ha1 = md5_hex(c.username + ":" + c.realm + ":" + std::string(password));
  auto ha2 = md5_hex(std::string(method) + ":" + c.uri);
  if (c.qop.empty()) return md5_hex(ha1 + ":" + c.nonce + ":" + ha2);
  return md5_hex(ha1 + ":" + c.nonce + ":" + c.nc + ":" + c.cnonce + ":" + c.qop + ":" + ha2);
}

bool digest_matches(const DigestCredentials& c, std::string_view method,
                    std::string_view password) {
  auto alg = c.algorithm;
  std::transform(alg.begin(), alg.end(), alg.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  if (!alg.empty() && alg != "MD5") return false;
  if (!c.qop.empty() && c.qop != "auth") return false;
  auto want = digest_response(c, method, password);
  auto got = c.response;
  std::transform(got.begin(), got.end(), got.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return got.size() == want.size() && CRYPTO_memcmp(got.data(), want.data(), want.size()) == 0;
}

}  // namespace hazmon::gb28181
