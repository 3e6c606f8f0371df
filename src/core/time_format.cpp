#include <hazmon/core/time_format.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace hazmon::core {

std::string format_rfc3339(SysTime t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  int frac = static_cast<int>(ms - static_cast<long long>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::string format_rfc3339_pg(SysTime t) {
  using namespace std::chrono;
  auto us = floor<microseconds>(t);
  auto day = floor<days>(us);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{us - day};
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02lld",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                        static_cast<int>(hms.minutes().count()),
                        static_cast<long long>(hms.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (auto frac = hms.subseconds().count(); frac != 0) {
    char f[8];
    std::snprintf(f, sizeof f, ".%06lld", static_cast<long long>(frac));
    std::string fs(f);
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  out += 'Z';
  return out;
}

std::optional<SysTime> parse_time(std::string_view s) {
  int y, mo, d, h, mi, sec;
  char sep;
  std::string str(s);
  int consumed = 0;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &sec,
                  &consumed) != 7) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  if (y < kMinTimeYear || y > kMaxTimeYear) return std::nullopt;
  std::string_view rest = s.substr(static_cast<std::size_t>(consumed));
  long offset_s = 0;
  double frac = 0;
  if (sep == ' ') {
    if (!rest.empty()) return std::nullopt;
    offset_s = 8 * 3600;  // the provinces' local time, UTC+8
  } else if (sep == 'T') {
    if (!rest.empty() && rest[0] == '.') {
      std::size_t i = 1;
      double scale = 0.1;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
        frac += (rest[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (i == 1) return std::nullopt;
      rest.remove_prefix(i);
    }
    if (rest == "Z" || rest == "z") {
      offset_s = 0;
    } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
      int oh = (rest[1] - '0') * 10 + (rest[2] - '0');
      int om = (rest[4] - '0') * 10 + (rest[5] - '0');
      if (oh > 23 || om > 59) return std::nullopt;
      offset_s = (oh * 3600 + om * 60) * (rest[0] == '-' ? -1 : 1);
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  std::time_t t = timegm(&tm);
  std::tm check{};
  gmtime_r(&t, &check);
  if (check.tm_mday != d) return std::nullopt;  // 2021-02-30 and the like
  using namespace std::chrono;
  return SysTime{seconds{t - offset_s}} + duration_cast<SysTime::duration>(duration<double>(frac));
}

}  // namespace hazmon::core
