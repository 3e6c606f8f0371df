// core::Error's reasons and the checks HAZMON_ASSERT, HAZMON_CHECK and HAZMON_BUG (docs/errors.md).
#include <gtest/gtest.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/metrics.hpp>

#include <set>
#include <string>

namespace hazmon::core {
namespace {

constexpr Reason kLastReason = Reason::video_disabled;

TEST(Error, CarriesItsReasonAndNoneByDefault) {
  Error plain(Errc::unavailable, "x");
  EXPECT_EQ(plain.reason(), Reason::none);
  Error full(Errc::unavailable, Reason::ingest_queue_full, "the ingest queue is full",
             {{"/datas", "later"}});
  EXPECT_EQ(full.code(), Errc::unavailable);
  EXPECT_EQ(full.reason(), Reason::ingest_queue_full);
  EXPECT_STREQ(full.what(), "the ingest queue is full");
  ASSERT_EQ(full.fields().size(), 1u);
  EXPECT_EQ(full.fields()[0].pointer, "/datas");
}

TEST(Error, EveryReasonHasItsOwnName) {
  std::set<std::string> names;
  for (int r = 0; r <= static_cast<int>(kLastReason); ++r) {
    std::string n = to_string(static_cast<Reason>(r));
    EXPECT_TRUE(names.insert(n).second) << "two reasons named " << n;
  }
  EXPECT_STREQ(to_string(Reason::none), "none");
  EXPECT_STREQ(to_string(Reason::db_unavailable), "db_unavailable");
  EXPECT_STREQ(to_string(Reason::login_throttled), "login_throttled");
  EXPECT_STREQ(to_string(Reason::video_disabled), "video_disabled");
}

int g_evaluated = 0;
bool counted(bool v) {
  ++g_evaluated;
  return v;
}

TEST(Checks, AssertIsCompiledOutOfReleaseBuilds) {
  g_evaluated = 0;
  HAZMON_ASSERT(counted(true), "evaluated only in debug builds");
#ifdef NDEBUG
  EXPECT_EQ(g_evaluated, 0);
  HAZMON_ASSERT(counted(false), "not even evaluated, so no abort");
  EXPECT_EQ(g_evaluated, 0);
#else
  EXPECT_EQ(g_evaluated, 1);
#endif
}

TEST(ChecksDeathTest, CheckAbortsInEveryBuild) {
  EXPECT_DEATH(HAZMON_CHECK(counted(false), "cannot go on"),
               "HAZMON_CHECK failed: counted\\(false\\) \\(cannot go on\\)");
}

TEST(ChecksDeathTest, BugAbortsWhenBugsAbort) {
  EXPECT_DEATH(
      {
        set_bugs_abort(true);
        HAZMON_BUG(1 + 1 == 3, "arithmetic");
      },
      "HAZMON_BUG: 1 \\+ 1 == 3 \\(arithmetic\\) at error_test.cpp:");
}

// The site of one HAZMON_BUG line, found by its label.
std::uint64_t count_at(const std::string& where) {
  for (const auto& b : bug_counts())
    if (b.where == where) return b.count;
  return 0;
}

int g_bug_line = 0;
void maybe_bug(bool ok) {
  g_bug_line = __LINE__ + 1;
  HAZMON_BUG(ok, std::string("state ") + (ok ? "fine" : "impossible"));
}

TEST(Checks, BugCountsLogsOnceAndGoesOnInRelease) {
  bool was = bugs_abort();
  set_bugs_abort(false);
  maybe_bug(true);
  std::string where = "error_test.cpp:" + std::to_string(g_bug_line);
  EXPECT_EQ(count_at(where), 0u);
  maybe_bug(true);
  EXPECT_EQ(count_at(where), 0u) << "a check that holds neither counts nor makes a site";
  for (int i = 0; i < 5; ++i) maybe_bug(false);
  EXPECT_EQ(count_at(where), 5u);
  set_bugs_abort(was);
}

TEST(Checks, BugLogsTheFirstTimeThenOnceAMinutePerSite) {
  bool was = bugs_abort();
  set_bugs_abort(false);
  BugSite site("src/service/somewhere.cpp", 42);
  EXPECT_EQ(site.where, "somewhere.cpp:42");
  for (int i = 0; i < 4; ++i) bug_occurred(site, "x", "why");
  EXPECT_EQ(site.count.load(), 4u);
  EXPECT_EQ(site.logged.load(), 1u);
  EXPECT_EQ(site.unlogged.load(), 3u);
  // A minute later the next one is logged, with the three in between summed up.
  site.last_log_s.store(site.last_log_s.load() - 61);
  bug_occurred(site, "x", "why");
  EXPECT_EQ(site.logged.load(), 2u);
  EXPECT_EQ(site.unlogged.load(), 0u);
  EXPECT_EQ(site.count.load(), 5u);
  set_bugs_abort(was);
}

TEST(Checks, MetricsExposeBugsTotalByWhere) {
  bool was = bugs_abort();
  set_bugs_abort(false);
  BugSite site("/x/y/metrics_site.cpp", 7);
  bug_occurred(site, "cond", "msg");
  bug_occurred(site, "cond", "msg");
  Metrics m;
  auto text = m.serialize();
  EXPECT_NE(text.find("# TYPE hazmon_bugs_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("hazmon_bugs_total{where=\"metrics_site.cpp:7\"} 2"), std::string::npos)
      << text;
  set_bugs_abort(was);
}

}  // namespace
}  // namespace hazmon::core
