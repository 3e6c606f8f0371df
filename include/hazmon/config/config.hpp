#pragma once
// The one config file: loaded, checked against schemas/config.schema.json, defaults filled in.
// Only app reads it; modules get their own Settings structs built from it.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include <hazmon/core/error.hpp>

namespace hazmon::config {

// Where hazmond finds schemas/, migrations/, data/, models/ and web/: $HAZMON_HOME, else
// <prefix>/share/hazmon beside an installed <prefix>/bin/hazmond, else the source tree it was built
// from.
std::filesystem::path home_dir();

class ConfigError : public core::Error {
 public:
  using core::Error::Error;
};

// Loads and validates; throws ConfigError whose fields name each JSON pointer. The returned
// document has every default from the schema applied.
nlohmann::json load_config(const std::filesystem::path& file);
// The built-in defaults (an empty config validated and filled in).
nlohmann::json default_config();
nlohmann::json validate_config(nlohmann::json doc);

// A secret from the environment variable `env_name` or, failing that, from `file` (which must
// not be readable by group or others). nullopt when neither is set.
std::optional<std::string> read_secret(const std::string& env_name, const std::string& file);

}  // namespace hazmon::config
