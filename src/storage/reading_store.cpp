#include <hazmon/storage/reading_store.hpp>

#include <pqxx/pqxx>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <unordered_map>

#include "copy_binary.hpp"
#include "tx_access.hpp"

namespace hazmon::storage {
namespace {

// Days since 1970-01-01 → civil date (Howard Hinnant's algorithm), to format timestamps without
// gmtime_r on the hot path.
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

std::string day_suffix(std::int64_t day) {
  int y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", y, m, d);
  return buf;
}

std::string day_start(std::int64_t day) { return format_pg_timestamp(day * 86400000LL); }

std::string array_literal(const std::vector<std::string>& items, bool quote) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    if (quote) out += '"';
    out += items[i];
    if (quote) out += '"';
  }
  out += '}';
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

Param opt_num(const std::optional<double>& v) { return v ? Param(num(*v)) : Param(); }

// ---- hot-path text formatting (no snprintf, no iostreams) ----

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// "YYYY-MM-DD HH:MM:SS.mmm+00" (26 characters) into p; years 0..9999.
void format_ts(char* p, std::int64_t ms) {
  std::int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  auto frac = static_cast<unsigned>(ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  auto sod = static_cast<unsigned>(secs - days * 86400);
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  auto yy = static_cast<unsigned>(std::clamp(y, 0, 9999));
  put2(p, yy / 100);
  put2(p + 2, yy % 100);
  p[4] = '-';
  put2(p + 5, m);
  p[7] = '-';
  put2(p + 8, d);
  p[10] = ' ';
  put2(p + 11, sod / 3600);
  p[13] = ':';
  put2(p + 14, sod / 60 % 60);
  p[16] = ':';
  put2(p + 17, sod % 60);
  p[19] = '.';
  p[20] = static_cast<char>('0' + frac / 100);
  put2(p + 21, frac % 100);
  p[23] = '+';
  p[24] = '0';
  p[25] = '0';
}

void append_int(std::string& out, long long v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Shortest text that reads back as the same double (values are finite: validated on upload).
void append_double(std::string& out, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// PostgreSQL array literals built by appending, for unnest() parameters.
struct ArrayText {
  std::string s = "{";
  void sep() {
    if (s.size() > 1) s += ',';
  }
  void add_int(long long v) {
    sep();
    append_int(s, v);
  }
  void add_double(double v) {
    sep();
    append_double(s, v);
  }
  void add_opt_double(const std::optional<double>& v) {
    sep();
    if (v)
      append_double(s, *v);
    else
      s += "NULL";
  }
  void add_ts(std::int64_t ms) {
    sep();
    char buf[26];
    format_ts(buf, ms);
    s += '"';
    s.append(buf, sizeof buf);
    s += '"';
  }
  void add_opt_ts(const std::optional<std::int64_t>& ms) {
    if (ms)
      add_ts(*ms);
    else {
      sep();
      s += "NULL";
    }
  }
  // Codes are restricted to [A-Za-z0-9._-] on the way in; quoted anyway, with escapes.
  void add_text(const std::string& v) {
    sep();
    s += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += '"';
  }
  void add_bool(bool v) {
    sep();
    s += v ? 't' : 'f';
  }
  std::string done() && {
    s += '}';
    return std::move(s);
  }
};

// The alarm changes of one group folded into one row per episode, so that they are written with
// two statements whatever their number: an episode raised in this group is inserted once in its
// final state (escalations and the end applied), and an episode that was already open in the
// database gets one UPDATE with its final type, peak, last value and end. Changes arrive in
// evaluation order (per point in collect-time order), which is the order folded here.
struct Episode {
  bool fresh = false;                        // raised in this group
  const model::AlarmEvent* first = nullptr;  // the raise (fresh) or the first change (existing)
  model::AlarmType match_type{};             // existing: the type it has in the database now
  model::AlarmType type{};                   // final type
  std::optional<double> threshold;
  bool threshold_changed = false;
  double peak = 0, last = 0;
  std::int64_t peak_ms = 0;
  std::optional<std::int64_t> end_ms;
};

std::vector<Episode> fold_alarms(const std::vector<model::AlarmEvent>& changes) {
  using model::AlarmTransition;
  std::vector<Episode> eps;
  std::map<std::pair<std::int32_t, model::AlarmType>, std::size_t>
      open;  // (point, current type) → episode
  for (const auto& a : changes) {
    if (a.transition == AlarmTransition::raised) {
      Episode e;
      e.fresh = true;
      e.first = &a;
      e.type = a.type;
      e.threshold = a.threshold;
      e.peak = a.peak;
      e.peak_ms = a.peak_ms;
      e.last = a.value;
      open[{a.point_id, a.type}] = eps.size();
      eps.push_back(std::move(e));
      continue;
    }
    auto from =
        a.transition == AlarmTransition::escalated ? a.previous_type.value_or(a.type) : a.type;
    auto it = open.find({a.point_id, from});
    std::size_t i;
    if (it != open.end()) {
      i = it->second;
      open.erase(it);
    } else {
      Episode e;
      e.first = &a;
      e.match_type = from;
      e.type = from;
      i = eps.size();
      eps.push_back(std::move(e));
    }
    auto& e = eps[i];
    e.peak = a.peak;
    e.peak_ms = a.peak_ms;
    e.last = a.value;
    if (a.transition == AlarmTransition::escalated) {
      e.type = a.type;
      e.threshold = a.threshold;
      e.threshold_changed = true;
      open[{a.point_id, a.type}] = i;
    } else {
      e.end_ms = a.at_ms;
    }
  }
  return eps;
}

// Episodes already open in the database: one UPDATE with their final state.
void update_open_episodes(Tx& tx, const std::vector<Episode>& eps) {
  // Episodes already open in the database first: one that ends here frees its (point, type)
  // for an episode raised later in the same group.
  ArrayText u_point, u_match, u_type, u_thr, u_thr_set, u_peak, u_peak_ts, u_last, u_end;
  std::size_t n_update = 0;
  for (const auto& e : eps) {
    if (e.fresh) continue;
    ++n_update;
    u_point.add_int(e.first->point_id);
    u_match.add_text(model::to_string(e.match_type));
    u_type.add_text(model::to_string(e.type));
    u_thr.add_opt_double(e.threshold);
    u_thr_set.add_bool(e.threshold_changed);
    u_peak.add_double(e.peak);
    u_peak_ts.add_ts(e.peak_ms);
    u_last.add_double(e.last);
    u_end.add_opt_ts(e.end_ms);
  }
  if (n_update) {
    tx.exec(
        "UPDATE alarm a SET alarm_type = v.type, threshold = CASE WHEN v.thr_set THEN v.thr ELSE "
        "a.threshold END, "
        "peak_value = v.peak, peak_ts = v.peak_ts, last_value = v.last, end_ts = "
        "coalesce(v.end_ts, a.end_ts), "
        "updated_at = now() "
        "FROM unnest($1::int[], $2::text[], $3::text[], $4::float8[], $5::bool[], $6::float8[], "
        "$7::timestamptz[], "
        "$8::float8[], $9::timestamptz[]) AS v(point_id, match, type, thr, thr_set, peak, peak_ts, "
        "last, end_ts) "
        "WHERE a.point_id = v.point_id AND a.alarm_type = v.match AND a.end_ts IS NULL AND "
        "a.origin = 'platform'",
        {std::move(u_point).done(), std::move(u_match).done(), std::move(u_type).done(),
         std::move(u_thr).done(), std::move(u_thr_set).done(), std::move(u_peak).done(),
         std::move(u_peak_ts).done(), std::move(u_last).done(), std::move(u_end).done()});
  }
}

// Episodes raised in this group: one INSERT in their final state.
void insert_new_episodes(Tx& tx, const std::vector<Episode>& eps) {
  ArrayText i_point, i_quota, i_company, i_hazard, i_equip, i_type, i_fault, i_thr, i_start,
      i_raised, i_peak, i_peak_ts, i_last, i_supp, i_late, i_end;
  std::size_t n_insert = 0;
  for (const auto& e : eps) {
    if (!e.fresh) continue;
    ++n_insert;
    const auto& a = *e.first;
    i_point.add_int(a.point_id);
    i_quota.add_text(a.quota_code);
    i_company.add_text(a.company_code);
    i_hazard.add_text(a.hazard_code);
    i_equip.add_text(a.equip_code);
    i_type.add_text(model::to_string(e.type));
    i_fault.add_bool(a.data_fault);
    i_thr.add_opt_double(e.threshold);
    i_start.add_ts(a.start_ms);
    i_raised.add_ts(a.at_ms);
    i_peak.add_double(e.peak);
    i_peak_ts.add_ts(e.peak_ms);
    i_last.add_double(e.last);
    i_supp.add_bool(a.suppressed);
    i_late.add_bool(a.late);
    i_end.add_opt_ts(e.end_ms);
  }
  if (n_insert) {
    tx.exec(
        "INSERT INTO alarm (point_id, quota_code, company_code, hazard_code, equip_code, "
        "alarm_type, is_data_fault, "
        "threshold, start_ts, raised_ts, peak_value, peak_ts, last_value, suppressed, late, "
        "end_ts) "
        "SELECT p, q, c, NULLIF(h, ''), NULLIF(e, ''), t, f, thr, s, r, pk, pk_ts, l, sup, lt, en "
        "FROM unnest("
        "$1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], "
        "$8::float8[], "
        "$9::timestamptz[], $10::timestamptz[], $11::float8[], $12::timestamptz[], $13::float8[], "
        "$14::bool[], "
        "$15::bool[], $16::timestamptz[]) AS v(p, q, c, h, e, t, f, thr, s, r, pk, pk_ts, l, sup, "
        "lt, en) "
        "ON CONFLICT (point_id, alarm_type) WHERE end_ts IS NULL AND origin = 'platform' DO "
        "NOTHING",
        {std::move(i_point).done(), std::move(i_quota).done(), std::move(i_company).done(),
         std::move(i_hazard).done(), std::move(i_equip).done(), std::move(i_type).done(),
         std::move(i_fault).done(), std::move(i_thr).done(), std::move(i_start).done(),
         std::move(i_raised).done(), std::move(i_peak).done(), std::move(i_peak_ts).done(),
         std::move(i_last).done(), std::move(i_supp).done(), std::move(i_late).done(),
         std::move(i_end).done()});
  }
}

void write_alarms(Tx& tx, const std::vector<model::AlarmEvent>& changes) {
  auto eps = fold_alarms(changes);
  update_open_episodes(tx, eps);
  insert_new_episodes(tx, eps);
}

}  // namespace

std::string format_pg_timestamp(std::int64_t ms) {
  std::int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  int frac = static_cast<int>(ms - secs * 1000);
  std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int sod = static_cast<int>(secs - days * 86400);
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d.%03d+00", y, m, d, sod / 3600,
                (sod / 60) % 60, sod % 60, frac);
  return buf;
}

std::vector<std::pair<std::string, std::string>> ReadingStore::find_uploads(
    Tx& tx, const std::vector<std::pair<std::string, std::string>>& keys) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (keys.empty()) return out;
  std::vector<std::string> companies, ids;
  for (const auto& [c, d] : keys) {
    companies.push_back(
        c);  // codes and data ids are restricted to [A-Za-z0-9._-]: no quoting needed
    ids.push_back(d);
  }
  auto rows = tx.exec(
      "SELECT u.company_code, u.data_id, u.reply::text AS reply FROM upload_batch u "
      "JOIN unnest($1::text[], $2::text[]) AS k(c, d) ON u.company_code = k.c AND u.data_id = k.d",
      {array_literal(companies, true), array_literal(ids, true)});
  for (auto& r : rows)
    out.emplace_back(r["company_code"].get<std::string>() + "|" + r["data_id"].get<std::string>(),
                     r["reply"].get<std::string>());
  return out;
}

namespace {
// Latest value per point (one row per point: a statement cannot touch a row twice). A plain
// UPDATE of the points that have a row, then an INSERT of those that have none: about half the
// server time of INSERT … ON CONFLICT DO UPDATE, and with the table's fillfactor (migration
// 0008) the updates are HOT (no index entry per update).
void write_latest(Tx& tx, const std::vector<model::Reading>& readings) {
  std::unordered_map<std::int32_t, const model::Reading*> latest;
  latest.reserve(readings.size());
  for (const auto& r : readings) {
    auto [it, fresh] = latest.emplace(r.point_id, &r);
    if (!fresh && r.collect_ms > it->second->collect_ms) it->second = &r;
  }
  ArrayText ids, ts, vals, qs, rts;
  for (const auto& [id, r] : latest) {
    ids.add_int(id);
    ts.add_ts(r->collect_ms);
    vals.add_double(r->value);
    qs.add_int(r->quality);
    rts.add_ts(r->received_ms);
  }
  tx.exec(
      "WITH v AS (SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::float8[], $4::int2[], "
      "$5::timestamptz[]) "
      "AS v(point_id, collect_ts, value, quality, received_ts)), "
      "u AS (UPDATE reading_latest l SET collect_ts = v.collect_ts, value = v.value, quality = "
      "v.quality, "
      "received_ts = v.received_ts FROM v WHERE l.point_id = v.point_id AND v.collect_ts > "
      "l.collect_ts) "
      "INSERT INTO reading_latest (point_id, collect_ts, value, quality, received_ts) "
      "SELECT * FROM v WHERE NOT EXISTS (SELECT 1 FROM reading_latest l WHERE l.point_id = "
      "v.point_id) "
      "ON CONFLICT (point_id) DO UPDATE SET collect_ts = EXCLUDED.collect_ts, value = "
      "EXCLUDED.value, "
      "quality = EXCLUDED.quality, received_ts = EXCLUDED.received_ts "
      "WHERE EXCLUDED.collect_ts > reading_latest.collect_ts",
      {std::move(ids).done(), std::move(ts).done(), std::move(vals).done(), std::move(qs).done(),
       std::move(rts).done()});
}

void copy_uploads(pqxx::work& work, const std::vector<UploadRecord>& uploads) {
  pqxx::stream_to copy(work, "upload_batch",
                       std::vector<std::string>{"company_code", "data_id", "gateway_code",
                                                "report_type", "received_ts", "accepted", "reply",
                                                "forwarded_by", "app_id", "newest_collect_ts"});
  // NULL for what a record does not know (a gateway's own upload, one without readings).
  auto text_or_null = [](const std::string& s) {
    return s.empty() ? std::optional<std::string>() : std::optional<std::string>(s);
  };
  for (const auto& u : uploads)
    copy << std::make_tuple(
        u.company_code, u.data_id, u.gateway_code, u.report_type,
        format_pg_timestamp(u.received_ms), u.accepted, u.reply, text_or_null(u.forwarded_by),
        text_or_null(u.app_id),
        u.newest_collect_ms ? std::optional<std::string>(format_pg_timestamp(*u.newest_collect_ms))
                            : std::optional<std::string>());
  copy.complete();
}

void insert_enterprise_alarms(Tx& tx, const std::vector<EnterpriseAlarmRow>& alarms) {
  for (const auto& a : alarms) {
    tx.exec(
        "INSERT INTO enterprise_alarm (company_code, data_id, quota_code, alarm_type, value, "
        "threshold, start_ts, end_ts) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        {a.company_code, a.data_id, a.quota_code, a.alarm_type, opt_num(a.value),
         opt_num(a.threshold), format_pg_timestamp(a.start_ms),
         a.end_ms ? Param(format_pg_timestamp(*a.end_ms)) : Param()});
  }
}

// City mode: the uploads to forward, queued beside their upload records (one statement). A row
// already queued (the same dataId stored by a replay racing a resend) is left as it is.
void queue_forwards(Tx& tx, const std::vector<UploadRecord>& uploads) {
  ArrayText paths, companies, ids, bodies;
  bool any = false;
  for (const auto& u : uploads) {
    if (u.forward_body.empty()) continue;
    any = true;
    paths.add_text(u.forward_path);
    companies.add_text(u.company_code);
    ids.add_text(u.data_id);
    bodies.add_text(u.forward_body);
  }
  if (!any) return;
  tx.exec(
      "INSERT INTO federation_outbox (path, company_code, data_id, body) "
      "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) "
      "ON CONFLICT (path, company_code, data_id) DO NOTHING",
      {std::move(paths).done(), std::move(companies).done(), std::move(ids).done(),
       std::move(bodies).done()});
}

// One row per gateway (its latest time in the group), one statement.
void touch_gateways(Tx& tx, const std::vector<std::pair<std::string, std::int64_t>>& gateways) {
  std::unordered_map<std::string, std::int64_t> seen;
  for (const auto& [gw, ms] : gateways) {
    auto [it, fresh] = seen.emplace(gw, ms);
    if (!fresh) it->second = std::max(it->second, ms);
  }
  ArrayText codes, times;
  for (const auto& [gw, ms] : seen) {
    codes.add_text(gw);
    times.add_ts(ms);
  }
  tx.exec(
      "UPDATE gateway g SET last_seen_at = greatest(coalesce(g.last_seen_at, v.t), v.t), "
      "first_seen_at = coalesce(g.first_seen_at, v.t) "
      "FROM unnest($1::text[], $2::timestamptz[]) AS v(code, t) WHERE g.gateway_code = v.code",
      {std::move(codes).done(), std::move(times).done()});
}
}  // namespace

