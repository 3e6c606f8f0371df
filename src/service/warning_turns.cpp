// node.cluster (ADR 0028): the warning engine's state of an enterprise (alarms tracked for the
// duration and combination rules, the open event) follows the enterprise's rules ownership, as
// the point machines do. The ingest tells this worker each turn it took on an enterprise, before
// that turn's alarm changes. A turn taken after another node's (or the first one) rebuilds the
// enterprise's part of the engine from PostgreSQL: its platform alarms, written with the readings
// in the storing transaction, open or ended within the longest combination window, and its open
// events with their links, as a restart does. The periodic tick fires minimum durations only for
// the enterprises whose turn this node holds and whose state it is current at, so the node that
// raised an alarm does not fire on it after another node cleared it, and a combination sees
// points raised on both nodes. Runs on the worker thread only.
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/node_store.hpp>

#include <algorithm>
#include <set>

#include "warning_impl.hpp"

namespace hazmon::service {
using namespace std::chrono;

void WarningService::Impl::take_turns(const std::vector<RulesTurn>& turns) {
  std::vector<std::string> reload;
  for (const auto& t : turns) {
    if (t.reloaded) reload.push_back(t.company_code);
    auto& at = turn_at[t.company_code];
    at = std::max(at, t.seq);
  }
  if (!reload.empty()) reload_companies(reload);
}

void WarningService::Impl::reload_companies(const std::vector<std::string>& companies) {
  auto now = clock.now();
  // The longest window of the combination rules (ten minutes at least), as the engine prunes.
  seconds window{600};
  for (const auto& r : engine.rules())
    if (r.enabled && r.is_combination()) window = std::max(window, r.window);
  auto [open, alarms] = db.in_tx([&](storage::Tx& tx) {
    return std::make_pair(events.sensor_events_of(tx, companies),
                          events.platform_alarms_of(tx, companies, now - window));
  });
  std::set<std::string> which(companies.begin(), companies.end());
  for (const auto& c : companies) engine.forget_company(c);
  for (auto it = open_ids.begin(); it != open_ids.end();) {
    // target_key: the company code, then "|".
    auto bar = it->first.find('|');
    if (which.count(it->first.substr(0, bar)))
      it = open_ids.erase(it);
    else
      ++it;
  }
  load_state(open, alarms, now);
  log->debug("warning state of {} enterprise(s) reloaded: {} open events, {} alarms",
             companies.size(), open.size(), alarms.size());
}

std::function<bool(const std::string&)> WarningService::Impl::ticked_companies() {
  if (!cluster) return {};
  auto tracked = engine.companies();
  if (tracked.empty()) return {};
  storage::NodeStore nodes;
  std::vector<storage::RulesOwner> owners;
  try {
    owners = db.in_tx([&](storage::Tx& tx) { return nodes.owners(tx, tracked); });
  } catch (const std::exception& e) {
    // Which node holds what is unknown: none ticked now, the next tick catches up.
    log->warn("minimum durations not checked: cannot read the rules owners ({})", e.what());
    return [](const std::string&) { return false; };
  }
  auto ticked = std::make_shared<std::set<std::string>>(tracked.begin(), tracked.end());
  for (const auto& o : owners) {
    if (o.node_id.empty()) continue;  // no node evaluated it yet: state from the start-up restore
    auto at = turn_at.find(o.company_code);
    // Another node holds it, or took a turn since this node's last one that this worker has not
    // heard of yet: not ticked here (a turn back here reloads it first).
    if (o.node_id != node_id || at == turn_at.end() || at->second != o.seq)
      ticked->erase(o.company_code);
  }
  return [ticked](const std::string& c) { return ticked->count(c) > 0; };
}

}  // namespace hazmon::service
