#include <hazmon/storage/patrol_store.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/data_quality_store.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

namespace {
// The Beijing day of a timestamptz column.
std::string bj_day(const std::string& col) {
  return "(" + col + " AT TIME ZONE 'UTC' + interval '8 hours')::date";
}
// 00:00 Beijing time of a date parameter, as timestamptz.
std::string bj_start(const std::string& param) {
  return "((" + param + "::date::timestamp - interval '8 hours') AT TIME ZONE 'UTC')";
}

constexpr const char* kPatrolColumns =
    "p.id, p.company_code, e.name AS company_name, e.region_code, p.kind, "
    "coalesce(p.officer_id, 0) AS officer_id, p.officer_name, p.officer_level, p.officer_region, "
    "p.started_at, p.ended_at, "
    "array_to_string(ARRAY(SELECT jsonb_array_elements_text(p.subjects)), ',') AS subjects, "
    "p.summary, "
    "(SELECT count(*) FROM patrol_finding f WHERE f.patrol_id = p.id) AS findings, "
    "(SELECT count(*) FROM patrol_finding f WHERE f.patrol_id = p.id AND f.state <> 'closed') "
    "AS findings_open";

model::Patrol patrol_of(const Row& r) {
  model::Patrol p;
  p.id = r.get<long long>("id");
  p.company_code = r.get<std::string>("company_code");
  p.company_name = r.get<std::string>("company_name");
  p.region_code = r.get<std::string>("region_code");
  p.kind = r.get<std::string>("kind");
  p.officer_id = r.get<long long>("officer_id");
  p.officer_name = r.get<std::string>("officer_name");
  p.officer_level = r.get<std::string>("officer_level");
  p.officer_region = r.get<std::string>("officer_region");
  p.started_at = r.get<core::SysTime>("started_at");
  p.ended_at = r.get<std::optional<core::SysTime>>("ended_at");
  auto subjects = r.get<std::string>("subjects");
  std::size_t at = 0;
  while (!subjects.empty() && at <= subjects.size()) {
    auto comma = subjects.find(',', at);
    if (comma == std::string::npos) comma = subjects.size();
    p.subjects.push_back(subjects.substr(at, comma - at));
    at = comma + 1;
  }
  p.summary = r.get<std::string>("summary");
  p.findings = r.get<long long>("findings");
  p.findings_open = r.get<long long>("findings_open");
  return p;
}

// `$now` is the placeholder of the time that decides overdue.
std::string finding_columns(const std::string& now) {
  return "f.id, f.patrol_id, f.company_code, f.description, f.severity, f.follow_up, f.deadline, "
         "f.state, f.created_at, f.created_by, f.reply, f.replied_at, f.replied_by, f.closed_at, "
         "f.closed_by, f.close_note, f.rejections, (f.state = 'open' AND f.deadline < " +
         now + "::timestamptz) AS overdue";
}

model::PatrolFinding finding_of(const Row& r) {
  model::PatrolFinding f;
  f.id = r.get<long long>("id");
  f.patrol_id = r.get<long long>("patrol_id");
  f.company_code = r.get<std::string>("company_code");
  f.description = r.get<std::string>("description");
  f.severity = r.get<std::string>("severity");
  f.follow_up = r.get<std::string>("follow_up");
  f.deadline = r.get<core::SysTime>("deadline");
  f.state = r.get<std::string>("state");
  f.created_at = r.get<core::SysTime>("created_at");
  f.created_by = r.get<std::string>("created_by");
  f.reply = r.get<std::optional<std::string>>("reply");
  f.replied_at = r.get<std::optional<core::SysTime>>("replied_at");
  f.replied_by = r.get<std::optional<std::string>>("replied_by");
  f.closed_at = r.get<std::optional<core::SysTime>>("closed_at");
  f.closed_by = r.get<std::optional<std::string>>("closed_by");
  f.close_note = r.get<std::optional<std::string>>("close_note");
  f.rejections = r.get<int>("rejections");
  f.overdue = r.get<bool>("overdue");
  return f;
}

std::string subjects_json(const std::vector<std::string>& subjects) {
  // The subjects come from model::patrol_subjects(): plain ASCII words, nothing to escape.
  std::string out = "[";
  for (std::size_t i = 0; i < subjects.size(); ++i) out += (i ? ",\"" : "\"") + subjects[i] + "\"";
  return out + "]";
}
}  // namespace

