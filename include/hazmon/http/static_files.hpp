#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <hazmon/http/router.hpp>

namespace hazmon::http {

// Serves files under `root` for GET; "/" and unknown paths without an extension get
// index.html (single-page app). Paths with "..", backslashes or hidden segments are refused
// with 400; nothing outside `root` is ever opened.
Handler make_static_handler(std::filesystem::path root);

// A file served at a fixed URL path from outside `root`, in place of the file of that name under
// `root` (an operator's approved map replacing the one shipped with the dashboard).
struct StaticOverride {
  std::string url_path;  // exact, e.g. "/maps/shanxi.geojson"
  std::filesystem::path file;
};
Handler make_static_handler(std::filesystem::path root, std::vector<StaticOverride> overrides);

}  // namespace hazmon::http
