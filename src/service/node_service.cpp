// The node's heartbeat and camera leases (ADR 0028).
#include <hazmon/service/node_service.hpp>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <hazmon/core/log.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/storage/database.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace hazmon::service {
using namespace std::chrono;

std::string node_id_of(const NodeSettings& s) {
  std::string id = s.id;
  if (id.empty()) {
    std::array<char, 256> host{};
    if (::gethostname(host.data(), host.size() - 1) == 0) id = host.data();
    if (id.empty()) id = "hazmond";
  }
  for (auto& c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
          c == '-'))
      c = '-';
  if (id.size() > 64) id.resize(64);
  return id;
}

CameraLeases::CameraLeases(storage::Database& db, std::string node_id, const core::Clock& clock,
                           seconds ttl, std::string version)
    : db_(db),
      node_(std::move(node_id)),
      clock_(clock),
      ttl_(ttl),
      version_(std::move(version)),
      started_(clock.now()) {}

storage::LeaseRound CameraLeases::round(const std::vector<std::string>& cameras) {
  auto now = clock_.now();
  auto r = db_.in_tx([&](storage::Tx& tx) {
    store_.heartbeat(tx, node_, started_, now, version_);
    return store_.camera_round(tx, node_, cameras, now, ttl_);
  });
  std::lock_guard lock(mu_);
  held_ = r.held;
  valid_until_ = now + ttl_;  // from before the transaction: never later than PostgreSQL's row
  return r;
}

std::vector<std::string> CameraLeases::held() const {
  std::lock_guard lock(mu_);
  if (clock_.now() >= valid_until_) return {};
  return held_;
}

void CameraLeases::release() {
  db_.in_tx([&](storage::Tx& tx) { store_.release_cameras(tx, node_); });
  std::lock_guard lock(mu_);
  held_.clear();
}

struct NodeService::Impl {
  storage::Database& db;
  NodeSettings s;
  std::string id;
  const core::Clock& clock;
  core::SysTime started;
  storage::NodeStore store;
  CameraLeases leases;
  core::SerialWorker worker;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::app);
  mutable std::mutex mu;
  std::vector<std::string> cameras;
  std::set<std::string> held;
  std::function<void(const std::set<std::string>&)> hook;
  bool started_worker = false;
  bool warned_alone = false;

  Impl(storage::Database& d, NodeSettings st, const core::Clock& c, core::Liveness* live)
      : db(d),
        s(std::move(st)),
        id(node_id_of(s)),
        clock(c),
        started(c.now()),
        leases(d, id, c, s.ttl, s.version),
        worker({.name = "node-heartbeat",
                .allowance = minutes(2),
                .liveness = live,
                .log = core::LogModule::app}) {}

  void round() {
    std::vector<std::string> cams;
    {
      std::lock_guard lock(mu);
      cams = cameras;
    }
    std::set<std::string> now_held;
    try {
      auto now = clock.now();
      if (s.cluster) {
        leases.round(cams);  // the heartbeat too
      } else {
        int others = db.in_tx([&](storage::Tx& tx) {
          store.heartbeat(tx, id, started, now, s.version);
          store.set_cameras_held(tx, id, static_cast<int>(cams.size()));
          return store.live_nodes(tx, now - s.ttl) - 1;
        });
        if (others > 0 && !warned_alone) {
          warned_alone = true;
          log->error(
              "node {}: {} other node(s) share this database but node.cluster is false: every "
              "node runs every camera and its own alarm state; set node.cluster on all nodes",
              id, others);
        }
      }
    } catch (const std::exception& e) {
      log->warn("node {}: heartbeat failed ({}); camera leases kept until they expire", id,
                e.what());
    }
    if (s.cluster) {
      auto h = leases.held();
      now_held.insert(h.begin(), h.end());
    } else {
      now_held.insert(cams.begin(), cams.end());
    }
    std::function<void(const std::set<std::string>&)> call;
    {
      std::lock_guard lock(mu);
      if (now_held == held) return;
      held = now_held;
      call = hook;
    }
    log->info("node {}: runs {} camera(s)", id, now_held.size());
    if (call) call(now_held);
  }
};

NodeService::NodeService(storage::Database& db, NodeSettings s, const core::Clock& clock,
                         core::Liveness* liveness)
    : impl_(std::make_unique<Impl>(db, std::move(s), clock, liveness)) {}

NodeService::~NodeService() {
  try {
    stop();
  } catch (...) {
  }
}

const std::string& NodeService::id() const { return impl_->id; }
bool NodeService::cluster() const { return impl_->s.cluster; }
std::chrono::seconds NodeService::ttl() const { return impl_->s.ttl; }
core::SysTime NodeService::now() const { return impl_->clock.now(); }

void NodeService::set_cameras(std::vector<std::string> ids) {
  auto& i = *impl_;
  {
    std::lock_guard lock(i.mu);
    i.cameras = std::move(ids);
  }
  if (i.started_worker)
    i.worker.post_always([&i] { i.round(); });
  else
    i.round();
}

void NodeService::on_held(std::function<void(const std::set<std::string>&)> hook) {
  std::lock_guard lock(impl_->mu);
  impl_->hook = std::move(hook);
}

std::set<std::string> NodeService::held() const {
  std::lock_guard lock(impl_->mu);
  return impl_->held;
}

void NodeService::start() {
  auto& i = *impl_;
  if (i.started_worker) return;
  i.round();  // the node's row is there once start() returns
  i.worker.every("node-round", duration_cast<milliseconds>(i.s.renew), [&i] { i.round(); });
  i.worker.start();
  i.started_worker = true;
}

void NodeService::stop() {
  auto& i = *impl_;
  if (!i.started_worker) return;
  i.started_worker = false;
  i.worker.stop(core::SerialWorker::OnStop::drop, seconds(5));
  if (i.s.cluster) {
    try {
      i.leases.release();
    } catch (const std::exception& e) {
      i.log->warn("node {}: leases not given back ({}); they expire by themselves", i.id, e.what());
    }
  }
}

void NodeService::round() { impl_->round(); }

std::vector<storage::NodeInfo> NodeService::nodes() {
  return impl_->db.in_tx([this](storage::Tx& tx) { return impl_->store.nodes(tx); });
}

}  // namespace hazmon::service
