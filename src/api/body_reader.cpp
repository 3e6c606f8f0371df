#include "body_reader.hpp"

#include <algorithm>

#include <hazmon/core/time_format.hpp>

namespace hazmon::api {

std::optional<std::string> BodyReader::text(const std::string& key, std::size_t max,
                                            bool required) {
  if (!body.contains(key) || (rules_.null_is_absent && body[key].is_null())) {
    if (required) errors.push_back({"/" + key, "is required"});
    return std::nullopt;
  }
  if (!body[key].is_string()) {
    errors.push_back({"/" + key, "must be a string"});
    return std::nullopt;
  }
  auto s = body[key].get<std::string>();
  if (s.size() > max) errors.push_back({"/" + key, "at most " + std::to_string(max) + " bytes"});
  if (rules_.empty_is_absent && s.empty() && !required) return std::nullopt;
  return s;
}

std::optional<core::SysTime> BodyReader::time(const std::string& key, bool required) {
  auto s = text(key, 40, required);
  if (!s) return std::nullopt;
  auto t = core::parse_time(*s);
  if (!t) errors.push_back({"/" + key, "must be a time (RFC 3339 or yyyy-MM-dd HH:mm:ss)"});
  return t;
}

std::optional<bool> BodyReader::flag(const std::string& key) {
  if (!body.contains(key)) return std::nullopt;
  if (!body[key].is_boolean()) {
    errors.push_back({"/" + key, "must be true or false"});
    return std::nullopt;
  }
  return body[key].get<bool>();
}

void BodyReader::known(const std::vector<std::string>& keys, const char* what) {
  for (auto& [k, v] : body.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) errors.push_back({"/" + k, what});
}

void BodyReader::done(const char* what) {
  if (!errors.empty()) throw core::Error(core::Errc::validation_failed, what, std::move(errors));
}

}  // namespace hazmon::api
