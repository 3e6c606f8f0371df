#include <hazmon/storage/commitment_store.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<CommitmentEnterprise> {
  using E = CommitmentEnterprise;
  static constexpr auto columns =
      std::make_tuple(column("company_code", &E::company_code), column("name", &E::name),
                      column("region_code", &E::region_code), column("principal", &E::principal));
};
template <>
struct RowDescription<CommitmentSummaryRow> {
  using S = CommitmentSummaryRow;
  static constexpr auto columns = std::make_tuple(
      column("region_code", &S::region_code), column("region_name", &S::region_name),
      column("expected", &S::expected), column("committed", &S::committed),
      column("late", &S::late), column("red", &S::red), column("orange", &S::orange),
      column("yellow", &S::yellow), column("blue", &S::blue),
      column("recent_committer", &S::recent_committer));
};
template <>
struct RowDescription<MissingCommitment> {
  using M = MissingCommitment;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &M::company_code), column("company_name", &M::company_name),
      column("region_code", &M::region_code), column("region_name", &M::region_name),
      column("warning_event_id", &M::warning_event_id));
};
template <>
struct RowDescription<CommitmentWarningRow> {
  using W = CommitmentWarningRow;
  static constexpr auto columns = std::make_tuple(column("company_code", &W::company_code),
                                                  column("warning_event_id", &W::warning_event_id),
                                                  column("closed_at", &W::closed_at));
};

namespace {
// The enterprises expected to commit: active, operating, with an active major hazard source.
constexpr const char* kExpected =
    "e.is_active AND e.status = 'operating' AND EXISTS (SELECT 1 FROM hazard_source h WHERE "
    "h.company_code = e.company_code AND h.is_active)";

constexpr const char* kColumns =
    "c.id, c.company_code, e.name AS company_name, c.day::text AS day, c.units_total, "
    "c.units_running, c.units_stopped, c.units_startup, c.units_trial, c.units_overhaul, "
    "c.hot_special, c.hot_1, c.hot_2, c.confined_space, c.blinding, c.height_1, c.height_2, "
    "c.height_3, c.height_4, c.lifting_1, c.lifting_2, c.lifting_3, c.temporary_power, "
    "c.excavation, c.road_closure, c.contractor, c.trial_production, c.start_stop, "
    "c.pilot_scale_up, c.major_hidden_danger, c.baobao_in_place, c.key_process_count, "
    "c.risk_grade, c.committer, c.committer_role, c.duty_leader, c.duty_phone, c.content, "
    "c.committed_at, c.late, c.committer_recent, c.revision, c.source, c.filed_by";

model::Commitment commitment_of(const Row& r) {
  model::Commitment c;
  c.id = r.get<long long>("id");
  c.company_code = r.get<std::string>("company_code");
  c.company_name = r.get<std::string>("company_name");
  c.day = r.get<std::string>("day");
  c.units_total = r.get<int>("units_total");
  c.units_running = r.get<int>("units_running");
  c.units_stopped = r.get<int>("units_stopped");
  c.units_startup = r.get<int>("units_startup");
  c.units_trial = r.get<int>("units_trial");
  c.units_overhaul = r.get<int>("units_overhaul");
  const auto& kinds = model::special_work_kinds();
  c.work.assign(kinds.size(), 0);
  for (std::size_t i = 0; i < kinds.size(); ++i) c.work[i] = r.get<int>(kinds[i].key);
  c.contractor = r.get<bool>("contractor");
  c.trial_production = r.get<bool>("trial_production");
  c.start_stop = r.get<bool>("start_stop");
  c.pilot_scale_up = r.get<bool>("pilot_scale_up");
  c.major_hidden_danger = r.get<bool>("major_hidden_danger");
  c.baobao_in_place = r.get<bool>("baobao_in_place");
  c.key_process_count = r.get<int>("key_process_count");
  c.risk_grade = r.get<model::WarningLevel>("risk_grade");
  c.committer = r.get<std::string>("committer");
  c.committer_role = r.get<model::CommitterRole>("committer_role");
  c.duty_leader = r.get<std::string>("duty_leader");
  c.duty_phone = r.get<std::string>("duty_phone");
  c.content = r.get<std::string>("content");
  c.committed_at = r.get<core::SysTime>("committed_at");
  c.late = r.get<bool>("late");
  c.committer_recent = r.get<bool>("committer_recent");
  c.revision = r.get<int>("revision");
  c.source = r.get<std::string>("source");
  c.filed_by = r.get<std::string>("filed_by");
  return c;
}

std::string b(bool v) { return v ? "true" : "false"; }
}  // namespace

