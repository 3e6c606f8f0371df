#pragma once
// IngestService's private parts, shared by its files:
//   ingest_service.cpp  the public face: start, stop, submit, metrics, stats;
//   ingest_points.cpp   the registry snapshot, filings and the rules' point machines;
//   ingest_writer.cpp   the writer thread: group commits, the rules, the spool and its replay,
//                       and the minute's maintenance.
#include <spdlog/spdlog.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/ingest/registry_snapshot.hpp>
#include <hazmon/ingest/upload.hpp>
#include <hazmon/model/alarm.hpp>
#include <hazmon/rules/point_machine.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/machine_state_json.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/monitoring_store.hpp>
#include <hazmon/storage/node_store.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/spool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace prometheus {
class Counter;
class Gauge;
}  // namespace prometheus

namespace hazmon::service {

namespace ingest_detail {
inline std::int64_t to_ms(core::SysTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
inline core::SysTime from_ms(std::int64_t ms) {
  return core::SysTime{std::chrono::milliseconds(ms)};
}

// Liveness allowances: the longest a worker may spend in one job or task before the watchdog
// counts it as hung. A group commit is seconds; the minute's aggregation at national scale is
// under a minute; a day's data-quality rollup takes minutes.
constexpr auto kWriterAllowance = std::chrono::minutes(2);
constexpr auto kTickerAllowance = std::chrono::minutes(10);
constexpr auto kTasksAllowance = std::chrono::minutes(60);
constexpr auto kTimersEvery = std::chrono::seconds(5);
constexpr auto kMaintenanceEvery = std::chrono::seconds(60);

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
}  // namespace ingest_detail

struct IngestService::Pending {
  ingest::Upload upload;
  std::string forward_body;  // city mode: the plaintext body, queued for the province
  bool tick = false;         // timer evaluation, no upload
  std::promise<nlohmann::json> reply;
};

struct IngestService::Impl {
  storage::Database& db;
  IngestSettings s;
  const core::Clock& clock;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::ingest);
  storage::ReadingStore store;
  storage::MonitoringStore points_store;
  std::unique_ptr<storage::Spool> spool;

  std::shared_ptr<const ingest::RegistrySnapshot> snapshot =
      std::make_shared<ingest::RegistrySnapshot>(std::vector<model::PointDef>{});
  std::atomic<std::uint64_t> snapshot_gen{0};

  std::mutex filings_mu;
  std::unordered_map<std::string, std::vector<storage::FilingWindow>> filings;  // by company

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

  ingest_detail::RecentReplies recent{200000};
  std::mutex listeners_mu;
  std::vector<std::function<void(const model::AlarmEvent&)>> listeners;
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

  // Point reloads asked for by points_changed() and done by the loader thread, as generations.
  std::mutex points_mu, points_load_mu;
  std::condition_variable points_cv;
  std::atomic<std::uint64_t> points_wanted{0}, points_done{0};
  std::size_t points_waiters = 0;
  bool stopping_loader = false;
  std::atomic<bool> reload_queued{false};

  Impl(storage::Database& d, IngestSettings st, const core::Clock& c, core::Liveness* live);

  std::shared_ptr<const ingest::RegistrySnapshot> current() const {
    return std::atomic_load(&snapshot);
  }

  // ---- points, filings and the rules' machines (ingest_points.cpp) ----
  void points_changed();
  void points_loaded(std::uint64_t gen);
  void reload_points();
  std::shared_ptr<const ingest::RegistrySnapshot> fresh();
  static rules::PointConfig config_of(const model::PointDef& p, const IngestSettings& s);
  void load_points();
  void load_filings();
  bool suppressed(const model::PointDef& p, std::int64_t t_ms);
  void sync_machines();
  void restore_state();

  // ---- the writer (ingest_writer.cpp) ----
  // The replies already given for the uploads among `items` (recent memory, then PostgreSQL),
  // keyed "company|dataId".
  std::vector<std::pair<std::string, std::string>> stored_replies(
      const std::vector<std::unique_ptr<Pending>>& items);
  static model::AlarmEvent to_event(const model::PointDef& p, const rules::AlarmChange& c);
  void evaluate(const model::PointDef& p, const model::Reading& r, bool late,
                std::vector<model::AlarmEvent>& out);
  void add_ticks(storage::IngestBatch& batch, const ingest::RegistrySnapshot& snap);
  void add_upload(const Pending& p, const std::string& reply, storage::IngestBatch& batch,
                  const ingest::RegistrySnapshot& snap, std::int64_t now_ms);
  void answer(std::vector<std::pair<Pending*, std::string>>& answers,
              const storage::IngestBatch& batch);
  void process(std::vector<std::unique_ptr<Pending>>& items);
  void write_durably(storage::IngestBatch& batch);
  void drop_stored_uploads(storage::IngestBatch& batch);
  // Spool records applied per transaction by the replay (readings are bounded by
  // max_group_readings).
  static constexpr std::size_t kReplayRecordsPerTx = 500;
  storage::IngestBatch unstored(storage::Tx& tx, const std::vector<storage::IngestBatch>& recs,
                                std::size_t& skipped_uploads, std::size_t& skipped_readings);
  void replay_spool();
  void write(std::unique_ptr<Pending> p);
  void commit_group();
  void enqueue_tick();
  void maintenance();
  void aggregate(core::SysTime now);
  void run_tasks();

  // ---- node.cluster: the rules state shared per enterprise (ingest_shared.cpp) ----
  storage::NodeStore node_store;
  std::unordered_map<std::string, long long> owned;  // company → seq this node last wrote or read
  std::vector<storage::RulesOwner> pending_owners;   // locked by the transaction in flight
  std::set<std::string> pending_reloaded;            // of those, the ones whose state was reloaded
  std::vector<RulesTurn> turns;  // committed, not yet told to the turn listeners
  std::vector<std::function<void(const std::vector<RulesTurn>&)>> turn_listeners;  // listeners_mu
  void announce_turns();
  std::atomic<std::uint64_t> n_state_reloads{0};
  void refresh_owned(storage::Tx& tx, const std::vector<storage::RulesOwner>& owners,
                     const ingest::RegistrySnapshot& snap);
  void save_touched(storage::Tx& tx, const std::set<std::int32_t>& touched,
                    const ingest::RegistrySnapshot& snap);
  void evaluate_shared(storage::Tx& tx, storage::IngestBatch& batch,
                       const ingest::RegistrySnapshot& snap, std::int64_t now_ms);
  void settle_owners(bool committed);
  void tick_shared(const ingest::RegistrySnapshot& snap);
  void publish(const std::vector<model::AlarmEvent>& alarms);
  prometheus::Counter* m_raised = nullptr;
  prometheus::Counter* m_cleared = nullptr;
  void count_changes(const std::vector<model::AlarmEvent>& alarms);
  bool leads_maintenance();

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
        p->reply.set_exception(std::make_exception_ptr(
            core::Error(core::Errc::unavailable, core::Reason::shutting_down,
                        "the server is shutting down; retry shortly")));
      } catch (const std::future_error&) {
      }
    }
    void operator()() { self->write(std::move(p)); }
  };
};

}  // namespace hazmon::service
