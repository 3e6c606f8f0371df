#include "motion_cues.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <optional>

namespace hazmon::video::detail {

namespace {

cv::Mat edge_energy(const cv::Mat& gray8) {
  cv::Mat gx, gy, mag;
  cv::Sobel(gray8, gx, CV_32F, 1, 0);
  cv::Sobel(gray8, gy, CV_32F, 0, 1);
  cv::magnitude(gx, gy, mag);
  return mag;
}

cv::Rect2d normalised(cv::Rect r, cv::Rect crop, cv::Size small, cv::Size frame) {
  double sx = static_cast<double>(crop.width) / small.width,
         sy = static_cast<double>(crop.height) / small.height;
  return {(crop.x + r.x * sx) / frame.width, (crop.y + r.y * sy) / frame.height,
          r.width * sx / frame.width, r.height * sy / frame.height};
}

cv::Mat clean(const cv::Mat& m) {
  static const cv::Mat k = cv::getStructuringElement(cv::MORPH_ELLIPSE, {3, 3});
  cv::Mat o;
  cv::morphologyEx(m, o, cv::MORPH_OPEN, k);
  cv::morphologyEx(o, o, cv::MORPH_CLOSE, k);
  return o;
}

// Transparency: smoke and mist attenuate the background but keep its structure, so the
// picture inside the blob still correlates with the background there; an opaque object
// (a person, a vehicle) replaces it. None when either side is flat.
std::optional<double> transparency(const cv::Mat& gray, const cv::Mat& bg, const cv::Mat& blob) {
  cv::Mat g32;
  gray.convertTo(g32, CV_32F);
  cv::Scalar gm, gs, bm, bs;
  cv::meanStdDev(g32, gm, gs, blob);
  cv::meanStdDev(bg, bm, bs, blob);
  if (!(gs[0] > 1e-3 && bs[0] > 1e-3)) return std::nullopt;
  cv::Mat prod = (g32 - gm[0]).mul(bg - bm[0]);
  return cv::mean(prod, blob)[0] / (gs[0] * bs[0]);
}

}  // namespace

cv::Mat crop_scaled(const cv::Mat& bgr, const Roi& roi, int width, cv::Rect& rect_out) {
  rect_out = roi.bounds(bgr.size());
  cv::Mat crop = bgr(rect_out), small;
  int w = std::min(width, rect_out.width);
  int h = std::max(1, rect_out.height * w / rect_out.width);
  cv::resize(crop, small, {w, h}, 0, 0, cv::INTER_AREA);
  return small;
}

CueSample MotionCues::update(const cv::Mat& bgr, const Roi& roi) {
  CueSample s;
  cv::Rect rect;
  cv::Mat small = crop_scaled(bgr, roi, p_.width, rect);
  cv::Mat gray, hsv;
  cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(gray, gray, {3, 3}, 0);
  if (bg_.empty() || bg_.size() != gray.size() || frame_size_ != bgr.size()) {
    // First sample or the stream changed resolution: start learning again.
    frame_size_ = bgr.size();
    gray.convertTo(bg_, CV_32F);
    prev_ = gray.clone();
    cv::Mat full_mask = roi.mask(bgr.size(), rect);
    cv::resize(full_mask, mask_, gray.size(), 0, 0, cv::INTER_NEAREST);
    samples_ = 1;
    return s;
  }
  ++samples_;
  cv::Mat bg8;
  bg_.convertTo(bg8, CV_8U);
  cv::Mat diff, fg;
  cv::absdiff(gray, bg8, diff);
  fg = (diff > p_.diff_threshold) & mask_;

  cv::cvtColor(small, hsv, cv::COLOR_BGR2HSV);
  cv::Mat gate;
  cv::inRange(hsv, cv::Scalar(0, 0, p_.val_min), cv::Scalar(180, p_.sat_max, p_.val_max), gate);
  cv::Mat cand = clean(fg & gate);

  // The largest connected blob only: a plume is one region, while several people or cars
  // are several small ones (each below min_area at CCTV distances).
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(cand, labels, stats, centroids, 8, CV_32S);
  int best = 0;
  for (int i = 1; i < n; ++i)
    if (best == 0 || stats.at<int>(i, cv::CC_STAT_AREA) > stats.at<int>(best, cv::CC_STAT_AREA))
      best = i;
  const double roi_px = std::max(1, cv::countNonZero(mask_));
  s.learning = samples_ <= p_.learn_samples;
  if (best > 0) {
    cv::Mat blob = labels == best;
    const int blob_px = stats.at<int>(best, cv::CC_STAT_AREA);
    s.area = blob_px / roi_px;
    cv::Mat e_now = edge_energy(gray);
    if (bg_edges_.empty() || bg_edges_.size() != gray.size()) bg_edges_ = edge_energy(bg8);
    cv::Mat blob_f;
    blob.convertTo(blob_f, CV_32F, 1.0 / 255);
    double now = cv::sum(e_now.mul(blob_f))[0];
    double before = cv::sum(bg_edges_.mul(blob_f))[0];
    s.edge_ratio = (now + 1.0) / (before + 1.0);
    cv::Mat dyn;
    cv::absdiff(gray, prev_, dyn);
    s.dynamic = cv::mean(dyn, blob)[0];
    if (auto t = transparency(gray, bg_, blob)) s.transparency = *t;
    s.cy = (rect.y + centroids.at<double>(best, 1) * rect.height / gray.rows) / bgr.rows;
    cv::Rect r(stats.at<int>(best, cv::CC_STAT_LEFT), stats.at<int>(best, cv::CC_STAT_TOP),
               stats.at<int>(best, cv::CC_STAT_WIDTH), stats.at<int>(best, cv::CC_STAT_HEIGHT));
    s.box = normalised(r, rect, gray.size(), bgr.size());
  }
  s.candidate = !s.learning && s.area >= p_.min_area && s.edge_ratio <= p_.max_edge_ratio &&
                s.dynamic >= p_.min_dynamic && s.transparency >= p_.min_transparency;

  // Selective update: background pixels follow at alpha, foreground ten times slower so a
  // plume is not learnt within the persistence window but a parked object eventually is.
  cv::Mat not_fg = ~fg;
  cv::accumulateWeighted(gray, bg_, p_.alpha, not_fg);
  cv::accumulateWeighted(gray, bg_, p_.alpha / 10, fg);
  bg_.convertTo(bg8, CV_8U);
  bg_edges_ = edge_energy(bg8);
  prev_ = gray;
  return s;
}

GroundSample GroundChange::update(const cv::Mat& bgr, const Roi& roi) {
  GroundSample s;
  cv::Rect rect;
  cv::Mat small = crop_scaled(bgr, roi, p_.width, rect);
  cv::Mat gray;
  cv::cvtColor(small, gray, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(gray, gray, {5, 5}, 0);
  if (ref_.empty() || ref_.size() != gray.size() || frame_size_ != bgr.size()) {
    frame_size_ = bgr.size();
    gray.convertTo(ref_, CV_32F);
    prev_ = gray.clone();
    cv::Mat full_mask = roi.mask(bgr.size(), rect);
    cv::resize(full_mask, mask_, gray.size(), 0, 0, cv::INTER_NEAREST);
    samples_ = 1;
    return s;
  }
  ++samples_;
  if (samples_ <= p_.learn_samples) {
    // Reference = mean of the learning samples.
    cv::accumulateWeighted(gray, ref_, 1.0 / samples_);
    prev_ = gray;
    return s;
  }
  s.learning = false;
  cv::Mat g32;
  gray.convertTo(g32, CV_32F);
  // Global brightness compensation: a cloud or a lamp shifts the whole ROI, a puddle does not.
  double shift = cv::mean(g32, mask_)[0] - cv::mean(ref_, mask_)[0];
  cv::Mat d = g32 - ref_ - shift;
  cv::Mat changed = (cv::abs(d) > p_.diff_threshold);
  cv::Mat moving;
  cv::absdiff(gray, prev_, moving);
  cv::Mat still = moving < p_.static_threshold;
  cv::Mat cand = clean(changed & still & mask_);
  const double roi_px = std::max(1, cv::countNonZero(mask_));
  const int cand_px = cv::countNonZero(cand);
  s.area = cand_px / roi_px;
  if (cand_px > 0) {
    cv::Mat darker = (d < -p_.diff_threshold) & cand;
    s.darker = cv::countNonZero(darker) / static_cast<double>(cand_px);
    s.box = normalised(cv::boundingRect(cand), rect, gray.size(), bgr.size());
  }
  s.candidate = s.area >= p_.min_area;
  cv::accumulateWeighted(gray, ref_, p_.alpha, ~changed & mask_);
  prev_ = gray;
  return s;
}

}  // namespace hazmon::video::detail