void ReadingStore::write(Tx& tx, const IngestBatch& b) const {
  auto& work = TxAccess::work(tx);
  try {
    if (!b.readings.empty()) {
      copy_readings_binary(work, b.readings);
      write_latest(tx, b.readings);
    }
    if (!b.uploads.empty()) {
      copy_uploads(work, b.uploads);
      queue_forwards(tx, b.uploads);
    }
    if (!b.enterprise_alarms.empty()) insert_enterprise_alarms(tx, b.enterprise_alarms);
    if (!b.alarms.empty()) write_alarms(tx, b.alarms);
    if (!b.gateways_seen.empty()) touch_gateways(tx, b.gateways_seen);
  } catch (const pqxx::broken_connection&) {
    throw TransientError("database connection lost during a write");
  } catch (const pqxx::unique_violation&) {
    throw ConflictError("duplicate upload", "upload_batch_pkey");
  } catch (const pqxx::sql_error& e) {
    // Class 57 (the server shutting down or starting up) and 08 (connection trouble) mean
    // "PostgreSQL is away": the caller spools, as for a lost connection.
    if (e.sqlstate().rfind("57", 0) == 0 || e.sqlstate().rfind("08", 0) == 0)
      throw TransientError("database unavailable during a write: " + e.sqlstate());
    throw core::Error(core::Errc::internal, std::string("readings write failed: ") + e.what());
  } catch (const pqxx::in_doubt_error&) {
    throw TransientError("commit outcome unknown");  // the replay skips uploads that did commit
  }
}

