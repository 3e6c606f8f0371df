#pragma once
// The leave-post (人员脱岗) state machine, free of images so it can be driven by tables in tests.
//
// Each sample says whether the duty ROI is short of people ("shortfall": nobody, or fewer than
// min_persons). An episode starts when the ROI has been short since `empty_since` for at least
// `absent_for` during duty hours. Hysteresis: presence counts only when confirmed in M of the
// last N samples, so one stray detection neither resets the absence timer nor ends an episode,
// and one missed detection (a person hidden for a sample) only starts a timer that the next
// confirmed presence clears. Duty time ending closes an open episode; off-duty time never counts.
#include <chrono>
#include <deque>
#include <optional>

#include <hazmon/core/clock.hpp>

namespace hazmon::video::detail {

class AbsenceTracker {
 public:
  enum class Change { none, started, ended, ended_off_duty };

  AbsenceTracker(std::chrono::milliseconds absent_for, int return_m, int return_n)
      : absent_for_(absent_for), m_(return_m), n_(return_n) {}

  Change step(core::SysTime t, bool on_duty, bool shortfall) {
    recent_.push_back(!shortfall);
    if (static_cast<int>(recent_.size()) > n_) recent_.pop_front();
    int present = 0;
    for (bool p : recent_) present += p;
    const bool confirmed_presence = present >= m_;

    if (!on_duty) {
      empty_since_.reset();
      if (active_) {
        active_ = false;
        return Change::ended_off_duty;
      }
      return Change::none;
    }
    if (active_) {
      if (confirmed_presence) {
        active_ = false;
        empty_since_.reset();
        return Change::ended;
      }
      ++samples_;
      shortfall_samples_ += shortfall;
      return Change::none;
    }
    if (shortfall) {
      if (!empty_since_) {
        empty_since_ = t;
        samples_ = 0;
        shortfall_samples_ = 0;
      }
      ++samples_;
      ++shortfall_samples_;
    } else if (confirmed_presence) {
      empty_since_.reset();
    } else if (empty_since_) {
      ++samples_;  // a lone detection inside an absence: counted, but does not reset the timer
    }
    if (empty_since_ && t - *empty_since_ >= absent_for_) {
      active_ = true;
      return Change::started;
    }
    return Change::none;
  }

  bool active() const { return active_; }
  std::optional<core::SysTime> empty_since() const { return empty_since_; }
  // Share of the samples since the ROI became short that were short (1.0 = never interrupted).
  double confidence() const {
    return samples_ ? static_cast<double>(shortfall_samples_) / samples_ : 0.0;
  }

 private:
  std::chrono::milliseconds absent_for_;
  int m_, n_;
  std::deque<bool> recent_;
  std::optional<core::SysTime> empty_since_;
  bool active_ = false;
  int samples_ = 0, shortfall_samples_ = 0;
};

}  // namespace hazmon::video::detail
