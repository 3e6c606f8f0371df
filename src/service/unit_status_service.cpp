#include <hazmon/service/unit_status_service.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/data_quality_store.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/unit_of_work.hpp>

#include "filing_limits.hpp"
#include "principal_checks.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;

namespace {
constexpr const char* kFilers =
    "unit run statuses are filed by the enterprise (its users or its gateway)";
constexpr const char* kReaders = "unit run statuses are read by people, not machine credentials";
std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}
std::string days_text(std::chrono::seconds s) {
  auto d = s.count() / 86400;
  if (d * 86400 != s.count()) return std::to_string(s.count()) + " s";
  return std::to_string(d) + (d == 1 ? " day" : " days");
}
}  // namespace

UnitStatusService::UnitStatusService(storage::Database& db, FilingSettings filing,
                                     const core::Clock& clock)
    : db_(db), filing_(filing), clock_(clock) {}

UnitStatusAnswer UnitStatusService::file(const model::Principal& who, model::UnitStatus s) {
  require_enterprise_filer(who, kFilers);
  bool upload = who.role == model::Role::gateway;
  if (s.company_code.empty()) s.company_code = who.scope.company_code;
  s.source = upload ? "upload" : "dashboard";
  s.filed_by = who.name;
  s.reason = trimmed(s.reason);
  for (auto* f : {&s.content, &s.unit_head, &s.responsible_person, &s.responsible_phone})
    if (*f) *f = trimmed(**f);
  auto now = clock_.now();
  if (auto errors = model::check_unit_status(s, now); !errors.empty())
    throw Error(Errc::validation_failed, "the unit status is not valid", std::move(errors));
  auto target = storage::unit_target(s);
  UnitStatusAnswer a;
  bool windows_changed = false;
  auto filed = [&](storage::Tx& tx) {
    check_unit(tx, who, s);
    auto cur = store_.current(tx, target, true);
    // A resend of the unit's current status: nothing changes.
    if (cur && cur->status == s.status && cur->begin_at == s.begin_at) {
      a.created = false;
      return *cur;
    }
    auto last = cur ? cur : store_.latest(tx, target);
    if (last && (s.begin_at <= last->begin_at || (last->end_at && s.begin_at < *last->end_at)))
      throw Error(Errc::validation_failed, "the status begins before the unit's latest one",
                  {{"/begin_at", "must be after the begin (and end) of the unit's latest status, " +
                                     core::format_rfc3339(last->end_at.value_or(last->begin_at))}});
    if (cur) {
      store_.end(tx, cur->id, s.begin_at, who.name,
                 std::string("新状态：") + model::unit_status_name(s.status), now);
      if (cur->filing_id) {
        store_.end_filing(tx, *cur->filing_id, s.begin_at,
                          upload ? std::nullopt : std::optional<long long>(who.id));
        windows_changed = true;
      }
    }
    std::optional<long long> filing_id;
    if (!model::unit_status_filing_type(s.status).empty()) {
      auto f = suppression_filing(tx, who, s, a.pending_reason);
      filing_id = store_.insert_filing(tx, f);
      windows_changed = windows_changed || f.approved;
    }
    return store_.insert(tx, s, filing_id, now);
  };
  try {
    a.status = db_.in_tx(filed);
  } catch (const storage::ConflictError&) {
    // Another status of the unit became current while this one was filed (two at the same
    // moment: the one-current-status index refused the second). Say which unit and which status
    // is current, with a code of its own (13.29).
    current_status_conflict(s, target);
  }
  // The listener reloads the filing windows: after a row upload's commit (ADR 0033).
  if (windows_changed && changed_) storage::after_commit(db_, changed_);
  return a;
}

