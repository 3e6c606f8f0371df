// A report period's figures and the state at generation, from the statistics store
// (report_detail.hpp).
#include <algorithm>
#include <map>

#include <hazmon/storage/report_store.hpp>
#include <hazmon/storage/statistics_store.hpp>

#include "report_detail.hpp"

namespace hazmon::service::report_detail {
namespace {
using storage::StatGroup;
using storage::StatMetric;
using storage::StatSplit;

bool is_process_alarm(const std::string& t) {
  return t == "HH" || t == "H" || t == "L" || t == "LL" || t == "SWITCH";
}

// The period's totals: alarms by level (and data faults), warnings by level, video by review.
void period_totals(storage::Tx& tx, const storage::StatisticsStore& st,
                   const storage::StatFilter& f, storage::PeriodFigures& p) {
  std::map<std::string, std::int64_t> by_type, by_level;
  for (const auto& g :
       st.by_group(tx, StatMetric::alarms, StatSplit::alarm_type, StatGroup::type, f))
    by_type[g.split] += g.count;
  for (const char* t : {"HH", "H", "L", "LL", "SWITCH"}) {
    p.alarms_by_level.push_back({t, by_type[t]});
    p.alarms += by_type[t];
  }
  for (const auto& [t, n] : by_type)
    if (!is_process_alarm(t)) p.data_faults += n;
  for (const auto& g : st.by_group(tx, StatMetric::warnings, StatSplit::level, StatGroup::level, f))
    by_level[g.split] += g.count;
  for (const char* l : {"red", "orange", "yellow", "blue"}) {
    p.warnings_by_level.push_back({l, by_level[l]});
    p.warnings += by_level[l];
  }
  p.warnings_closed = storage::ReportStore{}.warnings_closed(tx, f.scope, f.from, f.to);
  for (const auto& g :
       st.by_group(tx, StatMetric::video_events, StatSplit::review_state, StatGroup::type, f)) {
    p.video_events += g.count;
    if (g.split == "confirmed") p.video_confirmed += g.count;
    if (g.split == "rejected") p.video_rejected += g.count;
    if (g.split == "pending") p.video_pending += g.count;
  }
}

// Every city of the scope, with zeros.
void city_figures(storage::Tx& tx, const storage::StatisticsStore& st, const storage::StatFilter& f,
                  storage::PeriodFigures& p) {
  std::map<std::string, storage::CityFigures> cities;
  for (const auto& c : st.cities(tx, f.scope, ""))
    cities[c.code] = storage::CityFigures{c.code, c.name};
  auto city_of = [&](const storage::GroupCount& g) -> storage::CityFigures* {
    if (!g.key) return nullptr;
    auto it = cities.find(*g.key);
    return it == cities.end() ? nullptr : &it->second;
  };
  for (const auto& g :
       st.by_group(tx, StatMetric::alarms, StatSplit::alarm_type, StatGroup::city, f))
    if (auto* c = city_of(g); c && is_process_alarm(g.split)) c->alarms += g.count;
  for (const auto& g : st.by_group(tx, StatMetric::warnings, StatSplit::level, StatGroup::city, f))
    if (auto* c = city_of(g)) c->warnings += g.count;
  for (const auto& g :
       st.by_group(tx, StatMetric::video_events, StatSplit::review_state, StatGroup::city, f)) {
    if (auto* c = city_of(g)) {
      if (g.split == "confirmed") c->video_confirmed += g.count;
      if (g.split == "rejected") c->video_rejected += g.count;
    }
  }
  for (auto& [code, c] : cities) p.cities.push_back(c);
}

// Enterprises: most red/orange events, then alarms + warnings.
void top_enterprises(storage::Tx& tx, const storage::StatisticsStore& st,
                     const storage::StatFilter& f, int top_n, storage::PeriodFigures& p) {
  std::map<std::string, storage::EnterpriseFigures> ents;
  auto ent_of = [&](const storage::GroupCount& g) -> storage::EnterpriseFigures& {
    auto& e = ents[g.key.value_or("")];
    e.company_code = g.key.value_or("");
    e.company_name = g.name;
    e.city_name = g.city_name.value_or("");
    return e;
  };
  for (const auto& g :
       st.by_group(tx, StatMetric::alarms, StatSplit::alarm_type, StatGroup::enterprise, f))
    if (is_process_alarm(g.split)) ent_of(g).alarms += g.count;
  for (const auto& g :
       st.by_group(tx, StatMetric::warnings, StatSplit::level, StatGroup::enterprise, f)) {
    auto& e = ent_of(g);
    e.warnings += g.count;
    if (g.split == "red" || g.split == "orange") e.red_orange += g.count;
  }
  for (auto& [code, e] : ents) p.top_enterprises.push_back(e);
  std::sort(p.top_enterprises.begin(), p.top_enterprises.end(), [](const auto& a, const auto& b) {
    if (a.red_orange != b.red_orange) return a.red_orange > b.red_orange;
    if (a.alarms + a.warnings != b.alarms + b.warnings)
      return a.alarms + a.warnings > b.alarms + b.warnings;
    return a.company_code < b.company_code;
  });
  if (static_cast<int>(p.top_enterprises.size()) > top_n)
    p.top_enterprises.resize(static_cast<std::size_t>(top_n));
}

}  // namespace

storage::PeriodFigures period_figures(storage::Tx& tx, const model::Scope& scope,
                                      core::SysTime from, core::SysTime to, int top_n) {
  storage::StatisticsStore st;
  storage::StatFilter f;
  f.scope = scope;
  f.from = from;
  f.to = to;
  storage::PeriodFigures p;
  period_totals(tx, st, f, p);
  city_figures(tx, st, f, p);
  top_enterprises(tx, st, f, top_n, p);
  return p;
}

CurrentState current_state(storage::Tx& tx, const model::Scope& scope, core::SysTime now,
                           int offline_after_s, int top_n) {
  auto ov =
      storage::StatisticsStore{}.overview(tx, scope, now, std::chrono::seconds(offline_after_s));
  CurrentState c;
  c.enterprises = ov.enterprises.total;
  c.points = ov.points.total;
  c.cameras = ov.cameras.total;
  c.cameras_online = ov.cameras.online;
  for (const char* l : {"red", "orange"})
    if (auto it = ov.open_warnings_by_level.find(l); it != ov.open_warnings_by_level.end())
      c.red_orange_open += it->second;
  c.overdue_open = ov.overdue_disposals;
  c.overdue = storage::ReportStore{}.overdue(tx, scope, now, top_n);
  return c;
}

}  // namespace hazmon::service::report_detail
