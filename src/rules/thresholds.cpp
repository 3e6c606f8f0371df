#include <hazmon/rules/thresholds.hpp>

#include <array>
#include <cstdio>
#include <utility>

namespace hazmon::rules {
namespace {
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

std::vector<LimitProblem> check_limits(const Limits& lim) {
  std::vector<LimitProblem> out;
  if (lim.range_low && lim.range_high && !(*lim.range_low < *lim.range_high)) {
    out.push_back({"range_high", "range_high (" + num(*lim.range_high) +
                                     ") must be above range_low (" + num(*lim.range_low) + ")"});
  }
  const std::array<std::pair<const char*, const std::optional<double>*>, 4> limits = {
      {{"ll", &lim.ll}, {"l", &lim.l}, {"h", &lim.h}, {"hh", &lim.hh}}};
  for (auto& [name, v] : limits) {
    if (!*v) continue;
    if (lim.range_low && **v < *lim.range_low)
      out.push_back({name, std::string(name) + " (" + num(**v) + ") is below range_low (" +
                               num(*lim.range_low) + ")"});
    if (lim.range_high && **v > *lim.range_high)
      out.push_back({name, std::string(name) + " (" + num(**v) + ") is above range_high (" +
                               num(*lim.range_high) + ")"});
  }
  if (lim.ll && lim.l && !(*lim.ll <= *lim.l))
    out.push_back({"ll", "ll (" + num(*lim.ll) + ") must not be above l (" + num(*lim.l) + ")"});
  // L < H compares the nearest pair that is present: a point may have only LL and HH.
  std::optional<double> low = lim.l ? lim.l : lim.ll;
  std::optional<double> high = lim.h ? lim.h : lim.hh;
  if (low && high && !(*low < *high))
    out.push_back({lim.h ? "h" : "hh", "the high limit (" + num(*high) +
                                           ") must be above the low limit (" + num(*low) + ")"});
  if (lim.h && lim.hh && !(*lim.h <= *lim.hh))
    out.push_back({"hh", "hh (" + num(*lim.hh) + ") must not be below h (" + num(*lim.h) + ")"});
  return out;
}

}  // namespace hazmon::rules