void UnitStatusService::current_status_conflict(const model::UnitStatus& s,
                                                const storage::UnitTarget& target) const {
  auto cur = db_.in_tx([&](storage::Tx& tx) { return store_.current(tx, target, false); });
  const bool cell = !s.prodcell_id.empty();
  const auto& unit = cell ? s.prodcell_id : s.equip_code;
  std::string what = cur ? std::string(cur->status) + " (" + model::unit_status_name(cur->status) +
                               ") since " + core::format_rfc3339(cur->begin_at) + ", id " +
                               std::to_string(cur->id)
                         : std::string("another status");
  throw Error(Errc::conflict, core::Reason::unit_status_current,
              "unit " + unit + " already has a current status, filed at the same moment: " + what +
                  "; file the new status after it",
              {{cell ? "/prodcell_id" : "/equip_code", "current status: " + what}});
}

void UnitStatusService::check_unit(storage::Tx& tx, const model::Principal& who,
                                   const model::UnitStatus& s) const {
  if (!store_.enterprise(tx, who.scope, s.company_code))
    throw Error(Errc::validation_failed, "no such enterprise",
                {{"/company_code", "no such enterprise"}});
  if (!s.prodcell_id.empty()) {
    if (!store_.cell(tx, s.company_code, s.prodcell_id))
      throw Error(Errc::validation_failed, "no such non-major production unit in this enterprise",
                  {{"/prodcell_id",
                    "not a production unit outside any major hazard source (production cell of "
                    "type unit without a hazard source) of the enterprise"}});
  } else if (!store_.unit(tx, s.company_code, s.equip_code)) {
    throw Error(Errc::validation_failed, "no such production unit in this enterprise",
                {{"/equip_code", "not a production unit (equipment S0) of the enterprise"}});
  }
}

// The filings' limits: an enterprise's user files a window of at most the maximum that starts
// within the maximum; an open status suppresses for the maximum at most. The maximum applies to
// the contiguous suppressed time of the unit: a stop starting within filing.chain_gap of the end
// of an approved window on the unit continues it (back-to-back stops, attack 12.10). A machine
// credential never silences data by itself (issue 9, attack 4): its stops wait for approval.
storage::UnitFiling UnitStatusService::suppression_filing(
    storage::Tx& tx, const model::Principal& who, const model::UnitStatus& s,
    std::optional<std::string>& pending) const {
  bool upload = who.role == model::Role::gateway;
  auto now = clock_.now();
  storage::UnitFiling f;
  f.company_code = s.company_code;
  f.target = storage::unit_target(s);
  f.filing_type = model::unit_status_filing_type(s.status);
  auto max = filing_.max_for(f.filing_type);
  f.reason = s.reason;
  f.person = s.responsible_person.value_or(who.name);
  f.starts_at = s.begin_at;
  f.ends_at = s.planned_end.value_or(s.begin_at + max);
  if (!upload) f.created_by = who.id;
  // Before it and after it: a window filed ahead on the unit counts as much as one behind.
  auto [in_force, chain] =
      check_enterprise_window(tx, filing_, f.target, f.starts_at, f.ends_at, now, max);
  f.approved = !upload && in_force;
  if (f.approved) return f;
  if (upload)
    pending =
        "uploaded by the gateway: suppresses the unit's process alarms once a county, city or "
        "province officer approves its filing";
  else if ((chain.start < f.starts_at || chain.end > f.ends_at) && f.ends_at - f.starts_at <= max)
    pending = "continues the unit's suppressed time from " + core::format_rfc3339(chain.start) +
              " to " + core::format_rfc3339(chain.end) + " (back-to-back stops) beyond " +
              days_text(max) +
              ": suppresses the unit's process alarms once a county, city or province officer "
              "approves its filing";
  else
    pending = "longer than " + days_text(max) +
              ": suppresses the unit's process alarms once a county, city or province officer "
              "approves its filing";
  return f;
}

