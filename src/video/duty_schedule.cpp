#include "duty_schedule.hpp"

#include <hazmon/core/error.hpp>

#include <string>

namespace hazmon::video::detail {

namespace {
[[noreturn]] void bad(const std::string& msg) {
  throw core::Error(core::Errc::validation_failed, "duty_schedule: " + msg,
                    {core::FieldError{"/duty_schedule", msg}});
}

int parse_hhmm(const nlohmann::json& v, const char* what) {
  if (!v.is_string()) bad(std::string(what) + " must be \"HH:MM\"");
  auto s = v.get<std::string>();
  if (s.size() != 5 || s[2] != ':' || !isdigit(s[0]) || !isdigit(s[1]) || !isdigit(s[3]) ||
      !isdigit(s[4]))
    bad(std::string(what) + " must be \"HH:MM\", got \"" + s + "\"");
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    bad(std::string(what) + " is not a time of day: \"" + s + "\"");
  return h * 60 + m;
}
}  // namespace

LocalTime china_local(core::SysTime t) {
  using namespace std::chrono;
  auto local = floor<minutes>(t) + hours(8);
  auto day = floor<days>(local);
  // 1970-01-01 was a Thursday (ISO 4).
  long long d = day.time_since_epoch().count();
  int weekday = static_cast<int>(((d % 7) + 7 + 3) % 7) + 1;
  int minute = static_cast<int>(duration_cast<minutes>(local - day).count());
  return {weekday, minute};
}

DutySchedule DutySchedule::parse(const nlohmann::json& schedule) {
  DutySchedule out;
  if (schedule.is_null()) return out;
  if (!schedule.is_array()) bad("must be a list of {days, from, to}");
  for (const auto& w : schedule) {
    if (!w.is_object() || !w.contains("days") || !w.contains("from") || !w.contains("to"))
      bad("every entry needs days, from and to");
    Window win;
    if (!w.at("days").is_array() || w.at("days").empty())
      bad("days must be a non-empty list of 1..7");
    for (const auto& d : w.at("days")) {
      if (!d.is_number_integer() || d.get<int>() < 1 || d.get<int>() > 7)
        bad("days are ISO weekdays 1 (Monday) .. 7");
      win.days |= static_cast<std::uint8_t>(1u << (d.get<int>() - 1));
    }
    win.from_min = parse_hhmm(w.at("from"), "from");
    win.to_min = parse_hhmm(w.at("to"), "to");
    if (win.from_min == 1440) bad("from cannot be 24:00");
    out.windows_.push_back(win);
  }
  return out;
}

bool DutySchedule::on_duty(core::SysTime t) const {
  if (windows_.empty()) return true;
  auto lt = china_local(t);
  int prev = lt.weekday == 1 ? 7 : lt.weekday - 1;
  for (const auto& w : windows_) {
    bool today = w.days & (1u << (lt.weekday - 1));
    bool yesterday = w.days & (1u << (prev - 1));
    if (w.from_min < w.to_min) {
      if (today && lt.minute >= w.from_min && lt.minute < w.to_min) return true;
    } else {  // overnight (or whole day when equal)
      if (today && lt.minute >= w.from_min) return true;
      if (yesterday && lt.minute < w.to_min) return true;
    }
  }
  return false;
}

}  // namespace hazmon::video::detail
