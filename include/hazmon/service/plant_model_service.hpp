#pragma once
// 3-D plant models (三维倾斜摄影, docs/plant-models.md, ADR 0030). An enterprise's user, or a
// registry writer whose scope covers the enterprise, uploads a 3D Tiles tileset as one ZIP;
// read_plant_archive checks the whole archive before anything is stored (attack 13.18: paths
// outside the archive, links, bombs; 13.19: a tileset or glTF that makes the viewer fetch
// anything from outside the archive), and the files go into PostgreSQL in one transaction.
// People inside the scope read a model's files; machine credentials read nothing (13.20).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/plant_model.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/plant_model_store.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

// A checked archive: its files by path (relative to the tileset's folder) and what the model
// row records of the tileset.
struct PlantArchive {
  std::map<std::string, std::string> files;  // path -> bytes
  std::size_t total_bytes = 0;
  std::string root_path = "tileset.json";
  std::string bounding;  // JSON text of root.boundingVolume
  std::optional<double> longitude, latitude;
};

// Checks a ZIP holding a 3D Tiles tileset; throws core::Error(validation_failed) whose field
// errors carry a stable code before the colon of their message ("unsafe_path: …"), with the
// entry in the pointer (/archive/<entry>). The codes are listed in docs/plant-models.md.
PlantArchive read_plant_archive(std::string_view zip);

class PlantModelService {
 public:
  PlantModelService(storage::Database& db, const core::Clock& clock);

  // Registry writers (enterprise users for their own enterprise, officers in their region, the
  // province's administrator): 403 for other roles, 404 for an enterprise outside the scope,
  // 422 for a bad name or archive, 409 past kMaxPlantModelsPerEnterprise models.
  model::PlantModel upload(const model::Principal& who, const std::string& company_code,
                           const std::string& name, std::string_view zip);
  // People inside the scope (403 for machine credentials, 404 outside).
  std::vector<model::PlantModel> list(const model::Principal& who, const std::string& company_code);
  model::PlantModel get(const model::Principal& who, long long id);
  model::PlantModelFile file(const model::Principal& who, long long id, const std::string& path);
  // The upload's roles, inside the scope.
  void remove(const model::Principal& who, long long id);

 private:
  storage::Database& db_;
  const core::Clock& clock_;
  storage::PlantModelStore store_;
};

}  // namespace hazmon::service
