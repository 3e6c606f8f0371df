// A point machine handed from one node to another (node.cluster, ADR 0028): its state saved as
// JSON after each sample and restored into a fresh machine gives the same transitions as one
// machine that saw every sample (pending debounce, open episodes, escalation, frozen timer).
#include <gtest/gtest.h>

#include <hazmon/service/machine_state_json.hpp>

#include <sstream>

using namespace hazmon;
using namespace hazmon::rules;
using hazmon::service::decode_machine_state;
using hazmon::service::encode_machine_state;
using namespace std::chrono;

namespace {
SysTime at(int s) { return SysTime{} + hours(24 * 365 * 56) + seconds(s); }

PointConfig tank() {
  PointConfig c;
  c.range_low = 0;
  c.range_high = 20;
  c.l = 2;
  c.h = 15;
  c.hh = 18;
  c.debounce = seconds(30);
  c.deadband = 0.5;
  c.offline_after = seconds(300);
  c.frozen_after = seconds(600);
  return c;
}

std::string text(const std::vector<AlarmChange>& cs, int t) {
  std::ostringstream o;
  for (const auto& c : cs)
    o << t << ":" << to_string(c.transition) << ":" << to_string(c.type) << " ";
  return o.str();
}

struct Sample {
  int t;
  double v;
  int quality = 0;
};
const std::vector<Sample> kTrace = {{0, 10},  {10, 16}, {25, 16.5},  {40, 17},    {50, 18.5},
                                    {70, 19}, {90, 19}, {95, 25},    {100, 30},   {130, 14.4},
                                    {140, 3}, {150, 1}, {160, 1, 3}, {170, 1, 3}, {200, 1, 3},
                                    {210, 5}, {220, 5}};
}  // namespace

TEST(MachineStateJson, AMachineMovedAfterEverySampleDecidesAsOneThatStayed) {
  PointMachine stayed(tank());
  std::string moved_state;  // what the last node saved
  std::string a, b;
  for (const auto& s : kTrace) {
    rules::Sample smp{at(s.t), s.v, s.quality, false, false};
    a += text(stayed.on_sample(smp), s.t);
    PointMachine fresh(tank());  // the next node, which never saw this point
    if (!moved_state.empty()) fresh.restore(decode_machine_state(moved_state));
    b += text(fresh.on_sample(smp), s.t);
    moved_state = encode_machine_state(fresh.state());
    EXPECT_EQ(decode_machine_state(moved_state), fresh.state()) << "round trip at " << s.t;
  }
  EXPECT_NE(a.find("raised:H"), std::string::npos) << a;  // the trace does cross a limit
  EXPECT_NE(a.find("escalated:HH"), std::string::npos) << a;
  EXPECT_EQ(a, b);
  // The timers too: offline after 300 s without a sample, on the moved machine as on the other.
  PointMachine fresh(tank());
  fresh.restore(decode_machine_state(moved_state));
  auto moved_tick = text(fresh.on_tick(at(530)), 530);
  EXPECT_EQ(moved_tick, text(stayed.on_tick(at(530)), 530));
  EXPECT_NE(moved_tick.find("raised"), std::string::npos) << moved_tick;
}

TEST(MachineStateJson, UnreadableStateThrows) {
  EXPECT_ANY_THROW(decode_machine_state("not json"));
  EXPECT_ANY_THROW(decode_machine_state(R"({"lt":null})"));
}
