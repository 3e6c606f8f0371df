#pragma once
// Where warning events (预警事件) are stored: the tables `warning_event`, `warning_event_alarm`
// (the alarm episodes linked to an event) and `disposal_record` (every transition, append-only),
// and the warning rules in `warning_rule` (WarningRuleStore). All in the caller's transaction;
// rows come back as model structs with real enums. service::WarningService holds the rules and
// the workflow; nothing outside storage writes these tables.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/page.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/warning.hpp>

namespace hazmon::storage {

class Tx;

// What the disposal rules need of an event, read under a row lock.
struct EventStateRow {
  long long id = 0;
  std::string company_code;
  std::optional<std::string> hazard_code, prodcell_id;
  model::WarningSource source = model::WarningSource::sensor;
  model::DisposalState status = model::DisposalState::pending;
  model::WarningLevel level = model::WarningLevel::blue;
  std::optional<core::SysTime> feedback_deadline_ts, check_deadline_ts, close_deadline_ts;
  bool overdue = false;
  int escalation_count = 0;
};

// The state written after a change; the deadline goes into the current stage's column
// (pushed: feedback, fed_back: check, checked: close; none otherwise).
struct EventStateWrite {
  model::DisposalState status = model::DisposalState::pending;
  model::WarningLevel level = model::WarningLevel::blue;
  std::optional<core::SysTime> deadline;
  bool overdue = false;
  int escalations = 0;
};

struct NewWarningEvent {
  long long id = 0;  // from next_id()
  std::string event_no;
  model::WarningSource source = model::WarningSource::sensor;
  std::string company_code;
  std::optional<std::string> hazard_code, county_code, city_code;
  std::optional<std::string> prodcell_id;  // a non-major unit's sensor event (ADR 0019)
  model::WarningLevel level = model::WarningLevel::blue;
  std::optional<long long> rule_id;
  model::WarningCategory category = model::WarningCategory::threshold;
  std::string content;
  model::DisposalState status = model::DisposalState::pending;
  core::SysTime first_ts{}, last_ts{};
};

struct NewDisposalRecord {
  long long event_id = 0;
  core::SysTime at{};
  std::optional<long long> actor_id;  // null for the system
  std::string actor_name;
  model::ActorKind actor_role = model::ActorKind::system;
  std::string user_role;
  model::DisposalAction action = model::DisposalAction::create;
  model::DisposalState from_status = model::DisposalState::pending,
                       to_status = model::DisposalState::pending;
  model::WarningLevel level_before = model::WarningLevel::blue,
                      level_after = model::WarningLevel::blue;
  std::optional<model::FeedbackCause> cause;
  std::string measures, text;
  std::optional<core::SysTime> deadline_ts;
  bool overdue = false;
};

// An alarm episode joining an event (upserted on (event, point, start)).
struct AlarmLinkWrite {
  int point_id = 0;
  core::SysTime start{};
  std::string quota_code, type;
  double value = 0;
  std::optional<double> threshold;
};

// Open sensor events and open platform alarms, to rebuild the rules engine's state at start.
struct OpenSensorEvent {
  long long id = 0;
  std::string company_code, hazard_code, prodcell_id;  // "" when absent
  model::WarningLevel level = model::WarningLevel::blue;
  model::WarningCategory category = model::WarningCategory::threshold;
};
struct OpenAlarm {
  int point_id = 0;
  std::string quota_code, company_code, hazard_code, alarm_type, region_code;
  std::string prodcell_id;  // the point's non-major unit when hazard_code is "" (ADR 0019)
  core::SysTime start_ts{};
  double value = 0;
  std::optional<double> threshold;
  int rank = 4;
  bool linked_open = false, linked_any = false;
  std::optional<core::SysTime> end_ts;  // only from platform_alarms_of: an ended episode
};

struct HazardRow {
  int rank = 4;
  std::string hazard_name, region_code, company_name;
};

struct WarningEventFilter {
  std::optional<model::DisposalState> status;
  std::optional<model::WarningLevel> level;
  std::optional<std::string> company_code;
  std::optional<bool> overdue;
  std::optional<core::SysTime> from, to;  // on first_ts, [from, to)
};

using WarningEventPage = model::Page<model::WarningEvent>;

class WarningEventStore {
 public:
  // ---- reads for people (inside their scope) ----
  WarningEventPage list(Tx& tx, const model::Scope& scope, const WarningEventFilter& f, int limit,
                        long long offset) const;
  // nullopt outside the scope too; for_update locks the event row.
  std::optional<model::WarningEvent> find(Tx& tx, const model::Scope& scope, long long id,
                                          bool for_update) const;
  std::optional<model::WarningEvent> find(Tx& tx, long long id) const;
  std::vector<model::WarningAlarmLink> alarms(Tx& tx, long long id) const;
  std::vector<model::DisposalRecord> records(Tx& tx, long long id) const;

