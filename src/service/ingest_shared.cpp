// IngestService with node.cluster (ADR 0028, docs/scaling.md): several nodes ingest for the same
// enterprises, and the rules state of an enterprise's points is evaluated by one node at a time.
// The enterprise's rules_owner row is locked FOR UPDATE in the transaction that stores the
// readings; a node whose remembered (node, seq) for it is not the row's reloads the machines of
// its points from rules_point_state first; the machines' new state is saved in that same
// transaction. So one alarm is raised once, by the node that evaluated the reading, and a 2xx
// still means stored: readings, alarms and state commit together.
#include <prometheus/counter.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "ingest_impl.hpp"

namespace hazmon::service {
using ingest_detail::from_ms;
using ingest_detail::to_ms;
using nlohmann::json;
using namespace std::chrono;

namespace {
json time_json(core::SysTime t) { return to_ms(t); }
core::SysTime time_of(const json& j) { return from_ms(j.get<std::int64_t>()); }

json episode_json(const std::optional<rules::MachineEpisode>& e) {
  if (!e) return nullptr;
  return {{"t", model::to_string(e->type)}, {"s", time_json(e->start)}, {"p", e->peak},
          {"pa", time_json(e->peak_at)},    {"su", e->suppressed},      {"l", e->late}};
}
json pending_json(const std::optional<rules::MachinePending>& p) {
  if (!p) return nullptr;
  return {{"t", model::to_string(p->type)},
          {"s", time_json(p->since)},
          {"p", p->peak},
          {"pa", time_json(p->peak_at)}};
}
std::optional<rules::MachineEpisode> episode_of(const json& j) {
  if (j.is_null()) return std::nullopt;
  auto type = model::alarm_type_from_string(j.at("t").get<std::string>());
  if (!type) return std::nullopt;
  return rules::MachineEpisode{*type,
                               time_of(j.at("s")),
                               j.at("p").get<double>(),
                               time_of(j.at("pa")),
                               j.at("su").get<bool>(),
                               j.at("l").get<bool>()};
}
std::optional<rules::MachinePending> pending_of(const json& j) {
  if (j.is_null()) return std::nullopt;
  auto type = model::alarm_type_from_string(j.at("t").get<std::string>());
  if (!type) return std::nullopt;
  return rules::MachinePending{*type, time_of(j.at("s")), j.at("p").get<double>(),
                               time_of(j.at("pa"))};
}
}  // namespace

std::string encode_machine_state(const rules::MachineState& st) {
  json j;
  j["lt"] = st.last_t ? json(to_ms(*st.last_t)) : json(nullptr);
  j["lv"] = st.last_value ? json(*st.last_value) : json(nullptr);
  j["vs"] = to_ms(st.value_since);
  j["ep"] = json::array();
  j["pe"] = json::array();
  for (int i = 0; i < 3; ++i) {
    j["ep"].push_back(episode_json(st.process[i]));
    j["pe"].push_back(pending_json(st.pending[i]));
  }
  j["oor"] = episode_json(st.out_of_range);
  j["fr"] = episode_json(st.frozen);
  j["off"] = episode_json(st.offline);
  j["df"] = episode_json(st.device_fault);
  j["poor"] = pending_json(st.pending_out_of_range);
  j["pdf"] = pending_json(st.pending_device_fault);
  return j.dump();
}

rules::MachineState decode_machine_state(const std::string& text) {
  auto j = json::parse(text);
  rules::MachineState st;
  if (!j.at("lt").is_null()) st.last_t = time_of(j.at("lt"));
  if (!j.at("lv").is_null()) st.last_value = j.at("lv").get<double>();
  st.value_since = time_of(j.at("vs"));
  for (int i = 0; i < 3; ++i) {
    st.process[i] = episode_of(j.at("ep").at(static_cast<std::size_t>(i)));
    st.pending[i] = pending_of(j.at("pe").at(static_cast<std::size_t>(i)));
  }
  st.out_of_range = episode_of(j.at("oor"));
  st.frozen = episode_of(j.at("fr"));
  st.offline = episode_of(j.at("off"));
  st.device_fault = episode_of(j.at("df"));
  st.pending_out_of_range = pending_of(j.at("poor"));
  st.pending_device_fault = pending_of(j.at("pdf"));
  return st;
}

// The machines of the enterprises among `owners` whose state this node does not hold as last
// written (another node evaluated since, or this node never did) are rebuilt from PostgreSQL:
// the saved state, else (a point never evaluated by a cluster node) its open episodes and last
// sample, as a restart seeds them.
void IngestService::Impl::refresh_owned(storage::Tx& tx,
                                        const std::vector<storage::RulesOwner>& owners,
                                        const ingest::RegistrySnapshot& snap) {
  std::vector<std::string> stale;
  for (const auto& o : owners) {
    auto it = owned.find(o.company_code);
    if (it == owned.end() || o.node_id != s.node_id || it->second != o.seq)
      stale.push_back(o.company_code);
  }
  if (stale.empty()) return;
  std::unordered_set<std::string> stale_set(stale.begin(), stale.end());
  std::unordered_map<std::int32_t, std::string> saved;
  for (auto& r : node_store.point_states(tx, stale)) saved[r.point_id] = std::move(r.state);
  std::unordered_set<std::int32_t> unsaved;
  for (const auto& p : snap.points()) {
    if (!stale_set.count(p.company_code)) continue;
    auto m = rules::PointMachine(config_of(p, s));
    if (auto it = saved.find(p.point_id); it != saved.end()) {
      try {
        m.restore(decode_machine_state(it->second));
      } catch (const std::exception& e) {
        log->warn("point {}: saved rules state unreadable ({}); seeded from alarms", p.point_id,
                  e.what());
        unsaved.insert(p.point_id);
      }
    } else {
      unsaved.insert(p.point_id);
    }
    machines.insert_or_assign(p.point_id, std::move(m));
  }
  if (!unsaved.empty()) {
    for (const auto& r : node_store.latest_samples_of(tx, stale))
      if (unsaved.count(r.point_id))
        machines.at(r.point_id).restore_last_sample(r.collect_ts, r.value);
    for (const auto& r : node_store.open_episodes_of(tx, stale))
      if (unsaved.count(r.point_id))
        machines.at(r.point_id).restore_open(r.type, r.start, r.peak, r.peak_at);
  }
  for (const auto& c : stale) {
    owned.erase(c);
    pending_reloaded.insert(c);
  }
  ++n_state_reloads;
}

void IngestService::Impl::save_touched(storage::Tx& tx, const std::set<std::int32_t>& touched,
                                       const ingest::RegistrySnapshot& snap) {
  std::vector<storage::PointStateRow> rows;
  rows.reserve(touched.size());
  for (auto id : touched) {
    const auto* def = snap.by_id(id);
    auto it = machines.find(id);
    if (!def || it == machines.end()) continue;
    rows.push_back({id, def->company_code, encode_machine_state(it->second.state())});
  }
  node_store.save_point_states(tx, rows);
}

// In the transaction that stores `batch`: the rules over its readings, under the row locks of
// its enterprises; the alarms join the batch.
void IngestService::Impl::evaluate_shared(storage::Tx& tx, storage::IngestBatch& batch,
                                          const ingest::RegistrySnapshot& snap,
                                          std::int64_t now_ms) {
  pending_owners.clear();
  pending_reloaded.clear();
  std::vector<std::string> companies;
  for (const auto& u : batch.uploads) companies.push_back(u.company_code);
  if (companies.empty() || batch.readings.empty()) return;
  auto owners = node_store.lock_owners(tx, companies);
  refresh_owned(tx, owners, snap);
  auto late_ms = duration_cast<milliseconds>(s.late_after).count();
  std::set<std::int32_t> touched;
  auto run = [&](std::size_t from, std::size_t to, bool resend) {
    std::vector<std::size_t> order;
    for (auto i = from; i < to; ++i) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return batch.readings[a].collect_ms < batch.readings[b].collect_ms;
    });
    for (auto i : order) {
      const auto& r = batch.readings[i];
      const auto* def = snap.by_id(r.point_id);
      if (!def) continue;
      evaluate(*def, r, resend || now_ms - r.collect_ms > late_ms, batch.alarms);
      touched.insert(r.point_id);
    }
  };
  // Readings follow their uploads in order (storage::drop_uploads relies on it too).
  std::size_t total = 0;
  for (const auto& u : batch.uploads) total += static_cast<std::size_t>(std::max(u.accepted, 0));
  if (total == batch.readings.size()) {
    std::size_t at = 0;
    for (const auto& u : batch.uploads) {
      auto n = static_cast<std::size_t>(std::max(u.accepted, 0));
      run(at, at + n, u.report_type == "resend");
      at += n;
    }
  } else {
    run(0, batch.readings.size(), false);
  }
  save_touched(tx, touched, snap);
  for (auto& o : owners) {
    o.node_id = s.node_id;
    ++o.seq;
  }
  node_store.set_owners(tx, owners);
  pending_owners = std::move(owners);
}

