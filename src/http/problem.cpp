#include <hazmon/http/problem.hpp>

#include <nlohmann/json.hpp>

namespace hazmon::http {

namespace {
const char* title_for(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}
}  // namespace

Response problem(int status, std::string code, std::string detail, const std::string& request_id,
                 const std::vector<core::FieldError>& fields) {
  nlohmann::json j = {
      {"type", "https://hazmon.example/problems/" + code},
      {"title", title_for(status)},
      {"status", status},
      {"code", code},
      {"detail", std::move(detail)},
      {"request_id", request_id},
  };
  if (!fields.empty()) {
    auto arr = nlohmann::json::array();
    for (const auto& f : fields) arr.push_back({{"pointer", f.pointer}, {"message", f.message}});
    j["errors"] = std::move(arr);
  }
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hazmon\"");
  return r;
}

Response problem(const core::Error& e, const std::string& request_id, long long retry_after_s) {
  auto spec = problem_spec(e.code(), e.reason());
  // Internal errors keep their text in the log, never in the answer.
  std::string detail = e.code() == core::Errc::internal
                           ? "an internal error occurred; quote the request_id"
                           : std::string(e.what());
  auto r = problem(spec.status, spec.code, detail, request_id, e.fields());
  if (retry_after_s <= 0) retry_after_s = spec.retry_after_s;
  if (retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

Response problem(core::Errc code, core::Reason reason, std::string detail,
                 const std::string& request_id) {
  return problem(core::Error(code, reason, std::move(detail)), request_id);
}

}  // namespace hazmon::http
