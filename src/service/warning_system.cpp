// Warning events the system raises of a category of its own: `commitment` (安全承诺缺失, raised
// by CommitmentService's check at the deadline hour, closed when the filing arrives) and `sis`
// (a SIS loop tripped or bypassed past its expiry, raised and closed by SisService). The same
// records as every event: created and pushed by the system; people feed back, check and close
// as for any other event until then.
#include <prometheus/counter.h>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>

#include "warning_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using rules::DisposalAction;
using rules::DisposalState;
using namespace warning_detail;

long long WarningService::raise_system_event(storage::Tx& tx, const SystemWarning& w) {
  auto& i = *impl_;
  auto region = i.events.enterprise_region(tx, w.company_code);
  if (!region) throw Error(Errc::not_found, "no such enterprise");
  auto now = i.clock.now();
  storage::NewWarningEvent e;
  e.id = i.events.next_id(tx);
  e.event_no = event_no(w.first, e.id);
  e.source = w.source;
  e.company_code = w.company_code;
  e.hazard_code = w.hazard_code;
  std::tie(e.county_code, e.city_code) = county_and_city(*region);
  e.level = w.level;
  e.category = w.category;
  e.content = w.content;
  e.status = DisposalState::pending;
  e.first_ts = w.first;
  e.last_ts = now;
  i.events.insert(tx, e);
  rules::EventState created;
  created.state = DisposalState::pending;
  created.level = w.level;
  i.record(tx, e.id, now, nullptr, rules::ActorKind::system, DisposalAction::create, created,
           created, std::nullopt, {}, w.content);
  i.push(tx, e.id, created, now);
  ++i.n_created;
  if (i.m_created) i.m_created->Increment();
  return e.id;
}

bool WarningService::close_system_event(storage::Tx& tx, long long id, const std::string& text) {
  auto& i = *impl_;
  auto row = i.events.lock(tx, id);
  if (!row || row->status == DisposalState::closed) return false;
  auto now = i.clock.now();
  auto before = state_of(*row);
  auto after = before;
  after.state = DisposalState::closed;
  after.deadline.reset();
  i.save_state(tx, id, after);
  i.events.set_closed(tx, id, now);
  i.record(tx, id, now, nullptr, rules::ActorKind::system, DisposalAction::close, before, after,
           std::nullopt, {}, text);
  return true;
}

}  // namespace hazmon::service
