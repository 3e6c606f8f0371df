#include <hazmon/storage/sis_store.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<SisPointRef> {
  using C = SisPointRef;
  static constexpr auto columns = std::make_tuple(column("quota_code", &C::quota_code),
                                                  column("indicator_type", &C::indicator_type),
                                                  column("value_kind", &C::value_kind));
};
template <>
struct RowDescription<SisPointTrip> {
  using C = SisPointTrip;
  static constexpr auto columns =
      std::make_tuple(column("loop_id", &C::loop_id), column("quota_code", &C::quota_code),
                      column("first_ts", &C::first));
};
template <>
struct RowDescription<SisUnitCount> {
  using C = SisUnitCount;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &C::company_code), column("prodcell_id", &C::prodcell_id),
      column("loops", &C::loops), column("in_service", &C::in_service));
};

namespace {
// The loop with its enterprise and its derived state: `t` its open trip, `b` its open bypass.
constexpr const char* kLoopFrom =
    "SELECT l.id, l.company_code, e.name AS company_name, l.tag, l.name, l.hazard_code, "
    "l.prodcell_id, l.process_code, l.trip_point, array_to_string(l.protected_points, ',') AS "
    "protected, l.is_active, l.source, l.created_by, l.created_at, l.updated_at, "
    "CASE WHEN t.id IS NOT NULL THEN 'tripped' WHEN b.state = 'active' THEN 'bypassed' "
    "ELSE 'in_service' END AS state, b.id AS bypass_id, t.id AS trip_id, "
    "CASE WHEN b.state = 'active' THEN b.expiry_at END AS bypass_expiry_at "
    "FROM sis_loop l JOIN enterprise e USING (company_code) "
    "LEFT JOIN sis_trip t ON t.loop_id = l.id AND t.reset_at IS NULL "
    "LEFT JOIN sis_bypass b ON b.loop_id = l.id AND b.state <> 'ended' ";

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < s.size()) {
    auto to = s.find(',', from);
    if (to == std::string::npos) to = s.size();
    if (to > from) out.push_back(s.substr(from, to - from));
    from = to + 1;
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

model::SisLoop loop_of(const Row& r) {
  model::SisLoop l;
  l.id = r.get<long long>("id");
  l.company_code = r.get<std::string>("company_code");
  l.company_name = r.get<std::string>("company_name");
  l.tag = r.get<std::string>("tag");
  l.name = r.get<std::string>("name");
  l.hazard_code = r.get<std::optional<std::string>>("hazard_code");
  l.prodcell_id = r.get<std::optional<std::string>>("prodcell_id");
  l.process_code = r.get<std::optional<std::string>>("process_code");
  l.trip_point = r.get<std::optional<std::string>>("trip_point");
  l.protected_points = split(r.get<std::string>("protected"));
  l.active = r.get<bool>("is_active");
  l.source = r.get<std::string>("source");
  l.created_by = r.get<std::string>("created_by");
  l.created_at = r.get<core::SysTime>("created_at");
  l.updated_at = r.get<core::SysTime>("updated_at");
  l.state = model::sis_state_from_string(r.get<std::string>("state"))
                .value_or(model::SisState::in_service);
  l.open_bypass_id = r.get<std::optional<long long>>("bypass_id");
  l.open_trip_id = r.get<std::optional<long long>>("trip_id");
  l.bypass_expiry_at = r.get<std::optional<core::SysTime>>("bypass_expiry_at");
  return l;
}

constexpr const char* kBypassFrom =
    "SELECT b.id, b.loop_id, l.company_code, l.tag, b.applicant, b.approver, b.reason, "
    "b.begin_at, b.expiry_at, b.state, b.approved_at, b.approved_by, b.ended_at, b.ended_by, "
    "b.end_note, b.source, b.filed_by, b.created_at, b.warning_event_id "
    "FROM sis_bypass b JOIN sis_loop l ON l.id = b.loop_id JOIN enterprise e ON "
    "e.company_code = l.company_code ";

model::SisBypass bypass_of(const Row& r) {
  model::SisBypass b;
  b.id = r.get<long long>("id");
  b.loop_id = r.get<long long>("loop_id");
  b.company_code = r.get<std::string>("company_code");
  b.loop_tag = r.get<std::string>("tag");
  b.applicant = r.get<std::string>("applicant");
  b.approver = r.get<std::string>("approver");
  b.reason = r.get<std::string>("reason");
  b.begin_at = r.get<core::SysTime>("begin_at");
  b.expiry_at = r.get<core::SysTime>("expiry_at");
  b.state = r.get<std::string>("state");
  b.approved_at = r.get<std::optional<core::SysTime>>("approved_at");
  b.approved_by = r.get<std::optional<std::string>>("approved_by");
  b.ended_at = r.get<std::optional<core::SysTime>>("ended_at");
  b.ended_by = r.get<std::optional<std::string>>("ended_by");
  b.end_note = r.get<std::optional<std::string>>("end_note");
  b.source = r.get<std::string>("source");
  b.filed_by = r.get<std::string>("filed_by");
  b.created_at = r.get<core::SysTime>("created_at");
  b.warning_event_id = r.get<std::optional<long long>>("warning_event_id");
  return b;
}

constexpr const char* kTripFrom =
    "SELECT t.id, t.loop_id, l.company_code, l.tag, t.tripped_at, t.cause, t.source, "
    "t.reported_by, t.reset_at, t.reset_by, t.reset_note, t.created_at, t.warning_event_id "
    "FROM sis_trip t JOIN sis_loop l ON l.id = t.loop_id JOIN enterprise e ON "
    "e.company_code = l.company_code ";

model::SisTrip trip_of(const Row& r) {
  model::SisTrip t;
  t.id = r.get<long long>("id");
  t.loop_id = r.get<long long>("loop_id");
  t.company_code = r.get<std::string>("company_code");
  t.loop_tag = r.get<std::string>("tag");
  t.tripped_at = r.get<core::SysTime>("tripped_at");
  t.cause = r.get<std::string>("cause");
  t.source = r.get<std::string>("source");
  t.reported_by = r.get<std::string>("reported_by");
  t.reset_at = r.get<std::optional<core::SysTime>>("reset_at");
  t.reset_by = r.get<std::optional<std::string>>("reset_by");
  t.reset_note = r.get<std::optional<std::string>>("reset_note");
  t.created_at = r.get<core::SysTime>("created_at");
  t.warning_event_id = r.get<std::optional<long long>>("warning_event_id");
  return t;
}

Param opt_time(const std::optional<core::SysTime>& t) {
  if (!t) return std::nullopt;
  return format_timestamptz(*t);
}
}  // namespace