std::optional<core::SysTime> ReadingStore::aggregated_until(Tx& tx) const {
  return tx.one<core::SysTime>(
      "SELECT done_until FROM aggregate_watermark WHERE name = 'readings'");
}

void ReadingStore::set_aggregated_until(Tx& tx, core::SysTime t) const {
  tx.exec_count(
      "INSERT INTO aggregate_watermark(name, done_until) VALUES ('readings', $1) "
      "ON CONFLICT (name) DO UPDATE SET done_until = EXCLUDED.done_until",
      {format_timestamptz(t)});
}

int ReadingStore::ensure_partitions(Tx& tx, core::SysTime from, int days) const {
  std::int64_t first =
      std::chrono::duration_cast<std::chrono::hours>(from.time_since_epoch()).count() / 24;
  int created = 0;
  for (std::int64_t d = first; d < first + days; ++d) {
    auto name = "reading_" + day_suffix(d);
    auto exists = tx.exec_one("SELECT to_regclass($1) IS NOT NULL AS e", {name});
    if (exists["e"].get<bool>()) continue;
    tx.exec("CREATE TABLE " + name + " PARTITION OF reading FOR VALUES FROM ('" + day_start(d) +
            "') TO ('" + day_start(d + 1) + "')");
    ++created;
  }
  return created;
}