std::optional<PatrolEnterprise> PatrolStore::enterprise(Tx& tx, const model::Scope& scope,
                                                        const std::string& company_code) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  auto r = tx.query(
      "SELECT e.company_code, e.name, e.region_code FROM enterprise e "
      "WHERE e.company_code = $1 AND e.is_active AND " +
          where,
      p);
  if (r.empty()) return std::nullopt;
  return PatrolEnterprise{r[0].get<std::string>("company_code"), r[0].get<std::string>("name"),
                          r[0].get<std::string>("region_code")};
}

long long PatrolStore::insert(Tx& tx, const model::Patrol& p) const {
  Params ps{p.company_code,
            p.kind,
            p.officer_id ? Param(std::to_string(p.officer_id)) : std::nullopt,
            p.officer_name,
            p.officer_level,
            p.officer_region,
            format_timestamptz(p.started_at),
            p.ended_at ? Param(format_timestamptz(*p.ended_at)) : std::nullopt,
            subjects_json(p.subjects),
            p.summary};
  return *tx.one<long long>(
      "INSERT INTO patrol (company_code, kind, officer_id, officer_name, officer_level, "
      "officer_region, started_at, ended_at, subjects, summary) VALUES ($1, $2, $3::bigint, $4, "
      "$5, $6, $7::timestamptz, $8::timestamptz, $9::jsonb, $10) RETURNING id",
      ps);
}

long long PatrolStore::insert_finding(Tx& tx, const model::PatrolFinding& f) const {
  return *tx.one<long long>(
      "INSERT INTO patrol_finding (patrol_id, company_code, description, severity, follow_up, "
      "deadline, created_at, created_by) VALUES ($1::bigint, $2, $3, $4, $5, $6::timestamptz, "
      "$7::timestamptz, $8) RETURNING id",
      {std::to_string(f.patrol_id), f.company_code, f.description, f.severity, f.follow_up,
       format_timestamptz(f.deadline), format_timestamptz(f.created_at), f.created_by});
}

std::optional<model::Patrol> PatrolStore::patrol(Tx& tx, const model::Scope& scope, long long id,
                                                 core::SysTime now, bool with_findings,
                                                 bool lock) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "p.company_code", "e.region_code", p);
  auto r = tx.query("SELECT " + std::string(kPatrolColumns) +
                        " FROM patrol p JOIN enterprise e USING (company_code) WHERE p.id = "
                        "$1::bigint AND " +
                        where + (lock ? " FOR UPDATE OF p" : ""),
                    p);
  if (r.empty()) return std::nullopt;
  auto out = patrol_of(r[0]);
  if (with_findings) {
    Params fp{std::to_string(id)};
    auto now_p = ph(fp, format_timestamptz(now));
    for (const auto& row :
         tx.query("SELECT " + finding_columns(now_p) +
                      " FROM patrol_finding f WHERE f.patrol_id = $1::bigint ORDER BY f.id",
                  fp))
      out.finding_list.push_back(finding_of(row));
  }
  return out;
}

void PatrolStore::end(Tx& tx, long long id, core::SysTime at,
                      const std::optional<std::string>& summary) const {
  tx.exec_count(
      "UPDATE patrol SET ended_at = $2::timestamptz, summary = coalesce($3, summary) "
      "WHERE id = $1::bigint",
      {std::to_string(id), format_timestamptz(at), summary});
}

