#pragma once
// A 3-D plant model (三维倾斜摄影模型) of an enterprise: an OGC 3D Tiles tileset (tileset.json and
// its .b3dm/.glb/.cmpt/.i3dm/.pnts content) uploaded as one ZIP archive, checked whole and kept
// in PostgreSQL (docs/plant-models.md, ADR 0030). The limits below bound a hostile archive.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <hazmon/core/clock.hpp>

namespace hazmon::model {

struct PlantModel {
  long long id = 0;
  std::string company_code;
  std::string company_name;
  std::string name;
  std::string uploaded_by;
  core::SysTime uploaded_at{};
  long long archive_bytes = 0;  // the ZIP as uploaded
  long long size_bytes = 0;     // the files unpacked
  int file_count = 0;
  std::string root_path;  // the tileset.json the viewer opens, e.g. "tileset.json"
  std::string bounding;   // the root tile's boundingVolume, JSON text
  std::optional<double> longitude, latitude;  // its centre when it is a region or a sphere (ECEF)
  std::string status;                         // ready (checked whole at upload)
};

// One file of a model, as served.
struct PlantModelFile {
  std::string path;
  std::string content_type;
  std::string sha256;
  std::string bytes;
};

inline constexpr std::size_t kMaxPlantModelsPerEnterprise = 5;
inline constexpr std::size_t kMaxPlantModelName = 100;
inline constexpr std::size_t kMaxPlantModelEntries = 2000;
inline constexpr std::size_t kMaxPlantModelFileBytes = 16u * 1024 * 1024;
inline constexpr std::size_t kMaxPlantModelTotalBytes = 48u * 1024 * 1024;
// An entry larger than 1 MiB unpacked may not be more than this many times its packed size.
inline constexpr std::size_t kMaxPlantModelRatio = 100;
inline constexpr std::size_t kMaxPlantModelPath = 200;
inline constexpr std::size_t kMaxPlantModelDepth = 10;  // path segments

// The Content-Type a file is served with, by its extension (lower case); nullopt: a file type a
// tileset does not hold, refused at upload.
std::optional<std::string> plant_model_content_type(std::string_view path);

}  // namespace hazmon::model
