#include <hazmon/storage/statistics_store.hpp>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

#include "statistics_rows.hpp"

namespace hazmon::storage {
using nlohmann::json;

namespace {
using namespace stat_rows;

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
  // The hazard source code, '' for a row outside any (a non-major unit's or enterprise-level
  // point's), NULL for a row about no monitored object (a commitment or SIS warning).
  std::string target;
};

MetricSql metric_sql(StatMetric m) {
  switch (m) {
    case StatMetric::alarms:
      return {"alarm x", "x.start_ts",    "NOT x.suppressed", "x.end_ts IS NULL",
              "false",   "x.hazard_code", "x.alarm_type",     "coalesce(x.hazard_code, '')"};
    case StatMetric::warnings:
      return {"warning_event x",
              "x.first_ts",
              "TRUE",
              "x.status <> 'closed'",
              "x.overdue",
              "x.hazard_code",
              "x.category",
              "CASE WHEN x.hazard_code IS NOT NULL THEN x.hazard_code WHEN x.source IN "
              "('sensor', 'video_ai') THEN '' END"};
    case StatMetric::video_events:
      return {"video_event x JOIN camera c ON c.video_id = x.video_id",
              "x.started_at",
              "x.review_state <> 'not_required'",
              "x.review_state = 'pending'",
              "false",
              "c.hazard_code",
              "x.analyser",
              "coalesce(c.hazard_code, '')"};
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
    case StatGroup::rank:
      g.inner_key = m.target;
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
    case StatGroup::rank:
      // Non-major units are a bucket of their own, never rank 4 (ADR 0019).
      g.key =
          "CASE WHEN a.gk IS NULL THEN NULL WHEN a.gk = '' THEN 'unranked' ELSE "
          "coalesce(h.rank::text, 'unranked') END";
      g.name =
          "CASE WHEN a.gk IS NULL THEN '其他' WHEN a.gk = '' OR h.rank IS NULL THEN '非重大危险源' "
          "ELSE (ARRAY['一','二','三','四'])[h.rank] || '级重大危险源' END";
      g.city_code = g.city_name = "NULL::text";
      g.joins += " LEFT JOIN hazard_source h ON h.hazard_code = a.gk";
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

}  // namespace hazmon::storage
