// 烟火 (flame part): ShuffleNetV2-OnFire P(fire) on the watched region (ROI bounding box, or the
// whole frame), and on a grid of tiles for the coarse location: the model is a classifier, not a
// detector, so the boxes are the tiles at or above the threshold (the whole region when none is).
// A sample is positive when the whole region reaches the threshold. "tile_positive": true also
// counts a positive tile (finds smaller fires, but on the eval clips a bright shopfront tile of
// the pedestrian scene scored 0.9+, so it is off by default; docs/video.md). An episode needs K
// of the last N samples (default 3 of 5) and ends after N negative samples in a row.
#include "analysers.hpp"
#include "persistence.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>

namespace hazmon::video::detail {

namespace {

class Fire final : public Analyser {
 public:
  Fire(Settings& s, Roi roi) : roi_(std::move(roi)), persistence_(3, 5) {
    threshold_ = s.number("threshold", 0.5, 0.05, 0.999);
    int k = s.integer("k", 3, 1, 50);
    int n = s.integer("n", 5, 1, 50);
    if (k > n) s.fail("k", "must not exceed n");
    persistence_ = Persistence(k, n);
    grid_ = s.integer("grid", 2, 1, 4);
    tile_positive_ = s.boolean("tile_positive", false);
    interval_ = s.interval(std::chrono::milliseconds(1000));
  }

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds interval() const override { return interval_; }

  void analyse(const AnalysisFrame& f, InferenceContext& ctx, std::vector<Finding>& out) override {
    const cv::Size size = f.bgr.size();
    const cv::Rect rect = roi_.bounds(size);
    cv::Mat region = f.bgr(rect);
    const double whole = ctx.fire_probability(region);
    double best = whole;
    std::vector<Box> boxes;
    // Tiles cost grid² more runs; by default they only locate a fire the whole region shows.
    if (grid_ > 1 && (tile_positive_ || whole >= threshold_)) {
      for (int gy = 0; gy < grid_; ++gy) {
        for (int gx = 0; gx < grid_; ++gx) {
          cv::Rect tile(rect.x + rect.width * gx / grid_, rect.y + rect.height * gy / grid_,
                        rect.width / grid_, rect.height / grid_);
          if (tile.width < 8 || tile.height < 8) continue;
          double p = ctx.fire_probability(f.bgr(tile));
          if (tile_positive_) best = std::max(best, p);
          if (p >= threshold_) boxes.push_back(rect_box(tile, size, p, "fire"));
        }
      }
    }
    const bool positive = best >= threshold_;
    if (positive && boxes.empty()) boxes.push_back(rect_box(rect, size, best, "fire"));
    window_.push_back({f.time, positive ? best : 0.0});
    if (static_cast<int>(window_.size()) > persistence_.n()) window_.pop_front();
    last_p_ = best;

    auto change = persistence_.push(positive);
    if (change == Persistence::Change::started) {
      start_ = f.time;
      double sum = 0;
      int cnt = 0;
      for (const auto& [t, p] : window_) {
        if (p > 0) {
          sum += p;
          ++cnt;
          if (t < start_) start_ = t;
        }
      }
      char buf[128];
      std::snprintf(buf, sizeof buf, "疑似明火：最近 %d 次抽检中 %d 次识别到火焰（最高概率 %.2f）",
                    persistence_.n(), persistence_.positives(), best);
      out.push_back(finding(name_, "fire", EventPhase::start, cnt ? sum / cnt : best, roi_, start_,
                            buf, boxes));
    } else if (change == Persistence::Change::ended) {
      out.push_back(
          finding(name_, "fire", EventPhase::end, 1 - best, roi_, start_, "火焰已消失", {}));
    }
  }

  double last_probability() const { return last_p_; }

 private:
  std::string name_ = "fire";
  Roi roi_;
  Persistence persistence_;
  double threshold_ = 0.5, last_p_ = 0;
  int grid_ = 2;
  bool tile_positive_ = false;
  std::chrono::milliseconds interval_{1000};
  std::deque<std::pair<core::SysTime, double>> window_;
  core::SysTime start_{};
};

}  // namespace

std::unique_ptr<Analyser> make_fire(Settings& s, Roi roi) {
  return std::make_unique<Fire>(s, std::move(roi));
}

}  // namespace hazmon::video::detail
