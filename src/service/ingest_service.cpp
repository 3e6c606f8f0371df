// IngestService's public face: start and stop, uploads submitted to the writer and waited for,
// the envelope, reloads and statistics. The parts: ingest_impl.hpp.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <hazmon/core/json_text.hpp>
#include <hazmon/core/metrics.hpp>

#include "ingest_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;

IngestService::IngestService(storage::Database& db, IngestSettings s, const core::Clock& clock,
                             core::Metrics* metrics, core::Liveness* liveness)
    : impl_(std::make_unique<Impl>(db, std::move(s), clock, liveness)) {
  impl_->spool = std::make_unique<storage::Spool>(impl_->s.spool_file);
  if (metrics) {
    auto& reg = metrics->registry();
    auto& c = prometheus::BuildCounter()
                  .Name("hazmon_ingest_events_total")
                  .Help("Ingest events by kind")
                  .Register(reg);
    impl_->m_readings = &c.Add({{"kind", "reading_accepted"}});
    impl_->m_rejected = &c.Add({{"kind", "item_rejected"}});
    impl_->m_spooled = &c.Add({{"kind", "group_spooled"}});
    impl_->m_busy = &c.Add({{"kind", "busy_503"}});
    impl_->m_raised = &c.Add({{"kind", "alarm_raised"}});
    impl_->m_cleared = &c.Add({{"kind", "alarm_cleared"}});
    auto& g = prometheus::BuildGauge()
                  .Name("hazmon_ingest_backlog")
                  .Help("Readings queued and spool records pending")
                  .Register(reg);
    impl_->m_queue = &g.Add({{"kind", "queued_readings"}});
    impl_->m_spool = &g.Add({{"kind", "spool_records"}});
  }
}

IngestService::~IngestService() { stop(); }

void IngestService::start() {
  try {
    impl_->load_points();
    impl_->load_filings();
  } catch (const std::exception& e) {
    impl_->log->warn("registry not loaded yet ({}); uploads are rejected until it is", e.what());
  }
  auto& i = *impl_;
  if (i.writer.running()) return;
  i.ticker.every("timers", ingest_detail::kTimersEvery, [&i] { i.enqueue_tick(); });
  i.ticker.every(
      "maintenance", ingest_detail::kMaintenanceEvery, [&i] { i.maintenance(); },
      /*at_start=*/true);
  i.writer.start();
  i.tasks.start();
  i.ticker.start();
  i.loader.start();
}

void IngestService::stop() {
  auto& i = *impl_;
  if (!i.writer.running() || i.stop_called.exchange(true)) return;
  {
    std::lock_guard lock(i.points_mu);
    i.stopping_loader = true;
  }
  i.points_cv.notify_all();
  i.loader.stop(core::SerialWorker::OnStop::drop, seconds(30));
  i.ticker.stop(core::SerialWorker::OnStop::drop, seconds(30));
  i.tasks.stop(core::SerialWorker::OnStop::drop, seconds(30));  // after a task that is running now
  // Uploads already queued are written; what is left when their callers have given up (the
  // reply timeout) is answered "shutting down" and dropped.
  i.stopping = true;
  i.writer.stop(core::SerialWorker::OnStop::drain,
                std::max(duration_cast<milliseconds>(i.s.reply_timeout), milliseconds(1000)));
  i.commit_group();  // a group gathered when the deadline cut the queue; the writer thread is gone
}

json IngestService::upload(const model::Principal& caller, const json& body) {
  auto& i = *impl_;
  auto snap = i.fresh();
  ingest::UploadSettings us{i.s.max_items_per_upload, i.s.max_future_skew, i.s.max_reading_age};
  auto p = std::make_unique<Pending>();
  p->upload = ingest::decode_upload(body, *snap, caller, i.clock.now(), us);
  if (!i.s.forward_path.empty()) p->forward_body = body.dump();
  return submit(std::move(p));
}

json IngestService::upload_text(const model::Principal& caller, std::string_view body) {
  auto& i = *impl_;
  auto snap = i.fresh();
  ingest::UploadSettings us{i.s.max_items_per_upload, i.s.max_future_skew, i.s.max_reading_age};
  auto p = std::make_unique<Pending>();
  p->upload = ingest::decode_upload_text(body, *snap, caller, i.clock.now(), us);
  if (!i.s.forward_path.empty()) p->forward_body = std::string(body);
  return submit(std::move(p));
}

