#include <hazmon/service/ingest_service.hpp>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/json_text.hpp>
#include <hazmon/core/liveness.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/ingest/registry_snapshot.hpp>
#include <hazmon/ingest/upload.hpp>
#include <hazmon/rules/point_machine.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/spool.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;

namespace {
std::int64_t to_ms(core::SysTime t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}
core::SysTime from_ms(std::int64_t ms) { return core::SysTime{milliseconds(ms)}; }

std::optional<double> opt_d(const json& j) {
  return j.is_number() ? std::optional<double>(j.get<double>()) : std::nullopt;
}

std::optional<rules::AlarmType> alarm_type_of(const std::string& s) {
  using rules::AlarmType;
  static const std::pair<const char*, AlarmType> kTypes[] = {
      {"HH", AlarmType::hh},
      {"H", AlarmType::h},
      {"L", AlarmType::l},
      {"LL", AlarmType::ll},
      {"SWITCH", AlarmType::switch_on},
      {"OUT_OF_RANGE", AlarmType::out_of_range},
      {"OFFLINE", AlarmType::offline},
      {"FROZEN", AlarmType::frozen},
      {"DEVICE_FAULT", AlarmType::device_fault}};
  for (auto& [n, t] : kTypes)
    if (s == n) return t;
  return std::nullopt;
}

// Liveness allowances: the longest a worker may spend in one job or task before the watchdog
// counts it as hung. A group commit is seconds; the minute's aggregation at national scale is
// under a minute; a day's data-quality rollup takes minutes.
constexpr auto kWriterAllowance = std::chrono::minutes(2);
constexpr auto kTickerAllowance = std::chrono::minutes(10);
constexpr auto kTasksAllowance = std::chrono::minutes(60);
constexpr auto kTimersEvery = std::chrono::seconds(5);
constexpr auto kMaintenanceEvery = std::chrono::seconds(60);

struct FilingWindow {
  std::string target_kind, target_code;
  std::int64_t start_ms, end_ms;
};

// Recently answered uploads, so that a resend finds its reply without a database round trip
// (and while the database is away).
class RecentReplies {
 public:
  explicit RecentReplies(std::size_t cap) : cap_(cap) {}
  std::optional<std::string> find(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void put(const std::string& key, const std::string& reply) {
    std::lock_guard lock(mu_);
    if (map_.emplace(key, reply).second) {
      order_.push_back(key);
      if (order_.size() > cap_) {
        map_.erase(order_.front());
        order_.pop_front();
      }
    }
  }

 private:
  std::mutex mu_;
  std::size_t cap_;
  std::unordered_map<std::string, std::string> map_;
  std::deque<std::string> order_;
};
}  // namespace

struct IngestService::Pending {
  ingest::Upload upload;
  bool tick = false;  // timer evaluation, no upload
  std::promise<json> reply;
};

struct IngestService::Impl {
  storage::Database& db;
  IngestSettings s;
  const core::Clock& clock;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::ingest);
  storage::ReadingStore store;
  std::unique_ptr<storage::Spool> spool;

  std::shared_ptr<const ingest::RegistrySnapshot> snapshot =
      std::make_shared<ingest::RegistrySnapshot>(std::vector<model::PointDef>{});
  std::atomic<std::uint64_t> snapshot_gen{0};

  std::mutex filings_mu;
  std::unordered_map<std::string, std::vector<FilingWindow>> filings;  // by company

  // Threads (core::SerialWorker each):
  //  - writer: uploads (weighted by readings, bounded by max_queued_readings) and timer
  //    evaluations, one at a time in arrival order; jobs gather into `group` until the queue
  //    is empty or the next upload would pass max_group_readings, then one group commit;
  //  - ticker: the timers every 5 s (posted to the writer) and maintenance (partitions, the
  //    minute/hour aggregation) every minute, at start too;
  //  - tasks: the maintenance tasks, after each aggregation;
  //  - loader: point reloads asked for by points_changed() (one queued at most).
  core::SerialWorker writer, ticker, tasks, loader;
  std::atomic<bool> stop_called{false}, stopping{false};  // stopping: uploads are refused
  std::atomic<bool> tasks_queued{false};

