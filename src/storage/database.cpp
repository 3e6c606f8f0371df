#include <hazmon/storage/database.hpp>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <spdlog/spdlog.h>
#include <hazmon/core/log.hpp>
#include <hazmon/core/time_format.hpp>
#include "tx_access.hpp"
#include "unit_state.hpp"

#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

namespace hazmon::storage {
namespace {

// PostgreSQL type OIDs we render as something other than a string.
constexpr pqxx::oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700, kFloat8 = 701,
                    kNumeric = 1700, kJson = 114, kJsonb = 3802, kTimestamptz = 1184;

nlohmann::json field_to_json(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  switch (f.type()) {
    case kBool:
      return f.c_str()[0] == 't';
    case kInt2:
    case kInt4:
    case kInt8:
      return f.as<long long>();
    case kFloat4:
    case kFloat8:
    case kNumeric:
      return f.as<double>();
    case kJson:
    case kJsonb:
      return nlohmann::json::parse(f.c_str());
    case kTimestamptz: {
      // Sessions run with TimeZone=UTC and DateStyle=ISO: "2026-11-29 21:00:00.123+00".
      std::string s = f.c_str();
      if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
      if (s.size() > 3 && s.compare(s.size() - 3, 3, "+00") == 0) s.replace(s.size() - 3, 3, "Z");
      return s;
    }
    default:
      return std::string(f.c_str(), f.size());
  }
}

void append_json_string(std::string& out, const char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// JSON text straight from the result, without building a document first; the first `columns`
// columns (all when negative).
std::string result_to_json_text(const pqxx::result& r, int columns = -1) {
  const auto ncols = columns < 0 ? r.columns() : static_cast<pqxx::row::size_type>(columns);
  std::string out;
  out.reserve(r.size() * 256 + 2);
  out += '[';
  std::vector<std::string> names;
  for (pqxx::row::size_type c = 0; c < ncols; ++c) {
    std::string n;
    append_json_string(n, r.column_name(c), std::strlen(r.column_name(c)));
    names.push_back(n + ":");
  }
  bool first_row = true;
  for (const auto& row : r) {
    out += first_row ? "{" : ",{";
    first_row = false;
    for (pqxx::row::size_type c = 0; c < ncols; ++c) {
      if (c) out += ',';
      out += names[c];
      const auto& f = row[c];
      if (f.is_null()) {
        out += "null";
        continue;
      }
      const char* v = f.c_str();
      switch (f.type()) {
        case kBool:
          out += v[0] == 't' ? "true" : "false";
          break;
        case kInt2:
        case kInt4:
        case kInt8:
          out.append(v, f.size());
          break;
        case kFloat4:
        case kFloat8:
        case kNumeric:
          // NaN and infinities have no JSON form.
          if (std::isdigit(static_cast<unsigned char>(v[0])) ||
              (v[0] == '-' && std::isdigit(static_cast<unsigned char>(v[1]))))
            out.append(v, f.size());
          else
            out += "null";
          break;
        case kJson:
        case kJsonb:
          out.append(v, f.size());
          break;
        case kTimestamptz: {
          auto t = field_to_json(f);
          const auto& ts = t.get_ref<const std::string&>();
          append_json_string(out, ts.data(), ts.size());
          break;
        }
        default:
          append_json_string(out, v, f.size());
      }
    }
    out += '}';
  }
  out += ']';
  return out;
}

nlohmann::json result_to_json(const pqxx::result& r) {
  auto rows = nlohmann::json::array();
  for (const auto& row : r) {
    auto obj = nlohmann::json::object();
    for (const auto& f : row) obj[f.name()] = field_to_json(f);
    rows.push_back(std::move(obj));
  }
  return rows;
}

[[noreturn]] void rethrow_mapped(const std::string& what_sql) {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    throw TransientError("database connection lost");
  } catch (const pqxx::unique_violation& e) {
    // libpq's message names the constraint: `duplicate key value violates unique constraint "x"`.
    std::string msg = e.what();
    std::string constraint;
    if (auto a = msg.find('"'); a != std::string::npos) {
      if (auto b = msg.find('"', a + 1); b != std::string::npos)
        constraint = msg.substr(a + 1, b - a - 1);
    }
    throw ConflictError("duplicate", constraint);
  } catch (const pqxx::foreign_key_violation& e) {
    throw core::Error(core::Errc::validation_failed, "a referenced row does not exist");
  } catch (const pqxx::check_violation& e) {
    throw core::Error(core::Errc::validation_failed, "a value violates a database check");
  } catch (const pqxx::not_null_violation& e) {
    throw core::Error(core::Errc::validation_failed, "a required value is missing");
  } catch (const pqxx::data_exception& e) {
    throw core::Error(core::Errc::validation_failed, "a value has the wrong form for its field");
  } catch (const pqxx::serialization_failure& e) {
    throw TransientError("concurrent update, retry");
  } catch (const pqxx::deadlock_detected& e) {
    throw TransientError("deadlock, retry");
  } catch (const pqxx::in_doubt_error& e) {
    throw TransientError("commit outcome unknown");
  } catch (const pqxx::sql_error& e) {
    // Class 57 (admin shutdown, crash shutdown, starting up) and 08 (connection exception):
    // PostgreSQL is away, not a bug; callers retry or spool.
    if (e.sqlstate().rfind("57", 0) == 0 || e.sqlstate().rfind("08", 0) == 0)
      throw TransientError("database unavailable");
    core::logger(core::LogModule::storage)
        ->error("sql error: {} in: {}", e.what(), e.query().substr(0, 200));
    throw core::Error(core::Errc::internal, "database error");
  }
}

}  // namespace

struct Result::Impl {
  pqxx::result r;
};

struct Database::Pool {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::unique_ptr<pqxx::connection>> idle;
  int open = 0;
};

struct Tx::Impl {
  Database* db;
  std::unique_ptr<pqxx::connection> conn;
  std::optional<pqxx::work> work;
  // Inside a unit of work (unit_of_work.hpp): a savepoint on the unit's transaction, no
  // connection of its own. Plain SAVEPOINT statements: libpqxx 6's subtransaction never sends
  // its SAVEPOINT before exec_params, so a failed statement aborted the whole unit.
  pqxx::dbtransaction* unit_tx = nullptr;
  std::string savepoint;  // its name; empty once released or rolled back
  bool broken = false;

