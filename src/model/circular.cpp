#include <hazmon/model/circular.hpp>

#include <algorithm>

namespace hazmon::model {

const std::vector<CircularKind>& circular_kinds() {
  static const std::vector<CircularKind> kinds = {{"warning_disposal", "预警处置"},
                                                  {"data_quality", "数据质量"},
                                                  {"patrol_result", "巡查抽查结果"},
                                                  {"commitment", "安全承诺"},
                                                  {"other", "其他"}};
  return kinds;
}

bool valid_circular_kind(std::string_view key) {
  const auto& k = circular_kinds();
  return std::any_of(k.begin(), k.end(), [&](const CircularKind& c) { return key == c.key; });
}

namespace {
bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }
}  // namespace

std::vector<core::FieldError> check_circular(const Circular& c) {
  std::vector<core::FieldError> errors;
  if (blank(c.title)) errors.push_back({"/title", "is required"});
  if (c.title.size() > kMaxCircularTitle) errors.push_back({"/title", "at most 200 bytes"});
  if (c.body.size() > kMaxCircularBody) errors.push_back({"/body", "at most 20000 bytes"});
  if (!valid_circular_kind(c.kind))
    errors.push_back(
        {"/kind", "must be warning_disposal, data_quality, patrol_result, commitment or other"});
  return errors;
}

bool allowed_attachment_type(std::string_view t) {
  return t == "application/pdf" || t == "image/png" || t == "image/jpeg" ||
         t == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
}

std::optional<std::string> check_attachment(std::string_view t, std::string_view bytes) {
  if (!allowed_attachment_type(t))
    return "the Content-Type must be application/pdf, image/png, image/jpeg or the XLSX type";
  if (bytes.empty()) return "the attachment is empty";
  if (bytes.size() > kMaxAttachmentBytes) return "the attachment is larger than 4,000,000 bytes";
  bool ok = false;
  if (t == "application/pdf") ok = bytes.starts_with("%PDF-");
  if (t == "image/png") ok = bytes.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8));
  if (t == "image/jpeg") ok = bytes.starts_with(std::string_view("\xFF\xD8\xFF", 3));
  if (t != "application/pdf" && t != "image/png" && t != "image/jpeg")
    ok = bytes.starts_with(std::string_view("PK\x03\x04", 4));
  if (!ok) return "the bytes are not a " + std::string(t) + " file";
  return std::nullopt;
}

bool recipient_overdue(const Circular& c, const CircularRecipient& r, core::SysTime now) {
  return c.state == "published" && !r.acknowledged_at && c.ack_deadline && *c.ack_deadline < now;
}

bool recipient_late(const Circular& c, const CircularRecipient& r) {
  return r.acknowledged_at && c.ack_deadline && *r.acknowledged_at > *c.ack_deadline;
}

}  // namespace hazmon::model
