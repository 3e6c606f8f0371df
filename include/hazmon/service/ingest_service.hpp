#pragma once
// The readings path: decode → queue → group commit (rules evaluated once, in collect-time
// order per point; readings, upload records and alarm changes written in one transaction with
// COPY) → reply. While PostgreSQL is unreachable groups go to the fsync'd spool and are
// replayed in order later; a 2xx always means durable. dataId makes resends idempotent.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/alarm.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {
class Database;
}  // namespace hazmon::storage
namespace hazmon::core {
class Metrics;
class Liveness;
class Error;
}  // namespace hazmon::core

namespace hazmon::service {

// node.cluster (ADR 0028): an enterprise's rules state after a committed evaluation by this node
// (rules_owner's seq), and whether this node had to reload it first because another node, or
// none, evaluated it last. The warning engine follows the same turns.
struct RulesTurn {
  std::string company_code;
  long long seq = 0;
  bool reloaded = false;
};

struct IngestSettings {
  std::size_t max_items_per_upload = 5000;
  std::size_t max_queued_readings = 400000;  // above this uploads get 503 + Retry-After
  std::size_t max_group_readings = 60000;    // readings per group commit
  std::chrono::seconds max_future_skew{300};
  std::chrono::seconds max_reading_age{7 * 86400};  // older items are rejected one by one
  std::chrono::seconds late_after{300};             // collect time this far behind arrival → late
  std::chrono::seconds offline_after{300};
  std::chrono::seconds frozen_after{6 * 3600};
  std::chrono::milliseconds reply_timeout{30000};
  std::filesystem::path spool_file = "var/spool/readings.spool";
  int partition_days_ahead = 3;
  int retention_days = 400;
  std::chrono::milliseconds points_reload_debounce{250};  // see IngestService::points_changed
  // node.cluster (ADR 0028): the rules state of an enterprise's points is evaluated under its
  // rules_owner row lock and saved with the readings, so several nodes may ingest for it.
  bool cluster = false;
  std::string node_id;
  std::chrono::seconds node_ttl{45};  // a node not seen for this long is dead
  // City mode (docs/federation.md): each accepted upload's plaintext body is queued for the
  // province's route of this path, in the transaction that stores it. Empty: province mode.
  std::string forward_path;
};
// The config's `ingest` section; spool_file comes as written (a relative one is under state_dir:
// app resolves it).
void from_json(const nlohmann::json& j, IngestSettings& s);

struct IngestStats {
  std::uint64_t uploads = 0, readings = 0, rejected = 0, duplicates = 0, groups = 0,
                spooled_groups = 0, replayed_groups = 0, busy_rejections = 0, alarms_raised = 0;
  std::uint64_t queued_readings = 0, spool_pending = 0;
};

// The 503 an upload gets when its group could not be stored: Errc::unavailable with a Reason
// that names why (db_unavailable, db_timeout, spool_unavailable, shutting_down, as the failure
// said; ingest_failed for anything else, which the log has).
core::Error ingest_failure(const std::exception& e);

class IngestService {
 public:
  // `liveness`: the writer, ticker, tasks and loader workers enroll there (the watchdog's
  // registry).
  IngestService(storage::Database& db, IngestSettings s, const core::Clock& clock,
                core::Metrics* metrics = nullptr, core::Liveness* liveness = nullptr);
  ~IngestService();
  // Before start(): this node's id, node.cluster and node.lease_ttl_s (ADR 0028).
  void set_node(const std::string& id, bool cluster, std::chrono::seconds ttl);
  IngestService(const IngestService&) = delete;

  void start();
  // Stops the loader, ticker and tasks workers (a running task finishes), then drains the
  // writer's queue within reply_timeout; uploads still queued then are answered "shutting down".
  void stop();

  // Blocks until the upload is durable; returns the DOMAIN §8 reply. Throws core::Error for a
  // malformed request (nothing stored) and Errc::unavailable when the queue is full.
  nlohmann::json upload(const model::Principal& caller, const nlohmann::json& body);
  // The same from the request's JSON text (read with simdjson; malformed text is a bad_request).
  nlohmann::json upload_text(const model::Principal& caller, std::string_view body);

  // Decrypts the `data` of an envelope {appId, dataId, data} and parses the JSON inside
  // (nesting limited like any request body). Any failure, decryption or JSON, is one and the
  // same bad_request. `app_id` is authenticated data for aes-256-gcm.
  nlohmann::json open_envelope(const std::string& data, const std::string& cipher,
                               const std::string& key_hex, const std::string& iv_hex,
                               const std::string& app_id = {}) const;

  // Loads points, filings and open alarms again (registry or filing changed).
  void reload();
  // Monitoring points changed (created, updated, deactivated): returns at once. The points are
  // loaded again on a background thread, at most once per `points_reload_debounce` while changes
  // keep coming, and before any upload decoded after this call: an upload waits for the reload
  // that covers every change made before it arrived, so a point created through the API is known
  // to the next upload, while a bulk set-up of N points costs far fewer than N reloads.
  void points_changed();
  // Alarm changes after they are durable (live stream, warning rules).
  void on_alarm(std::function<void(const model::AlarmEvent&)> listener);
  // node.cluster: the enterprises each committed evaluation (uploads, timers, spool replay) took
  // its turn on, heard before that evaluation's alarm changes, in commit order.
  void on_rules_turn(std::function<void(const std::vector<RulesTurn>&)> listener);
  // Work that follows each minute/hour aggregation (the data-quality rollup, the report
  // schedule), run on a thread of its own so that a long task never delays the timers; a task
  // still running when the next aggregation ends runs once more after it. Register before
  // start(); a task that throws is logged and skipped; stop() waits for a running one.
  void on_maintenance(std::function<void()> task);
  // Evaluates timers (offline) now; the ticker thread calls this every few seconds.
  void tick();
  IngestStats stats() const;

 private:
  struct Impl;
  struct Pending;
  nlohmann::json submit(std::unique_ptr<Pending> p);  // queue a decoded upload, wait until durable
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::service