std::optional<std::string> SisStore::enterprise(Tx& tx, const model::Scope& scope,
                                                const std::string& company_code) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return tx.one<std::string>(
      "SELECT e.name FROM enterprise e WHERE e.company_code = $1 AND e.is_active AND " + where, p);
}

bool SisStore::hazard_of(Tx& tx, const std::string& company_code,
                         const std::string& hazard_code) const {
  return tx.one<long long>(
               "SELECT count(*) FROM hazard_source WHERE hazard_code = $1 AND company_code = $2",
               {hazard_code, company_code})
             .value_or(0) > 0;
}

bool SisStore::prodcell_of(Tx& tx, const std::string& company_code,
                           const std::string& prodcell_id) const {
  return tx.one<long long>(
               "SELECT count(*) FROM production_cell WHERE prodcell_id = $1 AND company_code = $2 "
               "AND is_active",
               {prodcell_id, company_code})
             .value_or(0) > 0;
}

bool SisStore::may_approve(Tx& tx, const std::string& company_code,
                           const std::optional<std::string>& hazard_code, const std::string& name,
                           const std::string& day) const {
  return tx.one<long long>(
               "SELECT count(*) FROM enterprise e WHERE e.company_code = $1 AND "
               "(btrim(coalesce(e.principal, '')) = btrim($3) OR EXISTS (SELECT 1 FROM "
               "responsible_person r WHERE r.company_code = $1 AND r.is_active AND "
               "($2::text IS NULL OR r.hazard_code = $2) AND btrim(r.name) = btrim($3) AND "
               "(r.valid_from IS NULL OR r.valid_from <= $4::date) AND "
               "(r.valid_to IS NULL OR r.valid_to >= $4::date)))",
               {company_code, hazard_code, name, day})
             .value_or(0) > 0;
}

