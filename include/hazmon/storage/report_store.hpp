#pragma once
// The daily and weekly reports (docs/reports.md): what only the reports count (warning events
// closed in a period, the list of overdue events) and the archive of generated reports
// (`report`, migration 0012). The shared figures (alarms, warnings, video events by level, city
// and enterprise; online counts) come from storage::StatisticsStore. Times are UTC instants;
// days are Beijing-time days.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/data_quality_store.hpp>

namespace hazmon::storage {

class Tx;

struct LevelCount {
  std::string level;  // HH, H, L, LL, SWITCH for alarms; red, orange, yellow, blue for warnings
  std::int64_t count = 0;
};

struct CityFigures {
  std::string city_code, city_name;
  std::int64_t alarms = 0, warnings = 0, video_confirmed = 0, video_rejected = 0;
};

struct EnterpriseFigures {
  std::string company_code, company_name, city_name;
  std::int64_t alarms = 0, warnings = 0, red_orange = 0;
};

struct OverdueEvent {
  std::int64_t id = 0;
  std::string event_no, company_code, company_name, level, status;
  std::string deadline;  // the missed deadline, Beijing time "YYYY-MM-DD HH:MM:SS" (empty if none)
};

// What happened in [from, to), as the report shows it (filled by service::ReportService from
// storage::StatisticsStore and warnings_closed()).
struct PeriodFigures {
  std::int64_t alarms = 0;       // process alarm episodes (not data faults, not suppressed) started
  std::int64_t data_faults = 0;  // data-fault episodes started (not suppressed)
  std::int64_t warnings = 0;     // warning events raised (first alarm in the period)
  std::int64_t warnings_closed = 0;
  std::int64_t video_events = 0, video_confirmed = 0, video_rejected = 0,
               video_pending = 0;  // reviewable ones
  std::vector<LevelCount> alarms_by_level, warnings_by_level;
  std::vector<CityFigures> cities;                 // every city of the scope, by code
  std::vector<EnterpriseFigures> top_enterprises;  // most red/orange, then alarms + warnings first
};

struct ReportRow {
  std::int64_t id = 0;
  std::string kind, scope_code, scope_name;
  BeijingDay period_from = 0, period_to = 0;
  int year = 0, number = 0;
  std::string title;
  std::string content;     // JSON text
  std::string created_at;  // Beijing time
  std::optional<std::string> created_by_name;
  int emailed_to = 0;
};

struct NewReport {
  std::string kind, scope_code;
  BeijingDay period_from = 0, period_to = 0;
  std::string
      title_prefix;  // "晋危化监测"; the title is <prefix><日报|周报>[（scope）]〔year〕第N期
  std::string content;  // JSON text; "title" and "number" are filled in by create()
  std::optional<std::int64_t> created_by;
  std::string created_by_name;
  bool replace =
      false;  // an existing report of the kind, scope and period: keep its number, new content
};

class ReportStore {
 public:
  // Warning events of the scope closed in [from, to).
  std::int64_t warnings_closed(Tx& tx, const model::Scope& scope, core::SysTime from,
                               core::SysTime to) const;
  // Open warning events past the deadline of their stage (or marked overdue) at `now`, oldest
  // deadline first, at most `top_n` (the count is the overview's overdue_disposals).
  std::vector<OverdueEvent> overdue(Tx& tx, const model::Scope& scope, core::SysTime now,
                                    int top_n) const;

  // Numbers the report (next number of its kind, scope and year) and stores it. Throws
  // core::Error(conflict) when one exists for the kind, scope and period and !replace.
  ReportRow create(Tx& tx, NewReport r) const;
  std::optional<ReportRow> get(Tx& tx, const model::Scope& scope, std::int64_t id) const;
  std::vector<ReportRow> list(Tx& tx, const model::Scope& scope, const std::string& kind,
                              std::int64_t limit, std::int64_t offset, std::int64_t* total) const;
  bool exists(Tx& tx, const std::string& kind, const std::string& scope_code,
              BeijingDay period_from) const;
  void set_emailed(Tx& tx, std::int64_t id, int recipients) const;
  std::string region_name(Tx& tx, const std::string& code) const;
};

// The scope a report covers: 140000 is the province, anything else a region.
model::Scope report_scope(const std::string& scope_code);

}  // namespace hazmon::storage
