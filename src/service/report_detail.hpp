#pragma once
// What the report service's files share (report_service.cpp: requests, rendering, schedule;
// report_figures.cpp: a period's figures from the statistics store; report_content.cpp: the
// report's JSON content from them). Private to src/service.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/report_store.hpp>

namespace hazmon::service::report_detail {

std::string percent(const nlohmann::json& v);  // 12.34%, or — when not a number

// The shared figures of a period from the statistics engineer's StatisticsStore (its definitions:
// alarms by start, filing-suppressed ones left out; warning events by first alarm; reviewable
// video events by start), split the way the report shows them.
storage::PeriodFigures period_figures(storage::Tx& tx, const model::Scope& scope,
                                      core::SysTime from, core::SysTime to, int top_n);

// The state at generation: the overview's online counts and overdue disposals, and the list of
// overdue events.
struct CurrentState {
  std::int64_t enterprises = 0, points = 0, cameras = 0, cameras_online = 0, red_orange_open = 0,
               overdue_open = 0;
  std::vector<storage::OverdueEvent> overdue;
};
CurrentState current_state(storage::Tx& tx, const model::Scope& scope, core::SysTime now,
                           int offline_after_s, int top_n);

// Everything one report is made of: the period, the one before, and their figures.
struct ContentInputs {
  std::string kind, scope_code, scope_name;
  storage::BeijingDay from = 0, to = 0, pfrom = 0, pto = 0;
  core::SysTime now{};
  double target_online_rate = 0;
  storage::PeriodFigures cur, prev;
  CurrentState state;
  DataQualityResult dq, dq_prev;
};
// The report's content (docs/reports.md): figures with the previous period's, online rates,
// by level, by city, video, top enterprises, overdue disposals, data quality, attention items.
nlohmann::json report_content(const ContentInputs& in);

}  // namespace hazmon::service::report_detail
