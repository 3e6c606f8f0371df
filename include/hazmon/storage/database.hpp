#pragma once
// PostgreSQL access for the rest of hazmon without pqxx types: a bounded connection pool and a
// transaction that takes text parameters and returns rows as JSON objects.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/error.hpp>

namespace hazmon::storage {

using Param = std::optional<std::string>;  // nullopt is SQL NULL; PostgreSQL casts the text
using Params = std::vector<Param>;

// pqxx failures are mapped onto these (see database.cpp); callers never see pqxx.
// TransientError: connection lost or server unavailable; the unit of work may be retried.
class TransientError : public core::Error {
 public:
  explicit TransientError(std::string m, core::Reason r = core::Reason::db_unavailable) : core::Error(core::Errc::unavailable, r, std::move(m)) {}
};
// ConflictError: unique or exclusion violation; `constraint` names the constraint.
class ConflictError : public core::Error {
 public:
  ConflictError(std::string m, std::string constraint)
      : core::Error(core::Errc::conflict, std::move(m)), constraint_(std::move(constraint)) {}
  const std::string& constraint() const { return constraint_; }

 private:
  std::string constraint_;
};

struct DbSettings {
  std::string dsn;
  int pool_size = 8;
  std::chrono::milliseconds statement_timeout{10000};
  std::chrono::milliseconds acquire_timeout{5000};
};

class Database;

// One transaction on one pooled connection. Rolled back unless commit() is called.
class Tx {
 public:
  ~Tx();
  Tx(Tx&&) noexcept;
  Tx(const Tx&) = delete;

  // Rows as an array of objects: numbers, booleans, JSON columns and NULL keep their types,
  // timestamptz is RFC 3339 UTC, everything else is a string.
  nlohmann::json exec(std::string_view sql, const Params& params = {});
  // The rows as JSON array text, written straight from the result (same typing rules as
  // exec); for lists that go to a client unchanged.
  std::string exec_json(std::string_view sql, const Params& params = {});
  // First row, or a null json when there is none.
  nlohmann::json exec_one(std::string_view sql, const Params& params = {});
  // Number of rows affected.
  long long exec_count(std::string_view sql, const Params& params = {});
  void commit();

 private:
  friend class Database;
  friend struct TxAccess;  // storage-internal access to the libpqxx transaction (COPY)
  struct Impl;
  explicit Tx(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Database {
 public:
  explicit Database(DbSettings settings);
  ~Database();
  Database(const Database&) = delete;

  // Waits up to acquire_timeout for a free connection, then TransientError.
  Tx begin();
  // Runs fn in a transaction and commits it when fn returns normally.
  template <typename F>
  auto in_tx(F&& fn) {
    auto tx = begin();
    if constexpr (std::is_void_v<decltype(fn(tx))>) {
      fn(tx);
      tx.commit();
    } else {
      auto r = fn(tx);
      tx.commit();
      return r;
    }
  }
  bool ping() noexcept;
  const DbSettings& settings() const { return settings_; }

 private:
  friend class Tx;
  struct Pool;
  DbSettings settings_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace hazmon::storage
