// Node rows, camera leases and the rules ownership (migration 0032, ADR 0028).
#include <hazmon/storage/node_store.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace hazmon::storage {
using nlohmann::json;

namespace {
struct SeedEpisode {
  std::int32_t point_id = 0;
  std::string alarm_type;
  core::SysTime start{}, peak_at{};
  double peak = 0;
};
struct SeedSample {
  std::int32_t point_id = 0;
  double value = 0;
  core::SysTime collect_ts{};
};
}  // namespace
template <>
struct RowDescription<SeedEpisode> {
  static constexpr auto columns = std::make_tuple(
      column("point_id", &SeedEpisode::point_id), column("alarm_type", &SeedEpisode::alarm_type),
      column("start_ts", &SeedEpisode::start), column("peak", &SeedEpisode::peak),
      column("peak_ts", &SeedEpisode::peak_at));
};
template <>
struct RowDescription<SeedSample> {
  static constexpr auto columns = std::make_tuple(column("point_id", &SeedSample::point_id),
                                                  column("value", &SeedSample::value),
                                                  column("collect_ts", &SeedSample::collect_ts));
};

namespace {
std::string ts(core::SysTime t) { return format_timestamptz(t); }

std::string list(const std::vector<std::string>& items) { return json(items).dump(); }

std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// A rules_owner row (no owner yet) for each company of `all` (a JSON array) that has none, in
// company order: two nodes locking overlapping sets never deadlock.
void add_owner_rows(Tx& tx, const std::string& all) {
  tx.exec(
      "INSERT INTO rules_owner (company_code, node_id, seq) "
      "SELECT c, '', 0 FROM jsonb_array_elements_text($1::jsonb) AS c ORDER BY c "
      "ON CONFLICT (company_code) DO NOTHING",
      {all});
}
}  // namespace

void NodeStore::heartbeat(Tx& tx, const std::string& node_id, core::SysTime started,
                          core::SysTime now, const std::string& version) {
  tx.exec(
      "INSERT INTO node (node_id, started_at, last_seen, version) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (node_id) DO UPDATE SET started_at = EXCLUDED.started_at, "
      "last_seen = EXCLUDED.last_seen, version = EXCLUDED.version",
      {node_id, ts(started), ts(now), version});
}

void NodeStore::set_cameras_held(Tx& tx, const std::string& node_id, int n) {
  tx.exec("UPDATE node SET cameras_held = $2 WHERE node_id = $1", {node_id, std::to_string(n)});
}

std::vector<NodeInfo> NodeStore::nodes(Tx& tx) {
  return tx.rows<NodeInfo>(
      "SELECT node_id, started_at, last_seen, version, cameras_held FROM node ORDER BY node_id");
}

int NodeStore::live_nodes(Tx& tx, core::SysTime alive_since) {
  return static_cast<int>(
      *tx.one<long long>("SELECT count(*) FROM node WHERE last_seen >= $1", {ts(alive_since)}));
}

std::optional<std::string> NodeStore::first_live_node(Tx& tx, core::SysTime alive_since) {
  return tx.one<std::string>(
      "SELECT node_id FROM node WHERE last_seen >= $1 ORDER BY node_id LIMIT 1", {ts(alive_since)});
}

