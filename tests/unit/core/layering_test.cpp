// The module map of docs/architecture.md, enforced: a module may include only the public
// headers of the modules it is allowed to use, and pqxx/OpenCV/libav never appear in public
// headers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace fs = std::filesystem;

namespace {
const std::map<std::string, std::set<std::string>> kAllowed = {
    {"core", {}},
    {"model", {"core"}},
    {"config", {"core", "model"}},
    {"rules", {"model", "core"}},
    {"ingest", {"model", "core"}},
    {"video", {"model", "core"}},
    {"gb28181", {"core"}},
    {"storage", {"model", "core"}},
    {"notify", {"model", "core"}},
    {"report", {"core"}},
    {"auth", {"model", "storage", "core"}},
    {"http", {"core"}},
    {"service",
     {"core", "model", "config", "rules", "ingest", "video", "storage", "notify", "auth", "report",
      "gb28181"}},
    {"api", {"http", "service", "auth", "core", "model", "report"}},
    {"app",
     {"core", "model", "config", "rules", "ingest", "video", "storage", "notify", "auth", "http",
      "service", "api", "report", "gb28181"}},
};

std::vector<std::pair<std::string, std::string>> includes_in(const fs::path& dir) {
  static const std::regex kInclude(R"(#include\s*[<"]([^>"]+)[>"])");
  std::vector<std::pair<std::string, std::string>> out;
  if (!fs::exists(dir)) return out;
  for (auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_search(line, m, kInclude)) out.emplace_back(e.path().string(), m[1]);
    }
  }
  return out;
}
}  // namespace

TEST(Layering, ModulesIncludeOnlyAllowedModules) {
  fs::path root = HAZMON_SOURCE_DIR;
  for (const auto& [module, allowed] : kAllowed) {
    for (auto base : {root / "src" / module, root / "include" / "hazmon" / module}) {
      for (const auto& [file, inc] : includes_in(base)) {
        if (inc.rfind("hazmon/", 0) != 0) continue;
        auto rest = inc.substr(7);
        auto used = rest.substr(0, rest.find('/'));
        if (used == module) continue;
        EXPECT_TRUE(allowed.count(used))
            << file << " includes " << inc << ": " << module << " may not use " << used;
      }
    }
  }
}

TEST(Layering, PublicHeadersKeepHeavyThirdPartyTypesInside) {
  fs::path root = HAZMON_SOURCE_DIR;
  for (const auto& [file, inc] : includes_in(root / "include")) {
    for (const char* banned : {"pqxx/", "opencv2/", "libav", "boost/beast", "valijson/", "sodium",
                               "xlsxwriter", "osip"}) {
      EXPECT_EQ(inc.find(banned), std::string::npos) << file << " exposes " << inc;
    }
  }
}

TEST(Layering, EveryModuleDirectoryIsKnown) {
  fs::path root = HAZMON_SOURCE_DIR;
  for (auto& e : fs::directory_iterator(root / "src")) {
    if (!e.is_directory()) continue;
    EXPECT_TRUE(kAllowed.count(e.path().filename().string()))
        << "unknown module directory " << e.path();
  }
}
