// The 503 an upload gets when its group could not be stored (service::ingest_failure): the
// Reason names why, taken from the failure where it has one (PostgreSQL away, no pool
// connection, the spool refusing, shutdown) and ingest_failed otherwise; always 503-class.
#include <gtest/gtest.h>

#include <hazmon/core/error.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/storage/database.hpp>

#include <stdexcept>
#include <string>

using hazmon::core::Errc;
using hazmon::core::Error;
using hazmon::core::Reason;
using hazmon::service::ingest_failure;

namespace {
void expect_failure(const std::exception& cause, Reason want) {
  auto e = ingest_failure(cause);
  EXPECT_EQ(e.code(), Errc::unavailable) << cause.what();
  EXPECT_EQ(e.reason(), want) << cause.what();
  // The detail names the reason, never the cause's own text (SQL, paths).
  EXPECT_NE(std::string(e.what()).find(hazmon::core::to_string(want)), std::string::npos);
  EXPECT_EQ(std::string(e.what()).find(cause.what()), std::string::npos) << e.what();
}
}  // namespace

TEST(IngestFailure, KeepsTheReasonOfADependencyThatIsAway) {
  expect_failure(hazmon::storage::TransientError("connection lost in table reading_20261207"),
                 Reason::db_unavailable);
  expect_failure(
      hazmon::storage::TransientError("no free connection in 5000 ms", Reason::db_timeout),
      Reason::db_timeout);
  expect_failure(Error(Errc::unavailable, Reason::spool_unavailable,
                       "cannot write spool /var/lib/hazmon/readings.spool"),
                 Reason::spool_unavailable);
  expect_failure(Error(Errc::unavailable, Reason::shutting_down, "stopping now"),
                 Reason::shutting_down);
}

TEST(IngestFailure, AnythingElseIsIngestFailed) {
  expect_failure(hazmon::storage::ConflictError("duplicate key upload_batch", "upload_batch_pkey"),
                 Reason::ingest_failed);
  expect_failure(Error(Errc::internal, "readings write failed: syntax error at SELECT"),
                 Reason::ingest_failed);
  expect_failure(Error(Errc::unavailable, "unavailable without a reason"), Reason::ingest_failed);
  expect_failure(std::runtime_error("std::bad_alloc in process"), Reason::ingest_failed);
}
