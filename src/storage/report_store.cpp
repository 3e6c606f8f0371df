#include <hazmon/storage/report_store.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

using namespace std::chrono;

namespace {
std::string pg_time(core::SysTime t) {
  return format_pg_timestamp(duration_cast<milliseconds>(t.time_since_epoch()).count());
}
std::int64_t num(const nlohmann::json& v) {
  if (v.is_null()) return 0;
  if (v.is_number()) return v.get<std::int64_t>();
  return std::stoll(v.get<std::string>());
}
std::string str(const nlohmann::json& v) {
  return v.is_null() ? std::string() : v.get<std::string>();
}

// Beijing time text of a timestamptz column.
std::string beijing(const std::string& col) {
  return "to_char(" + col + " AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD HH24:MI:SS')";
}

// The scope of a report's rows, on a row's company_code (e) joined to enterprise e.
std::string scope_on(const model::Scope& scope, Params& p) {
  return scope_predicate(scope, "e.company_code", "e.region_code", p);
}

ReportRow report_row(const nlohmann::json& r) {
  ReportRow out;
  out.id = num(r["id"]);
  out.kind = str(r["kind"]);
  out.scope_code = str(r["scope_code"]);
  out.scope_name = str(r["scope_name"]);
  out.period_from = parse_day(str(r["period_from"])).value_or(0);
  out.period_to = parse_day(str(r["period_to"])).value_or(0);
  out.year = static_cast<int>(num(r["year"]));
  out.number = static_cast<int>(num(r["number"]));
  out.title = str(r["title"]);
  if (r.contains("content"))
    out.content = r["content"].is_string() ? r["content"].get<std::string>() : r["content"].dump();
  out.created_at = str(r["created_at"]);
  if (!r["created_by_name"].is_null()) out.created_by_name = str(r["created_by_name"]);
  out.emailed_to = static_cast<int>(num(r["emailed_to"]));
  return out;
}

const char* kReportColumns =
    "r.id, r.kind, r.scope_code, coalesce(g.name, r.scope_code) AS scope_name, r.period_from::text "
    "AS period_from, "
    "r.period_to::text AS period_to, r.year, r.number, r.title, "
    "to_char(r.created_at AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD HH24:MI:SS') AS "
    "created_at, "
    "r.created_by_name, r.emailed_to";
}  // namespace

model::Scope report_scope(const std::string& scope_code) {
  if (model::region_level(scope_code) == model::RegionLevel::province)
    return model::Scope::province();
  return model::Scope::region(scope_code);
}

std::int64_t ReportStore::warnings_closed(Tx& tx, const model::Scope& scope, core::SysTime from,
                                          core::SysTime to) const {
  Params p{pg_time(from), pg_time(to)};
  const std::string sc = scope_on(scope, p);
  return num(
      tx.exec_one("SELECT count(*) AS n FROM warning_event w JOIN enterprise e ON e.company_code = "
                  "w.company_code "
                  "WHERE w.closed_ts >= $1::timestamptz AND w.closed_ts < $2::timestamptz AND " +
                      sc,
                  p)["n"]);
}

std::vector<OverdueEvent> ReportStore::overdue(Tx& tx, const model::Scope& scope, core::SysTime now,
                                               int top_n) const {
  Params p{pg_time(now), std::to_string(top_n)};
  const std::string sc = scope_on(scope, p);
  const std::string deadline =
      "CASE w.status WHEN 'pushed' THEN w.feedback_deadline_ts WHEN 'fed_back' THEN "
      "w.check_deadline_ts "
      "WHEN 'checked' THEN w.close_deadline_ts END";
  std::vector<OverdueEvent> out;
  for (const auto& row :
       tx.exec("SELECT w.id, w.event_no, w.company_code, e.name, w.level, w.status, coalesce(" +
                   beijing(deadline) +
                   ", '') AS deadline FROM warning_event w JOIN enterprise e ON e.company_code = "
                   "w.company_code "
                   "WHERE w.status <> 'closed' AND (w.overdue OR " +
                   deadline + " < $1::timestamptz) AND " + sc + " ORDER BY " + deadline +
                   " NULLS LAST, w.id LIMIT $2::int",
               p)) {
    out.push_back({num(row["id"]), str(row["event_no"]), str(row["company_code"]), str(row["name"]),
                   str(row["level"]), str(row["status"]), str(row["deadline"])});
  }
  return out;
}

std::string ReportStore::region_name(Tx& tx, const std::string& code) const {
  auto r = tx.exec_one("SELECT name FROM region WHERE code = $1", {code});
  return r.is_null() ? code : str(r["name"]);
}

bool ReportStore::exists(Tx& tx, const std::string& kind, const std::string& scope_code,
                         BeijingDay period_from) const {
  return !tx.exec_one(
                "SELECT 1 AS ok FROM report WHERE kind = $1 AND scope_code = $2 AND period_from = "
                "$3::date",
                {kind, scope_code, format_day(period_from)})
              .is_null();
}

