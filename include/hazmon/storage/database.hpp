#pragma once
// PostgreSQL access for the rest of hazmon without pqxx types: a bounded connection pool and a
// transaction that takes text parameters and returns rows either typed (query, rows<T>, one<T>:
// stores map them into structs) or as JSON objects (exec: older code and ad-hoc tools).
#include <nlohmann/json_fwd.hpp>

#include <array>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/error.hpp>

namespace hazmon::storage {

using Param = std::optional<std::string>;  // nullopt is SQL NULL; PostgreSQL casts the text
using Params = std::vector<Param>;

// pqxx failures are mapped onto these (see database.cpp); callers never see pqxx.
// TransientError: connection lost or server unavailable; the unit of work may be retried.
class TransientError : public core::Error {
 public:
  explicit TransientError(std::string m, core::Reason r = core::Reason::db_unavailable)
      : core::Error(core::Errc::unavailable, r, std::move(m)) {}
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
class Row;

// ---- typed rows ----
//
// Row::get<T>(column) reads one field, by position or by name:
//   integers, double, bool, std::string, core::SysTime (timestamptz), an enum E for which
//   `std::optional<E> enum_from_string(std::string_view, std::type_identity<E>)` is found by
//   argument-dependent lookup (the enums of model/ have one), and std::optional<T> of any of
//   these (NULL → nullopt). NULL into a non-optional, an unknown enum text or a value of the
//   wrong form throws core::Error(internal) naming the column.
// A struct is read with Tx::rows<T> / Tx::one<T> when RowDescription<T> lists its columns by
// name (extra columns in the result are ignored; a missing one is an error):
//   template <> struct storage::RowDescription<Foo> {
//     static constexpr auto columns = std::make_tuple(column("id", &Foo::id), column("name",
//     &Foo::name));
//   };
// Without a RowDescription, rows<T> and one<T> read column 0 (`SELECT count(*) ...`).
template <typename T>
struct Field;

template <typename T>
struct RowDescription;

template <typename T, typename M>
struct ColumnRef {
  const char* name;
  M T::*member;
};
template <typename T, typename M>
constexpr ColumnRef<T, M> column(const char* name, M T::*member) {
  return {name, member};
}

template <typename T>
concept DescribedRow = requires {
  RowDescription<T>::columns;
};

class Row {
 public:
  std::size_t size() const;
  bool is_null(std::size_t col) const;
  // The field's text as PostgreSQL sent it ("" for NULL).
  std::string_view text(std::size_t col) const;
  std::string_view name(std::size_t col) const;
  // Position of a column by name; core::Error(internal) when the result has none.
  std::size_t index(std::string_view name) const;

  template <typename T>
  T get(std::size_t col) const {
    return Field<T>::read(*this, col);
  }
  template <typename T>
  T get(std::string_view name) const {
    return get<T>(index(name));
  }

  // Used by the Field specialisations; each throws when the field is NULL or malformed.
  long long as_int(std::size_t col) const;
  double as_double(std::size_t col) const;
  bool as_bool(std::size_t col) const;
  core::SysTime as_time(std::size_t col) const;
  [[noreturn]] void bad_field(std::size_t col, std::string_view why) const;

 private:
  friend class Result;
  Row(const void* result, int row) : result_(result), row_(row) {}
  const void* result_;  // the pqxx::result inside Result::Impl
  int row_;
};

template <>
struct Field<std::string> {
  static std::string read(const Row& r, std::size_t c) {
    if (r.is_null(c)) r.bad_field(c, "NULL");
    return std::string(r.text(c));
  }
};
template <>
struct Field<bool> {
  static bool read(const Row& r, std::size_t c) { return r.as_bool(c); }
};
template <std::integral T>
struct Field<T> {
  static T read(const Row& r, std::size_t c) { return static_cast<T>(r.as_int(c)); }
};
template <std::floating_point T>
struct Field<T> {
  static T read(const Row& r, std::size_t c) { return static_cast<T>(r.as_double(c)); }
};
template <>
struct Field<core::SysTime> {
  static core::SysTime read(const Row& r, std::size_t c) { return r.as_time(c); }
};
template <typename E>
requires std::is_enum_v<E>
struct Field<E> {
  static E read(const Row& r, std::size_t c) {
    if (r.is_null(c)) r.bad_field(c, "NULL");
    auto v = enum_from_string(r.text(c), std::type_identity<E>{});
    if (!v) r.bad_field(c, "not a known value");
    return *v;
  }
};
template <typename T>
struct Field<std::optional<T>> {
  static std::optional<T> read(const Row& r, std::size_t c) {
    if (r.is_null(c)) return std::nullopt;
    return Field<T>::read(r, c);
  }
};

// A query's rows; Rows stay valid while the Result lives.
class Result {
 public:
  std::size_t size() const;
  bool empty() const { return size() == 0; }
  Row operator[](std::size_t i) const { return Row(raw_, static_cast<int>(i)); }
  long long affected_rows() const;