std::optional<CommitmentEnterprise> CommitmentStore::enterprise(
    Tx& tx, const model::Scope& scope, const std::string& company_code) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return tx.one<CommitmentEnterprise>(
      "SELECT e.company_code, e.name, e.region_code, e.principal FROM enterprise e "
      "WHERE e.company_code = $1 AND e.is_active AND " +
          where,
      p);
}

std::optional<model::CommitterRole> CommitmentStore::responsible_role(
    Tx& tx, const std::string& company_code, const std::string& name,
    const std::string& day) const {
  auto role = tx.one<std::string>(
      "SELECT role FROM responsible_person WHERE company_code = $1 AND is_active "
      "AND btrim(name) = btrim($2) AND (valid_from IS NULL OR valid_from <= $3::date) "
      "AND (valid_to IS NULL OR valid_to >= $3::date) "
      "ORDER BY CASE role WHEN 'principal' THEN 1 WHEN 'technical' THEN 2 ELSE 3 END LIMIT 1",
      {company_code, name, day});
  if (!role) return std::nullopt;
  return model::committer_role_from_string(*role);
}

bool CommitmentStore::committer_recent(Tx& tx, const std::string& company_code,
                                       const std::string& name, model::CommitterRole role,
                                       int hours) const {
  Params p{company_code, name, std::to_string(hours)};
  if (role == model::CommitterRole::enterprise_principal)
    return tx
        .one<bool>(
            "SELECT principal_since > now() - make_interval(hours => $3::int) FROM "
            "enterprise WHERE company_code = $1 AND btrim(principal) = btrim($2)",
            p)
        .value_or(false);
  return tx
      .one<bool>(
          "SELECT EXISTS (SELECT 1 FROM responsible_person WHERE company_code = $1 "
          "AND is_active AND btrim(name) = btrim($2) AND name_since > now() - "
          "make_interval(hours => $3::int))",
          p)
      .value_or(false);
}

model::Commitment CommitmentStore::save(Tx& tx, const model::Commitment& c,
                                        const std::string& replaced_by) const {
  // One filing of an enterprise's day at a time, so that no replaced version escapes the
  // history (the row may not exist yet: a row lock would not serialise the first two).
  tx.exec_count("SELECT pg_advisory_xact_lock(hashtext('safety_commitment'), hashtext($1 || $2))",
                {c.company_code, c.day});
  tx.exec_count(
      "INSERT INTO safety_commitment_history (commitment_id, company_code, day, revision, "
      "replaced_at, replaced_by, row_data) SELECT id, company_code, day, revision, $3, $4, "
      "to_jsonb(s) FROM safety_commitment s WHERE company_code = $1 AND day = $2::date",
      {c.company_code, c.day, format_timestamptz(c.committed_at), replaced_by});
  std::vector<std::string> names = {"company_code",  "day",           "units_total",
                                    "units_running", "units_stopped", "units_startup",
                                    "units_trial",   "units_overhaul"};
  Params p{c.company_code,
           c.day,
           std::to_string(c.units_total),
           std::to_string(c.units_running),
           std::to_string(c.units_stopped),
           std::to_string(c.units_startup),
           std::to_string(c.units_trial),
           std::to_string(c.units_overhaul)};
  const auto& kinds = model::special_work_kinds();
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    names.emplace_back(kinds[i].key);
    p.push_back(std::to_string(i < c.work.size() ? c.work[i] : 0));
  }
  auto add = [&](const char* name, std::string v) {
    names.emplace_back(name);
    p.push_back(std::move(v));
  };
  add("contractor", b(c.contractor));
  add("trial_production", b(c.trial_production));
  add("start_stop", b(c.start_stop));
  add("pilot_scale_up", b(c.pilot_scale_up));
  add("major_hidden_danger", b(c.major_hidden_danger));
  add("baobao_in_place", b(c.baobao_in_place));
  add("key_process_count", std::to_string(c.key_process_count));
  add("risk_grade", model::to_string(c.risk_grade));
  add("committer", c.committer);
  add("committer_role", model::to_string(c.committer_role));
  add("duty_leader", c.duty_leader);
  add("duty_phone", c.duty_phone);
  add("content", c.content);
  add("committed_at", format_timestamptz(c.committed_at));
  add("late", b(c.late));
  add("committer_recent", b(c.committer_recent));
  add("source", c.source);
  add("filed_by", c.filed_by);
  // Every column but the key is written over; the revision counts the filings of the day.
  std::string cols, values, updates;
  for (std::size_t i = 0; i < names.size(); ++i) {
    cols += (i ? ", " : "") + names[i];
    values += (i ? ", $" : "$") + std::to_string(i + 1) + (i == 1 ? "::date" : "");
    if (i >= 2) updates += names[i] + " = EXCLUDED." + names[i] + ", ";
  }
  auto id = tx.one<long long>("INSERT INTO safety_commitment (" + cols + ") VALUES (" + values +
                                  ") ON CONFLICT (company_code, day) DO UPDATE SET " + updates +
                                  "revision = safety_commitment.revision + 1 RETURNING id",
                              p);
  auto r = tx.query("SELECT " + std::string(kColumns) +
                        " FROM safety_commitment c JOIN enterprise e USING (company_code) "
                        "WHERE c.id = $1",
                    {std::to_string(*id)});
  return commitment_of(r[0]);
}

