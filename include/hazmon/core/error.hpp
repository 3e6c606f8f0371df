#pragma once
// Error vocabulary shared by every module. An Error carries an Errc (the class of failure) and,
// where one applies, a Reason (the stable name of this particular failure). The one table from
// (Errc, Reason) to HTTP status, problem code and Retry-After is http/problem_table.cpp;
// messages are for people, never SQL text. docs/errors.md lists the table and the checks below.
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hazmon::core {

enum class Errc {
  bad_request,        // malformed syntax: broken JSON, bad query parameter
  validation_failed,  // well-formed but violates a schema or a domain rule
  unauthenticated,    // missing, forged or expired credentials
  forbidden,          // authenticated, but the role may not do this
  not_found,          // absent, or outside the caller's scope (never leak existence)
  conflict,           // duplicate key, stale state
  too_large,          // body above the configured limit
  unsupported_media,  // wrong Content-Type
  throttled,          // too many attempts
  unavailable,        // dependency down or queue full; retry later
  internal,           // a bug or an unexpected failure
};

// Why, more precisely than the Errc; `none` where the Errc says all there is. Stable names
// (to_string) for logs, metrics and tests; new ones go at the end of their group.
enum class Reason {
  none,
  // HTTP framing and routing (http::Server, static files)
  bad_target,
  malformed_request,
  route_not_found,
  method_not_allowed,
  request_timeout,
  header_too_large,
  body_too_large,
  bad_path,
  file_not_found,
  // request bodies
  json_too_deep,
  // capacity and dependencies: retry later
  server_busy,        // the HTTP worker queue is full
  ingest_queue_full,  // the ingest writer's queue is full
  ingest_timeout,     // the upload was queued but not stored within the reply timeout
  shutting_down,
  db_unavailable,     // PostgreSQL away, connection lost, serialization failure
  db_timeout,         // no pool connection free within the acquire timeout
  spool_unavailable,  // the ingest spool cannot be written
  pdf_unavailable,    // Chromium missing or failing
  feature_disabled,   // the server is not configured for this (no key, warnings off)
  ingest_failed,      // an upload's group was not stored for another reason (the log has it)
  // authentication
  login_throttled,
  // build options
  video_disabled,  // hazmond built without video (HAZMON_WITH_VIDEO=OFF)
  // domain refusals a client tells apart (docs/security.md, round 4)
  narrows_coverage,     // 422: the enterprise's change would drop a coverage requirement
  unit_status_current,  // 409: the unit has a current status (another filed at the same moment)
  data_id_reused,       // 409: a row upload's dataId was used before with other rows
};

// One field-level complaint; `pointer` is a JSON pointer into the request body.
struct FieldError {
  std::string pointer;
  std::string message;
};

class Error : public std::runtime_error {
 public:
  // std::runtime_error copies its message whatever it is given: take it by reference.
  Error(Errc code, const std::string& message, std::vector<FieldError> fields = {})
      : std::runtime_error(message), code_(code), fields_(std::move(fields)) {}
  Error(Errc code, Reason reason, const std::string& message, std::vector<FieldError> fields = {})
      : std::runtime_error(message), code_(code), reason_(reason), fields_(std::move(fields)) {}
  Errc code() const noexcept { return code_; }
  Reason reason() const noexcept { return reason_; }
  const std::vector<FieldError>& fields() const noexcept { return fields_; }

 private:
  Errc code_;
  Reason reason_ = Reason::none;
  std::vector<FieldError> fields_;
};

const char* to_string(Errc code) noexcept;
const char* to_string(Reason reason) noexcept;

// ---- Checks (docs/errors.md; after Envoy's ASSERT / RELEASE_ASSERT / ENVOY_BUG) ----
// HAZMON_ASSERT(cond, msg): debug builds only; compiled out under NDEBUG. For invariants that
//   are cheap to break in development and too hot or too obvious to test in production.
// HAZMON_CHECK(cond, msg): always; logs to stderr and aborts. For states the process cannot
//   continue from (a crypto library that did not start).
// HAZMON_BUG(cond, msg): "cannot happen" states the server can survive: debug builds abort;
//   release builds count hazmon_bugs_total{where="file.cpp:line"}, log the first time and then
//   at most once a minute per site, and go on.
[[noreturn]] void check_failed(const char* cond, const char* msg, const char* file, int line);

// One HAZMON_BUG site: a function-local static made the first time it fires.
struct BugSite {
  BugSite(const char* file, int line);
  ~BugSite();
  BugSite(const BugSite&) = delete;
  BugSite& operator=(const BugSite&) = delete;
  std::string where;  // "file.cpp:123"
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::int64_t> last_log_s{-1};  // steady seconds of the last log line
  std::atomic<std::uint64_t> unlogged{0};    // fired since the last log line
  std::atomic<std::uint64_t> logged{0};      // log lines written
};
void bug_occurred(BugSite& site, const char* cond, std::string_view msg);
struct BugCount {
  std::string where;
  std::uint64_t count;
};
std::vector<BugCount> bug_counts();  // every site that fired, for /metrics
bool bugs_abort() noexcept;          // true in debug builds unless a test turned it off
void set_bugs_abort(bool abort_on_bug) noexcept;

}  // namespace hazmon::core

#define HAZMON_CHECK(cond, msg)                                                \
  do {                                                                         \
    if (!(cond)) ::hazmon::core::check_failed(#cond, msg, __FILE__, __LINE__); \
  } while (0)

#ifdef NDEBUG
#define HAZMON_ASSERT(cond, msg) \
  do {                           \
    (void)sizeof(!(cond));       \
  } while (0)
#else
#define HAZMON_ASSERT(cond, msg) HAZMON_CHECK(cond, msg)
#endif

#define HAZMON_BUG(cond, msg)                                              \
  do {                                                                     \
    if (!(cond)) [[unlikely]] {                                            \
      static ::hazmon::core::BugSite hazmon_bug_site_(__FILE__, __LINE__); \
      ::hazmon::core::bug_occurred(hazmon_bug_site_, #cond, msg);          \
    }                                                                      \
  } while (0)
