// problem(Errc, Reason, detail, request_id): the answers the server writes without a handler
// (server.cpp, static_files.cpp) take status, code and Retry-After from the one table.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <hazmon/http/problem.hpp>

#include <string>

namespace hazmon::http {
namespace {
using core::Errc;
using core::Reason;

std::string header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

TEST(ProblemReason, StatusCodeAndDetailComeFromTheTable) {
  struct Case {
    Errc errc;
    Reason reason;
  } cases[] = {{Errc::bad_request, Reason::bad_target},
               {Errc::bad_request, Reason::method_not_allowed},
               {Errc::bad_request, Reason::malformed_request},
               {Errc::bad_request, Reason::request_timeout},
               {Errc::bad_request, Reason::bad_path},
               {Errc::not_found, Reason::route_not_found},
               {Errc::not_found, Reason::file_not_found},
               {Errc::too_large, Reason::body_too_large},
               {Errc::too_large, Reason::header_too_large}};
  for (const auto& c : cases) {
    auto spec = problem_spec(c.errc, c.reason);
    auto r = problem(c.errc, c.reason, "what went wrong", "req-1");
    SCOPED_TRACE(spec.code);
    EXPECT_EQ(r.status, spec.status);
    EXPECT_EQ(r.content_type, "application/problem+json");
    auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["code"], spec.code);
    EXPECT_EQ(j["status"], spec.status);
    EXPECT_EQ(j["detail"], "what went wrong");
    EXPECT_EQ(j["request_id"], "req-1");
    EXPECT_EQ(header(r, "Retry-After"), "");
  }
  // The codes the server wrote by hand before, unchanged.
  EXPECT_EQ(problem(Errc::too_large, Reason::header_too_large, "x", "r").status, 431);
  EXPECT_EQ(problem(Errc::bad_request, Reason::request_timeout, "x", "r").status, 408);
  EXPECT_EQ(problem(Errc::bad_request, Reason::method_not_allowed, "x", "r").status, 405);
}

TEST(ProblemReason, InternalHidesItsTextAndBusyCarriesRetryAfter) {
  auto r = problem(Errc::internal, Reason::none, "std::bad_alloc in handler", "req-2");
  EXPECT_EQ(r.status, 500);
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["code"], "internal");
  EXPECT_EQ(j["detail"], "an internal error occurred; quote the request_id");

  auto busy = problem(Errc::unavailable, Reason::server_busy, "busy", "req-3");
  EXPECT_EQ(busy.status, 503);
  EXPECT_EQ(header(busy, "Retry-After"),
            std::to_string(problem_spec(Errc::unavailable, Reason::server_busy).retry_after_s));
  EXPECT_NE(header(busy, "Retry-After"), "");
}

}  // namespace
}  // namespace hazmon::http
