#include <hazmon/storage/warning_event_store.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

#include <cstdio>

namespace hazmon::storage {

template <>
struct RowDescription<model::WarningEvent> {
  using E = model::WarningEvent;
  static constexpr auto columns = std::make_tuple(
      column("id", &E::id), column("event_no", &E::event_no), column("source", &E::source),
      column("company_code", &E::company_code), column("company_name", &E::company_name),
      column("hazard_code", &E::hazard_code), column("hazard_name", &E::hazard_name),
      column("hazard_rank", &E::hazard_rank), column("prodcell_id", &E::prodcell_id),
      column("prodcell_name", &E::prodcell_name), column("county_code", &E::county_code),
      column("city_code", &E::city_code), column("level", &E::level),
      column("initial_level", &E::initial_level), column("rule_id", &E::rule_id),
      column("category", &E::category), column("content", &E::content),
      column("status", &E::status), column("first_ts", &E::first_ts),
      column("last_ts", &E::last_ts), column("deadline_ts", &E::deadline_ts),
      column("feedback_deadline_ts", &E::feedback_deadline_ts),
      column("check_deadline_ts", &E::check_deadline_ts),
      column("close_deadline_ts", &E::close_deadline_ts), column("overdue", &E::overdue),
      column("escalation_count", &E::escalation_count),
      column("feedback_cause", &E::feedback_cause),
      column("feedback_measures", &E::feedback_measures), column("closed_ts", &E::closed_ts));
};

template <>
struct RowDescription<model::WarningAlarmLink> {
  using L = model::WarningAlarmLink;
  static constexpr auto columns =
      std::make_tuple(column("alarm_id", &L::alarm_id), column("quota_code", &L::quota_code),
                      column("alarm_type", &L::alarm_type), column("start_ts", &L::start_ts),
                      column("value", &L::value), column("threshold", &L::threshold),
                      column("linked_at", &L::linked_at), column("end_ts", &L::end_ts),
                      column("peak_value", &L::peak_value), column("suppressed", &L::suppressed));
};

template <>
struct RowDescription<model::DisposalRecord> {
  using R = model::DisposalRecord;
  static constexpr auto columns = std::make_tuple(
      column("id", &R::id), column("at", &R::at), column("actor_id", &R::actor_id),
      column("actor_name", &R::actor_name), column("actor_role", &R::actor_role),
      column("user_role", &R::user_role), column("action", &R::action),
      column("from_status", &R::from_status), column("to_status", &R::to_status),
      column("level_before", &R::level_before), column("level_after", &R::level_after),
      column("cause", &R::cause), column("measures", &R::measures), column("text", &R::text),
      column("deadline_ts", &R::deadline_ts), column("overdue", &R::overdue));
};

template <>
struct RowDescription<EventStateRow> {
  using S = EventStateRow;
  static constexpr auto columns = std::make_tuple(
      column("id", &S::id), column("company_code", &S::company_code),
      column("hazard_code", &S::hazard_code), column("prodcell_id", &S::prodcell_id),
      column("source", &S::source), column("status", &S::status), column("level", &S::level),
      column("feedback_deadline_ts", &S::feedback_deadline_ts),
      column("check_deadline_ts", &S::check_deadline_ts),
      column("close_deadline_ts", &S::close_deadline_ts), column("overdue", &S::overdue),
      column("escalation_count", &S::escalation_count));
};

template <>
struct RowDescription<OpenSensorEvent> {
  using O = OpenSensorEvent;
  static constexpr auto columns = std::make_tuple(
      column("id", &O::id), column("company_code", &O::company_code),
      column("hazard_code", &O::hazard_code), column("prodcell_id", &O::prodcell_id),
      column("level", &O::level), column("category", &O::category));
};

template <>
struct RowDescription<OpenAlarm> {
  using A = OpenAlarm;
  static constexpr auto columns = std::make_tuple(
      column("point_id", &A::point_id), column("quota_code", &A::quota_code),
      column("company_code", &A::company_code), column("hazard_code", &A::hazard_code),
      column("prodcell_id", &A::prodcell_id), column("alarm_type", &A::alarm_type),
      column("region_code", &A::region_code), column("start_ts", &A::start_ts),
      column("value", &A::value), column("threshold", &A::threshold), column("rank", &A::rank),
      column("linked_open", &A::linked_open), column("linked_any", &A::linked_any),
      column("end_ts", &A::end_ts));
};

template <>
struct RowDescription<HazardRow> {
  static constexpr auto columns = std::make_tuple(column("rank", &HazardRow::rank),
                                                  column("hazard_name", &HazardRow::hazard_name),
                                                  column("region_code", &HazardRow::region_code),
                                                  column("company_name", &HazardRow::company_name));
};

template <>
struct RowDescription<WarningRuleRow> {
  using W = WarningRuleRow;
  static constexpr auto columns = std::make_tuple(
      column("id", &W::id), column("name", &W::name), column("category", &W::category),
      column("enabled", &W::enabled), column("scope_kind", &W::scope_kind),
      column("scope_code", &W::scope_code), column("alarm_types", &W::alarm_types),
      column("hazard_ranks", &W::hazard_ranks), column("min_duration_s", &W::min_duration_s),
      column("min_points", &W::min_points), column("window_s", &W::window_s),
      column("level_by_rank", &W::level_by_rank), column("level_step", &W::level_step),
      column("description", &W::description), column("updated_at", &W::updated_at));
};

namespace {
constexpr const char* kEventColumns =
    "w.id, w.event_no, w.source, w.company_code, e.name AS company_name, w.hazard_code, h.name AS "
    "hazard_name, "
    "h.rank AS hazard_rank, w.prodcell_id, pc.name AS prodcell_name, w.county_code, w.city_code, "
    "w.level, w.initial_level, w.rule_id, "
    "w.category, w.content, "
    "w.status, w.first_ts, w.last_ts, "
    "CASE w.status WHEN 'pushed' THEN w.feedback_deadline_ts WHEN 'fed_back' THEN "
    "w.check_deadline_ts "
    "WHEN 'checked' THEN w.close_deadline_ts END AS deadline_ts, "
    "w.feedback_deadline_ts, w.check_deadline_ts, w.close_deadline_ts, w.overdue, "
    "w.escalation_count, "
    "w.feedback_cause, w.feedback_measures, w.closed_ts";
constexpr const char* kEventFrom =
    " FROM warning_event w JOIN enterprise e ON e.company_code = w.company_code "
    "LEFT JOIN hazard_source h ON h.hazard_code = w.hazard_code "
    "LEFT JOIN production_cell pc ON pc.prodcell_id = w.prodcell_id";
constexpr const char* kStateColumns =
    "id, company_code, hazard_code, prodcell_id, source, status, level, overdue, escalation_count, "
    "feedback_deadline_ts, check_deadline_ts, "
    "close_deadline_ts";

std::string ts(core::SysTime t) { return core::format_rfc3339(t); }
Param ts(const std::optional<core::SysTime>& t) { return t ? Param(ts(*t)) : Param(); }
std::string id_text(long long id) { return std::to_string(id); }
std::string boolean(bool b) { return b ? "true" : "false"; }

// As the service always wrote alarm values (six significant digits).
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

const char* deadline_column(model::DisposalState s) {
  switch (s) {
    case model::DisposalState::pushed:
      return "feedback_deadline_ts";
    case model::DisposalState::fed_back:
      return "check_deadline_ts";
    case model::DisposalState::checked:
      return "close_deadline_ts";
    default:
      return nullptr;
  }
}
}  // namespace

WarningEventPage WarningEventStore::list(Tx& tx, const model::Scope& scope,
                                         const WarningEventFilter& f, int limit,
                                         long long offset) const {
  Params params;
  std::string where = scope_predicate(scope, "w.company_code", "e.region_code", params);
  if (f.status) where += " AND w.status = " + ph(params, model::to_string(*f.status));
  if (f.level) where += " AND w.level = " + ph(params, model::to_string(*f.level));
  if (f.company_code) where += " AND w.company_code = " + ph(params, *f.company_code);
  if (f.overdue) where += std::string(" AND w.overdue = ") + boolean(*f.overdue);
  if (f.from) where += " AND w.first_ts >= " + ph(params, ts(*f.from));
  if (f.to) where += " AND w.first_ts < " + ph(params, ts(*f.to));
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto r = tx.query(std::string("SELECT ") + kEventColumns + ", count(*) OVER () AS total_count_" +
                        kEventFrom + " WHERE " + where +
                        " ORDER BY w.first_ts DESC, w.id DESC LIMIT " + lim + " OFFSET " + ofs,
                    params);
  WarningEventPage page;
  page.items = r.as<model::WarningEvent>();
  page.total = r.empty() ? 0 : r[0].get<long long>("total_count_");
  return page;
}

std::optional<model::WarningEvent> WarningEventStore::find(Tx& tx, const model::Scope& scope,
                                                           long long id, bool for_update) const {
  Params params{id_text(id)};
  auto where = scope_predicate(scope, "w.company_code", "e.region_code", params);
  return tx.one<model::WarningEvent>(std::string("SELECT ") + kEventColumns + kEventFrom +
                                         " WHERE w.id = $1 AND " + where +
                                         (for_update ? " FOR UPDATE OF w" : ""),
                                     params);
}

std::optional<model::WarningEvent> WarningEventStore::find(Tx& tx, long long id) const {
  return tx.one<model::WarningEvent>(
      std::string("SELECT ") + kEventColumns + kEventFrom + " WHERE w.id = $1", {id_text(id)});
}

std::vector<model::WarningAlarmLink> WarningEventStore::alarms(Tx& tx, long long id) const {
  return tx.rows<model::WarningAlarmLink>(
      "SELECT l.alarm_id, l.quota_code, l.alarm_type, l.start_ts, l.value, l.threshold, "
      "l.linked_at, a.end_ts, a.peak_value, "
      "a.suppressed FROM warning_event_alarm l LEFT JOIN alarm a ON a.id = l.alarm_id WHERE "
      "l.event_id = $1 "
      "ORDER BY l.linked_at, l.start_ts, l.point_id",
      {id_text(id)});
}

std::vector<model::DisposalRecord> WarningEventStore::records(Tx& tx, long long id) const {
  return tx.rows<model::DisposalRecord>(
      "SELECT id, at, actor_id, actor_name, actor_role, user_role, action, from_status, to_status, "
      "level_before, level_after, "
      "cause, measures, text, deadline_ts, overdue FROM disposal_record WHERE event_id = $1 ORDER "
      "BY at, id",
      {id_text(id)});
}

namespace {
constexpr const char* kOpenSensorEvents =
    "SELECT id, company_code, coalesce(hazard_code, '') AS hazard_code, coalesce(prodcell_id, "
    "'') AS prodcell_id, level, category FROM warning_event WHERE status <> 'closed' AND source "
    "= 'sensor'";
// The platform's process alarms that may make events (not data faults, suppressed or late), with
// what the engine needs about each; the caller adds which ones.
constexpr const char* kPlatformAlarms =
    "SELECT a.point_id, a.quota_code, a.company_code, coalesce(a.hazard_code, '') AS "
    "hazard_code, CASE WHEN a.hazard_code IS NULL THEN coalesce(mp.prodcell_id, '') ELSE '' "
    "END AS prodcell_id, a.alarm_type, a.start_ts, a.end_ts, "
    "coalesce(a.last_value, 0) AS value, a.threshold, coalesce(h.rank, 0) AS rank, "
    "e.region_code, "
    "EXISTS (SELECT 1 FROM warning_event_alarm l JOIN warning_event w ON w.id = l.event_id "
    "        WHERE l.point_id = a.point_id AND l.start_ts = a.start_ts AND w.status <> 'closed') "
    "AS linked_open, "
    "EXISTS (SELECT 1 FROM warning_event_alarm l WHERE l.point_id = a.point_id AND l.start_ts = "
    "a.start_ts) "
    "  AS linked_any "
    "FROM alarm a LEFT JOIN hazard_source h ON h.hazard_code = a.hazard_code "
    "LEFT JOIN monitoring_point mp ON mp.point_id = a.point_id "
    "JOIN enterprise e ON e.company_code = a.company_code "
    "WHERE a.origin = 'platform' AND NOT a.is_data_fault AND NOT a.suppressed "
    "AND NOT a.late AND a.alarm_type IN ('HH','H','L','LL','SWITCH') ";
}  // namespace

std::vector<OpenSensorEvent> WarningEventStore::open_sensor_events(Tx& tx) const {
  return tx.rows<OpenSensorEvent>(kOpenSensorEvents);
}

std::vector<OpenAlarm> WarningEventStore::open_platform_alarms(Tx& tx) const {
  return tx.rows<OpenAlarm>(std::string(kPlatformAlarms) + "AND a.end_ts IS NULL");
}

std::vector<OpenSensorEvent> WarningEventStore::sensor_events_of(
    Tx& tx, const std::vector<std::string>& companies) const {
  return tx.rows<OpenSensorEvent>(
      std::string(kOpenSensorEvents) +
          " AND company_code IN (SELECT jsonb_array_elements_text($1::jsonb))",
      {nlohmann::json(companies).dump()});
}

std::vector<OpenAlarm> WarningEventStore::platform_alarms_of(
    Tx& tx, const std::vector<std::string>& companies, core::SysTime ended_since) const {
  return tx.rows<OpenAlarm>(
      std::string(kPlatformAlarms) +
          "AND a.company_code IN (SELECT jsonb_array_elements_text($1::jsonb)) "
          "AND (a.end_ts IS NULL OR a.end_ts >= $2::timestamptz) ORDER BY a.start_ts",
      {nlohmann::json(companies).dump(), format_timestamptz(ended_since)});
}

std::optional<HazardRow> WarningEventStore::hazard(Tx& tx, const std::string& hazard_code) const {
  return tx.one<HazardRow>(
      "SELECT h.rank, h.name AS hazard_name, e.region_code, e.name AS company_name FROM "
      "hazard_source h "
      "JOIN enterprise e ON e.company_code = h.company_code WHERE h.hazard_code = $1",
      {hazard_code});
}

std::optional<HazardRow> WarningEventStore::unranked_target(Tx& tx, const std::string& company_code,
                                                            const std::string& prodcell_id) const {
  // rank 0: rules::kUnranked. The unit's name, or none for the enterprise's own points.
  return tx.one<HazardRow>(
      "SELECT 0 AS rank, coalesce((SELECT c.name FROM production_cell c WHERE c.prodcell_id = $2 "
      "AND c.company_code = $1), '') AS hazard_name, e.region_code, e.name AS company_name FROM "
      "enterprise e WHERE e.company_code = $1",
      {company_code, prodcell_id});
}

std::optional<std::string> WarningEventStore::point_name(Tx& tx,
                                                         const std::string& quota_code) const {
  return tx.one<std::string>("SELECT name FROM monitoring_point WHERE quota_code = $1",
                             {quota_code});
}

std::optional<std::string> WarningEventStore::enterprise_region(
    Tx& tx, const std::string& company_code) const {
  return tx.one<std::string>("SELECT region_code FROM enterprise WHERE company_code = $1",
                             {company_code});
}

std::optional<EventStateRow> WarningEventStore::lock_open_sensor_event(
    Tx& tx, const std::string& company_code, const std::string& hazard_code,
    const std::string& prodcell_id) const {
  // A hazard source's event, else (no hazard code) a non-major unit's or the enterprise's own.
  return tx.one<EventStateRow>(
      std::string("SELECT ") + kStateColumns +
          " FROM warning_event WHERE company_code = $1 AND coalesce(hazard_code, '') = $2 AND "
          "($2 <> '' OR coalesce(prodcell_id, '') = $3) AND source = 'sensor' "
          "AND status <> 'closed' FOR UPDATE",
      {company_code, hazard_code, prodcell_id});
}

std::optional<EventStateRow> WarningEventStore::lock(Tx& tx, long long id) const {
  return tx.one<EventStateRow>(
      std::string("SELECT ") + kStateColumns + " FROM warning_event WHERE id = $1 FOR UPDATE",
      {id_text(id)});
}

std::vector<long long> WarningEventStore::past_deadline(Tx& tx, core::SysTime now,
                                                        int max_escalations) const {
  return tx.rows<long long>(
      "SELECT id FROM warning_event WHERE status IN ('pushed','fed_back','checked') AND "
      "CASE status WHEN 'pushed' THEN feedback_deadline_ts WHEN 'fed_back' THEN check_deadline_ts "
      "ELSE close_deadline_ts END <= $1 AND NOT (overdue AND escalation_count >= $2) ORDER BY id "
      "LIMIT 1000",
      {ts(now), std::to_string(max_escalations)});
}

long long WarningEventStore::next_id(Tx& tx) const {
  return tx.one<long long>("SELECT nextval(pg_get_serial_sequence('warning_event', 'id'))")
      .value_or(0);
}

void WarningEventStore::insert(Tx& tx, const NewWarningEvent& e) const {
  tx.exec_count(
      "INSERT INTO warning_event (id, event_no, source, company_code, hazard_code, county_code, "
      "city_code, level, "
      "initial_level, rule_id, category, content, status, first_ts, last_ts, prodcell_id) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13, $14, $15)",
      {id_text(e.id), e.event_no, model::to_string(e.source), e.company_code, e.hazard_code,
       e.county_code, e.city_code, model::to_string(e.level),
       e.rule_id ? Param(id_text(*e.rule_id)) : Param(), model::to_string(e.category), e.content,
       model::to_string(e.status), ts(e.first_ts), ts(e.last_ts), e.prodcell_id});
}

void WarningEventStore::save_state(Tx& tx, long long id, const EventStateWrite& s) const {
  std::string sql =
      "UPDATE warning_event SET status = $2, level = $3, overdue = $4, escalation_count = $5, "
      "updated_at = now()";
  Params p{id_text(id), model::to_string(s.status), model::to_string(s.level), boolean(s.overdue),
           std::to_string(s.escalations)};
  if (auto col = deadline_column(s.status))
    sql += std::string(", ") + col + " = " + ph(p, ts(s.deadline));
  tx.exec_count(sql + " WHERE id = $1", p);
}

void WarningEventStore::set_feedback(Tx& tx, long long id, model::FeedbackCause cause,
                                     const std::string& measures) const {
  tx.exec_count(
      "UPDATE warning_event SET feedback_cause = $2, feedback_measures = $3 WHERE id = $1",
      {id_text(id), model::to_string(cause), measures});
}

void WarningEventStore::set_closed(Tx& tx, long long id, core::SysTime at) const {
  tx.exec_count("UPDATE warning_event SET closed_ts = $2 WHERE id = $1", {id_text(id), ts(at)});
}

void WarningEventStore::touch(Tx& tx, long long id, core::SysTime at) const {
  tx.exec_count(
      "UPDATE warning_event SET last_ts = greatest(last_ts, $2), updated_at = now() WHERE id = $1",
      {id_text(id), ts(at)});
}

void WarningEventStore::link_alarm(Tx& tx, long long event_id, const AlarmLinkWrite& a,
                                   core::SysTime linked_at) const {
  tx.exec_count(
      "INSERT INTO warning_event_alarm (event_id, point_id, start_ts, alarm_id, quota_code, "
      "alarm_type, value, "
      "threshold, linked_at) VALUES ($1, $2, $3, (SELECT id FROM alarm WHERE point_id = $2 AND "
      "start_ts = $3 "
      "AND origin = 'platform' ORDER BY id DESC LIMIT 1), $4, $5, $6, $7, $8) "
      "ON CONFLICT (event_id, point_id, start_ts) DO UPDATE SET alarm_type = EXCLUDED.alarm_type, "
      "value = EXCLUDED.value, threshold = EXCLUDED.threshold, "
      "alarm_id = coalesce(warning_event_alarm.alarm_id, EXCLUDED.alarm_id)",
      {id_text(event_id), std::to_string(a.point_id), ts(a.start), a.quota_code, a.type,
       num(a.value), a.threshold ? Param(num(*a.threshold)) : Param(), ts(linked_at)});
}

void WarningEventStore::add_record(Tx& tx, const NewDisposalRecord& r) const {
  tx.exec_count(
      "INSERT INTO disposal_record (event_id, at, actor_id, actor_name, actor_role, user_role, "
      "action, from_status, "
      "to_status, level_before, level_after, cause, measures, text, deadline_ts, overdue) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
      {id_text(r.event_id), ts(r.at), r.actor_id ? Param(id_text(*r.actor_id)) : Param(),
       r.actor_name, model::to_string(r.actor_role), r.user_role, model::to_string(r.action),
       model::to_string(r.from_status), model::to_string(r.to_status),
       model::to_string(r.level_before), model::to_string(r.level_after),
       r.cause ? Param(model::to_string(*r.cause)) : Param(), r.measures, r.text, ts(r.deadline_ts),
       boolean(r.overdue)});
}

// ---- warning rules ----

namespace {
constexpr const char* kRuleColumns =
    "id, name, category, enabled, scope_kind, scope_code, alarm_types::text AS alarm_types, "
    "hazard_ranks::text AS hazard_ranks, min_duration_s, min_points, window_s, level_by_rank::text "
    "AS level_by_rank, "
    "level_step, description, updated_at";

Params rule_params(const WarningRuleRow& r, long long updated_by) {
  return {r.name,
          model::to_string(r.category),
          boolean(r.enabled),
          r.scope_kind,
          r.scope_code.value_or(""),
          r.alarm_types,
          r.hazard_ranks,
          std::to_string(r.min_duration_s),
          std::to_string(r.min_points),
          std::to_string(r.window_s),
          r.level_by_rank,
          std::to_string(r.level_step),
          r.description,
          std::to_string(updated_by)};
}
}  // namespace

std::vector<WarningRuleRow> WarningRuleStore::all(Tx& tx) const {
  return tx.rows<WarningRuleRow>(std::string("SELECT ") + kRuleColumns +
                                 " FROM warning_rule ORDER BY id");
}

std::optional<WarningRuleRow> WarningRuleStore::lock(Tx& tx, long long id) const {
  return tx.one<WarningRuleRow>(
      std::string("SELECT ") + kRuleColumns + " FROM warning_rule WHERE id = $1 FOR UPDATE",
      {id_text(id)});
}

WarningRuleRow WarningRuleStore::insert(Tx& tx, const WarningRuleRow& r,
                                        long long updated_by) const {
  return *tx.one<WarningRuleRow>(
      std::string(
          "INSERT INTO warning_rule (name, category, enabled, scope_kind, scope_code, alarm_types, "
          "hazard_ranks, "
          "min_duration_s, min_points, window_s, level_by_rank, level_step, description, "
          "updated_by) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ") +
          kRuleColumns,
      rule_params(r, updated_by));
}

WarningRuleRow WarningRuleStore::update(Tx& tx, const WarningRuleRow& r,
                                        long long updated_by) const {
  auto p = rule_params(r, updated_by);
  p.push_back(id_text(r.id));
  return *tx.one<WarningRuleRow>(std::string("UPDATE warning_rule SET name = $1, category = $2, "
                                             "enabled = $3, scope_kind = $4, scope_code = $5, "
                                             "alarm_types = $6, hazard_ranks = $7, min_duration_s "
                                             "= $8, min_points = $9, window_s = $10, "
                                             "level_by_rank = $11, level_step = $12, description = "
                                             "$13, updated_by = $14, updated_at = now() "
                                             "WHERE id = $15 RETURNING ") +
                                     kRuleColumns,
                                 p);
}

bool WarningRuleStore::region_exists(Tx& tx, const std::string& code) const {
  return tx.one<int>("SELECT 1 FROM region WHERE code = $1", {code}).has_value();
}

bool WarningRuleStore::enterprise_exists(Tx& tx, const std::string& company_code) const {
  return tx.one<int>("SELECT 1 FROM enterprise WHERE company_code = $1", {company_code})
      .has_value();
}

}  // namespace hazmon::storage
