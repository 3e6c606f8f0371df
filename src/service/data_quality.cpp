#include <hazmon/service/data_quality.hpp>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/report/table.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/reading_store.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::service {

using core::Errc;
using core::Error;
using storage::BeijingDay;
using namespace std::chrono;

namespace {
std::optional<double> ratio(std::int64_t num, std::int64_t den) {
  if (den <= 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

storage::DataQualityLevel level_of(const std::string& s) {
  if (s == "point") return storage::DataQualityLevel::point;
  if (s == "enterprise") return storage::DataQualityLevel::enterprise;
  if (s == "city") return storage::DataQualityLevel::city;
  throw Error(Errc::bad_request, "level must be point, enterprise or city");
}

BeijingDay day_param(const std::string& name, const std::string& v) {
  auto d = storage::parse_day(v);
  if (!d) throw Error(Errc::bad_request, name + " must be a day YYYY-MM-DD");
  return *d;
}
// The head of an answer: its level, the period, and what it is measured against.
DataQualityResult answer_head(storage::Tx& tx, const storage::DataQualityStore& store,
                              const std::string& level, BeijingDay from, BeijingDay to,
                              const DataQualitySettings& s) {
  DataQualityResult r;
  r.level = level;
  r.from = from;
  r.to = to;
  r.from_text = storage::format_day(from);
  r.to_text = storage::format_day(to);
  r.target_online_rate = s.target_online_rate;
  r.timely_within_s = s.rollup.timely_within_s;
  r.computed_until = store.computed_until(tx, to);
  return r;
}

// Codes outside the scope are answered as if they did not exist (404).
void check_company(storage::Tx& tx, const model::Scope& scope, const std::string& company_code) {
  storage::Params p{company_code};
  auto pred = storage::scope_predicate(scope, "company_code", "region_code", p);
  if (tx.exec_one("SELECT 1 AS ok FROM enterprise WHERE company_code = $1 AND " + pred, p)
          .is_null())
    throw Error(Errc::not_found, "no such enterprise");
}

void check_city(storage::Tx& tx, const model::Scope& scope, const std::string& city_code) {
  bool known = model::is_region_code(city_code) &&
               !tx.exec_one("SELECT 1 AS ok FROM region WHERE code = $1", {city_code}).is_null();
  bool visible = false;
  if (known) {
    switch (scope.kind) {
      case model::ScopeKind::province:
        visible = true;
        break;
      case model::ScopeKind::region:
        visible = scope.covers_region(city_code);
        break;
      case model::ScopeKind::enterprise:
        visible = !tx.exec_one(
                         "SELECT 1 AS ok FROM enterprise WHERE company_code = $1 AND "
                         "region_code LIKE $2 || '%'",
                         {scope.company_code, model::region_prefix(city_code)})
                       .is_null();
        break;
    }
  }
  if (!visible) throw Error(Errc::not_found, "no such region");
}
}  // namespace

DataQualityService::DataQualityService(storage::Database& db, DataQualitySettings s,
                                       const core::Clock& clock)
    : db_(db), s_(std::move(s)), clock_(clock) {}

DataQualityFigures DataQualityService::figures(const storage::DataQualitySums& s) const {
  DataQualityFigures f;
  f.sums = s;
  f.online_rate = ratio(s.online_s, s.period_s);
  f.completeness = ratio(s.received_capped, s.expected);
  f.timeliness = ratio(s.timely, s.received);
  f.meets_target = f.online_rate && *f.online_rate >= s_.target_online_rate;
  return f;
}

DataQualityResult DataQualityService::query(const model::Principal& who,
                                            const DataQualityRequest& req) const {
  // Like the statistics: for people; a gateway or city platform uploads, it does not read figures.
  if (!who.is_person())
    throw Error(Errc::forbidden, "data quality is for people, not machine credentials");
  auto level = level_of(req.level);
  auto today = storage::beijing_day_of(clock_.now());
  BeijingDay from = req.from.empty() ? today - 1 : day_param("from", req.from);
  BeijingDay to = req.to.empty() ? today : day_param("to", req.to);
  if (req.from.empty() && !req.to.empty()) from = to - 1;
  if (from > to) throw Error(Errc::bad_request, "from must not be after to");
  if (to > today) throw Error(Errc::bad_request, "to is in the future (Beijing time)");
  if (to - from + 1 > s_.max_days)
    throw Error(Errc::bad_request,
                "the period is longer than " + std::to_string(s_.max_days) + " days");
  if (req.bottom < 1 || req.bottom > 100) throw Error(Errc::bad_request, "bottom must be 1 to 100");

  storage::DataQualityQuery q;
  q.scope = who.scope;
  q.from = from;
  q.to = to;
  q.level = level;
  q.limit = req.limit;
  q.offset = req.offset;
  storage::DataQualityStore store;
  return db_.in_tx([&](storage::Tx& tx) {
    // Codes outside the scope are answered as if they did not exist.
    if (!req.company_code.empty()) {
      check_company(tx, who.scope, req.company_code);
      q.company_code = req.company_code;
    }
    if (!req.city_code.empty()) {
      check_city(tx, who.scope, req.city_code);
      q.region_code = req.city_code;
    }
    auto r = answer_head(tx, store, req.level, from, to, s_);
    auto page = store.query(tx, q);
    r.total = page.total;
    for (const auto& s : page.rows) r.items.push_back(figures(s));
    if (req.with_totals) {
      auto tq = q;
      tq.level = storage::DataQualityLevel::total;
      tq.by_day = false;
      tq.limit = tq.offset = 0;
      auto totals = store.query(tx, tq);
      if (!totals.rows.empty()) r.totals = figures(totals.rows.front());
    }
    if (!req.with_bottom) return r;
    auto bq = q;
    bq.level = storage::DataQualityLevel::enterprise;
    bq.by_day = false;
    bq.limit = req.bottom;
    bq.offset = 0;
    for (const auto& s : store.query(tx, bq).rows) r.bottom.push_back(figures(s));
    return r;
  });
}

DataQualityResult DataQualityService::summary(const model::Scope& scope, BeijingDay from,
                                              BeijingDay to, int bottom) const {
  storage::DataQualityStore store;
  storage::DataQualityQuery q;
  q.scope = scope;
  q.from = from;
  q.to = to;
  q.by_day = false;
  return db_.in_tx([&](storage::Tx& tx) {
    auto r = answer_head(tx, store, "city", from, to, s_);
    q.level = storage::DataQualityLevel::total;
    auto totals = store.query(tx, q);
    if (!totals.rows.empty()) r.totals = figures(totals.rows.front());
    q.level = storage::DataQualityLevel::city;
    for (const auto& s : store.query(tx, q).rows) r.items.push_back(figures(s));
    r.total = static_cast<std::int64_t>(r.items.size());
    q.level = storage::DataQualityLevel::enterprise;
    double sum = 0;
    for (const auto& s : store.query(tx, q).rows) {
      auto f = figures(s);
      if (!f.online_rate) continue;
      if (static_cast<int>(r.bottom.size()) < bottom) r.bottom.push_back(f);  // worst first
      sum += *f.online_rate;
      ++r.enterprises;
      if (f.meets_target) ++r.enterprises_meeting_target;
    }
    if (r.enterprises > 0) r.enterprise_online_rate = sum / static_cast<double>(r.enterprises);
    return r;
  });
}

long long DataQualityService::refresh() {
  std::lock_guard lock(refresh_mu_);
  auto now = clock_.now();
  auto today = storage::beijing_day_of(now);
  storage::DataQualityStore store;
  long long rows = 0;
  // Closed days: from the watermark (the first day not yet closed) to yesterday, and the
  // `recompute_days` before it again when the day turns, for readings that came late.
  auto done = db_.in_tx([](storage::Tx& tx) {
    return tx.exec_one(
        "SELECT (extract(epoch FROM done_until) * 1000)::bigint AS t FROM aggregate_watermark "
        "WHERE name = 'data_quality'");
  });
  BeijingDay first_open = today - 1;
  if (!done.is_null() && !done["t"].is_null())
    first_open =
        storage::beijing_day_of(core::SysTime{} + milliseconds(done["t"].get<std::int64_t>()));
  if (first_open < today) {
    BeijingDay start = std::max(first_open - s_.recompute_days, today - 1 - 400);
    for (BeijingDay d = start; d < today; ++d) {
      auto t0 = steady_clock::now();
      auto n = db_.in_tx([&](storage::Tx& tx) {
        return store.rollup(tx, d, storage::beijing_day_start(d + 1), s_.rollup);
      });
      rows += n;
      core::logger(core::LogModule::service)
          ->info("data quality rollup of {}: {} point rows in {} ms", storage::format_day(d), n,
                 duration_cast<milliseconds>(steady_clock::now() - t0).count());
    }
    db_.in_tx([&](storage::Tx& tx) {
      tx.exec(
          "INSERT INTO aggregate_watermark(name, done_until) VALUES ('data_quality', $1) "
          "ON CONFLICT (name) DO UPDATE SET done_until = EXCLUDED.done_until",
          {storage::format_pg_timestamp(
              duration_cast<milliseconds>(storage::beijing_day_start(today).time_since_epoch())
                  .count())});
    });
  }
  if (!last_today_refresh_ || now - *last_today_refresh_ >= s_.refresh_interval ||
      now < *last_today_refresh_) {
    // Incremental: only the readings collected since the last run's stable mark (the run's time
    // less rollup.incremental_lookback_s) are read, not the whole day so far.
    auto t0 = steady_clock::now();
    auto n = db_.in_tx(
        [&](storage::Tx& tx) { return store.rollup_incremental(tx, today, now, s_.rollup); });
    rows += n;
    core::logger(core::LogModule::service)
        ->info("data quality rollup of {} (incremental): {} point rows in {} ms",
               storage::format_day(today), n,
               duration_cast<milliseconds>(steady_clock::now() - t0).count());
    last_today_refresh_ = now;
  }
  return rows;
}

nlohmann::json to_json(const DataQualityFigures& f) {
  const auto& s = f.sums;
  nlohmann::json j;
  if (s.day) j["day"] = storage::format_day(*s.day);
  if (!s.city_code.empty()) {
    j["city_code"] = s.city_code;
    j["city_name"] = s.city_name;
  }
  if (!s.company_code.empty()) {
    j["company_code"] = s.company_code;
    j["company_name"] = s.company_name;
  }
  if (!s.quota_code.empty()) {
    j["quota_code"] = s.quota_code;
    j["point_name"] = s.point_name;
  }
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  j["points"] = s.points;
  j["period_s"] = s.period_s;
  j["online_s"] = s.online_s;
  j["online_rate"] = opt(f.online_rate);
  j["expected"] = s.expected;
  j["received"] = s.received;
  j["completeness"] = opt(f.completeness);
  j["timely"] = s.timely;
  j["timeliness"] = opt(f.timeliness);
  j["flagged"] = s.flagged;
  j["out_of_range"] = s.out_of_range;
  j["frozen"] = s.frozen;
  j["offline"] = s.offline;
  j["device_fault"] = s.device_fault;
  j["meets_target"] = f.meets_target;
  return j;
}

nlohmann::json to_json(const DataQualityResult& r) {
  nlohmann::json j{
      {"level", r.level},
      {"from", storage::format_day(r.from)},
      {"to", storage::format_day(r.to)},
      {"target_online_rate", r.target_online_rate},
      {"timely_within_s", r.timely_within_s},
      {"computed_until", r.computed_until ? nlohmann::json(report::beijing_time(*r.computed_until))
                                          : nlohmann::json(nullptr)},
      {"totals", to_json(r.totals)},
      {"total", r.total}};
  j["items"] = nlohmann::json::array();
  for (const auto& f : r.items) j["items"].push_back(to_json(f));
  j["bottom"] = nlohmann::json::array();
  for (const auto& f : r.bottom) j["bottom"].push_back(to_json(f));
  return j;
}

namespace {
report::Cell rate_cell(const std::optional<double>& v) {
  return v ? report::Cell::of_percent(*v) : report::Cell::blank();
}

report::Table figures_table(const std::string& title, const std::vector<DataQualityFigures>& rows,
                            const std::string& level, bool with_day,
                            std::vector<std::string> notes) {
  report::Table t;
  t.title = title;
  t.notes = std::move(notes);
  if (with_day) t.columns.push_back({"日期"});
  t.columns.push_back({"城市代码"});
  t.columns.push_back({"城市"});
  bool company = level == "enterprise" || level == "point";
  bool point = level == "point";
  if (company) {
    t.columns.push_back({"企业代码"});
    t.columns.push_back({"企业名称"});
  }
  if (point) {
    t.columns.push_back({"点位编码"});
    t.columns.push_back({"点位名称"});
  }
  for (const char* h : {"点位数", "在线率", "完整率", "及时率", "应收条数", "实收条数", "及时条数",
                        "质量标记条数", "超量程", "数据冻结", "离线", "设备故障", "在线率达标"})
    t.columns.push_back({h});
  for (const auto& f : rows) {
    const auto& s = f.sums;
    std::vector<report::Cell> c;
    if (with_day) c.push_back(report::Cell::of_text(s.day ? storage::format_day(*s.day) : ""));
    c.push_back(report::Cell::of_text(s.city_code));
    c.push_back(report::Cell::of_text(s.city_name));
    if (company) {
      c.push_back(report::Cell::of_text(s.company_code));
      c.push_back(report::Cell::of_text(s.company_name));
    }
    if (point) {
      c.push_back(report::Cell::of_text(s.quota_code));
      c.push_back(report::Cell::of_text(s.point_name));
    }
    c.push_back(report::Cell::of_int(s.points));
    c.push_back(rate_cell(f.online_rate));
    c.push_back(rate_cell(f.completeness));
    c.push_back(rate_cell(f.timeliness));
    c.push_back(report::Cell::of_int(s.expected));
    c.push_back(report::Cell::of_int(s.received));
    c.push_back(report::Cell::of_int(s.timely));
    c.push_back(report::Cell::of_int(s.flagged));
    c.push_back(report::Cell::of_int(s.out_of_range));
    c.push_back(report::Cell::of_int(s.frozen));
    c.push_back(report::Cell::of_int(s.offline));
    c.push_back(report::Cell::of_int(s.device_fault));
    c.push_back(report::Cell::of_text(f.meets_target ? "是" : "否"));
    t.rows.push_back(std::move(c));
  }
  return t;
}

std::vector<std::string> period_notes(const DataQualityResult& r) {
  return {"统计期间：" + storage::format_day(r.from) + " 至 " + storage::format_day(r.to) +
              "（北京时间）",
          "在线率目标：≥99.5%；及时：采集后 " + std::to_string(r.timely_within_s) + " 秒内收到"};
}
}  // namespace

report::Table items_table(const DataQualityResult& r) {
  return figures_table("数据质量", r.items, r.level, true, period_notes(r));
}

report::Table bottom_table(const DataQualityResult& r) {
  return figures_table("数据质量后进企业", r.bottom, "enterprise", false, period_notes(r));
}

}  // namespace hazmon::service
