#include <hazmon/service/permit_service.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/model/commitment.hpp>
#include <hazmon/storage/data_quality_store.hpp>
#include <hazmon/storage/database.hpp>

#include "principal_checks.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;

namespace {
constexpr const char* kFilers =
    "work permits are filed and moved by the enterprise (its users or its gateway)";
constexpr const char* kReaders = "work permits are read by people, not machine credentials";
// The change note of work finished after its window (finished_at past end_at: `finished_late`).
constexpr const char* kLate = "逾期完成";
void check_fields(const model::WorkPermit& p) {
  if (auto errors = model::check_permit(p); !errors.empty())
    throw Error(Errc::validation_failed, "the work permit is not valid", std::move(errors));
}
std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}
// How severe a grade of its type is (higher: stricter): 动火 特级 > 一级 > 二级 and 吊装 一级 >
// 二级 > 三级 (GB 30871-2022 list the most severe first), 高处 Ⅳ > Ⅲ > Ⅱ > Ⅰ.
int grade_severity(const std::string& type, const std::optional<std::string>& grade) {
  const auto* t = model::work_type(type);
  if (!t || !grade) return 0;
  for (std::size_t i = 0; i < t->grades.size(); ++i)
    if (*grade == t->grades[i])
      return static_cast<int>(type == "height" ? i : t->grades.size() - 1 - i);
  return 0;
}
// Work under way keeps its type (GB 30871-2022: other work needs its own permit) and its grade may
// only rise: turned into another type, hot work or confined-space work in progress would leave the
// overview map and the counts while it goes on, and a lower grade the stricter counts
// (docs/security.md, attack 12.14).
// Overdue work (in progress past its end) stays overdue until it is finished or cancelled: its end
// is not moved after it passed (attack 12.20).
void keep_kind_while_in_progress(const model::WorkPermit& old, const model::WorkPermit& p,
                                 core::SysTime now) {
  if (old.state != "in_progress") return;
  std::vector<core::FieldError> errors;
  if (p.work_type != old.work_type)
    errors.push_back(
        {"/work_type", "cannot change while the work is in progress; file a new permit"});
  else if (grade_severity(p.work_type, p.grade) < grade_severity(old.work_type, old.grade))
    errors.push_back({"/grade", "may be raised but not lowered while the work is in progress"});
  if (old.end_at < now && p.end_at != old.end_at)
    errors.push_back({"/end_at",
                      "the work is overdue: its end cannot move after it passed; finish it or "
                      "file a new permit"});
  if (!errors.empty())
    throw Error(Errc::validation_failed,
                "the work in progress keeps its type, grade and overdue end", std::move(errors));
}
}  // namespace

PermitService::PermitService(storage::Database& db, const core::Clock& clock)
    : db_(db), clock_(clock) {}

std::string PermitService::today() const {
  return storage::format_day(storage::beijing_day_of(clock_.now()));
}

void PermitService::check_place(storage::Tx& tx, const model::WorkPermit& p) const {
  if (p.hazard_code && !store_.hazard_of(tx, p.company_code, *p.hazard_code))
    throw Error(Errc::validation_failed, "no such hazard source in this enterprise",
                {{"/hazard_code", "not a hazard source of the enterprise"}});
  if (p.equip_code && !store_.equipment_of(tx, p.company_code, *p.equip_code, p.hazard_code))
    throw Error(Errc::validation_failed, "no such equipment in this enterprise",
                {{"/equip_code", p.hazard_code ? "not equipment of that hazard source"
                                               : "not equipment of the enterprise"}});
}