PatrolPage PatrolStore::list(Tx& tx, const model::Scope& scope, const PatrolFilter& f, int limit,
                             long long offset) const {
  Params p;
  std::string where = scope_predicate(scope, "p.company_code", "e.region_code", p);
  if (f.company_code) where += " AND p.company_code = " + ph(p, *f.company_code);
  if (f.kind) where += " AND p.kind = " + ph(p, *f.kind);
  if (f.officer) where += " AND p.officer_name = " + ph(p, *f.officer);
  if (f.in_progress)
    where += *f.in_progress ? " AND p.ended_at IS NULL" : " AND p.ended_at IS NOT NULL";
  if (f.from)
    where += " AND p.started_at >= " + ph(p, format_timestamptz(*f.from)) + "::timestamptz";
  if (f.to) where += " AND p.started_at < " + ph(p, format_timestamptz(*f.to)) + "::timestamptz";
  auto lim = ph(p, std::to_string(limit));
  auto off = ph(p, std::to_string(offset));
  auto r = tx.query("SELECT " + std::string(kPatrolColumns) +
                        ", count(*) OVER () AS total FROM patrol p JOIN enterprise e USING "
                        "(company_code) WHERE " +
                        where + " ORDER BY p.started_at DESC, p.id DESC LIMIT " + lim +
                        "::int OFFSET " + off + "::bigint",
                    p);
  PatrolPage page;
  for (const auto& row : r) {
    page.items.push_back(patrol_of(row));
    page.total = row.get<long long>("total");
  }
  return page;
}

std::optional<model::PatrolFinding> PatrolStore::finding(Tx& tx, const model::Scope& scope,
                                                         long long id, core::SysTime now,
                                                         bool lock) const {
  Params p{std::to_string(id)};
  auto now_p = ph(p, format_timestamptz(now));
  auto where = scope_predicate(scope, "f.company_code", "e.region_code", p);
  auto r = tx.query("SELECT " + finding_columns(now_p) +
                        " FROM patrol_finding f JOIN enterprise e USING (company_code) WHERE "
                        "f.id = $1::bigint AND " +
                        where + (lock ? " FOR UPDATE OF f" : ""),
                    p);
  if (r.empty()) return std::nullopt;
  return finding_of(r[0]);
}

FindingPage PatrolStore::findings(Tx& tx, const model::Scope& scope, const FindingFilter& f,
                                  core::SysTime now, int limit, long long offset) const {
  Params p;
  auto now_p = ph(p, format_timestamptz(now));
  std::string where = scope_predicate(scope, "f.company_code", "e.region_code", p);
  if (f.company_code) where += " AND f.company_code = " + ph(p, *f.company_code);
  if (f.state) where += " AND f.state = " + ph(p, *f.state);
  if (f.patrol_id)
    where += " AND f.patrol_id = " + ph(p, std::to_string(*f.patrol_id)) + "::bigint";
  if (f.overdue)
    where += std::string(*f.overdue ? " AND " : " AND NOT ") +
             "(f.state = 'open' AND f.deadline < " + now_p + "::timestamptz)";
  auto lim = ph(p, std::to_string(limit));
  auto off = ph(p, std::to_string(offset));
  auto r = tx.query("SELECT " + finding_columns(now_p) +
                        ", e.name AS company_name, count(*) OVER () AS total FROM patrol_finding "
                        "f JOIN enterprise e USING (company_code) WHERE " +
                        where + " ORDER BY f.deadline, f.id LIMIT " + lim + "::int OFFSET " + off +
                        "::bigint",
                    p);
  FindingPage page;
  for (const auto& row : r) {
    page.items.push_back(finding_of(row));
    page.total = row.get<long long>("total");
  }
  return page;
}

void PatrolStore::reply(Tx& tx, long long id, const std::string& text, const std::string& by,
                        core::SysTime at) const {
  tx.exec_count(
      "UPDATE patrol_finding SET state = 'answered', reply = $2, replied_by = $3, "
      "replied_at = $4::timestamptz WHERE id = $1::bigint",
      {std::to_string(id), text, by, format_timestamptz(at)});
}

void PatrolStore::confirm(Tx& tx, long long id, bool accept, const std::string& note,
                          const std::string& by, core::SysTime at) const {
  if (accept)
    tx.exec_count(
        "UPDATE patrol_finding SET state = 'closed', closed_at = $2::timestamptz, closed_by = $3, "
        "close_note = $4 WHERE id = $1::bigint",
        {std::to_string(id), format_timestamptz(at), by, note});
  else
    tx.exec_count(
        "UPDATE patrol_finding SET state = 'open', close_note = $2, rejections = rejections + 1 "
        "WHERE id = $1::bigint",
        {std::to_string(id), note});
}

