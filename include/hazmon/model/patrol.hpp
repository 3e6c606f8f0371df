#pragma once
// Two of the five systems' records (五项制度, issue 12; docs/five-systems.md): patrols and spot
// checks (分级巡查抽查) with their findings, and the enterprise's routine use (企业端日常使用) per
// Beijing day, with its duty check-ins (值班签到). Shared by storage, service and api.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>

namespace hazmon::model {

// online: 线上巡查 from the dashboard (live data and video); onsite: 现场抽查.
bool is_patrol_kind(std::string_view s);
// general 一般, serious 较大, major 重大.
bool is_finding_severity(std::string_view s);
// What an officer may say he looked at: realtime (实时数据), video (视频), alarms (报警),
// warnings (预警处置), commitment (安全承诺), permits (特殊作业), documents (台账资料), site
// (现场).
const std::vector<std::string>& patrol_subjects();

struct PatrolFinding {
  long long id = 0, patrol_id = 0;
  std::string company_code;
  std::string description, severity, follow_up;
  core::SysTime deadline{};
  std::string state = "open";  // open → answered (reply) → closed (confirmed) or back to open
  core::SysTime created_at{};
  std::string created_by;
  std::optional<std::string> reply, replied_by, closed_by, close_note;
  std::optional<core::SysTime> replied_at, closed_at;
  int rejections = 0;
  // Derived at read time: still open (no reply) after its deadline.
  bool overdue = false;
};

struct Patrol {
  long long id = 0;
  std::string company_code, company_name, region_code;
  std::string kind;  // online | onsite
  long long officer_id = 0;
  std::string officer_name, officer_level, officer_region;
  core::SysTime started_at{};
  std::optional<core::SysTime> ended_at;
  std::vector<std::string> subjects;
  std::string summary;
  long long findings = 0, findings_open = 0;  // counts (lists); open = not closed
  std::vector<PatrolFinding> finding_list;    // filled for one patrol
};

// One enterprise's routine use (企业端日常使用) on one Beijing day, derived from audit_log
// (successful logins of its users), safety_commitment, disposal_record (the enterprise's
// feedback on its warning events) and duty_checkin.
struct RoutineUseDay {
  std::string day;  // YYYY-MM-DD
  std::string company_code, company_name, region_code;
  long long logins = 0, login_users = 0;
  bool committed = false, commitment_late = false;
  std::optional<core::SysTime> committed_at;
  long long feedbacks = 0, feedbacks_on_time = 0;
  std::optional<double> feedback_avg_minutes;  // from the push to the feedback
  long long checkins = 0;
  std::optional<core::SysTime> first_checkin_at;
};

struct DutyCheckin {
  long long id = 0;
  std::string company_code, day;
  core::SysTime at{};
  std::string username, duty_person, note;
};

}  // namespace hazmon::model
