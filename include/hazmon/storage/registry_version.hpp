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
  // Reads over a connection of its own to `dsn` (not the pool: one round trip, no BEGIN).
  explicit RegistryVersion(std::string dsn,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
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

  // Round trips made so far (tests and benchmarks: how many callers one read served).
  std::uint64_t reads() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::storage
