#pragma once
// Error vocabulary shared by every module. The API maps each Errc to one HTTP status
// and one stable problem code (api/problem.cpp); messages are for people, never SQL text.
#include <stdexcept>
#include <string>
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

// One field-level complaint; `pointer` is a JSON pointer into the request body.
struct FieldError {
  std::string pointer;
  std::string message;
};

class Error : public std::runtime_error {
 public:
  Error(Errc code, std::string message, std::vector<FieldError> fields = {})
      : std::runtime_error(std::move(message)), code_(code), fields_(std::move(fields)) {}
  Errc code() const noexcept { return code_; }
  const std::vector<FieldError>& fields() const noexcept { return fields_; }

 private:
  Errc code_;
  std::vector<FieldError> fields_;
};

const char* to_string(Errc code) noexcept;

}  // namespace hazmon::core

#define HAZMON_CHECK(cond, msg) \
  do { if (!(cond)) ::hazmon::core::check_failed(#cond, msg, __FILE__, __LINE__); } while (0)

namespace hazmon::core {
[[noreturn]] void check_failed(const char* cond, const char* msg, const char* file, int line);
}
