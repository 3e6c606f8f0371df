#pragma once
// Reading one camera.analysers entry: typed getters with ranges, and a final check that no
// unknown key was given (a typo such as "absent_minute" must not silently fall back to 10).
// Every complaint is a core::Error(validation_failed) naming the analyser and the key.
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <set>
#include <string>

namespace hazmon::video::detail {

class Settings {
 public:
  Settings(const nlohmann::json& entry, std::string analyser);

  const std::string& analyser() const { return analyser_; }
  const nlohmann::json& raw() const { return entry_; }
  bool has(const char* key) const;
  double number(const char* key, double def, double min, double max);
  int integer(const char* key, int def, int min, int max);
  bool boolean(const char* key, bool def);
  std::string string(const char* key, const std::string& def);
  std::optional<std::string> optional_string(const char* key);
  // "interval_ms" or "interval_s" (one of them), default `def`.
  std::chrono::milliseconds interval(std::chrono::milliseconds def);
  // Marks a key as understood without reading it (e.g. "type").
  void accept(const char* key) { known_.insert(key); }
  // Throws when the entry has a key that no getter asked for.
  void finish() const;
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  const nlohmann::json& entry_;
  std::string analyser_;
  std::set<std::string> known_;
};

}  // namespace hazmon::video::detail
