// Database and Tx against PostgreSQL: typed rows, transactions, error mapping, parameters,
// the pool; and the append-only audit log.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/service/audit_log.hpp>
#include <hazmon/storage/database.hpp>

#include <limits>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::core::Errc;
using hazmon::storage::ConflictError;
using hazmon::storage::Database;
using hazmon::storage::DbSettings;
using hazmon::storage::TransientError;
using hazmon::storage::Tx;
using nlohmann::json;
using namespace hazmon::test;

namespace {

class DatabasePg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_db().exec(
        "CREATE TABLE IF NOT EXISTS tx_probe (id integer PRIMARY KEY, v text, n integer NOT NULL "
        "DEFAULT 0)");
  }
  Database& db = shared_db().db();

  long long count(int id) {
    auto tx = db.begin();
    return tx
        .exec_one("SELECT count(*) AS n FROM tx_probe WHERE id = $1", {std::to_string(id)})["n"]
        .get<long long>();
  }
};

}  // namespace

TEST_F(DatabasePg, RowsComeBackTyped) {
  auto tx = db.begin();
  auto r = tx.exec_one(
      "SELECT 7::smallint AS i2, 42::integer AS i4, 9007199254740993::bigint AS i8, 1.5::float8 AS "
      "f8, "
      "2.25::numeric AS num, true AS yes, false AS no, "
      "'{\"a\":[1,\"x\",null],\"b\":{\"c\":true}}'::jsonb AS j, "
      "'[1,2]'::json AS js, NULL::text AS nothing, NULL::integer AS no_int, "
      "'2021-10-31 20:34:56.789+08'::timestamptz AS ts, '2021-10-31 00:00:00+00'::timestamptz AS "
      "ts0, "
      "'hello'::text AS s, '2021-10-31'::date AS d, '山西'::varchar AS zh");
  ASSERT_TRUE(r.is_object());
  EXPECT_TRUE(r["i2"].is_number_integer());
  EXPECT_EQ(r["i2"], 7);
  EXPECT_EQ(r["i4"], 42);
  EXPECT_EQ(r["i8"].get<long long>(), 9007199254740993LL);
  EXPECT_TRUE(r["f8"].is_number_float());
  EXPECT_DOUBLE_EQ(r["f8"].get<double>(), 1.5);
  EXPECT_TRUE(r["num"].is_number());
  EXPECT_DOUBLE_EQ(r["num"].get<double>(), 2.25);
  EXPECT_EQ(r["yes"], true);
  EXPECT_EQ(r["no"], false);
  EXPECT_EQ(r["j"], json::parse(R"({"a":[1,"x",null],"b":{"c":true}})"));
  EXPECT_EQ(r["js"], json::array({1, 2}));
  EXPECT_TRUE(r["nothing"].is_null());
  EXPECT_TRUE(r["no_int"].is_null());
  EXPECT_EQ(r["ts"], "2021-10-31T12:34:56.789Z");
  EXPECT_EQ(r["ts0"], "2021-10-31T00:00:00Z");
  EXPECT_EQ(r["s"], "hello");
  EXPECT_EQ(r["d"], "2021-10-31");
  EXPECT_EQ(r["zh"], "山西");
}

TEST_F(DatabasePg, ExecReturnsAnArrayAndExecOneNullWhenEmpty) {
  auto tx = db.begin();
  auto rows = tx.exec("SELECT g AS n FROM generate_series(1, 3) g ORDER BY g");
  ASSERT_TRUE(rows.is_array());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[2]["n"], 3);
  EXPECT_TRUE(tx.exec("SELECT 1 AS x WHERE false").empty());
  EXPECT_TRUE(tx.exec_one("SELECT 1 AS x WHERE false").is_null());
}

TEST_F(DatabasePg, CommittedWorkIsVisibleAndExecCountCountsRows) {
  db.in_tx([](Tx& tx) {
    tx.exec("INSERT INTO tx_probe(id, v) VALUES (101, 'a'), (102, 'b'), (103, 'c')");
    EXPECT_EQ(tx.exec_count("UPDATE tx_probe SET n = n + 1 WHERE id BETWEEN 101 AND 102"), 2);
  });
  EXPECT_EQ(count(101), 1);
  auto tx = db.begin();
  EXPECT_EQ(tx.exec_one("SELECT n FROM tx_probe WHERE id = 102")["n"], 1);
  EXPECT_EQ(tx.exec_one("SELECT n FROM tx_probe WHERE id = 103")["n"], 0);
}

