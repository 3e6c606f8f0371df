#include <hazmon/config/config.hpp>
#include <hazmon/config/json_schema.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#ifndef HAZMON_SOURCE_HOME
#define HAZMON_SOURCE_HOME "."
#endif

namespace hazmon::config {
namespace fs = std::filesystem;

fs::path home_dir() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read at startup; nothing in hazmond calls setenv
  if (const char* h = std::getenv("HAZMON_HOME"); h && *h) return h;
  // An installed hazmond (<prefix>/bin/hazmond, cmake/Install.cmake) uses <prefix>/share/hazmon.
  static const fs::path installed = [] {
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) return fs::path();
    auto home = exe.parent_path().parent_path() / "share" / "hazmon";
    return fs::exists(home / "schemas" / "config.schema.json", ec) ? home : fs::path();
  }();
  if (!installed.empty()) return installed;
  return HAZMON_SOURCE_HOME;
}

namespace {
// Fills in every "default" the schema declares for an absent property, recursively.
void apply_defaults(const nlohmann::json& schema, nlohmann::json& doc) {
  if (!doc.is_object() || !schema.contains("properties")) return;
  for (auto& [key, sub] : schema["properties"].items()) {
    if (!doc.contains(key) && sub.contains("default")) doc[key] = sub["default"];
    if (doc.contains(key)) apply_defaults(sub, doc[key]);
  }
}

const JsonSchema& config_schema(nlohmann::json* raw_out = nullptr) {
  static nlohmann::json raw = [] {
    std::ifstream in(home_dir() / "schemas" / "config.schema.json");
    if (!in)
      throw ConfigError(core::Errc::internal, "schemas/config.schema.json not found under " +
                                                  home_dir().string() + " (set HAZMON_HOME)");
    return nlohmann::json::parse(in);
  }();
  static JsonSchema schema(raw);
  if (raw_out) *raw_out = raw;
  return schema;
}
// mode city forwards to the province (docs/federation.md): without where, as whom and how to
// verify it, hazmond would accept uploads that never reach the province. The secret is checked
// where it is read (app), since --check-config may run without the service's environment.
void check_city_mode(const nlohmann::json& doc) {
  if (doc["mode"].get<std::string>() != "city") return;
  const auto& f = doc["federation"];
  std::vector<core::FieldError> missing;
  for (const char* key : {"province_url", "app_id", "ca_file", "region_code"})
    if (f[key].get<std::string>().empty())
      missing.push_back({std::string("/federation/") + key, "required in mode city"});
  if (missing.empty()) return;
  std::string msg = "mode city needs a complete federation block (docs/federation.md); missing:";
  for (const auto& m : missing) msg += " " + m.pointer;
  throw ConfigError(core::Errc::validation_failed, msg, missing);
}
}  // namespace

nlohmann::json validate_config(nlohmann::json doc) {
  nlohmann::json raw;
  const auto& schema = config_schema(&raw);
  auto errors = schema.validate(doc);
  if (!errors.empty()) {
    std::string msg = "invalid configuration: ";
    for (std::size_t i = 0; i < errors.size(); ++i) {
      if (i) msg += "; ";
      msg += (errors[i].pointer.empty() ? "/" : errors[i].pointer) + ": " + errors[i].message;
    }
    throw ConfigError(core::Errc::validation_failed, msg, errors);
  }
  apply_defaults(raw, doc);
  check_city_mode(doc);
  return doc;
}

nlohmann::json load_config(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(core::Errc::bad_request, "cannot read config file " + file.string());
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e400
    throw ConfigError(core::Errc::bad_request,
                      "config file " + file.string() + " is not valid JSON: " + e.what());
  }
  return validate_config(std::move(doc));
}

nlohmann::json default_config() { return validate_config(nlohmann::json::object()); }

std::optional<std::string> read_secret(const std::string& env_name, const std::string& file) {
  if (!env_name.empty()) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read at startup; nothing in hazmond calls setenv
    if (const char* v = std::getenv(env_name.c_str()); v && *v) return std::string(v);
  }
  if (file.empty()) return std::nullopt;
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    throw ConfigError(core::Errc::validation_failed,
                      "secret file " + file + " is readable by group or others; chmod 600 it");
  }
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace hazmon::config