long long PatrolStore::insert_checkin(Tx& tx, const model::DutyCheckin& c,
                                      long long user_id) const {
  return *tx.one<long long>(
      "INSERT INTO duty_checkin (company_code, day, at, user_id, username, duty_person, note) "
      "VALUES ($1, $2::date, $3::timestamptz, $4::bigint, $5, $6, $7) RETURNING id",
      {c.company_code, c.day, format_timestamptz(c.at),
       user_id ? Param(std::to_string(user_id)) : std::nullopt, c.username, c.duty_person, c.note});
}

std::vector<model::DutyCheckin> PatrolStore::checkins(
    Tx& tx, const model::Scope& scope, const std::string& day,
    const std::optional<std::string>& company_code, int limit) const {
  Params p{day};
  std::string where = scope_predicate(scope, "c.company_code", "e.region_code", p);
  if (company_code) where += " AND c.company_code = " + ph(p, *company_code);
  auto lim = ph(p, std::to_string(limit));
  std::vector<model::DutyCheckin> out;
  for (const auto& r :
       tx.query("SELECT c.id, c.company_code, c.day::text AS day, c.at, c.username, "
                "c.duty_person, c.note FROM duty_checkin c JOIN enterprise e USING "
                "(company_code) WHERE c.day = $1::date AND " +
                    where + " ORDER BY c.at DESC, c.id DESC LIMIT " + lim + "::int",
                p)) {
    model::DutyCheckin c;
    c.id = r.get<long long>("id");
    c.company_code = r.get<std::string>("company_code");
    c.day = r.get<std::string>("day");
    c.at = r.get<core::SysTime>("at");
    c.username = r.get<std::string>("username");
    c.duty_person = r.get<std::string>("duty_person");
    c.note = r.get<std::string>("note");
    out.push_back(std::move(c));
  }
  return out;
}

