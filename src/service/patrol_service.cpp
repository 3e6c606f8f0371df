#include <hazmon/service/patrol_service.hpp>

#include <algorithm>

#include <spdlog/spdlog.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/storage/data_quality_store.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::service {
using core::Errc;
using core::Error;
using core::FieldError;
namespace chr = std::chrono;

namespace {
constexpr std::size_t kMaxFindings = 50;      // inline in one record
constexpr int kMaxBackdateDays = 30;          // an on-site check recorded this long after
constexpr int kMaxDeadlineDays = 366;         // a follow-up's deadline after the patrol began
constexpr int kMaxRoutineUseDays = 31;        // days of one routine-use answer
constexpr auto kClockSkew = chr::minutes(5);  // a given time this far ahead of ours is accepted

bool is_officer(const model::Principal& who) {
  using model::Role;
  return who.role == Role::province_admin || who.role == Role::province_officer ||
         who.role == Role::city_officer || who.role == Role::county_officer;
}

const char* officer_level(model::Role r) {
  switch (r) {
    case model::Role::county_officer:
      return "county";
    case model::Role::city_officer:
      return "city";
    default:
      return "province";
  }
}

void people_only(const model::Principal& who) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "patrol records are for people, not machine credentials");
}

void check_finding(const FindingInput& f, const std::string& at, core::SysTime started,
                   std::vector<FieldError>& errors) {
  if (f.description.empty()) errors.push_back({at + "/description", "is required"});
  if (!model::is_finding_severity(f.severity))
    errors.push_back({at + "/severity", "must be general, serious or major"});
  if (f.follow_up.empty()) errors.push_back({at + "/follow_up", "is required"});
  if (f.deadline <= started)
    errors.push_back({at + "/deadline", "must be after the patrol began"});
  else if (f.deadline > started + chr::hours(24) * kMaxDeadlineDays)
    errors.push_back({at + "/deadline", "at most 366 days after the patrol began"});
}

// The record's errors, all at once; otherwise when the patrol began: now, or for an on-site
// check recorded after the fact its given start.
core::SysTime checked_start(const PatrolStart& s, core::SysTime now) {
  std::vector<FieldError> errors;
  if (!model::is_patrol_kind(s.kind)) errors.push_back({"/kind", "must be online or onsite"});
  const auto& known = model::patrol_subjects();
  for (std::size_t i = 0; i < s.subjects.size(); ++i)
    if (std::find(known.begin(), known.end(), s.subjects[i]) == known.end())
      errors.push_back({"/subjects/" + std::to_string(i), "not a known subject"});
  auto started = now;
  if (s.started_at) {
    if (s.kind == "online")
      errors.push_back({"/started_at",
                        "an online patrol begins now; only an on-site check is "
                        "recorded after the fact"});
    else if (*s.started_at > now + kClockSkew)
      errors.push_back({"/started_at", "is in the future"});
    else if (*s.started_at < now - chr::hours(24) * kMaxBackdateDays)
      errors.push_back({"/started_at", "at most 30 days ago"});
    else
      started = std::min(*s.started_at, now);
  }
  if (s.ended_at) {
    if (s.kind == "online")
      errors.push_back({"/ended_at", "an online patrol is ended with POST …/end"});
    else if (*s.ended_at < started)
      errors.push_back({"/ended_at", "must not be before started_at"});
    else if (*s.ended_at > now + kClockSkew)
      errors.push_back({"/ended_at", "is in the future"});
  }
  if (s.findings.size() > kMaxFindings) errors.push_back({"/findings", "at most 50 findings"});
  for (std::size_t i = 0; i < s.findings.size() && i < kMaxFindings; ++i)
    check_finding(s.findings[i], "/findings/" + std::to_string(i), started, errors);
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the patrol record is not valid", std::move(errors));
  return started;
}

model::PatrolFinding finding_row(long long patrol_id, const std::string& company_code,
                                 const FindingInput& f, core::SysTime now,
                                 const model::Principal& who) {
  model::PatrolFinding row;
  row.patrol_id = patrol_id;
  row.company_code = company_code;
  row.description = f.description;
  row.severity = f.severity;
  row.follow_up = f.follow_up;
  row.deadline = f.deadline;
  row.created_at = now;
  row.created_by = who.name;
  return row;
}

storage::BeijingDay day_or_throw(const std::string& day, const char* what) {
  auto d = storage::parse_day(day);
  if (!d) throw Error(Errc::bad_request, std::string(what) + " must be a date YYYY-MM-DD");
  return *d;
}
}  // namespace

core::SysTime beijing_day_bound(const std::string& day, const char* key, bool end) {
  return storage::beijing_day_start(day_or_throw(day, key) + (end ? 1 : 0));
}

