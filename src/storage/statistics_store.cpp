#include <hazmon/storage/statistics_store.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {
using nlohmann::json;

namespace {
std::optional<std::string> opt_str(const json& v) {
  if (v.is_null()) return std::nullopt;
  return v.is_string() ? v.get<std::string>() : v.dump();
}
std::string str(const json& v) {
  return v.is_string() ? v.get<std::string>() : (v.is_null() ? "" : v.dump());
}
long long num(const json& v) {
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number()) return static_cast<long long>(v.get<double>());
  if (v.is_string()) return std::stoll(v.get<std::string>());
  return 0;
}
core::SysTime when(const json& v) {
  auto t = core::parse_time(str(v));
  if (!t)
    throw core::Error(core::Errc::internal, "statistics: unreadable timestamp from the database");
  return *t;
}

// The first instant of the Beijing-time (UTC+8) hour, day, ISO week or month holding `col`.
std::string bucket_sql(StatBucket b, const std::string& col) {
  const char* unit = b == StatBucket::hour   ? "hour"
                     : b == StatBucket::day  ? "day"
                     : b == StatBucket::week ? "week"
                                             : "month";
  return std::string("((date_trunc('") + unit + "', (" + col +
         " AT TIME ZONE 'UTC') + interval '8 hours') - "
         "interval '8 hours') AT TIME ZONE 'UTC')";
}

struct MetricSql {
  std::string from;     // FROM … (x is the counted row; c its camera for video events)
  std::string ts;       // the time the row is counted at
  std::string where;    // always applied
  std::string open;     // still open / pending
  std::string overdue;  // marked overdue
  std::string hazard;   // the hazard source code
  std::string type;     // the metric's type column
};

MetricSql metric_sql(StatMetric m) {
  switch (m) {
    case StatMetric::alarms:
      return {"alarm x", "x.start_ts",    "NOT x.suppressed", "x.end_ts IS NULL",
              "false",   "x.hazard_code", "x.alarm_type"};
    case StatMetric::warnings:
      return {"warning_event x", "x.first_ts",    "TRUE",      "x.status <> 'closed'",
              "x.overdue",       "x.hazard_code", "x.category"};
    case StatMetric::video_events:
      return {"video_event x JOIN camera c ON c.video_id = x.video_id",
              "x.started_at",
              "x.review_state <> 'not_required'",
              "x.review_state = 'pending'",
              "false",
              "c.hazard_code",
              "x.analyser"};
  }
  throw core::Error(core::Errc::internal, "statistics: unknown metric");
}

std::string split_sql(StatMetric m, StatSplit s) {
  switch (s) {
    case StatSplit::alarm_type:
      if (m == StatMetric::alarms) return "x.alarm_type";
      break;
    case StatSplit::level:
    case StatSplit::category:
      if (m == StatMetric::warnings) return s == StatSplit::level ? "x.level" : "x.category";
      break;
    case StatSplit::analyser:
    case StatSplit::review_state:
      if (m == StatMetric::video_events)
        return s == StatSplit::analyser ? "x.analyser" : "x.review_state";
      break;
  }
  throw core::Error(core::Errc::internal, "statistics: this split does not apply to the metric");
}

// Scope, range, the metric's own condition and the optional region / enterprise filters. Regions
// go through a subquery on enterprise rather than a join: the province-wide counts (most of them)
// then read the metric's rows alone, and a region's are a hashed semi-join.
std::string where_sql(const MetricSql& m, const StatFilter& f, Params& p) {
  std::string w = scope_predicate(f.scope, "x.company_code", "", p);
  w += " AND " + m.ts + " >= " + ph(p, core::format_rfc3339(f.from)) + "::timestamptz";
  w += " AND " + m.ts + " < " + ph(p, core::format_rfc3339(f.to)) + "::timestamptz";
  w += " AND " + m.where;
  if (!f.region_code.empty())
    w += " AND x.company_code IN (SELECT company_code FROM enterprise WHERE region_code LIKE " +
         ph(p, model::region_prefix(f.region_code)) + " || '%')";
  if (!f.company_code.empty()) w += " AND x.company_code = " + ph(p, f.company_code);
  return w;
}

const char* kCityOf = "substr(e.region_code, 1, 4) || '00'";
}  // namespace

