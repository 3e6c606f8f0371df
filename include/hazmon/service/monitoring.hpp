#pragma once
// Reading and alarm queries and filings (报备), all under the caller's scope.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include <hazmon/model/scope.hpp>

namespace hazmon::storage { class Database; }

namespace hazmon::service {

struct TimeRange {
  std::string from, to;  // RFC 3339 or "yyyy-MM-dd HH:mm:ss" (UTC+8)
};

class MonitoringService {
 public:
  explicit MonitoringService(storage::Database& db) : db_(db) {}

  // Latest value of every point matching the filters (company_code, hazard_code, equip_code),
  // with online status derived from when the value was received.
  nlohmann::json latest(const model::Principal& who, const std::map<std::string, std::string>& filters, int limit,
                        long long offset, int offline_after_s);
  nlohmann::json history(const model::Principal& who, const std::string& quota_code, const TimeRange& r, int limit);
  // interval "1m" or "1h": min, max, mean, last, count per bucket.
  nlohmann::json aggregated(const model::Principal& who, const std::string& quota_code, const TimeRange& r,
                            const std::string& interval, int limit);
  nlohmann::json alarms(const model::Principal& who, const std::map<std::string, std::string>& filters, int limit,
                        long long offset);

  nlohmann::json create_filing(const model::Principal& who, const nlohmann::json& body);
  nlohmann::json list_filings(const model::Principal& who, const std::string& company_code, bool active_only);
  void cancel_filing(const model::Principal& who, long long id);
  // Called after filings change (ingest reloads its suppression windows).
  void on_filings_changed(std::function<void()> f) { changed_ = std::move(f); }

 private:
  storage::Database& db_;
  std::function<void()> changed_;
};

}  // namespace hazmon::service
