#pragma once
// Reads the CueParams keys shared by the smoke and vapour analysers.
#include "motion_cues.hpp"
#include "settings.hpp"

namespace hazmon::video::detail {

inline CueParams read_cue_params(Settings& s, CueParams d) {
  d.diff_threshold = s.integer("diff_threshold", d.diff_threshold, 2, 128);
  d.sat_max = s.integer("sat_max", d.sat_max, 0, 255);
  d.val_min = s.integer("val_min", d.val_min, 0, 255);
  d.min_area = s.number("min_area", d.min_area, 0.0005, 1);
  d.max_edge_ratio = s.number("max_edge_ratio", d.max_edge_ratio, 0.05, 2);
  d.min_dynamic = s.number("min_dynamic", d.min_dynamic, 0, 255);
  d.min_transparency = s.number("min_transparency", d.min_transparency, -1, 1);
  d.alpha = s.number("alpha", d.alpha, 0.001, 0.5);
  d.learn_samples = s.integer("learn_samples", d.learn_samples, 1, 1000);
  return d;
}

}  // namespace hazmon::video::detail