std::vector<BucketCount> StatisticsStore::by_bucket(Tx& tx, StatMetric metric, StatSplit split,
                                                    StatBucket bucket, const StatFilter& f) const {
  auto m = metric_sql(metric);
  Params p;
  auto b = bucket_sql(bucket, m.ts);
  auto rows = tx.exec("SELECT " + b + " AS start, " + split_sql(metric, split) +
                          " AS key, count(*) AS n FROM " + m.from + " WHERE " + where_sql(m, f, p) +
                          " GROUP BY 1, 2 ORDER BY 1, 2",
                      p);
  std::vector<BucketCount> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back({when(r["start"]), str(r["key"]), num(r["n"])});
  return out;
}

std::vector<GroupCount> StatisticsStore::by_group(Tx& tx, StatMetric metric, StatSplit split,
                                                  StatGroup group, const StatFilter& f) const {
  std::vector<GroupCount> out;
  for (const auto& g : by_group_split(tx, metric, split, group, f)) {
    for (const auto& [k, n] : g.count_by) {
      auto at = [&](const std::map<std::string, long long>& m) {
        auto it = m.find(k);
        return it == m.end() ? 0LL : it->second;
      };
      out.push_back({g.key, g.name, g.city_code, g.city_name, g.company_code, g.company_name, k, n,
                     at(g.open_by), at(g.overdue_by)});
    }
  }
  return out;
}

namespace {
// The SQL of one grouping: the key counted per enterprise on the metric's rows (inner_key), then
// the group's key, name, city and company columns and the joins that name them.
struct GroupColumns {
  std::string inner_key = "NULL::text", key, name = "''", joins, city_code, city_name,
              company = "NULL::text", company_name = "NULL::text";
};
GroupColumns group_columns(StatMetric metric, StatGroup group, const MetricSql& m) {
  GroupColumns g;
  const std::string city = "substr(e.region_code, 1, 4) || '00'";
  g.joins = " LEFT JOIN region cr ON cr.code = " + city;
  g.city_code = city;
  g.city_name = "cr.name";
  switch (group) {
    case StatGroup::city:
    case StatGroup::enterprise:
      break;
    case StatGroup::hazard_source:
      g.inner_key = m.hazard;
      break;
    case StatGroup::type:
      g.inner_key = m.type;
      break;
    case StatGroup::level:
      if (metric != StatMetric::warnings)
        throw core::Error(core::Errc::internal, "statistics: level is for warnings");
      g.inner_key = "x.level";
      break;
    case StatGroup::camera:
      if (metric != StatMetric::video_events)
        throw core::Error(core::Errc::internal, "statistics: camera is for video");
      g.inner_key = "x.video_id";
      break;
  }
  switch (group) {
    case StatGroup::city:
      g.key = city, g.name = "coalesce(cr.name, '')";
      break;
    case StatGroup::enterprise:
      g.key = "a.co", g.name = "e.name", g.company = "a.co", g.company_name = "e.name";
      break;
    case StatGroup::hazard_source:
      g.key = "a.gk", g.name = "coalesce(h.name, '')", g.company = "a.co",
      g.company_name = "e.name";
      g.joins += " LEFT JOIN hazard_source h ON h.hazard_code = a.gk";
      break;
    case StatGroup::type:
    case StatGroup::level:
      g.key = "a.gk", g.city_code = g.city_name = "NULL::text";
      break;
    case StatGroup::camera:
      g.key = "a.gk", g.name = "coalesce(cam.name, '')", g.company = "a.co",
      g.company_name = "e.name";
      g.joins += " LEFT JOIN camera cam ON cam.video_id = a.gk";
      break;
  }
  return g;
}
}  // namespace

