// libFuzzer target: the upload decoder, plain and envelope (include/hazmon/ingest/upload.hpp).
// The first byte picks the path, the caller and the cipher (SM4-CBC, AES-128-CBC, AES-256-CBC with
// the credential's fixed IV, or AES-256-GCM with a nonce per message and the appId as associated
// data); the rest is the input:
//   mode 0  plain JSON text → decode_upload_text (the route's path for every plain upload);
//   mode 1  envelope `data` (hex or base64 ciphertext) → decrypt_envelope_data → JSON →
//   decode_upload; mode 2  envelope plaintext → encrypt_envelope_data → decrypt_envelope_data (must
//   give the
//           plaintext back) → JSON → decode_upload, so that mutations reach the decoder through
//           the cipher.
// The JSON step of modes 1 and 2 is IngestService::open_envelope's (nesting at most 32, then
// nlohmann), copied here because the service module needs PostgreSQL. core::Error is the decoder's
// answer to bad input; any other exception escaping is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/ingest/upload.hpp>

using namespace hazmon;

namespace {
const ingest::RegistrySnapshot& snapshot() {
  static const ingest::RegistrySnapshot snap = [] {
    model::PointDef a;
    a.point_id = 1;
    a.quota_code = "LIT101";
    a.company_code = "14010000012";
    a.range_low = 0;
    a.range_high = 10;
    model::PointDef b = a;
    b.point_id = 2;
    b.quota_code = "JD01";
    b.analog = false;
    model::PointDef c = a;
    c.point_id = 3;
    c.quota_code = "OTHER1";
    c.company_code = "14020000001";
    model::PointDef d = a;
    d.point_id = 4;
    d.quota_code = "PT-1.2_x";
    d.company_code = "14010500003";
    return ingest::RegistrySnapshot({a, b, c, d});
  }();
  return snap;
}

model::Principal caller(unsigned which) {
  model::Principal p;
  p.id = 7;
  p.name = "gw-fuzz";
  switch (which % 3) {
    case 0:
      p.role = model::Role::gateway;
      p.scope = model::Scope::enterprise("14010000012");
      break;
    case 1:
      p.role = model::Role::city_platform;
      p.scope = model::Scope::region("140100");
      break;
    default:
      p.role = model::Role::province_officer;
      p.scope = model::Scope::province();
      break;
  }
  return p;
}

struct Key {
  const char* cipher;
  const char* key_hex;
  const char* iv_hex;
};
constexpr Key kKeys[] = {
    {"sm4-cbc", "0123456789abcdeffedcba9876543210", "00112233445566778899aabbccddeeff"},
    {"aes-128-cbc", "2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f"},
    {"aes-256-cbc", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"},
    {"aes-256-gcm", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", ""},
};

// IngestService::open_envelope after the decryption: one answer for text that is not a sane JSON
// document. (It caught only parse_error until issue 9's envelope work; this target's
// corpus/upload/crash-a971bebc... is a number beyond double's range, whose out_of_range escaped.)
nlohmann::json envelope_json(const std::string& plain) {
  int depth = 0;
  for (char c : plain) {
    if (c == '[' || c == '{')
      ++depth;
    else if (c == ']' || c == '}')
      --depth;
    if (depth > 32) throw core::Error(core::Errc::bad_request, "the envelope could not be opened");
  }
  try {
    return nlohmann::json::parse(plain);
  } catch (const nlohmann::json::exception&) {
    throw core::Error(core::Errc::bad_request, "the envelope could not be opened");
  }
}

void check(const ingest::Upload& u) {
  // Invariants every accepted upload keeps: one index per reading, indices in range and rising.
  if (u.readings.size() != u.reading_index.size()) std::abort();
  int last = -1;
  for (int i : u.reading_index) {
    if (i <= last || i >= u.item_count) std::abort();
    last = i;
  }
  for (const auto& r : u.rejected)
    if (r.index < 0 || r.index >= u.item_count || r.reason.empty()) std::abort();
  (void)ingest::upload_reply(u).dump();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const unsigned sel = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  static const core::SysTime now = *core::parse_time("2021-10-08 10:16:00");
  const ingest::UploadSettings settings{50, std::chrono::seconds(300)};
  const auto who = caller(sel / 3);
  const Key& key = kKeys[(sel / 9) % 4];
  try {
    switch (sel % 3) {
      case 0:
        check(ingest::decode_upload_text(text, snapshot(), who, now, settings));
        break;
      case 1: {
        auto plain = ingest::decrypt_envelope_data(std::string(text), key.cipher, key.key_hex,
                                                   key.iv_hex, who.name);
        check(ingest::decode_upload(envelope_json(plain), snapshot(), who, now, settings));
        break;
      }
      default: {
        std::string plain(text);
        auto sealed =
            ingest::encrypt_envelope_data(plain, key.cipher, key.key_hex, key.iv_hex, who.name);
        if (ingest::decrypt_envelope_data(sealed, key.cipher, key.key_hex, key.iv_hex, who.name) !=
            plain) {
          std::fprintf(stderr, "envelope round trip changed the plaintext\n");
          std::abort();
        }
        check(ingest::decode_upload(envelope_json(plain), snapshot(), who, now, settings));
        break;
      }
    }
  } catch (const core::Error&) {
    // the decoder's refusal of bad input
  }
  return 0;
}