// After the transaction: committed, the owners are this node's at their new seq (a turn each,
// told to the turn listeners before the alarm changes); rolled back, their machines are reloaded
// at the next evaluation.
void IngestService::Impl::settle_owners(bool committed) {
  for (const auto& o : pending_owners) {
    if (committed) {
      owned[o.company_code] = o.seq;
      turns.push_back({o.company_code, o.seq, pending_reloaded.count(o.company_code) > 0});
    } else {
      owned.erase(o.company_code);
    }
  }
  pending_owners.clear();
  pending_reloaded.clear();
}

void IngestService::Impl::announce_turns() {
  if (turns.empty()) return;
  std::vector<RulesTurn> told;
  told.swap(turns);
  std::vector<std::function<void(const std::vector<RulesTurn>&)>> ls;
  {
    std::lock_guard lock(listeners_mu);
    ls = turn_listeners;
  }
  for (const auto& l : ls) l(told);
}

// The timers (offline, frozen) with node.cluster: each node ticks the enterprises it evaluated
// last, and takes over those whose node is dead or that no node evaluated yet; enterprises being
// evaluated right now are skipped (SKIP LOCKED) and ticked next time.
void IngestService::Impl::tick_shared(const ingest::RegistrySnapshot& snap) {
  std::vector<std::string> companies;
  {
    std::unordered_set<std::string> seen;
    for (const auto& p : snap.points())
      if (seen.insert(p.company_code).second) companies.push_back(p.company_code);
  }
  if (companies.empty()) return;
  storage::IngestBatch batch;
  auto now = clock.now();
  try {
    db.in_tx([&](storage::Tx& tx) {
      batch.alarms.clear();
      pending_owners.clear();
      pending_reloaded.clear();
      auto owners = node_store.lock_tick_owners(tx, s.node_id, companies, now - s.node_ttl);
      if (owners.empty()) return;
      refresh_owned(tx, owners, snap);
      std::unordered_map<std::string, bool> changed;
      for (const auto& o : owners) changed[o.company_code] = o.node_id != s.node_id;
      std::set<std::int32_t> touched;
      for (const auto& p : snap.points()) {
        auto c = changed.find(p.company_code);
        if (c == changed.end()) continue;
        auto it = machines.find(p.point_id);
        if (it == machines.end()) continue;
        auto before = batch.alarms.size();
        for (const auto& ch : it->second.on_tick(now)) batch.alarms.push_back(to_event(p, ch));
        if (batch.alarms.size() != before) {
          touched.insert(p.point_id);
          c->second = true;
        }
      }
      save_touched(tx, touched, snap);
      std::vector<storage::RulesOwner> bumped;
      for (auto o : owners) {
        if (!changed[o.company_code]) {
          pending_owners.push_back(o);  // unchanged: what this node holds is current
          continue;
        }
        o.node_id = s.node_id;
        ++o.seq;
        bumped.push_back(o);
        pending_owners.push_back(o);
      }
      node_store.set_owners(tx, bumped);
      if (!batch.alarms.empty()) store.write(tx, batch);
    });
  } catch (const std::exception& e) {
    settle_owners(false);
    log->warn("timers not evaluated (cluster): {}", e.what());
    return;
  }
  settle_owners(true);
  publish(batch.alarms);
}

