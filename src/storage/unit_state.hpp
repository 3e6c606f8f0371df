#pragma once
// Inside storage only: the unit of work open on this thread (unit_of_work.hpp), whose
// transaction Database::begin() nests savepoints in.
#include <functional>
#include <vector>

namespace pqxx {
class dbtransaction;
}

namespace hazmon::storage {

class Database;

struct OpenUnit {
  const Database* db = nullptr;
  // The unit's transaction, then the savepoints begun inside it that are still open: a new one
  // nests in the last.
  std::vector<pqxx::dbtransaction*> open;
  std::vector<std::function<void()>> after_commit;
};

// The thread's open unit (null: none); a unit inside a unit of another database saves the
// outer one and puts it back.
inline thread_local OpenUnit* t_open_unit = nullptr;

}  // namespace hazmon::storage
