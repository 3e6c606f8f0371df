#pragma once
// Decoding and validation of real-time uploads (DOMAIN.md §8). A request that is malformed as a
// whole throws core::Error (nothing is stored); items are accepted or rejected one by one.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/ingest/registry_snapshot.hpp>
#include <hazmon/model/point.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::ingest {

struct UploadSettings {
  std::size_t max_items = 5000;
  std::chrono::seconds max_future_skew{300};
  // Items collected longer ago than this are rejected one by one (a gateway's resend of the
  // last days is fine; a reading from 1970 is not). Zero: no horizon (tests of time parsing).
  std::chrono::seconds max_reading_age{7 * 86400};
};

// Largest magnitude an analog value may have, whatever the point (a float64 reaches 1.8e308).
inline constexpr double kMaxAbsValue = 1e15;

// The plausibility band of an analog point: |value| ≤ 10 × max(|range_low|, |range_high|,
// range_high − range_low), over the bounds the point has. Ten times the range's own scale, so
// it also works for ranges around zero (−1…1 → ±20) and far from it (100…101 → ±1010): an
// out-of-range reading (a data fault the rules record) still passes, a mistyped exponent
// does not. No bound (no range, or a range 0…0): only kMaxAbsValue applies.
std::optional<double> plausible_abs_bound(const model::PointDef& p);

struct Rejected {
  int index = 0;
  std::string reason;
};

struct EnterpriseAlarm {
  std::string quota_code;
  std::string alarm_type;
  std::optional<double> value, threshold;
  core::SysTime start;
  std::optional<core::SysTime> end;
};

enum class ReportType { realtime, resend, heartbeat };
const char* to_string(ReportType t);

struct Upload {
  std::string company_code;
  std::string gateway_code;
  // The dataId; a city platform's upload is kept as "<its region>:<dataId>", deduplicated among
  // that city's own uploads (its reply shows the dataId as sent).
  std::string data_id;
  ReportType report_type = ReportType::realtime;
  // The forwarding city platform's region (its credential's, never the body's alone); empty for
  // a gateway's own upload.
  std::string forwarded_by;
  std::string app_id;  // the credential that sent it (a gateway's or a city platform's appId)
  core::SysTime send_time;
  core::SysTime received;
  int item_count = 0;
  std::vector<model::Reading> readings;  // accepted items, in request order
  std::vector<int> reading_index;        // request index of each accepted reading
  std::vector<Rejected> rejected;
  std::vector<EnterpriseAlarm> alarms;
};

// `caller` is the authenticated gateway or city platform; uploads for an enterprise outside its
// scope are refused as a whole (forbidden).
//
// decode_upload_text reads the JSON text itself (simdjson: the hot path); text that is not JSON
// throws core::Error(bad_request) with the messages the API gives for any malformed body. The
// document form is the same validation, for an already parsed body (the decrypted envelope).
Upload decode_upload_text(std::string_view json_text, const RegistrySnapshot& points,
                          const model::Principal& caller, core::SysTime now,
                          const UploadSettings& settings);
Upload decode_upload(const nlohmann::json& body, const RegistrySnapshot& points,
                     const model::Principal& caller, core::SysTime now,
                     const UploadSettings& settings);

// `forwardedBy` of an upload (realtime or base table) against the credential that sent it:
// empty passes; a gateway may not send one (403: it would pass its data off as a city's), and a
// city platform only its own region code (403). A city platform's upload without one is taken as
// forwarded by its region.
void check_forwarded_by(const model::Principal& caller, std::string_view forwarded_by);

// The reply of DOMAIN.md §8: {"code":0,"message":"ok","dataId","accepted","rejected":[...]}.
nlohmann::json upload_reply(const Upload& u);

// {appId, dataId, data}: `data` is hex or base64 ciphertext of the JSON body. Two families
// (docs/security.md, Envelope):
// - "aes-256-gcm" (recommended): nonce (12 random bytes per message) | ciphertext | tag (16),
//   with `aad` (the appId) authenticated alongside;
// - "sm4-cbc", "aes-128-cbc", "aes-256-cbc": the credential's fixed IV and PKCS#7 padding, kept
//   for gateways that can do nothing else; no integrity of its own.
// Returns the plaintext; every failure throws the same core::Error(bad_request), so that no
// answer tells a padding failure from another.
std::string decrypt_envelope_data(const std::string& data, const std::string& cipher,
                                  const std::string& key_hex, const std::string& iv_hex,
                                  const std::string& aad = {});
// The inverse, for gateway simulators and tests (hex output).
std::string encrypt_envelope_data(const std::string& plaintext, const std::string& cipher,
                                  const std::string& key_hex, const std::string& iv_hex,
                                  const std::string& aad = {});

}  // namespace hazmon::ingest