  pqxx::dbtransaction& t() {
    if (!unit_tx) return *work;
    if (savepoint.empty())
      throw core::Error(core::Errc::internal, "a transaction used after its end");
    return *unit_tx;
  }

  // The savepoint is closed: the unit's transaction is its caller's again.
  void leave_unit() noexcept {
    savepoint.clear();
    if (t_open_unit && t_open_unit->open_savepoints > 0) --t_open_unit->open_savepoints;
  }

  ~Impl() {
    if (unit_tx) {
      if (!savepoint.empty()) {
        try {  // not released: undone, and out of the way of the next one
          unit_tx->exec("ROLLBACK TO SAVEPOINT " + savepoint + "; RELEASE SAVEPOINT " + savepoint);
        } catch (...) {
          // The connection is gone: the unit fails at its next statement or its commit.
        }
        leave_unit();
      }
      return;
    }
    try {
      work.reset();  // rolls back when not committed
    } catch (...) {
      broken = true;
    }
    if (!conn) return;
    auto& pool = *db->pool_;
    std::lock_guard lock(pool.mutex);
    if (broken || !conn->is_open()) {
      --pool.open;
    } else {
      pool.idle.push_back(std::move(conn));
    }
    pool.cv.notify_one();
  }

  template <typename F>
  auto run(std::string_view sql, F&& f) {
    try {
      return f();
    } catch (const pqxx::broken_connection&) {
      broken = true;
      rethrow_mapped(std::string(sql));
    } catch (const pqxx::failure&) {
      rethrow_mapped(std::string(sql));
    }
  }

  pqxx::result exec_params(std::string_view sql, const Params& params) {
    std::vector<const char*> ptrs;
    ptrs.reserve(params.size());
    for (const auto& p : params) {
      // libpq reads C strings: a NUL would silently cut the value short, and PostgreSQL text
      // cannot hold one anyway.
      if (p && p->find('\0') != std::string::npos)
        throw core::Error(core::Errc::validation_failed,
                          "a value contains a NUL character, which cannot be stored");
      ptrs.push_back(p ? p->c_str() : nullptr);
    }
    return run(sql, [&] {
      // Without parameters use the simple protocol, which allows several statements
      // (migrations); values from requests always travel as parameters.
      if (ptrs.empty()) return t().exec(std::string(sql));
      return t().exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(ptrs));
    });
  }
};

Database::Database(DbSettings settings)
    : settings_(std::move(settings)), pool_(std::make_unique<Pool>()) {}
Database::~Database() = default;

