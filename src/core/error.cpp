#include <hazmon/core/error.hpp>

#include <spdlog/spdlog.h>
#include <hazmon/core/log.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

namespace hazmon::core {

const char* to_string(Errc code) noexcept {
  switch (code) {
    case Errc::bad_request:
      return "bad_request";
    case Errc::validation_failed:
      return "validation_failed";
    case Errc::unauthenticated:
      return "unauthenticated";
    case Errc::forbidden:
      return "forbidden";
    case Errc::not_found:
      return "not_found";
    case Errc::conflict:
      return "conflict";
    case Errc::too_large:
      return "too_large";
    case Errc::unsupported_media:
      return "unsupported_media_type";
    case Errc::throttled:
      return "throttled";
    case Errc::unavailable:
      return "unavailable";
    case Errc::internal:
      return "internal";
  }
  HAZMON_BUG(false, "an Errc outside the enum");
  return "internal";
}

const char* to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::none:
      return "none";
    case Reason::bad_target:
      return "bad_target";
    case Reason::malformed_request:
      return "malformed_request";
    case Reason::route_not_found:
      return "route_not_found";
    case Reason::method_not_allowed:
      return "method_not_allowed";
    case Reason::request_timeout:
      return "request_timeout";
    case Reason::header_too_large:
      return "header_too_large";
    case Reason::body_too_large:
      return "body_too_large";
    case Reason::bad_path:
      return "bad_path";
    case Reason::file_not_found:
      return "file_not_found";
    case Reason::json_too_deep:
      return "json_too_deep";
    case Reason::server_busy:
      return "server_busy";
    case Reason::ingest_queue_full:
      return "ingest_queue_full";
    case Reason::ingest_timeout:
      return "ingest_timeout";
    case Reason::shutting_down:
      return "shutting_down";
    case Reason::db_unavailable:
      return "db_unavailable";
    case Reason::db_timeout:
      return "db_timeout";
    case Reason::spool_unavailable:
      return "spool_unavailable";
    case Reason::pdf_unavailable:
      return "pdf_unavailable";
    case Reason::feature_disabled:
      return "feature_disabled";
    case Reason::ingest_failed:
      return "ingest_failed";
    case Reason::video_disabled:
      return "video_disabled";
    case Reason::login_throttled:
      return "login_throttled";
    case Reason::narrows_coverage:
      return "narrows_coverage";
    case Reason::unit_status_current:
      return "unit_status_current";
    case Reason::data_id_reused:
      return "data_id_reused";
  }
  HAZMON_BUG(false, "a Reason outside the enum");
  return "none";
}

void check_failed(const char* cond, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "HAZMON_CHECK failed: %s (%s) at %s:%d\n", cond, msg, file, line);
  std::abort();
}

// ---- HAZMON_BUG ----
namespace {
struct BugRegistry {
  std::mutex mu;
  std::vector<BugSite*> sites;  // function-local statics: they outlive every caller
};
BugRegistry& bug_registry() {
  static auto* r = new BugRegistry;  // never destroyed: a bug may fire during static destruction
  return *r;
}
#ifdef NDEBUG
std::atomic<bool> g_bugs_abort{false};
#else
std::atomic<bool> g_bugs_abort{true};
#endif
constexpr std::int64_t kBugLogEvery_s = 60;

std::int64_t steady_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

BugSite::BugSite(const char* file, int line) {
  const char* base = std::strrchr(file, '/');
  where = std::string(base ? base + 1 : file) + ":" + std::to_string(line);
  auto& r = bug_registry();
  std::lock_guard lock(r.mu);
  r.sites.push_back(this);
}

BugSite::~BugSite() {
  auto& r = bug_registry();
  std::lock_guard lock(r.mu);
  std::erase(r.sites, this);
}

void bug_occurred(BugSite& site, const char* cond, std::string_view msg) {
  site.count.fetch_add(1, std::memory_order_relaxed);
  if (g_bugs_abort.load(std::memory_order_relaxed)) {
    std::fprintf(stderr, "HAZMON_BUG: %s (%.*s) at %s\n", cond, static_cast<int>(msg.size()),
                 msg.data(), site.where.c_str());
    std::abort();
  }
  // The first time, then at most once a minute per site with the number left unlogged between.
  auto now = steady_seconds();
  auto last = site.last_log_s.load(std::memory_order_relaxed);
  if ((last < 0 || now - last >= kBugLogEvery_s) &&
      site.last_log_s.compare_exchange_strong(last, now, std::memory_order_relaxed)) {
    auto skipped = site.unlogged.exchange(0, std::memory_order_relaxed);
    site.logged.fetch_add(1, std::memory_order_relaxed);
    logger(LogModule::app)
        ->error("HAZMON_BUG at {}: {} ({}){}", site.where, msg, cond,
                skipped ? fmt::format("; {} more since the last report", skipped) : std::string());
  } else {
    site.unlogged.fetch_add(1, std::memory_order_relaxed);
  }
}

std::vector<BugCount> bug_counts() {
  auto& r = bug_registry();
  std::lock_guard lock(r.mu);
  std::vector<BugCount> out;
  out.reserve(r.sites.size());
  for (auto* s : r.sites) out.push_back({s->where, s->count.load(std::memory_order_relaxed)});
  return out;
}

bool bugs_abort() noexcept { return g_bugs_abort.load(std::memory_order_relaxed); }
void set_bugs_abort(bool abort_on_bug) noexcept {
  g_bugs_abort.store(abort_on_bug, std::memory_order_relaxed);
}

}  // namespace hazmon::core
