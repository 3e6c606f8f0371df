#pragma once
// The registry version (migration 0016, ADR 0018): a number in PostgreSQL that changes in the
// same transaction as every write to a registry table. Readers cache pages under it; a page
// cached under another number is never served.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hazmon::storage {

class RegistryVersion {
 public:
  // Reads over a connection of its own to `dsn` (not the pool: one round trip, no BEGIN), with
  // `connect_timeout` on connecting (libpq's connect_timeout: whole seconds, at least 2) and
  // `timeout` as its statement_timeout (read_cache.version_connect_timeout_s and
  // read_cache.version_statement_timeout_ms).
  explicit RegistryVersion(std::string dsn,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(2000),
                           std::chrono::seconds connect_timeout = std::chrono::seconds(5));
  // Stops as stop(0) does, then joins the reader: at once unless it is connecting, which ends
  // within connect_timeout.
  ~RegistryVersion();
  RegistryVersion(const RegistryVersion&) = delete;

  // The version as committed when this call began, or a later one: the caller waits for a read of
  // the row that started after it arrived, so a write committed on any node before the call is
  // seen. One read serves every caller that arrived while the previous one was in flight (under
  // load a round trip per batch of requests, not per request). nullopt when PostgreSQL cannot be
  // read within the timeout: the caller answers without its cache.
  std::optional<std::int64_t> current();
  // The same without blocking the caller: `done` runs, on this object's reader thread, with what
  // a read of the row that started after this call found (nullopt: it could not be read). Every
  // caller waiting when a read starts is served by it, however many (single flight), so callers on
  // I/O threads wait for one round trip without holding a thread. `done` must not block; it runs
  // with nullopt for callers still waiting when this object is destroyed.
  using Callback = std::function<void(std::optional<std::int64_t>)>;
  void current_async(Callback done);

  // Shutdown: the callers waiting now get up to `patience` to be served by reads as usual (a
  // healthy database answers in a round trip); then every caller still waiting, and every later
  // one, is answered nullopt with stopped() true, and a read stuck on a PostgreSQL that stopped
  // answering is cut (its socket shut down). Returns without waiting for the reader. The server
  // calls it within its grace period, so no answer reaches an I/O thread whose io_context is gone.
  void stop(std::chrono::milliseconds patience);
  // Whether stop() (or the destructor) has begun answering callers nullopt: they tell a database
  // that cannot be read from a node that is shutting down (503).
  bool stopped() const;

  // The connection string the reader uses: `dsn` with connect_timeout (either libpq form).
  static std::string with_connect_timeout(const std::string& dsn, std::chrono::seconds timeout);

  // Round trips made so far (tests and benchmarks: how many callers one read served).
  std::uint64_t reads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::storage