Tx Database::begin() {
  if (t_open_unit && t_open_unit->db == this) {
    // A unit of work is open on this thread: a savepoint in it (ADR 0033).
    auto impl = std::make_unique<Tx::Impl>();
    impl->db = this;
    impl->unit_tx = t_open_unit->tx;
    auto name = "hazmon_sp_" + std::to_string(++t_open_unit->savepoints_made);
    impl->run("SAVEPOINT", [&] { return impl->unit_tx->exec("SAVEPOINT " + name); });
    impl->savepoint = name;
    ++t_open_unit->open_savepoints;
    return Tx(std::move(impl));
  }
  std::unique_ptr<pqxx::connection> conn;
  {
    std::unique_lock lock(pool_->mutex);
    bool ok = pool_->cv.wait_for(lock, settings_.acquire_timeout, [&] {
      return !pool_->idle.empty() || pool_->open < settings_.pool_size;
    });
    if (!ok) throw TransientError("no database connection free", core::Reason::db_timeout);
    if (!pool_->idle.empty()) {
      conn = std::move(pool_->idle.front());
      pool_->idle.pop_front();
    } else {
      ++pool_->open;
    }
  }
  if (!conn) {
    try {
      conn = std::make_unique<pqxx::connection>(settings_.dsn);
      pqxx::nontransaction setup(*conn);
      setup.exec("SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET statement_timeout = " +
                 std::to_string(settings_.statement_timeout.count()));
    } catch (const std::exception& e) {
      std::lock_guard lock(pool_->mutex);
      --pool_->open;
      pool_->cv.notify_one();
      core::logger(core::LogModule::storage)->warn("cannot connect to PostgreSQL: {}", e.what());
      throw TransientError("database unavailable");
    }
  }
  auto impl = std::make_unique<Tx::Impl>();
  impl->db = this;
  impl->conn = std::move(conn);
  try {
    impl->work.emplace(*impl->conn);
  } catch (const std::exception&) {
    impl->broken = true;
    throw TransientError("database unavailable");
  }
  return Tx(std::move(impl));
}

bool Database::ping() noexcept {
  try {
    auto tx = begin();
    tx.exec("SELECT 1");
    return true;
  } catch (...) {
    return false;
  }
}

Tx::Tx(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tx::~Tx() = default;
Tx::Tx(Tx&&) noexcept = default;

nlohmann::json Tx::exec(std::string_view sql, const Params& params) {
  return result_to_json(impl_->exec_params(sql, params));
}

std::string Tx::exec_json(std::string_view sql, const Params& params) {
  return result_to_json_text(impl_->exec_params(sql, params));
}

std::string Tx::exec_json(std::string_view sql, const Params& params, long long& total) {
  auto r = impl_->exec_params(sql, params);
  total = r.empty() ? 0 : r[0][r.columns() - 1].as<long long>();
  return result_to_json_text(r, static_cast<int>(r.columns()) - 1);
}

nlohmann::json Tx::exec_one(std::string_view sql, const Params& params) {
  auto r = impl_->exec_params(sql, params);
  if (r.empty()) return nullptr;
  auto obj = nlohmann::json::object();
  for (const auto& f : r[0]) obj[f.name()] = field_to_json(f);
  return obj;
}

long long Tx::exec_count(std::string_view sql, const Params& params) {
  return static_cast<long long>(impl_->exec_params(sql, params).affected_rows());
}

Result Tx::query(std::string_view sql, const Params& params) {
  auto impl = std::make_shared<Result::Impl>();
  impl->r = impl_->exec_params(sql, params);
  return Result(std::move(impl));
}

void Tx::commit() {
  if (impl_->unit_tx) {  // a savepoint: what it did is the unit's now
    impl_->run("RELEASE SAVEPOINT",
               [&] { return impl_->t().exec("RELEASE SAVEPOINT " + impl_->savepoint); });
    impl_->leave_unit();
    return;
  }
  impl_->run("COMMIT", [&] {
    impl_->work->commit();
    return 0;
  });
}

pqxx::work& TxAccess::work(Tx& tx) {
  // COPY (ReadingStore::write) runs on a transaction of its own, never inside a unit of work.
  if (tx.impl_->unit_tx)
    throw core::Error(core::Errc::internal, "COPY inside a unit of work is not supported");
  return *tx.impl_->work;
}

// ---- typed rows ----

Result::Result(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)), raw_(&impl_->r) {}
std::size_t Result::size() const { return impl_->r.size(); }
long long Result::affected_rows() const { return static_cast<long long>(impl_->r.affected_rows()); }

