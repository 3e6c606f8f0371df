#pragma once
// The alarm state machine of one monitoring point: pure, driven by sample times and an
// explicit `now` for timers, so tests are tables of (time, value) → transitions.
//
// Pipeline per sample (DOMAIN.md §2): quality gate (gateway quality code, out of range,
// frozen value) → suppression inside filed windows → debounce (the condition must hold
// `debounce` before an alarm is raised; the episode starts at the first exceedance) →
// deadband on return → one episode per excursion with start, peak and end. Offline is a
// timer: no sample for `offline_after`.
//
// Data faults flagged per sample (DEVICE_FAULT for gateway quality 2/3, OUT_OF_RANGE for
// quality 1 or a value outside the range) are debounced like threshold alarms: the episode
// opens only when the fault still holds `debounce` after its first flagged sample (starting
// there) and closes at the first sample without it. A single flagged sample opens nothing; it
// is counted in data quality from the stored reading's quality (docs/data-quality.md).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/alarm.hpp>

namespace hazmon::rules {

using core::SysTime;

// The alarm vocabulary is model's (model/alarm.hpp): storage, ingest and service share it.
using model::AlarmType;
using model::is_data_fault;
using model::to_string;

struct PointConfig {
  bool analog = true;
  std::optional<double> range_low, range_high, ll, l, h, hh;
  std::chrono::seconds debounce{30};
  double deadband = 0;
  std::chrono::seconds offline_after{300};
  std::chrono::seconds frozen_after{6 * 3600};
  double switch_alarm_value = 1;  // the switch state that means "alarm"
  bool in_use = true;
};

// Gateway quality codes (DOMAIN.md §7): 0 ok, 1 out of range, 2 comm fault, 3 device fault,
// 4 stopped or maintenance, 5 manual.
struct Sample {
  SysTime t;
  double value = 0;
  int quality = 0;
  bool suppressed = false;  // inside a filed window (shut-down, overhaul, start-up, trial run)
  bool late = false;        // arrived as a resend; its alarms are recorded but not pushed as new
};

using Transition = model::AlarmTransition;

struct AlarmChange {
  Transition transition = Transition::raised;
  AlarmType type = AlarmType::h;  // for escalated: the new, more severe type
  SysTime start;                  // first exceedance of the episode
  SysTime at;                     // when this change happened (sample or timer time)
  double value = 0;               // value that caused the change
  std::optional<double> threshold;
  double peak = 0;  // most extreme value of the episode so far
  SysTime peak_at;
  bool suppressed = false;
  bool late = false;
};

// A machine's whole state, for nodes that share the evaluation of an enterprise's points
// (node.cluster, ADR 0028): saved after an evaluation, restored on the node that evaluates next.
struct MachineEpisode {
  AlarmType type;
  SysTime start;
  double peak;
  SysTime peak_at;
  bool suppressed;
  bool late;
  bool operator==(const MachineEpisode&) const = default;
};
struct MachinePending {
  AlarmType type;
  SysTime since;
  double peak;
  SysTime peak_at;
  bool operator==(const MachinePending&) const = default;
};
struct MachineState {
  std::optional<SysTime> last_t;
  std::optional<double> last_value;
  SysTime value_since{};
  std::optional<MachineEpisode> process[3];  // high, low, switch
  std::optional<MachinePending> pending[3];
  std::optional<MachineEpisode> out_of_range, frozen, offline, device_fault;
  std::optional<MachinePending> pending_out_of_range, pending_device_fault;
  bool operator==(const MachineState&) const = default;
};

class PointMachine {
 public:
  explicit PointMachine(const PointConfig& cfg) : cfg_(cfg) {}
  void reconfigure(const PointConfig& cfg) { cfg_ = cfg; }

  // Samples must come in collect-time order; an older one changes nothing (returns empty and
  // counts as out of order).
  std::vector<AlarmChange> on_sample(const Sample& s);
  // Timers: offline when nothing arrived for offline_after before `now`.
  std::vector<AlarmChange> on_tick(SysTime now);

  // After a restart: an episode that is open in the database continues here (so that it can
  // clear), and the last sample time feeds the offline timer.
  void restore_open(AlarmType type, SysTime start, double peak, SysTime peak_at);
  void restore_last_sample(SysTime t, double value);

  // The whole state, and a machine put back into one (its configuration stays).
  MachineState state() const;
  void restore(const MachineState& st);

  bool has_active(AlarmType side_or_type) const;
  std::optional<SysTime> last_sample_time() const { return last_t_; }
  std::uint64_t out_of_order() const { return out_of_order_; }

 private:
  using Episode = MachineEpisode;
  using Pending = MachinePending;
  enum Side { high, low, switch_side, side_count };

  std::optional<AlarmType> level_of(double v, Side side) const;
  std::optional<double> threshold_of(AlarmType t) const;
  void evaluate_process(const Sample& s, std::vector<AlarmChange>& out);
  void evaluate_side(const Sample& s, Side side, std::vector<AlarmChange>& out);
  // A flagged sample: opens the episode once the fault has held `debounce` since `pending`.
  void flag_fault(AlarmType t, const Sample& s, std::optional<Pending>& pending,
                  std::optional<Episode>& ep, std::vector<AlarmChange>& out);
  void clear_fault(std::optional<Episode>& ep, const Sample& s, std::vector<AlarmChange>& out);
  bool clears(double v, Side side, AlarmType active) const;

  PointConfig cfg_;
  std::optional<SysTime> last_t_;
  std::optional<double> last_value_;
  SysTime value_since_{};  // when the value last changed (frozen detection)
  std::optional<Episode> process_[side_count];
  std::optional<Pending> pending_[side_count];
  std::optional<Episode> out_of_range_, frozen_, offline_, device_fault_;
  std::optional<Pending> pending_out_of_range_, pending_device_fault_;
  std::uint64_t out_of_order_ = 0;
};

}  // namespace hazmon::rules
