#include <hazmon/storage/unit_of_work.hpp>

#include <pqxx/pqxx>

#include <spdlog/spdlog.h>
#include <hazmon/core/log.hpp>
#include <hazmon/storage/database.hpp>
#include "tx_access.hpp"
#include "unit_state.hpp"

#include <optional>
#include <utility>

namespace hazmon::storage {

struct UnitOfWork::State {
  explicit State(Database& d) : db(d) {}
  Database& db;
  std::optional<Tx> tx;  // the unit's transaction; a savepoint when nested in a unit of `db`
  OpenUnit unit;
  OpenUnit* outer = nullptr;  // a unit of another database, open when this one began
  bool nested = false;
  bool installed = false;

  void uninstall() noexcept {
    if (!installed) return;
    t_open_unit = outer;
    installed = false;
  }
};

UnitOfWork::UnitOfWork(Database& db) : s_(std::make_unique<State>(db)) {
  s_->nested = t_open_unit && t_open_unit->db == &db;
  s_->tx.emplace(db.begin());
  if (s_->nested) return;  // a savepoint of the open unit, whose effects wait for its commit
  s_->unit.db = &db;
  s_->unit.tx = &TxAccess::work(*s_->tx);
  s_->outer = t_open_unit;
  t_open_unit = &s_->unit;
  s_->installed = true;
}

UnitOfWork::~UnitOfWork() {
  s_->uninstall();  // before the rollback: nothing more nests in it
  s_->tx.reset();
}

Tx& UnitOfWork::tx() {
  if (!s_->nested && s_->unit.open_savepoints != 0)
    throw core::Error(core::Errc::internal, "the unit's transaction used inside a savepoint");
  return *s_->tx;
}

void UnitOfWork::commit() {
  s_->tx->commit();
  if (s_->nested) return;
  auto effects = std::move(s_->unit.after_commit);
  s_->uninstall();  // the effects run outside the unit: their own transactions commit alone
  for (auto& fn : effects) {
    try {
      fn();
    } catch (const std::exception& e) {
      core::logger(core::LogModule::storage)
          ->error("an effect after a unit of work's commit failed: {}", e.what());
    }
  }
}

void after_commit(Database& db, std::function<void()> fn) {
  if (t_open_unit && t_open_unit->db == &db)
    t_open_unit->after_commit.push_back(std::move(fn));
  else
    fn();
}

}  // namespace hazmon::storage
