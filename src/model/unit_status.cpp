#include <hazmon/model/unit_status.hpp>

#include <algorithm>
#include <iterator>
#include <regex>

namespace hazmon::model {

bool valid_unit_status(std::string_view s) {
  return std::find(std::begin(kUnitStatuses), std::end(kUnitStatuses), s) !=
         std::end(kUnitStatuses);
}

const char* unit_status_name(std::string_view s) {
  if (s == "running") return "运行";
  if (s == "stopped") return "停车";
  if (s == "startup") return "开车";
  if (s == "trial") return "试生产";
  if (s == "overhaul") return "检修";
  return "";
}

std::string unit_status_filing_type(std::string_view s) {
  if (s == "stopped") return "shutdown";
  if (s == "overhaul") return "overhaul";
  return {};
}

bool is_safety_indicator(std::string_view t) {
  return t == "combustible" || t == "toxic" || t == "oxygen";
}

namespace {
bool blank(const std::string& t) { return t.find_first_not_of(" \t") == std::string::npos; }

// The overhaul filing's fields (大检修备案): required on an overhaul, refused on any other status.
void check_overhaul(const UnitStatus& s, std::vector<core::FieldError>& out) {
  static const std::regex phone(R"(^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$)");
  if (s.status != "overhaul") {
    for (const auto& [f, v] : {std::pair{"/content", &s.content},
                               {"/unit_head", &s.unit_head},
                               {"/responsible_person", &s.responsible_person},
                               {"/responsible_phone", &s.responsible_phone}})
      if (*v) out.push_back({f, "only an overhaul (检修) carries it"});
    return;
  }
  if (!s.content || blank(*s.content))
    out.push_back({"/content", "an overhaul needs its content (检修内容)"});
  else if (s.content->size() > kMaxOverhaulContent)
    out.push_back({"/content", "at most 1000 bytes"});
  if (!s.responsible_person || blank(*s.responsible_person))
    out.push_back({"/responsible_person", "an overhaul needs its responsible person (检修负责人)"});
  else if (s.responsible_person->size() > kMaxOverhaulPerson)
    out.push_back({"/responsible_person", "at most 64 bytes"});
  if (s.unit_head && s.unit_head->size() > kMaxOverhaulPerson)
    out.push_back({"/unit_head", "at most 64 bytes"});
  if (!s.responsible_phone || !std::regex_match(*s.responsible_phone, phone))
    out.push_back({"/responsible_phone",
                   "the responsible person's mobile (11 digits) or fixed line (0351-1234567)"});
}
}  // namespace

std::vector<core::FieldError> check_unit_status(const UnitStatus& s, core::SysTime now) {
  using namespace std::chrono;
  std::vector<core::FieldError> out;
  if (s.equip_code.empty() && s.prodcell_id.empty())
    out.push_back({"/equip_code", "the production unit is required (equip_code or prodcell_id)"});
  else if (!s.equip_code.empty() && !s.prodcell_id.empty())
    out.push_back({"/prodcell_id",
                   "name the unit once: equip_code for a unit in a major hazard source, "
                   "prodcell_id for a non-major unit"});
  if (!valid_unit_status(s.status))
    out.push_back({"/status", "must be one of running, stopped, startup, trial, overhaul"});
  if (s.begin_at > now + minutes(5))
    out.push_back({"/begin_at", "may not be in the future (file the status when it begins)"});
  else if (s.begin_at < now - hours(24 * kMaxUnitStatusBackDays))
    out.push_back({"/begin_at", "at most " + std::to_string(kMaxUnitStatusBackDays) + " days ago"});
  if (s.planned_end && *s.planned_end <= s.begin_at)
    out.push_back({"/planned_end", "must be after begin_at"});
  if (!unit_status_filing_type(s.status).empty() && blank(s.reason))
    out.push_back({"/reason", "a stop or an overhaul needs its reason (停车/检修原因)"});
  if (s.reason.size() > kMaxUnitStatusReason) out.push_back({"/reason", "at most 500 bytes"});
  check_overhaul(s, out);
  return out;
}

}  // namespace hazmon::model
