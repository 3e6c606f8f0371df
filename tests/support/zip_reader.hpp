#pragma once
// Reads the members of a ZIP archive (an XLSX workbook) in memory, for tests: the central
// directory, then each stored or deflated member inflated with zlib. Enough for the archives
// libxlsxwriter writes; not a general unzip.
#include <zlib.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace hazmon::test {

inline std::map<std::string, std::string> unzip_members(const std::string& zip) {
  auto u16 = [&](std::size_t at) -> std::uint32_t {
    if (at + 2 > zip.size()) throw std::runtime_error("zip: truncated");
    return static_cast<unsigned char>(zip[at]) | static_cast<unsigned char>(zip[at + 1]) << 8;
  };
  auto u32 = [&](std::size_t at) -> std::uint32_t { return u16(at) | u16(at + 2) << 16; };
  if (zip.size() < 22) throw std::runtime_error("zip: too short");
  std::size_t eocd = std::string::npos;
  for (std::size_t i = zip.size() - 22 + 1; i-- > 0;) {
    if (u32(i) == 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd == std::string::npos) throw std::runtime_error("zip: no end of central directory");
  std::size_t entries = u16(eocd + 10), at = u32(eocd + 16);
  std::map<std::string, std::string> out;
  for (std::size_t n = 0; n < entries; ++n) {
    if (u32(at) != 0x02014b50) throw std::runtime_error("zip: bad central directory entry");
    std::uint32_t method = u16(at + 10), csize = u32(at + 20), usize = u32(at + 24);
    std::size_t name_len = u16(at + 28), extra_len = u16(at + 30), comment_len = u16(at + 32);
    std::size_t local = u32(at + 42);
    std::string name = zip.substr(at + 46, name_len);
    at += 46 + name_len + extra_len + comment_len;
    if (u32(local) != 0x04034b50) throw std::runtime_error("zip: bad local header");
    std::size_t data = local + 30 + u16(local + 26) + u16(local + 28);
    if (data + csize > zip.size()) throw std::runtime_error("zip: member beyond the end");
    if (method == 0) {
      out[name] = zip.substr(data, csize);
      continue;
    }
    if (method != 8) throw std::runtime_error("zip: unsupported method");
    std::string plain(usize, '\0');
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) throw std::runtime_error("zip: inflateInit2");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zip.data() + data));
    zs.avail_in = csize;
    zs.next_out = reinterpret_cast<Bytef*>(plain.data());
    zs.avail_out = usize;
    int rc = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("zip: inflate failed for " + name);
    out[name] = std::move(plain);
  }
  return out;
}

}  // namespace hazmon::test
