#pragma once
// One PostgreSQL transaction around several service calls (ADR 0033): while a UnitOfWork is open
// on a thread, every Database::begin() of the same database on that thread is a savepoint inside
// it (committing the Tx releases the savepoint, dropping it rolls back to it), so services that
// open transactions of their own still store all or nothing together. A row upload uses it to
// store its rows, its audit entry, its dataId record and, in city mode, its federation outbox row
// in the one commit the gateway's 2xx stands for.
//
// Effects that others must only see once the data is committed (a registry reload, a warning
// pushed to the dashboard and the SMS gateway) go through after_commit: run at the unit's commit,
// dropped when it rolls back, run at once when no unit is open.
#include <functional>
#include <memory>

namespace hazmon::storage {

class Database;
class Tx;

class UnitOfWork {
 public:
  // Begins the transaction (TransientError when PostgreSQL is away). A unit opened inside
  // another on the same thread and database is a savepoint of it, its effects the outer one's.
  explicit UnitOfWork(Database& db);
  // Rolls back unless committed; the after-commit effects are dropped.
  ~UnitOfWork();
  UnitOfWork(const UnitOfWork&) = delete;
  UnitOfWork& operator=(const UnitOfWork&) = delete;

  // The unit's own transaction, for statements of the unit itself; not while a Tx begun inside
  // the unit is still open.
  Tx& tx();
  // Commits, then runs the after-commit effects in the order they were added (a failing one is
  // logged; the data is committed).
  void commit();

  struct State;

 private:
  std::unique_ptr<State> s_;
};

// Runs `fn` once the current thread's unit of work on `db` has committed (never, if it rolls
// back), or now when the thread has none open.
void after_commit(Database& db, std::function<void()> fn);

}  // namespace hazmon::storage
