#pragma once
// Reading and alarm queries and filings (报备), all under the caller's scope. The SQL is in
// storage::MonitoringStore; answers are model structs, made JSON by the API
// (src/api/routes_monitoring_json.cpp).
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/monitoring.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct TimeRange {
  std::string from, to;  // RFC 3339 or "yyyy-MM-dd HH:mm:ss" (UTC+8)
};

// Filings (报备) by an enterprise: one no longer than this, ending no further ahead than this,
// is in force at once; any other is stored pending and suppresses nothing until a county, city
// or province officer approves it. Regulators' own filings are in force at once.
struct FilingSettings {
  std::chrono::seconds max_length{7 * 86400};            // ingest.filing_max_days
  std::chrono::seconds max_overhaul_length{60 * 86400};  // ingest.overhaul_filing_max_days
  // A unit status's stop or overhaul starting within this of the end of an approved window on
  // the same unit continues that window: the maximum applies to the whole chain
  // (ingest.filing_chain_gap_minutes; docs/duties.md, attack 12.10).
  std::chrono::seconds chain_gap{3600};

  // The longest window of a filing type ("overhaul" or any other) in force without approval.
  std::chrono::seconds max_for(const std::string& filing_type) const {
    return filing_type == "overhaul" ? max_overhaul_length : max_length;
  }
};
// From the config's `ingest` section (filing_max_days, overhaul_filing_max_days,
// filing_chain_gap_minutes).
void from_json(const nlohmann::json& j, FilingSettings& s);

// A point's readings in [from, to) (RFC 3339 as given back); truncated when `limit` was reached.
struct PointHistory {
  model::PointRef point;
  std::string from, to;
  std::vector<model::StoredReading> items;
  bool truncated = false;
};

struct PointAggregates {
  model::PointRef point;
  std::string interval, from, to;
  std::vector<model::ReadingBucket> items;
};

// A filing as stored; pending_reason says why it waits for a regulator's approval.
struct FilingAnswer {
  model::Filing filing;
  std::optional<std::string> pending_reason;
};

class MonitoringService {
 public:
  explicit MonitoringService(storage::Database& db, FilingSettings fs = {},
                             const core::Clock* clock = nullptr)
      : db_(db), filing_(fs), clock_(clock) {}

  // Latest value of every point matching the filters (company_code, hazard_code, equip_code),
  // with online status derived from when the value was received.
  model::Page<model::LatestValue> latest(const model::Principal& who,
                                         const std::map<std::string, std::string>& filters,
                                         int limit, long long offset, int offline_after_s);
  PointHistory history(const model::Principal& who, const std::string& quota_code,
                       const TimeRange& r, int limit);
  // interval "1m" or "1h": min, max, mean, last, count per bucket.
  PointAggregates aggregated(const model::Principal& who, const std::string& quota_code,
                             const TimeRange& r, const std::string& interval, int limit);
  model::Page<model::AlarmEpisode> alarms(const model::Principal& who,
                                          const std::map<std::string, std::string>& filters,
                                          int limit, long long offset);

  // 201 body: the stored filing with its `status` (approved, or pending when it needs approval).
  // Machine credentials (gateway, city platform) get 403.
  FilingAnswer create_filing(const model::Principal& who, const nlohmann::json& body);
  // status: "" (all), "pending", "approved" or "rejected".
  std::vector<model::Filing> list_filings(const model::Principal& who,
                                          const std::string& company_code, bool active_only,
                                          const std::string& status = {});
  void cancel_filing(const model::Principal& who, long long id);
  // A county, city or province officer in scope decides a pending filing (409 when it is not
  // pending); `approve` false rejects it (a note is required then).
  model::Filing decide_filing(const model::Principal& who, long long id, bool approve,
                              const nlohmann::json& body);
  // Called after filings change (ingest reloads its suppression windows).
  void on_filings_changed(std::function<void()> f) { changed_ = std::move(f); }

 private:
  storage::Database& db_;
  FilingSettings filing_;
  const core::Clock* clock_;  // null: the system clock
  std::function<void()> changed_;
};

}  // namespace hazmon::service
