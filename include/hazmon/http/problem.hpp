#pragma once
// RFC 9457 problem details. The one table from (core::Errc, core::Reason) to HTTP status, stable
// code and Retry-After lives in problem_table.cpp; every error answer of the server goes through
// here.
#include <string>
#include <vector>

#include <hazmon/core/error.hpp>
#include <hazmon/http/message.hpp>

namespace hazmon::http {

// One row of the table. retry_after_s 0: no Retry-After header.
struct ProblemSpec {
  int status;
  const char* code;
  int retry_after_s;
};
// The row for this reason; Reason::none (or a reason that does not belong to the Errc) takes
// the Errc's own row.
ProblemSpec problem_spec(core::Errc code, core::Reason reason = core::Reason::none) noexcept;
int status_for(core::Errc code);

// `code` is the stable machine-readable code clients branch on (e.g. "validation_failed",
// "route_not_found"); `detail` a sentence for people.
Response problem(int status, std::string code, std::string detail, const std::string& request_id,
                 const std::vector<core::FieldError>& fields = {});
// Status, code and Retry-After from the table for (code, reason); `detail` as for an Error.
Response problem(core::Errc code, core::Reason reason, std::string detail,
                 const std::string& request_id);
// Status, code and Retry-After from the table; retry_after_s above 0 replaces the table's
// Retry-After (a login throttle that knows how long the lock lasts).
Response problem(const core::Error& e, const std::string& request_id, long long retry_after_s = 0);

}  // namespace hazmon::http
