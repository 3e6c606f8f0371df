// 烟火 (smoke part): no smoke model is available yet (models/shufflenetv2-onfire is trained for
// flame only), so smoke is found by the classical cues of motion_cues.hpp: a grey or white,
// churning, edge-softening foreground blob in K of the last N samples (default 4 of 6). Growth
// and upward drift over the window raise the confidence and are named in the detail.
#include "analysers.hpp"
#include "cue_settings.hpp"
#include "persistence.hpp"

#include <cstdio>
#include <deque>

namespace hazmon::video::detail {

namespace {

class Smoke final : public Analyser {
 public:
  Smoke(Settings& s, Roi roi, std::string name, std::string kind, CueParams defaults)
      : name_(std::move(name)),
        kind_(std::move(kind)),
        roi_(std::move(roi)),
        cues_(read_cue_params(s, defaults)),
        persistence_(4, 6) {
    int k = s.integer("k", 4, 1, 100);
    int n = s.integer("n", 6, 1, 100);
    if (k > n) s.fail("k", "must not exceed n");
    persistence_ = Persistence(k, n);
    interval_ = s.interval(std::chrono::milliseconds(1000));
  }

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds interval() const override { return interval_; }

  void analyse(const AnalysisFrame& f, InferenceContext&, std::vector<Finding>& out) override {
    CueSample c = cues_.update(f.bgr, roi_);
    window_.push_back({f.time, c});
    if (static_cast<int>(window_.size()) > persistence_.n()) window_.pop_front();
    auto change = persistence_.push(c.candidate);
    if (change == Persistence::Change::started) {
      const CueSample* first = nullptr;
      const CueSample* last = nullptr;
      start_ = f.time;
      for (const auto& [t, s] : window_) {
        if (!s.candidate) continue;
        if (!first) {
          first = &s;
          start_ = t;
        }
        last = &s;
      }
      const bool growing = first && last && last->area > first->area * 1.2;
      const bool rising = first && last && last->cy < first->cy - 0.02;
      double conf = 0.5 * persistence_.positives() / persistence_.n() + (growing ? 0.25 : 0) +
                    (rising ? 0.25 : 0);
      char buf[320];
      std::snprintf(buf, sizeof buf,
                    "%s：灰白色、边缘模糊的运动区域占 %.1f%%，最近 %d 次抽检中 %d "
                    "次出现%s%s（经典图像特征，需人工复核）",
                    kind_ == "vapour" ? "疑似蒸汽或气体泄漏云团" : "疑似烟雾", c.area * 100,
                    persistence_.n(), persistence_.positives(), growing ? "，面积扩大" : "",
                    rising ? "，向上飘移" : "");
      Box box{c.box.x, c.box.y, c.box.width, c.box.height, conf, kind_};
      out.push_back(finding(name_, kind_, EventPhase::start, conf, roi_, start_, buf, {box}));
    } else if (change == Persistence::Change::ended) {
      out.push_back(finding(name_, kind_, EventPhase::end, 1.0, roi_, start_,
                            kind_ == "vapour" ? "云团已消散" : "烟雾已消散"));
    }
  }

 private:
  std::string name_, kind_;
  Roi roi_;
  MotionCues cues_;
  Persistence persistence_;
  std::chrono::milliseconds interval_{1000};
  std::deque<std::pair<core::SysTime, CueSample>> window_;
  core::SysTime start_{};
};

}  // namespace

std::unique_ptr<Analyser> make_smoke(Settings& s, Roi roi) {
  return std::make_unique<Smoke>(s, std::move(roi), "smoke", "smoke", CueParams{});
}

// Vapour (leak part 1) uses the same cues with a brighter, whiter gate.
std::unique_ptr<Analyser> make_vapour_part(Settings& s, Roi roi) {
  CueParams d;
  d.sat_max = 50;
  d.val_min = 110;
  return std::make_unique<Smoke>(s, std::move(roi), "leak", "vapour", d);
}

}  // namespace hazmon::video::detail
