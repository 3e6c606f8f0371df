#pragma once
// What the plant-model tests upload (docs/plant-models.md): a ZIP written here, entry by entry
// (stored or deflated with zlib, with a Unix mode or a declared size of the test's choosing, so
// that hostile archives can be made too), and a tiny 3D Tiles tileset: one glTF box placed on
// the earth by the root tile's transform.
#include <zlib.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hazmon::test {

struct ZipEntry {
  std::string name;
  std::string data;
  bool deflate = false;
  std::uint32_t unix_mode = 0;                           // 0: no Unix attributes (made by MS-DOS)
  std::optional<std::uint32_t> declared = std::nullopt;  // a size that is not the data's
};

inline std::string deflate_raw(const std::string& in) {
  z_stream s{};
  if (deflateInit2(&s, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2");
  std::string out(deflateBound(&s, static_cast<uLong>(in.size())), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  if (deflate(&s, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate");
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

inline std::string make_zip(const std::vector<ZipEntry>& entries) {
  std::string out, central;
  auto u16 = [](std::string& s, std::uint32_t v) {
    s += static_cast<char>(v & 0xff);
    s += static_cast<char>((v >> 8) & 0xff);
  };
  auto u32 = [&](std::string& s, std::uint32_t v) {
    u16(s, v & 0xffff);
    u16(s, v >> 16);
  };
  for (const auto& e : entries) {
    auto packed = e.deflate ? deflate_raw(e.data) : e.data;
    auto crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(e.data.data()), static_cast<uInt>(e.data.size())));
    auto size = e.declared.value_or(static_cast<std::uint32_t>(e.data.size()));
    auto offset = static_cast<std::uint32_t>(out.size());
    auto header = [&](std::string& s, bool local) {
      u32(s, local ? 0x04034b50 : 0x02014b50);
      if (!local) u16(s, e.unix_mode ? (3u << 8) | 20 : 20);  // version made by
      u16(s, 20);                                             // version needed
      u16(s, 0x0800);                                         // names are UTF-8
      u16(s, e.deflate ? 8 : 0);
      u16(s, 0);     // time
      u16(s, 0x21);  // 1980-01-01
      u32(s, crc);
      u32(s, static_cast<std::uint32_t>(packed.size()));
      u32(s, size);
      u16(s, static_cast<std::uint32_t>(e.name.size()));
      u16(s, 0);  // extra
      if (!local) {
        u16(s, 0);  // comment
        u16(s, 0);  // disk
        u16(s, 0);  // internal attributes
        u32(s, e.unix_mode << 16);
        u32(s, offset);
      }
      s += e.name;
    };
    header(out, true);
    out += packed;
    header(central, false);
  }
  auto cd_offset = static_cast<std::uint32_t>(out.size());
  out += central;
  u32(out, 0x06054b50);
  u16(out, 0);
  u16(out, 0);
  u16(out, static_cast<std::uint32_t>(entries.size()));
  u16(out, static_cast<std::uint32_t>(entries.size()));
  u32(out, static_cast<std::uint32_t>(central.size()));
  u32(out, cd_offset);
  u16(out, 0);
  return out;
}

// A binary glTF of one box, `half` metres each way (glTF y-up), with extra top-level JSON
// merged in (images with a URI, for the hostile cases).
inline std::string glb_box(double half = 20,
                           const nlohmann::json& extra = nlohmann::json::object()) {
  std::string bin;
  auto f32 = [&](float v) { bin.append(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](std::uint16_t v) { bin.append(reinterpret_cast<const char*>(&v), 2); };
  for (int i = 0; i < 8; ++i) {
    f32(static_cast<float>(i & 1 ? half : -half));
    f32(static_cast<float>(i & 2 ? 2 * half : 0));
    f32(static_cast<float>(i & 4 ? half : -half));
  }
  const int faces[6][4] = {{0, 1, 3, 2}, {4, 6, 7, 5}, {0, 4, 5, 1},
                           {2, 3, 7, 6}, {0, 2, 6, 4}, {1, 5, 7, 3}};
  for (const auto& q : faces)
    for (int k : {q[0], q[1], q[2], q[0], q[2], q[3]}) u16(static_cast<std::uint16_t>(k));
  nlohmann::json j = {
      {"asset", {{"version", "2.0"}, {"generator", "hazmon tests"}}},
      {"scene", 0},
      {"scenes", {{{"nodes", {0}}}}},
      {"nodes", {{{"mesh", 0}}}},
      {"meshes",
       {{{"primitives", {{{"attributes", {{"POSITION", 0}}}, {"indices", 1}, {"material", 0}}}}}}},
      {"materials",
       {{{"pbrMetallicRoughness", {{"baseColorFactor", {0.95, 0.45, 0.1, 1.0}}}},
         {"doubleSided", true}}}},
      {"buffers", {{{"byteLength", bin.size()}}}},
      {"bufferViews",
       {{{"buffer", 0}, {"byteOffset", 0}, {"byteLength", 96}, {"target", 34962}},
        {{"buffer", 0}, {"byteOffset", 96}, {"byteLength", 72}, {"target", 34963}}}},
      {"accessors",
       {{{"bufferView", 0},
         {"componentType", 5126},
         {"count", 8},
         {"type", "VEC3"},
         {"min", {-half, 0.0, -half}},
         {"max", {half, 2 * half, half}}},
        {{"bufferView", 1}, {"componentType", 5123}, {"count", 36}, {"type", "SCALAR"}}}}};
  j.update(extra);
  auto text = j.dump();
  while (text.size() % 4) text += ' ';
  while (bin.size() % 4) bin += '\0';
  std::string out;
  auto w32 = [&](std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  out += "glTF";
  w32(2);
  w32(static_cast<std::uint32_t>(12 + 8 + text.size() + 8 + bin.size()));
  w32(static_cast<std::uint32_t>(text.size()));
  w32(0x4E4F534A);  // JSON
  out += text;
  w32(static_cast<std::uint32_t>(bin.size()));
  w32(0x004E4942);  // BIN
  out += bin;
  return out;
}

// A Batched 3D Model tile around a GLB (no batch table).
inline std::string b3dm_of(const std::string& glb) {
  std::string ft = R"({"BATCH_LENGTH":0})";
  while ((28 + ft.size()) % 8) ft += ' ';
  std::string out = "b3dm";
  auto w32 = [&](std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
  w32(1);
  w32(static_cast<std::uint32_t>(28 + ft.size() + glb.size()));
  w32(static_cast<std::uint32_t>(ft.size()));
  w32(0);
  w32(0);
  w32(0);
  out += ft;
  out += glb;
  return out;
}

// The root tile's transform: east-north-up at (lon, lat) on WGS84, column-major.
inline std::vector<double> enu_transform(double lon_deg, double lat_deg, double height = 0) {
  const double kPi = 3.14159265358979323846, a = 6378137.0, e2 = 6.69437999014e-3;
  double lon = lon_deg * kPi / 180, lat = lat_deg * kPi / 180;
  double n = a / std::sqrt(1 - e2 * std::sin(lat) * std::sin(lat));
  double x = (n + height) * std::cos(lat) * std::cos(lon);
  double y = (n + height) * std::cos(lat) * std::sin(lon);
  double z = (n * (1 - e2) + height) * std::sin(lat);
  return {-std::sin(lon),
          std::cos(lon),
          0,
          0,
          -std::sin(lat) * std::cos(lon),
          -std::sin(lat) * std::sin(lon),
          std::cos(lat),
          0,
          std::cos(lat) * std::cos(lon),
          std::cos(lat) * std::sin(lon),
          std::sin(lat),
          0,
          x,
          y,
          z,
          1};
}

// tileset.json with one tile whose content is `uri`, placed at (lon, lat).
inline nlohmann::json tileset_json(const std::string& uri, double lon = 112.55,
                                   double lat = 37.87) {
  return {{"asset", {{"version", "1.1"}}},
          {"geometricError", 100},
          {"root",
           {{"transform", enu_transform(lon, lat)},
            {"boundingVolume", {{"box", {0, 0, 20, 20, 0, 0, 0, 20, 0, 0, 0, 20}}}},
            {"geometricError", 0},
            {"refine", "ADD"},
            {"content", {{"uri", uri}}}}}};
}

// The archive of a good model: tileset.json and a b3dm tile with the box.
inline std::string good_model_zip(double lon = 112.55, double lat = 37.87) {
  return make_zip({{"tileset.json", tileset_json("tiles/box.b3dm", lon, lat).dump()},
                   {"tiles/box.b3dm", b3dm_of(glb_box()), true}});
}

}  // namespace hazmon::test
