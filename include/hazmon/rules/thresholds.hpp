#pragma once
// The alarm limits of an analog monitoring point must be ordered and inside its range:
// range_low ≤ LL ≤ L < H ≤ HH ≤ range_high (each limit optional).
#include <optional>
#include <string>
#include <vector>

namespace hazmon::rules {

struct Limits {
  std::optional<double> range_low, range_high, ll, l, h, hh;
};

struct LimitProblem {
  std::string field;    // the offending field, e.g. "l"
  std::string message;  // a sentence for the person who typed it
};

std::vector<LimitProblem> check_limits(const Limits& lim);

}  // namespace hazmon::rules
