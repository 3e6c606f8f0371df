#pragma once
// Where the monitoring side of the registry is read: the active monitoring points (the ingest
// snapshot), the filed suppression windows (报备), the open platform alarm episodes and the latest
// values that seed the rules after a restart. All in the caller's transaction; rows come back as
// structs (model::PointDef, model::AlarmType). ReadingStore writes what ingest accepts;
// service::IngestService and service::MonitoringService hold the rules.
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/alarm.hpp>
#include <hazmon/model/monitoring.hpp>
#include <hazmon/model/point.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {

class Tx;

// An approved, uncancelled filing as a suppression window.
struct FilingWindow {
  std::string company_code;
  std::string target_kind;  // enterprise | hazard_source | equipment | unit | point
  std::string target_code;
  core::SysTime starts_at{}, ends_at{};
  // Made by a unit run status (origin unit_status): the unit's gas detectors (combustible, toxic,
  // oxygen) are not suppressed by it.
  bool spares_safety = false;
};

// An open episode raised by the platform's rules (origin 'platform').
struct OpenEpisode {
  std::int32_t point_id = 0;
  model::AlarmType type = model::AlarmType::h;
  core::SysTime start{};
  double peak = 0;          // 0 when none was recorded
  core::SysTime peak_at{};  // the start when none was recorded
};

// A point's latest stored sample.
struct LatestSample {
  std::int32_t point_id = 0;
  double value = 0;
  core::SysTime collect_ts{};
};

// GET /alarms filters; times are RFC 3339 text, on start_ts: [from, to).
struct AlarmFilter {
  std::optional<std::string> company_code, hazard_code, quota_code, alarm_type;
  std::optional<bool> active, suppressed;
  std::optional<std::string> from, to;
};

struct FilingFilter {
  std::optional<std::string> company_code;
  bool active_only = false;           // ends after now
  std::optional<std::string> status;  // none: all
};

struct NewFiling {
  std::string company_code, target_kind, target_code, filing_type;
  core::SysTime starts_at{}, ends_at{};
  std::string reason, person;
  long long created_by = 0;
  bool approved = false;  // by its author (a regulator, or within the limits)
};

class MonitoringStore {
 public:
  // ---- what the ingest writer needs ---- Every active monitoring point.
  std::vector<model::PointDef> active_points(Tx& tx) const;
  // Every enterprise's region_code by company_code (a city platform forwards for its region).
  std::unordered_map<std::string, std::string> enterprise_regions(Tx& tx) const;
  // Every gateway's company_code by gateway_code.
  std::unordered_map<std::string, std::string> gateway_companies(Tx& tx) const;
  // Approved filings not cancelled, but those that ended more than 30 days ago.
  std::vector<FilingWindow> filing_windows(Tx& tx) const;
  // Open platform episodes of a known type.
  std::vector<OpenEpisode> open_episodes(Tx& tx) const;
  std::vector<LatestSample> latest_samples(Tx& tx) const;

  // ---- queries for people, inside their scope ---- Active points whose columns equal `equal`
  // (column → value; the caller names the columns), with their latest values; online: received
  // within `offline_after_s`.
  model::Page<model::LatestValue> latest(Tx& tx, const model::Scope& scope,
                                         const std::map<std::string, std::string>& equal,
                                         int offline_after_s, int limit, long long offset) const;
  std::optional<model::PointRef> point(Tx& tx, const model::Scope& scope,
                                       const std::string& quota_code) const;
  // Readings in [from, to) (RFC 3339), oldest first.
  std::vector<model::StoredReading> readings(Tx& tx, long long point_id, const std::string& from,
                                             const std::string& to, int limit) const;
  // 1-minute (or, `hourly`, 1-hour) buckets in [from, to), oldest first.
  std::vector<model::ReadingBucket> buckets(Tx& tx, long long point_id, bool hourly,
                                            const std::string& from, const std::string& to,
                                            int limit) const;
  // Newest first, with the names beside the codes.
  model::Page<model::AlarmEpisode> alarms(Tx& tx, const model::Scope& scope, const AlarmFilter& f,
                                          int limit, long long offset) const;

  // ---- filings ----
  bool enterprise_in_scope(Tx& tx, const model::Scope& scope,
                           const std::string& company_code) const;
  // kind: point | equipment | hazard_source | enterprise.
  bool filing_target_exists(Tx& tx, const std::string& kind, const std::string& code,
                            const std::string& company_code) const;
  model::Filing insert_filing(Tx& tx, const NewFiling& f) const;
  // Not cancelled, newest start first, at most 500.
  std::vector<model::Filing> filings(Tx& tx, const model::Scope& scope,
                                     const FilingFilter& f) const;
  // The status of a filing in scope and not cancelled; for_update locks it.
  std::optional<std::string> filing_status(Tx& tx, const model::Scope& scope, long long id,
                                           bool for_update) const;
  void cancel_filing(Tx& tx, long long id, long long by) const;
  model::Filing decide_filing(Tx& tx, long long id, bool approve, long long by,
                              const std::string& note) const;
};

}  // namespace hazmon::storage
