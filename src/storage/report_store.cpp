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
std::string str(const nlohmann::json& v) { return v.is_null() ? std::string() : v.get<std::string>(); }

// Beijing time text of a timestamptz column.
std::string beijing(const std::string& col) {
  return "to_char(" + col + " AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD HH24:MI:SS')";
}

// The scope of a report's rows, on a row's company_code (e) joined to enterprise e.
std::string scope_on(const model::Scope& scope, Params& p) { return scope_predicate(scope, "e.company_code", "e.region_code", p); }

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
  if (r.contains("content")) out.content = r["content"].is_string() ? r["content"].get<std::string>() : r["content"].dump();
  out.created_at = str(r["created_at"]);
  if (!r["created_by_name"].is_null()) out.created_by_name = str(r["created_by_name"]);
  out.emailed_to = static_cast<int>(num(r["emailed_to"]));
  return out;
}

const char* kReportColumns =
    "r.id, r.kind, r.scope_code, coalesce(g.name, r.scope_code) AS scope_name, r.period_from::text AS period_from, "
    "r.period_to::text AS period_to, r.year, r.number, r.title, "
    "to_char(r.created_at AT TIME ZONE 'UTC' + interval '8 hours', 'YYYY-MM-DD HH24:MI:SS') AS created_at, "
    "r.created_by_name, r.emailed_to";
}  // namespace

model::Scope report_scope(const std::string& scope_code) {
  if (model::region_level(scope_code) == model::RegionLevel::province) return model::Scope::province();
  return model::Scope::region(scope_code);
}

