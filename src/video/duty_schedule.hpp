#pragma once
// Duty hours of a camera (camera.duty_schedule): [{"days":[1..7], "from":"08:00", "to":"20:00"}],
// ISO weekdays (1 = Monday) in China Standard Time (UTC+8, no DST), whatever the server's zone.
// A window with to <= from runs overnight into the next day ("20:00"-"08:00" listed on Monday
// covers Monday 20:00 to Tuesday 08:00); "00:00"-"24:00" or from == to is the whole day.
// An empty schedule means always on duty.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

#include <hazmon/core/clock.hpp>

namespace hazmon::video::detail {

class DutySchedule {
 public:
  // Throws core::Error(validation_failed) on a malformed schedule.
  static DutySchedule parse(const nlohmann::json& schedule);
  bool on_duty(core::SysTime t) const;
  bool always() const { return windows_.empty(); }

 private:
  struct Window {
    std::uint8_t days = 0;  // bit d-1 for ISO weekday d
    int from_min = 0, to_min = 0;
  };
  std::vector<Window> windows_;
};

// Local (UTC+8) ISO weekday 1..7 and minute of the day 0..1439 of `t`.
struct LocalTime {
  int weekday;
  int minute;
};
LocalTime china_local(core::SysTime t);

}  // namespace hazmon::video::detail