TEST_F(DatabasePg, TxWithoutCommitRollsBack) {
  {
    auto tx = db.begin();
    tx.exec("INSERT INTO tx_probe(id, v) VALUES (201, 'gone')");
    EXPECT_EQ(tx.exec_one("SELECT count(*) AS n FROM tx_probe WHERE id = 201")["n"], 1);
  }
  EXPECT_EQ(count(201), 0);
  // An exception out of in_tx also leaves nothing behind.
  EXPECT_THROW(db.in_tx([](Tx& tx) {
    tx.exec("INSERT INTO tx_probe(id, v) VALUES (202, 'gone')");
    throw std::runtime_error("abort");
  }),
               std::runtime_error);
  EXPECT_EQ(count(202), 0);
}

TEST_F(DatabasePg, UniqueViolationMapsToConflictErrorNamingTheConstraint) {
  shared_db().exec("INSERT INTO tx_probe(id, v) VALUES (301, 'first')");
  try {
    db.in_tx([](Tx& tx) { tx.exec("INSERT INTO tx_probe(id, v) VALUES ($1, 'second')", {"301"}); });
    FAIL() << "expected a ConflictError";
  } catch (const ConflictError& e) {
    EXPECT_EQ(e.code(), Errc::conflict);
    EXPECT_EQ(e.constraint(), "tx_probe_pkey");
    // Messages are for people, never SQL text.
    EXPECT_EQ(std::string(e.what()).find("INSERT"), std::string::npos);
  }
  auto tx = db.begin();
  EXPECT_EQ(tx.exec_one("SELECT v FROM tx_probe WHERE id = 301")["v"], "first");
}

TEST_F(DatabasePg, OtherConstraintAndDataErrorsAreValidationFailures) {
  auto not_null = caught([&] {
    db.in_tx([](Tx& tx) { tx.exec("INSERT INTO tx_probe(id, v, n) VALUES (401, 'x', NULL)"); });
  });
  ASSERT_TRUE(not_null);
  EXPECT_EQ(not_null->code, Errc::validation_failed);
  auto bad_int =
      caught([&] { db.in_tx([](Tx& tx) { tx.exec("SELECT $1::integer AS x", {"twelve"}); }); });
  ASSERT_TRUE(bad_int);
  EXPECT_EQ(bad_int->code, Errc::validation_failed);
  auto fk = caught([&] {
    db.in_tx([](Tx& tx) {
      tx.exec(
          "INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES "
          "('99999999999001', '99999999999', 'x', 1)");
    });
  });
  ASSERT_TRUE(fk);
  EXPECT_EQ(fk->code, Errc::validation_failed);
}

TEST_F(DatabasePg, ParameterWithSqlMetaCharactersIsStoredVerbatim) {
  const std::string nasty = "x'); DROP TABLE tx_probe; -- \\ % _ $1 \" ; /* */ \n\t 山西'';";
  db.in_tx([&](Tx& tx) { tx.exec("INSERT INTO tx_probe(id, v) VALUES ($1, $2)", {"501", nasty}); });
  auto tx = db.begin();
  EXPECT_EQ(tx.exec_one("SELECT v FROM tx_probe WHERE id = 501")["v"], nasty);
  EXPECT_EQ(tx.exec_one("SELECT id FROM tx_probe WHERE v = $1", {nasty})["id"], 501);
  EXPECT_TRUE(tx.exec_one("SELECT to_regclass('tx_probe') IS NOT NULL AS e")["e"].get<bool>());
}

TEST_F(DatabasePg, NullParameterIsSqlNull) {
  db.in_tx([&](Tx& tx) {
    tx.exec("INSERT INTO tx_probe(id, v) VALUES ($1, $2)", {"601", std::nullopt});
  });
  auto tx = db.begin();
  auto r = tx.exec_one("SELECT v, v IS NULL AS is_null FROM tx_probe WHERE id = 601");
  EXPECT_TRUE(r["v"].is_null());
  EXPECT_EQ(r["is_null"], true);
}

TEST_F(DatabasePg, SessionsRunInUtc) {
  auto tx = db.begin();
  EXPECT_EQ(tx.exec_one("SELECT current_setting('TimeZone') AS tz")["tz"], "UTC");
  auto r = tx.exec_one("SELECT now() AS t");
  auto t = r["t"].get<std::string>();
  EXPECT_EQ(t.back(), 'Z') << t;
  EXPECT_EQ(t[10], 'T') << t;
}

