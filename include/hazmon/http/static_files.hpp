#pragma once
#include <filesystem>

#include <hazmon/http/router.hpp>

namespace hazmon::http {

// Serves files under `root` for GET; "/" and unknown paths without an extension get
// index.html (single-page app). Paths with "..", backslashes or hidden segments are refused
// with 400; nothing outside `root` is ever opened.
Handler make_static_handler(std::filesystem::path root);

}  // namespace hazmon::http
