// The city's forwarder to the province (docs/federation.md): one worker thread claims the
// oldest queued outbox rows and POSTs them one by one, in order, with the city_platform
// credential. See federation_forwarder.hpp for what each answer does to a row.
#include <hazmon/service/federation_forwarder.hpp>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/notify/json_poster.hpp>
#include <hazmon/storage/database.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace hazmon::service {
using nlohmann::json;
using namespace std::chrono;

namespace {
// A pass sends for at most this long before it commits and lets the worker turn (stop, beats).
constexpr auto kPassBudget = seconds(20);
constexpr auto kPurgeEvery = hours(1);

enum class Outcome { sent, parked, later };

struct Verdict {
  Outcome outcome = Outcome::later;
  int status = 0;
  std::string code, detail;
  std::optional<long> retry_after_s;
};

// What the province's answer means for the row.
Verdict judge(const notify::PostResult& r) {
  Verdict v;
  v.status = static_cast<int>(r.status);
  v.retry_after_s = r.retry_after_s;
  if (!r.transport_ok) {
    v.detail = "no answer from the province: " + r.error;
    return v;
  }
  if (r.status >= 200 && r.status < 300) {
    v.outcome = Outcome::sent;
    return v;
  }
  // The problem+json code, when the answer has one.
  try {
    auto j = json::parse(r.body);
    if (j.is_object() && j.contains("code") && j["code"].is_string())
      v.code = j["code"].get<std::string>();
    if (j.is_object() && j.contains("detail") && j["detail"].is_string())
      v.detail = j["detail"].get<std::string>();
  } catch (const json::exception&) {
  }
  if (v.code.empty()) v.code = "http_" + std::to_string(r.status);
  if (v.detail.empty()) v.detail = "HTTP " + std::to_string(r.status);
  v.detail = "province answered " + std::to_string(r.status) + " " + v.code + ": " + v.detail;
  // A refused credential (401) concerns every row, not this one: wait for the operator to fix
  // the credential instead of parking the whole queue. 408 and 429 are "later" by definition.
  bool later =
      r.status >= 500 || r.status == 401 || r.status == 408 || r.status == 429 || r.status < 400;
  v.outcome = later ? Outcome::later : Outcome::parked;
  return v;
}
}  // namespace

