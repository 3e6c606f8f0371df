#pragma once
// RFC 9457 problem details. The one table from core::Errc to HTTP status and stable code lives
// in problem.cpp; every error answer of the server goes through here.
#include <string>
#include <vector>

#include <hazmon/core/error.hpp>
#include <hazmon/http/message.hpp>

namespace hazmon::http {

int status_for(core::Errc code);

// `code` is the stable machine-readable code clients branch on (e.g. "validation_failed",
// "route_not_found"); `detail` a sentence for people.
Response problem(int status, std::string code, std::string detail, const std::string& request_id,
                 const std::vector<core::FieldError>& fields = {});
Response problem(const core::Error& e, const std::string& request_id);

}  // namespace hazmon::http
