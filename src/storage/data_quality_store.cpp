#include <hazmon/storage/data_quality_store.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>

#include <hazmon/storage/database.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

using namespace std::chrono;

namespace {
constexpr std::int64_t kBeijingOffsetMs = 8 * 3600 * 1000LL;

std::int64_t to_ms(core::SysTime t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}
std::string pg_time(core::SysTime t) { return format_pg_timestamp(to_ms(t)); }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

std::int64_t num(const nlohmann::json& v) {
  if (v.is_null()) return 0;
  if (v.is_number()) return v.get<std::int64_t>();
  return std::stoll(v.get<std::string>());  // numeric/bigint sums arrive as text
}
std::string str(const nlohmann::json& v) {
  return v.is_null() ? std::string() : v.get<std::string>();
}

// The enterprises' sums of the day, which the enterprise, city and total levels read.
void company_day(Tx& tx, BeijingDay day) {
  tx.exec("DELETE FROM data_quality_company_day WHERE day = $1::date", {format_day(day)});
  tx.exec(
      "INSERT INTO data_quality_company_day (day, company_code, points, period_s, online_s, "
      "expected, received, "
      "received_capped, timely, flagged, computed_until) "
      "SELECT day, company_code, count(*), sum(period_s), sum(online_s), sum(expected), "
      "sum(received), "
      "sum(least(received, expected)), sum(timely), sum(flagged), max(computed_until) "
      "FROM data_quality_day WHERE day = $1::date GROUP BY day, company_code",
      {format_day(day)});
}

// The day's start and where a run computes to (`until`, at most the day's end); none when that
// is not after the start. One day's readings at national scale take minutes, far beyond the
// pool's statement timeout for requests (database.statement_timeout_ms): this transaction may
// take up to an hour.
struct DayRange {
  core::SysTime d0, ce;
};
std::optional<DayRange> day_range(Tx& tx, BeijingDay day, core::SysTime until) {
  auto d0 = beijing_day_start(day);
  auto d1 = beijing_day_start(day + 1);
  auto ce = until < d1 ? until : d1;
  if (ce <= d0) return std::nullopt;
  tx.exec("SET LOCAL statement_timeout = '1h'");
  return DayRange{d0, ce};
}

// The points of the day ($1 d0, $2 ce, $4 default interval): active, in use, created before ce,
// with the seconds of the day they existed and their acquisition interval.
const char* const kPointsOfTheDay =
    "  SELECT mp.point_id, mp.company_code,"
    "    floor(extract(epoch FROM $2::timestamptz - greatest($1::timestamptz, "
    "mp.created_at)))::int AS period_s,"
    "    coalesce(g.acquisition_interval_s, $4::int) AS iv"
    "  FROM monitoring_point mp LEFT JOIN gateway g ON g.gateway_code = mp.gateway_code"
    "  WHERE mp.is_active AND mp.in_use AND mp.created_at < $2::timestamptz";
}  // namespace

BeijingDay beijing_day_of(core::SysTime t) {
  return floor_div(to_ms(t) + kBeijingOffsetMs, 86400000LL);
}

core::SysTime beijing_day_start(BeijingDay d) {
  return core::SysTime{} + milliseconds(d * 86400000LL - kBeijingOffsetMs);
}

