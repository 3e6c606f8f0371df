#include <hazmon/api/response_cache.hpp>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/http/problem.hpp>

#include "read_cached.hpp"

namespace hazmon::api {

void from_json(const nlohmann::json& j, ResponseCacheSettings& s) {
  s.max_entries = j.at("max_entries").get<std::size_t>();
  s.max_bytes = j.at("max_bytes").get<std::size_t>();
}

struct ResponseCache::Impl {
  struct Entry {
    std::int64_t version;
    std::shared_ptr<const CachedAnswer> answer;
    std::list<std::string>::iterator lru;
  };
  std::mutex mutex;
  std::unordered_map<std::string, Entry> map;
  std::list<std::string> lru;  // most recently used first
  std::size_t bytes = 0;
  std::int64_t newest = 0;  // the version of every stored answer

  prometheus::Counter& hits;
  prometheus::Counter& misses;
  prometheus::Counter& evictions;
  prometheus::Counter& not_modified;
  prometheus::Gauge& entries_gauge;
  prometheus::Gauge& bytes_gauge;
  prometheus::Counter& io_thread_hits;
  prometheus::Counter& joined;

  // Answers being made, by key and version (make_once).
  struct Flight {
    bool done = false;
    std::shared_ptr<const CachedAnswer> answer;
  };
  std::mutex flights_mutex;
  std::condition_variable flight_done;
  std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<Flight>> flights;

  static std::size_t cost(const std::string& key, const CachedAnswer& a) {
    return key.size() + a.body.size() + a.etag.size() + a.content_type.size() + 128;
  }
  void erase(std::unordered_map<std::string, Entry>::iterator it) {
    bytes -= cost(it->first, *it->second.answer);
    lru.erase(it->second.lru);
    map.erase(it);
  }
  void publish() {
    entries_gauge.Set(static_cast<double>(map.size()));
    bytes_gauge.Set(static_cast<double>(bytes));
  }
};

namespace {
prometheus::Counter& counter(core::Metrics& m, const char* name, const char* help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(m.registry()).Add({});
}
prometheus::Gauge& gauge(core::Metrics& m, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(m.registry()).Add({});
}
}  // namespace

ResponseCache::ResponseCache(ResponseCacheSettings s, VersionSource version, core::Metrics& m)
    : s_(s),
      version_(std::move(version)),
      impl_(new Impl{
          {},
          {},
          {},
          0,
          0,
          counter(m, "hazmon_response_cache_hits_total",
                  "GET answers sent from the response cache"),
          counter(m, "hazmon_response_cache_misses_total",
                  "Cacheable GET answers made because none was cached for the registry version"),
          counter(m, "hazmon_response_cache_evictions_total",
                  "Cached answers dropped to stay within read_cache.max_entries / max_bytes"),
          counter(m, "hazmon_response_cache_not_modified_total",
                  "GET answers sent as 304 Not Modified (If-None-Match matched the ETag)"),
          gauge(m, "hazmon_response_cache_entries", "Answers in the response cache"),
          gauge(m, "hazmon_response_cache_bytes", "Bytes held by the response cache"),
          counter(m, "hazmon_response_cache_io_thread_hits_total",
                  "Hits (200 or 304) sent by read_cached's early step, without the worker pool"),
          counter(m, "hazmon_response_cache_joined_total",
                  "Misses answered by waiting for the same answer another request was making"),
      }) {
  gauge(m, "hazmon_response_cache_max_entries", "read_cache.max_entries")
      .Set(static_cast<double>(s_.max_entries));
  gauge(m, "hazmon_response_cache_max_bytes", "read_cache.max_bytes")
      .Set(static_cast<double>(s_.max_bytes));
}
ResponseCache::~ResponseCache() = default;

std::shared_ptr<const CachedAnswer> ResponseCache::find(const std::string& key,
                                                        std::int64_t version,
                                                        std::chrono::milliseconds max_age) {
  auto& i = *impl_;
  std::lock_guard lock(i.mutex);
  auto it = i.map.find(key);
  if (it == i.map.end() || it->second.version != version ||
      (max_age.count() > 0 &&
       std::chrono::steady_clock::now() - it->second.answer->made > max_age)) {
    i.misses.Increment();
    return nullptr;
  }
  i.lru.splice(i.lru.begin(), i.lru, it->second.lru);
  i.hits.Increment();
  return it->second.answer;
}

void ResponseCache::put(const std::string& key, std::int64_t version,
                        std::shared_ptr<const CachedAnswer> a) {
  auto& i = *impl_;
  const auto cost = Impl::cost(key, *a);
  if (s_.max_entries == 0 || cost > s_.max_bytes) return;
  std::lock_guard lock(i.mutex);
  // Another version than the stored ones: nothing stored can be served again. Usually newer; an
  // older one is a slow request that read the version before a write (its answer replaces the
  // newer ones until the next miss), or a database restored from an older dump.
  if (version != i.newest) {
    i.newest = version;
    i.map.clear();
    i.lru.clear();
    i.bytes = 0;
  }
  if (auto it = i.map.find(key); it != i.map.end()) i.erase(it);
  while (!i.map.empty() && (i.map.size() >= s_.max_entries || i.bytes + cost > s_.max_bytes)) {
    i.erase(i.map.find(i.lru.back()));
    i.evictions.Increment();
  }
  i.lru.push_front(key);
  i.map.emplace(key, Impl::Entry{version, std::move(a), i.lru.begin()});
  i.bytes += cost;
  i.publish();
}

void ResponseCache::count_not_modified() { impl_->not_modified.Increment(); }
void ResponseCache::count_io_thread_hit() { impl_->io_thread_hits.Increment(); }

std::size_t ResponseCache::entries() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->map.size();
}
std::size_t ResponseCache::bytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->bytes;
}

