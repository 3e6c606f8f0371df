#pragma once
// The alarm vocabulary shared by rules, ingest, storage and service: the type of an alarm
// (报警类型), its transitions, and the alarm event the ingest writer passes on (to storage, the
// warning rules and the live stream) when an episode is raised, escalated or cleared. Each enum
// has to_string / *_from_string for its stored and API text ("HH", "raised" …) and
// enum_from_string(text, std::type_identity<E>) so that storage::Row::get<E> reads it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace hazmon::model {

// GB 18218 thresholds (HH, H, L, LL), a switch in its alarm state, and the data faults.
enum class AlarmType { hh, h, l, ll, switch_on, out_of_range, offline, frozen, device_fault };
// "HH", "H", "L", "LL", "SWITCH", "OUT_OF_RANGE", "OFFLINE", "FROZEN", "DEVICE_FAULT".
const char* to_string(AlarmType t);
std::optional<AlarmType> alarm_type_from_string(std::string_view s);
// Out of range, offline, frozen and device faults: about the data, not the process.
bool is_data_fault(AlarmType t);

enum class AlarmTransition { raised, escalated, cleared };
const char* to_string(AlarmTransition t);
std::optional<AlarmTransition> alarm_transition_from_string(std::string_view s);

inline std::optional<AlarmType> enum_from_string(std::string_view s,
                                                 std::type_identity<AlarmType>) {
  return alarm_type_from_string(s);
}
inline std::optional<AlarmTransition> enum_from_string(std::string_view s,
                                                       std::type_identity<AlarmTransition>) {
  return alarm_transition_from_string(s);
}

// A change of one point's alarm episode, as the rules produced it. Times are Unix epoch
// milliseconds, as in model::Reading.
struct AlarmEvent {
  std::int32_t point_id = 0;
  std::string quota_code, company_code, hazard_code, equip_code;
  std::string prodcell_id;  // the point's unit ("" when none; not spooled: ADR 0019)
  AlarmTransition transition = AlarmTransition::raised;
  AlarmType type = AlarmType::h;           // escalated: the new, more severe type
  std::optional<AlarmType> previous_type;  // escalated: the type it had
  bool data_fault = false;
  std::optional<double> threshold;
  std::int64_t start_ms = 0, at_ms = 0, peak_ms = 0;
  double value = 0, peak = 0;
  bool suppressed = false, late = false;
};

}  // namespace hazmon::model
