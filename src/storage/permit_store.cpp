#include <hazmon/storage/permit_store.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/model/commitment.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<PermitChange> {
  using C = PermitChange;
  static constexpr auto columns = std::make_tuple(
      column("id", &C::id), column("at", &C::at), column("actor", &C::actor),
      column("action", &C::action), column("from_state", &C::from_state),
      column("to_state", &C::to_state), column("reason", &C::reason), column("before", &C::before));
};

namespace {
constexpr const char* kColumns =
    "w.id, w.company_code, e.name AS company_name, w.permit_no, w.work_type, w.grade, w.location, "
    "w.hazard_code, w.equip_code, w.begin_at, w.end_at, w.contractor, w.work_unit, w.responsible, "
    "w.responsible_mobile, w.content, w.state, w.started_at, w.finished_at, w.cancel_reason, "
    "w.revision, w.source, w.created_by, w.created_at, w.updated_at";

// The Beijing day `$n` as a timestamptz range: [start, start + 1 day).
std::string day_start(const std::string& param) {
  return "((" + param + "::date::timestamp - interval '8 hours') AT TIME ZONE 'UTC')";
}

model::WorkPermit permit_of(const Row& r) {
  model::WorkPermit p;
  p.id = r.get<long long>("id");
  p.company_code = r.get<std::string>("company_code");
  p.company_name = r.get<std::string>("company_name");
  p.permit_no = r.get<std::string>("permit_no");
  p.work_type = r.get<std::string>("work_type");
  p.grade = r.get<std::optional<std::string>>("grade");
  p.location = r.get<std::string>("location");
  p.hazard_code = r.get<std::optional<std::string>>("hazard_code");
  p.equip_code = r.get<std::optional<std::string>>("equip_code");
  p.begin_at = r.get<core::SysTime>("begin_at");
  p.end_at = r.get<core::SysTime>("end_at");
  p.contractor = r.get<bool>("contractor");
  p.work_unit = r.get<std::string>("work_unit");
  p.responsible = r.get<std::string>("responsible");
  p.responsible_mobile = r.get<std::string>("responsible_mobile");
  p.content = r.get<std::string>("content");
  p.state = r.get<std::string>("state");
  p.started_at = r.get<std::optional<core::SysTime>>("started_at");
  p.finished_at = r.get<std::optional<core::SysTime>>("finished_at");
  p.cancel_reason = r.get<std::optional<std::string>>("cancel_reason");
  p.revision = r.get<int>("revision");
  p.source = r.get<std::string>("source");
  p.created_by = r.get<std::string>("created_by");
  p.created_at = r.get<core::SysTime>("created_at");
  p.updated_at = r.get<core::SysTime>("updated_at");
  return p;
}

Param opt_time(const std::optional<core::SysTime>& t) {
  if (!t) return std::nullopt;
  return format_timestamptz(*t);
}

// The editable fields, in the order of kFieldNames.
constexpr const char* kFieldNames[] = {
    "work_type", "grade",      "location",    "hazard_code",  "equip_code",         "begin_at",
    "end_at",    "contractor", "work_unit",   "responsible",  "responsible_mobile", "content",
    "state",     "started_at", "finished_at", "cancel_reason"};
Params fields_of(const model::WorkPermit& p) {
  return {p.work_type,
          p.grade,
          p.location,
          p.hazard_code,
          p.equip_code,
          format_timestamptz(p.begin_at),
          format_timestamptz(p.end_at),
          std::string(p.contractor ? "true" : "false"),
          p.work_unit,
          p.responsible,
          p.responsible_mobile,
          p.content,
          p.state,
          opt_time(p.started_at),
          opt_time(p.finished_at),
          p.cancel_reason};
}

model::WorkPermit read_one(Tx& tx, long long id) {
  auto r = tx.query("SELECT " + std::string(kColumns) +
                        " FROM work_permit w JOIN enterprise e USING (company_code) "
                        "WHERE w.id = $1",
                    {std::to_string(id)});
  if (r.size() == 0) throw core::Error(core::Errc::not_found, "no such work permit");
  return permit_of(r[0]);
}
}  // namespace

std::optional<std::string> PermitStore::enterprise(Tx& tx, const model::Scope& scope,
                                                   const std::string& company_code) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return tx.one<std::string>(
      "SELECT e.name FROM enterprise e WHERE e.company_code = $1 AND e.is_active AND " + where, p);
}

bool PermitStore::hazard_of(Tx& tx, const std::string& company_code,
                            const std::string& hazard_code) const {
  return tx.one<long long>(
               "SELECT count(*) FROM hazard_source WHERE hazard_code = $1 AND company_code = $2",
               {hazard_code, company_code})
             .value_or(0) > 0;
}

