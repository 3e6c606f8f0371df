#include <hazmon/model/work_permit.hpp>

#include <chrono>
#include <regex>

namespace hazmon::model {

const std::vector<WorkType>& work_types() {
  static const std::vector<WorkType> t = {
      {"hot_work", "动火作业", {"special", "1", "2"}},
      {"confined_space", "受限空间作业", {}},
      {"blinding", "盲板抽堵作业", {}},
      {"height", "高处作业", {"1", "2", "3", "4"}},
      {"lifting", "吊装作业", {"1", "2", "3"}},
      {"temporary_power", "临时用电作业", {}},
      {"excavation", "动土作业", {}},
      {"road_closure", "断路作业", {}},
  };
  return t;
}

const WorkType* work_type(std::string_view key) {
  for (const auto& t : work_types())
    if (key == t.key) return &t;
  return nullptr;
}

bool valid_work_grade(std::string_view type, const std::optional<std::string>& grade) {
  const auto* t = work_type(type);
  if (!t) return false;
  if (t->grades.empty()) return !grade;
  if (!grade) return false;
  for (const char* g : t->grades)
    if (*grade == g) return true;
  return false;
}

std::string commitment_work_key(std::string_view type, const std::optional<std::string>& grade) {
  if (!valid_work_grade(type, grade)) return {};
  if (type == "hot_work") return "hot_" + *grade;  // hot_special, hot_1, hot_2
  if (grade) return std::string(type) + "_" + *grade;
  return std::string(type);
}

bool valid_permit_state(std::string_view s) {
  for (const char* k : kPermitStates)
    if (s == k) return true;
  return false;
}

std::optional<std::string> permit_transition(std::string_view from, std::string_view action) {
  if (action == "start" && from == "planned") return "in_progress";
  if (action == "finish" && from == "in_progress") return "done";
  if (action == "cancel" && (from == "planned" || from == "in_progress")) return "cancelled";
  return std::nullopt;
}

std::vector<core::FieldError> check_permit(const WorkPermit& p) {
  std::vector<core::FieldError> out;
  auto blank = [](const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; };
  if (blank(p.permit_no) || p.permit_no.size() > 64)
    out.push_back({"/permit_no", "the permit number (作业票编号) is required, at most 64 bytes"});
  if (!work_type(p.work_type)) {
    out.push_back({"/work_type",
                   "must be one of hot_work, confined_space, blinding, height, lifting, "
                   "temporary_power, excavation, road_closure"});
  } else if (!valid_work_grade(p.work_type, p.grade)) {
    const auto* t = work_type(p.work_type);
    std::string allowed;
    for (const char* g : t->grades) allowed += (allowed.empty() ? "" : ", ") + std::string(g);
    out.push_back({"/grade", t->grades.empty()
                                 ? std::string("must be absent: ") + t->name + " has no grade"
                                 : std::string("must be one of ") + allowed + " for " + t->name});
  }
  if (blank(p.location)) out.push_back({"/location", "the work location is required"});
  if (p.end_at <= p.begin_at)
    out.push_back({"/end_at", "must be after begin_at"});
  else if (p.end_at - p.begin_at > std::chrono::hours(24 * kMaxPermitDays))
    out.push_back(
        {"/end_at", "the window may span at most " + std::to_string(kMaxPermitDays) + " days"});
  if (blank(p.responsible))
    out.push_back({"/responsible", "the responsible person (作业负责人) is required"});
  static const std::regex mobile(R"(^1[3-9][0-9]{9}$)");
  if (!std::regex_match(p.responsible_mobile, mobile))
    out.push_back({"/responsible_mobile", "must be a mobile number (11 digits)"});
  if (p.contractor && blank(p.work_unit))
    out.push_back({"/work_unit", "the contractor's work unit (作业单位) is required"});
  return out;
}

bool permit_overdue(const WorkPermit& p, core::SysTime now) {
  return p.state == "in_progress" && p.end_at < now;
}

}  // namespace hazmon::model