namespace {
// One row per day and enterprise of `ents` (where: the scope's predicate on `e`), with the
// days $1 to $2 as a constant series of `ndays`.
std::string routine_use_sql(const std::string& where, long long ndays, const std::string& lim,
                            const std::string& off) {
  const std::string start = bj_start("$1");
  const std::string end = "(" + bj_start("$2") + " + interval '1 day')";
  // The enterprise's feedback on its warning events: the first push before it gives the time
  // it took and the deadline in force (the push's, as the disposal statistics read it).
  return "WITH ents AS (SELECT e.company_code, e.name, e.region_code FROM enterprise e WHERE "
         "e.is_active AND " +
         where + "), days AS (SELECT $1::date + i AS day FROM generate_series(0, " +
         std::to_string(ndays - 1) +
         ") i), "
         "lg AS (SELECT u.scope_code AS company_code, " +
         bj_day("a.at") +
         " AS day, count(*) AS logins, count(DISTINCT a.actor_id) AS users FROM audit_log a JOIN "
         "app_user u ON u.id = a.actor_id WHERE a.action = 'auth.login' AND a.status = 200 AND "
         "u.scope_kind = 'enterprise' AND a.at >= " +
         start + " AND a.at < " + end +
         " GROUP BY 1, 2), "
         "fb AS (SELECT w.company_code, " +
         bj_day("r.at") +
         " AS day, count(*) AS feedbacks, count(*) FILTER (WHERE q.deadline IS NOT NULL AND r.at "
         "<= "
         "q.deadline) AS on_time, avg(extract(epoch FROM r.at - q.pushed_at)) / 60 AS avg_minutes "
         "FROM disposal_record r JOIN warning_event w ON w.id = r.event_id LEFT JOIN LATERAL "
         "(SELECT "
         "min(x.at) FILTER (WHERE x.action = 'push') AS pushed_at, min(x.deadline_ts) FILTER "
         "(WHERE "
         "x.to_status = 'pushed') AS deadline FROM disposal_record x WHERE x.event_id = r.event_id "
         "AND x.at <= r.at) q ON true WHERE r.action = 'feedback' AND r.at >= " +
         start + " AND r.at < " + end +
         " GROUP BY 1, 2), "
         "ck AS (SELECT company_code, day, count(*) AS checkins, min(at) AS first_at FROM "
         "duty_checkin WHERE day BETWEEN $1::date AND $2::date GROUP BY 1, 2), "
         "cm AS (SELECT id, company_code, day, late, committed_at FROM safety_commitment WHERE day "
         "BETWEEN $1::date AND $2::date) "
         "SELECT d.day::text AS day, ents.company_code, ents.name, ents.region_code, "
         "coalesce(lg.logins, 0) AS logins, coalesce(lg.users, 0) AS login_users, c.id IS NOT NULL "
         "AS committed, coalesce(c.late, false) AS late, c.committed_at, coalesce(fb.feedbacks, 0) "
         "AS feedbacks, coalesce(fb.on_time, 0) AS on_time, fb.avg_minutes, coalesce(ck.checkins, "
         "0) AS checkins, ck.first_at "
         "FROM days d CROSS JOIN ents "
         "LEFT JOIN lg ON lg.company_code = ents.company_code AND lg.day = d.day "
         "LEFT JOIN cm c ON c.company_code = ents.company_code AND c.day = d.day "
         "LEFT JOIN fb ON fb.company_code = ents.company_code AND fb.day = d.day "
         "LEFT JOIN ck ON ck.company_code = ents.company_code AND ck.day = d.day "
         "ORDER BY d.day DESC, ents.company_code LIMIT " +
         lim + "::int OFFSET " + off + "::bigint";
}

model::RoutineUseDay routine_use_of(const Row& r) {
  model::RoutineUseDay u;
  u.day = r.get<std::string>("day");
  u.company_code = r.get<std::string>("company_code");
  u.company_name = r.get<std::string>("name");
  u.region_code = r.get<std::string>("region_code");
  u.logins = r.get<long long>("logins");
  u.login_users = r.get<long long>("login_users");
  u.committed = r.get<bool>("committed");
  u.commitment_late = r.get<bool>("late");
  u.committed_at = r.get<std::optional<core::SysTime>>("committed_at");
  u.feedbacks = r.get<long long>("feedbacks");
  u.feedbacks_on_time = r.get<long long>("on_time");
  u.feedback_avg_minutes = r.get<std::optional<double>>("avg_minutes");
  u.checkins = r.get<long long>("checkins");
  u.first_checkin_at = r.get<std::optional<core::SysTime>>("first_at");
  return u;
}

// Per enterprise of `ents` (where: the scope's predicate on `e`), its five systems' counts in
// [$1, $2), overdue findings by $3.
std::string five_systems_sql(const std::string& where) {
  // Days: the Beijing days that [from, to) covers ($1 and $2 fall on Beijing midnights for
  // day-based ranges).
  const std::string d1 = bj_day("$1::timestamptz");
  const std::string d2 = bj_day("$2::timestamptz");
  return "WITH ents AS (SELECT e.company_code, e.name, e.region_code, "
         "(e.status = 'operating' AND EXISTS (SELECT 1 FROM hazard_source h WHERE h.company_code = "
         "e.company_code AND h.is_active)) AS expected FROM enterprise e WHERE e.is_active AND " +
         where +
         "), "
         "pt AS (SELECT company_code, count(*) AS n, count(*) FILTER (WHERE kind = 'online') AS "
         "online, count(*) FILTER (WHERE kind = 'onsite') AS onsite FROM patrol WHERE started_at "
         ">= "
         "$1::timestamptz AND started_at < $2::timestamptz GROUP BY 1), "
         "fd AS (SELECT company_code, count(*) AS n, count(*) FILTER (WHERE state = 'closed') AS "
         "closed, count(*) FILTER (WHERE state = 'answered') AS answered, count(*) FILTER (WHERE "
         "state = 'open') AS n_open, count(*) FILTER (WHERE state = 'open' AND deadline < "
         "$3::timestamptz) AS overdue FROM patrol_finding WHERE created_at >= $1::timestamptz AND "
         "created_at < $2::timestamptz GROUP BY 1), "
         "dq AS (SELECT company_code, sum(period_s) AS period_s, sum(online_s) AS online_s FROM "
         "data_quality_company_day WHERE day >= " +
         d1 + " AND day < " + d2 +
         " GROUP BY 1), "
         "lg AS (SELECT u.scope_code AS company_code, count(*) AS logins, count(DISTINCT " +
         bj_day("a.at") +
         ") AS days FROM audit_log a JOIN app_user u ON u.id = a.actor_id WHERE a.action = "
         "'auth.login' AND a.status = 200 AND u.scope_kind = 'enterprise' AND a.at >= "
         "$1::timestamptz AND a.at < $2::timestamptz GROUP BY 1), "
         "cm AS (SELECT company_code, count(*) AS n, count(*) FILTER (WHERE late) AS late FROM "
         "safety_commitment WHERE day >= " +
         d1 + " AND day < " + d2 +
         " GROUP BY 1), "
         "ck AS (SELECT company_code, count(*) AS n, count(DISTINCT day) AS days FROM duty_checkin "
         "WHERE at >= $1::timestamptz AND at < $2::timestamptz GROUP BY 1), "
         "fb AS (SELECT w.company_code, count(*) AS n FROM disposal_record r JOIN warning_event w "
         "ON "
         "w.id = r.event_id WHERE r.action = 'feedback' AND r.at >= $1::timestamptz AND r.at < "
         "$2::timestamptz GROUP BY 1) "
         "SELECT ents.company_code, ents.name, ents.region_code, ents.expected, rc.name AS "
         "county_name, cc.name AS city_name, "
         "coalesce(pt.n, 0) AS patrols, coalesce(pt.online, 0) AS online, coalesce(pt.onsite, 0) "
         "AS "
         "onsite, coalesce(fd.n, 0) AS findings, coalesce(fd.closed, 0) AS closed, "
         "coalesce(fd.answered, 0) AS answered, coalesce(fd.n_open, 0) AS open_n, "
         "coalesce(fd.overdue, "
         "0) AS overdue, coalesce(dq.period_s, 0) AS period_s, coalesce(dq.online_s, 0) AS "
         "online_s, "
         "coalesce(lg.logins, 0) AS logins, coalesce(lg.days, 0) AS login_days, coalesce(cm.n, 0) "
         "AS "
         "commitments, coalesce(cm.late, 0) AS late, coalesce(ck.n, 0) AS checkins, "
         "coalesce(ck.days, 0) AS checkin_days, coalesce(fb.n, 0) AS feedbacks "
         "FROM ents LEFT JOIN region rc ON rc.code = ents.region_code "
         "LEFT JOIN region cc ON cc.code = substr(ents.region_code, 1, 4) || '00' "
         "LEFT JOIN pt USING (company_code) LEFT JOIN fd USING (company_code) "
         "LEFT JOIN dq USING (company_code) LEFT JOIN lg USING (company_code) "
         "LEFT JOIN cm USING (company_code) LEFT JOIN ck USING (company_code) "
         "LEFT JOIN fb USING (company_code) ORDER BY ents.company_code";
}

FiveSystemsEnterprise five_systems_of(const Row& r) {
  FiveSystemsEnterprise x;
  x.company_code = r.get<std::string>("company_code");
  x.name = r.get<std::string>("name");
  x.region_code = r.get<std::string>("region_code");
  x.expected = r.get<bool>("expected");
  x.county_name = r.get<std::optional<std::string>>("county_name");
  x.city_name = r.get<std::optional<std::string>>("city_name");
  x.patrols = r.get<long long>("patrols");
  x.patrols_online = r.get<long long>("online");
  x.patrols_onsite = r.get<long long>("onsite");
  x.findings = r.get<long long>("findings");
  x.findings_closed = r.get<long long>("closed");
  x.findings_answered = r.get<long long>("answered");
  x.findings_open = r.get<long long>("open_n");
  x.findings_overdue = r.get<long long>("overdue");
  x.dq_period_s = r.get<long long>("period_s");
  x.dq_online_s = r.get<long long>("online_s");
  x.logins = r.get<long long>("logins");
  x.login_days = r.get<long long>("login_days");
  x.commitments = r.get<long long>("commitments");
  x.commitments_late = r.get<long long>("late");
  x.checkins = r.get<long long>("checkins");
  x.checkin_days = r.get<long long>("checkin_days");
  x.feedbacks = r.get<long long>("feedbacks");
  return x;
}
}  // namespace

