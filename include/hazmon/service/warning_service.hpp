#pragma once
// Warning events (预警事件) and their disposal. Alarm changes from IngestService are queued and
// evaluated on this service's own thread by rules::WarningEngine against the rules in the
// `warning_rule` table; events, their alarms and every transition (disposal_record) are
// written through storage::WarningEventStore. A sensor event starts `pending` and is pushed by
// the system at once (the on_push listeners: live stream, NotificationService); deadlines are
// checked every check_interval and by tick(). Queries and transitions run on the caller's thread
// under the caller's scope: rows outside it are absent (404). The code is split by job; see
// src/service/warning_impl.hpp.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/alarm.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/warning_view.hpp>
#include <hazmon/rules/disposal.hpp>
#include <hazmon/rules/warning_rules.hpp>

namespace hazmon::storage {
class Database;
class Tx;
}  // namespace hazmon::storage
namespace hazmon::core {
class Metrics;
class Liveness;
}  // namespace hazmon::core

namespace hazmon::service {

class IngestService;

// A video AI event a person confirmed (人工审核) as a warning event: VideoService builds it.
struct VideoWarning {
  std::string company_code;
  std::string hazard_code;  // the camera's hazard source; empty when the camera has none
  rules::WarningLevel level = rules::WarningLevel::yellow;
  std::string content;      // Chinese: analyser, camera name and location, time
  core::SysTime first{};    // when the episode started
  std::string review_text;  // the reviewer's note, kept on the confirm record
};

// A warning the system raises of a category of its own, not from alarms or video: a day's safety
// commitment missing at the deadline hour (CommitmentService: category and source commitment),
// a SIS loop tripped or bypassed past its expiry (SisService: category and source sis).
struct SystemWarning {
  std::string company_code;
  std::optional<std::string> hazard_code;  // empty: the enterprise as a whole
  model::WarningCategory category = model::WarningCategory::commitment;
  model::WarningSource source = model::WarningSource::commitment;
  rules::WarningLevel level = rules::WarningLevel::yellow;
  std::string content;  // Chinese: what happened, where and when
  core::SysTime first{};
};

struct WarningSettings {
  rules::DisposalSettings disposal;
  std::chrono::seconds check_interval{30};  // deadlines and minimum durations; 0: only tick()
  std::size_t max_queued_alarms =
      100000;  // alarm changes waiting; above this they are dropped and counted
};
// The config's `warnings` section (check interval, escalation, deadlines per level).
void from_json(const nlohmann::json& j, WarningSettings& s);

struct WarningStats {
  std::uint64_t alarms_seen = 0, alarms_dropped = 0, events_created = 0, levels_raised = 0,
                escalations = 0, failures = 0;
};

// A warning rule (预警规则) as people see and edit it: the rule, its description, when it last
// changed, and its scope's kind and code as stored (the code null or absent for the province).
struct WarningRuleView {
  rules::WarningRule rule;
  std::string scope_kind;  // province | region | enterprise
  std::optional<std::string> scope_code;
  std::string description;
  core::SysTime updated_at{};
};

class WarningService {
 public:
  // `liveness`: the "warnings" worker enrolls there (the watchdog's registry).
  WarningService(storage::Database& db, WarningSettings s, const core::Clock& clock,
                 core::Metrics* metrics = nullptr, core::Liveness* liveness = nullptr);
  ~WarningService();
  WarningService(const WarningService&) = delete;

  // Registers with IngestService::on_alarm and on_rules_turn (call before ingest starts).
  void subscribe(IngestService& ingest);
  // Before start(): this node's id and node.cluster. With it, the rules state of an enterprise
  // (duration and combination rules) follows the ingest's ownership (ADR 0028): reloaded from
  // PostgreSQL when this node takes a turn after another, ticked only while this node holds it.
  void set_node(const std::string& id, bool cluster);
  // Adds a listener called after the event is pushed or its level or recipients change, off the
  // caller's thread (the service's worker). Listeners run in the order added (live stream,
  // notify, ...).
  void on_push(std::function<void(const model::WarningPush& push)> hook);
  // The push the listeners hear for event `id` with `reason` as it stands now; nullopt when there
  // is no such event.
  std::optional<model::WarningPush> push_of(long long id, const std::string& reason);

  void start();  // loads rules and open state, starts the worker
  void stop();   // finishes what is queued, then stops

  // Queues one alarm change; never blocks on the database.
  void on_alarm(const model::AlarmEvent& a);
  // Processes everything queued before it, then checks minimum durations and deadlines at
  // clock.now(); returns when done (tests drive time with a FakeClock).
  void tick();

  // GET /warning-events: filters status, level, company_code, overdue, from, to. The routes turn
  // the structs into JSON (src/api/warning_json.cpp).
  model::WarningEventPage list(const model::Principal& who,
                               const std::map<std::string, std::string>& filters, int limit,
                               long long offset);
  // One event with its alarms, disposal records, recipients and the actions the caller may take.
  model::WarningEventDetail get(const model::Principal& who, long long id);
  // {action, cause?, measures?, text?}: 404 outside the scope, 403 for the wrong role, 409 in the
  // wrong state, 422 when incomplete. Returns the event as get() does.
  model::WarningEventDetail transition(const model::Principal& who, long long id,
                                       const nlohmann::json& body);

  // Warning rules (the API edge, src/api/warning_rule_json.cpp, gives them their JSON form and
  // checks a body's shape; check_rule's problems are 422 here, with "/field" pointers).
  std::vector<WarningRuleView> list_rules(const model::Principal& who);
  // From `in`, rule (its id ignored) and description; the answer as stored.
  WarningRuleView create_rule(const model::Principal& who, const WarningRuleView& in);
  // A PATCH: `edit` gets the rule as it stands, with its row locked, and returns the new one
  // (the API merges the body onto it there), so two edits never overwrite each other. 403 for
  // machines, 404 when absent, then 403 for anyone but a province administrator.
  using RuleEdit = std::function<WarningRuleView(const WarningRuleView& current)>;
  WarningRuleView update_rule(const model::Principal& who, long long id, const RuleEdit& edit);

  // Inside the caller's transaction (so the review and the event commit together): creates a
  // `video_ai` warning event in pending_review, records the reviewer's confirm (county, city or
  // province; 403 otherwise) and the system's push. Returns its id; after the commit call
  // announce() so the on_push listeners (live stream, notify) hear of it.
  long long raise_video_event(storage::Tx& tx, const model::Principal& reviewer,
                              const VideoWarning& w);
  void announce(long long id);

  // Inside the caller's transaction: a system warning event (a missing commitment, a SIS trip or
  // expired bypass), created and pushed by the system at once. Returns its id; call announce()
  // after the commit. The caller closes it with close_system_event when the cause ends.
  long long raise_system_event(storage::Tx& tx, const SystemWarning& w);
  // Inside the caller's transaction: the system closes the event with `text` on the record;
  // false (nothing written) when it is already closed.
  bool close_system_event(storage::Tx& tx, long long id, const std::string& text);

  WarningStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::service
