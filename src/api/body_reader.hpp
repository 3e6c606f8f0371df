#pragma once
// Inside api only: reads the members of a request body (a record to file or edit) into typed
// values, collecting every problem as a FieldError at "/<member>", and throws them together
// from done() as one 422.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>

namespace hazmon::api {

// How text() reads an optional member given as null or as "".
struct TextRules {
  bool null_is_absent = true;    // false: null is "must be a string"
  bool empty_is_absent = false;  // true: "" of an optional member reads as absent
};

class BodyReader {
 public:
  explicit BodyReader(const nlohmann::json& b, TextRules rules = {}) : body(b), rules_(rules) {}

  // A string of at most `max` bytes; nullopt (and "is required" when `required`) if absent.
  std::optional<std::string> text(const std::string& key, std::size_t max, bool required);
  // A time in RFC 3339 or "yyyy-MM-dd HH:mm:ss" (read as UTC+8).
  std::optional<core::SysTime> time(const std::string& key, bool required = false);
  std::optional<bool> flag(const std::string& key);
  // Each member not in `keys` is a problem, reported as `what`.
  void known(const std::vector<std::string>& keys, const char* what);
  // Throws validation_failed with every problem collected, `what` as the title.
  void done(const char* what);

  const nlohmann::json& body;
  std::vector<core::FieldError> errors;

 private:
  TextRules rules_;
};

}  // namespace hazmon::api