  // ---- the worker ----
  std::vector<OpenSensorEvent> open_sensor_events(Tx& tx) const;
  std::vector<OpenAlarm> open_platform_alarms(Tx& tx) const;
  // The same for some enterprises only, to rebuild their part of the engine when their rules
  // state moved between nodes (ADR 0028): their open sensor events, and their platform alarms
  // that are open or ended at or after `ended_since` (the combination rules' window).
  std::vector<OpenSensorEvent> sensor_events_of(Tx& tx,
                                                const std::vector<std::string>& companies) const;
  std::vector<OpenAlarm> platform_alarms_of(Tx& tx, const std::vector<std::string>& companies,
                                            core::SysTime ended_since) const;
  std::optional<HazardRow> hazard(Tx& tx, const std::string& hazard_code) const;
  // What the worker needs about a non-major unit (prodcell_id) or, with "", the enterprise's
  // own points: rank 0 (unranked), the unit's name as hazard_name ("" for the enterprise).
  std::optional<HazardRow> unranked_target(Tx& tx, const std::string& company_code,
                                           const std::string& prodcell_id) const;
  std::optional<std::string> point_name(Tx& tx, const std::string& quota_code) const;
  std::optional<std::string> enterprise_region(Tx& tx, const std::string& company_code) const;
  // The open sensor event of a hazard source (or, hazard_code "", of the non-major unit
  // prodcell_id or of the enterprise's own points), locked.
  std::optional<EventStateRow> lock_open_sensor_event(Tx& tx, const std::string& company_code,
                                                      const std::string& hazard_code,
                                                      const std::string& prodcell_id = {}) const;
  std::optional<EventStateRow> lock(Tx& tx, long long id) const;
  // Events whose current stage deadline is at or before `now` and that may still escalate.
  std::vector<long long> past_deadline(Tx& tx, core::SysTime now, int max_escalations) const;

  // ---- writes ----
  long long next_id(Tx& tx) const;
  void insert(Tx& tx, const NewWarningEvent& e) const;
  void save_state(Tx& tx, long long id, const EventStateWrite& s) const;
  void set_feedback(Tx& tx, long long id, model::FeedbackCause cause,
                    const std::string& measures) const;
  void set_closed(Tx& tx, long long id, core::SysTime at) const;
  // last_ts = greatest(last_ts, at).
  void touch(Tx& tx, long long id, core::SysTime at) const;
  void link_alarm(Tx& tx, long long event_id, const AlarmLinkWrite& a,
                  core::SysTime linked_at) const;
  void add_record(Tx& tx, const NewDisposalRecord& r) const;
};

// A warning rule row; the JSON columns (alarm_types, hazard_ranks, level_by_rank) stay JSON text.
struct WarningRuleRow {
  long long id = 0;
  std::string name;
  model::WarningCategory category = model::WarningCategory::threshold;
  bool enabled = true;
  std::string scope_kind;  // province | region | enterprise
  std::optional<std::string> scope_code;
  std::string alarm_types, hazard_ranks, level_by_rank;  // JSON text
  long long min_duration_s = 0, min_points = 1, window_s = 600;
  int level_step = 0;
  std::string description;
  core::SysTime updated_at{};
};

class WarningRuleStore {
 public:
  std::vector<WarningRuleRow> all(Tx& tx) const;
  std::optional<WarningRuleRow> lock(Tx& tx, long long id) const;
  // id and updated_at are ignored on the way in and set on the way out.
  WarningRuleRow insert(Tx& tx, const WarningRuleRow& r, long long updated_by) const;
  WarningRuleRow update(Tx& tx, const WarningRuleRow& r, long long updated_by) const;
  bool region_exists(Tx& tx, const std::string& code) const;
  bool enterprise_exists(Tx& tx, const std::string& company_code) const;
};

}  // namespace hazmon::storage
