#pragma once
// City federation, the city side (ADR 0026, docs/federation.md): a hazmond in `mode: city`
// forwards every upload it accepted to the provincial instance. IngestService (readings) and
// RowUploadService (row uploads, ADR 0033) queue each one in `federation_outbox` in the
// transaction that stores it; this worker sends the queue in order to
// the province's same upload route with the city's city_platform credential, adding
// `forwardedBy` (the city's region code) and keeping companyCode and dataId, so that a resend is
// a no-op at the province (it deduplicates by them). At least once, never silently dropped:
//   2xx (the province's duplicate reply included)      → sent;
//   no answer, 5xx, 401, 408, 429 (Retry-After honoured) → the row stays at the head of the queue,
//                                                        tried again after a growing backoff;
//   any other 4xx                                        → parked with the province's problem
//                                                        code, listed, retried by an operator.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/storage/federation_store.hpp>

namespace hazmon::storage {
class Database;
}
namespace hazmon::core {
class Metrics;
class Liveness;
}  // namespace hazmon::core

namespace hazmon::service {

struct FederationSettings {
  std::string province_url;  // https://province:8443 (the upload path is appended)
  std::string app_id;        // the city_platform credential the province issued
  std::string secret;        // from the environment or a 0600 file, never the config
  std::string ca_file;       // verifies the province's certificate
  std::string region_code;   // this city's region code: forwardedBy
  int batch_size = 100;      // rows claimed per transaction
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds retry_initial{1000};
  std::chrono::milliseconds retry_max{60000};
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::hours keep_sent{72};  // sent rows are deleted after this
};

struct FederationStatus {
  std::string province_url, region_code;
  storage::OutboxCounts outbox;
  double oldest_age_s = 0;                         // age of the head of the queue; 0 when empty
  std::uint64_t sent = 0, failed = 0, parked = 0;  // since this process started
  std::string last_error;                          // of the last failed try ("" after a success)
  std::optional<core::SysTime> last_sent_at, last_failure_at;
  std::int64_t retry_in_ms = 0;  // backoff left before the next try
};

class FederationForwarder {
 public:
  FederationForwarder(storage::Database& db, FederationSettings s, const core::Clock& clock,
                      core::Metrics* metrics = nullptr, core::Liveness* liveness = nullptr);
  ~FederationForwarder();
  FederationForwarder(const FederationForwarder&) = delete;
  FederationForwarder& operator=(const FederationForwarder&) = delete;

  // The worker: a pass every poll_interval (sooner after a full batch).
  void start();
  // Ends the pass in flight after the row being sent (what was sent is committed), then joins.
  // Before the database pool goes.
  void stop();
  // One pass now on the calling thread (tests, and the worker): claims up to batch_size rows and
  // sends them in order until one fails for now. Ignores the backoff. Returns rows done (sent or
  // parked).
  std::size_t forward_once();

  FederationStatus status() const;
  std::vector<storage::ParkedRow> parked(int limit, long long after_id = 0) const;
  // Parked rows back into the queue (`id` nullopt: all); how many.
  long long retry_parked(std::optional<long long> id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::service