std::vector<SisPointRef> SisStore::points_of(Tx& tx, const std::string& company_code,
                                             const std::vector<std::string>& codes) const {
  if (codes.empty()) return {};
  return tx.rows<SisPointRef>(
      "SELECT quota_code, indicator_type, value_kind FROM monitoring_point WHERE company_code = "
      "$1 AND is_active AND quota_code = ANY(string_to_array($2, ','))",
      {company_code, joined(codes)});
}

std::optional<model::SisLoop> SisStore::find_loop(Tx& tx, const model::Scope& scope, long long id,
                                                  bool lock) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "l.company_code", "e.region_code", p);
  auto r = tx.query(
      std::string(kLoopFrom) + "WHERE l.id = $1 AND " + where + (lock ? " FOR UPDATE OF l" : ""),
      p);
  if (r.size() == 0) return std::nullopt;
  return loop_of(r[0]);
}

std::optional<model::SisLoop> SisStore::find_loop_by_tag(Tx& tx, const std::string& company_code,
                                                         const std::string& tag, bool lock) const {
  auto r = tx.query(std::string(kLoopFrom) + "WHERE l.company_code = $1 AND l.tag = $2" +
                        (lock ? " FOR UPDATE OF l" : ""),
                    {company_code, tag});
  if (r.size() == 0) return std::nullopt;
  return loop_of(r[0]);
}

model::SisLoop SisStore::save_loop(Tx& tx, const model::SisLoop& l, core::SysTime at,
                                   bool& created) const {
  auto id = tx.query(
      "INSERT INTO sis_loop (company_code, tag, name, hazard_code, prodcell_id, process_code, "
      "trip_point, protected_points, is_active, source, created_by, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, string_to_array($8, ',')::varchar(32)[], $9, $10, "
      "$11, $12, $12) ON CONFLICT (company_code, tag) DO UPDATE SET name = EXCLUDED.name, "
      "hazard_code = EXCLUDED.hazard_code, prodcell_id = EXCLUDED.prodcell_id, process_code = "
      "EXCLUDED.process_code, trip_point = EXCLUDED.trip_point, protected_points = "
      "EXCLUDED.protected_points, is_active = EXCLUDED.is_active, updated_at = "
      "EXCLUDED.updated_at RETURNING id, (xmax = 0) AS created",
      {l.company_code, l.tag, l.name, l.hazard_code, l.prodcell_id, l.process_code, l.trip_point,
       joined(l.protected_points), std::string(l.active ? "true" : "false"), l.source, l.created_by,
       format_timestamptz(at)});
  created = id[0].get<bool>("created");
  return *find_loop(tx, model::Scope::province(), id[0].get<long long>("id"), false);
}

std::vector<model::SisLoop> SisStore::list_loops(Tx& tx, const model::Scope& scope,
                                                 const SisLoopFilter& f) const {
  Params p;
  auto where = scope_predicate(scope, "l.company_code", "e.region_code", p);
  if (f.company_code) where += " AND l.company_code = " + ph(p, *f.company_code);
  std::string sql = std::string(kLoopFrom) + "WHERE l.is_active AND " + where;
  if (f.state) sql = "SELECT * FROM (" + sql + ") s WHERE s.state = " + ph(p, *f.state);
  auto r = tx.query(sql + " ORDER BY company_code, tag LIMIT 5000", p);
  std::vector<model::SisLoop> out;
  for (const auto& row : r) out.push_back(loop_of(row));
  return out;
}

std::vector<model::SisBypass> SisStore::bypasses(Tx& tx, long long loop_id) const {
  auto r = tx.query(std::string(kBypassFrom) +
                        "WHERE b.loop_id = $1 ORDER BY b.created_at DESC, b.id DESC LIMIT 200",
                    {std::to_string(loop_id)});
  std::vector<model::SisBypass> out;
  for (const auto& row : r) out.push_back(bypass_of(row));
  return out;
}

std::vector<model::SisTrip> SisStore::trips(Tx& tx, long long loop_id) const {
  auto r = tx.query(std::string(kTripFrom) +
                        "WHERE t.loop_id = $1 ORDER BY t.tripped_at DESC, t.id DESC LIMIT 200",
                    {std::to_string(loop_id)});
  std::vector<model::SisTrip> out;
  for (const auto& row : r) out.push_back(trip_of(row));
  return out;
}

