// read_plant_archive: a hostile ZIP in memory, checked whole with libzip (ADR 0030) before one
// byte is stored. Entry names are checked as written (no "..", no absolute or drive paths, no
// backslashes or control characters), Unix symlinks and encrypted entries are refused, the entry
// count, each entry's and the total unpacked size and the packing ratio are bounded from the
// central directory first and then counted again while inflating (a lying header is caught), and
// the tileset, its external tilesets and every glTF inside a tile may reference only files of
// the archive: no scheme, no host, no absolute path, nothing above the tileset's folder.
#include <hazmon/service/plant_model_service.hpp>

#include <zip.h>

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>

#include <hazmon/core/error.hpp>
#include <hazmon/core/json_text.hpp>

namespace hazmon::service {

namespace {
using core::Errc;
using core::Error;
using nlohmann::json;

constexpr int kMaxTilesetDepth = 128;      // JSON nesting of a tileset (two levels per tile)
constexpr std::size_t kMaxTiles = 200000;  // tiles walked over all tilesets of an archive
constexpr int kMaxCmptDepth = 4;

[[noreturn]] void reject(const std::string& entry, const std::string& code,
                         const std::string& why) {
  throw Error(Errc::validation_failed, "the archive is not a 3D Tiles tileset hazmon accepts",
              {{entry.empty() ? std::string("/archive") : "/archive/" + entry, code + ": " + why}});
}

// Well-formed UTF-8 (names are stored as text); overlong forms and surrogates pass, which
// PostgreSQL then refuses: the upload fails whole either way.
bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 0
                    : (c >> 5) == 0x6  ? 1
                    : (c >> 4) == 0xe  ? 2
                    : (c >> 3) == 0x1e ? 3
                                       : 9;
    if (n == 9 || i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    i += n + 1;
  }
  return true;
}

// A name as written in the archive: relative, '/'-separated, no empty, "." or ".." segment.
bool safe_name(const std::string& name, bool directory) {
  if (name.empty() || name.size() > model::kMaxPlantModelPath + 1) return false;
  if (name.front() == '/') return false;
  std::string_view rest(name);
  if (directory) rest.remove_suffix(1);
  std::size_t segments = 0;
  std::size_t i = 0;
  while (i <= rest.size()) {
    auto j = rest.find('/', i);
    if (j == std::string_view::npos) j = rest.size();
    auto seg = rest.substr(i, j - i);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (++segments > model::kMaxPlantModelDepth) return false;
    i = j + 1;
  }
  for (unsigned char ch : rest)
    if (ch < 0x20 || ch == 0x7f || ch == '\\' || ch == ':') return false;
  return valid_utf8(rest);
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

// A URI of the tileset or a glTF, percent-decoded and resolved against `dir` (the referring
// file's folder, "" or ending in '/'); nullopt when it leaves the archive. `data:` URIs are the
// caller's to allow.
std::optional<std::string> resolve(const std::string& dir, const std::string& uri) {
  if (uri.empty() || uri.size() > 1000) return std::nullopt;
  std::string decoded;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    char ch = uri[i];
    if (ch == '%') {
      auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      if (i + 2 >= uri.size()) return std::nullopt;
      int hi = hex(uri[i + 1]), lo = hex(uri[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      ch = static_cast<char>(hi * 16 + lo);
      i += 2;
      if (ch == '/' || ch == '\\' || ch == '\0') return std::nullopt;  // an encoded separator
    } else if (ch == '?' || ch == '#' || ch == '\\' || ch == ':') {
      return std::nullopt;  // queries, fragments, schemes (http:, file:, C:) and drive letters
    }
    decoded += ch;
  }
  if (decoded.front() == '/') return std::nullopt;  // absolute, or //host
  std::vector<std::string> parts;
  auto push = [&](std::string_view path) {
    std::size_t i = 0;
    while (i <= path.size()) {
      auto j = path.find('/', i);
      if (j == std::string_view::npos) j = path.size();
      auto seg = path.substr(i, j - i);
      if (seg == "..") {
        if (parts.empty()) return false;  // above the tileset's folder
        parts.pop_back();
      } else if (!seg.empty() && seg != ".") {
        parts.emplace_back(seg);
      }
      i = j + 1;
    }
    return true;
  };
  if (!push(dir) || !push(decoded) || parts.empty()) return std::nullopt;
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string folder_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

std::uint32_t u32(std::string_view b, std::size_t at) {
  if (at + 4 > b.size()) return 0;
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

class Checker {
 public:
  explicit Checker(PlantArchive& a) : a_(a) {}

  void tileset(const std::string& path) {
    if (!visited_.insert(path).second) return;  // an external tileset referenced twice
    const auto& text = a_.files.at(path);
    if (!core::json_nesting_within(text, kMaxTilesetDepth))
      reject(path, "bad_tileset", "nested deeper than " + std::to_string(kMaxTilesetDepth));
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) reject(path, "bad_tileset", "not a JSON object");
    if (!doc.contains("asset") || !doc["asset"].is_object() || !doc["asset"].contains("version") ||
        !doc["asset"]["version"].is_string())
      reject(path, "bad_tileset", "asset.version is missing");
    if (!doc.contains("root") || !doc["root"].is_object())
      reject(path, "bad_tileset", "root is missing");
    const auto& root = doc["root"];
    if (!root.contains("boundingVolume") || !root["boundingVolume"].is_object())
      reject(path, "bad_tileset", "root.boundingVolume is missing");
    if (!root.contains("geometricError") || !root["geometricError"].is_number())
      reject(path, "bad_tileset", "root.geometricError is missing");
    bool implicit = root.contains("implicitTiling");
    if (path == a_.root_path) {
      a_.bounding = root["boundingVolume"].dump();
      locate(root);
    }
    // Walk the tile tree without recursion: a hostile tileset nests as deep as it may.
    std::vector<const json*> stack{&root};
    while (!stack.empty()) {
      const json* tile = stack.back();
      stack.pop_back();
      if (++tiles_ > kMaxTiles) reject(path, "bad_tileset", "too many tiles");
      if (!tile->is_object()) reject(path, "bad_tileset", "a tile is not an object");
      if (tile->contains("content")) content(path, (*tile)["content"], implicit);
      if (tile->contains("contents") && (*tile)["contents"].is_array())
        for (const auto& c : (*tile)["contents"]) content(path, c, implicit);
      if (tile->contains("children")) {
        const auto& children = (*tile)["children"];
        if (!children.is_array()) reject(path, "bad_tileset", "children is not an array");
        for (const auto& c : children) stack.push_back(&c);
      }
    }
    if (doc.contains("schemaUri")) reference(path, doc["schemaUri"], false);
  }

 private:
  PlantArchive& a_;
  std::set<std::string> visited_, checked_;
  std::size_t tiles_ = 0;

  // A referenced file: inside the archive and present (templates of implicit tiling are only
  // checked to stay inside: their files are named by the tile coordinates).
  std::string reference(const std::string& from, const json& uri, bool templated) {
    if (!uri.is_string()) reject(from, "bad_tileset", "a uri is not a string");
    auto s = uri.get<std::string>();
    auto target = resolve(folder_of(from), s);
    if (!target) reject(from, "outside_reference", "\"" + s + "\" is not a file of the archive");
    if (!templated && !a_.files.contains(*target))
      reject(from, "missing_file", "\"" + s + "\" is not in the archive");
    return *target;
  }

  void content(const std::string& from, const json& c, bool implicit) {
    if (!c.is_object()) reject(from, "bad_tileset", "a tile content is not an object");
    const char* key = c.contains("uri") ? "uri" : c.contains("url") ? "url" : nullptr;
    if (!key) reject(from, "bad_tileset", "a tile content has no uri");
    const auto& uri = c[key];
    bool templated =
        implicit && uri.is_string() && uri.get<std::string>().find('{') != std::string::npos;
    auto target = reference(from, uri, templated);
    if (templated) return;
    // Each file is checked once, however many tiles name it (a hostile tileset may name one
    // 16 MiB tile from 200,000 tiles).
    if (!checked_.insert(target).second) return;
    auto ext = target.substr(target.rfind('.') + 1);
    if (ext == "json")
      tileset(target);
    else
      tile_file(target, a_.files.at(target), 0);
  }

  // The glTF inside a tile format, or the glTF itself: its buffers and images.
  void tile_file(const std::string& path, std::string_view b, int depth) {
    if (b.size() < 4) return;
    auto magic = b.substr(0, 4);
    if (magic == "b3dm" && b.size() >= 28) {
      std::size_t off = 28ull + u32(b, 12) + u32(b, 16) + u32(b, 20) + u32(b, 24);
      if (off < b.size()) tile_file(path, b.substr(off), depth);
    } else if (magic == "i3dm" && b.size() >= 32) {
      std::size_t off = 32ull + u32(b, 12) + u32(b, 16) + u32(b, 20) + u32(b, 24);
      if (off >= b.size()) return;
      if (u32(b, 28) == 0) {  // gltfFormat 0: the rest is a URI of the glTF
        std::string uri(b.substr(off));
        while (!uri.empty() && (uri.back() == '\0' || uri.back() == ' ')) uri.pop_back();
        auto target = reference(path, json(uri), false);
        if (depth < kMaxCmptDepth && checked_.insert(target).second)
          tile_file(target, a_.files.at(target), depth + 1);
      } else {
        tile_file(path, b.substr(off), depth);
      }
    } else if (magic == "cmpt" && b.size() >= 16) {
      if (depth >= kMaxCmptDepth) reject(path, "bad_tileset", "composite tiles nested too deep");
      std::size_t at = 16, n = u32(b, 12);
      for (std::size_t i = 0; i < n && at + 12 <= b.size(); ++i) {
        std::size_t len = u32(b, at + 8);
        if (len < 12 || at + len > b.size()) reject(path, "bad_tileset", "a broken composite tile");
        tile_file(path, b.substr(at, len), depth + 1);
        at += len;
      }
    } else if (magic == "glTF" && b.size() >= 20) {
      std::size_t len = u32(b, 12);
      if (u32(b, 16) != 0x4E4F534Au || 20 + len > b.size())
        reject(path, "bad_gltf", "the GLB's JSON chunk is broken");
      gltf_json(path, b.substr(20, len));
    } else if (path.ends_with(".gltf")) {
      gltf_json(path, b);
    }
  }

  void gltf_json(const std::string& path, std::string_view text) {
    if (!core::json_nesting_within(text, kMaxTilesetDepth))
      reject(path, "bad_gltf", "nested too deep");
    auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) reject(path, "bad_gltf", "not a glTF JSON object");
    for (const char* list : {"buffers", "images"}) {
      if (!doc.contains(list) || !doc[list].is_array()) continue;
      for (const auto& item : doc[list]) {
        if (!item.is_object() || !item.contains("uri")) continue;
        const auto& uri = item["uri"];
        if (uri.is_string() && uri.get<std::string>().starts_with("data:")) continue;
        reference(path, uri, false);
      }
    }
  }

  // The centre of the root's bounding volume as longitude and latitude, when it lies on the
  // earth: a region (radians) directly, a sphere or box centre (ECEF metres, after the root's
  // transform) converted from WGS84.
  void locate(const json& root) {
    const auto& bv = root["boundingVolume"];
    auto numbers = [](const json& v, std::size_t n) {
      std::vector<double> out;
      if (!v.is_array() || v.size() < n) return out;
      for (std::size_t i = 0; i < n; ++i) {
        if (!v[i].is_number()) return std::vector<double>{};
        out.push_back(v[i].get<double>());
      }
      return out;
    };
    constexpr double kPi = 3.14159265358979323846;
    if (bv.contains("region")) {
      auto r = numbers(bv["region"], 6);
      if (r.empty()) return;
      double lon = (r[0] + r[2]) / 2 * 180 / kPi, lat = (r[1] + r[3]) / 2 * 180 / kPi;
      if (std::abs(lon) <= 180 && std::abs(lat) <= 90) a_.longitude = lon, a_.latitude = lat;
      return;
    }
    std::vector<double> c;
    if (bv.contains("sphere")) c = numbers(bv["sphere"], 3);
    if (c.empty() && bv.contains("box")) c = numbers(bv["box"], 3);
    if (c.size() < 3) return;
    if (root.contains("transform")) {
      auto m = numbers(root["transform"], 16);  // column-major
      if (m.empty()) return;
      c = {m[0] * c[0] + m[4] * c[1] + m[8] * c[2] + m[12],
           m[1] * c[0] + m[5] * c[1] + m[9] * c[2] + m[13],
           m[2] * c[0] + m[6] * c[1] + m[10] * c[2] + m[14]};
    }
    double p = std::hypot(c[0], c[1]);
    if (std::hypot(p, c[2]) < 6.0e6) return;  // a local frame, not a place on the earth
    constexpr double kA = 6378137.0, kE2 = 6.69437999014e-3;
    double lat = std::atan2(c[2], p * (1 - kE2));
    for (int i = 0; i < 5; ++i) {
      double n = kA / std::sqrt(1 - kE2 * std::sin(lat) * std::sin(lat));
      double h = p / std::cos(lat) - n;
      lat = std::atan2(c[2], p * (1 - kE2 * n / (n + h)));
    }
    a_.longitude = std::atan2(c[1], c[0]) * 180 / kPi;
    a_.latitude = lat * 180 / kPi;
  }
};
// One file of the archive as its central directory declares it.
struct Entry {
  zip_uint64_t index;
  std::string name;
  std::size_t size;
};

// Wraps the upload. ZIP_CHECKCONS: the local headers must agree with the central directory (an
// archive that reads differently to different unzippers is refused), and no name may appear twice.
std::unique_ptr<zip_t, ZipCloser> open_archive(std::string_view zip) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(zip.data(), zip.size(), 0, &err);
  if (!src) {
    zip_error_fini(&err);
    throw Error(Errc::internal, "libzip could not wrap the upload");
  }
  std::unique_ptr<zip_t, ZipCloser> z(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err));
  zip_error_fini(&err);
  if (!z) {
    zip_source_free(src);
    reject("", "not_zip",
           "the body is not a readable ZIP archive (or its headers disagree, or two entries share "
           "a name)");
  }
  return z;
}

// Entry i's central-directory record, refused when its path leaves the archive, it is a link or
// something other than a file or folder, or it is encrypted or neither stored nor deflated.
zip_stat_t checked_stat(zip_t* z, zip_int64_t i) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(z, i, ZIP_FL_ENC_RAW, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
    reject("", "not_zip", "an entry cannot be read");
  std::string name = st.name;
  bool dir = !name.empty() && name.back() == '/';
  if (!safe_name(name, dir)) reject(name, "unsafe_path", "the entry's path leaves the archive");
  zip_uint8_t opsys = 0;
  zip_uint32_t attributes = 0;
  if (zip_file_get_external_attributes(z, i, 0, &opsys, &attributes) == 0 &&
      opsys == ZIP_OPSYS_UNIX) {
    auto mode = (attributes >> 16) & S_IFMT;
    if (mode == S_IFLNK) reject(name, "symlink", "links are not accepted");
    if (mode != 0 && mode != S_IFREG && mode != S_IFDIR)
      reject(name, "unsafe_path", "only files and folders are accepted");
  }
  if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
    reject(name, "encrypted", "encrypted entries are not accepted");
  if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
      st.comp_method != ZIP_CM_DEFLATE)
    reject(name, "compression", "entries are stored or deflated");
  return st;
}

