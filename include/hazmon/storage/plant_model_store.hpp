#pragma once
// `plant_model` and `plant_model_file` (migration 0034, ADR 0030): an enterprise's 3-D models and
// their files. Every read is inside the caller's scope (scope_predicate on the model's
// enterprise): outside it a model is absent.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/plant_model.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

class PlantModelStore {
 public:
  // The enterprise's name when the scope covers it (and it exists); nullopt otherwise. Locks its
  // row with `lock`, so that two uploads of one enterprise count its models one after the other.
  std::optional<std::string> enterprise_in_scope(Tx& tx, const model::Scope& scope,
                                                 const std::string& company_code, bool lock) const;
  long long count(Tx& tx, const std::string& company_code) const;
  // Inserts the model (its fields but id and status) and returns its id.
  long long insert(Tx& tx, const model::PlantModel& m) const;
  void add_file(Tx& tx, long long model_id, const std::string& path,
                const std::string& content_type, const std::string& bytes) const;
  std::vector<model::PlantModel> list(Tx& tx, const model::Scope& scope,
                                      const std::string& company_code) const;
  std::optional<model::PlantModel> find(Tx& tx, const model::Scope& scope, long long id) const;
  // One file of a model inside the scope.
  std::optional<model::PlantModelFile> file(Tx& tx, const model::Scope& scope, long long id,
                                            const std::string& path) const;
  bool remove(Tx& tx, long long id) const;
};

}  // namespace hazmon::storage