TEST_F(DatabasePg, ExhaustedPoolTimesOutWithTransientError) {
  DbSettings s;
  s.dsn = shared_db().dsn();
  s.pool_size = 1;
  s.acquire_timeout = std::chrono::milliseconds(50);
  Database small(s);
  {
    auto held = small.begin();
    try {
      auto second = small.begin();
      FAIL() << "a second transaction got a connection from a pool of one";
    } catch (const TransientError& e) {
      EXPECT_EQ(e.code(), Errc::unavailable);
    }
  }
  // Returned to the pool: usable again, also after a failed statement.
  EXPECT_THROW(small.in_tx([](Tx& tx) { tx.exec("SELECT $1::integer AS x", {"nope"}); }),
               hazmon::core::Error);
  EXPECT_TRUE(small.ping());
  auto tx = small.begin();
  EXPECT_EQ(tx.exec_one("SELECT 1 AS one")["one"], 1);
}

TEST_F(DatabasePg, UnreachableServerIsTransient) {
  DbSettings s;
  s.dsn = "host=/nonexistent-socket-dir port=5432 user=nobody dbname=none connect_timeout=1";
  s.pool_size = 1;
  Database dead(s);
  EXPECT_FALSE(dead.ping());
  try {
    dead.begin();
    FAIL() << "connected to nothing";
  } catch (const TransientError& e) {
    EXPECT_EQ(e.code(), Errc::unavailable);
  }
  // The failed attempt released its slot in the pool.
  EXPECT_THROW(dead.begin(), TransientError);
}

// --- AuditLog ----------------------------------------------------------------------------------

namespace {
hazmon::service::AuditEntry entry(const std::string& request_id, const std::string& action) {
  hazmon::service::AuditEntry e;
  e.request_id = request_id;
  e.actor_id = 0;
  e.actor_name = "alice";
  e.actor_role = "province_admin";
  e.client_addr = "192.0.2.7";
  e.method = "POST";
  e.path = "/api/v1/registry/enterprises";
  e.status = 201;
  e.action = action;
  e.target = "enterprises/14010000001";
  e.detail = nlohmann::json{{"fields", {"name", "region_code"}}}.dump();
  return e;
}
}  // namespace

TEST_F(DatabasePg, AuditLogRecordAppends) {
  hazmon::service::AuditLog audit(db);
  auto rid = "req-" + lower_token(6);
  long long before;
  {
    auto tx = db.begin();
    before = tx.exec_one("SELECT count(*) AS n FROM audit_log")["n"].get<long long>();
  }
  audit.record(entry(rid + "a", "registry.create"));
  audit.record(entry(rid + "b", "registry.update"));
  auto tx = db.begin();
  EXPECT_EQ(tx.exec_one("SELECT count(*) AS n FROM audit_log")["n"].get<long long>(), before + 2);
  auto row = tx.exec_one("SELECT * FROM audit_log WHERE request_id = $1", {rid + "a"});
  ASSERT_FALSE(row.is_null());
  EXPECT_TRUE(row["actor_id"].is_null());  // 0 means not known
  EXPECT_EQ(row["actor_name"], "alice");
  EXPECT_EQ(row["status"], 201);
  EXPECT_EQ(row["action"], "registry.create");
  EXPECT_EQ(row["detail"], json({{"fields", {"name", "region_code"}}}));
  EXPECT_EQ(row["at"].get<std::string>().back(), 'Z');

  auto recent = audit.recent(2, std::numeric_limits<long long>::max());
  ASSERT_EQ(recent.size(), 2u);
  EXPECT_EQ(recent[0]["request_id"], rid + "b");  // newest first
  EXPECT_EQ(recent[1]["request_id"], rid + "a");
  auto older = audit.recent(1, recent[0]["id"].get<long long>());
  ASSERT_EQ(older.size(), 1u);
  EXPECT_EQ(older[0]["request_id"], rid + "a");
}

TEST_F(DatabasePg, AuditLogRefusesUpdateDeleteAndTruncate) {
  hazmon::service::AuditLog audit(db);
  auto rid = "req-" + lower_token(6);
  audit.record(entry(rid, "auth.login"));
  auto upd = caught([&] {
    db.in_tx([&](Tx& tx) {
      tx.exec("UPDATE audit_log SET actor_name = 'mallory' WHERE request_id = $1", {rid});
    });
  });
  ASSERT_TRUE(upd);
  auto del = caught([&] {
    db.in_tx([&](Tx& tx) { tx.exec("DELETE FROM audit_log WHERE request_id = $1", {rid}); });
  });
  ASSERT_TRUE(del);
  auto trunc = caught([&] { db.in_tx([&](Tx& tx) { tx.exec("TRUNCATE audit_log"); }); });
  ASSERT_TRUE(trunc);
  auto tx = db.begin();
  auto row = tx.exec_one("SELECT actor_name FROM audit_log WHERE request_id = $1", {rid});
  ASSERT_FALSE(row.is_null());
  EXPECT_EQ(row["actor_name"], "alice");
}
