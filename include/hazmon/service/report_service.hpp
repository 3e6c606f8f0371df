#pragma once
// The daily and weekly reports (日报、周报, docs/reports.md): generated on a schedule (the
// aggregation ticker calls tick()) and on demand, numbered per kind, scope and year, archived
// with every figure (`report`, migration 0012), rendered as a printable HTML page, an XLSX
// workbook (libxlsxwriter through the report module) and a PDF printed by headless Chromium when
// it is installed, and e-mailed to the configured recipients with the HTML and XLSX attached.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/report_store.hpp>

namespace hazmon::storage {
class Database;
}
namespace hazmon::notify {
class Mailer;
}

namespace hazmon::service {

class DataQualityService;

struct ReportSettings {
  bool enabled = true;  // the schedule; on-demand generation works either way
  std::string title_prefix = "晋危化监测";
  int daily_minute = 8 * 60;  // Beijing time minute of the day
  int weekly_weekday = 1;     // ISO weekday (1 = Monday)
  int weekly_minute = 8 * 60 + 30;
  std::vector<std::string> recipients;  // e-mail addresses of the scheduled reports
  int top_n = 10;
  std::filesystem::path chromium = "/usr/bin/chromium";
  std::chrono::seconds pdf_timeout{60};
  std::filesystem::path work_dir =
      "/tmp";                 // where PDFs are printed (a private temp dir is made inside)
  std::string dashboard_url;  // links in the e-mail body; empty: none
};
// The config's `reports` section; work_dir and dashboard_url (notify.dashboard_url) are app's.
void from_json(const nlohmann::json& j, ReportSettings& s);

class ReportService {
 public:
  ReportService(storage::Database& db, DataQualityService& dq, ReportSettings s,
                const core::Clock& clock, notify::Mailer* mailer = nullptr);

  // POST /api/v1/reports:
  // {"kind":"daily"|"weekly","date":"YYYY-MM-DD","replace":bool,"email":bool}. Persons with a
  // province or region scope only (403 otherwise); the report covers the caller's scope. 422 for a
  // bad body or a future date, 409 when it exists and !replace.
  storage::ReportRow generate(const model::Principal& who, const nlohmann::json& body);
  // Generates one report (the schedule and generate() come here).
  storage::ReportRow generate_for(const std::string& kind, const std::string& scope_code,
                                  storage::BeijingDay day, std::optional<std::int64_t> created_by,
                                  const std::string& created_by_name, bool replace);

  nlohmann::json list(const model::Principal& who, const std::string& kind, std::int64_t limit,
                      std::int64_t offset) const;
  // 404 outside the caller's scope.
  storage::ReportRow get(const model::Principal& who, std::int64_t id) const;
  nlohmann::json to_json(const storage::ReportRow& r, bool with_content) const;

  std::string html(const storage::ReportRow& r) const;
  std::string xlsx(const storage::ReportRow& r) const;
  bool pdf_available() const;
  // Throws core::Error(unavailable) when Chromium is missing or fails.
  std::string pdf(const storage::ReportRow& r) const;

  // E-mails the report to `to` (HTML and XLSX attached); returns how many were sent.
  int email(const storage::ReportRow& r, const std::vector<std::string>& to);

  // The schedule: generates (and e-mails) the province's daily report of yesterday after
  // daily_minute and the weekly report of the previous ISO week on weekly_weekday after
  // weekly_minute, once each. Returns the reports generated.
  int tick();

  const ReportSettings& settings() const { return s_; }

 private:
  std::string province_code() const;

  storage::Database& db_;
  DataQualityService& dq_;
  ReportSettings s_;
  const core::Clock& clock_;
  notify::Mailer* mailer_;
  std::mutex tick_mu_;
};

}  // namespace hazmon::service
