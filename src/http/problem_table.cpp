// The one table from (core::Errc, core::Reason) to HTTP status, problem code and Retry-After.
// A row with Reason::none is the Errc's own; a reason without a row of its own Errc answers as
// that Errc's none row. The codes are the API's stable contract (docs/api.md, docs/errors.md,
// tests/api/bad_input_test.cpp): change a code only with a new API version.
#include <hazmon/http/problem.hpp>

namespace hazmon::http {
namespace {
using core::Errc;
using core::Reason;

struct Row {
  Errc errc;
  Reason reason;
  ProblemSpec spec;
};

constexpr int kRetryUnavailable_s = 5;  // a dependency away: PostgreSQL, the spool, Chromium
constexpr int kRetryBusy_s = 1;         // a full worker queue drains within a second
constexpr int kRetryThrottled_s = 1;    // at least; the login throttle says how long it lasts

constexpr Row kTable[] = {
    {Errc::bad_request, Reason::none, {400, "bad_request", 0}},
    {Errc::bad_request, Reason::json_too_deep, {400, "bad_request", 0}},
    {Errc::bad_request, Reason::bad_target, {400, "bad_target", 0}},
    {Errc::bad_request, Reason::malformed_request, {400, "malformed_request", 0}},
    {Errc::bad_request, Reason::bad_path, {400, "bad_path", 0}},
    {Errc::bad_request, Reason::method_not_allowed, {405, "method_not_allowed", 0}},
    {Errc::bad_request, Reason::request_timeout, {408, "request_timeout", 0}},
    {Errc::validation_failed, Reason::none, {422, "validation_failed", 0}},
    {Errc::validation_failed, Reason::narrows_coverage, {422, "narrows_coverage", 0}},
    {Errc::unauthenticated, Reason::none, {401, "unauthenticated", 0}},
    {Errc::forbidden, Reason::none, {403, "forbidden", 0}},
    {Errc::not_found, Reason::none, {404, "not_found", 0}},
    {Errc::not_found, Reason::route_not_found, {404, "route_not_found", 0}},
    {Errc::not_found, Reason::file_not_found, {404, "file_not_found", 0}},
    {Errc::not_found, Reason::video_disabled, {404, "video_disabled", 0}},
    {Errc::conflict, Reason::none, {409, "conflict", 0}},
    {Errc::conflict, Reason::unit_status_current, {409, "unit_status_current", 0}},
    {Errc::conflict, Reason::data_id_reused, {409, "data_id_reused", 0}},
    {Errc::too_large, Reason::none, {413, "too_large", 0}},
    {Errc::too_large, Reason::body_too_large, {413, "body_too_large", 0}},
    {Errc::too_large, Reason::header_too_large, {431, "header_too_large", 0}},
    {Errc::unsupported_media, Reason::none, {415, "unsupported_media_type", 0}},
    {Errc::throttled, Reason::none, {429, "throttled", kRetryThrottled_s}},
    {Errc::throttled, Reason::login_throttled, {429, "throttled", kRetryThrottled_s}},
    {Errc::unavailable, Reason::none, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::server_busy, {503, "busy", kRetryBusy_s}},
    {Errc::unavailable, Reason::ingest_queue_full, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::ingest_timeout, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::shutting_down, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::db_unavailable, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::db_timeout, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::spool_unavailable, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::pdf_unavailable, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::feature_disabled, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::unavailable, Reason::ingest_failed, {503, "unavailable", kRetryUnavailable_s}},
    {Errc::internal, Reason::none, {500, "internal", 0}},
};
}  // namespace

ProblemSpec problem_spec(Errc code, Reason reason) noexcept {
  const Row* own = nullptr;
  for (const auto& row : kTable) {
    if (row.errc != code) continue;
    if (row.reason == reason) return row.spec;
    if (row.reason == Reason::none) own = &row;
  }
  HAZMON_BUG(own, "an Errc without its own row in the problem table");
  return own ? own->spec : ProblemSpec{500, "internal", 0};
}

int status_for(Errc code) { return problem_spec(code).status; }

}  // namespace hazmon::http
