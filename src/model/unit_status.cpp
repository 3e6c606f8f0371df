#include <hazmon/model/unit_status.hpp>

#include <algorithm>
#include <iterator>

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

std::vector<core::FieldError> check_unit_status(const UnitStatus& s, core::SysTime now) {
  using namespace std::chrono;
  std::vector<core::FieldError> out;
  auto blank = [](const std::string& t) { return t.find_first_not_of(" \t") == std::string::npos; };
  if (s.equip_code.empty()) out.push_back({"/equip_code", "the production unit is required"});
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
  return out;
}

}  // namespace hazmon::model