int ReadingStore::drop_partitions_before(Tx& tx, core::SysTime cutoff) const {
  auto rows = tx.exec(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'reading' AND c.relname ~ "
      "'^reading_[0-9]{8}$'");
  std::int64_t cutoff_day =
      std::chrono::duration_cast<std::chrono::hours>(cutoff.time_since_epoch()).count() / 24;
  int dropped = 0;
  for (auto& r : rows) {
    auto name = r["name"].get<std::string>();
    // reading_YYYYMMDD covers one day; it may go once that whole day is before the cutoff day.
    if (name.substr(8) < day_suffix(cutoff_day)) {
      tx.exec("DROP TABLE " + name);
      ++dropped;
    }
  }
  return dropped;
}

void ReadingStore::aggregate(Tx& tx, core::SysTime from, core::SysTime to) const {
  auto f = format_pg_timestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(from.time_since_epoch()).count());
  auto t = format_pg_timestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(to.time_since_epoch()).count());
  tx.exec(
      "INSERT INTO reading_1m (point_id, bucket, min_v, max_v, sum_v, last_v, last_ts, n) "
      "SELECT point_id, date_trunc('minute', collect_ts), min(value), max(value), sum(value), "
      "(array_agg(value ORDER BY collect_ts DESC))[1], max(collect_ts), count(*) FROM reading "
      "WHERE collect_ts >= date_trunc('minute', $1::timestamptz) AND collect_ts < $2::timestamptz "
      "GROUP BY 1, 2 ON CONFLICT (point_id, bucket) DO UPDATE SET min_v = EXCLUDED.min_v, max_v = "
      "EXCLUDED.max_v, "
      "sum_v = EXCLUDED.sum_v, last_v = EXCLUDED.last_v, last_ts = EXCLUDED.last_ts, n = "
      "EXCLUDED.n",
      {f, t});
  tx.exec(
      "INSERT INTO reading_1h (point_id, bucket, min_v, max_v, sum_v, last_v, last_ts, n) "
      "SELECT point_id, date_trunc('hour', bucket), min(min_v), max(max_v), sum(sum_v), "
      "(array_agg(last_v ORDER BY last_ts DESC))[1], max(last_ts), sum(n) FROM reading_1m "
      "WHERE bucket >= date_trunc('hour', $1::timestamptz) AND bucket < $2::timestamptz "
      "GROUP BY 1, 2 ON CONFLICT (point_id, bucket) DO UPDATE SET min_v = EXCLUDED.min_v, max_v = "
      "EXCLUDED.max_v, "
      "sum_v = EXCLUDED.sum_v, last_v = EXCLUDED.last_v, last_ts = EXCLUDED.last_ts, n = "
      "EXCLUDED.n",
      {f, t});
}

}  // namespace hazmon::storage