std::optional<model::SisBypass> SisStore::find_bypass(Tx& tx, const model::Scope& scope,
                                                      long long id, bool lock) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "l.company_code", "e.region_code", p);
  auto r = tx.query(
      std::string(kBypassFrom) + "WHERE b.id = $1 AND " + where + (lock ? " FOR UPDATE OF b" : ""),
      p);
  if (r.size() == 0) return std::nullopt;
  return bypass_of(r[0]);
}

std::optional<model::SisTrip> SisStore::find_trip(Tx& tx, const model::Scope& scope, long long id,
                                                  bool lock) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "l.company_code", "e.region_code", p);
  auto r = tx.query(
      std::string(kTripFrom) + "WHERE t.id = $1 AND " + where + (lock ? " FOR UPDATE OF t" : ""),
      p);
  if (r.size() == 0) return std::nullopt;
  return trip_of(r[0]);
}

std::optional<model::SisBypass> SisStore::open_bypass(Tx& tx, long long loop_id) const {
  auto r = tx.query(
      std::string(kBypassFrom) + "WHERE b.loop_id = $1 AND b.state <> 'ended' " + "FOR UPDATE OF b",
      {std::to_string(loop_id)});
  if (r.size() == 0) return std::nullopt;
  return bypass_of(r[0]);
}

std::optional<model::SisTrip> SisStore::open_trip(Tx& tx, long long loop_id) const {
  auto r = tx.query(
      std::string(kTripFrom) + "WHERE t.loop_id = $1 AND t.reset_at IS NULL " + "FOR UPDATE OF t",
      {std::to_string(loop_id)});
  if (r.size() == 0) return std::nullopt;
  return trip_of(r[0]);
}

model::SisBypass SisStore::insert_bypass(Tx& tx, const model::SisBypass& b) const {
  auto id = tx.one<long long>(
      "INSERT INTO sis_bypass (loop_id, applicant, approver, reason, begin_at, expiry_at, state, "
      "approved_at, approved_by, source, filed_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, "
      "$7, $8, $9, $10, $11, $12) RETURNING id",
      {std::to_string(b.loop_id), b.applicant, b.approver, b.reason, format_timestamptz(b.begin_at),
       format_timestamptz(b.expiry_at), b.state, opt_time(b.approved_at), b.approved_by, b.source,
       b.filed_by, format_timestamptz(b.created_at)});
  return *find_bypass(tx, model::Scope::province(), *id, false);
}

void SisStore::approve_bypass(Tx& tx, long long id, core::SysTime at, const std::string& by) const {
  tx.exec_count(
      "UPDATE sis_bypass SET state = 'active', approved_at = $2, approved_by = $3 WHERE id = $1",
      {std::to_string(id), format_timestamptz(at), by});
}

void SisStore::end_bypass(Tx& tx, long long id, core::SysTime at, const std::string& by,
                          const std::string& note) const {
  tx.exec_count(
      "UPDATE sis_bypass SET state = 'ended', ended_at = $2, ended_by = $3, end_note = $4 "
      "WHERE id = $1",
      {std::to_string(id), format_timestamptz(at), by, note});
}

core::SysTime SisStore::bypass_chain_start(Tx& tx, long long loop_id, core::SysTime start,
                                           std::chrono::seconds gap,
                                           std::chrono::seconds limit) const {
  tx.exec_count("SELECT pg_advisory_xact_lock(hashtext('sis_bypass_chain'), $1::int)",
                {std::to_string(loop_id)});
  auto r = tx.query(
      "SELECT approved_at, coalesce(ended_at, $2::timestamptz) AS until FROM sis_bypass WHERE "
      "loop_id = $1 AND approved_at IS NOT NULL AND coalesce(ended_at, $2::timestamptz) >= "
      "$3::timestamptz ORDER BY approved_at DESC, id LIMIT 1000",
      {std::to_string(loop_id), format_timestamptz(start),
       format_timestamptz(start - limit - gap)});
  std::vector<std::pair<core::SysTime, core::SysTime>> windows;
  for (const auto& row : r)
    windows.emplace_back(row.get<core::SysTime>("approved_at"), row.get<core::SysTime>("until"));
  auto first = start;
  // Walk back until no window ends within the gap of the chain's start (few windows).
  for (bool grown = true; grown;) {
    grown = false;
    for (const auto& [from, until] : windows)
      if (from < first && until + gap >= first) {
        first = from;
        grown = true;
      }
  }
  return first;
}

