#pragma once
// The live stream's changes between nodes (node.cluster, ADR 0028): each node NOTIFYs what its
// own alarm evaluation and warning service publish on channel `hazmon_live` and LISTENs there
// for the others', so that a dashboard connected to any node sees every node's alarms and
// warnings. One connection of its own and one thread; reconnects with back-off. Best effort as
// the live stream is: what a node publishes while its relay is disconnected is not relayed (the
// dashboards' lists read PostgreSQL).
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace hazmon::storage {

class LiveRelay {
 public:
  // `deliver(kind, company_code, json)` runs on the relay's thread for each change another node
  // sent.
  using Deliver = std::function<void(const std::string& kind, const std::string& company_code,
                                     const std::string& json)>;
  LiveRelay(std::string dsn, std::string node_id, Deliver deliver);
  ~LiveRelay();  // stop()
  LiveRelay(const LiveRelay&) = delete;

  void start();
  void stop();
  // Queues a change for the other nodes (returns at once; dropped and counted when more than a
  // few thousand wait, or when it is larger than NOTIFY carries).
  void send(const std::string& kind, const std::string& company_code, const std::string& json);
  bool connected() const;
  std::uint64_t dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::storage