namespace {
const pqxx::result& res(const void* p) { return *static_cast<const pqxx::result*>(p); }
pqxx::field field(const void* p, int row, std::size_t col) {
  return res(p)[row][static_cast<pqxx::row::size_type>(col)];
}

// "2026-11-29 21:00:00.123456+00" (TimeZone=UTC, DateStyle=ISO) → time point; other offsets
// ("+08", "+05:30") are honoured as well.
std::optional<core::SysTime> parse_pg_timestamptz(std::string_view s) {
  auto digits = [&](std::size_t at, std::size_t n) -> long {
    if (at + n > s.size()) return -1;
    long v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  long y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       sec = digits(17, 2);
  if (y < 0 || mo < 1 || d < 1 || h < 0 || mi < 0 || sec < 0 || s.size() < 19 || s[4] != '-' ||
      s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  std::size_t i = 19;
  long long micros = 0;
  if (i < s.size() && s[i] == '.') {
    int n = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n)
      if (n < 6) micros = micros * 10 + (s[i] - '0');
    for (; n < 6; ++n) micros *= 10;
  }
  long offset_s = 0;
  if (i < s.size()) {
    if (s[i] != '+' && s[i] != '-') return std::nullopt;
    int sign = s[i] == '+' ? 1 : -1;
    long oh = digits(i + 1, 2), om = 0, os = 0;
    if (oh < 0) return std::nullopt;
    std::size_t j = i + 3;
    if (j < s.size() && s[j] == ':') om = digits(j + 1, 2), j += 3;
    if (j < s.size() && s[j] == ':') os = digits(j + 1, 2), j += 3;
    if (om < 0 || os < 0 || j != s.size()) return std::nullopt;
    offset_s = sign * (oh * 3600 + om * 60 + os);
  }
  using namespace std::chrono;
  year_month_day ymd{year{static_cast<int>(y)}, month{static_cast<unsigned>(mo)},
                     std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return time_point_cast<core::SysTime::duration>(sys_days{ymd} + hours(h) + minutes(mi) +
                                                  seconds(sec) + microseconds(micros) -
                                                  seconds(offset_s));
}
}  // namespace

std::size_t Row::size() const { return res(result_).columns(); }
bool Row::is_null(std::size_t col) const { return field(result_, row_, col).is_null(); }
std::string_view Row::text(std::size_t col) const {
  auto f = field(result_, row_, col);
  return f.is_null() ? std::string_view() : std::string_view(f.c_str(), f.size());
}
std::string_view Row::name(std::size_t col) const {
  return res(result_).column_name(static_cast<pqxx::row::size_type>(col));
}

std::size_t Row::index(std::string_view name) const {
  const auto& r = res(result_);
  for (pqxx::row::size_type c = 0; c < r.columns(); ++c)
    if (name == r.column_name(c)) return c;
  core::logger(core::LogModule::storage)->error("result has no column {}", name);
  throw core::Error(core::Errc::internal, "database error");
}

void Row::bad_field(std::size_t col, std::string_view why) const {
  core::logger(core::LogModule::storage)
      ->error("column {} ({}): {}", name(col), why,
              is_null(col) ? std::string_view("NULL") : text(col).substr(0, 60));
  throw core::Error(core::Errc::internal, "database error");
}

long long Row::as_int(std::size_t col) const {
  auto f = field(result_, row_, col);
  if (f.is_null()) bad_field(col, "NULL");
  try {
    return f.as<long long>();
  } catch (const std::exception&) {
    bad_field(col, "not an integer");
  }
}

double Row::as_double(std::size_t col) const {
  auto f = field(result_, row_, col);
  if (f.is_null()) bad_field(col, "NULL");
  try {
    return f.as<double>();
  } catch (const std::exception&) {
    bad_field(col, "not a number");
  }
}

bool Row::as_bool(std::size_t col) const {
  auto f = field(result_, row_, col);
  if (f.is_null()) bad_field(col, "NULL");
  if (f.c_str()[0] == 't' && f.size() == 1) return true;
  if (f.c_str()[0] == 'f' && f.size() == 1) return false;
  bad_field(col, "not a boolean");
}

core::SysTime Row::as_time(std::size_t col) const {
  auto f = field(result_, row_, col);
  if (f.is_null()) bad_field(col, "NULL");
  auto t = parse_pg_timestamptz(std::string_view(f.c_str(), f.size()));
  if (!t) bad_field(col, "not a timestamptz");
  return *t;
}

std::string format_timestamptz(core::SysTime t) { return core::format_rfc3339_pg(t); }

std::string ph(Params& params, Param value) {
  params.push_back(std::move(value));
  return "$" + std::to_string(params.size());
}

std::string escape_like(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace hazmon::storage
