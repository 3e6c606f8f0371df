// The disposal state machine as tables: (state, level, action, actor) → outcome, deadlines per
// level, overdue marking and escalation, recipients, and which principals take part at all.
#include <gtest/gtest.h>

#include <hazmon/rules/disposal.hpp>

using namespace hazmon;
using namespace hazmon::rules;
using namespace std::chrono;

namespace {
SysTime at(int s) { return SysTime{} + hours(24 * 365 * 50) + seconds(s); }

using S = DisposalState;
using A = DisposalAction;
using K = ActorKind;
using L = WarningLevel;

// "ok:<state>", "forbidden", "wrong_state" or "invalid:<field>".
std::string outcome(S s, L level, A action, K who, TransitionRequest req = {}) {
  EventState e;
  e.state = s;
  e.level = level;
  req.action = action;
  auto o = apply_transition(e, req, who, at(0), DisposalSettings{});
  if (!o.refused) return std::string("ok:") + to_string(o.next.state);
  switch (*o.refused) {
    case Refusal::forbidden:
      return "forbidden";
    case Refusal::wrong_state:
      return "wrong_state";
    case Refusal::invalid:
      return "invalid:" + o.field;
  }
  return "?";
}

TransitionRequest full() {
  return {A::supervise, FeedbackCause::process_fluctuation, "降低进料量", "已处理"};
}
}  // namespace