PeriodFigures ReportStore::period(Tx& tx, const model::Scope& scope, core::SysTime from, core::SysTime to, int top_n) const {
  PeriodFigures f;
  Params p{pg_time(from), pg_time(to)};
  const std::string sc = scope_on(scope, p);
  // Alarms: platform episodes started in the period, by type; data faults apart.
  for (const auto& r : tx.exec("SELECT a.alarm_type, a.is_data_fault, count(*) AS n FROM alarm a JOIN enterprise e ON "
                               "e.company_code = a.company_code WHERE a.origin = 'platform' AND a.start_ts >= $1::timestamptz "
                               "AND a.start_ts < $2::timestamptz AND " + sc + " GROUP BY 1, 2",
                               p)) {
    auto n = num(r["n"]);
    if (r["is_data_fault"].get<bool>()) {
      f.data_faults += n;
    } else {
      f.alarms += n;
      f.alarms_by_level.push_back({str(r["alarm_type"]), n});
    }
  }
  for (const char* t : {"HH", "H", "L", "LL", "SWITCH"}) {
    bool found = false;
    for (auto& l : f.alarms_by_level) found = found || l.level == t;
    if (!found) f.alarms_by_level.push_back({t, 0});
  }
  std::erase_if(f.alarms_by_level, [](const LevelCount& l) { return l.level != "HH" && l.level != "H" && l.level != "L" &&
                                                                   l.level != "LL" && l.level != "SWITCH"; });
  auto order = [](const std::string& l) {
    static const std::vector<std::string> o{"HH", "H", "L", "LL", "SWITCH", "red", "orange", "yellow", "blue"};
    return std::find(o.begin(), o.end(), l) - o.begin();
  };
  std::sort(f.alarms_by_level.begin(), f.alarms_by_level.end(), [&](auto& a, auto& b) { return order(a.level) < order(b.level); });
  // Warning events raised in the period (by their first alarm), by level; closed in the period.
  for (const char* l : {"red", "orange", "yellow", "blue"}) f.warnings_by_level.push_back({l, 0});
  for (const auto& r : tx.exec("SELECT w.level, count(*) AS n FROM warning_event w JOIN enterprise e ON e.company_code = "
                               "w.company_code WHERE w.first_ts >= $1::timestamptz AND w.first_ts < $2::timestamptz AND " + sc +
                               " GROUP BY 1",
                               p)) {
    for (auto& l : f.warnings_by_level)
      if (l.level == str(r["level"])) l.count = num(r["n"]);
    f.warnings += num(r["n"]);
  }
  f.warnings_closed = num(tx.exec_one("SELECT count(*) AS n FROM warning_event w JOIN enterprise e ON e.company_code = w.company_code "
                                      "WHERE w.closed_ts >= $1::timestamptz AND w.closed_ts < $2::timestamptz AND " + sc,
                                      p)["n"]);
  // Video AI events that people review (not camera health or offline), started in the period.
  auto v = tx.exec_one(
      "SELECT count(*) AS n, count(*) FILTER (WHERE v.review_state = 'confirmed') AS confirmed, "
      "count(*) FILTER (WHERE v.review_state = 'rejected') AS rejected, count(*) FILTER (WHERE v.review_state = 'pending') AS pending "
      "FROM video_event v JOIN enterprise e ON e.company_code = v.company_code WHERE v.review_state <> 'not_required' AND "
      "v.started_at >= $1::timestamptz AND v.started_at < $2::timestamptz AND " + sc,
      p);
  f.video_events = num(v["n"]);
  f.video_confirmed = num(v["confirmed"]);
  f.video_rejected = num(v["rejected"]);
  f.video_pending = num(v["pending"]);
  // By city: every city of the scope, with zeros.
  const Params base{pg_time(from), pg_time(to)};  // each query below adds its own scope parameters
  Params cp = base;
  std::string city_scope;
  switch (scope.kind) {
    case model::ScopeKind::province: city_scope = "TRUE"; break;
    case model::ScopeKind::region:
      cp.push_back(model::region_prefix(scope.region_code.substr(0, 4) + "00"));
      city_scope = "c.code LIKE $" + std::to_string(cp.size()) + " || '%'";
      break;
    case model::ScopeKind::enterprise:
      cp.push_back(scope.company_code);
      city_scope = "c.code = (SELECT substr(region_code, 1, 4) || '00' FROM enterprise WHERE company_code = $" +
                   std::to_string(cp.size()) + ")";
      break;
  }
  const std::string csc = scope_on(scope, cp);
  for (const auto& r : tx.exec(
           "WITH x AS ("
           "  SELECT substr(e.region_code, 1, 4) || '00' AS city, 1 AS alarms, 0 AS warnings, 0 AS vc, 0 AS vr FROM alarm a "
           "  JOIN enterprise e ON e.company_code = a.company_code WHERE a.origin = 'platform' AND NOT a.is_data_fault AND "
           "  a.start_ts >= $1::timestamptz AND a.start_ts < $2::timestamptz AND " + csc +
           "  UNION ALL SELECT substr(e.region_code, 1, 4) || '00', 0, 1, 0, 0 FROM warning_event w JOIN enterprise e ON "
           "  e.company_code = w.company_code WHERE w.first_ts >= $1::timestamptz AND w.first_ts < $2::timestamptz AND " + csc +
           "  UNION ALL SELECT substr(e.region_code, 1, 4) || '00', 0, 0, (v.review_state = 'confirmed')::int, "
           "  (v.review_state = 'rejected')::int FROM video_event v JOIN enterprise e ON e.company_code = v.company_code "
           "  WHERE v.review_state IN ('confirmed', 'rejected') AND v.started_at >= $1::timestamptz AND v.started_at < $2::timestamptz AND " +
           csc +
           ") SELECT c.code, c.name, coalesce(sum(x.alarms), 0) AS alarms, coalesce(sum(x.warnings), 0) AS warnings, "
           "coalesce(sum(x.vc), 0) AS vc, coalesce(sum(x.vr), 0) AS vr FROM region c LEFT JOIN x ON x.city = c.code "
           "WHERE c.level = 'city' AND " + city_scope + " GROUP BY c.code, c.name ORDER BY c.code",
           cp)) {
    f.cities.push_back({str(r["code"]), str(r["name"]), num(r["alarms"]), num(r["warnings"]), num(r["vc"]), num(r["vr"])});
  }
  // Top enterprises by alarms + warnings.
  Params tp = base;
  const std::string tsc = scope_on(scope, tp);
  tp.push_back(std::to_string(top_n));
  for (const auto& r : tx.exec(
           "WITH x AS ("
           "  SELECT a.company_code, 1 AS alarms, 0 AS warnings, 0 AS ro FROM alarm a WHERE a.origin = 'platform' AND NOT a.is_data_fault "
           "  AND a.start_ts >= $1::timestamptz AND a.start_ts < $2::timestamptz"
           "  UNION ALL SELECT w.company_code, 0, 1, (w.level IN ('red', 'orange'))::int FROM warning_event w "
           "  WHERE w.first_ts >= $1::timestamptz AND w.first_ts < $2::timestamptz"
           ") SELECT e.company_code, e.name, coalesce(c.name, '') AS city_name, sum(x.alarms) AS alarms, sum(x.warnings) AS warnings, "
           "sum(x.ro) AS ro FROM x JOIN enterprise e ON e.company_code = x.company_code "
           "LEFT JOIN region c ON c.code = substr(e.region_code, 1, 4) || '00' WHERE " + tsc +
           " GROUP BY e.company_code, e.name, c.name ORDER BY sum(x.ro) DESC, sum(x.alarms) + sum(x.warnings) DESC, e.company_code "
           "LIMIT $" + std::to_string(tp.size()),
           tp)) {
    f.top_enterprises.push_back({str(r["company_code"]), str(r["name"]), str(r["city_name"]), num(r["alarms"]), num(r["warnings"]),
                                 num(r["ro"])});
  }
  return f;
}