// The central directory first: names, types and declared sizes, before inflating anything. The
// files (not folders) in archive order; `names` gets their names.
std::vector<Entry> read_directory(zip_t* z, std::set<std::string>& names) {
  auto n = zip_get_num_entries(z, 0);
  if (n <= 0) reject("", "not_zip", "the archive is empty");
  if (static_cast<std::size_t>(n) > model::kMaxPlantModelEntries)
    reject("", "too_many_entries",
           "more than " + std::to_string(model::kMaxPlantModelEntries) + " entries");
  std::vector<Entry> entries;
  std::size_t declared = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st = checked_stat(z, i);
    std::string name = st.name;
    if (!name.empty() && name.back() == '/') continue;
    if (!model::plant_model_content_type(name))
      reject(name, "file_type",
             "a tileset holds .json, .b3dm, .i3dm, .pnts, .cmpt, .glb, .gltf, .bin, .png, .jpg "
             "or .ktx2 files");
    if (!names.insert(name).second) reject(name, "duplicate", "the entry appears twice");
    if (st.size > model::kMaxPlantModelFileBytes)
      reject(name, "too_large",
             "an entry unpacks to at most " + std::to_string(model::kMaxPlantModelFileBytes) +
                 " bytes");
    if (st.size > (1u << 20) && st.size > model::kMaxPlantModelRatio * st.comp_size)
      reject(name, "ratio",
             "the entry unpacks to more than " + std::to_string(model::kMaxPlantModelRatio) +
                 " times its packed size");
    declared += st.size;
    if (declared > model::kMaxPlantModelTotalBytes)
      reject("", "too_large",
             "the archive unpacks to more than " + std::to_string(model::kMaxPlantModelTotalBytes) +
                 " bytes");
    entries.push_back({static_cast<zip_uint64_t>(i), name, static_cast<std::size_t>(st.size)});
  }
  return entries;
}

