#pragma once
// Circulars (信息通报, one of the "five systems"; docs/circulars.md): a city or the province
// publishes a notice naming enterprises of its region, with attachments; each named enterprise
// acknowledges it (签收). Shared by storage, service and api; the checks that need no database are
// here too.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>

namespace hazmon::model {

struct CircularKind {
  const char* key;   // API value and column
  const char* name;  // Chinese
};
// warning_disposal 预警处置, data_quality 数据质量, patrol_result 巡查抽查结果, commitment
// 安全承诺, other 其他.
const std::vector<CircularKind>& circular_kinds();
bool valid_circular_kind(std::string_view key);

struct CircularRecipient {
  std::string company_code, company_name, region_code;
  std::optional<core::SysTime> acknowledged_at;
  std::optional<std::string> acknowledged_by, reply;
};

struct CircularAttachment {
  long long id = 0;
  std::string name, content_type, sha256, uploaded_by;
  long long size_bytes = 0;
  core::SysTime uploaded_at{};
};

struct Circular {
  long long id = 0;
  std::optional<std::string> issuer_region;  // nullopt: the province
  std::string issuer_name;                   // 省应急管理厅 or the city's name
  std::string kind = "other", title, body;
  std::string state = "draft";  // draft, published, withdrawn
  std::optional<core::SysTime> ack_deadline;
  std::string created_by;
  core::SysTime created_at{}, updated_at{};
  std::optional<std::string> published_by, withdrawn_by, withdraw_reason;
  std::optional<core::SysTime> published_at, withdrawn_at;
  // Counted inside the reader's scope; acknowledged_late: after ack_deadline (attack 13.27).
  long long recipients = 0, acknowledged = 0, acknowledged_late = 0;
};

inline constexpr std::size_t kMaxCircularTitle = 200;
inline constexpr std::size_t kMaxCircularBody = 20000;
inline constexpr std::size_t kMaxCircularReply = 2000;
inline constexpr std::size_t kMaxCircularRecipients = 500;
inline constexpr std::size_t kMaxCircularAttachments = 10;
// One attachment: below http.max_body_bytes (4 MiB by default), which bounds the request anyway.
inline constexpr std::size_t kMaxAttachmentBytes = 4000000;
inline constexpr std::size_t kMaxAttachmentName = 200;
// The acknowledgement deadline a publication sets when the draft has none.
inline constexpr int kDefaultAckDays = 3;

// The checks on a circular's own fields (title, body, kind), with JSON pointers. Empty: passes.
std::vector<core::FieldError> check_circular(const Circular& c);

// The attachment types accepted: PDF, PNG, JPEG and XLSX. The declared Content-Type must be one
// of them and the bytes must start as that type does (%PDF-, the PNG signature, FF D8 FF, a ZIP
// local header for XLSX). nullopt: accepted; otherwise why not.
std::optional<std::string> check_attachment(std::string_view content_type, std::string_view bytes);
bool allowed_attachment_type(std::string_view content_type);

// Past the deadline without an acknowledgement.
bool recipient_overdue(const Circular& c, const CircularRecipient& r, core::SysTime now);
// Acknowledged after the circular's ack_deadline: it stays visible as late (attack 12.24).
bool recipient_late(const Circular& c, const CircularRecipient& r);

}  // namespace hazmon::model
