// 人员脱岗: persons (yolo-fastest body) inside the duty ROI, with the AbsenceTracker's timer and
// hysteresis. A person counts as inside when the foot point of the box (bottom centre) is in the
// ROI polygon: operators are drawn standing or sitting at the desk, and the feet or chair are
// where the duty area is marked on the floor; "point": "center" uses the box centre instead
// (for top-down views where feet are not visible).
#include "analysers.hpp"
#include "leave_post.hpp"

#include <cmath>
#include <cstdio>

namespace hazmon::video::detail {

namespace {

std::string minutes_text(std::chrono::milliseconds d) {
  char buf[64];
  double min = d.count() / 60000.0;
  if (min >= 1)
    std::snprintf(buf, sizeof buf, "%.0f 分钟", std::round(min));
  else
    std::snprintf(buf, sizeof buf, "%.0f 秒", d.count() / 1000.0);
  return buf;
}

class LeavePost final : public Analyser {
 public:
  LeavePost(Settings& s, Roi roi, DutySchedule duty)
      : roi_(std::move(roi)), duty_(std::move(duty)) {
    if (s.has("absent_minutes") && s.has("absent_s"))
      s.fail("absent_s", "give absent_minutes or absent_s, not both");
    double absent_s = s.has("absent_s") ? s.number("absent_s", 600, 1, 86400)
                                        : s.number("absent_minutes", 10, 1.0 / 60, 1440) * 60;
    s.accept("absent_s");
    s.accept("absent_minutes");
    absent_for_ = std::chrono::milliseconds(std::llround(absent_s * 1000));
    min_persons_ = s.integer("min_persons", 1, 1, 50);
    min_score_ = s.number("min_score", 0.4, 0.2, 0.99);
    int m = s.integer("return_m", 2, 1, 20);
    int n = s.integer("return_n", 3, 1, 20);
    if (m > n) s.fail("return_m", "must not exceed return_n");
    auto point = s.string("point", "foot");
    if (point != "foot" && point != "center") s.fail("point", "must be \"foot\" or \"center\"");
    use_foot_ = point == "foot";
    interval_ = s.interval(std::chrono::milliseconds(2000));
    absence_.emplace(absent_for_, m, n);
    if (min_persons_ > 1) staffing_.emplace(absent_for_, m, n);
  }

  const std::string& name() const override { return name_; }
  std::chrono::milliseconds interval() const override { return interval_; }

  void analyse(const AnalysisFrame& f, InferenceContext& ctx, std::vector<Finding>& out) override {
    const bool on_duty = duty_.on_duty(f.time);
    // Off duty with nothing open: no need to run the detector at all.
    if (!on_duty && !absence_->active() && !(staffing_ && staffing_->active())) {
      absence_->step(f.time, false, false);
      if (staffing_) staffing_->step(f.time, false, false);
      return;
    }
    std::vector<Box> inside;
    for (auto& b : ctx.detect_persons(f.bgr, min_score_)) {
      double px = b.x + b.w / 2, py = use_foot_ ? b.y + b.h : b.y + b.h / 2;
      if (roi_.contains(px, std::min(py, 1.0))) inside.push_back(b);
    }
    const int count = static_cast<int>(inside.size());
    track(*absence_, absence_start_, "absent", f.time, on_duty, count == 0, count, inside, out);
    if (staffing_) {
      // Nobody at all is the absence episode; understaffed covers 1..K-1 persons.
      track(*staffing_, staffing_start_, "understaffed", f.time, on_duty,
            count > 0 && count < min_persons_, count, inside, out);
    }
  }

 private:
  void track(AbsenceTracker& t, core::SysTime& start, const char* kind, core::SysTime now,
             bool on_duty, bool shortfall, int count, const std::vector<Box>& boxes,
             std::vector<Finding>& out) {
    auto change = t.step(now, on_duty, shortfall);
    const bool absent = std::string(kind) == "absent";
    if (change == AbsenceTracker::Change::started) {
      start = *t.empty_since();
      std::string detail = absent ? "值班区域无人超过 " + minutes_text(absent_for_)
                                  : "值班区域仅 " + std::to_string(count) + " 人，少于规定的 " +
                                        std::to_string(min_persons_) + " 人，已持续 " +
                                        minutes_text(absent_for_);
      out.push_back(
          finding(name_, kind, EventPhase::start, t.confidence(), roi_, start, detail, boxes));
    } else if (change == AbsenceTracker::Change::ended ||
               change == AbsenceTracker::Change::ended_off_duty) {
      std::string detail = change == AbsenceTracker::Change::ended_off_duty ? "值班时段结束"
                           : absent ? "人员已返岗（" + std::to_string(count) + " 人）"
                                    : "值班人数已恢复（" + std::to_string(count) + " 人）";
      out.push_back(finding(name_, kind, EventPhase::end, 1.0, roi_, start, detail, boxes));
    }
  }

  std::string name_ = "leave_post";
  Roi roi_;
  DutySchedule duty_;
  std::chrono::milliseconds absent_for_{600000}, interval_{2000};
  int min_persons_ = 1;
  double min_score_ = 0.4;
  bool use_foot_ = true;
  std::optional<AbsenceTracker> absence_, staffing_;
  core::SysTime absence_start_{}, staffing_start_{};
};

}  // namespace

std::unique_ptr<Analyser> make_leave_post(Settings& s, Roi roi, DutySchedule duty) {
  return std::make_unique<LeavePost>(s, std::move(roi), std::move(duty));
}

}  // namespace hazmon::video::detail
