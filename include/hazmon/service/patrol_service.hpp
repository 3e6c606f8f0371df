#pragma once
// Two of the five systems' records (五项制度, issue 12; docs/five-systems.md).
// - Patrols and spot checks (分级巡查抽查): a county, city or province officer patrols an
//   enterprise inside his scope, online from the dashboard (线上巡查: he starts it, looks at live
//   data and video, records findings, ends it) or on site (现场抽查, recorded after the fact).
//   Each finding demands a follow-up by a deadline; the enterprise answers, an officer confirms
//   (closed) or sends it back. An unanswered finding past its deadline is overdue.
// - Routine use (企业端日常使用) per enterprise and Beijing day, derived from logins, commitment
//   filings, feedback on warnings and duty check-ins (值班签到, filed here).
// People only: machine credentials get 403.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/patrol.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/patrol_store.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct FindingInput {
  std::string description, severity, follow_up;
  core::SysTime deadline{};
};

struct PatrolStart {
  std::string company_code, kind;
  std::vector<std::string> subjects;
  std::string summary;
  // On-site checks only, recorded after the fact: when it began (default now) and, if over,
  // when it ended.
  std::optional<core::SysTime> started_at, ended_at;
  std::vector<FindingInput> findings;
};

// 00:00 Beijing time of a date YYYY-MM-DD (of the next day when `end`, for an inclusive end);
// 400 naming `key` otherwise.
core::SysTime beijing_day_bound(const std::string& day, const char* key, bool end);

class PatrolService {
 public:
  PatrolService(storage::Database& db, const core::Clock& clock);

  // Officers (county, city, province, and the province admin) inside their scope; the
  // enterprise unknown or outside it is 422 on /company_code. Checks the kind, subjects, times
  // and findings (422 with pointers). An online patrol of the same officer and enterprise still
  // in progress is 409.
  model::Patrol start(const model::Principal& who, const PatrolStart& s);
  // The patrol's own officer while it is in progress (409 after it ended, 403 for another).
  model::PatrolFinding add_finding(const model::Principal& who, long long patrol_id,
                                   const FindingInput& f);
  model::Patrol end(const model::Principal& who, long long patrol_id,
                    const std::optional<std::string>& summary);
  storage::PatrolPage list(const model::Principal& who, const storage::PatrolFilter& f, int limit,
                           long long offset);
  model::Patrol get(const model::Principal& who, long long id);
  storage::FindingPage findings(const model::Principal& who, const storage::FindingFilter& f,
                                int limit, long long offset);
  // The enterprise's own users answer a finding that is open (409 otherwise).
  model::PatrolFinding reply(const model::Principal& who, long long finding_id,
                             const std::string& text);
  // An officer inside the scope accepts an answered finding (closed) or sends it back (open;
  // the note is required). 409 unless answered.
  model::PatrolFinding confirm(const model::Principal& who, long long finding_id, bool accept,
                               const std::string& note);

  // 值班签到 by an enterprise user for his enterprise, now.
  model::DutyCheckin check_in(const model::Principal& who, const std::string& duty_person,
                              const std::string& note);
  std::vector<model::DutyCheckin> checkins(const model::Principal& who, const std::string& day,
                                           const std::optional<std::string>& company_code);

  // Per enterprise inside the scope and Beijing day of [from_day, to_day] (at most 31 days, not
  // after today; default today).
  storage::RoutineUsePage routine_use(const model::Principal& who, const std::string& from_day,
                                      const std::string& to_day,
                                      const std::optional<std::string>& company_code, int limit,
                                      long long offset);

  std::string today() const;

 private:
  storage::Database& db_;
  const core::Clock& clock_;
  storage::PatrolStore store_;
};

}  // namespace hazmon::service
