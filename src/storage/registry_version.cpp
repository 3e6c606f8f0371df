#include <hazmon/storage/registry_version.hpp>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include <hazmon/core/log.hpp>

namespace hazmon::storage {

struct RegistryVersion::Impl {
  std::string dsn;
  std::chrono::milliseconds timeout;

  std::mutex mutex;
  std::condition_variable done;
  std::uint64_t started = 0;   // reads begun (the number of the last one)
  std::uint64_t finished = 0;  // the number of the last read that ended
  bool in_flight = false;
  std::optional<std::int64_t> last;  // what read number `finished` found
  std::atomic<std::uint64_t> reads{0};

  // Used only by the caller leading a read (in_flight guards it).
  std::unique_ptr<pqxx::connection> conn;

  std::optional<std::int64_t> read() {
    ++reads;
    try {
      if (!conn || !conn->is_open()) {
        conn.reset();
        auto c = std::make_unique<pqxx::connection>(dsn);
        pqxx::nontransaction setup(*c);
        setup.exec("SET statement_timeout = " + std::to_string(timeout.count()));
        c->prepare("registry_version", "SELECT version FROM registry_version WHERE id = 1");
        conn = std::move(c);
      }
      pqxx::nontransaction n(*conn);
      auto r = n.exec_prepared("registry_version");
      if (r.empty()) return std::nullopt;
      return r[0][0].as<std::int64_t>();
    } catch (const std::exception& e) {
      conn.reset();  // reconnect on the next read
      core::logger(core::LogModule::storage)
          ->warn("cannot read the registry version (answers go uncached): {}", e.what());
      return std::nullopt;
    }
  }
};

RegistryVersion::RegistryVersion(std::string dsn, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->dsn = std::move(dsn);
  impl_->timeout = timeout;
}
RegistryVersion::~RegistryVersion() = default;

std::optional<std::int64_t> RegistryVersion::current() {
  auto& i = *impl_;
  std::unique_lock lock(i.mutex);
  // A read in flight may have sent its query before this call arrived: only the next one counts.
  const std::uint64_t need = i.started + 1;
  const auto deadline = std::chrono::steady_clock::now() + i.timeout;
  while (i.finished < need) {
    if (!i.in_flight) {
      i.in_flight = true;
      const std::uint64_t mine = ++i.started;
      lock.unlock();
      auto v = i.read();
      lock.lock();
      i.in_flight = false;
      i.finished = mine;
      i.last = v;
      i.done.notify_all();
    } else if (i.done.wait_until(lock, deadline) == std::cv_status::timeout) {
      return std::nullopt;
    }
  }
  return i.last;
}

std::uint64_t RegistryVersion::reads() const { return impl_->reads.load(); }

}  // namespace hazmon::storage
