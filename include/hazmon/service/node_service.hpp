#pragma once
// This hazmond among the nodes that share one PostgreSQL (ADR 0028, docs/scaling.md): its row in
// `node` (heartbeat every renew period) and, with node.cluster, the camera leases that decide
// which cameras its video pipeline runs. A node runs a camera only while its lease is current
// by its own clock: one that cannot renew (PostgreSQL away longer than the TTL) stops it, and
// another node takes it once the lease has expired.
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/storage/node_store.hpp>

namespace hazmon::core {
class Liveness;
}

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct NodeSettings {
  std::string id;        // node.id; empty: the host name
  bool cluster = false;  // node.cluster: cameras by lease, rules state shared per enterprise
  std::chrono::seconds renew{15};
  std::chrono::seconds ttl{45};
  std::string version;
};
// The node's id: settings.id, else the host name (characters outside [0-9A-Za-z_.:-] become '-').
std::string node_id_of(const NodeSettings& s);

// The camera leases of one node: round() is one renewal in one transaction; held() is what the
// node may run now (leases whose expiry by the node's clock is still ahead).
class CameraLeases {
 public:
  CameraLeases(storage::Database& db, std::string node_id, const core::Clock& clock,
               std::chrono::seconds ttl, std::string version = {});
  // Heartbeat and lease round over `cameras` (every camera that should run somewhere). On a
  // database failure the leases held stay until their local expiry; the error is rethrown.
  storage::LeaseRound round(const std::vector<std::string>& cameras);
  std::vector<std::string> held() const;
  void release();  // gives every lease back (clean stop)
  const std::string& node_id() const { return node_; }

 private:
  storage::Database& db_;
  std::string node_;
  const core::Clock& clock_;
  std::chrono::seconds ttl_;
  std::string version_;
  core::SysTime started_;
  storage::NodeStore store_;
  mutable std::mutex mu_;
  std::vector<std::string> held_;
  core::SysTime valid_until_{};
};

class NodeService {
 public:
  NodeService(storage::Database& db, NodeSettings s, const core::Clock& clock,
              core::Liveness* liveness = nullptr);
  ~NodeService();
  NodeService(const NodeService&) = delete;

  const std::string& id() const;
  bool cluster() const;
  std::chrono::seconds ttl() const;
  core::SysTime now() const;  // by the node's clock (alive: last_seen within ttl of it)
  // The cameras that should run somewhere (all camera rows the video service runs); a lease
  // round follows at once. Without node.cluster every one of them is this node's.
  void set_cameras(std::vector<std::string> ids);
  // Called (off the caller's thread) whenever the set of cameras this node runs changes.
  void on_held(std::function<void(const std::set<std::string>&)> hook);
  std::set<std::string> held() const;
  void start();
  void stop();  // with node.cluster, gives its leases back
  // One heartbeat and lease round on the calling thread (tests, and the worker).
  void round();
  std::vector<storage::NodeInfo> nodes();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::service