ReportRow ReportStore::create(Tx& tx, NewReport n) const {
  // One numbering at a time: the next number is max + 1 within kind, scope and year.
  tx.exec("SELECT pg_advisory_xact_lock(hashtext('hazmon.report.number'))");
  const auto year = format_day(n.period_from).substr(0, 4);
  auto existing = tx.exec_one(
      "SELECT id, number FROM report WHERE kind = $1 AND scope_code = $2 AND period_from = "
      "$3::date",
      {n.kind, n.scope_code, format_day(n.period_from)});
  if (!existing.is_null() && !n.replace)
    throw core::Error(core::Errc::conflict, "a " + n.kind +
                                                " report of this period and scope exists (id " +
                                                std::to_string(num(existing["id"])) +
                                                "); ask with replace to make it again");
  int number = existing.is_null()
                   ? static_cast<int>(num(tx.exec_one(
                         "SELECT coalesce(max(number), 0) + 1 AS n FROM report WHERE kind = $1 AND "
                         "scope_code = $2 AND year = $3::int",
                         {n.kind, n.scope_code, year})["n"]))
                   : static_cast<int>(num(existing["number"]));
  std::string scope_part;
  if (model::region_level(n.scope_code) != model::RegionLevel::province)
    scope_part = "（" + region_name(tx, n.scope_code) + "）";
  std::string title = n.title_prefix + (n.kind == "daily" ? "日报" : "周报") + scope_part + "〔" +
                      year + "〕第" + std::to_string(number) + "期";
  auto content = nlohmann::json::parse(n.content);
  content["title"] = title;
  content["number"] = number;
  Params p{n.kind,
           n.scope_code,
           format_day(n.period_from),
           format_day(n.period_to),
           year,
           std::to_string(number),
           title,
           content.dump(),
           n.created_by ? Param(std::to_string(*n.created_by)) : Param(),
           n.created_by_name.empty() ? Param() : Param(n.created_by_name)};
  auto id = tx.exec_one(
      "INSERT INTO report (kind, scope_code, period_from, period_to, year, number, title, content, "
      "created_by, created_by_name) "
      "VALUES ($1, $2, $3::date, $4::date, $5::int, $6::int, $7, $8::jsonb, $9::bigint, $10) "
      "ON CONFLICT (kind, scope_code, period_from) DO UPDATE SET content = EXCLUDED.content, title "
      "= EXCLUDED.title, "
      "period_to = EXCLUDED.period_to, created_at = now(), created_by = EXCLUDED.created_by, "
      "created_by_name = EXCLUDED.created_by_name "
      "RETURNING id",
      p)["id"];
  auto row = tx.exec_one(
      std::string("SELECT ") + kReportColumns +
          ", r.content FROM report r LEFT JOIN region g ON g.code = r.scope_code WHERE r.id = $1",
      {std::to_string(num(id))});
  return report_row(row);
}

namespace {
// Reports a scope may read: the province sees every report; a region its own and those of the
// regions under it; enterprises none.
std::string report_scope_predicate(const model::Scope& scope, Params& p) {
  switch (scope.kind) {
    case model::ScopeKind::province:
      return "TRUE";
    case model::ScopeKind::region:
      p.push_back(scope.region_prefix());
      return "r.scope_code LIKE $" + std::to_string(p.size()) + " || '%'";
    case model::ScopeKind::enterprise:
      return "FALSE";
  }
  return "FALSE";
}
}  // namespace

std::optional<ReportRow> ReportStore::get(Tx& tx, const model::Scope& scope,
                                          std::int64_t id) const {
  Params p{std::to_string(id)};
  auto pred = report_scope_predicate(scope, p);
  auto row =
      tx.exec_one(std::string("SELECT ") + kReportColumns +
                      ", r.content FROM report r LEFT JOIN region g ON g.code = r.scope_code "
                      "WHERE r.id = $1 AND " +
                      pred,
                  p);
  if (row.is_null()) return std::nullopt;
  return report_row(row);
}

std::vector<ReportRow> ReportStore::list(Tx& tx, const model::Scope& scope, const std::string& kind,
                                         std::int64_t limit, std::int64_t offset,
                                         std::int64_t* total) const {
  Params p;
  auto pred = report_scope_predicate(scope, p);
  if (!kind.empty()) {
    p.push_back(kind);
    pred += " AND r.kind = $" + std::to_string(p.size());
  }
  if (total) *total = num(tx.exec_one("SELECT count(*) AS n FROM report r WHERE " + pred, p)["n"]);
  p.push_back(std::to_string(limit));
  p.push_back(std::to_string(offset));
  std::vector<ReportRow> out;
  for (const auto& r :
       tx.exec(std::string("SELECT ") + kReportColumns +
                   " FROM report r LEFT JOIN region g ON g.code = r.scope_code WHERE " + pred +
                   " ORDER BY r.period_from DESC, r.id DESC LIMIT $" +
                   std::to_string(p.size() - 1) + " OFFSET $" + std::to_string(p.size()),
               p))
    out.push_back(report_row(r));
  return out;
}

void ReportStore::set_emailed(Tx& tx, std::int64_t id, int recipients) const {
  tx.exec("UPDATE report SET emailed_to = $2::int WHERE id = $1",
          {std::to_string(id), std::to_string(recipients)});
}

}  // namespace hazmon::storage