PatrolService::PatrolService(storage::Database& db, const core::Clock& clock)
    : db_(db), clock_(clock) {}

std::string PatrolService::today() const {
  return storage::format_day(storage::beijing_day_of(clock_.now()));
}

model::Patrol PatrolService::start(const model::Principal& who, const PatrolStart& s) {
  people_only(who);
  if (!is_officer(who))
    throw Error(Errc::forbidden,
                "patrols and spot checks are made by county, city or province "
                "officers");
  auto now = clock_.now();
  auto started = checked_start(s, now);

  auto id = db_.in_tx([&](storage::Tx& tx) {
    auto ent = store_.enterprise(tx, who.scope, s.company_code);
    if (!ent)
      throw Error(Errc::validation_failed, "no such enterprise",
                  {{"/company_code", "no such enterprise"}});
    model::Patrol p;
    p.company_code = s.company_code;
    p.kind = s.kind;
    p.officer_id = who.id;
    p.officer_name = who.name;
    p.officer_level = officer_level(who.role);
    p.officer_region = who.scope.kind == model::ScopeKind::region ? who.scope.region_code : "";
    p.started_at = started;
    if (s.ended_at) p.ended_at = std::max(started, std::min(*s.ended_at, now));
    p.subjects = s.subjects;
    p.summary = s.summary;
    long long pid = 0;
    try {
      pid = store_.insert(tx, p);
    } catch (const storage::ConflictError&) {
      throw Error(Errc::conflict, "you already have a patrol of this enterprise in progress");
    }
    for (const auto& f : s.findings)
      store_.insert_finding(tx, finding_row(pid, s.company_code, f, now, who));
    return pid;
  });
  core::logger(core::LogModule::service)
      ->info("patrol started id={} company_code={} kind={} officer={}", id, s.company_code, s.kind,
             who.name);
  return get(who, id);
}

model::PatrolFinding PatrolService::add_finding(const model::Principal& who, long long patrol_id,
                                                const FindingInput& f) {
  people_only(who);
  if (!is_officer(who))
    throw Error(Errc::forbidden, "findings are recorded by the officer who patrols");
  auto now = clock_.now();
  auto id = db_.in_tx([&](storage::Tx& tx) {
    auto p = store_.patrol(tx, who.scope, patrol_id, now, false, true);
    if (!p) throw Error(Errc::not_found, "no such patrol");
    if (p->officer_name != who.name)
      throw Error(Errc::forbidden, "only the officer of the patrol records its findings");
    if (p->ended_at) throw Error(Errc::conflict, "the patrol has ended");
    std::vector<FieldError> errors;
    check_finding(f, "", std::max(p->started_at, now), errors);
    if (!errors.empty())
      throw Error(Errc::validation_failed, "the finding is not valid", std::move(errors));
    return store_.insert_finding(tx, finding_row(patrol_id, p->company_code, f, now, who));
  });
  return db_.in_tx([&](storage::Tx& tx) { return *store_.finding(tx, who.scope, id, now, false); });
}

model::Patrol PatrolService::end(const model::Principal& who, long long patrol_id,
                                 const std::optional<std::string>& summary) {
  people_only(who);
  auto now = clock_.now();
  db_.in_tx([&](storage::Tx& tx) {
    auto p = store_.patrol(tx, who.scope, patrol_id, now, false, true);
    if (!p) throw Error(Errc::not_found, "no such patrol");
    if (p->officer_name != who.name)
      throw Error(Errc::forbidden, "only the officer of the patrol ends it");
    if (p->ended_at) throw Error(Errc::conflict, "the patrol has already ended");
    store_.end(tx, patrol_id, std::max(now, p->started_at), summary);
  });
  return get(who, patrol_id);
}

