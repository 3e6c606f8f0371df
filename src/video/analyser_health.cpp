// 摄像机状态 (camera_health): what makes a camera useless for the other analysers, on the whole
// picture scaled to 160 px wide. Kinds, each with its own K-of-N persistence:
//   black         mean brightness < black_mean and little texture (lens capped, no video signal);
//   covered       not black but almost no texture: grey std < covered_std or edge density <
//                 covered_edges (cloth, paint, a hand, dense fog on the lens);
//   blur          variance of the Laplacian < blur_ratio x the baseline learnt over the first
//                 learn_samples usable samples (focus lost, dirty or misted lens);
//   frozen        frozen_samples samples in a row with (nearly) no pixel changed (a stuck encoder
//                 or a still image replayed);
//   scene_change  the edge map no longer matches the reference (normalised cross-correlation of
//                 blurred edge maps < scene_min): the camera was turned or moved. The reference
//                 follows slow changes while the match is >= scene_follow.
// black suppresses covered and blur; covered suppresses blur and scene_change.
#include "analysers.hpp"
#include "motion_cues.hpp"
#include "persistence.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace hazmon::video::detail {

namespace {

struct Kind {
  Persistence p;
  core::SysTime start{};
  std::optional<core::SysTime> first_positive;
};

class Health final : public Analyser {
 public:
  explicit Health(Settings& s) {
    black_mean_ = s.number("black_mean", 20, 0, 128);
    covered_std_ = s.number("covered_std", 6, 0, 128);
    covered_edges_ = s.number("covered_edges", 0.002, 0, 0.5);
    blur_ratio_ = s.number("blur_ratio", 0.25, 0.01, 0.99);
    scene_min_ = s.number("scene_min", 0.35, -1, 0.99);
    scene_follow_ = s.number("scene_follow", 0.8, -1, 1);
    if (scene_follow_ <= scene_min_) s.fail("scene_follow", "must be above scene_min");
    frozen_samples_ = s.integer("frozen_samples", 12, 2, 10000);
    learn_samples_ = s.integer("learn_samples", 5, 1, 1000);
    int k = s.integer("k", 3, 1, 100);
    int n = s.integer("n", 4, 1, 100);
    if (k > n) s.fail("k", "must not exceed n");
    for (const char* kind : {"black", "covered", "blur", "scene_change"})
      kinds_.emplace(kind, Kind{Persistence(k, n), {}, std::nullopt});
    kinds_.emplace("frozen", Kind{Persistence(1, 1), {}, std::nullopt});
    interval_ = s.interval(std::chrono::milliseconds(5000));
  }

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds interval() const override { return interval_; }

