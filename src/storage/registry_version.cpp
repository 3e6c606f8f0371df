#include <hazmon/storage/registry_version.hpp>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <hazmon/core/log.hpp>

namespace hazmon::storage {

struct RegistryVersion::Impl {
  std::string dsn;
  std::chrono::milliseconds timeout;

  std::mutex mutex;
  std::condition_variable wake;
  std::vector<Callback> waiting;  // callers that arrived after the read in flight began
  bool stopping = false;
  std::atomic<std::uint64_t> reads{0};
  std::thread reader;

  // Used only by the reader thread.
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
  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return stopping || !waiting.empty(); });
      if (stopping) break;
      auto batch = std::move(waiting);
      waiting.clear();
      lock.unlock();
      const auto v = read();
      for (const auto& cb : batch) call(cb, v);
      lock.lock();
    }
    auto rest = std::move(waiting);
    waiting.clear();
    lock.unlock();
    for (const auto& cb : rest) call(cb, std::nullopt);
  }
};

RegistryVersion::RegistryVersion(std::string dsn, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->dsn = std::move(dsn);
  impl_->timeout = timeout;
  impl_->reader = std::thread([i = impl_.get()] { i->run(); });
}

RegistryVersion::~RegistryVersion() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->reader.join();
}

void RegistryVersion::current_async(Callback done) {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopping) {
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