LeaseRound NodeStore::camera_round(Tx& tx, const std::string& node_id,
                                   const std::vector<std::string>& cameras, core::SysTime now,
                                   std::chrono::seconds ttl) {
  LeaseRound out;
  // Lease rounds of all nodes run one after the other (a round is a few statements every renew
  // period per node): each sees the leases as the last one left them, and two nodes taking free
  // cameras in different orders never deadlock on each other's fresh rows.
  tx.exec("SELECT pg_advisory_xact_lock(hashtext('hazmon.camera_lease'))");
  auto ids = sorted_unique(cameras);
  auto all = list(ids);
  out.live_nodes = std::max(1, live_nodes(tx, now - ttl));
  auto n = static_cast<int>(ids.size());
  out.share = (n + out.live_nodes - 1) / out.live_nodes;
  auto expires = ts(now + ttl);
  // Leases of cameras that should no longer run go; the rest of this node's are renewed. A lease
  // another node took after it expired is that node's now and is not among them.
  tx.exec(
      "DELETE FROM camera_lease WHERE node_id = $1 AND video_id NOT IN "
      "(SELECT jsonb_array_elements_text($2::jsonb))",
      {node_id, all});
  out.held = tx.rows<std::string>(
      "UPDATE camera_lease SET expires_at = $3 WHERE node_id = $1 AND video_id IN "
      "(SELECT jsonb_array_elements_text($2::jsonb)) RETURNING video_id",
      {node_id, all, expires});
  std::sort(out.held.begin(), out.held.end());
  if (static_cast<int>(out.held.size()) > out.share) {
    // Above the fair share (a node joined): the surplus goes back for the others to take.
    std::vector<std::string> give(out.held.begin() + out.share, out.held.end());
    out.held.resize(static_cast<std::size_t>(out.share));
    tx.exec(
        "DELETE FROM camera_lease WHERE node_id = $1 AND video_id IN "
        "(SELECT jsonb_array_elements_text($2::jsonb))",
        {node_id, list(give)});
  }
  if (static_cast<int>(out.held.size()) < out.share) {
    // Free or expired cameras up to the share. The conflict arm re-checks the expiry on the row
    // as it is when locked: a lease renewed or taken meanwhile by another node stays its own.
    auto taken = tx.rows<std::string>(
        "INSERT INTO camera_lease (video_id, node_id, acquired_at, expires_at) "
        "SELECT c.id, $1, $3, $4 FROM jsonb_array_elements_text($2::jsonb) AS c(id) "
        "LEFT JOIN camera_lease l ON l.video_id = c.id "
        "WHERE l.video_id IS NULL OR l.expires_at < $3 "
        "ORDER BY md5(c.id || $1) LIMIT $5 "
        "ON CONFLICT (video_id) DO UPDATE SET node_id = EXCLUDED.node_id, "
        "acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at "
        "WHERE camera_lease.expires_at < EXCLUDED.acquired_at RETURNING video_id",
        {node_id, all, ts(now), expires, std::to_string(out.share - out.held.size())});
    out.held.insert(out.held.end(), taken.begin(), taken.end());
    std::sort(out.held.begin(), out.held.end());
  }
  tx.exec("UPDATE node SET cameras_held = $2 WHERE node_id = $1",
          {node_id, std::to_string(out.held.size())});
  return out;
}

void NodeStore::release_cameras(Tx& tx, const std::string& node_id) {
  tx.exec("DELETE FROM camera_lease WHERE node_id = $1", {node_id});
  tx.exec("UPDATE node SET cameras_held = 0 WHERE node_id = $1", {node_id});
}

std::vector<RulesOwner> NodeStore::lock_owners(Tx& tx, std::vector<std::string> companies) {
  auto all = list(sorted_unique(std::move(companies)));
  // In company order, in both statements: two nodes locking overlapping sets never deadlock.
  add_owner_rows(tx, all);
  return tx.rows<RulesOwner>(
      "SELECT company_code, node_id, seq FROM rules_owner WHERE company_code IN "
      "(SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY company_code FOR UPDATE",
      {all});
}

std::vector<RulesOwner> NodeStore::lock_tick_owners(Tx& tx, const std::string& node_id,
                                                    std::vector<std::string> companies,
                                                    core::SysTime alive_since) {
  auto all = list(sorted_unique(std::move(companies)));
  add_owner_rows(tx, all);
  return tx.rows<RulesOwner>(
      "SELECT o.company_code, o.node_id, o.seq FROM rules_owner o "
      "LEFT JOIN node n ON n.node_id = o.node_id "
      "WHERE o.company_code IN (SELECT jsonb_array_elements_text($1::jsonb)) "
      "AND (o.node_id = $2 OR o.node_id = '' OR n.node_id IS NULL OR n.last_seen < $3) "
      "ORDER BY o.company_code FOR UPDATE OF o SKIP LOCKED",
      {all, node_id, ts(alive_since)});
}

