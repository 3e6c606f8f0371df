#include <hazmon/storage/registry_version.hpp>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <hazmon/core/log.hpp>

namespace hazmon::storage {

struct RegistryVersion::Impl {
  std::string conninfo;
  std::chrono::milliseconds timeout;

  mutable std::mutex mutex;
  std::condition_variable wake;    // the reader: callers arrived, or stopped
  std::condition_variable served;  // stop(): a read's callers were served
  std::vector<Callback> waiting;   // callers that arrived after the read in flight began
  std::vector<Callback> serving;   // callers of the read in flight (stop() may answer them)
  bool stopped = false;
  bool delivering = false;  // the reader is calling a served batch's callbacks
  int fd = -1;  // the socket of `conn` while the reader may use it; stop() shuts it down
  std::atomic<std::uint64_t> reads{0};
  std::thread reader;

  // Used only by the reader thread.
  std::unique_ptr<pqxx::connection> conn;

  // Forgets the connection: the socket is unpublished before it is closed, so stop() never shuts
  // down a descriptor number that was closed and reused.
  void drop() {
    {
      std::lock_guard lock(mutex);
      fd = -1;
    }
    conn.reset();
  }

  std::optional<std::int64_t> read() {
    ++reads;
    try {
      if (!conn || !conn->is_open()) {
        drop();
        conn = std::make_unique<pqxx::connection>(conninfo);  // bounded by connect_timeout
        {
          std::lock_guard lock(mutex);
          if (stopped) throw std::runtime_error("stopped while connecting");
          fd = conn->sock();
        }
        pqxx::nontransaction setup(*conn);
        setup.exec("SET statement_timeout = " + std::to_string(timeout.count()));
        conn->prepare("registry_version", "SELECT version FROM registry_version WHERE id = 1");
      }
      pqxx::nontransaction n(*conn);
      auto r = n.exec_prepared("registry_version");
      if (r.empty()) return std::nullopt;
      return r[0][0].as<std::int64_t>();
    } catch (const std::exception& e) {
      drop();  // reconnect on the next read
      bool quiet;
      {
        std::lock_guard lock(mutex);
        quiet = stopped;
      }
      if (!quiet)
        core::logger(core::LogModule::storage)
            ->warn("cannot read the registry version (answers go uncached): {}", e.what());
      return std::nullopt;
    }
  }

  static void call(const Callback& cb, std::optional<std::int64_t> v) {
    try {
      cb(v);
    } catch (const std::exception& e) {
      core::logger(core::LogModule::storage)
          ->error("a registry version callback failed: {}", e.what());
    }
  }

  // Single flight: each read serves every caller that arrived before it began; callers arriving
  // meanwhile wait for the next one (the query in flight may have been sent before they came).
  // A batch is taken from `serving` under the lock, by the reader or by stop(), never by both.
  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return stopped || !waiting.empty(); });
      if (stopped) break;
      serving = std::move(waiting);
      waiting.clear();
      lock.unlock();
      const auto v = read();
      lock.lock();
      auto batch = std::move(serving);
      serving.clear();
      delivering = !batch.empty();
      lock.unlock();
      for (const auto& cb : batch) call(cb, v);
      lock.lock();
      delivering = false;
      served.notify_all();
    }
    lock.unlock();
    drop();
  }

  // Answers every caller waiting or in the read in flight with nullopt, from now on every new
  // one too, and cuts a read in flight. Takes `lock` held; returns with it released.
  void stop_now(std::unique_lock<std::mutex>& lock) {
    stopped = true;
    auto rest = std::move(serving);
    serving.clear();
    for (auto& cb : waiting) rest.push_back(std::move(cb));
    waiting.clear();
    // Wakes a read blocked on a database that stopped answering (statement_timeout is the
    // server's and a hung server enforces nothing); the reader then finds `stopped`.
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
    lock.unlock();
    wake.notify_all();
    for (const auto& cb : rest) call(cb, std::nullopt);
  }
};

std::string RegistryVersion::with_connect_timeout(const std::string& dsn,
                                                  std::chrono::seconds timeout) {
  const auto t = std::to_string(std::max<long long>(timeout.count(), 1));
  if (dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0)
    return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=" + t;
  // Keyword/value form: a later keyword overrides an earlier one of the same name.
  return dsn + (dsn.empty() ? "" : " ") + "connect_timeout=" + t;
}

RegistryVersion::RegistryVersion(std::string dsn, std::chrono::milliseconds timeout,
                                 std::chrono::seconds connect_timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->conninfo = with_connect_timeout(dsn, connect_timeout);
  impl_->timeout = timeout;
  impl_->reader = std::thread([i = impl_.get()] { i->run(); });
}

RegistryVersion::~RegistryVersion() {
  {
    std::unique_lock lock(impl_->mutex);
    impl_->stop_now(lock);
  }
  impl_->reader.join();
}

void RegistryVersion::stop(std::chrono::milliseconds patience) {
  std::unique_lock lock(impl_->mutex);
  impl_->served.wait_for(lock, patience, [i = impl_.get()] {
    return i->stopped || (i->waiting.empty() && i->serving.empty() && !i->delivering);
  });
  impl_->stop_now(lock);
}

bool RegistryVersion::stopped() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stopped;
}

void RegistryVersion::current_async(Callback done) {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopped) {
      impl_->waiting.push_back(std::move(done));
      impl_->wake.notify_one();
      return;
    }
  }
  Impl::call(done, std::nullopt);
}

std::optional<std::int64_t> RegistryVersion::current() {
  struct Slot {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::optional<std::int64_t> v;
  };
  auto slot = std::make_shared<Slot>();
  current_async([slot](std::optional<std::int64_t> v) {
    std::lock_guard lock(slot->m);
    slot->done = true;
    slot->v = v;
    slot->cv.notify_all();
  });
  std::unique_lock lock(slot->m);
  if (!slot->cv.wait_for(lock, impl_->timeout, [&] { return slot->done; })) return std::nullopt;
  return slot->v;
}

std::uint64_t RegistryVersion::reads() const { return impl_->reads.load(); }

}  // namespace hazmon::storage
