#pragma once
// The one way a handler answers with a file (statistics and data-quality exports, report
// downloads): Content-Disposition with an ASCII file name and, when the name has other
// characters, its UTF-8 form (RFC 5987), no caching of scoped figures, no content sniffing.
// Header-only: a few lines shared by routes_statistics.cpp and routes_quality.cpp.
#include <string>
#include <utility>
#include <vector>

#include <hazmon/core/error.hpp>
#include <hazmon/http/message.hpp>
#include <hazmon/report/table.hpp>

namespace hazmon::api {

inline constexpr const char* kCsvType = "text/csv; charset=utf-8";
inline constexpr const char* kXlsxType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// RFC 5987 value characters: everything else is percent-encoded (UTF-8 bytes).
inline std::string rfc5987(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// `ascii_name` goes into filename="…" as is: callers build it from codes, digits and ASCII words
// only (no quotes, no CR/LF), so no header injection. `utf8_name` (optional) is the name people
// read, e.g. with Chinese; it is sent percent-encoded as filename*.
inline http::Response file_download(std::string body, const char* content_type,
                                    const std::string& ascii_name,
                                    const std::string& utf8_name = {}) {
  http::Response out;
  out.status = 200;
  out.content_type = content_type;
  out.body = std::move(body);
  std::string disposition = "attachment; filename=\"" + ascii_name + "\"";
  if (!utf8_name.empty() && utf8_name != ascii_name)
    disposition += "; filename*=UTF-8''" + rfc5987(utf8_name);
  out.headers.emplace_back("Content-Disposition", std::move(disposition));
  out.headers.emplace_back("Cache-Control", "no-store");
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return out;
}

// A table export: `format` csv (the first table) or xlsx (every table, one sheet each); the
// names without extension.
inline http::Response table_download(const std::string& format,
                                     const std::vector<report::Table>& tables,
                                     const std::string& ascii_stem,
                                     const std::string& utf8_stem = {}) {
  if (tables.empty()) throw core::Error(core::Errc::internal, "an export without a table");
  const std::string ext = "." + format;
  if (format == "csv")
    return file_download(report::write_csv(tables.front()), kCsvType, ascii_stem + ext,
                         utf8_stem.empty() ? "" : utf8_stem + ext);
  if (format == "xlsx")
    return file_download(report::write_xlsx(tables), kXlsxType, ascii_stem + ext,
                         utf8_stem.empty() ? "" : utf8_stem + ext);
  throw core::Error(core::Errc::bad_request, "format must be one of json, csv, xlsx");
}

}  // namespace hazmon::api
