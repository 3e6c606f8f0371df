#pragma once
// The readings path into PostgreSQL: COPY into the day-partitioned `reading` table, the
// latest-value table, upload records for idempotency (dataId) and alarm episodes, all in the
// caller's transaction so that one commit makes a whole group durable.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/alarm.hpp>
#include <hazmon/model/point.hpp>

namespace hazmon::storage {

class Tx;

struct UploadRecord {
  std::string company_code;
  std::string data_id;
  std::string gateway_code;
  std::string report_type;
  std::int64_t received_ms = 0;
  int accepted = 0;
  std::string reply;  // JSON text returned again on a resend
  // City mode (docs/federation.md): the plaintext body to forward to the province and the upload
  // route it goes to there. When set, write() queues it in federation_outbox in the same
  // transaction as the upload record; empty in province mode.
  std::string forward_path = {};
  std::string forward_body = {};
  // Where it came from (migration 0031): the forwarding city platform's region ("" for a
  // gateway's own upload), the sending credential's appId, and the newest accepted reading's
  // collect time (a forwarded upload's arrival lag is received_ms minus it).
  std::string forwarded_by = {};
  std::string app_id = {};
  std::optional<std::int64_t> newest_collect_ms = {};
};

struct EnterpriseAlarmRow {
  std::string company_code, data_id, quota_code, alarm_type;
  std::optional<double> value, threshold;
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms;
};

// Everything one group commit writes.
struct IngestBatch {
  std::vector<UploadRecord> uploads;
  std::vector<model::Reading> readings;
  std::vector<model::AlarmEvent> alarms;  // mapped onto `alarm` episodes
  std::vector<EnterpriseAlarmRow> enterprise_alarms;
  std::vector<std::pair<std::string, std::int64_t>> gateways_seen;  // gateway_code → last seen
  bool empty() const { return uploads.empty() && readings.empty() && alarms.empty(); }
};

class ReadingStore {
 public:
  // Replies already stored for these (company_code, data_id) pairs, keyed "company|dataId".
  std::vector<std::pair<std::string, std::string>> find_uploads(
      Tx& tx, const std::vector<std::pair<std::string, std::string>>& keys) const;
  void write(Tx& tx, const IngestBatch& batch) const;

  // Daily partitions from the day of `from` for `days` days (UTC days); idempotent.
  int ensure_partitions(Tx& tx, core::SysTime from, int days) const;
  // Drops daily partitions that end before `cutoff`; returns how many.
  int drop_partitions_before(Tx& tx, core::SysTime cutoff) const;

  // Recomputes 1-minute and 1-hour aggregates for buckets in [from, to).
  void aggregate(Tx& tx, core::SysTime from, core::SysTime to) const;
  // How far aggregate() has got (aggregate_watermark 'readings'); nullopt before its first run.
  std::optional<core::SysTime> aggregated_until(Tx& tx) const;
  void set_aggregated_until(Tx& tx, core::SysTime t) const;
};

// "2021-10-08 02:15:30.123+00" for COPY and array literals.
std::string format_pg_timestamp(std::int64_t epoch_ms);

}  // namespace hazmon::storage
