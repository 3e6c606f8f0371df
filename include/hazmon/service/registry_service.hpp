#pragma once
// Use cases of the registry: list, get, create, update, deactivate any registry entity under
// the caller's scope, with JSON Schema validation and the domain checks the schema cannot
// express (code prefixes, threshold order, references within one enterprise, GB 18218).
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <hazmon/core/error.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {
class Database;
struct ListQuery;
}  // namespace hazmon::storage
namespace hazmon::config {
class JsonSchema;
}
namespace hazmon::core {
class Clock;
}

namespace hazmon::service {

struct ListParams {
  std::map<std::string, std::string> filters;
  std::string q;
  bool include_inactive = false;
  int limit = 50;
  long long offset = 0;
};

class RegistryService {
 public:
  RegistryService(storage::Database& db, const std::filesystem::path& schema_dir);
  ~RegistryService();
  // data_quality.default_interval_s: the longest acquisition interval an enterprise gives a new
  // gateway of its own (a longer one lowers the readings expected of it; the regulator's).
  void set_default_interval_s(int s) { default_interval_s_ = s; }
  // The clock that dates a 包保责任人's validity (valid_from / valid_to); the system's if unset.
  void set_clock(const core::Clock* clock) { clock_ = clock; }

  // Entities are addressed by their URL name ("enterprises", "hazard-sources", ...).
  static bool is_entity(const std::string& name);
  // Query parameters a list may filter on, for validating requests.
  static std::vector<std::string> filters_of(const std::string& name);

  nlohmann::json list(const model::Principal& who, const std::string& entity, const ListParams& p);
  // The same list as JSON text, for the API to send without re-encoding.
  std::string list_text(const model::Principal& who, const std::string& entity,
                        const ListParams& p);
  nlohmann::json get(const model::Principal& who, const std::string& entity,
                     const std::string& key);
  nlohmann::json create(const model::Principal& who, const std::string& entity,
                        const nlohmann::json& body);
  nlohmann::json update(const model::Principal& who, const std::string& entity,
                        const std::string& key, const nlohmann::json& patch);
  void deactivate(const model::Principal& who, const std::string& entity, const std::string& key);

  // The changes in `patch` to `existing` (a row of `entity`) that `who` may not make because they
  // lower or move supervision (issue 9, attack 3): an enterprise user's (or gateway's) change of
  // a hazard source's rank / r_value / alpha, an enterprise's status / max_hazard_rank, a
  // point's hazard_code, or a point taken out of use. Empty for regulators. update() refuses
  // them (422, one pointer each); base-table uploads keep the stored values instead.
  static std::vector<core::FieldError> regulator_only_changes(const model::Principal& who,
                                                              const std::string& entity,
                                                              const nlohmann::json& existing,
                                                              const nlohmann::json& patch);

  // GB 18218 grading of a hazard source from its chemicals and people exposed; `store` writes
  // r_value, alpha and rank back and refreshes the enterprise's max_hazard_rank.
  nlohmann::json grade_hazard_source(const model::Principal& who, const std::string& hazard_code,
                                     bool store);

  // Adds a listener called after a committed create, update or deactivation with the
  // collection's name (ingest reloads points, video reloads cameras, ...), in the order added.
  // Register them before serving requests.
  void on_change(std::function<void(const std::string&)> f) { changed_.push_back(std::move(f)); }

  // Adds a check another module owns (e.g. camera analyser settings, which only the video module
  // understands) run on every created or changed row of `entity` after the schema and domain
  // checks; the problems it returns make the write a 422 and nothing is stored. Register before
  // serving requests.
  using RowCheck = std::function<std::vector<core::FieldError>(const nlohmann::json& row)>;
  void add_check(const std::string& entity, RowCheck check) {
    checks_.emplace_back(entity, std::move(check));
  }

 private:
  void notify(const std::string& entity) const {
    for (const auto& f : changed_) f(entity);
  }
  storage::Database& db_;
  int default_interval_s_ = 60;
  const core::Clock* clock_ = nullptr;
  std::map<std::string, std::unique_ptr<config::JsonSchema>> schemas_;
  std::vector<std::function<void(const std::string&)>> changed_;
  std::vector<std::pair<std::string, RowCheck>> checks_;
  std::vector<core::FieldError> extra_problems(const std::string& entity,
                                               const nlohmann::json& row) const {
    std::vector<core::FieldError> out;
    for (const auto& [name, check] : checks_)
      if (name == entity)
        for (auto& p : check(row)) out.push_back(std::move(p));
    return out;
  }
};

}  // namespace hazmon::service
