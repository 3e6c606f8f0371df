// storage::UnitOfWork against PostgreSQL (ADR 0033): the transactions services begin on the thread
// of an open unit are savepoints of it, so what they commit is stored with the unit or not at all;
// a savepoint that fails leaves the unit usable; other connections see nothing before the unit
// commits; after-commit effects wait for the commit and are dropped by a rollback.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/unit_of_work.hpp>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::storage::ConflictError;
using hazmon::storage::Database;
using hazmon::storage::Tx;
using hazmon::storage::UnitOfWork;
using namespace hazmon::test;

namespace {

class UnitOfWorkPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_db().exec("CREATE TABLE IF NOT EXISTS uow_probe (id integer PRIMARY KEY, v text)");
  }
  Database& db = shared_db().db();

  void insert(int id, const std::string& v = "x") {
    db.in_tx([&](Tx& tx) {
      tx.exec("INSERT INTO uow_probe (id, v) VALUES ($1, $2)", {std::to_string(id), v});
    });
  }
  // Read on another thread: its own connection, outside any unit.
  long long seen(int from, int to) {
    long long n = -1;
    std::thread([&] {
      n = db.in_tx([&](Tx& tx) {
        return tx
            .one<long long>("SELECT count(*) FROM uow_probe WHERE id BETWEEN $1 AND $2",
                            {std::to_string(from), std::to_string(to)})
            .value_or(-1);
      });
    }).join();
    return n;
  }
};

}  // namespace

TEST_F(UnitOfWorkPg, ServiceTransactionsCommitWithTheUnitAndNotBefore) {
  std::vector<std::string> effects;
  {
    UnitOfWork unit(db);
    insert(101);
    insert(102);
    hazmon::storage::after_commit(db, [&] { effects.push_back("reload"); });
    EXPECT_EQ(seen(101, 102), 0) << "a savepoint's commit is not the unit's";
    EXPECT_TRUE(effects.empty());
    unit.tx().exec("INSERT INTO uow_probe (id, v) VALUES (103, 'unit')");
    unit.commit();
    // The effect ran after the commit, outside the unit: what it reads is committed.
    ASSERT_EQ(effects.size(), 1u);
  }
  EXPECT_EQ(seen(101, 103), 3);
}

TEST_F(UnitOfWorkPg, ARollbackDropsEverySavepointAndEveryEffect) {
  bool ran = false;
  try {
    UnitOfWork unit(db);
    insert(201);
    hazmon::storage::after_commit(db, [&] { ran = true; });
    throw std::runtime_error("the upload failed after its first row");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(seen(201, 201), 0);
  EXPECT_FALSE(ran);
  // Without a unit the effect runs at once, and the thread's next transaction is its own again.
  hazmon::storage::after_commit(db, [&] { ran = true; });
  EXPECT_TRUE(ran);
  insert(202);
  EXPECT_EQ(seen(202, 202), 1);
}

TEST_F(UnitOfWorkPg, AFailedSavepointLeavesTheUnitUsable) {
  insert(301, "before");
  {
    UnitOfWork unit(db);
    insert(302);
    // A duplicate key inside the unit: PostgreSQL aborts only the savepoint.
    EXPECT_THROW(insert(301, "again"), ConflictError);
    // A row that fails half-way leaves nothing of itself (a nested unit is a savepoint).
    EXPECT_THROW(
        {
          UnitOfWork row(db);
          insert(303);
          throw hazmon::core::Error(hazmon::core::Errc::validation_failed, "second step");
        },
        hazmon::core::Error);
    {
      UnitOfWork row(db);
      insert(304);
      row.commit();
    }
    unit.commit();
  }
  EXPECT_EQ(seen(302, 302), 1);
  EXPECT_EQ(seen(303, 303), 0);
  EXPECT_EQ(seen(304, 304), 1);
  auto v = db.in_tx([](Tx& tx) {
    return tx.one<std::string>("SELECT v FROM uow_probe WHERE id = 301", {}).value_or("");
  });
  EXPECT_EQ(v, "before");
}

TEST_F(UnitOfWorkPg, NestedTransactionsOfOneServiceNestInTheLastOpenOne) {
  {
    UnitOfWork unit(db);
    db.in_tx([&](Tx& outer) {
      outer.exec("INSERT INTO uow_probe (id, v) VALUES (401, 'outer')");
      insert(402);  // a service called from inside another's transaction
      outer.exec("UPDATE uow_probe SET v = 'after inner' WHERE id = 401");
    });
    // A read-only transaction dropped without commit rolls back only to its savepoint.
    {
      auto tx = db.begin();
      EXPECT_EQ(tx.one<long long>("SELECT count(*) FROM uow_probe WHERE id IN (401, 402)", {}), 2);
    }
    unit.commit();
  }
  EXPECT_EQ(seen(401, 402), 2);
}
