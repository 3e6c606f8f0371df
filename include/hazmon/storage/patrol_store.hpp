#pragma once
// Where the five systems' own records are stored (migration 0024; docs/five-systems.md):
// `patrol` and `patrol_finding` (分级巡查抽查), `duty_checkin` (值班签到); and the reads that
// derive an enterprise's routine use (企业端日常使用) per Beijing day and the per-enterprise
// figures of the five-systems statistics. Everything runs in the caller's transaction and is
// cut by the caller's scope; service::PatrolService and service::StatisticsService hold the
// rules.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/patrol.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

struct PatrolEnterprise {
  std::string company_code, name, region_code;
};

struct PatrolFilter {
  std::optional<std::string> company_code, kind, officer;
  std::optional<bool> in_progress;
  std::optional<core::SysTime> from, to;  // started_at in [from, to)
};

struct PatrolPage {
  std::vector<model::Patrol> items;
  long long total = 0;
};

struct FindingFilter {
  std::optional<std::string> company_code, state;
  std::optional<bool> overdue;
  std::optional<long long> patrol_id;
};

struct FindingPage {
  std::vector<model::PatrolFinding> items;
  long long total = 0;
};

struct RoutineUsePage {
  std::vector<model::RoutineUseDay> items;
  long long total = 0;
};

// One enterprise's figures for the five-systems statistics over [from, to).
struct FiveSystemsEnterprise {
  std::string company_code, name, region_code;
  std::optional<std::string> county_name, city_name;
  bool expected = false;  // active, operating, with an active major hazard source
  long long patrols = 0, patrols_online = 0, patrols_onsite = 0;
  long long findings = 0, findings_closed = 0, findings_answered = 0, findings_open = 0,
            findings_overdue = 0;
  long long dq_period_s = 0, dq_online_s = 0;
  long long logins = 0, login_days = 0, commitments = 0, commitments_late = 0, checkins = 0,
            checkin_days = 0, feedbacks = 0;
};

// An enterprise named by a circular (信息通报, H7's migration 0025) published in the period.
struct CircularNotice {
  std::string company_code;
  long long circular_id = 0;
  bool acknowledged = false;
  bool overdue = false;  // not acknowledged and past the circular's ack_deadline
  bool late = false;     // acknowledged after the circular's ack_deadline
};

class PatrolStore {
 public:
  // The enterprise, if active and inside the scope.
  std::optional<PatrolEnterprise> enterprise(Tx& tx, const model::Scope& scope,
                                             const std::string& company_code) const;

  // Inserts the patrol (id ignored) and returns its id; ConflictError (patrol_one_open) when the
  // officer already has one of that enterprise in progress.
  long long insert(Tx& tx, const model::Patrol& p) const;
  long long insert_finding(Tx& tx, const model::PatrolFinding& f) const;
  // The patrol inside the scope, with its findings when `with_findings`; `lock`: FOR UPDATE.
  std::optional<model::Patrol> patrol(Tx& tx, const model::Scope& scope, long long id,
                                      core::SysTime now, bool with_findings, bool lock) const;
  void end(Tx& tx, long long id, core::SysTime at, const std::optional<std::string>& summary) const;
  PatrolPage list(Tx& tx, const model::Scope& scope, const PatrolFilter& f, int limit,
                  long long offset) const;

  std::optional<model::PatrolFinding> finding(Tx& tx, const model::Scope& scope, long long id,
                                              core::SysTime now, bool lock) const;
  FindingPage findings(Tx& tx, const model::Scope& scope, const FindingFilter& f, core::SysTime now,
                       int limit, long long offset) const;
  void reply(Tx& tx, long long id, const std::string& text, const std::string& by,
             core::SysTime at) const;
  // accept: answered → closed; otherwise back to open with the note, rejections + 1.
  void confirm(Tx& tx, long long id, bool accept, const std::string& note, const std::string& by,
               core::SysTime at) const;

  long long insert_checkin(Tx& tx, const model::DutyCheckin& c, long long user_id) const;
  std::vector<model::DutyCheckin> checkins(Tx& tx, const model::Scope& scope,
                                           const std::string& day,
                                           const std::optional<std::string>& company_code,
                                           int limit) const;

  // Every active enterprise inside the scope (optionally one) for each Beijing day of
  // [from_day, to_day], most recent day first, then by code.
  RoutineUsePage routine_use(Tx& tx, const model::Scope& scope, const std::string& from_day,
                             const std::string& to_day,
                             const std::optional<std::string>& company_code, int limit,
                             long long offset) const;

  // Per active enterprise inside the scope (region_code: a city or county prefix; company_code:
  // one) over [from, to) (Beijing days [from_day, to_day) for the day-based figures).
  std::vector<FiveSystemsEnterprise> five_systems(Tx& tx, const model::Scope& scope,
                                                  const std::string& region_code,
                                                  const std::string& company_code,
                                                  core::SysTime from, core::SysTime to,
                                                  core::SysTime now) const;
  // The enterprises (same cut as five_systems) named by circulars published in [from, to);
  // nullopt while the circular tables do not exist.
  std::optional<std::vector<CircularNotice>> circular_notices(Tx& tx, const model::Scope& scope,
                                                              const std::string& region_code,
                                                              const std::string& company_code,
                                                              core::SysTime from, core::SysTime to,
                                                              core::SysTime now) const;
};

}  // namespace hazmon::storage
