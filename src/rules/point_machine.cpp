#include <hazmon/rules/point_machine.hpp>

namespace hazmon::rules {

namespace {
int severity(AlarmType t) {
  switch (t) {
    case AlarmType::hh:
    case AlarmType::ll:
      return 2;
    case AlarmType::h:
    case AlarmType::l:
    case AlarmType::switch_on:
      return 1;
    default:
      return 0;
  }
}
}  // namespace

std::optional<AlarmType> PointMachine::level_of(double v, Side side) const {
  switch (side) {
    case high:
      if (cfg_.hh && v >= *cfg_.hh) return AlarmType::hh;
      if (cfg_.h && v >= *cfg_.h) return AlarmType::h;
      return std::nullopt;
    case low:
      if (cfg_.ll && v <= *cfg_.ll) return AlarmType::ll;
      if (cfg_.l && v <= *cfg_.l) return AlarmType::l;
      return std::nullopt;
    case switch_side:
      if (v == cfg_.switch_alarm_value) return AlarmType::switch_on;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<double> PointMachine::threshold_of(AlarmType t) const {
  switch (t) {
    case AlarmType::hh:
      return cfg_.hh;
    case AlarmType::h:
      return cfg_.h;
    case AlarmType::l:
      return cfg_.l;
    case AlarmType::ll:
      return cfg_.ll;
    case AlarmType::switch_on:
      return cfg_.switch_alarm_value;
    default:  // out_of_range and the data faults have no limit
      return std::nullopt;
  }
}

bool PointMachine::clears(double v, Side side, AlarmType) const {
  switch (side) {
    case high: {
      // Back below the lowest high limit by the deadband: the excursion is over.
      auto limit = cfg_.h ? cfg_.h : cfg_.hh;
      return !limit || v < *limit - cfg_.deadband;
    }
    case low: {
      auto limit = cfg_.l ? cfg_.l : cfg_.ll;
      return !limit || v > *limit + cfg_.deadband;
    }
    case switch_side:
      return v != cfg_.switch_alarm_value;
    default:
      return true;
  }
}

void PointMachine::flag_fault(AlarmType t, const Sample& s, std::optional<Pending>& pending,
                              std::optional<Episode>& ep, std::vector<AlarmChange>& out) {
  if (ep) return;  // already open: it stays open until a sample without the fault
  if (!pending) pending = Pending{t, s.t, s.value, s.t};
  if (s.t - pending->since < cfg_.debounce) return;
  ep = Episode{t, pending->since, pending->peak, pending->peak_at, s.suppressed, s.late};
  out.push_back({Transition::raised, t, pending->since, s.t, s.value, std::nullopt, pending->peak,
                 pending->peak_at, s.suppressed, s.late});
  pending.reset();
}

void PointMachine::clear_fault(std::optional<Episode>& ep, const Sample& s,
                               std::vector<AlarmChange>& out) {
  if (!ep) return;
  out.push_back({Transition::cleared, ep->type, ep->start, s.t, s.value, std::nullopt, ep->peak,
                 ep->peak_at, ep->suppressed, s.late});
  ep.reset();
}

void PointMachine::evaluate_side(const Sample& s, Side side, std::vector<AlarmChange>& out) {
  auto lvl = level_of(s.value, side);
  auto& ep = process_[side];
  auto& pending = pending_[side];
  auto more_extreme = [side](double a, double b) { return side == low ? a < b : a > b; };
  if (ep) {
    if (more_extreme(s.value, ep->peak)) {
      ep->peak = s.value;
      ep->peak_at = s.t;
    }
    if (lvl && severity(*lvl) > severity(ep->type)) {
      // Escalation (H → HH) must persist like a new alarm would.
      if (!pending || pending->type != *lvl) pending = Pending{*lvl, s.t, s.value, s.t};
      if (s.t - pending->since >= cfg_.debounce) {
        ep->type = *lvl;
        out.push_back({Transition::escalated, *lvl, ep->start, s.t, s.value, threshold_of(*lvl),
                       ep->peak, ep->peak_at, ep->suppressed, s.late});
        pending.reset();
      }
      return;
    }
    pending.reset();
    if (!lvl && clears(s.value, side, ep->type)) {
      out.push_back({Transition::cleared, ep->type, ep->start, s.t, s.value, threshold_of(ep->type),
                     ep->peak, ep->peak_at, ep->suppressed, s.late});
      ep.reset();
    }
    return;
  }
  if (!lvl) {
    pending.reset();
    return;
  }
  if (!pending) {
    pending = Pending{*lvl, s.t, s.value, s.t};
  } else {
    if (severity(*lvl) > severity(pending->type)) pending->type = *lvl;
    if (more_extreme(s.value, pending->peak)) {
      pending->peak = s.value;
      pending->peak_at = s.t;
    }
  }
  if (s.t - pending->since >= cfg_.debounce) {
    // The most severe level still active now; the episode starts at the first exceedance.
    ep = Episode{*lvl, pending->since, pending->peak, pending->peak_at, s.suppressed, s.late};
    out.push_back({Transition::raised, *lvl, pending->since, s.t, s.value, threshold_of(*lvl),
                   pending->peak, pending->peak_at, s.suppressed, s.late});
    pending.reset();
  }
}

void PointMachine::evaluate_process(const Sample& s, std::vector<AlarmChange>& out) {
  if (cfg_.analog) {
    evaluate_side(s, high, out);
    evaluate_side(s, low, out);
  } else {
    evaluate_side(s, switch_side, out);
  }
}

std::vector<AlarmChange> PointMachine::on_sample(const Sample& s) {
  std::vector<AlarmChange> out;
  if (last_t_ && s.t <= *last_t_) {
    ++out_of_order_;
    return out;
  }
  last_t_ = s.t;
  clear_fault(offline_, s, out);
  if (!cfg_.in_use) return out;

  // Quality gate: what the gateway itself flags is a data fault, not a process alarm.
  // A flagged sample never feeds the process alarms; the fault opens an episode only when it
  // persists for the point's debounce, like a threshold alarm.
  if (s.quality == 2 || s.quality == 3) {
    flag_fault(AlarmType::device_fault, s, pending_device_fault_, device_fault_, out);
    return out;
  }
  pending_device_fault_.reset();
  clear_fault(device_fault_, s, out);
  bool outside =
      s.quality == 1 || (cfg_.analog && ((cfg_.range_low && s.value < *cfg_.range_low) ||
                                         (cfg_.range_high && s.value > *cfg_.range_high)));
  if (outside) {
    flag_fault(AlarmType::out_of_range, s, pending_out_of_range_, out_of_range_, out);
    return out;
  }
  pending_out_of_range_.reset();
  clear_fault(out_of_range_, s, out);

  if (cfg_.analog) {
    if (!last_value_ || s.value != *last_value_) {
      value_since_ = s.t;
      clear_fault(frozen_, s, out);
    } else if (!frozen_ && s.t - value_since_ >= cfg_.frozen_after) {
      Sample at_start = s;
      frozen_ =
          Episode{AlarmType::frozen, value_since_, s.value, value_since_, s.suppressed, s.late};
      out.push_back({Transition::raised, AlarmType::frozen, value_since_, at_start.t, s.value,
                     std::nullopt, s.value, value_since_, s.suppressed, s.late});
    }
    last_value_ = s.value;
  }
  Sample eff = s;
  if (s.quality == 4) eff.suppressed = true;  // the enterprise says the unit is stopped
  evaluate_process(eff, out);
  return out;
}

std::vector<AlarmChange> PointMachine::on_tick(SysTime now) {
  std::vector<AlarmChange> out;
  if (!last_t_ || offline_ || !cfg_.in_use) return out;
  if (now - *last_t_ >= cfg_.offline_after) {
    offline_ = Episode{AlarmType::offline, *last_t_, 0, *last_t_, false, false};
    out.push_back({Transition::raised, AlarmType::offline, *last_t_, now, 0, std::nullopt, 0,
                   *last_t_, false, false});
  }
  return out;
}

void PointMachine::restore_open(AlarmType type, SysTime start, double peak, SysTime peak_at) {
  Episode ep{type, start, peak, peak_at, false, false};
  switch (type) {
    case AlarmType::hh:
    case AlarmType::h:
      process_[high] = ep;
      break;
    case AlarmType::ll:
    case AlarmType::l:
      process_[low] = ep;
      break;
    case AlarmType::switch_on:
      process_[switch_side] = ep;
      break;
    case AlarmType::out_of_range:
      out_of_range_ = ep;
      break;
    case AlarmType::frozen:
      frozen_ = ep;
      break;
    case AlarmType::offline:
      offline_ = ep;
      break;
    case AlarmType::device_fault:
      device_fault_ = ep;
      break;
  }
}

void PointMachine::restore_last_sample(SysTime t, double value) {
  if (!last_t_ || t > *last_t_) {
    last_t_ = t;
    last_value_ = value;
    value_since_ = t;
  }
}

bool PointMachine::has_active(AlarmType t) const {
  for (const auto& ep : process_)
    if (ep && ep->type == t) return true;
  for (const auto* ep : {&out_of_range_, &frozen_, &offline_, &device_fault_})
    if (*ep && (*ep)->type == t) return true;
  return false;
}

}  // namespace hazmon::rules

namespace hazmon::rules {

MachineState PointMachine::state() const {
  MachineState st;
  st.last_t = last_t_;
  st.last_value = last_value_;
  st.value_since = value_since_;
  for (int i = 0; i < side_count; ++i) {
    st.process[i] = process_[i];
    st.pending[i] = pending_[i];
  }
  st.out_of_range = out_of_range_;
  st.frozen = frozen_;
  st.offline = offline_;
  st.device_fault = device_fault_;
  st.pending_out_of_range = pending_out_of_range_;
  st.pending_device_fault = pending_device_fault_;
  return st;
}

void PointMachine::restore(const MachineState& st) {
  last_t_ = st.last_t;
  last_value_ = st.last_value;
  value_since_ = st.value_since;
  for (int i = 0; i < side_count; ++i) {
    process_[i] = st.process[i];
    pending_[i] = st.pending[i];
  }
  out_of_range_ = st.out_of_range;
  frozen_ = st.frozen;
  offline_ = st.offline;
  device_fault_ = st.device_fault;
  pending_out_of_range_ = st.pending_out_of_range;
  pending_device_fault_ = st.pending_device_fault;
}

}  // namespace hazmon::rules
