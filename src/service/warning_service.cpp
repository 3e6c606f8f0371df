#include <hazmon/service/warning_service.hpp>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <hazmon/core/metrics.hpp>
#include <hazmon/service/ingest_service.hpp>

#include "warning_impl.hpp"

// The worker thread (core::SerialWorker "warnings"): alarm changes, ticks, closes and rule
// reloads are posted here and handled one at a time (warning_decisions.cpp does the work); the
// periodic check runs every check_interval on the same thread. stop() drains with a deadline.
namespace hazmon::service {
using nlohmann::json;
using namespace std::chrono;
using warning_detail::Work;

void WarningService::Impl::handle(Work& w) {
  switch (w.kind) {
    case Work::Kind::alarm:
      handle_alarm(w.alarm);
      break;
    case Work::Kind::tick:
      handle_tick();
      break;
    case Work::Kind::closed: {
      auto key = warning_detail::target_key(w.company_code, w.hazard_code, w.prodcell_id);
      auto it = open_ids.find(key);
      // A newer event may already be open (created while the close was queued).
      if (it == open_ids.end() || it->second == w.event_id) {
        if (it != open_ids.end()) open_ids.erase(it);
        engine.event_closed(w.company_code, w.hazard_code, w.prodcell_id);
      }
      break;
    }
    case Work::Kind::reload:
      reload_rules();
      break;
    case Work::Kind::turn:
      take_turns(w.turns);
      break;
  }
}

void WarningService::Impl::run(Work& w) {
  try {
    handle(w);
  } catch (const std::exception& e) {
    ++n_failures;
    log->warn("warning work item failed: {}", e.what());
  }
  if (w.waited) w.done.set_value();
}

// Control work (ticks, closes, reloads) is never refused for a full queue, only while stopping.
void WarningService::Impl::enqueue(std::unique_ptr<Work> w) {
  worker->post_always([this, w = std::move(w)]() mutable { run(*w); });
}

WarningService::WarningService(storage::Database& db, WarningSettings s, const core::Clock& clock,
                               core::Metrics* metrics, core::Liveness* liveness)
    : impl_(std::make_unique<Impl>(db, std::move(s), clock, liveness)) {
  if (metrics) {
    auto& c = prometheus::BuildCounter()
                  .Name("hazmon_warning_events_total")
                  .Help("Warning events created and escalated, alarm changes dropped")
                  .Register(metrics->registry());
    impl_->m_created = &c.Add({{"kind", "created"}});
    impl_->m_escalated = &c.Add({{"kind", "escalated"}});
    impl_->m_dropped = &c.Add({{"kind", "alarm_dropped"}});
  }
}

WarningService::~WarningService() { stop(); }

void WarningService::subscribe(IngestService& ingest) {
  ingest.on_alarm([this](const model::AlarmEvent& a) { on_alarm(a); });
  // Never refused for a full queue: the alarm changes queued after it rely on its reload.
  ingest.on_rules_turn([this](const std::vector<RulesTurn>& turns) {
    auto w = std::make_unique<Work>();
    w->kind = Work::Kind::turn;
    w->turns = turns;
    impl_->enqueue(std::move(w));
  });
}

void WarningService::set_node(const std::string& id, bool cluster) {
  impl_->node_id = id;
  impl_->cluster = cluster;
}

void WarningService::on_push(std::function<void(const model::WarningPush& push)> hook) {
  std::lock_guard lock(impl_->hook_mu);
  impl_->push_hooks.push_back(std::move(hook));
}

std::optional<model::WarningPush> WarningService::push_of(long long id, const std::string& reason) {
  return impl_->push_of(id, reason);
}

void WarningService::start() {
  auto& i = *impl_;
  try {
    i.reload_rules();
    i.restore();
  } catch (const std::exception& e) {
    i.log->warn(
        "warning rules or state not loaded ({}); using the built-in defaults until a reload",
        e.what());
  }
  if (i.s.check_interval > seconds(0))
    i.worker->every("deadlines", duration_cast<milliseconds>(i.s.check_interval), [&i] {
      Work w;
      w.kind = Work::Kind::tick;
      i.run(w);
    });
  i.worker->start();
}

// What is queued still runs (up to 30 s, then the rest is dropped and logged); alarm changes
// arriving meanwhile are dropped and counted, and re-read from the open alarms at the next start.
void WarningService::stop() { impl_->worker->stop(core::SerialWorker::OnStop::drain, seconds(30)); }

void WarningService::on_alarm(const model::AlarmEvent& a) {
  auto& i = *impl_;
  ++i.n_seen;
  if (a.data_fault || !rules::is_process_alarm_type(model::to_string(a.type)))
    return;  // never an event; not worth a queue slot
  auto w = std::make_unique<Work>();
  w->alarm = a;
  if (i.worker->post([&i, w = std::move(w)]() mutable { i.run(*w); })) return;
  ++i.n_dropped;
  if (i.m_dropped) i.m_dropped->Increment();
  if (i.n_dropped % 1000 == 1)
    i.log->error(
        "warning queue full: {} alarm changes dropped so far (they are re-read at the next "
        "restart)",
        i.n_dropped.load());
}

void WarningService::tick() {
  auto w = std::make_unique<Work>();
  w->kind = Work::Kind::tick;
  w->waited = true;
  auto fut = w->done.get_future();
  impl_->enqueue(std::move(w));
  fut.wait_for(seconds(30));
}

void WarningService::announce(long long id) { impl_->notify(id, "created"); }

WarningStats WarningService::stats() const {
  const auto& i = *impl_;
  return {i.n_seen, i.n_dropped, i.n_created, i.n_raised, i.n_escalated, i.n_failures};
}

}  // namespace hazmon::service