TEST(Disposal, TransitionsByStateAndActor) {
  struct Case {
    S state;
    L level;
    A action;
    K who;
    std::string expected;
  };
  const Case cases[] = {
      // The happy path of a sensor event.
      {S::pending, L::yellow, A::push, K::system, "ok:pushed"},
      {S::pushed, L::yellow, A::feedback, K::enterprise, "ok:fed_back"},
      {S::fed_back, L::yellow, A::check, K::county, "ok:checked"},
      {S::fed_back, L::yellow, A::check, K::city, "ok:checked"},
      {S::checked, L::yellow, A::close, K::city, "ok:closed"},
      {S::checked, L::red, A::close, K::province, "ok:closed"},
      // Review of video AI events.
      {S::pending_review, L::blue, A::confirm, K::county, "ok:pending"},
      {S::pending_review, L::blue, A::dismiss, K::province, "ok:closed"},
      {S::pending_review, L::blue, A::feedback, K::enterprise, "wrong_state"},
      // Feedback sent back.
      {S::fed_back, L::orange, A::reject, K::county, "ok:pushed"},
      {S::pushed, L::orange, A::reject, K::county, "wrong_state"},
      // Wrong actor: forbidden whatever the state.
      {S::pushed, L::yellow, A::feedback, K::county, "forbidden"},
      {S::pushed, L::yellow, A::feedback, K::province, "forbidden"},
      {S::fed_back, L::yellow, A::check, K::enterprise, "forbidden"},
      {S::fed_back, L::yellow, A::check, K::province, "forbidden"},
      {S::checked, L::yellow, A::close, K::county, "forbidden"},
      {S::checked, L::yellow, A::close, K::enterprise, "forbidden"},
      {S::pending, L::yellow, A::push, K::province, "forbidden"},
      {S::pushed, L::yellow, A::escalate, K::province, "forbidden"},
      {S::pushed, L::yellow, A::raise_level, K::city, "forbidden"},
      {S::pushed, L::yellow, A::supervise, K::enterprise, "forbidden"},
      {S::pushed, L::yellow, A::create, K::system, "invalid:action"},
      // The city supervises red and orange: the province closes them.
      {S::checked, L::orange, A::close, K::city, "forbidden"},
      {S::checked, L::red, A::close, K::city, "forbidden"},
      // Wrong state.
      {S::pushed, L::yellow, A::check, K::county, "wrong_state"},
      {S::fed_back, L::yellow, A::feedback, K::enterprise, "wrong_state"},
      {S::closed, L::yellow, A::close, K::province, "wrong_state"},
      {S::closed, L::yellow, A::supervise, K::city, "wrong_state"},
      {S::closed, L::yellow, A::escalate, K::system, "wrong_state"},
      {S::pushed, L::yellow, A::close, K::province, "wrong_state"},
      // Supervision keeps the state.
      {S::fed_back, L::red, A::supervise, K::city, "ok:fed_back"},
      {S::pushed, L::red, A::escalate, K::system, "ok:pushed"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(outcome(c.state, c.level, c.action, c.who, full()), c.expected)
        << to_string(c.action) << " by " << to_string(c.who) << " in " << to_string(c.state)
        << " at " << to_string(c.level);
  }
}

TEST(Disposal, RequestsMustBeComplete) {
  struct Case {
    S state;
    A action;
    K who;
    TransitionRequest req;
    std::string expected;
  };
  const Case cases[] = {
      {S::pushed,
       A::feedback,
       K::enterprise,
       {A::feedback, std::nullopt, "关阀", ""},
       "invalid:cause"},
      {S::pushed,
       A::feedback,
       K::enterprise,
       {A::feedback, FeedbackCause::instrument_fault, "  ", ""},
       "invalid:measures"},
      {S::pushed,
       A::feedback,
       K::enterprise,
       {A::feedback, FeedbackCause::instrument_fault, "更换变送器", ""},
       "ok:fed_back"},
      {S::fed_back, A::reject, K::city, {A::reject, std::nullopt, "", ""}, "invalid:text"},
      {S::fed_back, A::check, K::county, {A::check, std::nullopt, "", ""}, "ok:checked"},
      {S::pending_review,
       A::dismiss,
       K::county,
       {A::dismiss, std::nullopt, "", "\n"},
       "invalid:text"},
      {S::pushed, A::supervise, K::province, {A::supervise, std::nullopt, "", ""}, "invalid:text"},
      // Role before completeness: a county officer's empty feedback is forbidden, not invalid.
      {S::pushed, A::feedback, K::county, {A::feedback, std::nullopt, "", ""}, "forbidden"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(outcome(c.state, L::yellow, c.action, c.who, c.req), c.expected)
        << to_string(c.action);
}

TEST(Disposal, EachStageGetsTheDeadlineOfItsLevel) {
  DisposalSettings st;
  struct Case {
    S state;
    L level;
    std::optional<minutes> after;
  };
  const Case cases[] = {
      {S::pushed, L::red, minutes(30)},          {S::pushed, L::orange, minutes(60)},
      {S::pushed, L::yellow, minutes(120)},      {S::pushed, L::blue, minutes(240)},
      {S::fed_back, L::red, hours(12)},          {S::fed_back, L::blue, hours(48)},
      {S::checked, L::orange, hours(72)},        {S::checked, L::yellow, hours(7 * 24)},
      {S::pending, L::red, std::nullopt},        {S::closed, L::red, std::nullopt},
      {S::pending_review, L::red, std::nullopt},
  };
  for (const auto& c : cases) {
    auto d = stage_deadline(c.state, c.level, at(0), st);
    if (c.after)
      EXPECT_EQ(d, at(0) + *c.after) << to_string(c.state) << " " << to_string(c.level);
    else
      EXPECT_EQ(d, std::nullopt) << to_string(c.state);
  }
  // Settings change them.
  st.deadlines[3].feedback = minutes(15);
  EXPECT_EQ(stage_deadline(S::pushed, L::red, at(0), st), at(0) + minutes(15));
  // A transition sets the next stage's deadline from its time.
  EventState e{S::pushed, L::red, at(0) + minutes(30), false, 0};
  auto o = apply_transition(e, {A::feedback, FeedbackCause::real_hazard, "紧急停车", ""},
                            K::enterprise, at(600), st);
  ASSERT_FALSE(o.refused);
  EXPECT_EQ(o.next.deadline, at(600) + hours(12));
  o = apply_transition(o.next, {A::check, std::nullopt, "", "现场核查属实"}, K::county, at(1200),
                       st);
  EXPECT_EQ(o.next.deadline, at(1200) + hours(72));
  o = apply_transition(o.next, {A::close, std::nullopt, "", ""}, K::province, at(1800), st);
  EXPECT_EQ(o.next.state, S::closed);
  EXPECT_EQ(o.next.deadline, std::nullopt);
}

TEST(Disposal, MissedDeadlineMarksOverdueAndEscalates) {
  DisposalSettings st;
  EventState e{S::pushed, L::yellow, at(0) + minutes(120), false, 0};
  EXPECT_EQ(on_deadline(e, at(0) + minutes(119), st), std::nullopt);
  auto n = on_deadline(e, at(0) + minutes(121), st);
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->overdue);
  EXPECT_EQ(n->level, L::orange);
  EXPECT_EQ(n->escalations, 1);
  EXPECT_EQ(n->state, S::pushed);
  EXPECT_EQ(n->deadline, at(0) + minutes(121) + minutes(60));  // a fresh orange feedback deadline
  // Not again before the new deadline.
  EXPECT_EQ(on_deadline(*n, at(0) + minutes(150), st), std::nullopt);
  // Again: red; again: red stays red but the escalation still counts (wider recipients).
  auto n2 = on_deadline(*n, at(0) + minutes(182), st);
  ASSERT_TRUE(n2);
  EXPECT_EQ(n2->level, L::red);
  auto n3 = on_deadline(*n2, *n2->deadline, st);
  ASSERT_TRUE(n3);
  EXPECT_EQ(n3->level, L::red);
  EXPECT_EQ(n3->escalations, 3);
  // max_escalations (3) used up: nothing more.
  EXPECT_EQ(on_deadline(*n3, *n3->deadline + hours(100), st), std::nullopt);

  // Level escalation off: only overdue and the count.
  st.escalate_level = false;
  auto m = on_deadline(e, at(0) + hours(3), st);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->level, L::yellow);
  EXPECT_EQ(m->escalations, 1);
  // No escalations allowed: marked once, then quiet.
  st.max_escalations = 0;
  auto q = on_deadline(e, at(0) + hours(3), st);
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->overdue);
  EXPECT_EQ(q->escalations, 0);
  EXPECT_EQ(on_deadline(*q, at(0) + hours(4), st), std::nullopt);
  // Closed and deadline-less events never escalate.
  EXPECT_EQ(
      on_deadline({S::closed, L::blue, at(0), false, 0}, at(0) + hours(9), DisposalSettings{}),
      std::nullopt);
  EXPECT_EQ(on_deadline({S::pending_review, L::blue, std::nullopt, false, 0}, at(0) + hours(9),
                        DisposalSettings{}),
            std::nullopt);
}