storage::PatrolPage PatrolService::list(const model::Principal& who, const storage::PatrolFilter& f,
                                        int limit, long long offset) {
  people_only(who);
  if (f.kind && !model::is_patrol_kind(*f.kind))
    throw Error(Errc::bad_request, "kind must be online or onsite");
  return db_.in_tx([&](storage::Tx& tx) {
    if (f.company_code && !store_.enterprise(tx, who.scope, *f.company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.list(tx, who.scope, f, limit, offset);
  });
}

model::Patrol PatrolService::get(const model::Principal& who, long long id) {
  people_only(who);
  auto now = clock_.now();
  auto p = db_.in_tx(
      [&](storage::Tx& tx) { return store_.patrol(tx, who.scope, id, now, true, false); });
  if (!p) throw Error(Errc::not_found, "no such patrol");
  return *p;
}

storage::FindingPage PatrolService::findings(const model::Principal& who,
                                             const storage::FindingFilter& f, int limit,
                                             long long offset) {
  people_only(who);
  if (f.state && *f.state != "open" && *f.state != "answered" && *f.state != "closed")
    throw Error(Errc::bad_request, "state must be open, answered or closed");
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    if (f.company_code && !store_.enterprise(tx, who.scope, *f.company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.findings(tx, who.scope, f, now, limit, offset);
  });
}

model::PatrolFinding PatrolService::reply(const model::Principal& who, long long finding_id,
                                          const std::string& text) {
  people_only(who);
  if (who.role != model::Role::enterprise_user)
    throw Error(Errc::forbidden, "a finding is answered by the enterprise's own users");
  if (text.empty())
    throw Error(Errc::validation_failed, "the reply is empty", {{"/reply", "is required"}});
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto f = store_.finding(tx, who.scope, finding_id, now, true);
    if (!f) throw Error(Errc::not_found, "no such finding");
    if (f->state != "open")
      throw Error(Errc::conflict,
                  "only an open finding is answered (this one is " + f->state + ")");
    store_.reply(tx, finding_id, text, who.name, now);
    return *store_.finding(tx, who.scope, finding_id, now, false);
  });
}

model::PatrolFinding PatrolService::confirm(const model::Principal& who, long long finding_id,
                                            bool accept, const std::string& note) {
  people_only(who);
  if (!is_officer(who))
    throw Error(Errc::forbidden, "a finding is closed by an officer's confirmation");
  if (!accept && note.empty())
    throw Error(Errc::validation_failed, "say why the reply is not accepted",
                {{"/note", "is required when accept is false"}});
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto f = store_.finding(tx, who.scope, finding_id, now, true);
    if (!f) throw Error(Errc::not_found, "no such finding");
    if (f->state != "answered")
      throw Error(Errc::conflict,
                  "only an answered finding is confirmed (this one is " + f->state + ")");
    store_.confirm(tx, finding_id, accept, note, who.name, now);
    return *store_.finding(tx, who.scope, finding_id, now, false);
  });
}

model::DutyCheckin PatrolService::check_in(const model::Principal& who,
                                           const std::string& duty_person,
                                           const std::string& note) {
  people_only(who);
  if (who.role != model::Role::enterprise_user || who.scope.kind != model::ScopeKind::enterprise)
    throw Error(Errc::forbidden, "duty check-in (值班签到) is the enterprise's own users'");
  if (duty_person.empty())
    throw Error(Errc::validation_failed, "who is on duty?", {{"/duty_person", "is required"}});
  model::DutyCheckin c;
  c.company_code = who.scope.company_code;
  c.at = clock_.now();
  c.day = storage::format_day(storage::beijing_day_of(c.at));
  c.username = who.name;
  c.duty_person = duty_person;
  c.note = note;
  c.id = db_.in_tx([&](storage::Tx& tx) { return store_.insert_checkin(tx, c, who.id); });
  return c;
}

std::vector<model::DutyCheckin> PatrolService::checkins(
    const model::Principal& who, const std::string& day,
    const std::optional<std::string>& company_code) {
  people_only(who);
  auto d = day.empty() ? today() : storage::format_day(day_or_throw(day, "day"));
  return db_.in_tx([&](storage::Tx& tx) {
    if (company_code && !store_.enterprise(tx, who.scope, *company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.checkins(tx, who.scope, d, company_code, 1000);
  });
}

storage::RoutineUsePage PatrolService::routine_use(const model::Principal& who,
                                                   const std::string& from_day,
                                                   const std::string& to_day,
                                                   const std::optional<std::string>& company_code,
                                                   int limit, long long offset) {
  people_only(who);
  auto today_d = storage::beijing_day_of(clock_.now());
  auto to = to_day.empty() ? today_d : day_or_throw(to_day, "to");
  auto from = from_day.empty() ? to : day_or_throw(from_day, "from");
  if (to > today_d)
    throw Error(Errc::validation_failed, "to is after today (Beijing time)",
                {{"/to", "after today"}});
  if (from > to) throw Error(Errc::validation_failed, "from is after to", {{"/from", "after to"}});
  if (to - from >= kMaxRoutineUseDays)
    throw Error(Errc::validation_failed, "at most 31 days",
                {{"/from", "at most 31 days before to"}});
  return db_.in_tx([&](storage::Tx& tx) {
    if (company_code && !store_.enterprise(tx, who.scope, *company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.routine_use(tx, who.scope, storage::format_day(from), storage::format_day(to),
                              company_code, limit, offset);
  });
}

}  // namespace hazmon::service
