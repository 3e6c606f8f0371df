// The module loggers: SIGHUP's level change reaches every one of them, and lines logged after
// shutdown_logging() are still written (no "thread pool doesn't exist anymore").
#include <gtest/gtest.h>

#include <spdlog/spdlog.h>

#include <hazmon/core/log.hpp>

#include <cstdio>
#include <set>
#include <string>

namespace hazmon::core {
namespace {

TEST(Log, SetLogLevelReachesEveryModuleLogger) {
  setup_logging({"info", false});
  std::set<std::string> names;
  for (auto m : kLogModules) {
    ASSERT_EQ(logger(m)->level(), spdlog::level::info);
    names.insert(logger(m)->name());
  }
  EXPECT_EQ(names.size(), std::size(kLogModules));  // one logger per module, none shared
  EXPECT_EQ(names.count("video"), 1u);
  set_log_level("debug");
  for (auto m : kLogModules)
    EXPECT_EQ(logger(m)->level(), spdlog::level::debug) << logger(m)->name();
  set_log_level("warn");
  for (auto m : kLogModules)
    EXPECT_EQ(logger(m)->level(), spdlog::level::warn) << logger(m)->name();
  shutdown_logging();
}

TEST(Log, LinesAfterShutdownAreWrittenNotLost) {
  setup_logging({"info", false});
  logger(LogModule::app)->info("before shutdown");
  ::testing::internal::CaptureStderr();
  shutdown_logging();
  // A destructor at exit logging through its module's logger after the async pool is gone.
  logger(LogModule::storage)->info("after shutdown");
  logger(LogModule::storage)->flush();
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("LOG ERROR"), std::string::npos) << err;
  EXPECT_NE(err.find("after shutdown"), std::string::npos) << err;
  EXPECT_EQ(logger(LogModule::storage)->level(), spdlog::level::info);
}

}  // namespace
}  // namespace hazmon::core