bool PermitStore::equipment_of(Tx& tx, const std::string& company_code,
                               const std::string& equip_code,
                               const std::optional<std::string>& hazard_code) const {
  return tx.one<long long>(
               "SELECT count(*) FROM equipment WHERE equip_code = $1 AND company_code = $2 "
               "AND ($3::text IS NULL OR hazard_code = $3)",
               {equip_code, company_code, hazard_code})
             .value_or(0) > 0;
}

std::optional<model::WorkPermit> PermitStore::find(Tx& tx, const model::Scope& scope, long long id,
                                                   bool lock) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "w.company_code", "e.region_code", p);
  auto r = tx.query("SELECT " + std::string(kColumns) +
                        " FROM work_permit w JOIN enterprise e USING (company_code) "
                        "WHERE w.id = $1 AND " +
                        where + (lock ? " FOR UPDATE OF w" : ""),
                    p);
  if (r.size() == 0) return std::nullopt;
  return permit_of(r[0]);
}

std::optional<model::WorkPermit> PermitStore::find_by_no(Tx& tx, const std::string& company_code,
                                                         const std::string& permit_no) const {
  auto r = tx.query("SELECT " + std::string(kColumns) +
                        " FROM work_permit w JOIN enterprise e USING (company_code) "
                        "WHERE w.company_code = $1 AND w.permit_no = $2 FOR UPDATE OF w",
                    {company_code, permit_no});
  if (r.size() == 0) return std::nullopt;
  return permit_of(r[0]);
}

model::WorkPermit PermitStore::insert(Tx& tx, const model::WorkPermit& p, core::SysTime at) const {
  Params params{p.company_code, p.permit_no, p.source, p.created_by, format_timestamptz(at)};
  std::string cols = "company_code, permit_no, source, created_by, created_at, updated_at";
  std::string values = "$1, $2, $3, $4, $5, $5";
  auto fields = fields_of(p);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    cols += std::string(", ") + kFieldNames[i];
    values += ", " + ph(params, fields[i]);
  }
  auto id = tx.one<long long>(
      "INSERT INTO work_permit (" + cols + ") VALUES (" + values + ") RETURNING id", params);
  tx.exec_count(
      "INSERT INTO work_permit_change (permit_id, at, actor, action, to_state) "
      "VALUES ($1, $2, $3, 'filed', $4)",
      {std::to_string(*id), format_timestamptz(at), p.created_by, p.state});
  return read_one(tx, *id);
}

model::WorkPermit PermitStore::update(Tx& tx, const model::WorkPermit& p, core::SysTime at,
                                      const std::string& actor, const std::string& action,
                                      const std::string& from_state,
                                      const std::optional<std::string>& reason) const {
  tx.exec_count(
      "INSERT INTO work_permit_change (permit_id, at, actor, action, from_state, to_state, "
      "reason, before) SELECT id, $2, $3, $4, $5, $6, $7, to_jsonb(w) FROM work_permit w "
      "WHERE id = $1",
      {std::to_string(p.id), format_timestamptz(at), actor, action, from_state, p.state, reason});
  Params params{std::to_string(p.id), format_timestamptz(at)};
  std::string sets = "revision = revision + 1, updated_at = $2";
  auto fields = fields_of(p);
  for (std::size_t i = 0; i < fields.size(); ++i)
    sets += std::string(", ") + kFieldNames[i] + " = " + ph(params, fields[i]);
  tx.exec_count("UPDATE work_permit SET " + sets + " WHERE id = $1", params);
  return read_one(tx, p.id);
}

PermitPage PermitStore::list(Tx& tx, const model::Scope& scope, const PermitFilter& f,
                             core::SysTime now, int limit, long long offset) const {
  Params p;
  std::string where = scope_predicate(scope, "w.company_code", "e.region_code", p);
  if (f.state) where += " AND w.state = " + ph(p, *f.state);
  if (f.work_type) where += " AND w.work_type = " + ph(p, *f.work_type);
  if (f.company_code) where += " AND w.company_code = " + ph(p, *f.company_code);
  if (f.day) {
    auto d = day_start(ph(p, *f.day));
    where += " AND w.begin_at < " + d + " + interval '1 day' AND w.end_at > " + d;
  }
  if (f.in_progress_now || f.overdue) where += " AND w.state = 'in_progress'";
  if (f.overdue) where += " AND w.end_at < " + ph(p, format_timestamptz(now)) + "::timestamptz";
  auto lim = ph(p, std::to_string(limit));
  auto off = ph(p, std::to_string(offset));
  auto r =
      tx.query("SELECT " + std::string(kColumns) +
                   ", count(*) OVER () AS total FROM work_permit w JOIN enterprise e "
                   "USING (company_code) WHERE " +
                   where + " ORDER BY w.begin_at DESC, w.id DESC LIMIT " + lim + " OFFSET " + off,
               p);
  PermitPage page;
  for (const auto& row : r) {
    page.items.push_back(permit_of(row));
    page.total = row.get<long long>("total");
  }
  if (page.items.empty() && offset > 0) {
    Params q;
    std::string w2 = where;  // same predicate, same parameters, without limit and offset
    q.assign(p.begin(), p.end() - 2);
    page.total = tx.one<long long>(
                       "SELECT count(*) FROM work_permit w JOIN enterprise e USING "
                       "(company_code) WHERE " +
                           w2,
                       q)
                     .value_or(0);
  }
  return page;
}

