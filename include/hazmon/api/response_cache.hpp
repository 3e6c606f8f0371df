#pragma once
// The read path's response cache (ADR 0018): the final bytes of GET answers that dashboards poll
// (registry lists, the overview with its map), kept per (role, scope, path and query) under the
// registry version (storage::RegistryVersion), with a strong ETag; bounded in entries and bytes.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace hazmon::core {
class Metrics;
}

namespace hazmon::api {

struct ResponseCacheSettings {
  std::size_t max_entries = 4096;    // read_cache.max_entries
  std::size_t max_bytes = 64 << 20;  // read_cache.max_bytes; 0: nothing is cached
  // How long an answer that also holds live figures (the overview: alarms, points online) is
  // reused; statistics.overview_cache_ms (app). 0: such answers are never reused.
  std::chrono::milliseconds live_max_age{0};
};
// The config's `read_cache` section (live_max_age comes from `statistics`).
void from_json(const nlohmann::json& j, ResponseCacheSettings& s);

// One answer as it goes out.
struct CachedAnswer {
  std::string body;
  std::string content_type;
  std::string etag;  // strong: "\"<first 32 hex digits of SHA-256(body)>\""
  std::chrono::steady_clock::time_point made;
};

class ResponseCache {
 public:
  using VersionSource = std::function<std::optional<std::int64_t>()>;
  ResponseCache(ResponseCacheSettings s, VersionSource version, core::Metrics& metrics);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;

  const ResponseCacheSettings& settings() const { return s_; }
  // The registry version now (see storage::RegistryVersion::current); nullopt: do not cache.
  std::optional<std::int64_t> version() const { return version_(); }
  // The same without blocking (storage::RegistryVersion::current_async): `done` runs later, on
  // another thread, with the version a read begun after this call found. Set before serving; the
  // early step of read_cached (answers on the I/O thread) needs it.
  using AsyncVersionSource =
      std::function<void(std::function<void(std::optional<std::int64_t>)> done)>;
  // `stopped` tells a version source that answers nullopt because the node is shutting down
  // (storage::RegistryVersion::stopped): the early step then answers 503 shutting_down.
  void set_async_version(AsyncVersionSource s, std::function<bool()> stopped = {}) {
    version_async_ = std::move(s);
    version_stopped_ = std::move(stopped);
  }
  bool has_async_version() const { return static_cast<bool>(version_async_); }
  bool version_stopped() const { return version_stopped_ && version_stopped_(); }
  void version_async(std::function<void(std::optional<std::int64_t>)> done) const {
    version_async_(std::move(done));
  }
  // The answer stored for `key` under `version`, if no older than `max_age` (zero: any age).
  std::shared_ptr<const CachedAnswer> find(const std::string& key, std::int64_t version,
                                           std::chrono::milliseconds max_age);
  // Stores `a` for `key` under `version`; evicts the least recently used beyond the bounds.
  // Another version than the stored answers' empties the cache first (they cannot be served).
  void put(const std::string& key, std::int64_t version, std::shared_ptr<const CachedAnswer> a);
  void count_not_modified();
  void count_io_thread_hit();  // a hit answered by read_cached's early step (read_cached.hpp)

  std::size_t entries() const;
  std::size_t bytes() const;

  // Single flight for misses: the first caller to miss `key` under `version` makes the answer
  // (`make`, which may return nullptr: not storable); callers missing the same meanwhile wait for
  // it instead of making it again (the overview after its live_max_age: every dashboard at once)
  // and make their own only if it gave none. Counted in hazmon_response_cache_joined_total.
  std::shared_ptr<const CachedAnswer> make_once(
      const std::string& key, std::int64_t version,
      const std::function<std::shared_ptr<const CachedAnswer>()>& make);

 private:
  struct Impl;
  ResponseCacheSettings s_;
  VersionSource version_;
  AsyncVersionSource version_async_;
  std::function<bool()> version_stopped_;
  std::unique_ptr<Impl> impl_;
};

// An answer ready to be cached: its ETag computed from the body.
std::shared_ptr<const CachedAnswer> make_answer(std::string body, std::string content_type);
// Whether an If-None-Match header value matches `etag` (weak comparison, RFC 9110 13.1.2; "*").
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace hazmon::api
