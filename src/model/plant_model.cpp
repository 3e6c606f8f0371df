#include <hazmon/model/plant_model.hpp>

#include <array>
#include <utility>

namespace hazmon::model {

std::optional<std::string> plant_model_content_type(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos)
    return std::nullopt;
  std::string ext;
  for (char ch : path.substr(dot + 1))
    ext += (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch - 'A' + 'a') : ch;
  // 3D Tiles content and the glTF pieces a tile may reference (external buffers and textures).
  static const std::array<std::pair<const char*, const char*>, 12> kTypes{{
      {"json", "application/json"},
      {"b3dm", "application/octet-stream"},
      {"i3dm", "application/octet-stream"},
      {"pnts", "application/octet-stream"},
      {"cmpt", "application/octet-stream"},
      {"subtree", "application/octet-stream"},
      {"glb", "model/gltf-binary"},
      {"gltf", "model/gltf+json"},
      {"bin", "application/octet-stream"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
  }};
  for (const auto& [e, type] : kTypes)
    if (ext == e) return std::string(type);
  if (ext == "ktx2") return std::string("image/ktx2");
  return std::nullopt;
}

}  // namespace hazmon::model