CommitmentPage CommitmentStore::list(Tx& tx, const model::Scope& scope, const CommitmentFilter& f,
                                     int limit, long long offset) const {
  Params p;
  std::string where = scope_predicate(scope, "c.company_code", "e.region_code", p);
  if (f.day) where += " AND c.day = " + ph(p, *f.day) + "::date";
  if (f.company_code) where += " AND c.company_code = " + ph(p, *f.company_code);
  if (f.late) where += " AND c.late = " + ph(p, b(*f.late)) + "::boolean";
  auto lim = ph(p, std::to_string(limit));
  auto off = ph(p, std::to_string(offset));
  auto r =
      tx.query("SELECT " + std::string(kColumns) +
                   ", count(*) OVER () AS total FROM safety_commitment c JOIN enterprise e "
                   "USING (company_code) WHERE " +
                   where + " ORDER BY c.day DESC, c.company_code LIMIT " + lim + " OFFSET " + off,
               p);
  CommitmentPage page;
  for (auto row : r) {
    page.items.push_back(commitment_of(row));
    page.total = row.get<long long>("total");
  }
  if (r.empty() && offset > 0) {
    Params q;
    std::string w = scope_predicate(scope, "c.company_code", "e.region_code", q);
    if (f.day) w += " AND c.day = " + ph(q, *f.day) + "::date";
    if (f.company_code) w += " AND c.company_code = " + ph(q, *f.company_code);
    if (f.late) w += " AND c.late = " + ph(q, b(*f.late)) + "::boolean";
    page.total = tx.one<long long>(
                       "SELECT count(*) FROM safety_commitment c JOIN enterprise e USING "
                       "(company_code) WHERE " +
                           w,
                       q)
                     .value_or(0);
  }
  return page;
}

bool CommitmentStore::visible(Tx& tx, const model::Scope& scope, long long id) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "c.company_code", "", p);
  return tx.one<long long>("SELECT c.id FROM safety_commitment c WHERE c.id = $1 AND " + where, p)
      .has_value();
}

std::vector<std::string> CommitmentStore::history(Tx& tx, long long commitment_id) const {
  return tx.rows<std::string>(
      "SELECT row_data::text FROM safety_commitment_history WHERE commitment_id = $1 ORDER BY "
      "revision",
      {std::to_string(commitment_id)});
}

