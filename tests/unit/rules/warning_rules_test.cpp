// Tables of alarm changes on one hazard source → the engine's decisions, written
// "t:level:LEVEL:rule:points" (create or raise the event) or "t:attach:points".
#include <gtest/gtest.h>

#include <hazmon/rules/warning_rules.hpp>

#include <map>
#include <sstream>

using namespace hazmon;
using namespace hazmon::rules;
using namespace std::chrono;

namespace {
SysTime at(int s) { return SysTime{} + hours(24 * 365 * 50) + seconds(s); }

// One step: "raise P1 HH", "raise P1 H start=-700", "escalate P1 HH", "clear P1", "tick",
// "close"; flags after the type: suppressed, late, fault.
struct Step {
  int t;
  std::string op;
};

struct Hazard {
  int rank = 2;
  std::string company = "14010000001", hazard = "14010000001001", region = "140105";
  std::string unit;  // a non-major unit's prodcell_id (with hazard "")
};

std::string describe(const WarningDecision& d) {
  std::ostringstream o;
  o << duration_cast<seconds>(d.at - at(0)).count() << ":";
  if (d.kind == WarningDecision::Kind::attach)
    o << "attach:";
  else
    o << "level:" << to_string(d.level) << ":" << d.rule_id << ":";
  for (std::size_t i = 0; i < d.alarms.size(); ++i) o << (i ? "," : "") << d.alarms[i].quota_code;
  return o.str();
}

std::vector<std::string> run(const std::vector<Step>& steps, Hazard hz = {},
                             std::vector<WarningRule> rules = default_warning_rules(),
                             WarningEngine* keep = nullptr) {
  WarningEngine local(std::move(rules));
  WarningEngine& e = keep ? *keep : local;
  std::map<std::string, SysTime> starts;
  std::map<std::string, std::string> types;
  std::vector<std::string> out;
  for (const auto& s : steps) {
    std::istringstream in(s.op);
    std::string op, point, type, flag;
    in >> op;
    std::vector<WarningDecision> ds;
    if (op == "tick") {
      ds = e.on_tick(at(s.t));
    } else if (op == "close") {
      e.event_closed(hz.company, hz.hazard, hz.unit);
    } else {
      in >> point;
      AlarmInput a;
      a.point_id = std::stoi(point.substr(1));
      a.quota_code = point;
      a.company_code = hz.company;
      a.hazard_code = hz.hazard;
      a.prodcell_id = hz.unit;
      a.region_code = hz.region;
      a.hazard_rank = hz.rank;
      a.at = at(s.t);
      if (op == "raise") {
        in >> type;
        a.transition = Transition::raised;
        starts[point] = at(s.t);
      } else if (op == "escalate") {
        in >> type;
        a.transition = Transition::escalated;
      } else {
        a.transition = Transition::cleared;
        type = types[point];
      }
      while (in >> flag) {
        if (flag == "suppressed")
          a.suppressed = true;
        else if (flag == "late")
          a.late = true;
        else if (flag == "fault")
          a.data_fault = true;
        else if (flag.rfind("start=", 0) == 0)
          starts[point] = at(std::stoi(flag.substr(6)));
      }
      a.type = type;
      types[point] = type;
      a.start = starts[point];
      ds = e.on_alarm(a);
    }
    for (const auto& d : ds) out.push_back(describe(d));
  }
  return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST(WarningRules, ThresholdAlarmLevelFollowsHazardRank) {
  struct Case {
    int rank;
    const char* type;
    V expected;
  };
  const Case cases[] = {
      {1, "HH", {"0:level:red:1:P1"}},
      {2, "HH", {"0:level:orange:1:P1"}},
      {1, "LL", {"0:level:red:1:P1"}},
      {2, "SWITCH", {"0:level:orange:1:P1"}},
      {3, "HH", {"0:level:yellow:2:P1"}},
      {4, "LL", {"0:level:blue:2:P1"}},
      {1, "H", {}},
      {4, "L", {}},
  };
  for (const auto& c : cases) {
    Hazard hz;
    hz.rank = c.rank;
    EXPECT_EQ(run({{0, std::string("raise P1 ") + c.type}}, hz), c.expected)
        << c.type << " on rank " << c.rank;
  }
}

TEST(WarningRules, HighAlarmMakesAnEventOnlyAfterTheMinimumDuration) {
  struct Case {
    int rank;
    std::vector<Step> steps;
    V expected;
  };
  const Case cases[] = {
      // Sustained: nothing at 5 min, yellow (rank 1–2) or blue (rank 3–4) at 10 min, once.
      {2,
       {{0, "raise P1 H"}, {300, "tick"}, {600, "tick"}, {900, "tick"}},
       {"600:level:yellow:3:P1"}},
      {1, {{0, "raise P1 L"}, {599, "tick"}, {601, "tick"}}, {"601:level:yellow:3:P1"}},
      {3, {{0, "raise P1 H"}, {600, "tick"}}, {"600:level:blue:3:P1"}},
      // Cleared after 9 minutes: never.
      {2, {{0, "raise P1 H"}, {540, "clear P1"}, {600, "tick"}, {3600, "tick"}}, {}},
      // Reported late (backfilled by the gateway after debounce) but already 11 minutes long at its
      // clear.
      {2, {{0, "raise P1 H start=-660"}, {0, "clear P1"}}, {"0:level:yellow:3:P1"}},
      // HH sustained 30 minutes on a rank-3 source: yellow at once, orange at 30 min.
      {3, {{0, "raise P1 HH"}, {1800, "tick"}}, {"0:level:yellow:2:P1", "1800:level:orange:4:P1"}},
  };
  for (const auto& c : cases) {
    Hazard hz;
    hz.rank = c.rank;
    EXPECT_EQ(run(c.steps, hz), c.expected) << c.steps.front().op << " on rank " << c.rank;
  }
}

TEST(WarningRules, DataFaultsSuppressedAndLateAlarmsNeverMakeEvents) {
  Hazard hz;
  hz.rank = 1;
  EXPECT_EQ(run({{0, "raise P1 HH suppressed"},
                 {0, "raise P2 SWITCH late"},
                 {0, "raise P3 OFFLINE fault"},
                 {0, "raise P4 OUT_OF_RANGE"},
                 {0, "raise P5 FROZEN fault"},
                 {3600, "tick"}},
                hz),
            V{});
  // Not even as a second point of a combination.
  EXPECT_EQ(run({{0, "raise P1 H"},
                 {10, "raise P2 H suppressed"},
                 {20, "raise P3 LL late"},
                 {3600, "clear P1"}},
                hz),
            V{"3600:level:yellow:3:P1"});
}

TEST(WarningRules, TwoPointsOfOneHazardSourceWithinTheWindowRaiseTheLevelByOne) {
  struct Case {
    const char* name;
    int rank;
    std::vector<Step> steps;
    V expected;
  };
  const Case cases[] = {
      {"HH then H",
       2,
       {{0, "raise P1 HH"}, {120, "raise P2 H"}},
       {"0:level:orange:1:P1", "120:level:red:5:P2"}},
      {"two short H alarms",
       2,
       {{0, "raise P1 H"}, {60, "clear P1"}, {300, "raise P2 H"}},
       {"300:level:orange:5:P2,P1"}},
      {"rank 3", 3, {{0, "raise P1 L"}, {30, "raise P2 H"}}, {"30:level:yellow:5:P2,P1"}},
      {"outside the window",
       2,
       {{0, "raise P1 H"}, {60, "clear P1"}, {700, "raise P2 H"}, {760, "clear P2"}},
       {}},
      {"same point twice",
       2,
       {{0, "raise P1 H"}, {60, "clear P1"}, {120, "raise P1 H"}, {180, "clear P1"}},
       {}},
      {"red stays red, the second alarm is attached",
       1,
       {{0, "raise P1 HH"}, {60, "raise P2 H"}},
       {"0:level:red:1:P1", "60:attach:P2"}},
      {"a third point changes nothing more",
       2,
       {{0, "raise P1 H"}, {10, "raise P2 H"}, {20, "raise P3 L"}},
       {"10:level:orange:5:P2,P1", "20:attach:P3"}},
      // Once combined, a single alarm's rise lifts the event one above it: HH orange → red.
      {"combined then escalated",
       2,
       {{0, "raise P1 H"}, {10, "raise P2 H"}, {40, "escalate P1 HH"}},
       {"10:level:orange:5:P2,P1", "40:level:red:5:P1"}},
  };
  for (const auto& c : cases) {
    Hazard hz;
    hz.rank = c.rank;
    EXPECT_EQ(run(c.steps, hz), c.expected) << c.name;
  }
}

TEST(WarningRules, OpenEventCollectsAlarmsAndOnlyRises) {
  EXPECT_EQ(run({{0, "raise P1 H"},
                 {600, "tick"},
                 {700, "escalate P1 HH"},
                 {800, "clear P1"},
                 {900, "tick"}}),
            (V{"600:level:yellow:3:P1", "700:level:orange:1:P1"}));
  // A lower alarm on an orange event is attached without changing the level.
  Hazard r1;
  r1.rank = 1;
  EXPECT_EQ(run({{0, "raise P1 HH"}, {60, "clear P1"}, {1200, "raise P2 SWITCH"}}, r1),
            (V{"0:level:red:1:P1", "1200:attach:P2"}));
}

TEST(WarningRules, AfterCloseOnlyNewConditionsOpenANewEvent) {
  EXPECT_EQ(run({{0, "raise P1 H"},
                 {600, "tick"},
                 {700, "close"},
                 {800, "tick"},
                 {5000, "tick"},
                 // the same episode escalating is a new condition
                 {5100, "escalate P1 HH"}}),
            (V{"600:level:yellow:3:P1", "5100:level:orange:1:P1"}));
  // A new alarm on another point after the close: a new event (the first point, still open, counts
  // towards the combination).
  EXPECT_EQ(run({{0, "raise P1 HH"}, {100, "close"}, {200, "raise P2 HH"}}),
            (V{"0:level:orange:1:P1", "200:level:red:5:P2,P1"}));
  // An alarm attached without a level of its own can still qualify later by itself.
  Hazard r1;
  r1.rank = 1;
  EXPECT_EQ(run({{0, "raise P1 HH"},
                 {10, "clear P1"},
                 {900, "raise P2 H"},
                 {1000, "close"},
                 {1600, "tick"}},
                r1),
            (V{"0:level:red:1:P1", "900:attach:P2", "1600:level:yellow:3:P2"}));
}

TEST(WarningRules, RulesApplyByScopeAndCanBeDisabled) {
  auto rules = default_warning_rules();
  rules[0].enabled = false;  // HH on rank 1–2 no longer red/orange
  EXPECT_EQ(run({{0, "raise P1 HH"}}, Hazard{}, rules), V{});

  WarningRule taiyuan;
  taiyuan.id = 10;
  taiyuan.name = "太原市：高报警即预警";
  taiyuan.category = WarningCategory::threshold;
  taiyuan.scope = model::Scope::region("140100");
  taiyuan.alarm_types = {"H"};
  taiyuan.level_by_rank = {WarningLevel::orange, WarningLevel::orange, WarningLevel::yellow,
                           WarningLevel::yellow};
  auto with = default_warning_rules();
  with.push_back(taiyuan);
  EXPECT_EQ(run({{0, "raise P1 H"}}, Hazard{}, with), V{"0:level:orange:10:P1"});
  Hazard datong;
  datong.region = "140202";
  EXPECT_EQ(run({{0, "raise P1 H"}}, datong, with), V{});

  auto one = default_warning_rules();
  one[0].scope = model::Scope::enterprise("14010000002");
  EXPECT_EQ(run({{0, "raise P1 HH"}}, Hazard{}, one), V{});
}

TEST(WarningRules, RestoredStateDoesNotRepeatEvents) {
  WarningEngine e;
  AlarmInput a;
  a.point_id = 1;
  a.quota_code = "P1";
  a.company_code = "14010000001";
  a.hazard_code = "14010000001001";
  a.region_code = "140105";
  a.hazard_rank = 2;
  a.type = "H";
  a.start = at(-3600);
  a.at = at(0);
  // Linked to a closed event: spent.
  e.restore_alarm(a, false, true);
  auto b = a;
  b.point_id = 2;
  b.quota_code = "P2";
  b.start = at(-60);
  e.restore_alarm(b, false, false);
  EXPECT_EQ(e.on_tick(at(100)).size(), 0u);
  auto ds = e.on_tick(at(600));
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(describe(ds[0]), "600:level:yellow:3:P2");

  WarningEngine open;
  open.restore_event(a.company_code, a.hazard_code, WarningLevel::yellow, false);
  open.restore_alarm(a, true, true);
  EXPECT_EQ(open.on_tick(at(600)).size(), 0u);
  auto esc = a;
  esc.transition = Transition::escalated;
  esc.type = "HH";
  esc.at = at(700);
  ds = open.on_alarm(esc);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(describe(ds[0]), "700:level:orange:1:P1");
}

// node.cluster (ADR 0035): an enterprise's part of the engine is dropped and rebuilt when its
// rules state moved between nodes, ended episodes included; ticks skip the enterprises another
// node holds.
TEST(WarningRules, ReloadedEnterpriseKeepsEndedEpisodesAndTicksOnlyWhenHeld) {
  AlarmInput a;
  a.point_id = 1;
  a.quota_code = "P1";
  a.company_code = "14010000001";
  a.hazard_code = "14010000001001";
  a.region_code = "140105";
  a.hazard_rank = 2;
  a.type = "H";
  a.start = at(0);
  a.at = at(60);
  WarningEngine e;
  // Raised here; cleared after a minute on another node: restored ended, it never lasts 10 min.
  e.restore_alarm(a, false, false);
  e.forget_company(a.company_code);
  EXPECT_TRUE(e.companies().empty());
  e.restore_alarm(a, false, false, at(60));
  EXPECT_EQ(e.companies(), std::vector<std::string>{a.company_code});
  EXPECT_EQ(e.on_tick(at(650)).size(), 0u);  // open, it would have lasted 10 min by now
  // A second point raised on this node within the window: the ended one still counts for the
  // combination rule (two points of one hazard source in 10 minutes).
  auto b = a;
  b.point_id = 2;
  b.quota_code = "P2";
  b.start = at(655);
  b.at = at(655);
  auto ds = e.on_alarm(b);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(describe(ds[0]), "655:level:orange:5:P2,P1");

  WarningEngine held;
  held.restore_alarm(a, false, false);  // open since 0
  auto nobody = [](const std::string&) { return false; };
  EXPECT_EQ(held.on_tick(at(600), nobody).size(), 0u);
  auto only_it = [&](const std::string& c) { return c == a.company_code; };
  ds = held.on_tick(at(600), only_it);
  ASSERT_EQ(ds.size(), 1u);
  EXPECT_EQ(describe(ds[0]), "600:level:yellow:3:P1");
}

TEST(WarningRules, EscalationOutsideTheRulesIsRemembered) {
  auto singles = default_warning_rules();
  std::erase_if(singles, [](const WarningRule& r) { return r.is_combination(); });
  WarningEngine e(singles);
  Hazard hz;
  ASSERT_EQ(run({{0, "raise P1 H"}, {600, "tick"}}, hz, singles, &e), V{"600:level:yellow:3:P1"});
  e.event_level(hz.company, hz.hazard, WarningLevel::orange);  // a missed deadline
  // HH on rank 2 is worth orange: the event has that already.
  EXPECT_EQ(run({{700, "raise P2 HH"}}, hz, singles, &e), V{"700:attach:P2"});
  EXPECT_EQ(run({{800, "close"}, {900, "raise P3 HH"}}, hz, singles, &e),
            V{"900:level:orange:1:P3"});
}

TEST(WarningRules, DefaultsAreConsistent) {
  auto d = default_warning_rules();
  ASSERT_EQ(d.size(), 9u);
  for (std::size_t i = 0; i < d.size(); ++i) {
    EXPECT_EQ(d[i].id, static_cast<std::int64_t>(i + 1));
    EXPECT_TRUE(check_rule(d[i]).empty()) << d[i].name;
  }
  EXPECT_EQ(d[4].category, WarningCategory::combination);
  EXPECT_EQ(d[4].min_points, 2);
  EXPECT_EQ(d[4].window, minutes(10));
  EXPECT_EQ(d[2].min_duration, minutes(10));
  // 6–9: the rules for unranked units, at the levels of rank 4 (migration 0020, ADR 0019).
  for (std::size_t i = 5; i < 9; ++i) {
    EXPECT_EQ(d[i].hazard_ranks, std::vector<int>{kUnranked}) << d[i].name;
    EXPECT_TRUE(d[i].unranked_level.has_value()) << d[i].name;
    for (const auto& l : d[i].level_by_rank) EXPECT_FALSE(l.has_value()) << d[i].name;
  }
  EXPECT_EQ(*d[5].unranked_level, WarningLevel::blue);
  EXPECT_EQ(*d[7].unranked_level, WarningLevel::yellow);
  EXPECT_EQ(d[8].min_points, 2);
  // The rank rules 1–5 say nothing for unranked units.
  for (std::size_t i = 0; i < 5; ++i) EXPECT_FALSE(d[i].level_for(kUnranked)) << d[i].name;
}

TEST(WarningRules, NonMajorUnitGoesByTheUnrankedRules) {
  Hazard unit;
  unit.hazard = "";
  unit.unit = "NH4NO3WH";
  unit.rank = 1;  // whatever the caller says: no hazard source is unranked
  EXPECT_EQ(run({{0, "raise P1 HH"}}, unit), V{"0:level:blue:6:P1"});
  EXPECT_EQ(run({{0, "raise P1 H start=-700"}}, unit), V{"0:level:blue:7:P1"});
  EXPECT_EQ(run({{0, "raise P1 H"}}, unit), V{});
  EXPECT_EQ(run({{0, "raise P1 LL"}, {1800, "tick"}}, unit),
            (V{"0:level:blue:6:P1", "1800:level:yellow:8:P1"}));
  EXPECT_EQ(run({{0, "raise P1 HH"}, {60, "raise P2 H"}}, unit),
            (V{"0:level:blue:6:P1", "60:level:yellow:9:P2"}));
  // The enterprise's own points (no unit either) likewise.
  Hazard own = unit;
  own.unit = "";
  EXPECT_EQ(run({{0, "raise P1 SWITCH"}}, own), V{"0:level:blue:6:P1"});
}

TEST(WarningRules, UnrankedIsNeverRankFour) {
  Hazard unit;
  unit.hazard = "";
  unit.unit = "U1";
  unit.rank = 4;
  // Only the rank rules: an unranked unit's alarms make nothing (rule 2 gives rank 4 blue).
  auto ranked = default_warning_rules();
  ranked.resize(5);
  EXPECT_EQ(run({{0, "raise P1 HH"}, {2000, "tick"}}, unit, ranked), V{});
  // An edited unranked level is used as it is.
  auto edited = default_warning_rules();
  edited[5].unranked_level = WarningLevel::orange;
  EXPECT_EQ(run({{0, "raise P1 HH"}}, unit, edited), V{"0:level:orange:6:P1"});
  // A rank rule may name "unranked" beside ranks, with its own level.
  auto both = ranked;
  both[1].hazard_ranks = {3, 4, kUnranked};
  both[1].unranked_level = WarningLevel::yellow;
  EXPECT_TRUE(check_rule(both[1]).empty());
  // "Every rank" (no hazard_ranks) is ranks 1–4: an unranked level there would never apply.
  auto every = both[1];
  every.hazard_ranks.clear();
  auto problems = check_rule(every);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "level_by_rank");
  EXPECT_EQ(run({{0, "raise P1 HH"}}, unit, both), V{"0:level:yellow:2:P1"});
}

TEST(WarningRules, UnitsAndTheEnterpriseHaveAnEventEach) {
  WarningEngine e;
  auto alarm = [](int point, const std::string& hazard, const std::string& unit, int t) {
    AlarmInput a;
    a.point_id = point;
    a.quota_code = "P" + std::to_string(point);
    a.company_code = "14010000001";
    a.hazard_code = hazard;
    a.prodcell_id = unit;
    a.region_code = "140105";
    a.hazard_rank = 3;
    a.type = "HH";
    a.start = a.at = at(t);
    return a;
  };
  auto d1 = e.on_alarm(alarm(1, "", "U1", 0));
  auto d2 = e.on_alarm(alarm(2, "", "U2", 1));
  auto d3 = e.on_alarm(alarm(3, "", "", 2));
  auto d4 = e.on_alarm(alarm(4, "14010000001001", "U1", 3));  // a major source: by hazard code
  ASSERT_EQ(d1.size(), 1u);
  ASSERT_EQ(d2.size(), 1u);
  ASSERT_EQ(d3.size(), 1u);
  ASSERT_EQ(d4.size(), 1u);
  EXPECT_EQ(d1[0].prodcell_id, "U1");
  EXPECT_EQ(d2[0].prodcell_id, "U2");
  EXPECT_EQ(d3[0].prodcell_id, "");
  EXPECT_EQ(d3[0].hazard_code, "");
  EXPECT_EQ(d4[0].hazard_code, "14010000001001");
  EXPECT_EQ(d4[0].prodcell_id, "");
  EXPECT_EQ(d4[0].level, WarningLevel::yellow);  // rank 3, rule 2
  for (const auto* d : {&d1[0], &d2[0], &d3[0]}) {
    EXPECT_EQ(d->kind, WarningDecision::Kind::open_or_raise);
    EXPECT_EQ(d->rule_id, 6);
  }
  EXPECT_EQ(e.tracked_hazards(), 4u);
  // A second alarm on U1 joins U1's open event only.
  auto d5 = e.on_alarm(alarm(5, "", "U1", 4));
  ASSERT_EQ(d5.size(), 1u);
  EXPECT_EQ(d5[0].prodcell_id, "U1");
  // Closing U1's event leaves U2's open: a second point on U2 raises U2's event by the
  // unranked combination rule; one on U1 opens U1's again.
  e.event_closed("14010000001", "", "U1");
  auto d6 = e.on_alarm(alarm(6, "", "U2", 5));
  ASSERT_EQ(d6.size(), 1u);
  EXPECT_EQ(d6[0].prodcell_id, "U2");
  EXPECT_EQ(d6[0].rule_id, 9);
  EXPECT_EQ(d6[0].level, WarningLevel::yellow);
  auto d7 = e.on_alarm(alarm(7, "", "U1", 6));
  ASSERT_EQ(d7.size(), 1u);
  EXPECT_EQ(d7[0].kind, WarningDecision::Kind::open_or_raise);
  EXPECT_EQ(d7[0].prodcell_id, "U1");
}

TEST(WarningRules, CheckRuleNamesTheBadField) {
  struct Case {
    const char* name;
    void (*edit)(WarningRule&);
    const char* field;
  };
  const Case cases[] = {
      {"empty name", [](WarningRule& r) { r.name.clear(); }, "name"},
      {"no types", [](WarningRule& r) { r.alarm_types.clear(); }, "alarm_types"},
      {"data fault type", [](WarningRule& r) { r.alarm_types = {"OFFLINE"}; }, "alarm_types"},
      {"duplicate type",
       [](WarningRule& r) {
         r.alarm_types = {"HH", "HH"};
       },
       "alarm_types"},
      {"rank 5", [](WarningRule& r) { r.hazard_ranks = {5}; }, "hazard_ranks"},
      {"negative duration", [](WarningRule& r) { r.min_duration = seconds(-1); }, "min_duration_s"},
      {"no level", [](WarningRule& r) { r.level_by_rank = {}; }, "level_by_rank"},
      {"step on a single rule", [](WarningRule& r) { r.level_step = 1; }, "level_step"},
      {"several points but threshold", [](WarningRule& r) { r.min_points = 2; }, "category"},
      {"combination of one point",
       [](WarningRule& r) { r.category = WarningCategory::combination; }, "min_points"},
      {"video category", [](WarningRule& r) { r.category = WarningCategory::video_ai; },
       "category"},
      {"zero window", [](WarningRule& r) { r.window = seconds(0); }, "window_s"},
  };
  for (const auto& c : cases) {
    auto r = default_warning_rules()[0];
    c.edit(r);
    auto problems = check_rule(r);
    ASSERT_FALSE(problems.empty()) << c.name;
    EXPECT_EQ(problems[0].field, c.field) << c.name;
  }
}

TEST(WarningRules, NamesRoundTrip) {
  for (auto l : {WarningLevel::blue, WarningLevel::yellow, WarningLevel::orange, WarningLevel::red})
    EXPECT_EQ(warning_level_from_string(to_string(l)), l);
  EXPECT_EQ(warning_level_from_string("purple"), std::nullopt);
  EXPECT_EQ(raise_level(WarningLevel::orange, 1), WarningLevel::red);
  EXPECT_EQ(raise_level(WarningLevel::red, 2), WarningLevel::red);
  EXPECT_EQ(raise_level(WarningLevel::blue, 2), WarningLevel::orange);
  EXPECT_STREQ(chinese_name(WarningLevel::red), "红色");
  EXPECT_EQ(warning_category_from_string("combination"), WarningCategory::combination);
  EXPECT_EQ(warning_category_from_string("other"), std::nullopt);
}
