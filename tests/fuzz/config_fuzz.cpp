// libFuzzer target: the config loader, JSON text → validated config (config::load_config: parse,
// schemas/config.schema.json through valijson, defaults). The input is written to a memfd and
// loaded through /proc/self/fd, so the real file-reading path runs. ConfigError (a core::Error)
// is the loader's refusal; any other exception escaping is a finding (hazmond would die with
// std::terminate instead of naming the bad key).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include <hazmon/config/config.hpp>

using namespace hazmon;

namespace {
int config_fd() {
  static const int fd = [] {
    int f = ::memfd_create("hazmon-fuzz-config", 0);
    if (f < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    return f;
  }();
  return fd;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
#ifdef HAZMON_SOURCE_DIR
  ::setenv("HAZMON_HOME", HAZMON_SOURCE_DIR, 0);  // schemas/config.schema.json
#endif
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = config_fd();
  if (::ftruncate(fd, 0) != 0) std::abort();
  std::size_t off = 0;
  while (off < size) {
    auto n = ::pwrite(fd, data + off, size - off, static_cast<off_t>(off));
    if (n <= 0) std::abort();
    off += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  try {
    auto cfg = config::load_config(path);
    // A valid config has every section the schema defaults, and validates again as it is.
    if (!cfg.is_object()) std::abort();
    (void)config::validate_config(cfg);
    (void)cfg.dump();
  } catch (const config::ConfigError&) {
    // refused with the JSON pointers of the bad keys
  }
  return 0;
}
