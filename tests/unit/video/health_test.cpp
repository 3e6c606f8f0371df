// camera_health on synthetic pictures: a textured scene with sensor noise is healthy; black,
// covered, blurred, frozen and moved pictures are each reported after their persistence, and
// end when the picture recovers.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "video_test_util.hpp"

using namespace hazmon::video;
using nlohmann::json;

namespace {

// A "scene": rectangles and lines on a gradient, 320x240; another seed is another view.
cv::Mat scene(int seed = 7) {
  cv::Mat m(240, 320, CV_8UC3);
  for (int y = 0; y < m.rows; ++y) m.row(y).setTo(cv::Scalar(60 + y / 4, 90, 120));
  cv::RNG rng(seed);
  for (int i = 0; i < 40; ++i) {
    cv::Point a(rng.uniform(0, 320), rng.uniform(0, 240)),
        b(rng.uniform(0, 320), rng.uniform(0, 240));
    cv::Scalar c(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255));
    if (i % 2)
      cv::rectangle(m, a, b, c, 2);
    else
      cv::line(m, a, b, c, 2);
  }
  return m;
}

// Sensor noise so consecutive frames differ like a live camera's.
cv::Mat noisy(const cv::Mat& m, int seed) {
  cv::Mat n(m.size(), CV_16SC3), out;
  cv::RNG(seed).fill(n, cv::RNG::NORMAL, 0, 3);
  m.convertTo(out, CV_16SC3);
  out += n;
  out.convertTo(out, CV_8UC3);
  return out;
}

struct Episode {
  std::string kind;
  int start = -1, end = -1;
};

// Feeds `healthy` samples of the scene, then `bad` samples of `broken(i)`, then `healthy` again.
std::vector<Episode> run(const std::function<cv::Mat(int)>& broken, int healthy, int bad,
                         json entry = {{"type", "camera_health"}}) {
  InferenceContext ctx(vt::repo_models());
  auto a = make_analyser(entry, json::array(), json::array());
  std::vector<cv::Mat> frames;
  cv::Mat s = scene();
  for (int i = 0; i < healthy; ++i) frames.push_back(noisy(s, i));
  for (int i = 0; i < bad; ++i) frames.push_back(broken(i));
  for (int i = 0; i < healthy; ++i) frames.push_back(noisy(s, 1000 + i));
  auto fed = vt::feed(*a, ctx, frames, vt::monday_10am());
  std::vector<Episode> eps;
  for (size_t i = 0; i < fed.findings.size(); ++i) {
    const auto& f = fed.findings[i];
    EXPECT_EQ(f.analyser, "camera_health");
    if (f.phase == EventPhase::start) {
      eps.push_back({f.kind, fed.at[i], -1});
      EXPECT_FALSE(f.detail.empty());
    } else {
      for (auto& e : eps)
        if (e.kind == f.kind && e.end < 0) e.end = fed.at[i];
    }
  }
  EXPECT_EQ(ctx.costs().person_runs + ctx.costs().fire_runs, 0u);  // no model needed
  return eps;
}

std::string kinds(const std::vector<Episode>& eps) {
  std::string s;
  for (const auto& e : eps)
    s += e.kind + "[" + std::to_string(e.start) + "," + std::to_string(e.end) + "] ";
  return s;
}

}  // namespace

TEST(CameraHealth, HealthySceneIsSilent) {
  auto eps = run([](int i) { return noisy(scene(), 500 + i); }, 10, 20);
  EXPECT_TRUE(eps.empty()) << kinds(eps);
}

TEST(CameraHealth, Black) {
  auto eps = run(
      [](int i) { return noisy(cv::Mat(240, 320, CV_8UC3, cv::Scalar(3, 3, 3)), 200 + i); }, 8, 6);
  ASSERT_EQ(eps.size(), 1u) << kinds(eps);
  EXPECT_EQ(eps[0].kind, "black");
  EXPECT_EQ(eps[0].start, 8 + 2);  // 3 of 4
  EXPECT_GT(eps[0].end, 8 + 6);
}

TEST(CameraHealth, Covered) {
  auto eps = run(
      [](int i) { return noisy(cv::Mat(240, 320, CV_8UC3, cv::Scalar(120, 125, 130)), 300 + i); },
      8, 6);
  ASSERT_EQ(eps.size(), 1u) << kinds(eps);
  EXPECT_EQ(eps[0].kind, "covered");
  EXPECT_EQ(eps[0].start, 10);
  EXPECT_GT(eps[0].end, 14);
}

TEST(CameraHealth, Blur) {
  auto eps = run(
      [](int i) {
        cv::Mat b;
        cv::GaussianBlur(scene(), b, {0, 0}, 2.5);
        return noisy(b, 400 + i);
      },
      8, 6);
  ASSERT_GE(eps.size(), 1u) << kinds(eps);
  EXPECT_EQ(eps[0].kind, "blur") << kinds(eps);
  EXPECT_EQ(eps[0].start, 10);
  EXPECT_GT(eps[0].end, 14);
}

TEST(CameraHealth, Frozen) {
  const cv::Mat still = noisy(scene(), 42);
  auto eps =
      run([&](int) { return still; }, 8, 15, {{"type", "camera_health"}, {"frozen_samples", 5}});
  ASSERT_EQ(eps.size(), 1u) << kinds(eps);
  EXPECT_EQ(eps[0].kind, "frozen");
  // The first frozen frame differs from the last live one; 5 identical samples = 4 unchanged steps
  // after it.
  EXPECT_EQ(eps[0].start, 8 + 4);
  EXPECT_EQ(eps[0].end, 8 + 15);
}

TEST(CameraHealth, SceneChangeWhenTheCameraIsTurned) {
  // The camera turned: the same kind of picture, other content.
  const cv::Mat moved = scene(8);
  auto eps = run([&](int i) { return noisy(moved, 600 + i); }, 8, 6);
  ASSERT_EQ(eps.size(), 1u) << kinds(eps);
  EXPECT_EQ(eps[0].kind, "scene_change");
  EXPECT_EQ(eps[0].start, 10);
  EXPECT_GT(eps[0].end, 14);
}
