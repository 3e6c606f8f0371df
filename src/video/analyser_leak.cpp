// 泄漏: two hints for review, both with persistence.
//   vapour: a vapour cloud or mist in the entry's "roi" by the smoke cues with a whiter gate
//           (kind "vapour"); settings in the sub-object "vapour" (false turns it off);
//   liquid: a static change against a learnt reference in "ground_roi" (kind "liquid"), only
//           when "ground_roi" is given; settings in the sub-object "liquid".
// {"type":"leak", "roi":"tank_area", "ground_roi":"bund_floor", "vapour":{"k":4},
// "liquid":{"min_area":0.03}}
#include "analysers.hpp"
#include "motion_cues.hpp"
#include "persistence.hpp"

#include <cstdio>

namespace hazmon::video::detail {

std::unique_ptr<Analyser> make_vapour_part(Settings& s, Roi roi);

namespace {

class Liquid final : public Analyser {
 public:
  Liquid(Settings& s, Roi roi) : roi_(std::move(roi)), persistence_(5, 6) {
    GroundParams p;
    p.diff_threshold = s.integer("diff_threshold", p.diff_threshold, 2, 128);
    p.static_threshold = s.integer("static_threshold", p.static_threshold, 1, 64);
    p.min_area = s.number("min_area", p.min_area, 0.001, 1);
    p.alpha = s.number("alpha", p.alpha, 0, 0.5);
    p.learn_samples = s.integer("learn_samples", p.learn_samples, 1, 1000);
    ground_.emplace(p);
    int k = s.integer("k", 5, 1, 100);
    int n = s.integer("n", 6, 1, 100);
    if (k > n) s.fail("k", "must not exceed n");
    persistence_ = Persistence(k, n);
    interval_ = s.interval(std::chrono::milliseconds(2000));
  }
  const std::string& name() const override { return name_; }
  std::chrono::milliseconds interval() const override { return interval_; }
  void analyse(const AnalysisFrame& f, InferenceContext&, std::vector<Finding>& out) override {
    GroundSample g = ground_->update(f.bgr, roi_);
    if (g.candidate && !first_positive_) first_positive_ = f.time;
    if (!g.candidate && !persistence_.active() && persistence_.positives() == 0)
      first_positive_.reset();
    auto change = persistence_.push(g.candidate);
    if (change == Persistence::Change::started) {
      start_ = first_positive_.value_or(f.time);
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "疑似地面液体泄漏：地面区域 %.1f%% 与参考画面不同且持续静止%s（需人工复核）",
                    g.area * 100, g.darker > 0.5 ? "，颜色变深" : "");
      double conf = std::min(1.0, 0.5 + g.area * 5) * (g.darker > 0.5 ? 1.0 : 0.8);
      Box box{g.box.x, g.box.y, g.box.width, g.box.height, conf, "liquid"};
      out.push_back(finding(name_, "liquid", EventPhase::start, conf, roi_, start_, buf, {box}));
    } else if (change == Persistence::Change::ended) {
      first_positive_.reset();
      out.push_back(
          finding(name_, "liquid", EventPhase::end, 1.0, roi_, start_, "地面已恢复与参考画面一致"));
    }
  }

 private:
  std::string name_ = "leak";
  Roi roi_;
  std::optional<GroundChange> ground_;
  Persistence persistence_;
  std::chrono::milliseconds interval_{2000};
  std::optional<core::SysTime> first_positive_;
  core::SysTime start_{};
};

class Leak final : public Analyser {
 public:
  explicit Leak(std::vector<std::unique_ptr<Analyser>> parts) : parts_(std::move(parts)) {}
  const std::string& name() const override { return name_; }
  std::chrono::milliseconds interval() const override {
    auto i = parts_.front()->interval();
    for (const auto& p : parts_) i = std::min(i, p->interval());
    return i;
  }
  void analyse(const AnalysisFrame& f, InferenceContext& ctx, std::vector<Finding>& out) override {
    for (auto& p : parts_) p->analyse(f, ctx, out);
  }

 private:
  std::string name_ = "leak";
  std::vector<std::unique_ptr<Analyser>> parts_;
};

}  // namespace

std::unique_ptr<Analyser> make_leak(Settings& s, Roi roi, const nlohmann::json& rois) {
  std::vector<std::unique_ptr<Analyser>> parts;
  const nlohmann::json empty = nlohmann::json::object();
  s.accept("vapour");
  s.accept("liquid");
  // Settings keep a reference to the JSON they read, so sub-entries are taken by reference.
  const nlohmann::json* vap = &empty;
  bool vapour_on = true;
  if (s.has("vapour")) {
    vap = &s.raw().at("vapour");
    if (vap->is_boolean()) {
      vapour_on = vap->get<bool>();
      vap = &empty;
    } else if (!vap->is_object())
      s.fail("vapour", "must be an object of settings or false");
  }
  if (vapour_on) {
    Settings vs(*vap, "leak.vapour");
    parts.push_back(make_vapour_part(vs, roi));
    vs.finish();
  }
  if (auto ground = s.optional_string("ground_roi")) {
    Roi g = find_roi(rois, *ground, "leak", "ground_roi");
    const nlohmann::json* liq = s.has("liquid") ? &s.raw().at("liquid") : &empty;
    if (!liq->is_object()) s.fail("liquid", "must be an object of settings");
    Settings ls(*liq, "leak.liquid");
    parts.push_back(std::make_unique<Liquid>(ls, std::move(g)));
    ls.finish();
  } else if (s.has("liquid")) {
    s.fail("liquid", "needs \"ground_roi\" (the floor or bund area to watch)");
  }
  if (parts.empty()) s.fail("vapour", "leak needs vapour on or a ground_roi");
  return std::make_unique<Leak>(std::move(parts));
}

}  // namespace hazmon::video::detail
