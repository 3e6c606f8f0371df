#pragma once
// What the monitoring queries return (GET /readings/latest, /points/{quota}/history and
// /aggregates, /alarms, /filings): structs that storage::MonitoringStore fills and the API edge
// turns into JSON (src/api/routes_monitoring_json.cpp). NULL columns are nullopt.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/page.hpp>

namespace hazmon::model {

// A monitoring point with its latest value and whether it is online.
struct LatestValue {
  std::string quota_code, name, company_code;
  std::optional<std::string> hazard_code;  // none: a non-major unit's or enterprise-level point
  std::optional<std::string> equip_code;
  std::string indicator_type, value_kind;
  std::optional<std::string> unit;
  std::optional<double> ll, l, h, hh;
  std::optional<double> value;  // none: nothing received yet
  std::optional<int> quality;
  std::optional<core::SysTime> collect_ts, received_ts;
  bool online = false;
};

// A point as the history and aggregate answers name it.
struct PointRef {
  long long point_id = 0;
  std::string quota_code, name;
  std::optional<std::string> unit;
  std::string company_code;
};

struct StoredReading {
  core::SysTime collect_ts{};
  double value = 0;
  int quality = 0;
  core::SysTime received_ts{};
};

// One 1-minute or 1-hour bucket.
struct ReadingBucket {
  core::SysTime bucket{};
  double min = 0, max = 0, mean = 0, last = 0;
  long long count = 0;
};

// An alarm episode (报警) with the names of its enterprise, hazard source and point.
struct AlarmEpisode {
  long long id = 0;
  std::string quota_code, company_code;
  std::optional<std::string> hazard_code;  // none: outside any major hazard source (ADR 0019)
  std::optional<std::string> equip_code;
  std::string alarm_type;  // model::AlarmType's text, or an enterprise's own type
  bool is_data_fault = false;
  std::optional<double> threshold;
  core::SysTime start_ts{}, raised_ts{};
  std::optional<core::SysTime> end_ts;
  std::optional<double> peak_value;
  std::optional<core::SysTime> peak_ts;
  std::optional<double> last_value;
  bool suppressed = false, late = false;
  std::string origin;        // platform | enterprise
  long long duration_s = 0;  // to the end, or to now while open
  std::optional<std::string> company_name, hazard_name, point_name, unit;
};

// A filing (报备): a window in which a target's alarms are suppressed.
struct Filing {
  long long id = 0;
  std::string company_code, target_kind, target_code, filing_type;
  core::SysTime starts_at{}, ends_at{};
  std::string reason, person;
  std::optional<long long> created_by;
  core::SysTime created_at{};
  std::string status;  // pending | approved | rejected
  std::optional<long long> approved_by;
  std::optional<core::SysTime> approved_at;
  std::optional<long long> rejected_by;
  std::optional<core::SysTime> rejected_at;
  std::string decision_note;
};

}  // namespace hazmon::model
