#pragma once
// The filings' limits (FilingSettings) as the filing routes and the unit statuses apply them to
// an enterprise's window (docs/duties.md, attack 12.10).
#include <chrono>

#include <hazmon/core/clock.hpp>
#include <hazmon/service/monitoring.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/unit_status_store.hpp>

namespace hazmon::service {

struct WindowCheck {
  bool in_force = false;
  storage::UnitStatusStore::Chain chain;  // the window with the approved ones it continues
};

// An enterprise's window [starts_at, ends_at) on `target` is in force at once when it starts
// within `max` from `now` and, with the approved windows it continues on the same target
// (back-to-back within chain_gap, filed before it or ahead of it), spans at most `max`.
inline WindowCheck check_enterprise_window(storage::Tx& tx, const FilingSettings& s,
                                           const storage::UnitTarget& target,
                                           core::SysTime starts_at, core::SysTime ends_at,
                                           core::SysTime now, std::chrono::seconds max) {
  auto chain = storage::UnitStatusStore().chain(tx, target, starts_at, ends_at, s.chain_gap, max);
  return {chain.end - chain.start <= max && starts_at <= now + max, chain};
}

}  // namespace hazmon::service
