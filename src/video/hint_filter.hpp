#pragma once
// Leak hints that another analyser of the same camera already explains. The vapour hint and the
// smoke analyser are the same measurement (motion_cues.hpp) with different colour gates, so a
// smoke plume that is white enough is read as vapour too, and beside a fire that is smoke, not a
// leak (on furg_house6.mp4 the roof smoke gave 15 samples of false vapour hints). So a `vapour`
// episode is not raised while a `fire` or `smoke` episode of the camera is open on an ROI whose
// bounds overlap the vapour ROI's; its later findings (update, end) are dropped with it.
//
// One filter per camera, applied to the findings of each analysed frame after all of the
// camera's analysers ran on it (so the order of the analysers does not matter): used by the
// stream worker (stream_worker.cpp) and by hazmon-video-eval. Limits: a vapour episode that is
// already open when a fire or smoke episode starts stays open (it was raised first); a camera
// without a fire or smoke analyser keeps every vapour hint.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analyser.hpp"

namespace hazmon::video::detail {

class HintFilter {
 public:
  // One frame's findings, in place.
  void apply(std::vector<Finding>& findings) {
    observe(findings);
    std::erase_if(findings, [&](const Finding& f) { return !pass(f); });
  }
  // The same in two steps, for callers that keep findings per analyser: observe() every list of
  // the frame first, then ask pass() for each finding.
  void observe(const std::vector<Finding>& findings) {
    for (const auto& f : findings) {
      if (f.kind != "fire" && f.kind != "smoke") continue;
      if (f.phase == EventPhase::end)
        explains_.erase(key(f));
      else
        explains_[key(f)] = bounds(f.roi);
    }
  }
  bool pass(const Finding& f) {
    if (f.kind != "vapour") return true;
    const std::string k = key(f);
    if (suppressed_.contains(k)) {
      if (f.phase == EventPhase::end) suppressed_.erase(k);
      return false;
    }
    if (f.phase == EventPhase::end) return true;
    const Bounds v = bounds(f.roi);
    for (const auto& [_, b] : explains_) {
      if (b.overlaps(v)) {
        suppressed_.insert(k);
        return false;
      }
    }
    return true;
  }

  std::size_t suppressed() const { return suppressed_.size(); }

 private:
  struct Bounds {
    double x0 = 0, y0 = 0, x1 = 1, y1 = 1;
    bool overlaps(const Bounds& o) const {
      return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
    }
  };
  static Bounds bounds(const std::vector<Point>& polygon) {
    if (polygon.empty()) return {};  // no polygon: the whole frame
    Bounds b{1, 1, 0, 0};
    for (const auto& p : polygon) {
      b.x0 = std::min(b.x0, p.x);
      b.y0 = std::min(b.y0, p.y);
      b.x1 = std::max(b.x1, p.x);
      b.y1 = std::max(b.y1, p.y);
    }
    return b;
  }
  static std::string key(const Finding& f) { return f.analyser + "/" + f.kind + "/" + f.roi_name; }

  std::map<std::string, Bounds> explains_;  // open fire and smoke episodes: their ROI bounds
  std::set<std::string> suppressed_;        // vapour episodes not raised
};

}  // namespace hazmon::video::detail
