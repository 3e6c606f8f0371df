// The one table from (Errc, Reason) to status, problem code and Retry-After
// (src/http/problem_table.cpp): every row, and what problem() makes of it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <hazmon/http/problem.hpp>

#include <string>

namespace hazmon::http {
namespace {
using core::Errc;
using core::Reason;

struct Expect {
  Errc errc;
  Reason reason;
  int status;
  std::string code;
  int retry_after_s;
};

// The API's contract (docs/api.md "Errors"), written out independently of the table.
const Expect kExpected[] = {
    {Errc::bad_request, Reason::none, 400, "bad_request", 0},
    {Errc::bad_request, Reason::json_too_deep, 400, "bad_request", 0},
    {Errc::bad_request, Reason::bad_target, 400, "bad_target", 0},
    {Errc::bad_request, Reason::malformed_request, 400, "malformed_request", 0},
    {Errc::bad_request, Reason::bad_path, 400, "bad_path", 0},
    {Errc::bad_request, Reason::method_not_allowed, 405, "method_not_allowed", 0},
    {Errc::bad_request, Reason::request_timeout, 408, "request_timeout", 0},
    {Errc::validation_failed, Reason::none, 422, "validation_failed", 0},
    {Errc::unauthenticated, Reason::none, 401, "unauthenticated", 0},
    {Errc::forbidden, Reason::none, 403, "forbidden", 0},
    {Errc::not_found, Reason::none, 404, "not_found", 0},
    {Errc::not_found, Reason::route_not_found, 404, "route_not_found", 0},
    {Errc::not_found, Reason::file_not_found, 404, "file_not_found", 0},
    {Errc::not_found, Reason::video_disabled, 404, "video_disabled", 0},
    {Errc::conflict, Reason::none, 409, "conflict", 0},
    {Errc::conflict, Reason::unit_status_current, 409, "unit_status_current", 0},
    {Errc::conflict, Reason::data_id_reused, 409, "data_id_reused", 0},
    {Errc::validation_failed, Reason::narrows_coverage, 422, "narrows_coverage", 0},
    {Errc::too_large, Reason::none, 413, "too_large", 0},
    {Errc::too_large, Reason::body_too_large, 413, "body_too_large", 0},
    {Errc::too_large, Reason::header_too_large, 431, "header_too_large", 0},
    {Errc::unsupported_media, Reason::none, 415, "unsupported_media_type", 0},
    {Errc::throttled, Reason::none, 429, "throttled", 1},
    {Errc::throttled, Reason::login_throttled, 429, "throttled", 1},
    {Errc::unavailable, Reason::none, 503, "unavailable", 5},
    {Errc::unavailable, Reason::server_busy, 503, "busy", 1},
    {Errc::unavailable, Reason::ingest_queue_full, 503, "unavailable", 5},
    {Errc::unavailable, Reason::ingest_timeout, 503, "unavailable", 5},
    {Errc::unavailable, Reason::shutting_down, 503, "unavailable", 5},
    {Errc::unavailable, Reason::db_unavailable, 503, "unavailable", 5},
    {Errc::unavailable, Reason::db_timeout, 503, "unavailable", 5},
    {Errc::unavailable, Reason::spool_unavailable, 503, "unavailable", 5},
    {Errc::unavailable, Reason::pdf_unavailable, 503, "unavailable", 5},
    {Errc::unavailable, Reason::feature_disabled, 503, "unavailable", 5},
    {Errc::unavailable, Reason::ingest_failed, 503, "unavailable", 5},
    {Errc::internal, Reason::none, 500, "internal", 0},
};

std::string retry_after(const Response& r) {
  std::string v;
  int n = 0;
  for (const auto& [k, val] : r.headers)
    if (k == "Retry-After") v = val, ++n;
  EXPECT_LE(n, 1) << "one Retry-After at most";
  return v;
}

TEST(ProblemTable, EveryRowGivesItsStatusCodeAndRetryAfter) {
  for (const auto& e : kExpected) {
    SCOPED_TRACE(std::string(core::to_string(e.errc)) + "/" + core::to_string(e.reason));
    auto spec = problem_spec(e.errc, e.reason);
    EXPECT_EQ(spec.status, e.status);
    EXPECT_EQ(std::string(spec.code), e.code);
    EXPECT_EQ(spec.retry_after_s, e.retry_after_s);
    auto r = problem(core::Error(e.errc, e.reason, "detail"), "rid");
    EXPECT_EQ(r.status, e.status);
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["code"], e.code);
    EXPECT_EQ(body["status"], e.status);
    EXPECT_EQ(body["type"], "https://hazmon.example/problems/" + e.code);
    EXPECT_EQ(retry_after(r), e.retry_after_s ? std::to_string(e.retry_after_s) : "");
  }
}

TEST(ProblemTable, EveryReasonHasARow) {
  for (int r = 1; r <= static_cast<int>(Reason::data_id_reused); ++r) {
    auto reason = static_cast<Reason>(r);
    bool found = false;
    for (const auto& e : kExpected) found = found || e.reason == reason;
    EXPECT_TRUE(found) << core::to_string(reason) << " has no row";
  }
}

TEST(ProblemTable, AReasonOfAnotherErrcTakesTheErrcsOwnRow) {
  auto spec = problem_spec(Errc::validation_failed, Reason::server_busy);
  EXPECT_EQ(spec.status, 422);
  EXPECT_STREQ(spec.code, "validation_failed");
  EXPECT_EQ(spec.retry_after_s, 0);
  EXPECT_EQ(status_for(Errc::unavailable), 503);
  EXPECT_EQ(status_for(Errc::forbidden), 403);
}

TEST(ProblemTable, AKnownWaitReplacesTheTablesRetryAfter) {
  core::Error locked(Errc::throttled, Reason::login_throttled, "too many failed attempts");
  EXPECT_EQ(retry_after(problem(locked, "rid", 297)), "297");
  EXPECT_EQ(retry_after(problem(locked, "rid", 0)), "1");
  EXPECT_EQ(retry_after(problem(locked, "rid", -3)), "1");
}

TEST(ProblemTable, InternalDetailStaysInTheLog) {
  auto r = problem(core::Error(Errc::internal, "sql error: relation x does not exist"), "rid");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["detail"], "an internal error occurred; quote the request_id");
  EXPECT_EQ(r.status, 500);
}

}  // namespace
}  // namespace hazmon::http