std::vector<GroupSplit> StatisticsStore::by_group_split(Tx& tx, StatMetric metric, StatSplit split,
                                                        StatGroup group,
                                                        const StatFilter& f) const {
  auto m = metric_sql(metric);
  // Counted first per enterprise (and the group's own column) on the metric's rows alone, then
  // named: grouping 200,000 alarms by seven text columns took seconds, by two or three a fraction.
  auto g = group_columns(metric, group, m);
  Params p;
  // One row per group with its split as a JSON object: a ranking of 7,000 enterprises is 7,000
  // rows, not 7,000 × the split keys.
  auto sql =
      "WITH a AS (SELECT x.company_code AS co, " + g.inner_key + " AS gk, " +
      split_sql(metric, split) + " AS split, count(*) AS n, count(*) FILTER (WHERE " + m.open +
      ") AS o, count(*) FILTER (WHERE " + m.overdue + ") AS od FROM " + m.from + " WHERE " +
      where_sql(m, f, p) +
      " GROUP BY 1, 2, 3), "
      "b AS (SELECT " +
      g.key + " AS key, " + g.name + " AS name, " + g.city_code + " AS city_code, " + g.city_name +
      " AS city_name, " + g.company + " AS company_code, " + g.company_name +
      " AS company_name, a.split, "
      "sum(a.n)::bigint AS n, sum(a.o)::bigint AS o, sum(a.od)::bigint AS od "
      "FROM a JOIN enterprise e ON e.company_code = a.co" +
      g.joins +
      " GROUP BY 1, 2, 3, 4, 5, 6, 7) "
      "SELECT key, name, city_code, city_name, company_code, company_name, sum(n)::bigint AS n, "
      "sum(o)::bigint AS open, sum(od)::bigint AS overdue, json_object_agg(split, n) AS count_by, "
      "json_object_agg(split, o) AS open_by, json_object_agg(split, od) AS overdue_by "
      "FROM b GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1";
  auto rows = tx.exec(sql, p);
  std::vector<GroupSplit> out;
  out.reserve(rows.size());
  auto split_map = [](const json& v) {
    std::map<std::string, long long> m;
    if (v.is_object())
      for (const auto& [k, n] : v.items()) m[k] = num(n);
    return m;
  };
  for (const auto& r : rows) {
    out.push_back({opt_str(r["key"]), str(r["name"]), opt_str(r["city_code"]),
                   opt_str(r["city_name"]), opt_str(r["company_code"]), opt_str(r["company_name"]),
                   num(r["n"]), num(r["open"]), num(r["overdue"]), split_map(r["count_by"]),
                   split_map(r["open_by"]), split_map(r["overdue_by"])});
  }
  return out;
}

std::vector<DisposalCount> StatisticsStore::disposal(Tx& tx, StatGroup group, const StatFilter& f,
                                                     core::SysTime now) const {
  if (group != StatGroup::city && group != StatGroup::enterprise)
    throw core::Error(core::Errc::internal, "statistics: disposal is by city or enterprise");
  auto m = metric_sql(StatMetric::warnings);
  Params p;
  auto where = where_sql(m, f, p);
  auto now_p = ph(p, core::format_rfc3339(now));
  const std::string name = group == StatGroup::city ? "coalesce(cr.name, '')" : "e.name";
  // The feedback deadline in force is the earliest deadline set by a record leaving the event
  // `pushed` before its first feedback (the push; a raise of the level may shorten it; an
  // escalation's fresh one comes only after a miss). Records after the first feedback (a reject
  // sends it back to `pushed`) set deadlines later than that feedback, so the earliest over all
  // such records decides on time / late the same way: one pass over the records, no per-event
  // subquery.
  auto sql =
      "WITH d AS (SELECT r.event_id, bool_or(r.action = 'push') AS pushed, "
      "min(r.at) FILTER (WHERE r.action = 'feedback') AS fb_at, "
      "min(r.deadline_ts) FILTER (WHERE r.to_status = 'pushed' AND r.deadline_ts IS NOT NULL) AS "
      "deadline "
      "FROM disposal_record r JOIN warning_event w ON w.id = r.event_id "
      "WHERE w.first_ts >= " +
      ph(p, core::format_rfc3339(f.from)) + "::timestamptz AND w.first_ts < " +
      ph(p, core::format_rfc3339(f.to)) +
      "::timestamptz GROUP BY 1), "
      "t AS (SELECT x.company_code, x.overdue, coalesce(d.pushed, false) AS pushed, d.fb_at, "
      "d.deadline FROM " +
      m.from + " LEFT JOIN d ON d.event_id = x.id WHERE " + where +
      "), "
      "a AS (SELECT company_code, count(*) AS events, count(*) FILTER (WHERE pushed) AS pushed, "
      "count(*) FILTER (WHERE fb_at IS NOT NULL AND deadline IS NOT NULL AND fb_at <= deadline) AS "
      "on_time, "
      "count(*) FILTER (WHERE fb_at IS NOT NULL AND deadline IS NOT NULL AND fb_at > deadline) AS "
      "late, "
      "count(*) FILTER (WHERE pushed AND fb_at IS NULL AND deadline < " +
      now_p +
      "::timestamptz) AS unanswered, "
      "count(*) FILTER (WHERE pushed AND fb_at IS NULL AND (deadline IS NULL OR deadline >= " +
      now_p +
      "::timestamptz)) AS awaiting, count(*) FILTER (WHERE overdue) AS overdue FROM t GROUP BY 1) "
      "SELECT " +
      (group == StatGroup::city ? std::string(kCityOf) : std::string("a.company_code")) +
      " AS key, " + name + " AS name, " + kCityOf +
      " AS city_code, cr.name AS city_name, sum(a.events)::bigint AS events, "
      "sum(a.pushed)::bigint AS pushed, sum(a.on_time)::bigint AS on_time, sum(a.late)::bigint AS "
      "late, "
      "sum(a.unanswered)::bigint AS unanswered, sum(a.awaiting)::bigint AS awaiting, "
      "sum(a.overdue)::bigint AS overdue "
      "FROM a JOIN enterprise e ON e.company_code = a.company_code LEFT JOIN region cr ON cr.code "
      "= " +
      kCityOf + " GROUP BY 1, 2, 3, 4 ORDER BY 1";
  auto rows = tx.exec(sql, p);
  std::vector<DisposalCount> out;
  for (const auto& r : rows) {
    out.push_back({str(r["key"]), str(r["name"]), str(r["city_code"]), opt_str(r["city_name"]),
                   num(r["events"]), num(r["pushed"]), num(r["on_time"]), num(r["late"]),
                   num(r["unanswered"]), num(r["awaiting"]), num(r["overdue"])});
  }
  return out;
}

