#include <hazmon/storage/reading_store.hpp>

#include <pqxx/pqxx>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>

#include <algorithm>
#include <cstdio>
#include <unordered_map>

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
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d.%03d+00", y, m, d, sod / 3600, (sod / 60) % 60, sod % 60,
                frac);
  return buf;
}

std::vector<std::pair<std::string, std::string>> ReadingStore::find_uploads(
    Tx& tx, const std::vector<std::pair<std::string, std::string>>& keys) const {
  std::vector<std::pair<std::string, std::string>> out;
  if (keys.empty()) return out;
  std::vector<std::string> companies, ids;
  for (const auto& [c, d] : keys) {
    companies.push_back(c);  // codes and data ids are restricted to [A-Za-z0-9._-]: no quoting needed
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

void ReadingStore::write(Tx& tx, const IngestBatch& b) const {
  auto& work = TxAccess::work(tx);
  try {
    if (!b.readings.empty()) {
      pqxx::stream_to copy(work, "reading", std::vector<std::string>{"point_id", "collect_ts", "value", "quality", "received_ts"});
      for (const auto& r : b.readings) {
        copy << std::make_tuple(r.point_id, format_pg_timestamp(r.collect_ms), r.value, r.quality,
                                format_pg_timestamp(r.received_ms));
      }
      copy.complete();

      // Latest value per point: one row per point per statement (ON CONFLICT cannot touch a row twice).
      std::unordered_map<std::int32_t, const model::Reading*> latest;
      latest.reserve(b.readings.size());
      for (const auto& r : b.readings) {
        auto [it, fresh] = latest.emplace(r.point_id, &r);
        if (!fresh && r.collect_ms > it->second->collect_ms) it->second = &r;
      }
      std::vector<std::string> ids, ts, vals, qs, rts;
      for (const auto& [id, r] : latest) {
        ids.push_back(std::to_string(id));
        ts.push_back(format_pg_timestamp(r->collect_ms));
        vals.push_back(num(r->value));
        qs.push_back(std::to_string(r->quality));
        rts.push_back(format_pg_timestamp(r->received_ms));
      }
      tx.exec(
          "INSERT INTO reading_latest (point_id, collect_ts, value, quality, received_ts) "
          "SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::float8[], $4::int2[], $5::timestamptz[]) "
          "ON CONFLICT (point_id) DO UPDATE SET collect_ts = EXCLUDED.collect_ts, value = EXCLUDED.value, "
          "quality = EXCLUDED.quality, received_ts = EXCLUDED.received_ts "
          "WHERE EXCLUDED.collect_ts > reading_latest.collect_ts",
          {array_literal(ids, false), array_literal(ts, true), array_literal(vals, false), array_literal(qs, false),
           array_literal(rts, true)});
    }
    if (!b.uploads.empty()) {
      pqxx::stream_to copy(work, "upload_batch",
                           std::vector<std::string>{"company_code", "data_id", "gateway_code", "report_type", "received_ts",
                                                    "accepted", "reply"});
      for (const auto& u : b.uploads)
        copy << std::make_tuple(u.company_code, u.data_id, u.gateway_code, u.report_type,
                                format_pg_timestamp(u.received_ms), u.accepted, u.reply);
      copy.complete();
    }
    if (!b.enterprise_alarms.empty()) {
      for (const auto& a : b.enterprise_alarms) {
        tx.exec("INSERT INTO enterprise_alarm (company_code, data_id, quota_code, alarm_type, value, threshold, start_ts, end_ts) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                {a.company_code, a.data_id, a.quota_code, a.alarm_type, opt_num(a.value), opt_num(a.threshold),
                 format_pg_timestamp(a.start_ms), a.end_ms ? Param(format_pg_timestamp(*a.end_ms)) : Param()});
      }
    }
    for (const auto& a : b.alarms) {
      if (a.transition == "raised") {
        tx.exec("INSERT INTO alarm (point_id, quota_code, company_code, hazard_code, equip_code, alarm_type, is_data_fault, "
                "threshold, start_ts, raised_ts, peak_value, peak_ts, last_value, suppressed, late) "
                "VALUES ($1, $2, $3, $4, NULLIF($5, ''), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
                "ON CONFLICT (point_id, alarm_type) WHERE end_ts IS NULL AND origin = 'platform' DO NOTHING",
                {std::to_string(a.point_id), a.quota_code, a.company_code, a.hazard_code, a.equip_code, a.type,
                 a.data_fault ? "true" : "false", opt_num(a.threshold), format_pg_timestamp(a.start_ms),
                 format_pg_timestamp(a.at_ms), num(a.peak), format_pg_timestamp(a.peak_ms), num(a.value),
                 a.suppressed ? "true" : "false", a.late ? "true" : "false"});
      } else if (a.transition == "escalated") {
        tx.exec("UPDATE alarm SET alarm_type = $3, threshold = $4, peak_value = $5, peak_ts = $6, last_value = $7, "
                "updated_at = now() WHERE point_id = $1 AND alarm_type = $2 AND end_ts IS NULL AND origin = 'platform'",
                {std::to_string(a.point_id), a.previous_type, a.type, opt_num(a.threshold), num(a.peak),
                 format_pg_timestamp(a.peak_ms), num(a.value)});
      } else {
        tx.exec("UPDATE alarm SET end_ts = $3, peak_value = $4, peak_ts = $5, last_value = $6, updated_at = now() "
                "WHERE point_id = $1 AND alarm_type = $2 AND end_ts IS NULL AND origin = 'platform'",
                {std::to_string(a.point_id), a.type, format_pg_timestamp(a.at_ms), num(a.peak),
                 format_pg_timestamp(a.peak_ms), num(a.value)});
      }
    }
    for (const auto& [gw, ms] : b.gateways_seen) {
      tx.exec("UPDATE gateway SET last_seen_at = greatest(coalesce(last_seen_at, $2), $2) WHERE gateway_code = $1",
              {gw, format_pg_timestamp(ms)});
    }
  } catch (const pqxx::broken_connection&) {
    throw TransientError("database connection lost during a write");
  } catch (const pqxx::unique_violation&) {
    throw ConflictError("duplicate upload", "upload_batch_pkey");
  } catch (const pqxx::sql_error& e) {
    throw core::Error(core::Errc::internal, std::string("readings write failed: ") + e.what());
  }
}

int ReadingStore::ensure_partitions(Tx& tx, core::SysTime from, int days) const {
  std::int64_t first = std::chrono::duration_cast<std::chrono::hours>(from.time_since_epoch()).count() / 24;
  int created = 0;
  for (std::int64_t d = first; d < first + days; ++d) {
    auto name = "reading_" + day_suffix(d);
    auto exists = tx.exec_one("SELECT to_regclass($1) IS NOT NULL AS e", {name});
    if (exists["e"].get<bool>()) continue;
    tx.exec("CREATE TABLE " + name + " PARTITION OF reading FOR VALUES FROM ('" + day_start(d) + "') TO ('" +
            day_start(d + 1) + "')");
    ++created;
  }
  return created;
}

int ReadingStore::drop_partitions_before(Tx& tx, core::SysTime cutoff) const {
  auto rows = tx.exec(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
      "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'reading' AND c.relname ~ '^reading_[0-9]{8}$'");
  std::int64_t cutoff_day = std::chrono::duration_cast<std::chrono::hours>(cutoff.time_since_epoch()).count() / 24;
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
  auto f = format_pg_timestamp(std::chrono::duration_cast<std::chrono::milliseconds>(from.time_since_epoch()).count());
  auto t = format_pg_timestamp(std::chrono::duration_cast<std::chrono::milliseconds>(to.time_since_epoch()).count());
  tx.exec(
      "INSERT INTO reading_1m (point_id, bucket, min_v, max_v, sum_v, last_v, last_ts, n) "
      "SELECT point_id, date_trunc('minute', collect_ts), min(value), max(value), sum(value), "
      "(array_agg(value ORDER BY collect_ts DESC))[1], max(collect_ts), count(*) FROM reading "
      "WHERE collect_ts >= date_trunc('minute', $1::timestamptz) AND collect_ts < $2::timestamptz "
      "GROUP BY 1, 2 ON CONFLICT (point_id, bucket) DO UPDATE SET min_v = EXCLUDED.min_v, max_v = EXCLUDED.max_v, "
      "sum_v = EXCLUDED.sum_v, last_v = EXCLUDED.last_v, last_ts = EXCLUDED.last_ts, n = EXCLUDED.n",
      {f, t});
  tx.exec(
      "INSERT INTO reading_1h (point_id, bucket, min_v, max_v, sum_v, last_v, last_ts, n) "
      "SELECT point_id, date_trunc('hour', bucket), min(min_v), max(max_v), sum(sum_v), "
      "(array_agg(last_v ORDER BY last_ts DESC))[1], max(last_ts), sum(n) FROM reading_1m "
      "WHERE bucket >= date_trunc('hour', $1::timestamptz) AND bucket < $2::timestamptz "
      "GROUP BY 1, 2 ON CONFLICT (point_id, bucket) DO UPDATE SET min_v = EXCLUDED.min_v, max_v = EXCLUDED.max_v, "
      "sum_v = EXCLUDED.sum_v, last_v = EXCLUDED.last_v, last_ts = EXCLUDED.last_ts, n = EXCLUDED.n",
      {f, t});
}

}  // namespace hazmon::storage
