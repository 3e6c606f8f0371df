#include <hazmon/storage/monitoring_store.hpp>

#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<model::PointDef> {
  using P = model::PointDef;
  static constexpr auto columns = std::make_tuple(
      column("point_id", &P::point_id), column("quota_code", &P::quota_code),
      column("company_code", &P::company_code), column("hazard_code", &P::hazard_code),
      column("prodcell_id", &P::prodcell_id), column("equip_code", &P::equip_code),
      column("gateway_code", &P::gateway_code), column("indicator_type", &P::indicator_type),
      column("analog", &P::analog), column("in_use", &P::in_use),
      column("range_low", &P::range_low), column("range_high", &P::range_high),
      column("ll", &P::ll), column("l", &P::l), column("h", &P::h), column("hh", &P::hh),
      column("debounce_s", &P::debounce_s), column("deadband", &P::deadband));
};

template <>
struct RowDescription<FilingWindow> {
  using F = FilingWindow;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &F::company_code), column("target_kind", &F::target_kind),
      column("target_code", &F::target_code), column("starts_at", &F::starts_at),
      column("ends_at", &F::ends_at), column("spares_safety", &F::spares_safety));
};

template <>
struct RowDescription<LatestSample> {
  using L = LatestSample;
  static constexpr auto columns =
      std::make_tuple(column("point_id", &L::point_id), column("value", &L::value),
                      column("collect_ts", &L::collect_ts));
};

template <>
struct RowDescription<model::LatestValue> {
  using V = model::LatestValue;
  static constexpr auto columns = std::make_tuple(
      column("quota_code", &V::quota_code), column("name", &V::name),
      column("company_code", &V::company_code), column("hazard_code", &V::hazard_code),
      column("equip_code", &V::equip_code), column("indicator_type", &V::indicator_type),
      column("value_kind", &V::value_kind), column("unit", &V::unit), column("ll", &V::ll),
      column("l", &V::l), column("h", &V::h), column("hh", &V::hh), column("value", &V::value),
      column("quality", &V::quality), column("collect_ts", &V::collect_ts),
      column("received_ts", &V::received_ts), column("online", &V::online));
};

template <>
struct RowDescription<model::PointRef> {
  using P = model::PointRef;
  static constexpr auto columns = std::make_tuple(
      column("point_id", &P::point_id), column("quota_code", &P::quota_code),
      column("name", &P::name), column("unit", &P::unit), column("company_code", &P::company_code));
};

template <>
struct RowDescription<model::StoredReading> {
  using R = model::StoredReading;
  static constexpr auto columns =
      std::make_tuple(column("collect_ts", &R::collect_ts), column("value", &R::value),
                      column("quality", &R::quality), column("received_ts", &R::received_ts));
};

template <>
struct RowDescription<model::ReadingBucket> {
  using B = model::ReadingBucket;
  static constexpr auto columns = std::make_tuple(
      column("bucket", &B::bucket), column("min", &B::min), column("max", &B::max),
      column("mean", &B::mean), column("last", &B::last), column("count", &B::count));
};

template <>
struct RowDescription<model::AlarmEpisode> {
  using A = model::AlarmEpisode;
  static constexpr auto columns = std::make_tuple(
      column("id", &A::id), column("quota_code", &A::quota_code),
      column("company_code", &A::company_code), column("hazard_code", &A::hazard_code),
      column("equip_code", &A::equip_code), column("alarm_type", &A::alarm_type),
      column("is_data_fault", &A::is_data_fault), column("threshold", &A::threshold),
      column("start_ts", &A::start_ts), column("raised_ts", &A::raised_ts),
      column("end_ts", &A::end_ts), column("peak_value", &A::peak_value),
      column("peak_ts", &A::peak_ts), column("last_value", &A::last_value),
      column("suppressed", &A::suppressed), column("late", &A::late), column("origin", &A::origin),
      column("duration_s", &A::duration_s), column("company_name", &A::company_name),
      column("hazard_name", &A::hazard_name), column("point_name", &A::point_name),
      column("unit", &A::unit));
};

template <>
struct RowDescription<model::Filing> {
  using F = model::Filing;
  static constexpr auto columns = std::make_tuple(
      column("id", &F::id), column("company_code", &F::company_code),
      column("target_kind", &F::target_kind), column("target_code", &F::target_code),
      column("filing_type", &F::filing_type), column("starts_at", &F::starts_at),
      column("ends_at", &F::ends_at), column("reason", &F::reason), column("person", &F::person),
      column("created_by", &F::created_by), column("created_at", &F::created_at),
      column("status", &F::status), column("approved_by", &F::approved_by),
      column("approved_at", &F::approved_at), column("rejected_by", &F::rejected_by),
      column("rejected_at", &F::rejected_at), column("decision_note", &F::decision_note));
};

