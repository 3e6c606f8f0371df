#include "settings.hpp"

#include <hazmon/core/error.hpp>

#include <cmath>

namespace hazmon::video::detail {

Settings::Settings(const nlohmann::json& entry, std::string analyser)
    : entry_(entry), analyser_(std::move(analyser)) {
  if (!entry_.is_object()) fail("", "an analyser entry must be a JSON object");
  known_.insert("type");
}

void Settings::fail(const std::string& key, const std::string& message) const {
  std::string where = analyser_.empty() ? std::string("analyser") : "analyser " + analyser_;
  if (!key.empty()) where += ", setting '" + key + "'";
  throw core::Error(core::Errc::validation_failed, where + ": " + message,
                    {core::FieldError{"/" + key, message}});
}

bool Settings::has(const char* key) const {
  return entry_.contains(key) && !entry_.at(key).is_null();
}

double Settings::number(const char* key, double def, double min, double max) {
  known_.insert(key);
  if (!has(key)) return def;
  const auto& v = entry_.at(key);
  if (!v.is_number()) fail(key, "must be a number");
  double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max)
    fail(key,
         "must be between " + nlohmann::json(min).dump() + " and " + nlohmann::json(max).dump());
  return d;
}

int Settings::integer(const char* key, int def, int min, int max) {
  known_.insert(key);
  if (!has(key)) return def;
  const auto& v = entry_.at(key);
  if (!v.is_number_integer()) fail(key, "must be an integer");
  auto i = v.get<long long>();
  if (i < min || i > max)
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return static_cast<int>(i);
}

bool Settings::boolean(const char* key, bool def) {
  known_.insert(key);
  if (!has(key)) return def;
  if (!entry_.at(key).is_boolean()) fail(key, "must be true or false");
  return entry_.at(key).get<bool>();
}

std::string Settings::string(const char* key, const std::string& def) {
  auto s = optional_string(key);
  return s ? *s : def;
}

std::optional<std::string> Settings::optional_string(const char* key) {
  known_.insert(key);
  if (!has(key)) return std::nullopt;
  if (!entry_.at(key).is_string()) fail(key, "must be a string");
  return entry_.at(key).get<std::string>();
}

std::chrono::milliseconds Settings::interval(std::chrono::milliseconds def) {
  known_.insert("interval_ms");
  known_.insert("interval_s");
  if (has("interval_ms") && has("interval_s"))
    fail("interval_s", "give interval_ms or interval_s, not both");
  if (has("interval_ms"))
    return std::chrono::milliseconds(integer("interval_ms", 1000, 100, 3'600'000));
  if (has("interval_s"))
    return std::chrono::milliseconds(std::llround(number("interval_s", 1, 0.1, 3600) * 1000));
  return def;
}

void Settings::finish() const {
  for (const auto& [key, value] : entry_.items())
    if (!known_.count(key)) fail(key, "unknown setting");
}

}  // namespace hazmon::video::detail