  // Writer-thread state.
  std::vector<std::unique_ptr<Pending>> group;
  std::size_t group_readings = 0;
  std::unordered_map<std::int32_t, rules::PointMachine> machines;
  std::uint64_t machines_gen = 0;
  std::vector<std::pair<rules::AlarmType, json>> restored;  // consumed when machines are built

  RecentReplies recent{200000};
  std::mutex listeners_mu;
  std::vector<std::function<void(const storage::AlarmWrite&)>> listeners;
  std::vector<std::function<void()>> maintenance_tasks;  // set before start(), run by `tasks`
  // The maintenance tasks run on their own worker, posted after each aggregation: a long one (a
  // day's data-quality rollup at national scale takes minutes) must not hold up the 5-s timers.

  std::atomic<std::uint64_t> n_uploads{0}, n_readings{0}, n_rejected{0}, n_duplicates{0},
      n_groups{0}, n_spooled{0}, n_replayed{0}, n_busy{0}, n_raised{0};
  prometheus::Counter* m_readings = nullptr;
  prometheus::Counter* m_rejected = nullptr;
  prometheus::Counter* m_spooled = nullptr;
  prometheus::Counter* m_busy = nullptr;
  prometheus::Gauge* m_queue = nullptr;
  prometheus::Gauge* m_spool = nullptr;
  std::int64_t aggregated_until_ms = 0;

  Impl(storage::Database& d, IngestSettings st, const core::Clock& c, core::Liveness* live)
      : db(d),
        s(std::move(st)),
        clock(c),
        writer({.name = "ingest-writer",
                .capacity = s.max_queued_readings,
                .allowance = kWriterAllowance,
                .liveness = live,
                .log = core::LogModule::ingest}),
        ticker({.name = "ingest-ticker",
                .allowance = kTickerAllowance,
                .liveness = live,
                .log = core::LogModule::ingest}),
        tasks({.name = "ingest-tasks",
               .allowance = kTasksAllowance,
               .liveness = live,
               .log = core::LogModule::ingest}),
        loader({.name = "ingest-loader",
                .allowance = kTickerAllowance,
                .liveness = live,
                .log = core::LogModule::ingest}) {}

  std::shared_ptr<const ingest::RegistrySnapshot> current() const {
    return std::atomic_load(&snapshot);
  }

  // Point reloads asked for by points_changed() and done by the loader thread, as generations.
  std::mutex points_mu, points_load_mu;
  std::condition_variable points_cv;
  std::atomic<std::uint64_t> points_wanted{0}, points_done{0};
  std::size_t points_waiters = 0;
  bool stopping_loader = false;
  std::atomic<bool> reload_queued{false};

  void points_changed() {
    {
      std::lock_guard lock(points_mu);
      ++points_wanted;
    }
    points_cv.notify_all();
    if (!reload_queued.exchange(true)) loader.post_always([this] { reload_points(); });
  }

  void points_loaded(std::uint64_t gen) {
    {
      std::lock_guard lock(points_mu);
      if (gen > points_done) points_done = gen;
    }
    points_cv.notify_all();
  }