void NodeStore::set_owners(Tx& tx, const std::vector<RulesOwner>& owners) {
  if (owners.empty()) return;
  json rows = json::array();
  for (const auto& o : owners)
    rows.push_back({{"c", o.company_code}, {"n", o.node_id}, {"s", o.seq}});
  tx.exec(
      "UPDATE rules_owner o SET node_id = v.n, seq = v.s "
      "FROM jsonb_to_recordset($1::jsonb) AS v(c text, n text, s bigint) "
      "WHERE o.company_code = v.c",
      {rows.dump()});
}

std::vector<RulesOwner> NodeStore::owners(Tx& tx, const std::vector<std::string>& companies) {
  return tx.rows<RulesOwner>(
      "SELECT company_code, node_id, seq FROM rules_owner WHERE company_code IN "
      "(SELECT jsonb_array_elements_text($1::jsonb))",
      {list(companies)});
}

std::vector<PointStateRow> NodeStore::point_states(Tx& tx,
                                                   const std::vector<std::string>& companies) {
  return tx.rows<PointStateRow>(
      "SELECT point_id, company_code, state::text AS state FROM rules_point_state "
      "WHERE company_code IN (SELECT jsonb_array_elements_text($1::jsonb))",
      {list(companies)});
}

void NodeStore::save_point_states(Tx& tx, const std::vector<PointStateRow>& rows) {
  if (rows.empty()) return;
  std::string text = "[";
  for (const auto& r : rows) {
    if (text.size() > 1) text += ',';
    text += R"({"p":)" + std::to_string(r.point_id) + R"(,"c":)" + json(r.company_code).dump() +
            R"(,"s":)" + r.state + "}";
  }
  text += "]";
  tx.exec(
      "INSERT INTO rules_point_state (point_id, company_code, state, updated_at) "
      "SELECT (x->>'p')::int, x->>'c', x->'s', now() FROM jsonb_array_elements($1::jsonb) AS x "
      "ON CONFLICT (point_id) DO UPDATE SET company_code = EXCLUDED.company_code, "
      "state = EXCLUDED.state, updated_at = EXCLUDED.updated_at",
      {text});
}

std::vector<OpenEpisode> NodeStore::open_episodes_of(Tx& tx,
                                                     const std::vector<std::string>& companies) {
  auto rows = tx.rows<SeedEpisode>(
      "SELECT a.point_id, a.alarm_type, a.start_ts, coalesce(a.peak_value, 0) AS peak, "
      "coalesce(a.peak_ts, a.start_ts) AS peak_ts FROM alarm a "
      "JOIN monitoring_point p ON p.point_id = a.point_id "
      "WHERE a.end_ts IS NULL AND a.origin = 'platform' "
      "AND p.company_code IN (SELECT jsonb_array_elements_text($1::jsonb))",
      {list(companies)});
  std::vector<OpenEpisode> out;
  for (const auto& r : rows)
    if (auto type = model::alarm_type_from_string(r.alarm_type))
      out.push_back({r.point_id, *type, r.start, r.peak, r.peak_at});
  return out;
}

std::vector<LatestSample> NodeStore::latest_samples_of(Tx& tx,
                                                       const std::vector<std::string>& companies) {
  auto rows = tx.rows<SeedSample>(
      "SELECT l.point_id, l.value, l.collect_ts FROM reading_latest l "
      "JOIN monitoring_point p ON p.point_id = l.point_id "
      "WHERE p.company_code IN (SELECT jsonb_array_elements_text($1::jsonb))",
      {list(companies)});
  std::vector<LatestSample> out;
  for (const auto& r : rows) out.push_back({r.point_id, r.value, r.collect_ts});
  return out;
}

}  // namespace hazmon::storage
