#include <hazmon/storage/database.hpp>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <hazmon/core/log.hpp>
#include "tx_access.hpp"
#include <spdlog/spdlog.h>

#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

namespace hazmon::storage {
namespace {

// PostgreSQL type OIDs we render as something other than a string.
constexpr pqxx::oid kBool = 16, kInt8 = 20, kInt2 = 21, kInt4 = 23, kFloat4 = 700,
                    kFloat8 = 701, kNumeric = 1700, kJson = 114, kJsonb = 3802,
                    kTimestamptz = 1184;

nlohmann::json field_to_json(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  switch (f.type()) {
    case kBool: return f.c_str()[0] == 't';
    case kInt2:
    case kInt4:
    case kInt8: return f.as<long long>();
    case kFloat4:
    case kFloat8:
    case kNumeric: return f.as<double>();
    case kJson:
    case kJsonb: return nlohmann::json::parse(f.c_str());
    case kTimestamptz: {
      // Sessions run with TimeZone=UTC and DateStyle=ISO: "2026-11-29 21:00:00.123+00".
      std::string s = f.c_str();
      if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
      if (s.size() > 3 && s.compare(s.size() - 3, 3, "+00") == 0) s.replace(s.size() - 3, 3, "Z");
      return s;
    }
    default: return std::string(f.c_str(), f.size());
  }
}

void append_json_string(std::string& out, const char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
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

// JSON text straight from the result, without building a document first.
std::string result_to_json_text(const pqxx::result& r) {
  std::string out;
  out.reserve(r.size() * 256 + 2);
  out += '[';
  std::vector<std::string> names;
  for (pqxx::row::size_type c = 0; c < r.columns(); ++c) {
    std::string n;
    append_json_string(n, r.column_name(c), std::strlen(r.column_name(c)));
    names.push_back(n + ":");
  }
  bool first_row = true;
  for (const auto& row : r) {
    out += first_row ? "{" : ",{";
    first_row = false;
    for (pqxx::row::size_type c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      out += names[c];
      const auto& f = row[c];
      if (f.is_null()) {
        out += "null";
        continue;
      }
      const char* v = f.c_str();
      switch (f.type()) {
        case kBool: out += v[0] == 't' ? "true" : "false"; break;
        case kInt2:
        case kInt4:
        case kInt8: out.append(v, f.size()); break;
        case kFloat4:
        case kFloat8:
        case kNumeric:
          // NaN and infinities have no JSON form.
          if (std::isdigit(static_cast<unsigned char>(v[0])) || (v[0] == '-' && std::isdigit(static_cast<unsigned char>(v[1]))))
            out.append(v, f.size());
          else
            out += "null";
          break;
        case kJson:
        case kJsonb: out.append(v, f.size()); break;
        case kTimestamptz: {
          auto t = field_to_json(f);
          const auto& ts = t.get_ref<const std::string&>();
          append_json_string(out, ts.data(), ts.size());
          break;
        }
        default: append_json_string(out, v, f.size());
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
      if (auto b = msg.find('"', a + 1); b != std::string::npos) constraint = msg.substr(a + 1, b - a - 1);
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
    if (e.sqlstate().rfind("57", 0) == 0 || e.sqlstate().rfind("08", 0) == 0) throw TransientError("database unavailable");
    core::logger(core::LogModule::storage)->error("sql error: {} in: {}", e.what(), e.query().substr(0, 200));
    throw core::Error(core::Errc::internal, "database error");
  }
}

}  // namespace

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
  bool broken = false;

  ~Impl() {
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
        throw core::Error(core::Errc::validation_failed, "a value contains a NUL character, which cannot be stored");
      ptrs.push_back(p ? p->c_str() : nullptr);
    }
    return run(sql, [&] {
      // Without parameters use the simple protocol, which allows several statements
      // (migrations); values from requests always travel as parameters.
      if (ptrs.empty()) return work->exec(std::string(sql));
      return work->exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(ptrs));
    });
  }
};

Database::Database(DbSettings settings) : settings_(std::move(settings)), pool_(std::make_unique<Pool>()) {}
Database::~Database() = default;

Tx Database::begin() {
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

void Tx::commit() {
  impl_->run("COMMIT", [&] {
    impl_->work->commit();
    return 0;
  });
}

pqxx::work& TxAccess::work(Tx& tx) { return *tx.impl_->work; }

}  // namespace hazmon::storage
