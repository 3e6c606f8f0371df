#pragma once
// Inside storage only: the libpqxx transaction behind a Tx, for COPY.
#include <pqxx/pqxx>

#include <hazmon/storage/database.hpp>

namespace hazmon::storage {

struct TxAccess {
  static pqxx::work& work(Tx& tx);
};

}  // namespace hazmon::storage
