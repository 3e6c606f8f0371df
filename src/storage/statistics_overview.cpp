// The overview (总览): counts, open alarms and warnings, the map's markers, and the online
// point counts per enterprise. Split from statistics_store.cpp, which holds the grouped figures.
#include <hazmon/storage/statistics_store.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

#include "statistics_rows.hpp"

namespace hazmon::storage {
using nlohmann::json;
using namespace stat_rows;

namespace {
// A point is online when its latest value is younger than its gateway's window (as a gateway's:
// max(3 × interval, offline_after); offline_after without a gateway) and no OFFLINE episode is
// open.
const char* const kPointsFrom =
    " FROM monitoring_point mp LEFT JOIN gateway g ON g.gateway_code = mp.gateway_code "
    "LEFT JOIN reading_latest rl ON rl.point_id = mp.point_id "
    "LEFT JOIN (SELECT DISTINCT point_id FROM alarm WHERE end_ts IS NULL AND alarm_type = "
    "'OFFLINE') o "
    "ON o.point_id = mp.point_id";
const char* const kPointsInUse = " WHERE mp.is_active AND mp.in_use";

std::string point_online_sql(Params& p, core::SysTime now, std::chrono::seconds offline_after) {
  auto at = ph(p, core::format_rfc3339(now)) + "::timestamptz";
  auto off = ph(p, std::to_string(offline_after.count())) + "::int";
  return "rl.collect_ts >= " + at +
         " - CASE WHEN g.gateway_code IS NULL THEN make_interval(secs => " + off +
         ") ELSE make_interval(secs => greatest(3 * coalesce(g.acquisition_interval_s, 60), " +
         off + ")) END AND o.point_id IS NULL";
}
}  // namespace

std::vector<EnterprisePointCount> StatisticsStore::point_counts(
    Tx& tx, core::SysTime now, std::chrono::seconds offline_after) const {
  Params p;
  auto online = point_online_sql(p, now, offline_after);
  auto rows = tx.exec(
      "SELECT mp.company_code, coalesce(e.region_code, '') AS region_code, count(*) AS total, "
      "count(*) FILTER (WHERE " +
          online + ") AS online" + std::string(kPointsFrom) +
          " LEFT JOIN enterprise e ON e.company_code = mp.company_code" + kPointsInUse +
          " GROUP BY mp.company_code, e.region_code",
      p);
  std::vector<EnterprisePointCount> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    out.push_back(
        {str(r["company_code"]), str(r["region_code"]), {num(r["online"]), num(r["total"])}});
  return out;
}

namespace {
// PostgreSQL wants exactly the parameters a statement uses: each overview query gets its own list.
struct OverviewQuery {
  Params p;
  std::string scope, now, off, window;
};
OverviewQuery overview_query(const model::Scope& scope, core::SysTime now,
                             std::chrono::seconds offline_after, bool with_now, bool with_off) {
  OverviewQuery r;
  r.scope = scope_predicate(scope, "e.company_code", "e.region_code", r.p);
  if (with_now) r.now = ph(r.p, core::format_rfc3339(now)) + "::timestamptz";
  if (with_off) {
    r.off = ph(r.p, std::to_string(offline_after.count())) + "::int";
    // A gateway is online when seen within max(3 × its interval (60 s when not entered),
    // offline_after).
    r.window = "make_interval(secs => greatest(3 * coalesce(g.acquisition_interval_s, 60), " +
               r.off + "))";
  }
  return r;
}

// Gateways, points (counted here, or summed from point_counts) and cameras, online and total.
void overview_counts(Tx& tx, const model::Scope& scope, core::SysTime now,
                     std::chrono::seconds offline_after,
                     const std::vector<EnterprisePointCount>* point_counts, OverviewData& out) {
  auto q = [&](bool with_now, bool with_off) {
    return overview_query(scope, now, offline_after, with_now, with_off);
  };
  auto q1 = q(true, true);
  auto gw =
      tx.exec_one("SELECT count(*) AS total, count(*) FILTER (WHERE g.last_seen_at >= " + q1.now +
                      " - " + q1.window +
                      ") AS online "
                      "FROM gateway g JOIN enterprise e ON e.company_code = g.company_code WHERE "
                      "g.is_active AND " +
                      q1.scope,
                  q1.p);
  out.gateways = {num(gw["online"]), num(gw["total"])};

  if (point_counts) {
    // Summed per scope as scope_predicate would select them: the enterprise's region for a region
    // scope, the point's own company_code for an enterprise.
    const std::string prefix =
        scope.kind == model::ScopeKind::region ? scope.region_prefix() : std::string();
    for (const auto& c : *point_counts) {
      bool in =
          scope.kind == model::ScopeKind::province ||
          (scope.kind == model::ScopeKind::region &&
           c.region_code.compare(0, prefix.size(), prefix) == 0) ||
          (scope.kind == model::ScopeKind::enterprise && c.company_code == scope.company_code);
      if (!in) continue;
      out.points.online += c.points.online;
      out.points.total += c.points.total;
    }
  } else {
    // The scope as a semi-join on the point's own company_code instead of a join with enterprise
    // (nothing at all for the province).
    Params p;
    auto pred = scope_predicate(scope, "mp.company_code", "", p);
    auto pts = tx.exec_one("SELECT count(*) AS total, count(*) FILTER (WHERE " +
                               point_online_sql(p, now, offline_after) + ") AS online" +
                               std::string(kPointsFrom) + kPointsInUse + " AND " + pred,
                           p);
    out.points = {num(pts["online"]), num(pts["total"])};
  }

  auto q3 = q(false, false);
  auto cams = tx.exec_one(
      "SELECT count(*) AS total, count(*) FILTER (WHERE s.state = 'online') AS online FROM camera "
      "c "
      "JOIN enterprise e ON e.company_code = c.company_code LEFT JOIN camera_status s ON "
      "s.video_id = c.video_id "
      "WHERE c.is_active AND " +
          q3.scope,
      q3.p);
  out.cameras = {num(cams["online"]), num(cams["total"])};
}

// Open alarms by type, open warnings by level, what waits for review, overdue disposals.
void overview_open(Tx& tx, const model::Scope& scope, core::SysTime now, OverviewData& out) {
  auto q3 = overview_query(scope, now, {}, false, false);
  for (const auto& r : tx.exec("SELECT a.alarm_type AS k, count(*) AS n FROM alarm a JOIN "
                               "enterprise e ON e.company_code = "
                               "a.company_code WHERE a.end_ts IS NULL AND NOT a.suppressed AND " +
                                   q3.scope + " GROUP BY 1",
                               q3.p))
    out.open_alarms_by_type[str(r["k"])] = num(r["n"]);
  for (const auto& r : tx.exec("SELECT w.level AS k, count(*) AS n FROM warning_event w JOIN "
                               "enterprise e ON e.company_code = "
                               "w.company_code WHERE w.status <> 'closed' AND " +
                                   q3.scope + " GROUP BY 1",
                               q3.p))
    out.open_warnings_by_level[str(r["k"])] = num(r["n"]);

  auto q4 = overview_query(scope, now, {}, true, false);
  auto waiting = tx.exec_one(
      "SELECT (SELECT count(*) FROM video_event v JOIN enterprise e ON e.company_code = "
      "v.company_code "
      "WHERE v.review_state = 'pending' AND " +
          q4.scope +
          ") AS video, "
          "(SELECT count(*) FROM warning_event w JOIN enterprise e ON e.company_code = "
          "w.company_code "
          "WHERE w.status = 'pending_review' AND " +
          q4.scope +
          ") AS review, "
          "(SELECT count(*) FROM warning_event w JOIN enterprise e ON e.company_code = "
          "w.company_code "
          "WHERE w.status <> 'closed' AND (w.overdue OR CASE w.status WHEN 'pushed' THEN "
          "w.feedback_deadline_ts "
          "WHEN 'fed_back' THEN w.check_deadline_ts WHEN 'checked' THEN w.close_deadline_ts END "
          "< " +
          q4.now + ") AND " + q4.scope + ") AS overdue",
      q4.p);
  out.video_pending = num(waiting["video"]);
  out.warnings_pending_review = num(waiting["review"]);
  out.overdue_disposals = num(waiting["overdue"]);
}

void overview_markers(Tx& tx, const model::Scope& scope, core::SysTime now,
                      std::chrono::seconds offline_after, OverviewData& out) {
  // One marker per enterprise; the per-enterprise aggregates are small (open rows only, one row
  // per gateway) and joined by hash.
  auto q5 = overview_query(scope, now, offline_after, true, true);
  auto markers = tx.exec(
      "WITH gw AS (SELECT g.company_code, bool_or(g.last_seen_at >= " + q5.now + " - " + q5.window +
          ") AS online "
          "FROM gateway g WHERE g.is_active GROUP BY 1), "
          "al AS (SELECT company_code, count(*) AS n FROM alarm WHERE end_ts IS NULL AND NOT "
          "suppressed GROUP BY 1), "
          "we AS (SELECT company_code, count(*) AS n, max(CASE level WHEN 'red' THEN 4 WHEN "
          "'orange' THEN 3 "
          "WHEN 'yellow' THEN 2 ELSE 1 END) AS worst FROM warning_event WHERE status <> 'closed' "
          "GROUP BY 1), "
          "wp AS (SELECT company_code, count(*) FILTER (WHERE work_type = 'hot_work') AS hot, "
          "count(*) FILTER (WHERE work_type = 'confined_space') AS confined FROM work_permit "
          "WHERE state = 'in_progress' AND work_type IN ('hot_work', 'confined_space') GROUP BY "
          "1) "
          "SELECT e.company_code, e.name, e.region_code, " +
          std::string(kCityOf) +
          " AS city_code, cr.name AS city_name, "
          "CASE WHEN e.region_code LIKE '%00' THEN NULL ELSE e.region_code END AS county_code, "
          "CASE WHEN e.region_code LIKE '%00' THEN NULL ELSE co.name END AS county_name, e.lon, "
          "e.lat, "
          "coalesce(gw.online, false) AS online, coalesce(al.n, 0) AS open_alarms, coalesce(we.n, "
          "0) AS open_warnings, "
          "CASE we.worst WHEN 4 THEN 'red' WHEN 3 THEN 'orange' WHEN 2 THEN 'yellow' WHEN 1 THEN "
          "'blue' END AS worst_level, coalesce(wp.hot, 0) AS hot_work, coalesce(wp.confined, 0) "
          "AS confined_space "
          "FROM enterprise e LEFT JOIN region cr ON cr.code = " +
          kCityOf +
          " LEFT JOIN region co ON co.code = e.region_code "
          "LEFT JOIN gw ON gw.company_code = e.company_code LEFT JOIN al ON al.company_code = "
          "e.company_code "
          "LEFT JOIN we ON we.company_code = e.company_code "
          "LEFT JOIN wp ON wp.company_code = e.company_code "
          "WHERE e.is_active AND e.status <> 'closed' AND " +
          q5.scope + " ORDER BY e.company_code",
      q5.p);
  out.markers.reserve(markers.size());
  for (const auto& r : markers) {
    EnterpriseMarker mk;
    mk.company_code = str(r["company_code"]);
    mk.name = str(r["name"]);
    mk.region_code = str(r["region_code"]);
    mk.city_code = str(r["city_code"]);
    mk.city_name = opt_str(r["city_name"]);
    mk.county_code = opt_str(r["county_code"]);
    mk.county_name = opt_str(r["county_name"]);
    if (r["lon"].is_number()) mk.lon = r["lon"].get<double>();
    if (r["lat"].is_number()) mk.lat = r["lat"].get<double>();
    mk.worst_level = opt_str(r["worst_level"]);
    mk.online = r["online"].is_boolean() && r["online"].get<bool>();
    mk.open_alarms = num(r["open_alarms"]);
    mk.open_warnings = num(r["open_warnings"]);
    mk.hot_work = num(r["hot_work"]);
    mk.confined_space = num(r["confined_space"]);
    ++out.enterprises.total;
    if (mk.online) ++out.enterprises.online;
    out.markers.push_back(std::move(mk));
  }
}

}  // namespace

OverviewData StatisticsStore::overview(
    Tx& tx, const model::Scope& scope, core::SysTime now, std::chrono::seconds offline_after,
    const std::vector<EnterprisePointCount>* point_counts) const {
  OverviewData out;
  overview_counts(tx, scope, now, offline_after, point_counts, out);
  overview_open(tx, scope, now, out);
  overview_markers(tx, scope, now, offline_after, out);
  return out;
}

}  // namespace hazmon::storage