model::WorkPermit PermitService::file(const model::Principal& who, model::WorkPermit p,
                                      bool& created) {
  require_enterprise_filer(who, kFilers);
  if (p.company_code.empty()) p.company_code = who.scope.company_code;
  p.source = who.role == model::Role::gateway ? "upload" : "dashboard";
  p.created_by = who.name;
  if (p.state.empty()) p.state = "planned";
  if (!model::valid_permit_state(p.state))
    throw Error(Errc::validation_failed, "the state is not valid",
                {{"/state", "must be planned, in_progress, done or cancelled"}});
  check_fields(p);
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    if (!store_.enterprise(tx, who.scope, p.company_code))
      throw Error(Errc::validation_failed, "no such enterprise",
                  {{"/company_code", "no such enterprise"}});
    check_place(tx, p);
    auto old = store_.find_by_no(tx, p.company_code, p.permit_no);
    if (!old) {
      // The same rules from the dashboard and by upload (attack 13.26): a new permit is planned
      // or already under way. Filed done (or cancelled), hot work would never have shown in
      // progress on the map and in the counts; it is done only from in progress.
      if (p.state != "planned" && p.state != "in_progress")
        throw Error(
            Errc::validation_failed, "a new permit is filed planned or in progress",
            {{"/state", "must be planned or in_progress: it is finished or cancelled from there"}});
      p.cancel_reason.reset();
      if (p.state == "in_progress") p.started_at = now;
      created = true;
      return store_.insert(tx, p, now);
    }
    if (p.source == "dashboard")
      throw Error(Errc::conflict, "the enterprise already has a permit numbered " + p.permit_no);
    // An upload of a known permit number: its fields replace the stored ones while it is open,
    // and its state may move one legal step.
    if (old->state == "done" || old->state == "cancelled")
      throw Error(Errc::conflict, "the permit is " + old->state + " and can no longer change");
    created = false;
    std::string action = "updated";
    if (p.state != old->state) {
      const char* step = p.state == "in_progress" ? "start"
                         : p.state == "done"      ? "finish"
                         : p.state == "cancelled" ? "cancel"
                                                  : "";
      if (!model::permit_transition(old->state, step))
        throw Error(Errc::conflict, "the permit cannot go from " + old->state + " to " + p.state);
      if (p.state == "cancelled" && (!p.cancel_reason || trimmed(*p.cancel_reason).empty()))
        throw Error(Errc::validation_failed, "a cancelled permit needs its reason",
                    {{"/cancel_reason", "is required when cancelled"}});
      action = p.state == "in_progress" ? "started" : p.state == "done" ? "done" : "cancelled";
    }
    // Overdue work is finished (or cancelled) late, as filed: the upload that closes it keeps the
    // stored end (a gateway often sends the actual end), and the change says so (13.26).
    const bool late =
        model::permit_overdue(*old, now) && (p.state == "done" || p.state == "cancelled");
    if (late) p.end_at = old->end_at;
    keep_kind_while_in_progress(*old, p, now);
    p.id = old->id;
    p.started_at =
        p.state == "in_progress" && !old->started_at ? std::optional(now) : old->started_at;
    p.finished_at =
        (p.state == "done" || p.state == "cancelled") ? std::optional(now) : old->finished_at;
    if (p.state != "cancelled") p.cancel_reason.reset();
    return store_.update(tx, p, now, who.name, action, old->state,
                         action == "cancelled" ? p.cancel_reason
                         : late                ? std::optional<std::string>(kLate)
                                               : std::optional<std::string>("上传更新"));
  });
}

model::WorkPermit PermitService::edit(const model::Principal& who, long long id,
                                      const PermitEdit& e) {
  require_enterprise_filer(who, kFilers);
  if (trimmed(e.reason).empty())
    throw Error(Errc::validation_failed, "a change needs its reason",
                {{"/reason", "the reason for the change (变更原因) is required"}});
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto old = store_.find(tx, who.scope, id, true);
    if (!old) throw Error(Errc::not_found, "no such work permit");
    if (old->state == "done" || old->state == "cancelled")
      throw Error(Errc::conflict, "the permit is " + old->state + " and can no longer change");
    auto p = *old;
    if (e.work_type) p.work_type = *e.work_type;
    if (e.grade) p.grade = *e.grade;
    if (e.location) p.location = *e.location;
    if (e.hazard_code) p.hazard_code = *e.hazard_code;
    if (e.equip_code) p.equip_code = *e.equip_code;
    if (e.begin_at) p.begin_at = *e.begin_at;
    if (e.end_at) p.end_at = *e.end_at;
    if (e.contractor) p.contractor = *e.contractor;
    if (e.work_unit) p.work_unit = *e.work_unit;
    if (e.responsible) p.responsible = *e.responsible;
    if (e.responsible_mobile) p.responsible_mobile = *e.responsible_mobile;
    if (e.content) p.content = *e.content;
    check_fields(p);
    keep_kind_while_in_progress(*old, p, now);
    check_place(tx, p);
    return store_.update(tx, p, now, who.name, "updated", old->state, trimmed(e.reason));
  });
}