struct FederationForwarder::Impl {
  storage::Database& db;
  FederationSettings s;
  const core::Clock& clock;
  storage::FederationStore store;
  notify::JsonPoster poster;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::service);
  core::SerialWorker worker;
  std::atomic<bool> stopping{false};

  mutable std::mutex mu;  // the fields below
  std::uint64_t n_sent = 0, n_failed = 0, n_parked = 0;
  int consecutive_failures = 0;
  steady_clock::time_point retry_at{};
  std::string last_error;
  std::optional<core::SysTime> last_sent_at, last_failure_at;

  prometheus::Counter* m_sent = nullptr;
  prometheus::Counter* m_failed = nullptr;
  prometheus::Counter* m_parked = nullptr;
  prometheus::Gauge* m_backlog = nullptr;
  prometheus::Gauge* m_parked_rows = nullptr;
  prometheus::Gauge* m_oldest = nullptr;

  Impl(storage::Database& d, FederationSettings st, const core::Clock& c, core::Liveness* live)
      : db(d),
        s(std::move(st)),
        clock(c),
        poster(notify::JsonPosterSettings{s.province_url, s.ca_file, s.request_timeout}),
        worker({.name = "federation",
                .capacity = 0,
                .allowance = duration_cast<milliseconds>(kPassBudget + s.request_timeout * 2),
                .liveness = live,
                .log = core::LogModule::service}) {}

  // The body as the province gets it: the city's region code as forwardedBy.
  std::optional<std::string> outgoing(const storage::OutboxRow& r) const {
    try {
      auto j = json::parse(r.body);
      if (!j.is_object()) return std::nullopt;
      j["forwardedBy"] = s.region_code;
      return j.dump();
    } catch (const json::exception&) {
      return std::nullopt;
    }
  }

  void failed(const Verdict& v) {
    std::lock_guard lock(mu);
    ++n_failed;
    if (m_failed) m_failed->Increment();
    ++consecutive_failures;
    auto backoff = s.retry_initial * (1LL << std::min(consecutive_failures - 1, 16));
    backoff = std::min<milliseconds>(backoff, s.retry_max);
    if (v.retry_after_s)
      backoff = std::max<milliseconds>(backoff, seconds(std::min(*v.retry_after_s, 3600L)));
    retry_at = steady_clock::now() + backoff;
    if (last_error != v.detail || consecutive_failures == 1)
      log->warn("federation: {}; the queue waits {} ms (try {})", v.detail, backoff.count(),
                consecutive_failures);
    last_error = v.detail;
    last_failure_at = clock.now();
  }

  std::size_t pass() {
    std::size_t done = 0;
    auto t0 = steady_clock::now();
    db.in_tx([&](storage::Tx& tx) {
      auto rows = store.claim(tx, s.batch_size);
      std::vector<long long> sent;
      for (const auto& r : rows) {
        if (stopping || steady_clock::now() - t0 > kPassBudget) break;
        worker.beat();
        auto body = outgoing(r);
        if (!body) {
          store.park(tx, r.id, 0, "unreadable_body", "the stored body is not a JSON object");
          note_parked(r, "unreadable_body");
          ++done;
          continue;
        }
        auto v = judge(poster.post(r.path, *body, s.app_id + "." + s.secret));
        if (v.outcome == Outcome::sent) {
          sent.push_back(r.id);
          ++done;
          continue;
        }
        if (v.outcome == Outcome::parked) {
          store.park(tx, r.id, v.status, v.code, v.detail);
          note_parked(r, v.code);
          ++done;
          continue;
        }
        store.record_failure(tx, r.id, v.detail);
        failed(v);
        break;  // the queue waits behind its head
      }
      store.mark_sent(tx, sent);
      if (!sent.empty()) {
        std::lock_guard lock(mu);
        n_sent += sent.size();
        if (m_sent) m_sent->Increment(static_cast<double>(sent.size()));
        last_sent_at = clock.now();
      }
    });
    std::lock_guard lock(mu);
    if (done > 0 && consecutive_failures > 0 && last_failure_at && last_sent_at &&
        *last_sent_at >= *last_failure_at) {
      log->info("federation: the province answers again; forwarding resumed");
      consecutive_failures = 0;
      last_error.clear();
    }
    return done;
  }

  void note_parked(const storage::OutboxRow& r, const std::string& code) {
    std::lock_guard lock(mu);
    ++n_parked;
    if (m_parked) m_parked->Increment();
    log->error(
        "federation: upload company_code={} data_id={} refused by the province ({}); parked "
        "(GET /api/v1/federation/parked, retry with POST /api/v1/federation/parked/{}/retry)",
        r.company_code, r.data_id, code, r.id);
  }

  void refresh_gauges() {
    if (!m_backlog) return;
    auto c = db.in_tx([&](storage::Tx& tx) { return store.counts(tx); });
    m_backlog->Set(static_cast<double>(c.queued));
    m_parked_rows->Set(static_cast<double>(c.parked));
    m_oldest->Set(c.oldest_queued ? duration<double>(clock.now() - *c.oldest_queued).count() : 0);
  }

  // The worker's turn: passes until the queue is empty, a try fails, or stop.
  void tick() {
    {
      std::lock_guard lock(mu);
      if (steady_clock::now() < retry_at) return;
    }
    auto t0 = steady_clock::now();
    try {
      while (!stopping && steady_clock::now() - t0 < kPassBudget) {
        auto n = pass();
        std::lock_guard lock(mu);
        if (n < static_cast<std::size_t>(s.batch_size) || steady_clock::now() < retry_at) break;
      }
      refresh_gauges();
    } catch (const storage::TransientError& e) {
      log->warn("federation: database unavailable ({}); the outbox waits", e.what());
    }
  }

  void purge() {
    auto n =
        db.in_tx([&](storage::Tx& tx) { return store.purge_sent(tx, clock.now() - s.keep_sent); });
    if (n > 0)
      log->info("federation: {} sent outbox row(s) older than {} h deleted", n,
                s.keep_sent.count());
  }
};