RoutineUsePage PatrolStore::routine_use(Tx& tx, const model::Scope& scope,
                                        const std::string& from_day, const std::string& to_day,
                                        const std::optional<std::string>& company_code, int limit,
                                        long long offset) const {
  // The days as a constant series: the planner then knows how many enterprise-days there are
  // (a generate_series over parameters is guessed at 1,000 rows, and the plan built for 7
  // million of them took 3 to 5 s for one province day instead of 0.3 s; docs/five-systems.md).
  auto d1 = parse_day(from_day), d2 = parse_day(to_day);
  if (!d1 || !d2 || *d2 < *d1) throw core::Error(core::Errc::internal, "routine use: bad days");
  const long long ndays = *d2 - *d1 + 1;
  Params p{from_day, to_day};
  std::string where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  if (company_code) where += " AND e.company_code = " + ph(p, *company_code);
  auto lim = ph(p, std::to_string(limit));
  auto off = ph(p, std::to_string(offset));
  auto sql = routine_use_sql(where, ndays, lim, off);
  RoutineUsePage page;
  {
    Params cp;
    auto cw = scope_predicate(scope, "e.company_code", "e.region_code", cp);
    if (company_code) cw += " AND e.company_code = " + ph(cp, *company_code);
    page.total =
        *tx.one<long long>("SELECT count(*) FROM enterprise e WHERE e.is_active AND " + cw, cp) *
        ndays;
  }
  for (const auto& r : tx.query(sql, p)) {
    page.items.push_back(routine_use_of(r));
  }
  return page;
}