model::SisTrip SisStore::insert_trip(Tx& tx, const model::SisTrip& t) const {
  auto id = tx.one<long long>(
      "INSERT INTO sis_trip (loop_id, tripped_at, cause, source, reported_by, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
      {std::to_string(t.loop_id), format_timestamptz(t.tripped_at), t.cause, t.source,
       t.reported_by, format_timestamptz(t.created_at)});
  return *find_trip(tx, model::Scope::province(), *id, false);
}

void SisStore::reset_trip(Tx& tx, long long id, core::SysTime at, const std::string& by,
                          const std::string& note, const std::optional<std::string>& cause) const {
  tx.exec_count(
      "UPDATE sis_trip SET reset_at = $2, reset_by = $3, reset_note = $4, cause = "
      "coalesce($5, cause) WHERE id = $1",
      {std::to_string(id), format_timestamptz(at), by, note, cause});
}

void SisStore::set_bypass_warning(Tx& tx, long long id, long long event) const {
  tx.exec_count("UPDATE sis_bypass SET warning_event_id = $2 WHERE id = $1",
                {std::to_string(id), std::to_string(event)});
}

void SisStore::set_trip_warning(Tx& tx, long long id, long long event) const {
  tx.exec_count("UPDATE sis_trip SET warning_event_id = $2 WHERE id = $1",
                {std::to_string(id), std::to_string(event)});
}

std::vector<model::SisBypass> SisStore::expired_unwarned(Tx& tx, core::SysTime now,
                                                         int limit) const {
  auto r = tx.query(std::string(kBypassFrom) +
                        "WHERE b.state = 'active' AND b.expiry_at <= $1 AND b.warning_event_id "
                        "IS NULL ORDER BY b.expiry_at LIMIT $2 FOR UPDATE OF b SKIP LOCKED",
                    {format_timestamptz(now), std::to_string(limit)});
  std::vector<model::SisBypass> out;
  for (const auto& row : r) out.push_back(bypass_of(row));
  return out;
}

std::vector<long long> SisStore::unwarned_trips(Tx& tx, int limit) const {
  return tx.rows<long long>(
      "SELECT id FROM sis_trip WHERE reset_at IS NULL AND warning_event_id IS NULL ORDER BY id "
      "LIMIT $1",
      {std::to_string(limit)});
}

std::vector<SisPointTrip> SisStore::point_trips(Tx& tx, core::SysTime since) const {
  // Readings of any quality count: a gateway cannot hide a trip by flagging its reading.
  return tx.rows<SisPointTrip>(
      "SELECT l.id AS loop_id, p.quota_code, f.first_ts FROM sis_loop l "
      "JOIN monitoring_point p ON p.quota_code = l.trip_point "
      "CROSS JOIN LATERAL (SELECT min(r.collect_ts) AS first_ts FROM reading r "
      "WHERE r.point_id = p.point_id AND r.value >= 0.5 AND r.collect_ts > greatest(l.created_at, "
      "$1::timestamptz, coalesce((SELECT max(s.reset_at) FROM sis_trip s WHERE s.loop_id = l.id), "
      "'-infinity'))) f "
      "WHERE l.is_active AND f.first_ts IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sis_trip s "
      "WHERE s.loop_id = l.id AND s.reset_at IS NULL) ORDER BY l.id",
      {format_timestamptz(since)});
}

std::optional<double> SisStore::trip_point_value(Tx& tx, long long loop_id) const {
  return tx.one<double>(
      "SELECT r.value FROM sis_loop l JOIN monitoring_point p ON p.quota_code = l.trip_point "
      "JOIN reading_latest r ON r.point_id = p.point_id WHERE l.id = $1",
      {std::to_string(loop_id)});
}

std::vector<SisUnitCount> SisStore::unit_counts(Tx& tx, const model::Scope& scope) const {
  Params p;
  auto where = scope_predicate(scope, "l.company_code", "e.region_code", p);
  return tx.rows<SisUnitCount>(
      "SELECT s.company_code, coalesce(s.prodcell_id, '') AS prodcell_id, count(*) AS loops, "
      "count(*) FILTER (WHERE s.state = 'in_service') AS in_service FROM (" +
          std::string(kLoopFrom) + "WHERE l.is_active AND " + where +
          ") s GROUP BY 1, 2 ORDER BY 1, 2",
      p);
}

}  // namespace hazmon::storage