void IngestService::set_node(const std::string& id, bool cluster, std::chrono::seconds ttl) {
  impl_->s.node_id = id;
  impl_->s.cluster = cluster;
  impl_->s.node_ttl = ttl;
}

// With node.cluster the minute's maintenance (partitions, aggregation, and the tasks after it:
// commitment and SIS checks, reminders, data quality, reports) runs on one node: the live node
// first by id. While the nodes' view of who is alive changes (for up to the TTL) two may both run
// it, or none; each of those steps is idempotent and the next minute catches up.
bool IngestService::Impl::leads_maintenance() {
  try {
    auto first = db.in_tx(
        [&](storage::Tx& tx) { return node_store.first_live_node(tx, clock.now() - s.node_ttl); });
    return !first || *first == s.node_id;  // no node alive (no heartbeat yet): this one
  } catch (const std::exception& e) {
    log->warn("maintenance skipped: cannot read the nodes ({})", e.what());
    return false;
  }
}

// Alarm changes this node evaluated and published (hazmon_ingest_events_total alarm_raised,
// alarm_cleared): with several nodes their sum over the nodes counts each change once.
void IngestService::Impl::count_changes(const std::vector<model::AlarmEvent>& alarms) {
  for (const auto& w : alarms) {
    if (w.transition == model::AlarmTransition::raised) {
      ++n_raised;
      if (m_raised) m_raised->Increment();
    } else if (w.transition == model::AlarmTransition::cleared) {
      if (m_cleared) m_cleared->Increment();
    }
  }
}

void IngestService::Impl::publish(const std::vector<model::AlarmEvent>& alarms) {
  announce_turns();
  if (alarms.empty()) return;
  count_changes(alarms);
  std::vector<std::function<void(const model::AlarmEvent&)>> ls;
  {
    std::lock_guard lock(listeners_mu);
    ls = listeners;
  }
  for (const auto& w : alarms)
    for (const auto& l : ls) l(w);
}

}  // namespace hazmon::service