std::string format_day(BeijingDay d) {
  year_month_day ymd{sys_days{days{d}}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<BeijingDay> parse_day(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int y = std::stoi(s.substr(0, 4));
  unsigned m = static_cast<unsigned>(std::stoi(s.substr(5, 2)));
  unsigned d = static_cast<unsigned>(std::stoi(s.substr(8, 2)));
  year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok() || y < 1970) return std::nullopt;
  return sys_days{ymd}.time_since_epoch().count();
}

long long DataQualityStore::rollup(Tx& tx, BeijingDay day, core::SysTime until,
                                   const DataQualityRollupSettings& s) const {
  auto range = day_range(tx, day, until);
  if (!range) return 0;
  const auto [d0, ce] = *range;
  // Points deleted, deactivated or not yet created by `until` have no row for the day.
  tx.exec("DELETE FROM data_quality_day WHERE day = $1::date", {format_day(day)});
  // Online time: each reading keeps the point online until the next reading or offline_after,
  // whichever is first; a reading up to offline_after before the day counts from 00:00. Copies
  // of one collect time (resends under another dataId) are one reading.
  // $1 d0, $2 ce, $3 offline_after_s, $4 default interval, $5 timely_within_s, $6 day
  auto rows = tx.exec_count(
      "WITH r AS ("
      "  SELECT point_id, collect_ts, bool_or(received_ts - collect_ts <= make_interval(secs => "
      "$5::int)) AS timely,"
      "         bool_or(quality IN (1, 2, 3)) AS flagged,"
      "         lead(collect_ts) OVER (PARTITION BY point_id ORDER BY collect_ts) AS nxt"
      "  FROM reading WHERE collect_ts >= $1::timestamptz - make_interval(secs => $3::int) AND "
      "collect_ts < $2::timestamptz"
      "  GROUP BY point_id, collect_ts"
      "), agg AS ("
      "  SELECT point_id,"
      "    sum(greatest(0, extract(epoch FROM least(coalesce(nxt, $2::timestamptz),"
      "        collect_ts + make_interval(secs => $3::int), $2::timestamptz) - "
      "greatest(collect_ts, $1::timestamptz)))) AS online_s,"
      "    count(*) FILTER (WHERE collect_ts >= $1::timestamptz) AS received,"
      "    count(*) FILTER (WHERE collect_ts >= $1::timestamptz AND timely) AS timely,"
      "    count(*) FILTER (WHERE collect_ts >= $1::timestamptz AND flagged) AS flagged"
      "  FROM r GROUP BY point_id"
      "), p AS (" +
          std::string(kPointsOfTheDay) +
          ") "
          "INSERT INTO data_quality_day (day, point_id, company_code, period_s, online_s, "
          "expected, "
          "received, timely, flagged,"
          "  computed_until) "
          "SELECT $6::date, p.point_id, p.company_code, p.period_s,"
          "  least(p.period_s, floor(coalesce(a.online_s, 0)))::int, (p.period_s / p.iv)::int,"
          "  coalesce(a.received, 0), coalesce(a.timely, 0), coalesce(a.flagged, 0), "
          "$2::timestamptz "
          "FROM p LEFT JOIN agg a USING (point_id) "
          "ON CONFLICT (day, point_id) DO UPDATE SET company_code = EXCLUDED.company_code, "
          "period_s = "
          "EXCLUDED.period_s,"
          "  online_s = EXCLUDED.online_s, expected = EXCLUDED.expected, received = "
          "EXCLUDED.received,"
          "  timely = EXCLUDED.timely, flagged = EXCLUDED.flagged, computed_until = "
          "EXCLUDED.computed_until",
      {pg_time(d0), pg_time(ce), std::to_string(s.offline_after_s),
       std::to_string(s.default_interval_s), std::to_string(s.timely_within_s), format_day(day)});
  company_day(tx, day);
  return rows;
}

namespace {
// Readings since each point's stable mark: those of points with state from their mark on,
// those of points without (created since the last run) from `start`. The second part is an
// index range per new point, and is left out when no point has state (`fresh`).
std::string incremental_readings(bool fresh) {
  std::string readings =
      "  SELECT r.point_id, r.collect_ts, r.received_ts, r.quality FROM reading r LEFT JOIN st ON "
      "st.point_id = r.point_id"
      "  WHERE r.collect_ts >= $7::timestamptz AND r.collect_ts < $2::timestamptz"
      "    AND r.collect_ts >= coalesce(st.stable_until, $7::timestamptz)";
  if (!fresh)
    readings +=
        "  UNION ALL"
        "  SELECT r.point_id, r.collect_ts, r.received_ts, r.quality"
        "  FROM (SELECT p.point_id FROM p WHERE NOT EXISTS (SELECT 1 FROM st WHERE st.point_id = "
        "p.point_id)) np"
        "  CROSS JOIN LATERAL (SELECT * FROM reading r WHERE r.point_id = np.point_id"
        "    AND r.collect_ts >= $1::timestamptz - make_interval(secs => $3::int) AND r.collect_ts "
        "< $7::timestamptz) r";
  return readings;
}

// A reading's online seconds inside the day: until the next reading, at most offline_after.
const std::string kIncrementalOnline =
    "greatest(0, extract(epoch FROM least(coalesce(x.nxt, $2::timestamptz), x.collect_ts + "
    "make_interval(secs => $3::int),"
    " $2::timestamptz) - greatest(x.collect_ts, $1::timestamptz)))";

// The rollup's CTEs over the points (p), their state (st) and readings (rd), to the sums per
// point (agg). Parameters as in rollup_incremental.
std::string incremental_ctes(const std::string& readings) {
  return "WITH p AS (" + std::string(kPointsOfTheDay) +
         "), st AS ("
         "  SELECT point_id, stable_until, stable_online, stable_received, stable_timely, "
         "stable_flagged, stable_last_ts"
         "  FROM data_quality_day WHERE day = $6::date"
         "), rd AS (" +
         readings +
         "), w AS ("
         // Copies of one collect time (resends under another dataId) are one reading; the last
         // reading before the stable mark (the seed) is read again only for its online time.
         "  SELECT point_id, collect_ts, bool_or(received_ts - collect_ts <= make_interval(secs "
         "=> $5::int)) AS timely,"
         "    bool_or(quality IN (1, 2, 3)) AS flagged, false AS seed FROM rd GROUP BY point_id, "
         "collect_ts"
         "  UNION ALL SELECT point_id, stable_last_ts, false, false, true FROM st WHERE "
         "stable_last_ts IS NOT NULL"
         "), x AS ("
         "  SELECT w.*, lead(w.collect_ts) OVER (PARTITION BY w.point_id ORDER BY w.collect_ts) "
         "AS nxt,"
         "    greatest(coalesce(st.stable_until, $1::timestamptz - make_interval(secs => "
         "$3::int)), $8::timestamptz) AS s_new"
         "  FROM w LEFT JOIN st USING (point_id)"
         "), y AS ("
         "  SELECT x.*, " +
         kIncrementalOnline +
         " AS on_s,"
         "    max(x.collect_ts) FILTER (WHERE x.collect_ts < x.s_new) OVER (PARTITION BY "
         "x.point_id) AS last_ts"
         "  FROM x"
         "), agg AS ("
         "  SELECT point_id, sum(on_s) AS online_s,"
         // Readings before the new mark's last one have their next reading: their time is final.
         "    coalesce(sum(on_s) FILTER (WHERE collect_ts < last_ts), 0) AS online_fold,"
         "    count(*) FILTER (WHERE NOT seed AND collect_ts >= $1::timestamptz) AS received,"
         "    count(*) FILTER (WHERE NOT seed AND collect_ts >= $1::timestamptz AND timely) AS "
         "timely,"
         "    count(*) FILTER (WHERE NOT seed AND collect_ts >= $1::timestamptz AND flagged) AS "
         "flagged,"
         "    count(*) FILTER (WHERE NOT seed AND collect_ts >= $1::timestamptz AND collect_ts < "
         "s_new) AS received_fold,"
         "    count(*) FILTER (WHERE NOT seed AND collect_ts >= $1::timestamptz AND collect_ts < "
         "s_new AND timely) AS timely_fold,"
         "    count(*) FILTER (WHERE NOT seed AND collect_ts >= $1::timestamptz AND collect_ts < "
         "s_new AND flagged) AS flagged_fold,"
         "    max(last_ts) AS last_ts"
         "  FROM y GROUP BY point_id"
         ") ";
}

// Adds each point's sums to its stable state (or starts it) and moves the stable mark.
const char* const kIncrementalInsert =
    "INSERT INTO data_quality_day (day, point_id, company_code, period_s, online_s, "
    "expected, received, timely, flagged,"
    "  computed_until, stable_until, stable_online, stable_received, stable_timely, "
    "stable_flagged, stable_last_ts) "
    "SELECT $6::date, p.point_id, p.company_code, p.period_s,"
    "  least(p.period_s, floor(coalesce(st.stable_online, 0) + coalesce(a.online_s, "
    "0)))::int, (p.period_s / p.iv)::int,"
    "  coalesce(st.stable_received, 0) + coalesce(a.received, 0), coalesce(st.stable_timely, "
    "0) + coalesce(a.timely, 0),"
    "  coalesce(st.stable_flagged, 0) + coalesce(a.flagged, 0), $2::timestamptz,"
    "  greatest(coalesce(st.stable_until, $1::timestamptz - make_interval(secs => $3::int)), "
    "$8::timestamptz),"
    "  coalesce(st.stable_online, 0) + coalesce(a.online_fold, 0), "
    "coalesce(st.stable_received, 0) + coalesce(a.received_fold, 0),"
    "  coalesce(st.stable_timely, 0) + coalesce(a.timely_fold, 0), "
    "coalesce(st.stable_flagged, 0) + coalesce(a.flagged_fold, 0),"
    "  coalesce(a.last_ts, st.stable_last_ts) "
    "FROM p LEFT JOIN st USING (point_id) LEFT JOIN agg a USING (point_id) "
    "ON CONFLICT (day, point_id) DO UPDATE SET company_code = EXCLUDED.company_code, "
    "period_s = EXCLUDED.period_s,"
    "  online_s = EXCLUDED.online_s, expected = EXCLUDED.expected, received = "
    "EXCLUDED.received,"
    "  timely = EXCLUDED.timely, flagged = EXCLUDED.flagged, computed_until = "
    "EXCLUDED.computed_until,"
    "  stable_until = EXCLUDED.stable_until, stable_online = EXCLUDED.stable_online,"
    "  stable_received = EXCLUDED.stable_received, stable_timely = EXCLUDED.stable_timely,"
    "  stable_flagged = EXCLUDED.stable_flagged, stable_last_ts = EXCLUDED.stable_last_ts";
}  // namespace

long long DataQualityStore::rollup_incremental(Tx& tx, BeijingDay day, core::SysTime until,
                                               const DataQualityRollupSettings& s) const {
  auto range = day_range(tx, day, until);
  if (!range) return 0;
  const auto [d0, ce] = *range;
  const auto day_text = format_day(day);
  // The last run's state. Every row of a run has the same computed_until and stable_until.
  auto st = tx.exec_one(
      "SELECT count(*) AS n, count(*) FILTER (WHERE stable_until IS NULL) AS stateless,"
      " (extract(epoch FROM min(stable_until)) * 1000)::bigint AS s, (extract(epoch FROM "
      "max(computed_until)) * 1000)::bigint AS c "
      "FROM data_quality_day WHERE day = $1::date",
      {day_text});
  const auto ms = [](const nlohmann::json& v) { return core::SysTime{} + milliseconds(num(v)); };
  bool fresh =
      num(st["n"]) == 0 || num(st["stateless"]) > 0 || st["s"].is_null() || ms(st["c"]) > ce;
  if (fresh) tx.exec("DELETE FROM data_quality_day WHERE day = $1::date", {day_text});
  const auto start =
      d0 - seconds(s.offline_after_s);  // a reading this long before 00:00 counts from 00:00
  const auto s_prev = fresh ? start : ms(st["s"]);
  // Points deleted, deactivated or not yet created by `until` have no row for the day.
  tx.exec(
      "DELETE FROM data_quality_day d WHERE d.day = $1::date AND NOT EXISTS (SELECT 1 FROM "
      "monitoring_point mp"
      " WHERE mp.point_id = d.point_id AND mp.is_active AND mp.in_use AND mp.created_at < "
      "$2::timestamptz)",
      {day_text, pg_time(ce)});
  // $1 d0, $2 ce, $3 offline_after_s, $4 default interval, $5 timely_within_s, $6 day,
  // $7 the lowest stable mark (start when fresh), $8 the new stable mark (ce - lookback)
  auto rows =
      tx.exec_count(incremental_ctes(incremental_readings(fresh)) + kIncrementalInsert,
                    {pg_time(d0), pg_time(ce), std::to_string(s.offline_after_s),
                     std::to_string(s.default_interval_s), std::to_string(s.timely_within_s),
                     day_text, pg_time(s_prev), pg_time(ce - seconds(s.incremental_lookback_s))});
  company_day(tx, day);
  return rows;
}

std::optional<core::SysTime> DataQualityStore::computed_until(Tx& tx, BeijingDay day) const {
  auto row = tx.exec_one(
      "SELECT (extract(epoch FROM max(computed_until)) * 1000)::bigint AS t FROM "
      "data_quality_company_day WHERE day = $1::date",
      {format_day(day)});
  if (row.is_null() || row["t"].is_null()) return std::nullopt;
  return core::SysTime{} + milliseconds(num(row["t"]));
}

namespace {
DataQualitySums sums_of(const nlohmann::json& r) {
  DataQualitySums s;
  if (r.contains("day")) s.day = parse_day(str(r["day"]));
  if (r.contains("city_code")) {
    s.city_code = str(r["city_code"]);
    s.city_name = str(r["city_name"]);
  }
  if (r.contains("company_code")) {
    s.company_code = str(r["company_code"]);
    s.company_name = str(r["company_name"]);
  }
  if (r.contains("quota_code")) {
    s.quota_code = str(r["quota_code"]);
    s.point_name = str(r["point_name"]);
  }
  s.points = num(r["points"]);
  s.period_s = num(r["period_s"]);
  s.online_s = num(r["online_s"]);
  s.expected = num(r["expected"]);
  s.received = num(r["received"]);
  s.received_capped = num(r["received_capped"]);
  s.timely = num(r["timely"]);
  s.flagged = num(r["flagged"]);
  s.out_of_range = num(r["out_of_range"]);
  s.frozen = num(r["frozen"]);
  s.offline = num(r["offline"]);
  s.device_fault = num(r["device_fault"]);
  return s;
}

// Data-fault episodes started in [$3, $4) per `key` (point_id or company_code) and Beijing day.
std::string faults_cte(const std::string& key) {
  return "f AS (SELECT a." + key +
         ", (a.start_ts AT TIME ZONE 'UTC' + interval '8 hours')::date AS day,"
         " count(*) FILTER (WHERE a.alarm_type = 'OUT_OF_RANGE') AS oor,"
         " count(*) FILTER (WHERE a.alarm_type = 'FROZEN') AS frozen,"
         " count(*) FILTER (WHERE a.alarm_type = 'OFFLINE') AS offline,"
         " count(*) FILTER (WHERE a.alarm_type = 'DEVICE_FAULT') AS device_fault"
         " FROM alarm a WHERE a.origin = 'platform' AND a.is_data_fault AND a.start_ts >= "
         "$3::timestamptz"
         " AND a.start_ts < $4::timestamptz GROUP BY 1, 2)";
}

// Worst first: lowest online rate, then completeness, then most data-fault episodes. `agg`
// wraps each column ("sum" for grouped rows, "" for plain ones); `p` is the row's alias.
std::string worst_order(const std::string& p, const std::string& agg = "") {
  auto c = [&](const char* col) { return agg.empty() ? p + col : agg + "(" + p + col + ")"; };
  return "(" + c("online_s") + "::float8 / nullif(" + c("period_s") + ", 0)) ASC NULLS FIRST, (" +
         c("received_capped") + "::float8 / nullif(" + c("expected") + ", 0)) ASC NULLS FIRST, (" +
         c("out_of_range") + " + " + c("frozen") + " + " + c("offline") + " + " +
         c("device_fault") + ") DESC";
}
}  // namespace

namespace {
// The filters of a data-quality query as SQL over `d` (the rollup) and `e` (enterprise), and the
// page; params holds $1 from, $2 to (days), $3, $4 their instants, then the filters' values.
struct QueryWhere {
  Params params;
  std::string where, page;
};
QueryWhere query_where(const DataQualityQuery& q) {
  QueryWhere w;
  w.params = {format_day(q.from), format_day(q.to), pg_time(beijing_day_start(q.from)),
              pg_time(beijing_day_start(q.to + 1))};
  auto& params = w.params;
  auto& where = w.where;
  auto& page = w.page;
  where = "d.day BETWEEN $1::date AND $2::date AND " +
          scope_predicate(q.scope, "d.company_code", "e.region_code", params);
  if (!q.company_code.empty()) {
    params.push_back(q.company_code);
    where += " AND d.company_code = $" + std::to_string(params.size());
  }
  if (!q.region_code.empty()) {
    params.push_back(model::region_prefix(q.region_code));
    where += " AND e.region_code LIKE $" + std::to_string(params.size()) + " || '%'";
  }
  if (q.limit > 0) {
    params.push_back(std::to_string(q.limit));
    page += " LIMIT $" + std::to_string(params.size());
    params.push_back(std::to_string(q.offset));
    page += " OFFSET $" + std::to_string(params.size());
  }
  return w;
}

// The rows of the rollup in the scope and period, with their data-fault episodes (CTE q).
std::string rows_cte(bool point, const std::string& where) {
  const std::string table = point ? "data_quality_day" : "data_quality_company_day";
  return "WITH " + faults_cte(point ? "point_id" : "company_code") +
         ", q AS ("
         "  SELECT d.day, substr(e.region_code, 1, 4) || '00' AS city_code, d.company_code, e.name "
         "AS "
         "company_name, " +
         std::string(
             point ? "d.point_id, 1 AS points, least(d.received, d.expected) AS received_capped, "
                   : "d.points, d.received_capped, ") +
         "d.period_s, d.online_s, d.expected, d.received, d.timely, d.flagged, coalesce(f.oor, 0) "
         "AS "
         "out_of_range, "
         "coalesce(f.frozen, 0) AS frozen, coalesce(f.offline, 0) AS offline, "
         "coalesce(f.device_fault, 0) AS device_fault"
         "  FROM " +
         table +
         " d JOIN enterprise e ON e.company_code = d.company_code"
         "  LEFT JOIN f ON f." +
         (point ? "point_id = d.point_id" : "company_code = d.company_code") +
         " AND f.day = d.day"
         "  WHERE " +
         where + ")";
}

// One row per point and day, worst first: a range of the index data_quality_day_worst (0014),
// then names and data-fault episodes for the rows of the page only; the total is the
// enterprises' point count (data_quality_company_day) under the same filters.
std::string point_by_day_sql(const std::string& where, const std::string& page) {
  return "WITH tot AS (SELECT coalesce(sum(d.points), 0) AS n FROM data_quality_company_day d JOIN "
         "enterprise e ON "
         "e.company_code = d.company_code WHERE " +
         where +
         "), "
         "pg AS (SELECT d.day, d.point_id, d.company_code, e.name AS company_name, "
         "substr(e.region_code, 1, 4) || '00' AS city_code,"
         " d.period_s, d.online_s, d.expected, d.received, least(d.received, d.expected) AS "
         "received_capped, d.timely, d.flagged,"
         " d.online_ratio, d.completeness_ratio"
         " FROM data_quality_day d JOIN enterprise e ON e.company_code = d.company_code WHERE " +
         where +
         " ORDER BY d.day, d.online_ratio NULLS FIRST, d.completeness_ratio NULLS FIRST, "
         "d.point_id" +
         page + "), " + faults_cte("point_id") +
         " SELECT pg.day::text AS day, pg.city_code, c.name AS city_name, pg.company_code, "
         "pg.company_name, mp.quota_code,"
         " mp.name AS point_name, 1 AS points, pg.period_s, pg.online_s, pg.expected, pg.received, "
         "pg.received_capped, pg.timely,"
         " pg.flagged, coalesce(f.oor, 0) AS out_of_range, coalesce(f.frozen, 0) AS frozen, "
         "coalesce(f.offline, 0) AS offline,"
         " coalesce(f.device_fault, 0) AS device_fault, (SELECT n FROM tot) AS total_rows"
         " FROM pg JOIN monitoring_point mp ON mp.point_id = pg.point_id LEFT JOIN region c ON "
         "c.code = pg.city_code"
         " LEFT JOIN f ON f.point_id = pg.point_id AND f.day = pg.day"
         " ORDER BY pg.day, pg.online_ratio NULLS FIRST, pg.completeness_ratio NULLS FIRST, "
         "pg.point_id";
}

// One row per point over the whole period.
std::string point_period_sql(const std::string& base, const std::string& page) {
  return base +
         " SELECT NULL::text AS day, min(q.city_code) AS city_code, min(c.name) AS city_name, "
         "min(q.company_code) AS company_code,"
         " min(q.company_name) AS company_name, min(mp.quota_code) AS quota_code, min(mp.name) AS "
         "point_name,"
         " sum(q.points) AS points, sum(q.period_s) AS period_s, sum(q.online_s) AS online_s, "
         "sum(q.expected) AS expected,"
         " sum(q.received) AS received, sum(q.received_capped) AS received_capped, sum(q.timely) "
         "AS timely, sum(q.flagged) AS flagged,"
         " sum(q.out_of_range) AS out_of_range, sum(q.frozen) AS frozen, sum(q.offline) AS "
         "offline, sum(q.device_fault) AS device_fault,"
         " count(*) OVER () AS total_rows FROM q JOIN monitoring_point mp ON mp.point_id = "
         "q.point_id"
         " LEFT JOIN region c ON c.code = q.city_code GROUP BY q.point_id ORDER BY " +
         worst_order("q.", "sum") + ", q.point_id" + page;
}

// Enterprises, cities or the total, per day or over the period.
std::string grouped_sql(const DataQualityQuery& q, const std::string& base,
                        const std::string& page) {
  std::string key, names;
  switch (q.level) {
    case DataQualityLevel::enterprise:
      key = "q.city_code, q.company_code";
      names =
          "q.city_code, max(c.name) AS city_name, q.company_code, max(q.company_name) AS "
          "company_name, ";
      break;
    case DataQualityLevel::city:
      key = "q.city_code";
      names = "q.city_code, max(c.name) AS city_name, ";
      break;
    default:
      break;
  }
  std::string group = key;
  if (q.by_day) {
    names = "q.day::text AS day, " + names;
    group = group.empty() ? "q.day" : "q.day, " + group;
  }
  std::string sums;
  for (const char* col :
       {"points", "period_s", "online_s", "expected", "received", "received_capped", "timely",
        "flagged", "out_of_range", "frozen", "offline", "device_fault"})
    sums += std::string(sums.empty() ? "" : ", ") + "sum(q." + col + ") AS " + col;
  std::string order = worst_order("q.", "sum");
  return base + " SELECT " + names + sums +
         ", count(*) OVER () AS total_rows FROM q LEFT JOIN region c ON c.code = q.city_code" +
         (group.empty() ? std::string() : " GROUP BY " + group) + " ORDER BY " +
         (q.by_day ? "q.day, " : "") + order + (key.empty() ? "" : ", " + key) + page;
}
}  // namespace

DataQualityPage DataQualityStore::query(Tx& tx, const DataQualityQuery& q) const {
  auto w = query_where(q);
  const bool point = q.level == DataQualityLevel::point;
  const std::string base = rows_cte(point, w.where);
  std::string sql = point && q.by_day ? point_by_day_sql(w.where, w.page)
                    : point           ? point_period_sql(base, w.page)
                                      : grouped_sql(q, base, w.page);
  auto rows = tx.exec(sql, w.params);
  DataQualityPage out;
  for (const auto& r : rows) {
    out.total = num(r["total_rows"]);
    out.rows.push_back(sums_of(r));
  }
  return out;
}

}  // namespace hazmon::storage