  // The loader's job. A change that comes while it runs queues one more run.
  void reload_points() {
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
  std::shared_ptr<const ingest::RegistrySnapshot> fresh() {
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

  static rules::PointConfig config_of(const model::PointDef& p, const IngestSettings& s) {
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

  void load_points() {
    std::lock_guard serial(points_load_mu);  // a slower, older load never replaces a newer one
    auto rows = db.in_tx([](storage::Tx& tx) {
      return tx.exec(
          "SELECT point_id, quota_code, company_code, hazard_code, coalesce(equip_code, '') AS "
          "equip_code, "
          "coalesce(gateway_code, '') AS gateway_code, indicator_type, value_kind, in_use, "
          "range_low, range_high, "
          "ll, l, h, hh, debounce_s, deadband FROM monitoring_point WHERE is_active");
    });
    std::vector<model::PointDef> points;
    points.reserve(rows.size());
    for (auto& r : rows) {
      model::PointDef p;
      p.point_id = r["point_id"].get<std::int32_t>();
      p.quota_code = r["quota_code"];
      p.company_code = r["company_code"];
      p.hazard_code = r["hazard_code"];
      p.equip_code = r["equip_code"];
      p.gateway_code = r["gateway_code"];
      p.indicator_type = r["indicator_type"];
      p.analog = r["value_kind"] == "analog";
      p.in_use = r["in_use"].get<bool>();
      p.range_low = opt_d(r["range_low"]);
      p.range_high = opt_d(r["range_high"]);
      p.ll = opt_d(r["ll"]);
      p.l = opt_d(r["l"]);
      p.h = opt_d(r["h"]);
      p.hh = opt_d(r["hh"]);
      p.debounce_s = r["debounce_s"].get<int>();
      p.deadband = r["deadband"].get<double>();
      points.push_back(std::move(p));
    }
    std::atomic_store(&snapshot,
                      std::shared_ptr<const ingest::RegistrySnapshot>(
                          std::make_shared<ingest::RegistrySnapshot>(std::move(points))));
    ++snapshot_gen;
  }

  void load_filings() {
    auto rows = db.in_tx([](storage::Tx& tx) {
      return tx.exec(
          "SELECT company_code, target_kind, target_code, "
          "(extract(epoch FROM starts_at) * 1000)::bigint AS s, (extract(epoch FROM ends_at) * "
          "1000)::bigint AS e "
          "FROM filing WHERE cancelled_at IS NULL AND status = 'approved' AND ends_at > now() - "
          "interval '30 days'");
    });
    std::unordered_map<std::string, std::vector<FilingWindow>> f;
    for (auto& r : rows)
      f[r["company_code"]].push_back({r["target_kind"], r["target_code"],
                                      r["s"].get<std::int64_t>(), r["e"].get<std::int64_t>()});
    std::lock_guard lock(filings_mu);
    filings = std::move(f);
  }

  bool suppressed(const model::PointDef& p, std::int64_t t_ms) {
    std::lock_guard lock(filings_mu);
    auto it = filings.find(p.company_code);
    if (it == filings.end()) return false;
    for (const auto& w : it->second) {
      if (t_ms < w.start_ms || t_ms >= w.end_ms) continue;
      if (w.target_kind == "enterprise" ||
          (w.target_kind == "hazard_source" && w.target_code == p.hazard_code) ||
          (w.target_kind == "equipment" && w.target_code == p.equip_code) ||
          (w.target_kind == "point" && w.target_code == p.quota_code))
        return true;
    }
    return false;
  }

  // Writer thread: machines follow the current snapshot; open alarms and last samples from the
  // database seed them after a restart.
  void sync_machines() {
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

  void restore_state() {
    try {
      auto [open, latest] = db.in_tx([](storage::Tx& tx) {
        return std::make_pair(
            tx.exec(
                "SELECT point_id, alarm_type, (extract(epoch FROM start_ts) * 1000)::bigint AS s, "
                "coalesce(peak_value, 0) AS peak, (extract(epoch FROM coalesce(peak_ts, start_ts)) "
                "* 1000)::bigint AS p "
                "FROM alarm WHERE end_ts IS NULL AND origin = 'platform'"),
            tx.exec("SELECT point_id, value, (extract(epoch FROM collect_ts) * 1000)::bigint AS t "
                    "FROM reading_latest"));
      });
      for (auto& r : latest) {
        auto it = machines.find(r["point_id"].get<std::int32_t>());
        if (it != machines.end())
          it->second.restore_last_sample(from_ms(r["t"].get<std::int64_t>()),
                                         r["value"].get<double>());
      }
      for (auto& r : open) {
        auto it = machines.find(r["point_id"].get<std::int32_t>());
        auto type = alarm_type_of(r["alarm_type"]);
        if (it != machines.end() && type)
          it->second.restore_open(*type, from_ms(r["s"].get<std::int64_t>()),
                                  r["peak"].get<double>(), from_ms(r["p"].get<std::int64_t>()));
      }
      log->info("rules state restored: {} open alarms, {} points with a last value", open.size(),
                latest.size());
    } catch (const std::exception& e) {
      log->warn("could not restore rules state (database unavailable?): {}", e.what());
    }
  }

  storage::AlarmWrite to_write(const model::PointDef& p, const rules::AlarmChange& c,
                               const std::string& previous) {
    storage::AlarmWrite w;
    w.point_id = p.point_id;
    w.quota_code = p.quota_code;
    w.company_code = p.company_code;
    w.hazard_code = p.hazard_code;
    w.equip_code = p.equip_code;
    w.transition = rules::to_string(c.transition);
    w.type = rules::to_string(c.type);
    w.previous_type = previous;
    w.data_fault = rules::is_data_fault(c.type);
    w.threshold = c.threshold;
    w.start_ms = to_ms(c.start);
    w.at_ms = to_ms(c.at);
    w.peak_ms = to_ms(c.peak_at);
    w.value = c.value;
    w.peak = c.peak;
    w.suppressed = c.suppressed;
    w.late = c.late;
    return w;
  }

  void evaluate(const model::PointDef& p, const model::Reading& r, bool late,
                std::vector<storage::AlarmWrite>& out) {
    auto it = machines.find(p.point_id);
    if (it == machines.end())
      it = machines.emplace(p.point_id, rules::PointMachine(config_of(p, s))).first;
    rules::Sample smp{from_ms(r.collect_ms), r.value, r.quality, suppressed(p, r.collect_ms), late};
    for (const auto& c : it->second.on_sample(smp)) {
      std::string previous;
      if (c.transition == rules::Transition::escalated)
        previous = c.type == rules::AlarmType::hh ? "H" : "L";
      out.push_back(to_write(p, c, previous));
    }
  }

  void write_durably(storage::IngestBatch& batch) {
    // Order matters: while anything waits in the spool, new groups queue behind it.
    if (spool->pending() > 0) replay_spool();
    if (spool->pending() == 0) {
      for (int attempt = 0; attempt < 2; ++attempt) {
        try {
          db.in_tx([&](storage::Tx& tx) { store.write(tx, batch); });
          return;
        } catch (const storage::TransientError& e) {
          log->warn("database unavailable ({}); spooling {} readings", e.what(),
                    batch.readings.size());
          break;
        } catch (const storage::ConflictError&) {
          // Another node (or a replay) stored one of these dataIds meanwhile: drop those and retry.
          drop_stored_uploads(batch);
        }
      }
    }
    spool->append(batch);
    ++n_spooled;
    if (m_spooled) m_spooled->Increment();
  }

  void drop_stored_uploads(storage::IngestBatch& batch) {
    std::vector<std::pair<std::string, std::string>> keys;
    for (const auto& u : batch.uploads) keys.emplace_back(u.company_code, u.data_id);
    auto found = db.in_tx([&](storage::Tx& tx) { return store.find_uploads(tx, keys); });
    // Their readings and enterprise alarms go with them: they are stored already.
    auto removed = storage::drop_uploads(batch, [&](const storage::UploadRecord& u) {
      auto key = u.company_code + "|" + u.data_id;
      return std::any_of(found.begin(), found.end(), [&](auto& f) { return f.first == key; });
    });
    if (removed == std::string::npos)
      log->warn("uploads stored meanwhile dropped, but their readings are not attributable");
  }

  // Spool records applied per transaction by the replay (readings are bounded by
  // max_group_readings).
  static constexpr std::size_t kReplayRecordsPerTx = 500;

  // The spooled records `recs` as one batch, without the uploads PostgreSQL holds already
  // (committed before a crash, by another node, or by a resend that reached PostgreSQL while the
  // original waited here) nor their readings: a record all of whose uploads are stored is left
  // out whole (it was applied), one with some of them loses those. Counts what it left out.
  storage::IngestBatch unstored(storage::Tx& tx, const std::vector<storage::IngestBatch>& recs,
                                std::size_t& skipped_uploads, std::size_t& skipped_readings) {
    std::vector<std::pair<std::string, std::string>> keys;
    for (const auto& r : recs)
      for (const auto& u : r.uploads) keys.emplace_back(u.company_code, u.data_id);
    std::unordered_set<std::string> stored;
    for (auto& [k, reply] : store.find_uploads(tx, keys)) stored.insert(k);
    storage::IngestBatch out;
    for (const auto& rec : recs) {
      auto is_stored = [&](const storage::UploadRecord& u) {
        return stored.count(u.company_code + "|" + u.data_id) > 0;
      };
      if (!rec.uploads.empty() && std::all_of(rec.uploads.begin(), rec.uploads.end(), is_stored)) {
        skipped_uploads += rec.uploads.size();
        skipped_readings += rec.readings.size();
        continue;
      }
      const storage::IngestBatch* use = &rec;
      storage::IngestBatch part;
      if (std::any_of(rec.uploads.begin(), rec.uploads.end(), is_stored)) {
        part = rec;
        auto before = part.uploads.size();
        auto removed = storage::drop_uploads(part, is_stored);
        skipped_uploads += before - part.uploads.size();
        if (removed == std::string::npos)
          log->warn(
              "spooled uploads stored meanwhile dropped, but their readings are not attributable");
        else
          skipped_readings += removed;
        use = &part;
      }
      for (const auto& u : use->uploads) stored.insert(u.company_code + "|" + u.data_id);
      out.uploads.insert(out.uploads.end(), use->uploads.begin(), use->uploads.end());
      out.readings.insert(out.readings.end(), use->readings.begin(), use->readings.end());
      out.alarms.insert(out.alarms.end(), use->alarms.begin(), use->alarms.end());
      out.enterprise_alarms.insert(out.enterprise_alarms.end(), use->enterprise_alarms.begin(),
                                   use->enterprise_alarms.end());
      out.gateways_seen.insert(out.gateways_seen.end(), use->gateways_seen.begin(),
                               use->gateways_seen.end());
    }
    return out;
  }

  // Applies the spool in order, many records per transaction; the spool's progress moves only
  // after each commit.
  void replay_spool() {
    auto t0 = steady_clock::now();
    std::size_t txs = 0, readings = 0, skipped_uploads = 0, skipped_readings = 0;
    std::uint64_t groups = 0;
    try {
      spool->replay_chunks(kReplayRecordsPerTx, s.max_group_readings,
                           [&](std::vector<storage::IngestBatch>& recs) {
                             for (int attempt = 0;; ++attempt) {
                               std::size_t su = 0, sr = 0, nr = 0;
                               try {
                                 db.in_tx([&](storage::Tx& tx) {
                                   auto batch = unstored(tx, recs, su, sr);
                                   nr = batch.readings.size();
                                   if (!batch.empty() || !batch.gateways_seen.empty())
                                     store.write(tx, batch);
                                 });
                               } catch (const storage::ConflictError&) {
                                 // Stored by someone else between the check and the write: check
                                 // again.
                                 if (attempt >= 2) throw;
                                 continue;
                               }
                               skipped_uploads += su;
                               skipped_readings += sr;
                               readings += nr;
                               break;
                             }
                             ++txs;
                             groups += recs.size();
                             n_replayed += recs.size();
                           });
    } catch (const storage::TransientError&) {
      // Still away; try again with the next group or tick.
    }
    if (txs) {
      log->info(
          "replayed {} spooled group(s) into PostgreSQL: {} readings in {} transaction(s), {} ms{}",
          groups, readings, txs, duration_cast<milliseconds>(steady_clock::now() - t0).count(),
          skipped_uploads
              ? fmt::format("; {} upload(s) already stored left out with their {} readings",
                            skipped_uploads, skipped_readings)
              : std::string());
    }
    if (m_spool) m_spool->Set(static_cast<double>(spool->pending()));
  }

  void process(std::vector<std::unique_ptr<Pending>>& items) {
    sync_machines();
    storage::IngestBatch batch;
    std::vector<std::pair<Pending*, std::string>> answers;
    std::unordered_map<std::string, std::string> in_group;
    auto snap = current();
    auto now_ms = to_ms(clock.now());
    // Replies already given for these dataIds (recent memory, then the database).
    std::vector<std::pair<std::string, std::string>> unknown;
    for (auto& p : items)
      if (!p->tick && !recent.find(p->upload.company_code + "|" + p->upload.data_id))
        unknown.emplace_back(p->upload.company_code, p->upload.data_id);
    std::vector<std::pair<std::string, std::string>> stored;
    // After a restart the spool may hold uploads this process never answered: apply it first,
    // or a resend of one of them would be taken for new (its readings stored twice).
    if (!unknown.empty() && spool->pending() > 0) replay_spool();
    if (!unknown.empty() && spool->pending() == 0) {
      try {
        stored = db.in_tx([&](storage::Tx& tx) { return store.find_uploads(tx, unknown); });
      } catch (const storage::TransientError&) {
        // Unknown while the database is away; the replay skips anything stored meanwhile.
      }
    }
    for (auto& p : items) {
      if (p->tick) {
        for (auto& [id, m] : machines) {
          const auto* def = snap->by_id(id);
          if (!def) continue;
          for (const auto& c : m.on_tick(clock.now()))
            batch.alarms.push_back(to_write(*def, c, ""));
        }
        answers.emplace_back(p.get(), "");
        continue;
      }
      auto& u = p->upload;
      auto key = u.company_code + "|" + u.data_id;
      std::optional<std::string> dup = recent.find(key);
      if (!dup) {
        for (auto& [k, r] : stored)
          if (k == key) dup = r;
      }
      if (!dup) {
        if (auto it = in_group.find(key); it != in_group.end()) dup = it->second;
      }
      if (dup) {
        ++n_duplicates;
        answers.emplace_back(p.get(), *dup);
        continue;
      }
      auto reply = ingest::upload_reply(u).dump();
      in_group[key] = reply;
      batch.uploads.push_back({u.company_code, u.data_id, u.gateway_code,
                               ingest::to_string(u.report_type), to_ms(u.received),
                               static_cast<int>(u.readings.size()), reply});
      // Rules see each point's samples in collect-time order.
      std::vector<std::size_t> order(u.readings.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return u.readings[a].collect_ms < u.readings[b].collect_ms;
      });
      bool resend = u.report_type == ingest::ReportType::resend;
      auto late_ms = duration_cast<milliseconds>(s.late_after).count();
      for (auto i : order) {
        const auto& r = u.readings[i];
        const auto* def = snap->by_id(r.point_id);
        if (!def) continue;
        evaluate(*def, r, resend || now_ms - r.collect_ms > late_ms, batch.alarms);
      }
      batch.readings.insert(batch.readings.end(), u.readings.begin(), u.readings.end());
      if (!u.gateway_code.empty())
        batch.gateways_seen.emplace_back(u.gateway_code, to_ms(u.received));
      for (const auto& a : u.alarms) {
        storage::EnterpriseAlarmRow row{u.company_code, u.data_id,   a.quota_code,   a.alarm_type,
                                        a.value,        a.threshold, to_ms(a.start), std::nullopt};
        if (a.end) row.end_ms = to_ms(*a.end);
        batch.enterprise_alarms.push_back(std::move(row));
      }
      answers.emplace_back(p.get(), reply);
    }
    try {
      if (!batch.empty() || !batch.gateways_seen.empty())
        write_durably(batch);
      else if (spool->pending() > 0)
        replay_spool();
    } catch (const std::exception& e) {
      log->error("a group of {} readings could not be made durable: {}", batch.readings.size(),
                 e.what());
      for (auto& [p, reply] : answers)
        p->reply.set_exception(
            std::make_exception_ptr(Error(Errc::unavailable, core::Reason::spool_unavailable,
                                          "storage unavailable; retry later")));
      return;
    }
    ++n_groups;
    for (const auto& w : batch.alarms)
      if (w.transition == "raised") ++n_raised;
    for (auto& [p, reply] : answers) {
      if (!p->tick) {
        recent.put(p->upload.company_code + "|" + p->upload.data_id, reply);
        p->reply.set_value(json::parse(reply));
      } else {
        p->reply.set_value(json());
      }
    }
    if (m_spool) m_spool->Set(static_cast<double>(spool->pending()));
    std::vector<std::function<void(const storage::AlarmWrite&)>> ls;
    {
      std::lock_guard lock(listeners_mu);
      ls = listeners;
    }
    for (const auto& w : batch.alarms)
      for (const auto& l : ls) l(w);
  }

  // A writer job: the upload (or timer evaluation) joins the group; the group is committed when
  // nothing else waits or the next upload would not fit (as one group commit took them before).
  void write(std::unique_ptr<Pending> p) {
    auto n = p->upload.readings.size();
    if (!group.empty() && group_readings + n > s.max_group_readings) commit_group();
    group_readings += n;
    group.push_back(std::move(p));
    if (m_queue) m_queue->Set(static_cast<double>(writer.queued_weight()));
    if (writer.queued() == 0) commit_group();
  }

  void commit_group() {
    if (group.empty()) return;
    std::vector<std::unique_ptr<Pending>> items;
    items.swap(group);
    group_readings = 0;
    try {
      process(items);
    } catch (const std::exception& e) {
      log->error("ingest group failed: {}", e.what());
      for (auto& p : items) {
        try {
          p->reply.set_exception(
              std::make_exception_ptr(Error(Errc::unavailable, "ingest failed; retry later")));
        } catch (const std::future_error&) {
          // already answered
        }
      }
    }
  }

  // The writer's job for one Pending. Dropped unrun (the stop deadline passed), it answers its
  // caller that the server is shutting down instead of leaving a broken promise.
  struct WriteJob {
    Impl* self;
    std::unique_ptr<Pending> p;
    WriteJob(Impl* i, std::unique_ptr<Pending> q) : self(i), p(std::move(q)) {}
    WriteJob(WriteJob&&) noexcept = default;
    ~WriteJob() {
      if (!p) return;
      try {
        p->reply.set_exception(
            std::make_exception_ptr(Error(Errc::unavailable, core::Reason::shutting_down,
                                          "the server is shutting down; retry shortly")));
      } catch (const std::future_error&) {
      }
    }
    void operator()() { self->write(std::move(p)); }
  };

  void enqueue_tick() {
    auto p = std::make_unique<Pending>();
    p->tick = true;
    writer.post_always(WriteJob(this, std::move(p)));  // timers and spool replay run on the writer
  }

  void maintenance() {
    try {
      auto now = clock.now();
      db.in_tx([&](storage::Tx& tx) {
        // Cheap catalogue lookups; creating ahead keeps COPY away from the default partition.
        store.ensure_partitions(tx, now - hours(24), s.partition_days_ahead + 1);
        store.drop_partitions_before(tx, now - hours(24) * s.retention_days);
      });
      // Aggregate closed minutes (and their hours) up to one minute ago.
      auto until = to_ms(now) / 60000 * 60000 - 60000;
      if (aggregated_until_ms == 0) {
        auto row = db.in_tx([](storage::Tx& tx) {
          return tx.exec_one(
              "SELECT (extract(epoch FROM done_until) * 1000)::bigint AS t FROM "
              "aggregate_watermark WHERE name = 'readings'");
        });
        aggregated_until_ms = row.is_null() ? until - 3600000 : row["t"].get<std::int64_t>();
      }
      if (until > aggregated_until_ms) {
        db.in_tx([&](storage::Tx& tx) {
          store.aggregate(tx, from_ms(aggregated_until_ms), from_ms(until));
          tx.exec(
              "INSERT INTO aggregate_watermark(name, done_until) VALUES ('readings', $1) "
              "ON CONFLICT (name) DO UPDATE SET done_until = EXCLUDED.done_until",
              {storage::format_pg_timestamp(until)});
        });
        aggregated_until_ms = until;
      }
    } catch (const std::exception& e) {
      log->warn("maintenance skipped: {}", e.what());
    }
    // One run queued at most: a run in progress when the next aggregation ends runs once more.
    if (!tasks_queued.exchange(true)) tasks.post_always([this] { run_tasks(); });
  }

  void run_tasks() {
    tasks_queued = false;
    for (auto& task : maintenance_tasks) {
      try {
        task();
      } catch (const std::exception& e) {
        log->warn("maintenance task skipped: {}", e.what());
      }
    }
  }
};

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
  i.ticker.every("timers", kTimersEvery, [&i] { i.enqueue_tick(); });
  i.ticker.every(
      "maintenance", kMaintenanceEvery, [&i] { i.maintenance(); }, /*at_start=*/true);
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
  return submit(std::move(p));
}

json IngestService::upload_text(const model::Principal& caller, std::string_view body) {
  auto& i = *impl_;
  auto snap = i.fresh();
  ingest::UploadSettings us{i.s.max_items_per_upload, i.s.max_future_skew, i.s.max_reading_age};
  auto p = std::make_unique<Pending>();
  p->upload = ingest::decode_upload_text(body, *snap, caller, i.clock.now(), us);
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

void IngestService::on_alarm(std::function<void(const storage::AlarmWrite&)> listener) {
  std::lock_guard lock(impl_->listeners_mu);
  impl_->listeners.push_back(std::move(listener));
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