std::shared_ptr<const CachedAnswer> ResponseCache::make_once(
    const std::string& key, std::int64_t version,
    const std::function<std::shared_ptr<const CachedAnswer>()>& make) {
  auto& i = *impl_;
  const auto id = std::make_pair(key, version);
  std::shared_ptr<Impl::Flight> flight;
  {
    std::unique_lock lock(i.flights_mutex);
    if (auto it = i.flights.find(id); it != i.flights.end()) {
      auto theirs = it->second;
      i.flight_done.wait(lock, [&] { return theirs->done; });
      if (theirs->answer) {
        i.joined.Increment();
        return theirs->answer;
      }
      return make();  // theirs gave nothing to share (an error, a refusal): make our own
    }
    flight = std::make_shared<Impl::Flight>();
    i.flights.emplace(id, flight);
  }
  // Whatever happens in make(), the waiters are released.
  struct Land {
    Impl& i;
    const std::pair<std::string, std::int64_t>& id;
    Impl::Flight& f;
    ~Land() {
      {
        std::lock_guard lock(i.flights_mutex);
        f.done = true;
        i.flights.erase(id);
      }
      i.flight_done.notify_all();
    }
  } land{i, id, *flight};
  flight->answer = make();
  return flight->answer;
}

std::shared_ptr<const CachedAnswer> make_answer(std::string body, std::string content_type) {
  auto a = std::make_shared<CachedAnswer>();
  a->etag = "\"" + core::sha256_hex(body).substr(0, 32) + "\"";
  a->body = std::move(body);
  a->content_type = std::move(content_type);
  a->made = std::chrono::steady_clock::now();
  return a;
}

