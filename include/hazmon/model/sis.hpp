#pragma once
// Safety instrumented system loops (安全仪表系统 联锁回路; DOMAIN §3 "SIS fields"; 附件5 §1;
// docs/sis.md): a loop of an enterprise, its bypasses (旁路) and trips (联锁动作), and the state
// derived from them. Shared by storage, service and api; the checks that need no database are
// here too.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>

namespace hazmon::model {

// A loop's state: tripped while a trip is not reset, else bypassed while a bypass is active, else
// in service (联锁投用).
enum class SisState { in_service, bypassed, tripped };
const char* to_string(SisState s);
const char* chinese_name(SisState s);  // 投用 / 旁路 / 联锁动作
std::optional<SisState> sis_state_from_string(std::string_view s);

struct SisLoop {
  long long id = 0;
  std::string company_code, company_name;
  std::string tag, name;  // 位号 (unique in the enterprise) and name
  std::optional<std::string> hazard_code, prodcell_id, process_code;
  std::optional<std::string> trip_point;      // switch point: reading 1 = tripped
  std::vector<std::string> protected_points;  // the points the interlock acts on
  bool active = true;
  std::string source = "dashboard", created_by;
  core::SysTime created_at{}, updated_at{};
  // Derived when read.
  SisState state = SisState::in_service;
  std::optional<long long> open_bypass_id, open_trip_id;
  std::optional<core::SysTime> bypass_expiry_at;  // of the active bypass
};

// requested (filed, not yet in effect) -> active (approved) -> ended; requested -> ended.
struct SisBypass {
  long long id = 0, loop_id = 0;
  std::string company_code, loop_tag;
  std::string applicant, approver, reason;
  core::SysTime begin_at{}, expiry_at{};
  std::string state = "requested";
  std::optional<core::SysTime> approved_at;
  std::optional<std::string> approved_by;
  std::optional<core::SysTime> ended_at;
  std::optional<std::string> ended_by, end_note;
  std::string source = "dashboard", filed_by;
  core::SysTime created_at{};
  std::optional<long long> warning_event_id;
};

struct SisTrip {
  long long id = 0, loop_id = 0;
  std::string company_code, loop_tag;
  core::SysTime tripped_at{};
  std::string cause;
  std::string source = "dashboard";  // point | dashboard | upload
  std::string reported_by;
  std::optional<core::SysTime> reset_at;
  std::optional<std::string> reset_by, reset_note;
  core::SysTime created_at{};
  std::optional<long long> warning_event_id;
};

inline constexpr std::size_t kMaxSisName = 64;     // applicant, approver, reset_by
inline constexpr std::size_t kMaxSisText = 500;    // reason, cause, notes
inline constexpr std::size_t kMaxSisPoints = 200;  // protected points of a loop

// The loop's own fields, with JSON pointers into the API form: a tag of [0-9A-Za-z_.-]{1,64}, a
// name, a process code E15xx when given, at most kMaxSisPoints protected points without repeats.
std::vector<core::FieldError> check_sis_loop(const SisLoop& l);
// A bypass as filed: applicant, approver and reason present and short enough, the approver another
// person than the applicant, expiry after begin and at most `max` after it. Empty when it passes.
// Whether the approver has the authority (docs/sis.md) needs the registry: SisStore::may_approve.
std::vector<core::FieldError> check_sis_bypass(const SisBypass& b, std::chrono::seconds max);

// Active with its expiry passed at `now`.
bool sis_bypass_expired(const SisBypass& b, core::SysTime now);

}  // namespace hazmon::model