model::WorkPermit PermitService::transition(const model::Principal& who, long long id,
                                            const std::string& action, const std::string& reason) {
  require_enterprise_filer(who, kFilers);
  if (action != "start" && action != "finish" && action != "cancel")
    throw Error(Errc::validation_failed, "the action is not valid",
                {{"/action", "must be start, finish or cancel"}});
  if (action == "cancel" && trimmed(reason).empty())
    throw Error(Errc::validation_failed, "a cancellation needs its reason",
                {{"/reason", "the reason for cancelling (取消原因) is required"}});
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto old = store_.find(tx, who.scope, id, true);
    if (!old) throw Error(Errc::not_found, "no such work permit");
    auto to = model::permit_transition(old->state, action);
    if (!to) throw Error(Errc::conflict, "a permit that is " + old->state + " cannot " + action);
    auto p = *old;
    p.state = *to;
    if (*to == "in_progress") p.started_at = now;
    if (*to == "done" || *to == "cancelled") p.finished_at = now;
    if (*to == "cancelled") p.cancel_reason = trimmed(reason);
    const char* done = *to == "in_progress" ? "started" : *to == "done" ? "done" : "cancelled";
    std::optional<std::string> why;
    if (!trimmed(reason).empty()) why = trimmed(reason);
    if (*to == "done" && model::permit_overdue(*old, now))
      why = why ? std::string(kLate) + "：" + *why : std::string(kLate);
    return store_.update(tx, p, now, who.name, done, old->state, why);
  });
}

storage::PermitPage PermitService::list(const model::Principal& who, const storage::PermitFilter& f,
                                        int limit, long long offset) {
  require_person(who, kReaders);
  if (f.day && !storage::parse_day(*f.day))
    throw Error(Errc::bad_request, "day must be a date YYYY-MM-DD");
  if (f.state && !model::valid_permit_state(*f.state))
    throw Error(Errc::bad_request, "state must be planned, in_progress, done or cancelled");
  if (f.work_type && !model::work_type(*f.work_type))
    throw Error(Errc::bad_request, "type must be one of the eight GB 30871 work types");
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    if (f.company_code && !store_.enterprise(tx, who.scope, *f.company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.list(tx, who.scope, f, now, limit, offset);
  });
}

PermitDetail PermitService::get(const model::Principal& who, long long id) {
  require_person(who, kReaders);
  return db_.in_tx([&](storage::Tx& tx) {
    auto p = store_.find(tx, who.scope, id, false);
    if (!p) throw Error(Errc::not_found, "no such work permit");
    return PermitDetail{*p, store_.changes(tx, id)};
  });
}

PermitSummary PermitService::summary(const model::Principal& who, bool by_city) {
  require_person(who, kReaders);
  PermitSummary out;
  out.at = clock_.now();
  out.by_city = by_city;
  out.regions =
      db_.in_tx([&](storage::Tx& tx) { return store_.counts(tx, who.scope, out.at, by_city); });
  for (const auto& r : out.regions) {
    out.total.in_progress += r.in_progress;
    out.total.hot_work += r.hot_work;
    out.total.confined_space += r.confined_space;
    out.total.overdue += r.overdue;
    for (const auto& [k, n] : r.by_kind) out.total.by_kind[k] += n;
  }
  return out;
}

PermitCommitmentCheck PermitService::commitment_check(const model::Principal& who,
                                                      const std::string& company_code,
                                                      const std::string& day) {
  require_person(who, kReaders);
  PermitCommitmentCheck out;
  out.day = day.empty() ? today() : day;
  if (!storage::parse_day(out.day)) throw Error(Errc::bad_request, "day must be a date YYYY-MM-DD");
  out.company_code = company_code.empty() ? who.scope.company_code : company_code;
  if (out.company_code.empty())
    throw Error(Errc::bad_request, "company_code is required outside an enterprise's scope");
  db_.in_tx([&](storage::Tx& tx) {
    if (!store_.enterprise(tx, who.scope, out.company_code))
      throw Error(Errc::not_found, "no such enterprise");
    auto permits = store_.day_counts(tx, out.company_code, out.day);
    auto committed = store_.commitment_counts(tx, out.company_code, out.day);
    out.committed = committed.has_value();
    for (const auto& k : model::special_work_kinds()) {
      PermitCommitmentCheck::Line l{k.key, k.name, 0, 0};
      if (committed) l.committed = (*committed)[k.key];
      if (auto it = permits.find(k.key); it != permits.end()) l.permits = it->second;
      if (l.committed != l.permits) out.matches = false;
      out.lines.push_back(std::move(l));
    }
  });
  return out;
}

}  // namespace hazmon::service
