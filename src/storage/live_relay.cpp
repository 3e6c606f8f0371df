// LISTEN/NOTIFY relay of the live stream between nodes (ADR 0028).
#include <hazmon/storage/live_relay.hpp>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <hazmon/core/log.hpp>

namespace hazmon::storage {
using namespace std::chrono;
using nlohmann::json;

namespace {
constexpr const char* kChannel = "hazmon_live";
constexpr std::size_t kMaxQueued = 5000;
constexpr std::size_t kMaxPayload = 7900;  // NOTIFY carries at most 8000 bytes

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::function<void(const std::string&)> on)
      : pqxx::notification_receiver(c, kChannel), on_(std::move(on)) {}
  void operator()(const std::string& payload, int) override { on_(payload); }

 private:
  std::function<void(const std::string&)> on_;
};
}  // namespace

struct LiveRelay::Impl {
  std::string dsn, node;
  Deliver deliver;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::storage);
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> out;
  bool stopping = false;
  std::atomic<bool> up{false};
  std::atomic<std::uint64_t> n_dropped{0};
  std::thread thread;

  void received(const std::string& payload) {
    try {
      auto j = json::parse(payload);
      if (j.at("n").get<std::string>() == node) return;  // this node's own
      deliver(j.at("k").get<std::string>(), j.at("c").get<std::string>(),
              j.at("j").get<std::string>());
    } catch (const std::exception& e) {
      log->warn("live relay: a notification not understood ({})", e.what());
    }
  }

  void run() {
    auto backoff = milliseconds(500);
    for (;;) {
      {
        std::lock_guard lock(mu);
        if (stopping) return;
      }
      try {
        pqxx::connection conn(dsn);
        Receiver receiver(conn, [this](const std::string& p) { received(p); });
        up = true;
        backoff = milliseconds(500);
        for (;;) {
          std::deque<std::string> batch;
          {
            std::lock_guard lock(mu);
            if (stopping) break;
            batch.swap(out);
          }
          if (!batch.empty()) {
            pqxx::nontransaction tx(conn);
            for (const auto& p : batch) tx.exec_params("SELECT pg_notify($1, $2)", kChannel, p);
          }
          conn.await_notification(0, 100000);  // 100 ms: also the sending latency
        }
        up = false;
        return;
      } catch (const std::exception& e) {
        up = false;
        log->warn("live relay disconnected ({}); retrying in {} ms", e.what(), backoff.count());
      }
      std::unique_lock lock(mu);
      cv.wait_for(lock, backoff, [this] { return stopping; });
      backoff = std::min(backoff * 2, duration_cast<milliseconds>(seconds(30)));
    }
  }
};

LiveRelay::LiveRelay(std::string dsn, std::string node_id, Deliver deliver)
    : impl_(std::make_unique<Impl>()) {
  impl_->dsn = std::move(dsn);
  impl_->node = std::move(node_id);
  impl_->deliver = std::move(deliver);
}

LiveRelay::~LiveRelay() { stop(); }

void LiveRelay::start() {
  if (impl_->thread.joinable()) return;
  impl_->thread = std::thread([this] { impl_->run(); });
}

void LiveRelay::stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void LiveRelay::send(const std::string& kind, const std::string& company_code,
                     const std::string& json_text) {
  auto payload =
      json{{"n", impl_->node}, {"k", kind}, {"c", company_code}, {"j", json_text}}.dump();
  std::lock_guard lock(impl_->mu);
  if (payload.size() > kMaxPayload || impl_->out.size() >= kMaxQueued) {
    ++impl_->n_dropped;
    return;
  }
  impl_->out.push_back(std::move(payload));
}

bool LiveRelay::connected() const { return impl_->up; }
std::uint64_t LiveRelay::dropped() const { return impl_->n_dropped; }

}  // namespace hazmon::storage