namespace {
// An open episode as stored; the type is text until it is known to be one of ours.
struct OpenEpisodeRow {
  std::int32_t point_id = 0;
  std::string alarm_type;
  core::SysTime start{};
  double peak = 0;
  core::SysTime peak_at{};
};
}  // namespace

template <>
struct RowDescription<OpenEpisodeRow> {
  using O = OpenEpisodeRow;
  static constexpr auto columns = std::make_tuple(
      column("point_id", &O::point_id), column("alarm_type", &O::alarm_type),
      column("start_ts", &O::start), column("peak", &O::peak), column("peak_ts", &O::peak_at));
};

std::vector<model::PointDef> MonitoringStore::active_points(Tx& tx) const {
  return tx.rows<model::PointDef>(
      "SELECT point_id, quota_code, company_code, coalesce(hazard_code, '') AS hazard_code, "
      "coalesce(prodcell_id, '') AS prodcell_id, coalesce(equip_code, '') AS equip_code, "
      "coalesce(gateway_code, '') AS gateway_code, indicator_type, "
      "value_kind = 'analog' AS analog, in_use, range_low, range_high, ll, l, h, hh, debounce_s, "
      "deadband FROM monitoring_point WHERE is_active");
}

std::unordered_map<std::string, std::string> MonitoringStore::enterprise_regions(Tx& tx) const {
  std::unordered_map<std::string, std::string> out;
  for (auto& r : tx.exec("SELECT company_code, region_code FROM enterprise"))
    out.emplace(r["company_code"].get<std::string>(), r["region_code"].get<std::string>());
  return out;
}

std::unordered_map<std::string, std::string> MonitoringStore::gateway_companies(Tx& tx) const {
  std::unordered_map<std::string, std::string> out;
  for (auto& r : tx.exec("SELECT gateway_code, company_code FROM gateway"))
    out.emplace(r["gateway_code"].get<std::string>(), r["company_code"].get<std::string>());
  return out;
}

std::vector<FilingWindow> MonitoringStore::filing_windows(Tx& tx) const {
  return tx.rows<FilingWindow>(
      "SELECT company_code, target_kind, target_code, starts_at, ends_at, "
      "origin = 'unit_status' AS spares_safety FROM filing WHERE cancelled_at IS NULL AND "
      "status = 'approved' AND ends_at > now() - interval '30 days'");
}

std::vector<OpenEpisode> MonitoringStore::open_episodes(Tx& tx) const {
  auto rows = tx.rows<OpenEpisodeRow>(
      "SELECT point_id, alarm_type, start_ts, coalesce(peak_value, 0) AS peak, "
      "coalesce(peak_ts, start_ts) AS peak_ts FROM alarm WHERE end_ts IS NULL AND origin = "
      "'platform'");
  std::vector<OpenEpisode> out;
  out.reserve(rows.size());
  for (const auto& r : rows)
    if (auto type = model::alarm_type_from_string(r.alarm_type))
      out.push_back({r.point_id, *type, r.start, r.peak, r.peak_at});
  return out;
}

std::vector<LatestSample> MonitoringStore::latest_samples(Tx& tx) const {
  return tx.rows<LatestSample>("SELECT point_id, value, collect_ts FROM reading_latest");
}

namespace {
// Rows with a company_code column (alias `alias`) inside the scope.
std::string in_scope(const model::Scope& scope, const std::string& alias, Params& params) {
  return scope_predicate(scope, alias + ".company_code", "", params);
}

const char* kFilingColumns =
    "f.id, f.company_code, f.target_kind, f.target_code, f.filing_type, f.starts_at, f.ends_at, "
    "f.reason, f.person, "
    "f.created_by, f.created_at, f.status, f.approved_by, f.approved_at, f.rejected_by, "
    "f.rejected_at, f.decision_note";
}  // namespace