// The tileset's folder: the archive's root (""), or its one top-level folder (a zipped folder).
std::string tileset_prefix(const std::vector<Entry>& entries, const std::set<std::string>& names) {
  if (names.contains("tileset.json")) return "";
  std::set<std::string> tops;
  for (const auto& e : entries) tops.insert(e.name.substr(0, e.name.find('/')));
  if (tops.size() == 1 && names.contains(*tops.begin() + "/tileset.json"))
    return *tops.begin() + "/";
  reject("", "no_tileset", "tileset.json is neither at the root nor in the one top folder");
}

// Inflates one entry, counting what comes out: never more than the central directory declared.
std::string inflate(zip_t* z, const Entry& e) {
  std::unique_ptr<zip_file_t, FileCloser> f(zip_fopen_index(z, e.index, 0));
  if (!f) reject(e.name, "not_zip", "the entry cannot be unpacked");
  std::string bytes(e.size + 1, '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    auto r = zip_fread(f.get(), bytes.data() + got, bytes.size() - got);
    if (r < 0) reject(e.name, "not_zip", "the entry is damaged (checksum or data)");
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  if (got != e.size) reject(e.name, "not_zip", "the entry's size is not what it declares");
  bytes.resize(got);
  return bytes;
}
}  // namespace

PlantArchive read_plant_archive(std::string_view zip) {
  auto z = open_archive(zip);
  std::set<std::string> names;
  auto entries = read_directory(z.get(), names);
  std::string prefix = tileset_prefix(entries, names);
  PlantArchive a;
  for (const auto& e : entries) {
    std::string bytes = inflate(z.get(), e);
    a.total_bytes += bytes.size();
    a.files.emplace(e.name.substr(prefix.size()), std::move(bytes));
  }
  Checker(a).tileset(a.root_path);
  return a;
}

}  // namespace hazmon::service