FederationForwarder::FederationForwarder(storage::Database& db, FederationSettings s,
                                         const core::Clock& clock, core::Metrics* metrics,
                                         core::Liveness* liveness)
    : impl_(std::make_unique<Impl>(db, std::move(s), clock, liveness)) {
  if (metrics) {
    auto& reg = metrics->registry();
    auto& c = prometheus::BuildCounter()
                  .Name("hazmon_federation_events_total")
                  .Help("Uploads forwarded to the province by outcome (city mode)")
                  .Register(reg);
    impl_->m_sent = &c.Add({{"kind", "sent"}});
    impl_->m_failed = &c.Add({{"kind", "failed"}});
    impl_->m_parked = &c.Add({{"kind", "parked"}});
    auto& g = prometheus::BuildGauge()
                  .Name("hazmon_federation_outbox")
                  .Help("Outbox rows waiting for the province (queued) or refused by it (parked)")
                  .Register(reg);
    impl_->m_backlog = &g.Add({{"state", "queued"}});
    impl_->m_parked_rows = &g.Add({{"state", "parked"}});
    impl_->m_oldest = &prometheus::BuildGauge()
                           .Name("hazmon_federation_oldest_age_seconds")
                           .Help("Age of the oldest upload not yet at the province")
                           .Register(reg)
                           .Add({});
  }
}

FederationForwarder::~FederationForwarder() { stop(); }

void FederationForwarder::start() {
  auto& i = *impl_;
  if (i.worker.running()) return;
  i.worker.every(
      "forward", i.s.poll_interval, [&i] { i.tick(); }, /*at_start=*/true);
  i.worker.every("purge", duration_cast<milliseconds>(kPurgeEvery), [&i] { i.purge(); });
  i.worker.start();
  i.log->info("federation: forwarding accepted uploads to {} as {} (forwardedBy {})",
              i.s.province_url, i.s.app_id, i.s.region_code);
}

void FederationForwarder::stop() {
  auto& i = *impl_;
  if (!i.worker.running()) return;
  i.stopping = true;
  i.worker.stop(core::SerialWorker::OnStop::drop, i.s.request_timeout + seconds(5));
}

std::size_t FederationForwarder::forward_once() { return impl_->pass(); }

FederationStatus FederationForwarder::status() const {
  auto& i = *impl_;
  FederationStatus st;
  st.province_url = i.s.province_url;
  st.region_code = i.s.region_code;
  st.outbox = i.db.in_tx([&](storage::Tx& tx) { return i.store.counts(tx); });
  if (st.outbox.oldest_queued)
    st.oldest_age_s =
        std::max(0.0, duration<double>(i.clock.now() - *st.outbox.oldest_queued).count());
  std::lock_guard lock(i.mu);
  st.sent = i.n_sent;
  st.failed = i.n_failed;
  st.parked = i.n_parked;
  st.last_error = i.last_error;
  st.last_sent_at = i.last_sent_at;
  st.last_failure_at = i.last_failure_at;
  auto left = duration_cast<milliseconds>(i.retry_at - steady_clock::now()).count();
  st.retry_in_ms = std::max<std::int64_t>(0, left);
  return st;
}

std::vector<storage::ParkedRow> FederationForwarder::parked(int limit, long long after_id) const {
  return impl_->db.in_tx([&](storage::Tx& tx) { return impl_->store.parked(tx, limit, after_id); });
}

long long FederationForwarder::retry_parked(std::optional<long long> id) {
  auto n = impl_->db.in_tx([&](storage::Tx& tx) { return impl_->store.requeue_parked(tx, id); });
  if (n > 0) {
    impl_->log->info("federation: {} parked row(s) queued again by an operator", n);
    std::lock_guard lock(impl_->mu);
    impl_->retry_at = {};  // try now
  }
  return n;
}

}  // namespace hazmon::service