namespace {
// A timestamptz of the stored row, as the API writes times (core::format_rfc3339).
std::string when(const char* field) {
  return std::string("to_char((before->>'") + field +
         "')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";
}
}  // namespace

std::vector<PermitChange> PermitStore::changes(Tx& tx, long long permit_id) const {
  return tx.rows<PermitChange>(
      "SELECT id, at, actor, action, from_state, to_state, reason, CASE WHEN before IS NOT NULL "
      "THEN jsonb_build_object('work_type', before->'work_type', 'grade', before->'grade', "
      "'location', before->'location', 'hazard_code', before->'hazard_code', 'equip_code', "
      "before->'equip_code', 'begin_at', " +
          when("begin_at") + ", 'end_at', " + when("end_at") +
          ", 'contractor', before->'contractor', 'work_unit', before->'work_unit', "
          "'responsible', before->'responsible', 'responsible_mobile', "
          "before->'responsible_mobile', 'content', before->'content', 'state', "
          "before->'state', 'revision', before->'revision')::text END AS before FROM "
          "work_permit_change WHERE permit_id = $1 ORDER BY id",
      {std::to_string(permit_id)});
}

std::vector<PermitRegionCount> PermitStore::counts(Tx& tx, const model::Scope& scope,
                                                   core::SysTime now, bool by_city) const {
  Params p{format_timestamptz(now)};
  auto where = scope_predicate(scope, "w.company_code", "e.region_code", p);
  std::string group = by_city ? "substr(e.region_code, 1, 4) || '00'" : "e.region_code";
  auto r = tx.query(
      "SELECT g.region_code, coalesce(r.name, g.region_code) AS region_name, g.work_type, "
      "g.grade, g.n, g.overdue FROM (SELECT " +
          group +
          " AS region_code, w.work_type, w.grade, count(*) AS n, "
          "count(*) FILTER (WHERE w.end_at < $1::timestamptz) AS overdue "
          "FROM work_permit w JOIN enterprise e USING (company_code) "
          "WHERE w.state = 'in_progress' AND " +
          where +
          " GROUP BY 1, 2, 3) g LEFT JOIN region r ON r.code = g.region_code "
          "ORDER BY g.region_code, g.work_type, g.grade",
      p);
  std::vector<PermitRegionCount> out;
  for (const auto& row : r) {
    auto code = row.get<std::string>("region_code");
    if (out.empty() || out.back().region_code != code) {
      out.emplace_back();
      out.back().region_code = code;
      out.back().region_name = row.get<std::string>("region_name");
    }
    auto& c = out.back();
    auto type = row.get<std::string>("work_type");
    auto n = row.get<long long>("n");
    c.in_progress += n;
    c.overdue += row.get<long long>("overdue");
    if (type == "hot_work") c.hot_work += n;
    if (type == "confined_space") c.confined_space += n;
    c.by_kind[model::commitment_work_key(type, row.get<std::optional<std::string>>("grade"))] += n;
  }
  return out;
}

std::map<std::string, long long> PermitStore::day_counts(Tx& tx, const std::string& company_code,
                                                         const std::string& day) const {
  Params p{company_code, day};
  auto d = day_start("$2");
  auto r = tx.query(
      "SELECT work_type, grade, count(*) AS n FROM work_permit WHERE company_code = $1 "
      "AND state <> 'cancelled' AND begin_at < " +
          d + " + interval '1 day' AND end_at > " + d + " GROUP BY 1, 2",
      p);
  std::map<std::string, long long> out;
  for (const auto& row : r)
    out[model::commitment_work_key(row.get<std::string>("work_type"),
                                   row.get<std::optional<std::string>>("grade"))] +=
        row.get<long long>("n");
  return out;
}

std::optional<std::map<std::string, long long>> PermitStore::commitment_counts(
    Tx& tx, const std::string& company_code, const std::string& day) const {
  const auto& kinds = model::special_work_kinds();
  std::string cols;
  for (const auto& k : kinds) cols += (cols.empty() ? "" : ", ") + std::string(k.key);
  auto r = tx.query(
      "SELECT " + cols + " FROM safety_commitment WHERE company_code = $1 AND day = $2::date",
      {company_code, day});
  if (r.size() == 0) return std::nullopt;
  std::map<std::string, long long> out;
  for (const auto& k : kinds) out[k.key] = r[0].get<long long>(k.key);
  return out;
}

}  // namespace hazmon::storage
