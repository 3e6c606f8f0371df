#pragma once
// Unit run status (装置运行状态; issue 12; DOMAIN §4 WC_ENT_PROMISE; docs/duties.md): each
// production unit's status as a history, with its begin, end (none: the current one), reason and
// who filed it. A stopped or overhauled unit suppresses its process alarms through a filing
// (报备) on the unit, with the filings' limits and approvals; gas detectors are never suppressed
// by it. Shared by storage, service and api; the checks that need no database are here too.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>

namespace hazmon::model {

// running, stopped, startup (开车), trial (试生产), overhaul (检修): the safety commitment's
// unit counts (model::Commitment's units) use the same five.
inline constexpr const char* kUnitStatuses[] = {"running", "stopped", "startup", "trial",
                                                "overhaul"};
bool valid_unit_status(std::string_view s);
// The Chinese name of a status (运行, 停车, 开车, 试生产, 检修); empty for an unknown one.
const char* unit_status_name(std::string_view s);
// The filing type a status files to suppress its unit's process alarms: shutdown for stopped,
// overhaul for overhaul; empty for the others, which suppress nothing.
std::string unit_status_filing_type(std::string_view s);
// Gas detectors (combustible, toxic, oxygen): never suppressed by a unit status.
bool is_safety_indicator(std::string_view indicator_type);

struct UnitStatus {
  long long id = 0;
  // The unit: exactly one of equip_code (a unit inside a major hazard source, equipment S0) and
  // prodcell_id (a non-major unit: a production cell of type unit without a hazard source).
  std::string company_code, company_name, equip_code, prodcell_id, unit_name, hazard_code;
  std::string status;
  core::SysTime begin_at{};
  std::optional<core::SysTime> end_at, planned_end;
  std::string reason;
  // The overhaul filing (大检修备案, DOMAIN §4): only for an overhaul, where content, the
  // responsible person and the phone are required and the unit head is optional.
  std::optional<std::string> content, unit_head, responsible_person, responsible_phone;
  std::optional<std::string> end_reason;
  std::string source = "dashboard", filed_by;
  std::optional<std::string> ended_by;
  // The filing that suppresses the unit's process alarms (stopped, overhaul), as it stands.
  std::optional<long long> filing_id;
  std::optional<std::string> filing_status;  // pending | approved | rejected | cancelled
  std::optional<core::SysTime> filing_starts_at, filing_ends_at;
  core::SysTime created_at{}, updated_at{};
};

inline constexpr std::size_t kMaxUnitStatusReason = 500;
inline constexpr std::size_t kMaxOverhaulContent = 1000;
inline constexpr std::size_t kMaxOverhaulPerson = 64;
// How far back a status may begin (a late entry of a stop that already happened).
inline constexpr int kMaxUnitStatusBackDays = 30;

// The checks on a status's own fields at `now`, with JSON pointers into the API form: a known
// status, exactly one of equip_code and prodcell_id, a begin at most kMaxUnitStatusBackDays ago
// and not in the future (5 minutes of clock skew allowed), a planned end after the begin, a
// reason for stopped and overhaul, an overhaul's content, responsible person and phone (a mobile
// or a fixed line) and none of them on another status. Empty when it passes.
std::vector<core::FieldError> check_unit_status(const UnitStatus& s, core::SysTime now);

}  // namespace hazmon::model
