// make_analyser: one camera.analysers entry to an Analyser, with its settings checked. Common
// keys: "type", "roi" (name in camera.rois; whole frame when absent), "interval_ms"/"interval_s".
// "fire_smoke" (the registry schema's name for 烟火) runs the flame and the smoke analyser side by
// side on one ROI, with their settings in the sub-objects "fire" and "smoke".
#include "analysers.hpp"

#include <hazmon/core/error.hpp>

#include <algorithm>

namespace hazmon::video {

namespace detail {

Finding finding(const std::string& analyser, const std::string& kind, EventPhase phase,
                double confidence, const Roi& roi, core::SysTime started_at, std::string detail,
                std::vector<Box> boxes) {
  Finding f;
  f.analyser = analyser;
  f.kind = kind;
  f.phase = phase;
  f.confidence = std::clamp(confidence, 0.0, 1.0);
  f.boxes = std::move(boxes);
  f.roi_name = roi.name;
  f.roi = roi.polygon;
  f.started_at = started_at;
  f.detail = std::move(detail);
  return f;
}

Box to_frame(const Box& b, cv::Rect rect, cv::Size size) {
  Box o = b;
  o.x = (rect.x + b.x * rect.width) / size.width;
  o.y = (rect.y + b.y * rect.height) / size.height;
  o.w = b.w * rect.width / size.width;
  o.h = b.h * rect.height / size.height;
  return o;
}

Box rect_box(cv::Rect rect, cv::Size size, double score, std::string label) {
  return Box{static_cast<double>(rect.x) / size.width,
             static_cast<double>(rect.y) / size.height,
             static_cast<double>(rect.width) / size.width,
             static_cast<double>(rect.height) / size.height,
             score,
             std::move(label)};
}

namespace {

// Runs several analysers as one (fire_smoke); samples at the smallest interval of its parts.
class Composite final : public Analyser {
 public:
  Composite(std::string name, std::vector<std::unique_ptr<Analyser>> parts)
      : name_(std::move(name)), parts_(std::move(parts)) {}
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
  std::string name_;
  std::vector<std::unique_ptr<Analyser>> parts_;
};

}  // namespace
}  // namespace detail

std::unique_ptr<Analyser> make_analyser(const nlohmann::json& entry, const nlohmann::json& rois,
                                        const nlohmann::json& duty_schedule) {
  using namespace detail;
  if (!entry.is_object() || !entry.contains("type") || !entry.at("type").is_string())
    throw core::Error(core::Errc::validation_failed, "an analyser entry needs a \"type\"",
                      {core::FieldError{"/type", "required"}});
  const auto type = entry.at("type").get<std::string>();
  Settings s(entry, type);
  Roi roi = whole_frame_roi();
  if (auto name = s.optional_string("roi")) roi = find_roi(rois, *name, type, "roi");

  std::unique_ptr<Analyser> a;
  if (type == "leave_post") {
    a = make_leave_post(s, roi, DutySchedule::parse(duty_schedule));
  } else if (type == "fire") {
    a = make_fire(s, roi);
  } else if (type == "smoke") {
    a = make_smoke(s, roi);
  } else if (type == "fire_smoke") {
    // {"type": "fire_smoke", "roi": ..., "fire": {fire settings}, "smoke": {smoke settings}}
    std::vector<std::unique_ptr<Analyser>> parts;
    for (const char* part : {"fire", "smoke"}) {
      const nlohmann::json empty = nlohmann::json::object();
      const nlohmann::json& sub = s.has(part) ? entry.at(part) : empty;
      s.accept(part);
      if (!sub.is_object()) s.fail(part, "must be an object of settings");
      Settings ps(sub, std::string("fire_smoke.") + part);
      if (ps.has("roi")) ps.fail("roi", "give the ROI on the fire_smoke entry");
      parts.push_back(std::string(part) == "fire" ? make_fire(ps, roi) : make_smoke(ps, roi));
      ps.finish();
    }
    a = std::make_unique<Composite>("fire_smoke", std::move(parts));
  } else if (type == "leak") {
    a = make_leak(s, roi, rois);
  } else if (type == "camera_health") {
    if (s.has("roi")) s.fail("roi", "camera_health always watches the whole picture");
    a = make_camera_health(s);
  } else {
    s.fail("type",
           "unknown analyser type (leave_post, fire, smoke, fire_smoke, leak, camera_health)");
  }
  s.finish();
  return a;
}

}  // namespace hazmon::video
