// Tables of (seconds, value[, flags]) → expected transitions "t:transition:type".
#include <gtest/gtest.h>

#include <hazmon/rules/point_machine.hpp>

#include <sstream>

using namespace hazmon::rules;
using namespace std::chrono;

namespace {
struct Row {
  int t;
  double v;
  int quality = 0;
  bool suppressed = false;
};

SysTime at(int s) { return SysTime{} + hours(24 * 365 * 50) + seconds(s); }

std::vector<std::string> run(PointConfig cfg, const std::vector<Row>& rows,
                             std::vector<AlarmChange>* all = nullptr) {
  PointMachine m(cfg);
  std::vector<std::string> out;
  for (const auto& r : rows) {
    for (const auto& c : m.on_sample({at(r.t), r.v, r.quality, r.suppressed, false})) {
      std::ostringstream o;
      o << r.t << ":" << to_string(c.transition) << ":" << to_string(c.type);
      if (c.suppressed) o << ":suppressed";
      out.push_back(o.str());
      if (all) all->push_back(c);
    }
  }
  return out;
}

PointConfig tank_level() {
  PointConfig c;
  c.range_low = 0;
  c.range_high = 20;
  c.ll = 1;
  c.l = 2;
  c.h = 15;
  c.hh = 18;
  c.debounce = seconds(30);
  c.deadband = 0.5;
  return c;
}
using V = std::vector<std::string>;
}  // namespace

TEST(PointMachine, SpikeShorterThanDebounceRaisesNothing) {
  EXPECT_EQ(run(tank_level(), {{0, 10}, {10, 16}, {20, 10}, {30, 16}, {40, 14}}), V{});
}

TEST(PointMachine, SustainedExceedanceRaisesOnceWithStartAtFirstExceedance) {
  std::vector<AlarmChange> all;
  auto t = run(tank_level(),
               {{0, 10}, {10, 16}, {25, 16.5}, {40, 17}, {60, 16}, {90, 14.8}, {100, 14.4}}, &all);
  EXPECT_EQ(t, (V{"40:raised:H", "100:cleared:H"}));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].start, at(10));
  EXPECT_EQ(all[1].peak, 17);
  EXPECT_EQ(all[1].peak_at, at(40));
}

TEST(PointMachine, DeadbandPreventsFlappingAroundTheLimit) {
  // Jitter around H = 15 with deadband 0.5: one episode, not five.
  auto t = run(tank_level(),
               {{0, 15.2}, {30, 15.1}, {40, 14.8}, {50, 15.3}, {60, 14.7}, {70, 15.4}, {80, 14.4}});
  EXPECT_EQ(t, (V{"30:raised:H", "80:cleared:H"}));
}

TEST(PointMachine, EscalatesToHighHighAfterItPersists) {
  auto t = run(tank_level(),
               {{0, 16}, {30, 16}, {40, 18.5}, {50, 18.2}, {70, 18.9}, {80, 16}, {90, 14}});
  EXPECT_EQ(t, (V{"30:raised:H", "70:escalated:HH", "90:cleared:HH"}));
}

TEST(PointMachine, StraightToHighHighRaisesTheMostSevereLevel) {
  EXPECT_EQ(run(tank_level(), {{0, 19}, {30, 19.5}, {60, 10}}),
            (V{"30:raised:HH", "60:cleared:HH"}));
}

TEST(PointMachine, LowSideMirrorsTheHighSide) {
  auto t = run(tank_level(),
               {{0, 5}, {10, 1.9}, {40, 1.8}, {50, 0.8}, {80, 0.9}, {90, 2.3}, {100, 2.6}});
  // 2.3 is above L = 2 but inside the deadband (2 + 0.5): still in alarm until 2.6.
  EXPECT_EQ(t, (V{"40:raised:L", "80:escalated:LL", "100:cleared:LL"}));
}

TEST(PointMachine, OutOfRangeIsADataFaultNotAProcessAlarm) {
  // Debounced like a threshold alarm: raised when it still holds 30 s after 10, starting at 10.
  std::vector<AlarmChange> all;
  auto t = run(tank_level(), {{0, 10}, {10, 25}, {40, 25}, {70, 10}}, &all);
  EXPECT_EQ(t, (V{"40:raised:OUT_OF_RANGE", "70:cleared:OUT_OF_RANGE"}));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].start, at(10));
}

TEST(PointMachine, PersistingGatewayQualityFlagsRaiseOneDeviceFault) {
  std::vector<AlarmChange> all;
  auto t = run(tank_level(),
               {{0, 10}, {10, 16, 3}, {20, 16, 2}, {40, 16, 3}, {50, 16, 3}, {60, 10}}, &all);
  EXPECT_EQ(t, (V{"40:raised:DEVICE_FAULT", "60:cleared:DEVICE_FAULT"}));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].start, at(10));
  EXPECT_EQ(all[1].start, at(10));
}