TEST(Disposal, RaisedLevelShortensTheDeadline) {
  DisposalSettings st;
  EventState e{S::pushed, L::yellow, at(0) + minutes(120), false, 0};
  auto n = on_level_raised(e, L::red, at(600), st);
  EXPECT_EQ(n.level, L::red);
  EXPECT_EQ(n.deadline, at(600) + minutes(30));
  // Never later than it was.
  auto late = on_level_raised(e, L::orange, at(0) + minutes(100), st);
  EXPECT_EQ(late.deadline, at(0) + minutes(120));
  // Not lowered.
  EXPECT_EQ(on_level_raised(e, L::blue, at(600), st).level, L::yellow);
}

TEST(Disposal, RecipientsWidenWithLevelAndEscalation) {
  auto names = [](std::vector<ActorKind> v) {
    std::string s;
    for (auto k : v) s += std::string(s.empty() ? "" : ",") + to_string(k);
    return s;
  };
  EXPECT_EQ(names(recipients(L::blue, 0)), "enterprise,county");
  EXPECT_EQ(names(recipients(L::yellow, 0)), "enterprise,county");
  EXPECT_EQ(names(recipients(L::orange, 0)), "enterprise,county,city");
  EXPECT_EQ(names(recipients(L::red, 0)), "enterprise,county,city,province");
  EXPECT_EQ(names(recipients(L::yellow, 1)), "enterprise,county,city");
  EXPECT_EQ(names(recipients(L::blue, 2)), "enterprise,county,city,province");
  EXPECT_EQ(names(recipients(L::red, 5)), "enterprise,county,city,province");
}

TEST(Disposal, ActorKindNeedsTheRightScope) {
  struct Case {
    model::Role role;
    model::Scope scope;
    std::optional<ActorKind> expected;
  };
  const Case cases[] = {
      {model::Role::province_admin, model::Scope::province(), K::province},
      {model::Role::province_officer, model::Scope::province(), K::province},
      {model::Role::city_officer, model::Scope::region("140100"), K::city},
      {model::Role::county_officer, model::Scope::region("140105"), K::county},
      {model::Role::enterprise_user, model::Scope::enterprise("14010500001"), K::enterprise},
      {model::Role::county_officer, model::Scope::region("140100"), std::nullopt},
      {model::Role::city_officer, model::Scope::province(), std::nullopt},
      {model::Role::enterprise_user, model::Scope::region("140100"), std::nullopt},
      {model::Role::operator_, model::Scope::province(), std::nullopt},
      {model::Role::gateway, model::Scope::enterprise("14010500001"), std::nullopt},
  };
  for (const auto& c : cases) {
    model::Principal p;
    p.role = c.role;
    p.scope = c.scope;
    EXPECT_EQ(actor_kind_of(p), c.expected) << model::to_string(c.role);
  }
}

TEST(Disposal, AllowedActionsForTheDashboard) {
  auto names = [](std::vector<DisposalAction> v) {
    std::string s;
    for (auto a : v) s += std::string(s.empty() ? "" : ",") + to_string(a);
    return s;
  };
  EXPECT_EQ(names(allowed_actions({S::pushed, L::yellow, std::nullopt, false, 0}, K::enterprise)),
            "feedback");
  EXPECT_EQ(names(allowed_actions({S::fed_back, L::yellow, std::nullopt, false, 0}, K::county)),
            "reject,check");
  EXPECT_EQ(names(allowed_actions({S::checked, L::red, std::nullopt, false, 0}, K::city)),
            "supervise");
  EXPECT_EQ(names(allowed_actions({S::checked, L::red, std::nullopt, false, 0}, K::province)),
            "close,supervise");
  EXPECT_EQ(names(allowed_actions({S::closed, L::red, std::nullopt, false, 0}, K::province)), "");
}

TEST(Disposal, NamesRoundTrip) {
  for (auto s : {S::pending_review, S::pending, S::pushed, S::fed_back, S::checked, S::closed})
    EXPECT_EQ(disposal_state_from_string(to_string(s)), s);
  for (auto a : {A::create, A::confirm, A::dismiss, A::push, A::feedback, A::reject, A::check,
                 A::close, A::supervise, A::raise_level, A::escalate})
    EXPECT_EQ(disposal_action_from_string(to_string(a)), a);
  for (auto c :
       {FeedbackCause::process_fluctuation, FeedbackCause::instrument_fault,
        FeedbackCause::false_alarm, FeedbackCause::maintenance, FeedbackCause::real_hazard})
    EXPECT_EQ(feedback_cause_from_string(to_string(c)), c);
  EXPECT_EQ(feedback_cause_from_string("weather"), std::nullopt);
  EXPECT_STREQ(chinese_name(FeedbackCause::instrument_fault), "仪表故障");
}