model::UnitStatus UnitStatusService::end(const model::Principal& who, long long id,
                                         std::optional<core::SysTime> end_at,
                                         const std::string& reason) {
  require_enterprise_filer(who, kFilers);
  auto now = clock_.now();
  auto at = end_at.value_or(now);
  if (at > now + std::chrono::minutes(5))
    throw Error(Errc::validation_failed, "the end may not be in the future",
                {{"/end_at", "may not be in the future"}});
  bool windows_changed = false;
  auto out = db_.in_tx([&](storage::Tx& tx) {
    auto s = store_.find(tx, who.scope, id, true);
    if (!s) throw Error(Errc::not_found, "no such unit status");
    if (s->end_at) throw Error(Errc::conflict, "the status has already ended");
    if (at < s->begin_at)
      throw Error(Errc::validation_failed, "the end is before the begin",
                  {{"/end_at", "must not be before begin_at"}});
    auto why = trimmed(reason);
    store_.end(tx, id, at, who.name, why.empty() ? std::nullopt : std::optional<std::string>(why),
               now);
    if (s->filing_id) {
      store_.end_filing(
          tx, *s->filing_id, at,
          who.role == model::Role::gateway ? std::nullopt : std::optional<long long>(who.id));
      windows_changed = true;
    }
    return store_.read(tx, id);
  });
  // The listener reloads the filing windows: after a row upload's commit (ADR 0033).
  if (windows_changed && changed_) storage::after_commit(db_, changed_);
  return out;
}

storage::UnitStatusPage UnitStatusService::list(const model::Principal& who,
                                                const storage::UnitStatusFilter& f, int limit,
                                                long long offset) {
  require_person(who, kReaders);
  if (f.status && !model::valid_unit_status(*f.status))
    throw Error(Errc::bad_request, "status must be running, stopped, startup, trial or overhaul");
  return db_.in_tx([&](storage::Tx& tx) {
    if (f.company_code && !store_.enterprise(tx, who.scope, *f.company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.list(tx, who.scope, f, limit, offset);
  });
}

model::UnitStatus UnitStatusService::get(const model::Principal& who, long long id) {
  require_person(who, kReaders);
  return db_.in_tx([&](storage::Tx& tx) {
    auto s = store_.find(tx, who.scope, id, false);
    if (!s) throw Error(Errc::not_found, "no such unit status");
    return *s;
  });
}

UnitCommitmentCheck UnitStatusService::commitment_check(const model::Principal& who,
                                                        const std::string& company_code,
                                                        const std::string& day) {
  require_person(who, kReaders);
  UnitCommitmentCheck out;
  auto now = clock_.now();
  auto today = storage::beijing_day_of(now);
  out.day = day.empty() ? storage::format_day(today) : day;
  auto d = storage::parse_day(out.day);
  if (!d) throw Error(Errc::bad_request, "day must be a date YYYY-MM-DD");
  if (*d > today) throw Error(Errc::bad_request, "day may not be in the future");
  out.at = *d == today ? now : storage::beijing_day_start(*d + 1) - std::chrono::seconds(1);
  out.company_code = company_code.empty() ? who.scope.company_code : company_code;
  if (out.company_code.empty())
    throw Error(Errc::bad_request, "company_code is required outside an enterprise's scope");
  db_.in_tx([&](storage::Tx& tx) {
    if (!store_.enterprise(tx, who.scope, out.company_code))
      throw Error(Errc::not_found, "no such enterprise");
    out.units = static_cast<long long>(store_.units(tx, out.company_code).size());
    auto counts = store_.counts_at(tx, out.company_code, out.at);
    auto committed = store_.commitment_units(tx, out.company_code, out.day);
    out.committed = committed.has_value();
    long long total = 0;
    for (const auto& [k, n] : counts) total += n;
    out.lines.push_back({"total", "装置总数", committed ? (*committed)["total"] : 0, total});
    for (const char* k : model::kUnitStatuses)
      out.lines.push_back({k, model::unit_status_name(k), committed ? (*committed)[k] : 0,
                           counts.count(k) ? counts[k] : 0});
    for (const auto& l : out.lines)
      if (l.committed != l.statuses) out.matches = false;
  });
  return out;
}

}  // namespace hazmon::service
