// The two models through InferenceContext on the eval stills and a frame of the FURG fire clip,
// with the preprocessing of their READMEs (figures there: astronaut 1 body; coffee and cat 0;
// P(fire) <= 0.001 on the stills, 0.99-1.00 on house6).
#include <gtest/gtest.h>

#include <opencv2/videoio.hpp>

#include <hazmon/core/error.hpp>

#include "video_test_util.hpp"

using namespace hazmon::video;

namespace {
cv::Mat house6_frame(double at_s) {
  cv::VideoCapture cap(std::string(HAZMON_SOURCE_DIR) + "/tests/data/video-eval/furg_house6.mp4",
                       cv::CAP_FFMPEG);
  cv::Mat f;
  if (!cap.isOpened()) return f;
  cap.set(cv::CAP_PROP_POS_MSEC, at_s * 1000);
  cap.read(f);
  return f;
}
}  // namespace

TEST(Models, PersonsOnTheStills) {
  InferenceContext ctx(vt::repo_models());
  auto astronaut = ctx.detect_persons(vt::eval_image("astronaut.png"), 0.4);
  ASSERT_EQ(astronaut.size(), 1u);
  const auto& b = astronaut[0];
  EXPECT_GT(b.score, 0.9);
  EXPECT_EQ(b.label, "person");
  // Normalised and inside the frame, and a sizeable part of the close-up.
  EXPECT_GE(b.x, 0);
  EXPECT_GE(b.y, 0);
  EXPECT_LE(b.x + b.w, 1.0 + 1e-9);
  EXPECT_LE(b.y + b.h, 1.0 + 1e-9);
  EXPECT_GT(b.w * b.h, 0.2);
  EXPECT_TRUE(ctx.detect_persons(vt::eval_image("coffee.png"), 0.4).empty());
  EXPECT_TRUE(ctx.detect_persons(vt::eval_image("chelsea.png"), 0.4).empty());
  auto c = ctx.costs();
  EXPECT_EQ(c.person_runs, 3u);
  EXPECT_GT(c.person_ms, 0);
  EXPECT_EQ(c.fire_runs, 0u);
}

TEST(Models, FireProbability) {
  InferenceContext ctx(vt::repo_models());
  for (const char* still : {"astronaut.png", "coffee.png", "chelsea.png"}) {
    double p = ctx.fire_probability(vt::eval_image(still));
    EXPECT_LT(p, 0.5) << still;
    EXPECT_GE(p, 0.0) << still;
  }
  cv::Mat fire = house6_frame(10);
  ASSERT_FALSE(fire.empty());
  EXPECT_GT(ctx.fire_probability(fire), 0.9);
  EXPECT_EQ(ctx.costs().fire_runs, 4u);
}

TEST(Models, MissingModelFilesAreReportedNotCrashed) {
  ModelPaths p = vt::repo_models();
  p.person_weights = "/nonexistent/yolo.weights";
  InferenceContext ctx(p);
  try {
    ctx.detect_persons(vt::eval_image("coffee.png"), 0.4);
    FAIL() << "expected an error";
  } catch (const hazmon::core::Error& e) {
    EXPECT_EQ(e.code(), hazmon::core::Errc::unavailable);
  }
  // The other model still works from the same context.
  EXPECT_LT(ctx.fire_probability(vt::eval_image("coffee.png")), 0.5);
}
