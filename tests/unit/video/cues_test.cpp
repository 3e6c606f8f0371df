// Smoke, vapour and liquid cues on synthetic sequences: a translucent grey plume that grows and
// rises over a textured background is smoke; opaque people-sized figures walking are not; a
// dark puddle that appears and stays on the floor is liquid, a passing figure is not.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "video_test_util.hpp"

using namespace hazmon::video;
using nlohmann::json;

namespace {

cv::Mat background() {
  cv::Mat m(240, 320, CV_8UC3);
  cv::RNG rng(11);
  for (int y = 0; y < m.rows; y += 8)
    for (int x = 0; x < m.cols; x += 8)
      cv::rectangle(m, {x, y, 8, 8},
                    cv::Scalar(rng.uniform(40, 200), rng.uniform(40, 200), rng.uniform(40, 200)),
                    -1);
  return m;
}

cv::Mat with_noise(cv::Mat m, int seed) {
  cv::Mat n(m.size(), CV_16SC3), out;
  cv::RNG(seed).fill(n, cv::RNG::NORMAL, 0, 2);
  m.convertTo(out, CV_16SC3);
  out += n;
  out.convertTo(out, CV_8UC3);
  return out;
}

// A plume rising from the bottom middle: alpha-blended light grey, churning (random blobs).
cv::Mat plume(const cv::Mat& bg, int i) {
  cv::Mat overlay = bg.clone(), mask(bg.size(), CV_8U, cv::Scalar(0));
  cv::RNG rng(100 + i);
  const int height = 40 + 12 * i;
  for (int k = 0; k < 25; ++k) {
    cv::Point c(160 + rng.uniform(-30 - i * 3, 30 + i * 3), 230 - rng.uniform(0, height));
    cv::circle(mask, c, rng.uniform(12, 22), cv::Scalar(255), -1);
  }
  cv::GaussianBlur(mask, mask, {0, 0}, 3);
  cv::Mat grey(bg.size(), CV_8UC3, cv::Scalar(185, 185, 185));
  for (int y = 0; y < bg.rows; ++y)
    for (int x = 0; x < bg.cols; ++x) {
      double a = 0.6 * mask.at<uchar>(y, x) / 255.0;
      for (int ch = 0; ch < 3; ++ch)
        overlay.at<cv::Vec3b>(y, x)[ch] = cv::saturate_cast<uchar>(
            (1 - a) * bg.at<cv::Vec3b>(y, x)[ch] + a * grey.at<cv::Vec3b>(y, x)[ch]);
    }
  return overlay;
}

// Two opaque grey figures (30x70 px at 320x240: people close to the camera) walking across.
cv::Mat walkers(const cv::Mat& bg, int i) {
  cv::Mat m = bg.clone();
  cv::rectangle(m, {10 + 12 * i, 120, 16, 40}, cv::Scalar(128, 128, 128), -1);
  cv::rectangle(m, {290 - 10 * i, 100, 16, 40}, cv::Scalar(150, 150, 150), -1);
  return m;
}

std::vector<Finding> run(const json& entry, const json& rois,
                         const std::function<cv::Mat(int)>& frame, int n) {
  InferenceContext ctx(vt::repo_models());
  auto a = make_analyser(entry, rois, json::array());
  std::vector<cv::Mat> frames;
  for (int i = 0; i < n; ++i) frames.push_back(frame(i));
  return vt::feed(*a, ctx, frames, vt::monday_10am()).findings;
}

}  // namespace

TEST(SmokeCues, TranslucentRisingPlumeIsSmoke) {
  const cv::Mat bg = background();
  auto f = run(
      {{"type", "smoke"}}, json::array(),
      [&](int i) { return with_noise(i < 8 ? bg : plume(bg, i - 8), i); }, 18);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].kind, "smoke");
  EXPECT_EQ(f[0].phase, EventPhase::start);
  EXPECT_GE(f[0].started_at, vt::monday_10am() + std::chrono::seconds(8));
  ASSERT_EQ(f[0].boxes.size(), 1u);
  EXPECT_GT(f[0].boxes[0].y + f[0].boxes[0].h, 0.8);  // the plume rises from the bottom
  EXPECT_NE(f[0].detail.find("烟雾"), std::string::npos);
}

TEST(SmokeCues, OpaqueWalkersAreNotSmoke) {
  const cv::Mat bg = background();
  auto f = run(
      {{"type", "smoke"}}, json::array(),
      [&](int i) { return with_noise(i < 8 ? bg : walkers(bg, i - 8), i); }, 30);
  EXPECT_TRUE(f.empty()) << f.front().detail;
}

TEST(LeakCues, VapourAndLiquid) {
  const cv::Mat bg = background();
  const json rois = json::parse(R"([{"name":"floor","polygon":[[0,0.5],[1,0.5],[1,1],[0,1]]}])");
  // A dark puddle appears at sample 8 and stays; it does not move.
  auto puddle = [&](int i) {
    cv::Mat m = bg.clone();
    if (i >= 8) cv::ellipse(m, {160, 200}, {60, 20}, 0, 0, 360, cv::Scalar(30, 30, 35), -1);
    return with_noise(m, i);
  };
  auto f = run({{"type", "leak"}, {"vapour", false}, {"ground_roi", "floor"}}, rois, puddle, 20);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].analyser, "leak");
  EXPECT_EQ(f[0].kind, "liquid");
  EXPECT_EQ(f[0].roi_name, "floor");
  // It appears at sample 8 and is "still" from sample 9 (unchanged since the previous sample).
  EXPECT_EQ(f[0].started_at, vt::monday_10am() + std::chrono::seconds(9));
  EXPECT_NE(f[0].detail.find("颜色变深"), std::string::npos) << f[0].detail;

  // Figures walking over the floor are not a puddle.
  auto w = run(
      {{"type", "leak"}, {"vapour", false}, {"ground_roi", "floor"}}, rois,
      [&](int i) { return with_noise(i < 8 ? bg : walkers(bg, i - 8), i); }, 25);
  EXPECT_TRUE(w.empty());

  // A white mist in the leak ROI is reported as vapour.
  auto v = run(
      {{"type", "leak"}}, rois, [&](int i) { return with_noise(i < 8 ? bg : plume(bg, i - 8), i); },
      18);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].kind, "vapour");
}
