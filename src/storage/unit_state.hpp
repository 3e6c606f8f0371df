#pragma once
// Inside storage only: the unit of work open on this thread (unit_of_work.hpp), whose
// transaction Database::begin() opens its savepoints on.
#include <functional>
#include <vector>

namespace pqxx {
class dbtransaction;
}

namespace hazmon::storage {

class Database;

struct OpenUnit {
  const Database* db = nullptr;
  pqxx::dbtransaction* tx = nullptr;  // the unit's transaction: savepoints are statements on it
  long long savepoints_made = 0;      // names them: hazmon_sp_<n>
  int open_savepoints = 0;
  std::vector<std::function<void()>> after_commit;
};

// The thread's open unit (null: none); a unit inside a unit of another database saves the
// outer one and puts it back.
inline thread_local OpenUnit* t_open_unit = nullptr;

}  // namespace hazmon::storage
