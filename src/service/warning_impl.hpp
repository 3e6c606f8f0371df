#pragma once
// Inside service only: WarningService's state, shared by its files by job:
//   warning_service.cpp   the worker thread, its queue and the public entry points
//   warning_decisions.cpp rules-engine decisions → events, pushes, deadlines and escalation
//   warning_disposal.cpp  queries and transitions for people (list, get, transition, video)
//   warning_rule_admin.cpp warning rules: API form, checks, create and update
//   warning_turns.cpp     node.cluster: the engine's state follows the rules ownership
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <hazmon/core/log.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/rules/disposal.hpp>
#include <hazmon/rules/warning_rules.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/warning_event_store.hpp>

namespace prometheus {
class Counter;
}

namespace hazmon::service {

namespace warning_detail {

// What an event's content and routing need about its target: a hazard source (rank 1–4), or a
// non-major unit / the enterprise's own points (rank 0 = rules::kUnranked, hazard_name the
// unit's name or "").
struct HazardInfo {
  int rank = 4;
  std::string region_code, company_name, hazard_name;
  core::SysTime loaded;
};

struct Work {
  enum class Kind { alarm, tick, closed, reload, turn } kind = Kind::alarm;
  model::AlarmEvent alarm;
  std::vector<RulesTurn> turns;  // turn
  std::string company_code, hazard_code, prodcell_id;
  long long event_id = 0;
  std::promise<void> done;
  bool waited = false;
};

struct Pending {
  rules::WarningDecision decision;
  int attempts = 0;
};

rules::EventState state_of(const storage::EventStateRow& row);
rules::EventState state_of(const model::WarningEvent& ev);
storage::EventStateWrite write_of(const rules::EventState& e);
std::string ts(core::SysTime t);
// "YJ" + yyyyMMdd (UTC+8) + the id, at least 6 digits.
std::string event_no(core::SysTime first, long long id);
// County and city codes of an enterprise region (a county's city is its first four digits + 00).
std::pair<std::optional<std::string>, std::optional<std::string>> county_and_city(
    const std::string& region);
const char* actor_name_zh(rules::ActorKind k);
std::string recipients_zh(rules::WarningLevel level, int escalations);
// The key of an event target in open_ids: a hazard source, else a non-major unit, else the
// enterprise's own points (as rules::WarningEngine groups them; ADR 0019).
std::string target_key(const std::string& company, const std::string& hazard,
                       const std::string& unit);

}  // namespace warning_detail

struct WarningService::Impl {
  using Work = warning_detail::Work;
  using Pending = warning_detail::Pending;
  using HazardInfo = warning_detail::HazardInfo;

  storage::Database& db;
  WarningSettings s;
  const core::Clock& clock;
  storage::WarningEventStore events;
  storage::WarningRuleStore rule_store;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::service);

  // The one thread (core::SerialWorker): alarm changes (bounded by max_queued_alarms), ticks,
  // closes and rule reloads, one at a time; the periodic check is a task on the same thread.
  std::unique_ptr<core::SerialWorker> worker;

  std::mutex hook_mu;
  std::vector<std::function<void(const model::WarningPush&)>> push_hooks;

  // Worker-thread state.
  rules::WarningEngine engine;
  std::unordered_map<std::string, HazardInfo> hazards;
  // target_key(company, hazard, unit) → open event id
  std::unordered_map<std::string, long long> open_ids;
  std::deque<Pending> retry;

  // node.cluster (ADR 0028; warning_turns.cpp): company → the rules_owner seq this engine's
  // state of it is current at (this node's own turns, as the ingest tells them).
  std::string node_id;
  bool cluster = false;
  std::unordered_map<std::string, long long> turn_at;
  void take_turns(const std::vector<RulesTurn>& turns);
  void reload_companies(const std::vector<std::string>& companies);
  // The enterprises this node ticks now (a filter for the engine's on_tick; empty without
  // node.cluster): those whose turn it holds and is current at, and those no node evaluated.
  std::function<bool(const std::string&)> ticked_companies();

  std::atomic<std::uint64_t> n_seen{0}, n_dropped{0}, n_created{0}, n_raised{0}, n_escalated{0},
      n_failures{0};
  prometheus::Counter* m_created = nullptr;
  prometheus::Counter* m_escalated = nullptr;
  prometheus::Counter* m_dropped = nullptr;

  // A job is one alarm change, close or deadline check: a few statements. Two minutes of
  // silence means it hangs (the database without a statement timeout, a lock).
  Impl(storage::Database& d, WarningSettings st, const core::Clock& c, core::Liveness* live)
      : db(d),
        s(std::move(st)),
        clock(c),
        worker(std::make_unique<core::SerialWorker>(
            core::SerialWorkerOptions{.name = "warnings",
                                      .capacity = s.max_queued_alarms,
                                      .allowance = std::chrono::minutes(2),
                                      .liveness = live,
                                      .log = core::LogModule::service})) {}

  // warning_decisions.cpp
  void reload_rules();
  void restore();
  void load_state(const std::vector<storage::OpenSensorEvent>& open,
                  const std::vector<storage::OpenAlarm>& alarms, core::SysTime now);
  const HazardInfo& hazard_info(const std::string& hazard_code);
  // A non-major unit's (prodcell_id) or the enterprise's own points' ("") target info.
  const HazardInfo& unranked_info(const std::string& company_code, const std::string& prodcell_id);
  const HazardInfo& target_info(const rules::WarningDecision& d);
  void handle_alarm(const model::AlarmEvent& w);
  void apply_or_retry(rules::WarningDecision d, int attempts = 0);
  void link_alarms(storage::Tx& tx, long long event_id, const std::vector<rules::AlarmRef>& alarms,
                   core::SysTime now);
  void record(storage::Tx& tx, long long event_id, core::SysTime at, const model::Principal* who,
              rules::ActorKind kind, rules::DisposalAction action, const rules::EventState& before,
              const rules::EventState& after, const std::optional<rules::FeedbackCause>& cause,
              const std::string& measures, const std::string& text);
  void save_state(storage::Tx& tx, long long id, const rules::EventState& e);
  rules::EventState push(storage::Tx& tx, long long id, const rules::EventState& e,
                         core::SysTime now);
  void apply(const rules::WarningDecision& d);
  bool raise_open_event(storage::Tx& tx, const rules::WarningDecision& d,
                        const storage::EventStateRow& row, core::SysTime now,
                        std::optional<rules::WarningLevel>& new_level);
  long long create_event(storage::Tx& tx, const rules::WarningDecision& d, const HazardInfo& info,
                         core::SysTime now);
  std::optional<model::WarningPush> push_of(long long id, const std::string& reason);
  void notify(long long id, const std::string& reason);
  void check_deadlines(core::SysTime now);
  void escalate(long long id, core::SysTime now);
  void handle_tick();

  // warning_service.cpp
  void handle(Work& w);
  void run(Work& w);  // handle, count and log a failure, then wake a waiting tick()
  void enqueue(std::unique_ptr<Work> w);

  // warning_disposal.cpp
  model::WarningEvent event_in_scope(storage::Tx& tx, const model::Principal& who, long long id,
                                     bool for_update);
};

}  // namespace hazmon::service
