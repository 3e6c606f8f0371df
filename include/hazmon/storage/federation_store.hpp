#pragma once
// City federation (ADR 0026, docs/federation.md): the outbox `federation_outbox` that a city
// instance fills in the transaction storing each accepted upload (ReadingStore::write) and that
// the forwarder empties towards the province, oldest first.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>

namespace hazmon::storage {

class Tx;

struct OutboxRow {
  long long id = 0;
  std::string path;  // the province's upload route
  std::string company_code;
  std::string data_id;
  std::string body;  // the plaintext JSON the city accepted
  int attempts = 0;
};

// A row the province refused for good, as an operator sees it.
struct ParkedRow {
  long long id = 0;
  std::string path, company_code, data_id;
  int attempts = 0;
  std::optional<int> http_status;
  std::string problem_code, last_error;
  core::SysTime queued_at, parked_at;
};

// The queue as it stands (partial indexes: cheap however many sent rows are kept).
struct OutboxCounts {
  long long queued = 0, parked = 0;
  std::optional<core::SysTime> oldest_queued;  // the head of the queue
};

class FederationStore {
 public:
  // Queues a row upload (RowUploadService, in the transaction that stores its rows: ADR 0033); a
  // row already queued for the same (path, company, dataId) is left as it is.
  void enqueue(Tx& tx, const std::string& path, const std::string& company_code,
               const std::string& data_id, const std::string& body) const;
  // The forwarder's claim: the oldest `limit` queued rows, in id order, under a transaction-level
  // advisory lock so that one node at a time forwards (several city nodes may share one
  // database) and the province gets each enterprise's uploads in the order they were accepted.
  // Empty (without waiting) while another transaction holds the claim.
  std::vector<OutboxRow> claim(Tx& tx, int limit) const;
  // The province answered 2xx (its duplicate reply included).
  void mark_sent(Tx& tx, const std::vector<long long>& ids) const;
  // A try that failed for now (network, 5xx, 429): counted on the row, which stays queued.
  void record_failure(Tx& tx, long long id, const std::string& error) const;
  // Refused for good (a 4xx): out of the queue with the province's status and problem code.
  void park(Tx& tx, long long id, int http_status, const std::string& problem_code,
            const std::string& detail) const;
  // Parked rows back in the queue (behind what is queued now: they keep their id, so they go
  // first). `id` nullopt: every parked row. Returns how many.
  long long requeue_parked(Tx& tx, std::optional<long long> id) const;
  std::vector<ParkedRow> parked(Tx& tx, int limit, long long after_id = 0) const;
  OutboxCounts counts(Tx& tx) const;
  // Sent rows older than `before` are deleted (they are at the province); returns how many.
  long long purge_sent(Tx& tx, core::SysTime before) const;
};

}  // namespace hazmon::storage