std::vector<FiveSystemsEnterprise> PatrolStore::five_systems(Tx& tx, const model::Scope& scope,
                                                             const std::string& region_code,
                                                             const std::string& company_code,
                                                             core::SysTime from, core::SysTime to,
                                                             core::SysTime now) const {
  Params p{format_timestamptz(from), format_timestamptz(to), format_timestamptz(now)};
  std::string where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  if (!region_code.empty())
    where += " AND e.region_code LIKE " + ph(p, model::region_prefix(region_code)) + " || '%'";
  if (!company_code.empty()) where += " AND e.company_code = " + ph(p, company_code);
  auto sql = five_systems_sql(where);
  std::vector<FiveSystemsEnterprise> out;
  for (const auto& r : tx.query(sql, p)) {
    out.push_back(five_systems_of(r));
  }
  return out;
}

std::optional<std::vector<CircularNotice>> PatrolStore::circular_notices(
    Tx& tx, const model::Scope& scope, const std::string& region_code,
    const std::string& company_code, core::SysTime from, core::SysTime to,
    core::SysTime now) const {
  // The circulars are H7's (migration 0025): read when their tables exist.
  if (!*tx.one<bool>("SELECT to_regclass('circular_recipient') IS NOT NULL")) return std::nullopt;
  Params p{format_timestamptz(from), format_timestamptz(to), format_timestamptz(now)};
  std::string where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  if (!region_code.empty())
    where += " AND e.region_code LIKE " + ph(p, model::region_prefix(region_code)) + " || '%'";
  if (!company_code.empty()) where += " AND e.company_code = " + ph(p, company_code);
  std::vector<CircularNotice> out;
  for (const auto& r : tx.query(
           "SELECT r.company_code, r.circular_id, r.acknowledged_at IS NOT NULL AS acknowledged, "
           "(r.acknowledged_at IS NULL AND c.ack_deadline < $3::timestamptz) AS overdue, "
           "coalesce(r.acknowledged_at > c.ack_deadline, false) AS late FROM "
           "circular_recipient r JOIN circular c ON c.id = r.circular_id JOIN enterprise e ON "
           "e.company_code = r.company_code WHERE c.state = 'published' AND c.published_at >= "
           "$1::timestamptz AND c.published_at < $2::timestamptz AND e.is_active AND " +
               where,
           p))
    out.push_back({r.get<std::string>("company_code"), r.get<long long>("circular_id"),
                   r.get<bool>("acknowledged"), r.get<bool>("overdue"), r.get<bool>("late")});
  return out;
}

}  // namespace hazmon::storage
