#pragma once
// The vocabulary of warning events (预警事件) shared by rules, storage, service and api: level,
// category, disposal state and action, who acts, the enterprise's feedback cause, and the
// records a store returns. Each enum has to_string / *_from_string for its stored and API text,
// and enum_from_string(text, std::type_identity<E>) so that storage::Row::get<E> reads it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <hazmon/core/clock.hpp>

namespace hazmon::model {

// Red / orange / yellow / blue = major / large / general / low risk (重大/较大/一般/低风险).
enum class WarningLevel { blue = 1, yellow = 2, orange = 3, red = 4 };
const char* to_string(WarningLevel l);
const char* chinese_name(WarningLevel l);  // 红色 …
std::optional<WarningLevel> warning_level_from_string(std::string_view s);

enum class WarningCategory {
  threshold,
  duration,
  combination,
  data_quality,
  video_ai,
  commitment,
  sis
};
const char* to_string(WarningCategory c);
std::optional<WarningCategory> warning_category_from_string(std::string_view s);

enum class DisposalState { pending_review, pending, pushed, fed_back, checked, closed };
const char* to_string(DisposalState s);
std::optional<DisposalState> disposal_state_from_string(std::string_view s);

enum class DisposalAction {
  create,
  confirm,
  dismiss,
  push,
  feedback,
  reject,
  check,
  close,
  supervise,
  raise_level,
  escalate
};
const char* to_string(DisposalAction a);
std::optional<DisposalAction> disposal_action_from_string(std::string_view s);

// Who acts, as the disposal rules see it (rules::actor_kind_of maps a principal onto it).
enum class ActorKind { system, enterprise, county, city, province };
const char* to_string(ActorKind k);
std::optional<ActorKind> actor_kind_from_string(std::string_view s);

// 反馈原因: the enterprise's explanation.
enum class FeedbackCause {
  process_fluctuation,
  instrument_fault,
  false_alarm,
  maintenance,
  real_hazard
};
const char* to_string(FeedbackCause c);
const char* chinese_name(FeedbackCause c);
std::optional<FeedbackCause> feedback_cause_from_string(std::string_view s);

// Where an event came from.
enum class WarningSource { sensor, video_ai, commitment, sis };
const char* to_string(WarningSource s);
std::optional<WarningSource> warning_source_from_string(std::string_view s);

inline std::optional<WarningLevel> enum_from_string(std::string_view s,
                                                    std::type_identity<WarningLevel>) {
  return warning_level_from_string(s);
}
inline std::optional<WarningCategory> enum_from_string(std::string_view s,
                                                       std::type_identity<WarningCategory>) {
  return warning_category_from_string(s);
}
inline std::optional<DisposalState> enum_from_string(std::string_view s,
                                                     std::type_identity<DisposalState>) {
  return disposal_state_from_string(s);
}
inline std::optional<DisposalAction> enum_from_string(std::string_view s,
                                                      std::type_identity<DisposalAction>) {
  return disposal_action_from_string(s);
}
inline std::optional<ActorKind> enum_from_string(std::string_view s,
                                                 std::type_identity<ActorKind>) {
  return actor_kind_from_string(s);
}
inline std::optional<FeedbackCause> enum_from_string(std::string_view s,
                                                     std::type_identity<FeedbackCause>) {
  return feedback_cause_from_string(s);
}
inline std::optional<WarningSource> enum_from_string(std::string_view s,
                                                     std::type_identity<WarningSource>) {
  return warning_source_from_string(s);
}

// A warning event as stored, with its enterprise's and hazard source's names (GET
// /warning-events/{id} without alarms, records and actions).
struct WarningEvent {
  long long id = 0;
  std::string event_no;
  WarningSource source = WarningSource::sensor;
  std::string company_code, company_name;
  std::optional<std::string> hazard_code, hazard_name;
  std::optional<int> hazard_rank;
  // A sensor event of a unit that is not a major hazard source (hazard_code null; ADR 0019).
  std::optional<std::string> prodcell_id, prodcell_name;
  std::optional<std::string> county_code, city_code;
  WarningLevel level = WarningLevel::blue, initial_level = WarningLevel::blue;
  std::optional<long long> rule_id;
  WarningCategory category = WarningCategory::threshold;
  std::string content;
  DisposalState status = DisposalState::pending;
  core::SysTime first_ts{}, last_ts{};
  std::optional<core::SysTime> deadline_ts;  // the current stage's
  std::optional<core::SysTime> feedback_deadline_ts, check_deadline_ts, close_deadline_ts;
  bool overdue = false;
  int escalation_count = 0;
  std::optional<FeedbackCause> feedback_cause;
  std::optional<std::string> feedback_measures;
  std::optional<core::SysTime> closed_ts;
};

// An alarm episode linked to an event (the alarm's end, peak and suppression when it is in
// PostgreSQL).
struct WarningAlarmLink {
  std::optional<long long> alarm_id;
  std::string quota_code, alarm_type;
  std::optional<double> value, threshold;
  core::SysTime start_ts{}, linked_at{};
  std::optional<core::SysTime> end_ts;
  std::optional<double> peak_value;
  std::optional<bool> suppressed;
};

// One disposal record (处置记录): who did what, from which state and level to which.
struct DisposalRecord {
  long long id = 0;
  core::SysTime at{};
  std::optional<long long> actor_id;
  std::string actor_name;
  ActorKind actor_role = ActorKind::system;
  std::string user_role;  // the account's role; empty for the system
  DisposalAction action = DisposalAction::create;
  DisposalState from_status = DisposalState::pending, to_status = DisposalState::pending;
  WarningLevel level_before = WarningLevel::blue, level_after = WarningLevel::blue;
  std::optional<FeedbackCause> cause;
  std::string measures, text;
  std::optional<core::SysTime> deadline_ts;
  bool overdue = false;
};

}  // namespace hazmon::model