  void analyse(const AnalysisFrame& f, InferenceContext&, std::vector<Finding>& out) override {
    cv::Rect rect;
    cv::Mat small = crop_scaled(f.bgr, roi_, 160, rect), gray;
    cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
    if (gray.size() != size_) {  // first sample or new resolution: learn again
      size_ = gray.size();
      prev_.release();
      ref_edges_.release();
      baseline_.clear();
    }
    cv::Scalar mean, stddev;
    cv::meanStdDev(gray, mean, stddev);
    cv::Mat edges;
    cv::Canny(gray, edges, 50, 150);
    const double edge_density = cv::countNonZero(edges) / static_cast<double>(edges.total());
    cv::Mat lap;
    cv::Laplacian(gray, lap, CV_64F);
    cv::Scalar lm, ls;
    cv::meanStdDev(lap, lm, ls);
    const double sharpness = ls[0] * ls[0];

    const bool black = mean[0] < black_mean_ && stddev[0] < 2 * black_mean_;
    const bool covered = !black && (stddev[0] < covered_std_ || edge_density < covered_edges_);
    const bool usable = !black && !covered;

    // Blur baseline: median sharpness of the first usable samples.
    if (usable && static_cast<int>(baseline_.size()) < learn_samples_)
      baseline_.push_back(sharpness);
    double base = 0;
    if (static_cast<int>(baseline_.size()) >= learn_samples_) {
      auto b = baseline_;
      std::nth_element(b.begin(), b.begin() + b.size() / 2, b.end());
      base = b[b.size() / 2];
    }
    const bool blur = usable && base > 0 && sharpness < blur_ratio_ * base;

    const bool moved = usable && scene_moved(edges);

    // Frozen: nothing changed since the previous sample.
    bool still = false;
    if (!prev_.empty()) {
      cv::Mat d;
      cv::absdiff(gray, prev_, d);
      still = cv::countNonZero(d > 2) < static_cast<int>(d.total() / 5000);
    }
    prev_ = gray;
    still_run_ = still ? still_run_ + 1 : 0;
    const bool frozen =
        usable && still_run_ + 1 >= frozen_samples_;  // a black or covered picture is not "frozen"

    char buf[160];
    std::snprintf(buf, sizeof buf, "画面过暗（平均亮度 %.0f），疑似黑屏或无信号", mean[0]);
    step("black", black, f.time, 0.9, buf, out);
    std::snprintf(buf, sizeof buf, "画面几乎没有纹理（亮度标准差 %.1f），疑似镜头被遮挡",
                  stddev[0]);
    step("covered", covered, f.time, 0.8, buf, out);
    std::snprintf(buf, sizeof buf, "画面模糊：清晰度为基准的 %.0f%%，疑似失焦或镜头脏污",
                  base > 0 ? 100 * sharpness / base : 0.0);
    step("blur", blur, f.time, base > 0 ? std::clamp(1 - sharpness / base, 0.0, 1.0) : 0.5, buf,
         out);
    std::snprintf(buf, sizeof buf, "画面连续 %d 次抽检无变化，疑似画面冻结", still_run_ + 1);
    step("frozen", frozen, f.time, 0.9, buf, out);
    std::snprintf(buf, sizeof buf, "画面与参考场景相似度 %.2f，疑似摄像机被移动或转向",
                  last_scene_);
    step("scene_change", moved, f.time, std::clamp(1 - last_scene_, 0.0, 1.0), buf, out);
  }

 private:
  // Scene: blurred edge maps tolerate small shakes; learnt at the first usable sample (called
  // for usable samples only).
  bool scene_moved(const cv::Mat& edges) {
    cv::Mat e32;
    edges.convertTo(e32, CV_32F, 1.0 / 255);
    cv::GaussianBlur(e32, e32, {0, 0}, 2.0);
    if (ref_edges_.empty()) {
      ref_edges_ = e32.clone();
      return false;
    }
    cv::Mat r;
    cv::matchTemplate(e32, ref_edges_, r, cv::TM_CCOEFF_NORMED);
    last_scene_ = r.at<float>(0, 0);
    // Follow slow changes (light, parked vehicles) only while the match is clearly good, so
    // the reference never drifts towards the view of a turned camera.
    if (last_scene_ >= scene_follow_ && !kinds_.at("scene_change").p.active())
      cv::accumulateWeighted(e32, ref_edges_, 0.05);
    return last_scene_ < scene_min_;
  }

  void step(const char* kind, bool positive, core::SysTime t, double conf, const char* detail,
            std::vector<Finding>& out) {
    Kind& k = kinds_.at(kind);
    if (positive && !k.first_positive) k.first_positive = t;
    auto change = k.p.push(positive);
    if (change == Persistence::Change::started) {
      k.start = k.first_positive.value_or(t);
      out.push_back(finding(name_, kind, EventPhase::start, conf, roi_, k.start, detail));
    } else if (change == Persistence::Change::ended) {
      out.push_back(finding(name_, kind, EventPhase::end, 1.0, roi_, k.start, "画面已恢复正常"));
    }
    if (!k.p.active() && k.p.positives() == 0) k.first_positive.reset();
  }

  std::string name_ = "camera_health";
  Roi roi_ = whole_frame_roi();
  double black_mean_, covered_std_, covered_edges_, blur_ratio_, scene_min_, scene_follow_;
  int frozen_samples_, learn_samples_;
  std::chrono::milliseconds interval_{5000};
  std::map<std::string, Kind> kinds_;
  cv::Size size_;
  cv::Mat prev_, ref_edges_;
  std::vector<double> baseline_;
  double last_scene_ = 1;
  int still_run_ = 0;
};

}  // namespace

std::unique_ptr<Analyser> make_camera_health(Settings& s) { return std::make_unique<Health>(s); }

}  // namespace hazmon::video::detail