CurrentFigures ReportStore::current(Tx& tx, const model::Scope& scope, core::SysTime now, int top_n) const {
  CurrentFigures f;
  Params p;
  const std::string sc = scope_on(scope, p);
  auto r = tx.exec_one(
      "SELECT (SELECT count(*) FROM enterprise e WHERE e.is_active AND " + sc + ") AS enterprises, "
      "(SELECT count(*) FROM monitoring_point m JOIN enterprise e ON e.company_code = m.company_code WHERE m.is_active AND m.in_use AND " + sc + ") AS points, "
      "(SELECT count(*) FROM camera m JOIN enterprise e ON e.company_code = m.company_code WHERE m.is_active AND " + sc + ") AS cameras, "
      "(SELECT count(*) FROM camera m JOIN enterprise e ON e.company_code = m.company_code JOIN camera_status s ON s.video_id = m.video_id "
      " WHERE m.is_active AND s.state = 'online' AND " + sc + ") AS cameras_online, "
      "(SELECT count(*) FROM warning_event w JOIN enterprise e ON e.company_code = w.company_code WHERE w.status <> 'closed' AND "
      " w.level IN ('red', 'orange') AND " + sc + ") AS red_orange",
      p);
  f.enterprises = num(r["enterprises"]);
  f.points = num(r["points"]);
  f.cameras = num(r["cameras"]);
  f.cameras_online = num(r["cameras_online"]);
  f.red_orange_open = num(r["red_orange"]);
  // Open events past the deadline of their stage (or already marked overdue).
  Params op = p;
  op.push_back(pg_time(now));
  const std::string deadline =
      "CASE w.status WHEN 'pushed' THEN w.feedback_deadline_ts WHEN 'fed_back' THEN w.check_deadline_ts "
      "WHEN 'checked' THEN w.close_deadline_ts END";
  const std::string where = "w.status <> 'closed' AND (w.overdue OR " + deadline + " < $" + std::to_string(op.size()) +
                            "::timestamptz) AND " + sc;
  f.overdue_open = num(tx.exec_one("SELECT count(*) AS n FROM warning_event w JOIN enterprise e ON e.company_code = w.company_code WHERE " + where,
                                   op)["n"]);
  op.push_back(std::to_string(top_n));
  for (const auto& row : tx.exec("SELECT w.id, w.event_no, w.company_code, e.name, w.level, w.status, coalesce(" + beijing(deadline) +
                                     ", '') AS deadline FROM warning_event w JOIN enterprise e ON e.company_code = w.company_code "
                                     "WHERE " + where + " ORDER BY " + deadline + " NULLS LAST, w.id LIMIT $" + std::to_string(op.size()),
                                 op)) {
    f.overdue.push_back({num(row["id"]), str(row["event_no"]), str(row["company_code"]), str(row["name"]), str(row["level"]),
                         str(row["status"]), str(row["deadline"])});
  }
  return f;
}

std::string ReportStore::region_name(Tx& tx, const std::string& code) const {
  auto r = tx.exec_one("SELECT name FROM region WHERE code = $1", {code});
  return r.is_null() ? code : str(r["name"]);
}

bool ReportStore::exists(Tx& tx, const std::string& kind, const std::string& scope_code, BeijingDay period_from) const {
  return !tx.exec_one("SELECT 1 AS ok FROM report WHERE kind = $1 AND scope_code = $2 AND period_from = $3::date",
                      {kind, scope_code, format_day(period_from)})
              .is_null();
}