TEST(PointMachine, ASingleFlaggedSampleOpensNoEpisode) {
  EXPECT_EQ(run(tank_level(), {{0, 10}, {10, 16, 3}, {20, 10}}), V{});
  EXPECT_EQ(run(tank_level(), {{0, 10}, {10, 16, 2}, {20, 10}}), V{});
  EXPECT_EQ(run(tank_level(), {{0, 10}, {10, 10, 1}, {20, 10}}), V{});
  EXPECT_EQ(run(tank_level(), {{0, 10}, {10, 99}, {20, 10}}), V{});
  // Flags that stop short of the debounce, even several in a row, open nothing either.
  EXPECT_EQ(run(tank_level(), {{0, 10}, {10, 16, 3}, {20, 16, 3}, {30, 16, 3}, {39, 10}}), V{});
}

TEST(PointMachine, IsolatedFlaggedSamplesOverALongRunOpenNoEpisode) {
  // A day of 10-s samples with one in 200 flagged (0.5 %, the replay of issue 10), spread out:
  // no data-fault episode at all, while a real excursion in the same run is still raised once.
  std::vector<Row> rows;
  for (int i = 0; i < 8640; ++i) {
    Row r{i * 10, 10.0 + (i % 7) * 0.1};
    if (i % 200 == 37) r.quality = (i / 200) % 2 ? 3 : 2;
    if (i % 200 == 113) r.v = 42;         // outside the range 0..20
    if (i >= 5000 && i < 5010) r.v = 16;  // 100 s above H
    rows.push_back(r);
  }
  EXPECT_EQ(run(tank_level(), rows), (V{"50030:raised:H", "50100:cleared:H"}));
}

TEST(PointMachine, AFlaggedSampleDoesNotFeedTheProcessAlarm) {
  // The flagged sample's value (19 ≥ HH) is not trusted: H is raised from good samples only.
  EXPECT_EQ(run(tank_level(), {{0, 16}, {20, 19, 3}, {30, 16}, {40, 10}}),
            (V{"30:raised:H", "40:cleared:H"}));
}

TEST(PointMachine, WithoutDebounceAFlaggedSampleRaisesAtOnce) {
  auto cfg = tank_level();
  cfg.debounce = seconds(0);
  EXPECT_EQ(run(cfg, {{0, 10}, {10, 16, 3}, {20, 10}}),
            (V{"10:raised:DEVICE_FAULT", "20:cleared:DEVICE_FAULT"}));
}

TEST(PointMachine, AlarmsInsideAFiledWindowAreRecordedAsSuppressed) {
  auto t = run(tank_level(), {{0, 16, 0, true}, {30, 16, 0, true}, {60, 10, 0, true}});
  EXPECT_EQ(t, (V{"30:raised:H:suppressed", "60:cleared:H:suppressed"}));
  // Quality 4 (stopped or under maintenance) suppresses as well.
  EXPECT_EQ(run(tank_level(), {{0, 16, 4}, {30, 16, 4}}), (V{"30:raised:H:suppressed"}));
}

TEST(PointMachine, FrozenValueAfterConfiguredTime) {
  auto cfg = tank_level();
  cfg.frozen_after = seconds(600);
  auto t = run(cfg, {{0, 10}, {300, 10}, {599, 10}, {600, 10}, {900, 10}, {960, 10.1}});
  EXPECT_EQ(t, (V{"600:raised:FROZEN", "960:cleared:FROZEN"}));
}

TEST(PointMachine, OfflineByTimerAndBackOnNextSample) {
  PointMachine m(tank_level());
  EXPECT_TRUE(m.on_tick(at(1000)).empty());  // nothing ever arrived: unknown, not offline
  m.on_sample({at(0), 10});
  EXPECT_TRUE(m.on_tick(at(299)).empty());
  auto raised = m.on_tick(at(300));
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].type, AlarmType::offline);
  EXPECT_EQ(raised[0].start, at(0));
  EXPECT_TRUE(m.on_tick(at(400)).empty());  // one episode
  auto back = m.on_sample({at(500), 10});
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].transition, Transition::cleared);
}

TEST(PointMachine, SwitchAlarmsWithDebounce) {
  PointConfig sw;
  sw.analog = false;
  sw.debounce = seconds(5);
  EXPECT_EQ(run(sw, {{0, 0}, {10, 1}, {12, 0}, {20, 1}, {25, 1}, {40, 0}}),
            (V{"25:raised:SWITCH", "40:cleared:SWITCH"}));
  sw.debounce = seconds(0);
  EXPECT_EQ(run(sw, {{0, 1}, {1, 0}}), (V{"0:raised:SWITCH", "1:cleared:SWITCH"}));
}

TEST(PointMachine, OlderSamplesAreIgnoredAndCounted) {
  PointMachine m(tank_level());
  m.on_sample({at(100), 16});
  EXPECT_TRUE(m.on_sample({at(50), 16}).empty());
  EXPECT_TRUE(m.on_sample({at(100), 16}).empty());
  EXPECT_EQ(m.out_of_order(), 2u);
}

TEST(PointMachine, PointNotInUseRaisesNothing) {
  auto cfg = tank_level();
  cfg.in_use = false;
  EXPECT_EQ(run(cfg, {{0, 19}, {60, 19}, {120, 25}}), V{});
}
