#include <hazmon/core/error.hpp>

#include <cstdio>
#include <cstdlib>

namespace hazmon::core {

const char* to_string(Errc code) noexcept {
  switch (code) {
    case Errc::bad_request: return "bad_request";
    case Errc::validation_failed: return "validation_failed";
    case Errc::unauthenticated: return "unauthenticated";
    case Errc::forbidden: return "forbidden";
    case Errc::not_found: return "not_found";
    case Errc::conflict: return "conflict";
    case Errc::too_large: return "too_large";
    case Errc::unsupported_media: return "unsupported_media_type";
    case Errc::throttled: return "throttled";
    case Errc::unavailable: return "unavailable";
    case Errc::internal: return "internal";
  }
  return "internal";
}

void check_failed(const char* cond, const char* msg, const char* file, int line) {
  std::fprintf(stderr, "HAZMON_CHECK failed: %s (%s) at %s:%d\n", cond, msg, file, line);
  std::abort();
}

}  // namespace hazmon::core
