// Fire: K-of-N confirmation with the real classifier, fed house6 frames (fire) and the coffee
// still (no fire) in chosen orders.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "video_test_util.hpp"

using namespace hazmon::video;
using nlohmann::json;

namespace {

cv::Mat fire_frame() {
  static cv::Mat f = [] {
    cv::VideoCapture cap(std::string(HAZMON_SOURCE_DIR) + "/tests/data/video-eval/furg_house6.mp4",
                         cv::CAP_FFMPEG);
    cv::Mat m;
    cap.set(cv::CAP_PROP_POS_MSEC, 5000);
    cap.read(m);
    return m;
  }();
  return f;
}

cv::Mat calm_frame() {
  // Same size as the fire frame, so only the content differs.
  static cv::Mat f = [] {
    cv::Mat m;
    cv::resize(vt::eval_image("coffee.png"), m, fire_frame().size());
    return m;
  }();
  return f;
}

// 'F' fire frame, '.' calm frame; returns '-', 'S' (start) or 'E' (end) per sample.
std::string run(const json& entry, const std::string& samples, InferenceContext& ctx,
                std::vector<Finding>* all = nullptr) {
  auto a = make_analyser(entry, json::array(), json::array());
  std::vector<cv::Mat> frames;
  for (char c : samples) frames.push_back(c == 'F' ? fire_frame() : calm_frame());
  auto fed = vt::feed(*a, ctx, frames, vt::monday_10am());
  std::string out(samples.size(), '-');
  for (size_t i = 0; i < fed.findings.size(); ++i)
    out[fed.at[i]] = fed.findings[i].phase == EventPhase::start ? 'S' : 'E';
  if (all) *all = fed.findings;
  return out;
}

}  // namespace

TEST(FireAnalyser, KOfNTable) {
  ASSERT_FALSE(fire_frame().empty());
  InferenceContext ctx(vt::repo_models());
  struct Case {
    json entry;
    const char* samples;
    const char* expect;
    const char* why;
  };
  const Case cases[] = {
      {{{"type", "fire"}}, "FF...FF...", "----------", "never 3 of the last 5"},
      {{{"type", "fire"}}, "F.F.F", "----S", "3 of 5, not consecutive"},
      {{{"type", "fire"}}, "FFF.....", "--S----E", "ends after 5 calm samples in a row"},
      {{{"type", "fire"}, {"k", 1}, {"n", 2}}, "F..", "S-E", "k=1, n=2"},
      {{{"type", "fire"}}, ".....", "-----", "no fire, no episode"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(run(c.entry, c.samples, ctx), c.expect) << c.samples << ": " << c.why;
}

TEST(FireAnalyser, FindingCarriesBoxesConfidenceAndStartTime) {
  InferenceContext ctx(vt::repo_models());
  std::vector<Finding> f;
  ASSERT_EQ(run({{"type", "fire"}, {"grid", 3}}, "..F.FF", ctx, &f), "-----S");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].analyser, "fire");
  EXPECT_EQ(f[0].kind, "fire");
  EXPECT_GT(f[0].confidence, 0.9);
  EXPECT_EQ(f[0].started_at,
            vt::monday_10am() + std::chrono::seconds(2));  // first positive in the window
  ASSERT_FALSE(f[0].boxes.empty());
  for (const auto& b : f[0].boxes) {
    EXPECT_EQ(b.label, "fire");
    EXPECT_GE(b.score, 0.5);
    // A tile of the 3x3 grid, or the whole frame when no tile alone reaches the threshold.
    EXPECT_TRUE(std::abs(b.w - 1.0 / 3) < 0.01 || std::abs(b.w - 1.0) < 1e-9) << b.w;
  }
  EXPECT_NE(f[0].detail.find("明火"), std::string::npos);
}

TEST(FireAnalyser, RoiLimitsWhereItLooks) {
  InferenceContext ctx(vt::repo_models());
  // A fire frame pasted into the left half of a calm picture; the ROI is the right half.
  cv::Mat canvas = calm_frame().clone();
  cv::Mat left = canvas(cv::Rect(0, 0, canvas.cols / 2, canvas.rows));
  cv::resize(fire_frame(), left, left.size());
  auto rois = json::parse(R"([{"name":"right","polygon":[[0.5,0],[1,0],[1,1],[0.5,1]]},
                              {"name":"left","polygon":[[0,0],[0.5,0],[0.5,1],[0,1]]}])");
  std::vector<cv::Mat> frames(4, canvas);
  auto right = make_analyser({{"type", "fire"}, {"roi", "right"}}, rois, json::array());
  EXPECT_TRUE(vt::feed(*right, ctx, frames, vt::monday_10am()).findings.empty());
  auto leftA = make_analyser({{"type", "fire"}, {"roi", "left"}}, rois, json::array());
  auto fed = vt::feed(*leftA, ctx, frames, vt::monday_10am());
  ASSERT_EQ(fed.findings.size(), 1u);
  EXPECT_EQ(fed.findings[0].roi_name, "left");
  for (const auto& b : fed.findings[0].boxes) EXPECT_LE(b.x + b.w, 0.5 + 1e-6);
}
