#pragma once
// The daily safety commitment (安全承诺, DOMAIN §4; docs/duties.md): what an enterprise declares
// each Beijing-time day about its production units, its special work (特殊作业, GB 30871-2022),
// its flags and risk grade, signed by one of its 包保责任人 or its principal. Shared by storage,
// service and api; the checks that need no database are here too.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/model/warning.hpp>

namespace hazmon::model {

// The special-work counts of a commitment: GB 30871-2022's eight types, with grades where the
// standard grades them (动火 特级/一级/二级, 高处 I–IV, 吊装 一级–三级).
struct WorkKind {
  const char* key;   // the API field and the column
  const char* name;  // Chinese, for forms and reports
};
// In the order of the form: hot_special … road_closure (15 counts).
const std::vector<WorkKind>& special_work_kinds();

// Who signed: one of the hazard sources' 包保责任人 (principal, technical, operations) or the
// enterprise's own principal (enterprise.principal).
enum class CommitterRole { principal, technical, operations, enterprise_principal };
const char* to_string(CommitterRole r);
std::optional<CommitterRole> committer_role_from_string(std::string_view s);
inline std::optional<CommitterRole> enum_from_string(std::string_view s,
                                                     std::type_identity<CommitterRole>) {
  return committer_role_from_string(s);
}

// A committer whose name the enterprise entered less than this long before committing is flagged
// on the commitment and counted in the summary (docs/duties.md, attack 13.30).
inline constexpr int kRecentCommitterHours = 72;

struct Commitment {
  long long id = 0;
  std::string company_code, company_name;
  std::string day;  // YYYY-MM-DD, Beijing time
  // production units by run status (装置运行状态); total = the sum of the others
  int units_total = 0, units_running = 0, units_stopped = 0, units_startup = 0, units_trial = 0,
      units_overhaul = 0;
  // special work by type and grade, in special_work_kinds() order
  std::vector<int> work = std::vector<int>(15, 0);
  bool contractor = false, trial_production = false, start_stop = false, pilot_scale_up = false,
       major_hidden_danger = false, baobao_in_place = true;
  int key_process_count = 0;  // of the 18 key processes, 0–18
  // The enterprise's risk grade today: 红橙黄蓝 = 重大/较大/一般/低 (DOMAIN §4, 1–4).
  WarningLevel risk_grade = WarningLevel::blue;
  std::string committer;
  CommitterRole committer_role = CommitterRole::principal;
  std::string duty_leader, duty_phone, content;
  core::SysTime committed_at{};
  bool late = false;  // filed after the day's deadline hour
  // The committer's name was entered (a 包保责任人 added or renamed, the principal changed) less
  // than kRecentCommitterHours before the filing (attack 13.30).
  bool committer_recent = false;
  int revision = 1;      // 2 and more: a later filing replaced an earlier one that day
  std::string source;    // dashboard | upload
  std::string filed_by;  // username or appId
};

inline constexpr int kMaxCount = 10000;  // any one count
inline constexpr int kMaxKeyProcesses = 18;

// The checks on a commitment's own figures, with JSON pointers into the API form: counts
// between 0 and kMaxCount, the unit counts adding up to units_total, key_process_count 0–18, a
// committer, a duty leader and a mobile or fixed phone. Empty when it passes.
std::vector<core::FieldError> check_commitment(const Commitment& c);

}  // namespace hazmon::model