bool etag_matches(std::string_view header, std::string_view etag) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  if (trim(header) == "*") return true;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto tag = trim(header.substr(0, comma));
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (!tag.empty() && tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

namespace {
// Who may see the answer and what was asked: role and scope (a page never crosses either), the
// path and the decoded query in key order, each part length-prefixed so none can imitate another.
std::string cache_key(const http::Request& req, const model::Principal& who) {
  std::string k;
  auto add = [&k](std::string_view s) {
    k += std::to_string(s.size());
    k += ':';
    k += s;
  };
  add(model::to_string(who.role));
  add(who.scope.kind == model::ScopeKind::province ? "province"
      : who.scope.kind == model::ScopeKind::region ? "region:" + who.scope.region_code
                                                   : "enterprise:" + who.scope.company_code);
  add(req.path);
  for (const auto& [name, value] : req.query) {
    add(name);
    add(value);
  }
  return k;
}

// The answer as sent: its body shared with the cache (no copy), or a 304 for a matching
// If-None-Match.
http::Response send(const http::Request& req, const std::shared_ptr<const CachedAnswer>& a,
                    ResponseCache& cache) {
  http::Response r;
  r.headers.emplace_back("ETag", a->etag);
  // Browsers keep the answer and ask again with If-None-Match each time; shared caches never.
  r.headers.emplace_back("Cache-Control", "private, no-cache");
  r.headers.emplace_back("Vary", "Authorization");
  if (auto inm = req.header("if-none-match"); !inm.empty() && etag_matches(inm, a->etag)) {
    cache.count_not_modified();
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.status = 200;
  r.content_type = a->content_type;
  r.shared_body = std::shared_ptr<const std::string>(a, &a->body);
  return r;
}

// What the early step leaves for the handler: the version it read (nullopt: none could be read)
// and that the cache had no answer under it.
struct ReadVersion final : http::EarlyState {
  std::optional<std::int64_t> version;
};

std::chrono::milliseconds max_age_of(const ResponseCache& cache, Freshness f) {
  return f == Freshness::live ? cache.settings().live_max_age : std::chrono::milliseconds(0);
}
bool storable(const ResponseCache& cache, Freshness f) {
  return cache.settings().max_bytes > 0 && cache.settings().max_entries > 0 &&
         (f == Freshness::registry || max_age_of(cache, f).count() > 0);
}
}  // namespace

AuthedHandler read_cached(ApiContext& ctx, Freshness f, AuthedHandler h) {
  return [&ctx, f, h = std::move(h)](http::Request& req,
                                     const model::Principal& who) -> http::Response {
    auto* cache = ctx.response_cache.get();
    if (!cache || req.method != "GET") return h(req, who);
    const auto max_age = max_age_of(*cache, f);
    std::optional<std::int64_t> version;
    std::string key;
    if (storable(*cache, f)) {
      key = cache_key(req, who);
      if (auto early = std::dynamic_pointer_cast<const ReadVersion>(req.early_state)) {
        // The early step read the version after this request arrived and found nothing under it.
        version = early->version;
      } else {
        // Read before the handler runs: what it finds is at least as new as this version.
        version = cache->version();
        if (version) {
          if (auto hit = cache->find(key, *version, max_age)) return send(req, hit, *cache);
        }
      }
    }
    if (!version) {
      auto resp = h(req, who);
      if (resp.status != 200 || resp.stream || !resp.headers.empty()) return resp;
      return send(req, make_answer(std::move(resp.body), std::move(resp.content_type)), *cache);
    }
    // Made once for every request that missed the same page meanwhile; a request whose answer
    // cannot be stored keeps it for itself.
    std::optional<http::Response> own;
    auto a = cache->make_once(key, *version, [&]() -> std::shared_ptr<const CachedAnswer> {
      auto resp = h(req, who);
      if (resp.status != 200 || resp.stream || !resp.headers.empty()) {
        own = std::move(resp);
        return nullptr;
      }
      auto made = make_answer(std::move(resp.body), std::move(resp.content_type));
      cache->put(key, *version, made);
      return made;
    });
    if (own) return std::move(*own);
    return send(req, a, *cache);
  };
}

http::Early read_cached_early(ApiContext& ctx, Freshness f,
                              std::function<bool(const http::Request&)> applies) {
  return [&ctx, f, applies = std::move(applies)](http::Request& req, http::Resume resume) {
    auto* cache = ctx.response_cache.get();
    if (!cache || !cache->has_async_version() || req.method != "GET" || !storable(*cache, f) ||
        (applies && !applies(req)))
      return resume(std::nullopt);
    auto token = req.bearer_token();
    auto who = token.empty() ? std::nullopt : ctx.auth.authenticate_cached(token);
    if (!who) return resume(std::nullopt);
    // Runs on the version reader's thread once a read begun after this request has ended; the
    // request stays put (its session waits for `resume`).
    cache->version_async([cache, &req, key = cache_key(req, *who), max_age = max_age_of(*cache, f),
                          resume = std::move(resume)](std::optional<std::int64_t> v) {
      // Stopping: answered before the server's io_context goes (RegistryVersion::stop), with a
      // 503 the client retries (on another node behind the load balancer).
      if (!v && cache->version_stopped())
        return resume(
            http::problem(core::Error(core::Errc::unavailable, core::Reason::shutting_down,
                                      "the server is shutting down; retry shortly"),
                          req.request_id));
      std::shared_ptr<const CachedAnswer> hit;
      if (v) hit = cache->find(key, *v, max_age);
      if (hit) {
        cache->count_io_thread_hit();
        return resume(send(req, hit, *cache));
      }
      auto st = std::make_shared<ReadVersion>();
      st->version = v;
      req.early_state = std::move(st);
      resume(std::nullopt);
    });
  };
}

}  // namespace hazmon::api
