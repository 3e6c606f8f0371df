#include <hazmon/http/static_files.hpp>

#include <hazmon/http/problem.hpp>

#include <fstream>
#include <sstream>

namespace hazmon::http {
namespace fs = std::filesystem;

namespace {
std::string mime_for(const fs::path& p) {
  auto ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".geojson") return "application/geo+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".wasm") return "application/wasm";  // the 3-D viewer's decoders (ADR 0030)
  if (ext == ".m3u8") return "application/vnd.apple.mpegurl";
  if (ext == ".mp4") return "video/mp4";
  return "application/octet-stream";
}

Response serve_file(const fs::path& file, const std::string& request_id) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return problem(core::Errc::not_found, core::Reason::file_not_found, "no such file", request_id);
  std::ostringstream ss;
  ss << in.rdbuf();
  Response resp;
  resp.content_type = mime_for(file);
  resp.body = ss.str();
  resp.headers.emplace_back("Cache-Control",
                            file.filename() == "index.html" ? "no-cache" : "public, max-age=3600");
  return resp;
}
}  // namespace

Handler make_static_handler(fs::path root) { return make_static_handler(std::move(root), {}); }

Handler make_static_handler(fs::path root, std::vector<StaticOverride> overrides) {
  root = fs::weakly_canonical(root);
  return [root, overrides = std::move(overrides)](Request& req) -> Response {
    const std::string& path = req.path;
    for (const auto& o : overrides)
      if (path == o.url_path) {
        auto resp = serve_file(o.file, req.request_id);
        // Replaced by the operator at any time: revalidate rather than cache for an hour.
        for (auto& [k, v] : resp.headers)
          if (k == "Cache-Control") v = "no-cache";
        return resp;
      }
    if (path.find('\\') != std::string::npos || path.find("//") != std::string::npos)
      return problem(core::Errc::bad_request, core::Reason::bad_path, "the path is not allowed",
                     req.request_id);
    fs::path rel;
    std::size_t i = 1;
    while (i <= path.size()) {
      auto j = path.find('/', i);
      if (j == std::string::npos) j = path.size();
      auto seg = path.substr(i, j - i);
      if (seg == ".." || seg == "." || (!seg.empty() && seg[0] == '.'))
        return problem(core::Errc::bad_request, core::Reason::bad_path, "the path is not allowed",
                       req.request_id);
      if (!seg.empty()) rel /= seg;
      i = j + 1;
    }
    fs::path file = root / rel;
    std::error_code ec;
    if (rel.empty() || fs::is_directory(file, ec)) file = file / "index.html";
    if (!fs::is_regular_file(file, ec)) {
      if (rel.has_extension())
        return problem(core::Errc::not_found, core::Reason::file_not_found, "no such file",
                       req.request_id);
      file = root / "index.html";  // client-side routes of the dashboard
    }
    auto canon = fs::weakly_canonical(file, ec);
    auto r = canon.string();
    if (ec || r.compare(0, root.string().size(), root.string()) != 0)
      return problem(core::Errc::not_found, core::Reason::file_not_found, "no such file",
                     req.request_id);
    return serve_file(canon, req.request_id);
  };
}

}  // namespace hazmon::http