json IngestService::submit(std::unique_ptr<Pending> p) {
  auto& i = *impl_;
  i.n_uploads++;
  i.n_readings += p->upload.readings.size();
  i.n_rejected += p->upload.rejected.size();
  if (i.m_readings) i.m_readings->Increment(static_cast<double>(p->upload.readings.size()));
  if (i.m_rejected) i.m_rejected->Increment(static_cast<double>(p->upload.rejected.size()));
  auto fut = p->reply.get_future();
  if (i.stopping)
    throw Error(Errc::unavailable, core::Reason::shutting_down,
                "the server is shutting down; retry shortly");
  auto n = p->upload.readings.size();
  if (!i.writer.post(Impl::WriteJob(&i, std::move(p)), n)) {
    // The job was destroyed unrun: its caller-side answer is this exception, not the promise.
    if (i.stopping)
      throw Error(Errc::unavailable, core::Reason::shutting_down,
                  "the server is shutting down; retry shortly");
    i.n_busy++;
    if (i.m_busy) i.m_busy->Increment();
    throw Error(Errc::unavailable, core::Reason::ingest_queue_full,
                "the ingest queue is full; retry shortly");
  }
  if (i.m_queue) i.m_queue->Set(static_cast<double>(i.writer.queued_weight()));
  if (fut.wait_for(i.s.reply_timeout) != std::future_status::ready)
    throw Error(Errc::unavailable, core::Reason::ingest_timeout,
                "storing the upload took too long; resend it with the same dataId");
  return fut.get();
}

json IngestService::open_envelope(const std::string& data, const std::string& cipher,
                                  const std::string& key_hex, const std::string& iv_hex,
                                  const std::string& app_id) const {
  auto plain = ingest::decrypt_envelope_data(data, cipher, key_hex, iv_hex, app_id);
  // Text that decrypted but is not a sane JSON document gets the very answer a failed
  // decryption gets: telling them apart would be a padding oracle for the CBC variants.
  auto unopened = [] {
    return Error(Errc::bad_request, "the envelope could not be opened with this credential's key");
  };
  if (!core::json_nesting_within(plain)) throw unopened();
  try {
    return json::parse(plain);
  } catch (const json::exception&) {  // parse_error, and out_of_range for 1e400 (tests/fuzz)
    throw unopened();
  }
}

void IngestService::reload() {
  auto gen = impl_->points_wanted.load();
  impl_->load_points();
  impl_->points_loaded(gen);
  impl_->load_filings();
}

void IngestService::points_changed() { impl_->points_changed(); }

void IngestService::on_maintenance(std::function<void()> task) {
  impl_->maintenance_tasks.push_back(std::move(task));
}

void IngestService::on_alarm(std::function<void(const model::AlarmEvent&)> listener) {
  std::lock_guard lock(impl_->listeners_mu);
  impl_->listeners.push_back(std::move(listener));
}

void IngestService::on_rules_turn(std::function<void(const std::vector<RulesTurn>&)> listener) {
  std::lock_guard lock(impl_->listeners_mu);
  impl_->turn_listeners.push_back(std::move(listener));
}

void IngestService::tick() {
  auto p = std::make_unique<Pending>();
  p->tick = true;
  auto fut = p->reply.get_future();
  impl_->writer.post_always(Impl::WriteJob(impl_.get(), std::move(p)));
  fut.wait_for(seconds(30));
}

IngestStats IngestService::stats() const {
  auto& i = *impl_;
  IngestStats st;
  st.uploads = i.n_uploads;
  st.readings = i.n_readings;
  st.rejected = i.n_rejected;
  st.duplicates = i.n_duplicates;
  st.groups = i.n_groups;
  st.spooled_groups = i.n_spooled;
  st.replayed_groups = i.n_replayed;
  st.busy_rejections = i.n_busy;
  st.alarms_raised = i.n_raised;
  st.queued_readings = i.writer.queued_weight();
  st.spool_pending = i.spool->pending();
  return st;
}

}  // namespace hazmon::service