ReportRow ReportStore::create(Tx& tx, NewReport n) const {
  // One numbering at a time: the next number is max + 1 within kind, scope and year.
  tx.exec("SELECT pg_advisory_xact_lock(hashtext('hazmon.report.number'))");
  const auto year = format_day(n.period_from).substr(0, 4);
  auto existing = tx.exec_one("SELECT id, number FROM report WHERE kind = $1 AND scope_code = $2 AND period_from = $3::date",
                              {n.kind, n.scope_code, format_day(n.period_from)});
  if (!existing.is_null() && !n.replace)
    throw core::Error(core::Errc::conflict, "a " + n.kind + " report of this period and scope exists (id " +
                                                std::to_string(num(existing["id"])) + "); ask with replace to make it again");
  int number = existing.is_null()
                   ? static_cast<int>(num(tx.exec_one("SELECT coalesce(max(number), 0) + 1 AS n FROM report WHERE kind = $1 AND "
                                                      "scope_code = $2 AND year = $3::int",
                                                      {n.kind, n.scope_code, year})["n"]))
                   : static_cast<int>(num(existing["number"]));
  std::string scope_part;
  if (model::region_level(n.scope_code) != model::RegionLevel::province) scope_part = "（" + region_name(tx, n.scope_code) + "）";
  std::string title = n.title_prefix + (n.kind == "daily" ? "日报" : "周报") + scope_part + "〔" + year + "〕第" +
                      std::to_string(number) + "期";
  auto content = nlohmann::json::parse(n.content);
  content["title"] = title;
  content["number"] = number;
  Params p{n.kind, n.scope_code, format_day(n.period_from), format_day(n.period_to), year, std::to_string(number), title,
           content.dump(), n.created_by ? Param(std::to_string(*n.created_by)) : Param(), n.created_by_name.empty() ? Param() : Param(n.created_by_name)};
  auto id = tx.exec_one(
      "INSERT INTO report (kind, scope_code, period_from, period_to, year, number, title, content, created_by, created_by_name) "
      "VALUES ($1, $2, $3::date, $4::date, $5::int, $6::int, $7, $8::jsonb, $9::bigint, $10) "
      "ON CONFLICT (kind, scope_code, period_from) DO UPDATE SET content = EXCLUDED.content, title = EXCLUDED.title, "
      "period_to = EXCLUDED.period_to, created_at = now(), created_by = EXCLUDED.created_by, created_by_name = EXCLUDED.created_by_name "
      "RETURNING id",
      p)["id"];
  auto row = tx.exec_one(std::string("SELECT ") + kReportColumns + ", r.content FROM report r LEFT JOIN region g ON g.code = r.scope_code WHERE r.id = $1",
                         {std::to_string(num(id))});
  return report_row(row);
}

namespace {
// Reports a scope may read: the province sees every report; a region its own and those of the
// regions under it; enterprises none.
std::string report_scope_predicate(const model::Scope& scope, Params& p) {
  switch (scope.kind) {
    case model::ScopeKind::province: return "TRUE";
    case model::ScopeKind::region:
      p.push_back(scope.region_prefix());
      return "r.scope_code LIKE $" + std::to_string(p.size()) + " || '%'";
    case model::ScopeKind::enterprise: return "FALSE";
  }
  return "FALSE";
}
}  // namespace

std::optional<ReportRow> ReportStore::get(Tx& tx, const model::Scope& scope, std::int64_t id) const {
  Params p{std::to_string(id)};
  auto pred = report_scope_predicate(scope, p);
  auto row = tx.exec_one(std::string("SELECT ") + kReportColumns + ", r.content FROM report r LEFT JOIN region g ON g.code = r.scope_code "
                         "WHERE r.id = $1 AND " + pred,
                         p);
  if (row.is_null()) return std::nullopt;
  return report_row(row);
}

std::vector<ReportRow> ReportStore::list(Tx& tx, const model::Scope& scope, const std::string& kind, std::int64_t limit,
                                         std::int64_t offset, std::int64_t* total) const {
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
  for (const auto& r : tx.exec(std::string("SELECT ") + kReportColumns + " FROM report r LEFT JOIN region g ON g.code = r.scope_code WHERE " +
                                   pred + " ORDER BY r.period_from DESC, r.id DESC LIMIT $" + std::to_string(p.size() - 1) +
                                   " OFFSET $" + std::to_string(p.size()),
                               p))
    out.push_back(report_row(r));
  return out;
}

void ReportStore::set_emailed(Tx& tx, std::int64_t id, int recipients) const {
  tx.exec("UPDATE report SET emailed_to = $2::int WHERE id = $1", {std::to_string(id), std::to_string(recipients)});
}

}  // namespace hazmon::storage
