// Leave-post: the AbsenceTracker state machine by tables, then the analyser end to end with the
// real person model on still images (astronaut = someone on post, coffee = nobody).
#include <gtest/gtest.h>

#include "leave_post.hpp"
#include "video_test_util.hpp"

using namespace hazmon::video;
using namespace hazmon::video::detail;
using namespace std::chrono;
using Change = AbsenceTracker::Change;

namespace {

// One sample per second; 'P' someone there, '.' nobody, 'o' off duty (nobody).
std::string run(const std::string& samples, seconds absent_for, int m = 2, int n = 3) {
  AbsenceTracker t(absent_for, m, n);
  std::string out;
  hazmon::core::SysTime t0{seconds(1'796'004'000)};
  for (size_t i = 0; i < samples.size(); ++i) {
    char c = samples[i];
    auto ch = t.step(t0 + seconds(i), c != 'o', c != 'P');
    out += ch == Change::started          ? 'S'
           : ch == Change::ended          ? 'E'
           : ch == Change::ended_off_duty ? 'X'
                                          : '-';
  }
  return out;
}

}  // namespace

TEST(AbsenceTracker, Table) {
  struct Case {
    const char* samples;
    int absent_s;
    const char* expect;
    const char* why;
  };
  const Case cases[] = {
      {"PPP......", 5, "--------S", "empty from sample 3, 5 s later (sample 8) the episode starts"},
      {"PPP.....", 5, "--------", "4 s empty is not enough"},
      {"PP.P.P.P.P.P", 3, "------------",
       "a person missed every other sample: presence stays confirmed"},
      {"PPP....P....", 5, "--------S---", "one stray detection does not reset the timer"},
      {"PPP...PP....", 5, "------------", "a confirmed return (2 of 3) resets the timer"},
      {"......PPP", 3, "---S---E-", "ends when someone is back (2 of the last 3 samples)"},
      {"......P..P", 3, "---S------", "isolated detections do not end it (1 of 3)"},
      {"......ooo..", 3, "---S--X----", "duty over: the episode closes, no new one off duty"},
      {"ooooo....", 3, "--------S",
       "off-duty emptiness does not count: the timer starts at duty start"},
      {"P..", 0, "-S-", "zero absence time: the first empty sample starts it"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(run(c.samples, seconds(c.absent_s)), c.expect) << c.samples << ": " << c.why;
}

TEST(AbsenceTracker, RemembersWhenTheRoiBecameEmptyAndHowSureItIs) {
  AbsenceTracker t(seconds(4), 2, 3);
  hazmon::core::SysTime t0{seconds(1'796'004'000)};
  const char* s = "PP..P..";
  for (int i = 0; s[i]; ++i) t.step(t0 + seconds(i), true, s[i] != 'P');
  ASSERT_TRUE(t.active());
  EXPECT_EQ(*t.empty_since(), t0 + seconds(2));
  EXPECT_NEAR(t.confidence(), 4.0 / 5.0, 1e-9);  // 5 samples since empty, 1 with a stray detection
}

TEST(LeavePostAnalyser, RealDetectorOnStills) {
  InferenceContext ctx(vt::repo_models());
  cv::Mat person = vt::eval_image("astronaut.png"), empty = vt::eval_image("coffee.png");
  ASSERT_FALSE(person.empty());
  ASSERT_FALSE(empty.empty());
  auto a = make_analyser(nlohmann::json{{"type", "leave_post"}, {"absent_s", 5}},
                         nlohmann::json::array(), nlohmann::json::array());
  // 3 s on post, 8 s away (one of them a stray astronaut frame), 3 s back.
  std::vector<cv::Mat> frames = {person, person, person, empty, empty,  person, empty,
                                 empty,  empty,  empty,  empty, person, person, person};
  auto fed = vt::feed(*a, ctx, frames, vt::monday_10am());
  ASSERT_EQ(fed.findings.size(), 2u);
  const auto& start = fed.findings[0];
  EXPECT_EQ(start.analyser, "leave_post");
  EXPECT_EQ(start.kind, "absent");
  EXPECT_EQ(start.phase, EventPhase::start);
  EXPECT_EQ(fed.at[0], 8);  // empty since sample 3, + 5 s
  EXPECT_EQ(start.started_at, vt::monday_10am() + seconds(3));
  EXPECT_EQ(start.roi_name, "全画面");
  EXPECT_EQ(start.roi.size(), 4u);
  EXPECT_NE(start.detail.find("5 秒"), std::string::npos) << start.detail;
  EXPECT_GT(start.confidence, 0.5);
  EXPECT_EQ(fed.findings[1].phase, EventPhase::end);
  EXPECT_EQ(fed.at[1], 12);  // 2 of the last 3 samples have the person again
  ASSERT_EQ(fed.findings[1].boxes.size(), 1u);
  EXPECT_EQ(fed.findings[1].boxes[0].label, "person");
  EXPECT_EQ(ctx.costs().person_runs, frames.size());
}

TEST(LeavePostAnalyser, OutsideTheRoiOrOffDutyIsNotOnPost) {
  InferenceContext ctx(vt::repo_models());
  cv::Mat person = vt::eval_image("astronaut.png");
  // The astronaut's feet are at the bottom of the picture; a desk ROI in the top half excludes
  // them by the foot point but includes them by the centre.
  auto rois = nlohmann::json::parse(R"([{"name":"desk","polygon":[[0,0],[1,0],[1,0.6],[0,0.6]]}])");
  std::vector<cv::Mat> frames(7, person);
  auto foot =
      make_analyser(nlohmann::json{{"type", "leave_post"}, {"roi", "desk"}, {"absent_s", 3}}, rois,
                    nlohmann::json::array());
  auto fed = vt::feed(*foot, ctx, frames, vt::monday_10am());
  ASSERT_EQ(fed.findings.size(), 1u);
  EXPECT_EQ(fed.findings[0].kind, "absent");
  EXPECT_EQ(fed.findings[0].roi_name, "desk");
  auto centre = make_analyser(
      nlohmann::json{{"type", "leave_post"}, {"roi", "desk"}, {"absent_s", 3}, {"point", "center"}},
      rois, nlohmann::json::array());
  EXPECT_TRUE(vt::feed(*centre, ctx, frames, vt::monday_10am()).findings.empty());

  // Nobody there, but it is Monday 10:00 and the duty is at night: no episode, no inference.
  auto night = make_analyser(
      nlohmann::json{{"type", "leave_post"}, {"absent_s", 1}}, nlohmann::json::array(),
      nlohmann::json::parse(R"([{"days":[1,2,3,4,5,6,7],"from":"20:00","to":"08:00"}])"));
  auto runs = ctx.costs().person_runs;
  std::vector<cv::Mat> empty(5, vt::eval_image("coffee.png"));
  EXPECT_TRUE(vt::feed(*night, ctx, empty, vt::monday_10am()).findings.empty());
  EXPECT_EQ(ctx.costs().person_runs, runs);
}

TEST(LeavePostAnalyser, UnderstaffedWhenFewerThanMinPersons) {
  InferenceContext ctx(vt::repo_models());
  cv::Mat one = vt::eval_image("astronaut.png");
  auto a =
      make_analyser(nlohmann::json{{"type", "leave_post"}, {"absent_s", 3}, {"min_persons", 2}},
                    nlohmann::json::array(), nlohmann::json::array());
  std::vector<cv::Mat> frames(5, one);
  auto fed = vt::feed(*a, ctx, frames, vt::monday_10am());
  ASSERT_EQ(fed.findings.size(), 1u);
  EXPECT_EQ(fed.findings[0].kind, "understaffed");
  EXPECT_EQ(fed.at[0], 3);
  EXPECT_NE(fed.findings[0].detail.find("少于规定的 2 人"), std::string::npos)
      << fed.findings[0].detail;
}
