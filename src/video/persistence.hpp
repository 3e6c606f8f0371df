#pragma once
// K-of-N confirmation shared by the analysers: an episode starts when at least K of the last N
// samples were positive and ends when at most `end_at_most` of the last N were (default 0:
// N negatives in a row), so one stray sample neither starts nor ends an episode.
#include <deque>

namespace hazmon::video::detail {

class Persistence {
 public:
  enum class Change { none, started, ended };

  Persistence(int k, int n, int end_at_most = 0) : k_(k), n_(n), end_at_most_(end_at_most) {}

  Change push(bool positive) {
    window_.push_back(positive);
    if (static_cast<int>(window_.size()) > n_) window_.pop_front();
    int count = positives();
    if (!active_ && count >= k_) {
      active_ = true;
      return Change::started;
    }
    if (active_ && static_cast<int>(window_.size()) >= n_ && count <= end_at_most_) {
      active_ = false;
      return Change::ended;
    }
    return Change::none;
  }
  int positives() const {
    int c = 0;
    for (bool b : window_) c += b;
    return c;
  }
  bool active() const { return active_; }
  void reset() {
    window_.clear();
    active_ = false;
  }
  int k() const { return k_; }
  int n() const { return n_; }

 private:
  int k_, n_, end_at_most_;
  std::deque<bool> window_;
  bool active_ = false;
};

}  // namespace hazmon::video::detail
