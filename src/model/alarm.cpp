#include <hazmon/model/alarm.hpp>

#include <array>
#include <utility>

namespace hazmon::model {
namespace {
constexpr std::array<std::pair<AlarmType, const char*>, 9> kTypes = {{
    {AlarmType::hh, "HH"},
    {AlarmType::h, "H"},
    {AlarmType::l, "L"},
    {AlarmType::ll, "LL"},
    {AlarmType::switch_on, "SWITCH"},
    {AlarmType::out_of_range, "OUT_OF_RANGE"},
    {AlarmType::offline, "OFFLINE"},
    {AlarmType::frozen, "FROZEN"},
    {AlarmType::device_fault, "DEVICE_FAULT"},
}};
constexpr std::array<std::pair<AlarmTransition, const char*>, 3> kTransitions = {{
    {AlarmTransition::raised, "raised"},
    {AlarmTransition::escalated, "escalated"},
    {AlarmTransition::cleared, "cleared"},
}};
}  // namespace

const char* to_string(AlarmType t) {
  for (auto& [e, n] : kTypes)
    if (e == t) return n;
  return "?";
}
std::optional<AlarmType> alarm_type_from_string(std::string_view s) {
  for (auto& [e, n] : kTypes)
    if (s == n) return e;
  return std::nullopt;
}
bool is_data_fault(AlarmType t) {
  return t == AlarmType::out_of_range || t == AlarmType::offline || t == AlarmType::frozen ||
         t == AlarmType::device_fault;
}

const char* to_string(AlarmTransition t) {
  for (auto& [e, n] : kTransitions)
    if (e == t) return n;
  return "?";
}
std::optional<AlarmTransition> alarm_transition_from_string(std::string_view s) {
  for (auto& [e, n] : kTransitions)
    if (s == n) return e;
  return std::nullopt;
}

}  // namespace hazmon::model