model::Page<model::LatestValue> MonitoringStore::latest(
    Tx& tx, const model::Scope& scope, const std::map<std::string, std::string>& equal,
    int offline_after_s, int limit, long long offset) const {
  Params params;
  std::string where = in_scope(scope, "p", params) + " AND p.is_active";
  for (const auto& [k, v] : equal) where += " AND p." + k + " = " + ph(params, v);
  auto off = ph(params, std::to_string(offline_after_s));
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto r = tx.query(
      "SELECT p.quota_code, p.name, p.company_code, p.hazard_code, p.equip_code, p.indicator_type, "
      "p.value_kind, p.unit, "
      "p.ll, p.l, p.h, p.hh, l.value, l.quality, l.collect_ts, l.received_ts, "
      "(l.received_ts IS NOT NULL AND l.received_ts > now() - make_interval(secs => " +
          off +
          "::int)) AS online, "
          "count(*) OVER () AS total_count_ "
          "FROM monitoring_point p LEFT JOIN reading_latest l ON l.point_id = p.point_id WHERE " +
          where + " ORDER BY p.quota_code LIMIT " + lim + " OFFSET " + ofs,
      params);
  model::Page<model::LatestValue> page;
  page.items = r.as<model::LatestValue>();
  page.total = r.empty() ? 0 : r[0].get<long long>("total_count_");
  return page;
}

std::optional<model::PointRef> MonitoringStore::point(Tx& tx, const model::Scope& scope,
                                                      const std::string& quota_code) const {
  Params params{quota_code};
  auto where = in_scope(scope, "p", params);
  return tx.one<model::PointRef>(
      "SELECT p.point_id, p.quota_code, p.name, p.unit, p.company_code FROM monitoring_point p "
      "WHERE p.quota_code = $1 AND " +
          where,
      params);
}

std::vector<model::StoredReading> MonitoringStore::readings(Tx& tx, long long point_id,
                                                            const std::string& from,
                                                            const std::string& to,
                                                            int limit) const {
  return tx.rows<model::StoredReading>(
      "SELECT collect_ts, value, quality, received_ts FROM reading WHERE point_id = $1 AND "
      "collect_ts >= $2 AND collect_ts < $3 ORDER BY collect_ts LIMIT $4",
      {std::to_string(point_id), from, to, std::to_string(limit)});
}

std::vector<model::ReadingBucket> MonitoringStore::buckets(Tx& tx, long long point_id, bool hourly,
                                                           const std::string& from,
                                                           const std::string& to, int limit) const {
  return tx.rows<model::ReadingBucket>(
      std::string("SELECT bucket, min_v AS min, max_v AS max, sum_v / n AS mean, last_v AS last, "
                  "n AS count FROM ") +
          (hourly ? "reading_1h" : "reading_1m") +
          " WHERE point_id = $1 AND bucket >= $2 AND bucket < $3 ORDER BY bucket LIMIT $4",
      {std::to_string(point_id), from, to, std::to_string(limit)});
}

model::Page<model::AlarmEpisode> MonitoringStore::alarms(Tx& tx, const model::Scope& scope,
                                                         const AlarmFilter& f, int limit,
                                                         long long offset) const {
  Params params;
  std::string where = in_scope(scope, "a", params);
  if (f.active) where += *f.active ? " AND a.end_ts IS NULL" : " AND a.end_ts IS NOT NULL";
  if (f.alarm_type) where += " AND a.alarm_type = " + ph(params, *f.alarm_type);
  if (f.company_code) where += " AND a.company_code = " + ph(params, *f.company_code);
  if (f.from) where += " AND a.start_ts >= " + ph(params, *f.from);
  if (f.hazard_code) where += " AND a.hazard_code = " + ph(params, *f.hazard_code);
  if (f.quota_code) where += " AND a.quota_code = " + ph(params, *f.quota_code);
  if (f.suppressed)
    where += *f.suppressed ? " AND a.suppressed = true" : " AND a.suppressed = false";
  if (f.to) where += " AND a.start_ts < " + ph(params, *f.to);
  model::Page<model::AlarmEpisode> page;
  // The total over the alarm table alone, and the names joined to the page only: a window count
  // over the joined rows sorted 200,000 episodes for every page at national scale (2 s).
  page.total = tx.one<long long>("SELECT count(*) FROM alarm a WHERE " + where, params).value_or(0);
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  page.items = tx.rows<model::AlarmEpisode>(
      "WITH page AS (SELECT * FROM alarm a WHERE " + where +
          " ORDER BY a.start_ts DESC, a.id DESC LIMIT " + lim + " OFFSET " + ofs +
          ") "
          "SELECT a.id, a.quota_code, a.company_code, a.hazard_code, a.equip_code, "
          "a.alarm_type, a.is_data_fault, "
          "a.threshold, a.start_ts, a.raised_ts, a.end_ts, a.peak_value, a.peak_ts, "
          "a.last_value, a.suppressed, a.late, "
          "a.origin, extract(epoch FROM coalesce(a.end_ts, now()) - a.start_ts)::bigint AS "
          "duration_s, "
          // Names beside the codes, for people (issue 10).
          "e.name AS company_name, h.name AS hazard_name, p.name AS point_name, p.unit "
          "FROM page a LEFT JOIN enterprise e ON e.company_code = a.company_code "
          "LEFT JOIN hazard_source h ON h.hazard_code = a.hazard_code "
          "LEFT JOIN monitoring_point p ON p.quota_code = a.quota_code ORDER BY a.start_ts "
          "DESC, a.id DESC",
      params);
  return page;
}