std::vector<CommitmentSummaryRow> CommitmentStore::summary(Tx& tx, const model::Scope& scope,
                                                           const std::string& day,
                                                           bool by_city) const {
  Params p{day};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  std::string group = by_city ? "substr(e.region_code, 1, 4) || '00'" : "e.region_code";
  return tx.rows<CommitmentSummaryRow>(
      "SELECT g.region_code, coalesce(r.name, g.region_code) AS region_name, g.expected, "
      "g.committed, g.late, g.red, g.orange, g.yellow, g.blue, g.recent_committer FROM (SELECT " +
          group +
          " AS region_code, count(*) AS expected, count(c.id) AS committed, "
          "count(*) FILTER (WHERE c.late) AS late, "
          "count(*) FILTER (WHERE c.risk_grade = 'red') AS red, "
          "count(*) FILTER (WHERE c.risk_grade = 'orange') AS orange, "
          "count(*) FILTER (WHERE c.risk_grade = 'yellow') AS yellow, "
          "count(*) FILTER (WHERE c.risk_grade = 'blue') AS blue, "
          "count(*) FILTER (WHERE c.committer_recent) AS recent_committer "
          "FROM enterprise e LEFT JOIN safety_commitment c ON c.company_code = e.company_code "
          "AND c.day = $1::date WHERE " +
          std::string(kExpected) + " AND " + where +
          " GROUP BY 1) g LEFT JOIN region r ON r.code = g.region_code ORDER BY g.region_code",
      p);
}

std::vector<MissingCommitment> CommitmentStore::missing(Tx& tx, const model::Scope& scope,
                                                        const std::string& day, int limit) const {
  Params p{day};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  auto lim = ph(p, std::to_string(limit));
  return tx.rows<MissingCommitment>(
      "SELECT e.company_code, e.name AS company_name, e.region_code, "
      "coalesce(r.name, e.region_code) AS region_name, w.warning_event_id "
      "FROM enterprise e LEFT JOIN region r ON r.code = e.region_code "
      "LEFT JOIN commitment_warning w ON w.company_code = e.company_code AND w.day = $1::date "
      "WHERE " +
          std::string(kExpected) + " AND " + where +
          " AND NOT EXISTS (SELECT 1 FROM safety_commitment c WHERE c.company_code = "
          "e.company_code AND c.day = $1::date) ORDER BY e.region_code, e.company_code LIMIT " +
          lim,
      p);
}

std::vector<std::string> CommitmentStore::unwarned_missing(Tx& tx, const std::string& day,
                                                           int limit) const {
  return tx.rows<std::string>(
      "SELECT e.company_code FROM enterprise e WHERE " + std::string(kExpected) +
          " AND NOT EXISTS (SELECT 1 FROM safety_commitment c WHERE c.company_code = "
          "e.company_code AND c.day = $1::date) AND NOT EXISTS (SELECT 1 FROM commitment_warning "
          "w WHERE w.company_code = e.company_code AND w.day = $1::date) "
          "ORDER BY e.company_code LIMIT $2",
      {day, std::to_string(limit)});
}

bool CommitmentStore::claim_warning(Tx& tx, const std::string& company_code, const std::string& day,
                                    core::SysTime at) const {
  // The filing's lock (save): a filing committing meanwhile is seen here, and a filing that
  // comes after sees this row and closes the warning.
  tx.exec_count("SELECT pg_advisory_xact_lock(hashtext('safety_commitment'), hashtext($1 || $2))",
                {company_code, day});
  return tx.exec_count(
             "INSERT INTO commitment_warning (company_code, day, raised_at) SELECT $1, $2::date, "
             "$3 WHERE NOT EXISTS (SELECT 1 FROM safety_commitment WHERE company_code = $1 AND "
             "day = $2::date) ON CONFLICT DO NOTHING",
             {company_code, day, format_timestamptz(at)}) == 1;
}

void CommitmentStore::set_warning_event(Tx& tx, const std::string& company_code,
                                        const std::string& day, long long event_id) const {
  tx.exec_count(
      "UPDATE commitment_warning SET warning_event_id = $3 WHERE company_code = $1 AND day = "
      "$2::date",
      {company_code, day, std::to_string(event_id)});
}

std::optional<CommitmentWarningRow> CommitmentStore::lock_open_warning(
    Tx& tx, const std::string& company_code, const std::string& day) const {
  return tx.one<CommitmentWarningRow>(
      "SELECT company_code, warning_event_id, closed_at FROM commitment_warning WHERE "
      "company_code = $1 AND day = $2::date AND closed_at IS NULL FOR UPDATE",
      {company_code, day});
}

void CommitmentStore::close_warning(Tx& tx, const std::string& company_code, const std::string& day,
                                    core::SysTime at) const {
  tx.exec_count(
      "UPDATE commitment_warning SET closed_at = $3 WHERE company_code = $1 AND day = $2::date",
      {company_code, day, format_timestamptz(at)});
}

}  // namespace hazmon::storage