  class iterator {
   public:
    Row operator*() const { return Row(raw_, i_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    friend class Result;
    iterator(const void* raw, int i) : raw_(raw), i_(i) {}
    const void* raw_;
    int i_;
  };
  iterator begin() const { return iterator(raw_, 0); }
  iterator end() const { return iterator(raw_, static_cast<int>(size())); }

  // Every row as T (see RowDescription).
  template <typename T>
  std::vector<T> as() const {
    std::vector<T> out;
    out.reserve(size());
    if constexpr (DescribedRow<T>) {
      if (empty()) return out;
      auto idx = indices<T>();
      for (std::size_t i = 0; i < size(); ++i) out.push_back(read_described<T>((*this)[i], idx));
    } else {
      for (std::size_t i = 0; i < size(); ++i) out.push_back((*this)[i].template get<T>(0));
    }
    return out;
  }

 private:
  friend class Tx;
  struct Impl;
  explicit Result(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
  const void* raw_ = nullptr;

  template <typename T>
  auto indices() const {
    constexpr auto n = std::tuple_size_v<std::decay_t<decltype(RowDescription<T>::columns)>>;
    std::array<std::size_t, n> idx{};
    std::size_t k = 0;
    std::apply([&](const auto&... c) { ((idx[k++] = (*this)[0].index(c.name)), ...); },
               RowDescription<T>::columns);
    return idx;
  }
  template <typename T, typename Idx>
  static T read_described(const Row& row, const Idx& idx) {
    T t{};
    std::size_t k = 0;
    std::apply(
        [&](const auto&... c) {
          ((t.*(c.member) =
                row.template get<std::remove_cvref_t<decltype(t.*(c.member))>>(idx[k++])),
           ...);
        },
        RowDescription<T>::columns);
    return t;
  }
};

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
  // The same for a page whose last column is `count(*) OVER ()`: that column is left out of the
  // text and its value stored in `total` (0 when the page is empty): rows and count in one query.
  std::string exec_json(std::string_view sql, const Params& params, long long& total);
  // First row, or a null json when there is none.
  nlohmann::json exec_one(std::string_view sql, const Params& params = {});
  // Number of rows affected.
  long long exec_count(std::string_view sql, const Params& params = {});

  // Typed results (see Row and RowDescription above).
  Result query(std::string_view sql, const Params& params = {});
  template <typename T>
  std::vector<T> rows(std::string_view sql, const Params& params = {}) {
    return query(sql, params).template as<T>();
  }
  // The first row as T, or nullopt when there is none.
  template <typename T>
  std::optional<T> one(std::string_view sql, const Params& params = {}) {
    auto r = query(sql, params);
    if (r.empty()) return std::nullopt;
    if constexpr (DescribedRow<T>) {
      auto v = r.template as<T>();
      return std::move(v.front());
    } else {
      return r[0].template get<T>(0);
    }
  }
  void commit();

 private:
  friend class Database;
  friend struct TxAccess;  // storage-internal access to the libpqxx transaction (COPY)
  struct Impl;
  explicit Tx(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A time as Tx::exec writes a timestamptz into JSON: RFC 3339 UTC with the fraction PostgreSQL
// prints (microseconds, trailing zeros dropped, none when whole): "2026-11-29T21:00:00.12Z".
std::string format_timestamptz(core::SysTime t);

// Appends `value` to params and returns its placeholder ("$3"): for SQL built from optional
// filters.
std::string ph(Params& params, Param value);

// `s` for a LIKE / ILIKE pattern with the default escape character: %, _ and \ match themselves.
std::string escape_like(std::string_view s);

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
