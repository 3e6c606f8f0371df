// IngestService: the registry snapshot uploads are decoded with, the filed suppression windows,
// and the rules' point machines (seeded from PostgreSQL after a restart).
#include <hazmon/core/clock.hpp>
#include <hazmon/model/unit_status.hpp>

#include "ingest_impl.hpp"

namespace hazmon::service {
using namespace std::chrono;
using ingest_detail::from_ms;

IngestService::Impl::Impl(storage::Database& d, IngestSettings st, const core::Clock& c,
                          core::Liveness* live)
    : db(d),
      s(std::move(st)),
      clock(c),
      writer({.name = "ingest-writer",
              .capacity = s.max_queued_readings,
              .allowance = ingest_detail::kWriterAllowance,
              .liveness = live,
              .log = core::LogModule::ingest}),
      ticker({.name = "ingest-ticker",
              .allowance = ingest_detail::kTickerAllowance,
              .liveness = live,
              .log = core::LogModule::ingest}),
      tasks({.name = "ingest-tasks",
             .allowance = ingest_detail::kTasksAllowance,
             .liveness = live,
             .log = core::LogModule::ingest}),
      loader({.name = "ingest-loader",
              .allowance = ingest_detail::kTickerAllowance,
              .liveness = live,
              .log = core::LogModule::ingest}) {}

void IngestService::Impl::points_changed() {
  {
    std::lock_guard lock(points_mu);
    ++points_wanted;
  }
  points_cv.notify_all();
  if (!reload_queued.exchange(true)) loader.post_always([this] { reload_points(); });
}

void IngestService::Impl::points_loaded(std::uint64_t gen) {
  {
    std::lock_guard lock(points_mu);
    if (gen > points_done) points_done = gen;
  }
  points_cv.notify_all();
}

// The loader's job. A change that comes while it runs queues one more run.
void IngestService::Impl::reload_points() {
  reload_queued = false;
  {
    std::unique_lock lock(points_mu);
    if (stopping_loader || points_wanted <= points_done) return;
    // Let a burst of changes (a bulk set-up) gather into one reload, unless an upload waits.
    points_cv.wait_for(lock, s.points_reload_debounce,
                       [&] { return stopping_loader || points_waiters > 0; });
    if (stopping_loader) return;
  }
  auto gen = points_wanted.load();
  try {
    load_points();
  } catch (const std::exception& e) {
    log->warn("monitoring points not reloaded: {}",
              e.what());  // uploads go on with the points known
  }
  points_loaded(gen);
}

// The snapshot to decode an upload with: one that holds every point change made before now.
std::shared_ptr<const ingest::RegistrySnapshot> IngestService::Impl::fresh() {
  auto want = points_wanted.load();
  if (points_done.load() >= want) return current();
  std::unique_lock lock(points_mu);
  ++points_waiters;
  points_cv.notify_all();
  points_cv.wait_for(lock, seconds(10),
                     [&] { return stopping_loader || points_done.load() >= want; });
  --points_waiters;
  return current();
}

rules::PointConfig IngestService::Impl::config_of(const model::PointDef& p,
                                                  const IngestSettings& s) {
  rules::PointConfig c;
  c.analog = p.analog;
  c.range_low = p.range_low;
  c.range_high = p.range_high;
  c.ll = p.ll;
  c.l = p.l;
  c.h = p.h;
  c.hh = p.hh;
  c.debounce = seconds(p.debounce_s);
  c.deadband = p.deadband;
  c.offline_after = s.offline_after;
  c.frozen_after = s.frozen_after;
  c.in_use = p.in_use;
  return c;
}

void IngestService::Impl::load_points() {
  std::lock_guard serial(points_load_mu);  // a slower, older load never replaces a newer one
  std::unordered_map<std::string, std::string> regions, gateways;
  auto points = db.in_tx([this, &regions, &gateways](storage::Tx& tx) {
    regions = points_store.enterprise_regions(tx);
    gateways = points_store.gateway_companies(tx);
    return points_store.active_points(tx);
  });
  std::atomic_store(
      &snapshot,
      std::shared_ptr<const ingest::RegistrySnapshot>(std::make_shared<ingest::RegistrySnapshot>(
          std::move(points), std::move(regions), std::move(gateways))));
  ++snapshot_gen;
}

void IngestService::Impl::load_filings() {
  auto rows = db.in_tx([this](storage::Tx& tx) { return points_store.filing_windows(tx); });
  std::unordered_map<std::string, std::vector<storage::FilingWindow>> f;
  for (auto& w : rows) f[w.company_code].push_back(std::move(w));
  std::lock_guard lock(filings_mu);
  filings = std::move(f);
}

bool IngestService::Impl::suppressed(const model::PointDef& p, std::int64_t t_ms) {
  auto t = ingest_detail::from_ms(t_ms);
  std::lock_guard lock(filings_mu);
  auto it = filings.find(p.company_code);
  if (it == filings.end()) return false;
  for (const auto& w : it->second) {
    if (t < w.starts_at || t >= w.ends_at) continue;
    // A unit's stop or overhaul never silences its gas detectors (docs/duties.md).
    if (w.spares_safety && model::is_safety_indicator(p.indicator_type)) continue;
    if (w.target_kind == "enterprise" ||
        (w.target_kind == "hazard_source" && w.target_code == p.hazard_code) ||
        (w.target_kind == "equipment" && w.target_code == p.equip_code) ||
        (w.target_kind == "unit" && w.target_code == p.prodcell_id) ||
        (w.target_kind == "point" && w.target_code == p.quota_code))
      return true;
  }
  return false;
}

// Writer thread: machines follow the current snapshot; open alarms and last samples from the
// database seed them after a restart.
void IngestService::Impl::sync_machines() {
  auto gen = snapshot_gen.load();
  if (gen == machines_gen) return;
  auto snap = current();
  for (const auto& p : snap->points()) {
    auto cfg = config_of(p, s);
    auto it = machines.find(p.point_id);
    if (it == machines.end())
      machines.emplace(p.point_id, rules::PointMachine(cfg));
    else
      it->second.reconfigure(cfg);
  }
  if (machines_gen == 0) restore_state();
  machines_gen = gen;
}

void IngestService::Impl::restore_state() {
  try {
    auto [open, latest] = db.in_tx([this](storage::Tx& tx) {
      return std::make_pair(points_store.open_episodes(tx), points_store.latest_samples(tx));
    });
    for (const auto& r : latest) {
      auto it = machines.find(r.point_id);
      if (it != machines.end()) it->second.restore_last_sample(r.collect_ts, r.value);
    }
    for (const auto& r : open) {
      auto it = machines.find(r.point_id);
      if (it != machines.end()) it->second.restore_open(r.type, r.start, r.peak, r.peak_at);
    }
    log->info("rules state restored: {} open alarms, {} points with a last value", open.size(),
              latest.size());
  } catch (const std::exception& e) {
    log->warn("could not restore rules state (database unavailable?): {}", e.what());
  }
}

}  // namespace hazmon::service
