// City federation (ADR 0026) through a PostgreSQL outage: a city's upload answered while
// PostgreSQL is away is durable in the spool with the body to forward, and the replay queues it
// for the province, once, even when the spool is replayed again (its progress lost in a crash).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/spool.hpp>

#include <filesystem>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {
constexpr const char* kCompany = "14070000077";

long long outbox_rows(storage::Database& db, std::string* body = nullptr) {
  return db.in_tx([&](storage::Tx& tx) {
    auto rows = tx.exec("SELECT body FROM federation_outbox WHERE company_code = $1", {kCompany});
    if (body && !rows.empty()) *body = rows[0]["body"].get<std::string>();
    return static_cast<long long>(rows.size());
  });
}
}  // namespace

TEST(FederationSpoolPg, AnUploadSpooledWhilePostgresIsAwayIsQueuedOnceWhenReplayed) {
  auto& db = shared_db().db();
  db.in_tx([](storage::Tx& tx) {
    tx.exec("DELETE FROM federation_outbox WHERE company_code = $1", {kCompany});
    tx.exec("DELETE FROM upload_batch WHERE company_code = $1", {kCompany});
  });
  auto dir = fs::temp_directory_path() / ("hazmon-fedspool-" + core::random_token(6));
  fs::create_directories(dir);
  core::FakeClock clock(time_point_cast<seconds>(system_clock::now()));
  service::IngestSettings s;
  s.spool_file = dir / "readings.spool";
  s.forward_path = "/api/v1/upload/realtime";
  s.reply_timeout = seconds(20);
  auto gateway = principal(model::Role::gateway, model::Scope::enterprise(kCompany), "app-gw");
  const std::string body = std::string(R"({"companyCode":")") + kCompany +
                           R"(","dataId":"spool-1","reportType":"heartbeat","sendTime":")" +
                           core::format_rfc3339(clock.now()) + R"(","datas":[]})";
  {
    // PostgreSQL away: the upload is answered from the spool.
    storage::Database away(
        {"host=/nonexistent-hazmon-dir port=1 user=x dbname=y "
         "connect_timeout=1",
         2, milliseconds(1000), milliseconds(500)});
    service::IngestService ingest(away, s, clock);
    ingest.start();
    auto reply = ingest.upload_text(gateway, body);
    EXPECT_EQ(reply["dataId"], "spool-1");
    EXPECT_EQ(ingest.stats().spool_pending, 1u);
    ingest.stop();
  }
  EXPECT_EQ(outbox_rows(db), 0);
  auto replay = [&] {
    storage::Database back({shared_db().dsn(), 2});
    service::IngestService ingest(back, s, clock);
    ingest.start();
    ingest.tick();  // the writer replays the spool before anything else
    EXPECT_EQ(ingest.stats().spool_pending, 0u);
    ingest.stop();
  };
  // The spool as it is before the replay, for the crash below.
  fs::copy_file(s.spool_file, dir / "before-replay.spool");
  replay();
  std::string queued;
  EXPECT_EQ(outbox_rows(db, &queued), 1);
  EXPECT_EQ(queued, body);  // the plaintext the city accepted, as it was
  // A crash after the replay's commit, before the spool noted its progress: the same record is
  // replayed again; the upload is found stored and skipped, and nothing is queued twice.
  fs::copy_file(dir / "before-replay.spool", s.spool_file, fs::copy_options::overwrite_existing);
  fs::remove(fs::path(s.spool_file.string() + ".applied"));
  {
    storage::Spool again(s.spool_file);
    ASSERT_EQ(again.pending(), 1u);
  }
  replay();
  EXPECT_EQ(outbox_rows(db), 1);
  fs::remove_all(dir);
}
