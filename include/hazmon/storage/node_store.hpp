#pragma once
// Several hazmond nodes on one PostgreSQL (migration 0032, ADR 0028, docs/scaling.md): the node
// rows and their heartbeat, the camera leases, and the per-enterprise rules ownership with the
// point machines' saved state.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/monitoring_store.hpp>

namespace hazmon::storage {

struct NodeInfo {
  std::string node_id;
  core::SysTime started_at, last_seen;
  std::string version;
  int cameras_held = 0;
};
template <>
struct RowDescription<NodeInfo> {
  static constexpr auto columns = std::make_tuple(
      column("node_id", &NodeInfo::node_id), column("started_at", &NodeInfo::started_at),
      column("last_seen", &NodeInfo::last_seen), column("version", &NodeInfo::version),
      column("cameras_held", &NodeInfo::cameras_held));
};

struct LeaseRound {
  std::vector<std::string> held;  // the cameras this node holds after the round, sorted
  int live_nodes = 1;             // nodes seen within the TTL, this one included
  int share = 0;                  // ceil(cameras / live_nodes)
};

struct RulesOwner {
  std::string company_code;
  std::string node_id;  // "" before any node evaluated the enterprise
  long long seq = 0;
};
template <>
struct RowDescription<RulesOwner> {
  static constexpr auto columns =
      std::make_tuple(column("company_code", &RulesOwner::company_code),
                      column("node_id", &RulesOwner::node_id), column("seq", &RulesOwner::seq));
};

struct PointStateRow {
  std::int32_t point_id = 0;
  std::string company_code;
  std::string state;  // JSON text (service's encoding of rules::MachineState)
};
template <>
struct RowDescription<PointStateRow> {
  static constexpr auto columns = std::make_tuple(
      column("point_id", &PointStateRow::point_id),
      column("company_code", &PointStateRow::company_code), column("state", &PointStateRow::state));
};

class NodeStore {
 public:
  // The node's row: inserted or refreshed (last_seen = now; started_at, version as given).
  void heartbeat(Tx& tx, const std::string& node_id, core::SysTime started, core::SysTime now,
                 const std::string& version);
  void set_cameras_held(Tx& tx, const std::string& node_id, int n);
  std::vector<NodeInfo> nodes(Tx& tx);
  // Nodes whose last_seen is at or after `alive_since`.
  int live_nodes(Tx& tx, core::SysTime alive_since);
  // The first of them by id (the one that runs the minute's maintenance), if any.
  std::optional<std::string> first_live_node(Tx& tx, core::SysTime alive_since);

  // One lease round of `node_id` over `cameras` (the camera ids that should run somewhere): its
  // leases renewed to now + ttl (those another node took after they expired are gone), those
  // above the fair share ceil(cameras / live nodes) given back, then free or expired ones taken
  // up to it. Writes cameras_held on the node's row.
  LeaseRound camera_round(Tx& tx, const std::string& node_id,
                          const std::vector<std::string>& cameras, core::SysTime now,
                          std::chrono::seconds ttl);
  // Gives back every lease of the node (a clean stop: the others take them at once).
  void release_cameras(Tx& tx, const std::string& node_id);

  // The owners of `companies`, rows created where missing, locked FOR UPDATE in company order
  // (ingest: evaluation of those enterprises waits for the transaction holding them).
  std::vector<RulesOwner> lock_owners(Tx& tx, std::vector<std::string> companies);
  // For the timers: owners of `companies` that `node_id` evaluated last, or whose node is dead
  // (not seen since `alive_since`) or that no node evaluated yet; rows another transaction holds
  // are skipped (FOR UPDATE SKIP LOCKED).
  std::vector<RulesOwner> lock_tick_owners(Tx& tx, const std::string& node_id,
                                           std::vector<std::string> companies,
                                           core::SysTime alive_since);
  void set_owners(Tx& tx, const std::vector<RulesOwner>& owners);
  // The owners of those of `companies` that have a row, unlocked (the warning engine's ticks).
  std::vector<RulesOwner> owners(Tx& tx, const std::vector<std::string>& companies);
  std::vector<PointStateRow> point_states(Tx& tx, const std::vector<std::string>& companies);
  void save_point_states(Tx& tx, const std::vector<PointStateRow>& rows);
  // What a restart seeds machines with (MonitoringStore::open_episodes, latest_samples), for the
  // points of `companies` only: for points that have no saved state yet.
  std::vector<OpenEpisode> open_episodes_of(Tx& tx, const std::vector<std::string>& companies);
  std::vector<LatestSample> latest_samples_of(Tx& tx, const std::vector<std::string>& companies);
};

}  // namespace hazmon::storage