bool MonitoringStore::enterprise_in_scope(Tx& tx, const model::Scope& scope,
                                          const std::string& company_code) const {
  Params params{company_code};
  auto where = in_scope(scope, "e", params);
  return !tx.query("SELECT 1 FROM enterprise e WHERE e.company_code = $1 AND " + where, params)
              .empty();
}

bool MonitoringStore::filing_target_exists(Tx& tx, const std::string& kind, const std::string& code,
                                           const std::string& company_code) const {
  // A unit is a production cell (its points name it by prodcell_id, ADR 0019).
  const char* table = kind == "point"           ? "monitoring_point"
                      : kind == "equipment"     ? "equipment"
                      : kind == "hazard_source" ? "hazard_source"
                      : kind == "unit"          ? "production_cell"
                                                : "enterprise";
  const char* key = kind == "point"           ? "quota_code"
                    : kind == "equipment"     ? "equip_code"
                    : kind == "hazard_source" ? "hazard_code"
                    : kind == "unit"          ? "prodcell_id"
                                              : "company_code";
  return !tx.query(std::string("SELECT 1 FROM ") + table + " WHERE " + key +
                       " = $1 AND company_code = $2",
                   {code, company_code})
              .empty();
}

model::Filing MonitoringStore::insert_filing(Tx& tx, const NewFiling& f) const {
  auto id = std::to_string(f.created_by);
  return *tx.one<model::Filing>(
      "INSERT INTO filing AS f (company_code, target_kind, target_code, filing_type, starts_at, "
      "ends_at, reason, person, "
      "created_by, status, approved_by, approved_at) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $10::text = 'approved' "
      "THEN now() END) RETURNING " +
          std::string(kFilingColumns),
      {f.company_code, f.target_kind, f.target_code, f.filing_type, format_timestamptz(f.starts_at),
       format_timestamptz(f.ends_at), f.reason, f.person, id, f.approved ? "approved" : "pending",
       f.approved ? Param(id) : Param()});
}

std::vector<model::Filing> MonitoringStore::filings(Tx& tx, const model::Scope& scope,
                                                    const FilingFilter& f) const {
  Params params;
  std::string where = in_scope(scope, "f", params) + " AND f.cancelled_at IS NULL";
  if (f.company_code) where += " AND f.company_code = " + ph(params, *f.company_code);
  if (f.active_only) where += " AND f.ends_at > now()";
  if (f.status) where += " AND f.status = " + ph(params, *f.status);
  return tx.rows<model::Filing>(std::string("SELECT ") + kFilingColumns + " FROM filing f WHERE " +
                                    where + " ORDER BY f.starts_at DESC, f.id DESC LIMIT 500",
                                params);
}

std::optional<std::string> MonitoringStore::filing_status(Tx& tx, const model::Scope& scope,
                                                          long long id, bool for_update) const {
  Params params{std::to_string(id)};
  auto where = in_scope(scope, "f", params);
  return tx.one<std::string>(
      "SELECT f.status FROM filing f WHERE f.id = $1 AND f.cancelled_at IS NULL AND " + where +
          (for_update ? " FOR UPDATE" : ""),
      params);
}

void MonitoringStore::cancel_filing(Tx& tx, long long id, long long by) const {
  tx.exec_count("UPDATE filing SET cancelled_at = now(), cancelled_by = $2 WHERE id = $1",
                {std::to_string(id), std::to_string(by)});
}

model::Filing MonitoringStore::decide_filing(Tx& tx, long long id, bool approve, long long by,
                                             const std::string& note) const {
  return *tx.one<model::Filing>(
      std::string(approve ? "UPDATE filing f SET status = 'approved', approved_by = $2, "
                            "approved_at = now(), decision_note = $3 "
                          : "UPDATE filing f SET status = 'rejected', rejected_by = $2, "
                            "rejected_at = now(), decision_note = $3 ") +
          "WHERE f.id = $1 RETURNING " + kFilingColumns,
      {std::to_string(id), std::to_string(by), note});
}

}  // namespace hazmon::storage
