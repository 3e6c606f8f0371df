#pragma once
// Special work permits (特殊作业票, GB 30871-2022; DOMAIN §4 WC_ENT_QYCN; docs/duties.md): the
// eight work types and their grades, where and when the work is done, who does it and who answers
// for it, and its state. Shared by storage, service and api; the checks that need no database are
// here too.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>

namespace hazmon::model {

struct WorkType {
  const char* key;                  // hot_work … road_closure (API field and column)
  const char* name;                 // Chinese
  std::vector<const char*> grades;  // empty: the type has no grade
};
// GB 30871-2022's eight types: 动火 (special/1/2), 受限空间, 盲板抽堵, 高处 (1–4 = I–IV),
// 吊装 (1–3), 临时用电, 动土, 断路.
const std::vector<WorkType>& work_types();
const WorkType* work_type(std::string_view key);
// Whether (type, grade) is a pair the standard defines; grade empty for the ungraded types.
bool valid_work_grade(std::string_view type, const std::optional<std::string>& grade);
// The safety commitment's special-work count key of a permit (hot_1, height_3, confined_space …;
// special_work_kinds()); empty for an invalid pair.
std::string commitment_work_key(std::string_view type, const std::optional<std::string>& grade);

// planned -> in_progress -> done; planned or in_progress -> cancelled (with a reason).
inline constexpr const char* kPermitStates[] = {"planned", "in_progress", "done", "cancelled"};
bool valid_permit_state(std::string_view s);
// Whether an action (start, finish, cancel) may move a permit out of `from`; the state it leads
// to, or nullopt when illegal.
std::optional<std::string> permit_transition(std::string_view from, std::string_view action);

struct WorkPermit {
  long long id = 0;
  std::string company_code, company_name, permit_no;
  std::string work_type;
  std::optional<std::string> grade;
  std::string location;
  std::optional<std::string> hazard_code, equip_code;
  core::SysTime begin_at{}, end_at{};
  bool contractor = false;
  std::string work_unit, responsible, responsible_mobile, content;
  std::string state = "planned";
  std::optional<core::SysTime> started_at, finished_at;
  std::optional<std::string> cancel_reason;
  int revision = 1;
  std::string source = "dashboard", created_by;
  core::SysTime created_at{}, updated_at{};
};

inline constexpr std::size_t kMaxPermitText = 200;
inline constexpr std::size_t kMaxPermitContent = 2000;
// The longest window a permit may span (GB 30871: a hot-work permit is valid for at most 72 h,
// the others for the shift or the job; 30 days bounds a mistyped year).
inline constexpr int kMaxPermitDays = 30;

// The checks on a permit's own fields, with JSON pointers into the API form: a valid type and
// grade pair, a permit number, a location, end after begin within kMaxPermitDays, a responsible
// person and a mobile, a work unit when contractor. Empty when it passes.
std::vector<core::FieldError> check_permit(const WorkPermit& p);

// In progress with its end passed at `now`.
bool permit_overdue(const WorkPermit& p, core::SysTime now);

}  // namespace hazmon::model
