#include <hazmon/http/server.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <hazmon/core/error.hpp>

#include <cstdio>
#include <memory>

namespace hazmon::http {
namespace fs = std::filesystem;

namespace {
template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;

void fail(const std::string& what) {
  throw core::Error(core::Errc::unavailable, "dev certificate: " + what);
}

void add_ext(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) fail("extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}
}  // namespace

std::pair<fs::path, fs::path> ensure_dev_certificate(const fs::path& dir) {
  fs::path cert_path = dir / "dev-cert.pem", key_path = dir / "dev-key.pem";
  if (fs::exists(cert_path) && fs::exists(key_path)) return {cert_path, key_path};
  fs::create_directories(dir);
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("key generation");
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 825);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("hazmon development"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_ext(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  add_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), NID_ext_key_usage, "serverAuth");
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) fail("signing");

  auto write = [](const fs::path& p, auto&& writer, mode_t mode) {
    FILE* f = std::fopen(p.c_str(), "wb");
    if (!f) fail("cannot write " + p.string());
    ::fchmod(fileno(f), mode);
    bool ok = writer(f);
    std::fclose(f);
    if (!ok) fail("cannot write " + p.string());
  };
  write(
      key_path,
      [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1;
      },
      0600);
  write(
      cert_path, [&](FILE* f) { return PEM_write_X509(f, cert.get()) == 1; }, 0644);
  return {cert_path, key_path};
}

}  // namespace hazmon::http
