#include <hazmon/model/sis.hpp>

#include <regex>
#include <set>

namespace hazmon::model {

const char* to_string(SisState s) {
  switch (s) {
    case SisState::in_service:
      return "in_service";
    case SisState::bypassed:
      return "bypassed";
    case SisState::tripped:
      return "tripped";
  }
  return "in_service";
}

const char* chinese_name(SisState s) {
  switch (s) {
    case SisState::in_service:
      return "投用";
    case SisState::bypassed:
      return "旁路";
    case SisState::tripped:
      return "联锁动作";
  }
  return "投用";
}

std::optional<SisState> sis_state_from_string(std::string_view s) {
  for (auto v : {SisState::in_service, SisState::bypassed, SisState::tripped})
    if (s == to_string(v)) return v;
  return std::nullopt;
}

namespace {
bool blank(const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; }

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

void name_field(std::vector<core::FieldError>& out, const std::string& v, const char* pointer,
                const char* what) {
  if (blank(v))
    out.push_back({pointer, std::string(what) + " is required"});
  else if (v.size() > kMaxSisName)
    out.push_back({pointer, "at most 64 bytes"});
}
}  // namespace

std::vector<core::FieldError> check_sis_loop(const SisLoop& l) {
  std::vector<core::FieldError> out;
  static const std::regex tag("^[0-9A-Za-z_.-]{1,64}$");
  static const std::regex process("^E15[0-9]{2,3}$");
  if (!std::regex_match(l.tag, tag)) out.push_back({"/tag", "1-64 of 0-9 A-Z a-z _ . -"});
  if (blank(l.name))
    out.push_back({"/name", "the loop's name is required"});
  else if (l.name.size() > 200)
    out.push_back({"/name", "at most 200 bytes"});
  if (l.process_code && !std::regex_match(*l.process_code, process))
    out.push_back({"/process_code", "a key-process code E1501-E15018"});
  if (l.protected_points.size() > kMaxSisPoints)
    out.push_back({"/protected_points", "at most 200 points"});
  std::set<std::string> seen;
  for (std::size_t i = 0; i < l.protected_points.size() && i < kMaxSisPoints; ++i)
    if (!seen.insert(l.protected_points[i]).second)
      out.push_back({"/protected_points/" + std::to_string(i), "listed twice"});
  return out;
}

std::vector<core::FieldError> check_sis_bypass(const SisBypass& b, std::chrono::seconds max) {
  std::vector<core::FieldError> out;
  name_field(out, b.applicant, "/applicant", "the applicant (申请人)");
  name_field(out, b.approver, "/approver", "the approver (审批人)");
  // A bypass takes an interlock out of service: nobody approves their own.
  if (!blank(b.applicant) && trimmed(b.applicant) == trimmed(b.approver))
    out.push_back({"/approver", "must be another person than the applicant (申请人)"});
  if (blank(b.reason))
    out.push_back({"/reason", "the reason is required"});
  else if (b.reason.size() > kMaxSisText)
    out.push_back({"/reason", "at most 500 bytes"});
  if (b.expiry_at <= b.begin_at)
    out.push_back({"/expiry_at", "must be after begin_at"});
  else if (b.expiry_at - b.begin_at > max)
    out.push_back({"/expiry_at", "at most " + std::to_string(max.count() / 3600) +
                                     " hours after begin_at (sis.max_bypass_hours)"});
  return out;
}

bool sis_bypass_expired(const SisBypass& b, core::SysTime now) {
  return b.state == "active" && now >= b.expiry_at;
}

}  // namespace hazmon::model