std::vector<Region> StatisticsStore::cities(Tx& tx, const model::Scope& scope,
                                            const std::string& region_code) const {
  Params p;
  std::string where = "r.level = 'city'";
  switch (scope.kind) {
    case model::ScopeKind::province:
      break;
    case model::ScopeKind::region:
      where += " AND r.code = substr(" + ph(p, scope.region_code) + ", 1, 4) || '00'";
      break;
    case model::ScopeKind::enterprise:
      where +=
          " AND r.code = (SELECT substr(region_code, 1, 4) || '00' FROM enterprise WHERE "
          "company_code = " +
          ph(p, scope.company_code) + ")";
      break;
  }
  if (!region_code.empty())
    where += " AND r.code = substr(" + ph(p, region_code) + ", 1, 4) || '00'";
  std::vector<Region> out;
  for (const auto& r :
       tx.exec("SELECT r.code, r.name FROM region r WHERE " + where + " ORDER BY r.code", p))
    out.push_back({str(r["code"]), str(r["name"])});
  return out;
}

bool StatisticsStore::region_in_scope(Tx& tx, const model::Scope& scope,
                                      const std::string& region_code) const {
  Params p{region_code};
  if (tx.exec_one("SELECT 1 AS ok FROM region WHERE code = $1 AND is_active", p).is_null())
    return false;
  switch (scope.kind) {
    case model::ScopeKind::province:
      return true;
    case model::ScopeKind::region:
      return scope.covers_region(region_code);
    case model::ScopeKind::enterprise: {
      // An enterprise user may narrow to a region that holds its enterprise (nothing else exists
      // for it).
      Params q{scope.company_code, model::region_prefix(region_code)};
      return !tx.exec_one(
                    "SELECT 1 AS ok FROM enterprise WHERE company_code = $1 AND region_code LIKE "
                    "$2 || '%'",
                    q)
                  .is_null();
    }
  }
  return false;
}

bool StatisticsStore::enterprise_in_scope(Tx& tx, const model::Scope& scope,
                                          const std::string& company_code) const {
  Params p{company_code};
  auto pred = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return !tx.exec_one("SELECT 1 AS ok FROM enterprise e WHERE e.company_code = $1 AND " + pred, p)
              .is_null();
}

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
