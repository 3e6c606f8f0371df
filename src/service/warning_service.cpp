#include <hazmon/service/warning_service.hpp>

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/rules/warning_rules.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>
#include <hazmon/storage/reading_store.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <vector>
#include <unordered_map>

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;

namespace {
using rules::DisposalAction;
using rules::DisposalState;
using rules::WarningLevel;

constexpr const char* kEventColumns =
    "w.id, w.event_no, w.source, w.company_code, e.name AS company_name, w.hazard_code, h.name AS hazard_name, "
    "h.rank AS hazard_rank, w.county_code, w.city_code, w.level, w.initial_level, w.rule_id, w.category, w.content, "
    "w.status, w.first_ts, w.last_ts, "
    "CASE w.status WHEN 'pushed' THEN w.feedback_deadline_ts WHEN 'fed_back' THEN w.check_deadline_ts "
    "WHEN 'checked' THEN w.close_deadline_ts END AS deadline_ts, "
    "w.feedback_deadline_ts, w.check_deadline_ts, w.close_deadline_ts, w.overdue, w.escalation_count, "
    "w.feedback_cause, w.feedback_measures, w.closed_ts";
constexpr const char* kEventFrom =
    " FROM warning_event w JOIN enterprise e ON e.company_code = w.company_code "
    "LEFT JOIN hazard_source h ON h.hazard_code = w.hazard_code";

std::string ph(storage::Params& params, std::string v) {
  params.push_back(std::move(v));
  return "$" + std::to_string(params.size());
}

// Rows whose enterprise lies inside the caller's scope (the query joins enterprise as `e`).
std::string scope_sql(const model::Principal& who, storage::Params& params) {
  return storage::scope_predicate(who.scope, "w.company_code", "e.region_code", params);
}

std::string ts(core::SysTime t) { return core::format_rfc3339(t); }

std::optional<core::SysTime> time_of(const json& v) {
  if (!v.is_string()) return std::nullopt;
  return core::parse_time(v.get<std::string>());
}

const char* deadline_column(DisposalState s) {
  switch (s) {
    case DisposalState::pushed: return "feedback_deadline_ts";
    case DisposalState::fed_back: return "check_deadline_ts";
    case DisposalState::checked: return "close_deadline_ts";
    default: return nullptr;
  }
}

const char* stage_name(DisposalState s) {
  switch (s) {
    case DisposalState::pushed: return "企业反馈";
    case DisposalState::fed_back: return "核查";
    case DisposalState::checked: return "办结";
    default: return "处置";
  }
}

const char* alarm_type_name(const std::string& t) {
  if (t == "HH") return "高高报警";
  if (t == "H") return "高报警";
  if (t == "L") return "低报警";
  if (t == "LL") return "低低报警";
  if (t == "SWITCH") return "开关量报警";
  return "报警";
}

const char* rank_name(int rank) {
  static const char* kNames[] = {"一", "二", "三", "四"};
  return rank >= 1 && rank <= 4 ? kNames[rank - 1] : "";
}

const char* actor_name_zh(rules::ActorKind k) {
  switch (k) {
    case rules::ActorKind::system: return "系统";
    case rules::ActorKind::enterprise: return "企业";
    case rules::ActorKind::county: return "县区";
    case rules::ActorKind::city: return "市";
    case rules::ActorKind::province: return "省";
  }
  return "";
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

rules::EventState state_of(const json& row) {
  rules::EventState e;
  e.state = rules::disposal_state_from_string(row["status"].get<std::string>()).value_or(DisposalState::pending);
  e.level = rules::warning_level_from_string(row["level"].get<std::string>()).value_or(WarningLevel::blue);
  if (auto col = deadline_column(e.state)) e.deadline = time_of(row[col]);
  e.overdue = row["overdue"].get<bool>();
  e.escalations = static_cast<int>(row["escalation_count"].get<long long>());
  return e;
}

json names_of(const std::vector<rules::ActorKind>& v) {
  json out = json::array();
  for (auto k : v) out.push_back(rules::to_string(k));
  return out;
}

// "YJ" + yyyyMMdd (UTC+8) + the id, at least 6 digits.
std::string event_no(core::SysTime first, long long id) {
  auto day = floor<days>(first + hours(8));
  year_month_day ymd{day};
  char buf[48];
  std::snprintf(buf, sizeof buf, "YJ%04d%02u%02u%06lld", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), id);
  return buf;
}

// ---- warning rules: rows and request bodies ----

json rule_json(const json& row) {
  json out = {{"id", row["id"]},
              {"name", row["name"]},
              {"category", row["category"]},
              {"enabled", row["enabled"]},
              {"scope", {{"kind", row["scope_kind"]}}},
              {"alarm_types", row["alarm_types"]},
              {"hazard_ranks", row["hazard_ranks"]},
              {"min_duration_s", row["min_duration_s"]},
              {"min_points", row["min_points"]},
              {"window_s", row["window_s"]},
              {"level_by_rank", row["level_by_rank"]},
              {"level_step", row["level_step"]},
              {"description", row["description"]},
              {"updated_at", row["updated_at"]}};
  if (row["scope_kind"] != "province") out["scope"]["code"] = row["scope_code"];
  return out;
}

// A rule from its API form (the row's JSON as rule_json gives it); shape errors are 422.
rules::WarningRule rule_from(const json& j) {
  rules::WarningRule r;
  auto bad = [](const std::string& field, const std::string& msg) {
    return Error(Errc::validation_failed, "invalid warning rule", {{"/" + field, msg}});
  };
  if (j.contains("id") && j["id"].is_number_integer()) r.id = j["id"].get<long long>();
  if (!j["name"].is_string()) throw bad("name", "a string");
  r.name = j["name"].get<std::string>();
  if (!j["category"].is_string()) throw bad("category", "threshold, duration or combination");
  auto cat = rules::warning_category_from_string(j["category"].get<std::string>());
  if (!cat) throw bad("category", "threshold, duration or combination");
  r.category = *cat;
  if (!j["enabled"].is_boolean()) throw bad("enabled", "true or false");
  r.enabled = j["enabled"].get<bool>();
  const auto& sc = j["scope"];
  if (!sc.is_object() || !sc.contains("kind") || !sc["kind"].is_string()) throw bad("scope", "{kind, code}");
  auto kind = sc["kind"].get<std::string>();
  std::string code = sc.contains("code") && sc["code"].is_string() ? sc["code"].get<std::string>() : "";
  for (auto& [k, v] : sc.items())
    if (k != "kind" && k != "code") throw bad("scope/" + k, "not a field of a scope");
  if (kind == "province") {
    if (sc.contains("code")) throw bad("scope/code", "the province scope has no code");
    r.scope = model::Scope::province();
  } else if (kind == "region") {
    if (!model::is_region_code(code)) throw bad("scope/code", "a six-digit region code");
    r.scope = model::Scope::region(code);
  } else if (kind == "enterprise") {
    if (code.size() != 11 || code.find_first_not_of("0123456789") != std::string::npos)
      throw bad("scope/code", "an 11-digit enterprise code");
    r.scope = model::Scope::enterprise(code);
  } else {
    throw bad("scope/kind", "province, region or enterprise");
  }
  if (!j["alarm_types"].is_array()) throw bad("alarm_types", "an array of HH, H, L, LL, SWITCH");
  for (const auto& t : j["alarm_types"]) {
    if (!t.is_string()) throw bad("alarm_types", "an array of HH, H, L, LL, SWITCH");
    r.alarm_types.push_back(t.get<std::string>());
  }
  if (!j["hazard_ranks"].is_array()) throw bad("hazard_ranks", "an array of ranks 1–4");
  for (const auto& t : j["hazard_ranks"]) {
    if (!t.is_number_integer()) throw bad("hazard_ranks", "an array of ranks 1–4");
    r.hazard_ranks.push_back(t.get<int>());
  }
  auto integer = [&](const char* k, long long lo, long long hi) {
    if (!j[k].is_number_integer() || j[k].get<long long>() < lo || j[k].get<long long>() > hi)
      throw bad(k, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    return j[k].get<long long>();
  };
  r.min_duration = seconds(integer("min_duration_s", 0, 604800));
  r.min_points = static_cast<int>(integer("min_points", 1, 100));
  r.window = seconds(integer("window_s", 1, 86400));
  r.level_step = static_cast<int>(integer("level_step", 0, 3));
  if (!j["level_by_rank"].is_object()) throw bad("level_by_rank", "an object {\"1\": \"red\", …}");
  for (auto& [k, v] : j["level_by_rank"].items()) {
    if (k.size() != 1 || k[0] < '1' || k[0] > '4') throw bad("level_by_rank/" + k, "keys are the ranks 1 to 4");
    auto l = v.is_string() ? rules::warning_level_from_string(v.get<std::string>()) : std::nullopt;
    if (!l) throw bad("level_by_rank/" + k, "red, orange, yellow or blue");
    r.level_by_rank[static_cast<std::size_t>(k[0] - '1')] = l;
  }
  if (!j["description"].is_string() || j["description"].get<std::string>().size() > 2000)
    throw bad("description", "a string of at most 2000 bytes");
  if (auto problems = rules::check_rule(r); !problems.empty()) {
    std::vector<core::FieldError> fields;
    for (auto& p : problems) fields.push_back({"/" + p.field, p.message});
    throw Error(Errc::validation_failed, "invalid warning rule", std::move(fields));
  }
  return r;
}

struct HazardInfo {
  int rank = 4;
  std::string region_code, company_name, hazard_name;
  core::SysTime loaded;
};

struct Work {
  enum class Kind { alarm, tick, closed, reload } kind = Kind::alarm;
  storage::AlarmWrite alarm;
  std::string company_code, hazard_code;
  long long event_id = 0;
  std::promise<void> done;
  bool waited = false;
};

struct Pending {
  rules::WarningDecision decision;
  int attempts = 0;
};
}  // namespace

struct WarningService::Impl {
  storage::Database& db;
  WarningSettings s;
  const core::Clock& clock;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::service);

  std::mutex qmu;
  std::condition_variable qcv;
  std::deque<std::unique_ptr<Work>> queue;
  bool stopping = false;
  std::thread worker, ticker;
  std::mutex tick_mu;
  std::condition_variable tick_cv;
  bool stopping_ticker = false;

  std::mutex hook_mu;
  std::vector<std::function<void(const json&)>> push_hooks;

  // Worker-thread state.
  rules::WarningEngine engine;
  std::unordered_map<std::string, HazardInfo> hazards;
  std::unordered_map<std::string, long long> open_ids;  // company|hazard → open event id
  std::deque<Pending> retry;

  std::atomic<std::uint64_t> n_seen{0}, n_dropped{0}, n_created{0}, n_raised{0}, n_escalated{0}, n_failures{0};
  prometheus::Counter* m_created = nullptr;
  prometheus::Counter* m_escalated = nullptr;
  prometheus::Counter* m_dropped = nullptr;

  Impl(storage::Database& d, WarningSettings st, const core::Clock& c) : db(d), s(std::move(st)), clock(c) {}

  // ---- rules and start-up state ----

  static std::vector<rules::WarningRule> load_rules(storage::Tx& tx) {
    std::vector<rules::WarningRule> out;
    for (const auto& row : tx.exec("SELECT * FROM warning_rule ORDER BY id")) {
      try {
        out.push_back(rule_from(rule_json(row)));
      } catch (const Error&) {
        // A row the checks would refuse (edited by hand) is skipped rather than half-applied.
        core::logger(core::LogModule::service)->warn("warning rule {} is invalid and ignored", row["id"].get<long long>());
      }
    }
    return out;
  }

  void reload_rules() {
    auto rs = db.in_tx([](storage::Tx& tx) { return load_rules(tx); });
    engine.set_rules(std::move(rs));
  }

  void restore() {
    auto now = clock.now();
    auto [events, alarms] = db.in_tx([](storage::Tx& tx) {
      return std::make_pair(
          tx.exec("SELECT id, company_code, hazard_code, level, category FROM warning_event "
                  "WHERE status <> 'closed' AND source = 'sensor'"),
          tx.exec("SELECT a.point_id, a.quota_code, a.company_code, a.hazard_code, a.alarm_type, a.start_ts, "
                  "coalesce(a.last_value, 0) AS value, a.threshold, h.rank, e.region_code, "
                  "EXISTS (SELECT 1 FROM warning_event_alarm l JOIN warning_event w ON w.id = l.event_id "
                  "        WHERE l.point_id = a.point_id AND l.start_ts = a.start_ts AND w.status <> 'closed') AS linked_open, "
                  "EXISTS (SELECT 1 FROM warning_event_alarm l WHERE l.point_id = a.point_id AND l.start_ts = a.start_ts) "
                  "  AS linked_any "
                  "FROM alarm a JOIN hazard_source h ON h.hazard_code = a.hazard_code "
                  "JOIN enterprise e ON e.company_code = a.company_code "
                  "WHERE a.end_ts IS NULL AND a.origin = 'platform' AND NOT a.is_data_fault AND NOT a.suppressed "
                  "AND NOT a.late AND a.alarm_type IN ('HH','H','L','LL','SWITCH')"));
    });
    for (const auto& e : events) {
      auto company = e["company_code"].get<std::string>(), hazard = e["hazard_code"].get<std::string>();
      engine.restore_event(company, hazard,
                           rules::warning_level_from_string(e["level"].get<std::string>()).value_or(WarningLevel::blue),
                           e["category"] == "combination");
      open_ids[company + "|" + hazard] = e["id"].get<long long>();
    }
    for (const auto& a : alarms) {
      rules::AlarmInput in;
      in.point_id = static_cast<std::int32_t>(a["point_id"].get<long long>());
      in.quota_code = a["quota_code"];
      in.company_code = a["company_code"];
      in.hazard_code = a["hazard_code"];
      in.region_code = a["region_code"];
      in.hazard_rank = static_cast<int>(a["rank"].get<long long>());
      in.type = a["alarm_type"];
      in.start = time_of(a["start_ts"]).value_or(now);
      in.at = now;
      in.value = a["value"].get<double>();
      if (a["threshold"].is_number()) in.threshold = a["threshold"].get<double>();
      engine.restore_alarm(in, a["linked_open"].get<bool>(), a["linked_any"].get<bool>());
    }
    log->info("warning state restored: {} open events, {} open alarms", events.size(), alarms.size());
  }

  // ---- the worker ----

  const HazardInfo& hazard_info(const std::string& hazard_code) {
    auto now = clock.now();
    auto it = hazards.find(hazard_code);
    if (it != hazards.end() && now - it->second.loaded < minutes(10)) return it->second;
    auto row = db.in_tx([&](storage::Tx& tx) {
      return tx.exec_one(
          "SELECT h.rank, h.name AS hazard_name, e.region_code, e.name AS company_name FROM hazard_source h "
          "JOIN enterprise e ON e.company_code = h.company_code WHERE h.hazard_code = $1",
          {hazard_code});
    });
    HazardInfo info;
    info.loaded = now;
    if (!row.is_null()) {
      info.rank = static_cast<int>(row["rank"].get<long long>());
      info.region_code = row["region_code"];
      info.company_name = row["company_name"];
      info.hazard_name = row["hazard_name"];
    }
    return hazards[hazard_code] = info;
  }

  void handle_alarm(const storage::AlarmWrite& w) {
    if (w.data_fault || !rules::is_process_alarm_type(w.type)) return;
    if (w.transition != "cleared" && (w.suppressed || w.late)) return;
    rules::AlarmInput in;
    in.point_id = w.point_id;
    in.quota_code = w.quota_code;
    in.company_code = w.company_code;
    in.hazard_code = w.hazard_code;
    in.transition = w.transition == "raised"      ? rules::Transition::raised
                    : w.transition == "escalated" ? rules::Transition::escalated
                                                  : rules::Transition::cleared;
    in.type = w.type;
    in.data_fault = w.data_fault;
    in.suppressed = w.suppressed;
    in.late = w.late;
    in.start = core::SysTime{milliseconds(w.start_ms)};
    in.at = core::SysTime{milliseconds(w.at_ms)};
    in.value = w.value;
    in.threshold = w.threshold;
    if (in.transition != rules::Transition::cleared) {
      const auto& info = hazard_info(w.hazard_code);
      in.hazard_rank = info.rank;
      in.region_code = info.region_code;
    }
    for (auto& d : engine.on_alarm(in)) apply_or_retry(std::move(d));
  }

  void apply_or_retry(rules::WarningDecision d, int attempts = 0) {
    try {
      apply(d);
    } catch (const std::exception& e) {
      ++n_failures;
      if (attempts + 1 >= 20) {
        log->error("warning decision for hazard {} dropped after {} attempts: {}", d.hazard_code, attempts + 1, e.what());
        return;
      }
      log->warn("warning decision for hazard {} failed ({}); retried at the next tick", d.hazard_code, e.what());
      retry.push_back({std::move(d), attempts + 1});
    }
  }

  void link_alarms(storage::Tx& tx, long long event_id, const std::vector<rules::AlarmRef>& alarms, core::SysTime now) {
    for (const auto& a : alarms) {
      tx.exec("INSERT INTO warning_event_alarm (event_id, point_id, start_ts, alarm_id, quota_code, alarm_type, value, "
              "threshold, linked_at) VALUES ($1, $2, $3, (SELECT id FROM alarm WHERE point_id = $2 AND start_ts = $3 "
              "AND origin = 'platform' ORDER BY id DESC LIMIT 1), $4, $5, $6, $7, $8) "
              "ON CONFLICT (event_id, point_id, start_ts) DO UPDATE SET alarm_type = EXCLUDED.alarm_type, "
              "value = EXCLUDED.value, threshold = EXCLUDED.threshold, "
              "alarm_id = coalesce(warning_event_alarm.alarm_id, EXCLUDED.alarm_id)",
              {std::to_string(event_id), std::to_string(a.point_id), ts(a.start), a.quota_code, a.type, num(a.value),
               a.threshold ? storage::Param(num(*a.threshold)) : storage::Param(), ts(now)});
    }
  }

  static void record(storage::Tx& tx, long long event_id, core::SysTime at, const model::Principal* who,
                     rules::ActorKind kind, DisposalAction action, const rules::EventState& before,
                     const rules::EventState& after, const std::optional<rules::FeedbackCause>& cause,
                     const std::string& measures, const std::string& text) {
    tx.exec("INSERT INTO disposal_record (event_id, at, actor_id, actor_name, actor_role, user_role, action, from_status, "
            "to_status, level_before, level_after, cause, measures, text, deadline_ts, overdue) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            {std::to_string(event_id), ts(at), who ? storage::Param(std::to_string(who->id)) : storage::Param(),
             who ? who->name : std::string("system"), rules::to_string(kind),
             who ? std::string(model::to_string(who->role)) : std::string(), rules::to_string(action),
             rules::to_string(before.state), rules::to_string(after.state), rules::to_string(before.level),
             rules::to_string(after.level), cause ? storage::Param(rules::to_string(*cause)) : storage::Param(), measures, text,
             after.deadline ? storage::Param(ts(*after.deadline)) : storage::Param(), after.overdue ? "true" : "false"});
  }

  // Writes the state after a change (status, level, the current stage's deadline, overdue, count).
  static void save_state(storage::Tx& tx, long long id, const rules::EventState& e) {
    std::string sql = "UPDATE warning_event SET status = $2, level = $3, overdue = $4, escalation_count = $5, updated_at = now()";
    storage::Params p{std::to_string(id), rules::to_string(e.state), rules::to_string(e.level), e.overdue ? "true" : "false",
                      std::to_string(e.escalations)};
    if (auto col = deadline_column(e.state)) {
      sql += std::string(", ") + col + " = " + ph(p, e.deadline ? ts(*e.deadline) : std::string());
      if (!e.deadline) p.back() = std::nullopt;
    }
    tx.exec(sql + " WHERE id = $1", p);
  }

  // The system pushes a pending event (the notify module will hang off on_push).
  rules::EventState push(storage::Tx& tx, long long id, const rules::EventState& e, core::SysTime now) {
    rules::TransitionRequest req{DisposalAction::push, std::nullopt, {}, {}};
    auto o = rules::apply_transition(e, req, rules::ActorKind::system, now, s.disposal);
    if (o.refused) return e;
    save_state(tx, id, o.next);
    std::string who;
    for (auto k : rules::recipients(o.next.level, o.next.escalations)) who += std::string(who.empty() ? "" : "、") + actor_name_zh(k);
    record(tx, id, now, nullptr, rules::ActorKind::system, DisposalAction::push, e, o.next, std::nullopt, {},
           "已推送至：" + who);
    return o.next;
  }

  std::string content_of(const rules::WarningDecision& d, const HazardInfo& info, const std::string& point_name) {
    std::string out = info.company_name + info.hazard_name;
    if (info.rank >= 1 && info.rank <= 4) out += std::string("（") + rank_name(info.rank) + "级重大危险源）";
    if (!d.alarms.empty()) {
      const auto& a = d.alarms.front();
      out += (point_name.empty() ? a.quota_code : point_name + "（" + a.quota_code + "）") + alarm_type_name(a.type) +
             "，当前值" + num(a.value);
      if (a.threshold) out += "，报警阈值" + num(*a.threshold);
      if (d.alarms.size() > 1) out += "，共" + std::to_string(d.alarms.size()) + "个监测点报警";
    }
    out += "；依据规则“" + d.rule_name + "”产生" + rules::chinese_name(d.level) + "预警。";
    return out;
  }

  void apply(const rules::WarningDecision& d) {
    auto now = clock.now();
    auto key = d.company_code + "|" + d.hazard_code;
    std::optional<std::string> push_reason;
    long long event_id = 0;
    std::optional<WarningLevel> new_level;
    std::string point_name;
    const HazardInfo* info = nullptr;
    if (d.kind == rules::WarningDecision::Kind::open_or_raise) info = &hazard_info(d.hazard_code);
    db.in_tx([&](storage::Tx& tx) {
      auto row = tx.exec_one(
          "SELECT id, status, level, overdue, escalation_count, feedback_deadline_ts, check_deadline_ts, close_deadline_ts "
          "FROM warning_event WHERE company_code = $1 AND hazard_code = $2 AND source = 'sensor' AND status <> 'closed' "
          "FOR UPDATE",
          {d.company_code, d.hazard_code});
      if (d.kind == rules::WarningDecision::Kind::attach) {
        if (row.is_null()) return;  // closed meanwhile
        event_id = row["id"].get<long long>();
        link_alarms(tx, event_id, d.alarms, now);
        tx.exec("UPDATE warning_event SET last_ts = greatest(last_ts, $2), updated_at = now() WHERE id = $1",
                {std::to_string(event_id), ts(d.at)});
        return;
      }
      if (!row.is_null()) {
        event_id = row["id"].get<long long>();
        link_alarms(tx, event_id, d.alarms, now);
        tx.exec("UPDATE warning_event SET last_ts = greatest(last_ts, $2), updated_at = now() WHERE id = $1",
                {std::to_string(event_id), ts(d.at)});
        auto before = state_of(row);
        if (d.level <= before.level) return;
        auto after = rules::on_level_raised(before, d.level, now, s.disposal);
        save_state(tx, event_id, after);
        std::string text = "依据规则“" + d.rule_name + "”，预警级别由" + rules::chinese_name(before.level) + "升为" +
                           rules::chinese_name(after.level);
        if (!d.alarms.empty()) text += "：" + d.alarms.front().quota_code + alarm_type_name(d.alarms.front().type);
        record(tx, event_id, now, nullptr, rules::ActorKind::system, DisposalAction::raise_level, before, after,
               std::nullopt, {}, text);
        new_level = after.level;
        push_reason = "level_raised";
        return;
      }
      // A new event: created pending, then pushed by the system.
      if (!d.alarms.empty()) {
        auto p = tx.exec_one("SELECT name FROM monitoring_point WHERE quota_code = $1", {d.alarms.front().quota_code});
        if (!p.is_null()) point_name = p["name"];
      }
      event_id = tx.exec_one("SELECT nextval(pg_get_serial_sequence('warning_event', 'id')) AS id")["id"].get<long long>();
      auto first = d.at;
      for (const auto& a : d.alarms) first = std::min(first, a.start);
      std::optional<std::string> county, city;
      if (auto lvl = model::region_level(info->region_code)) {
        if (*lvl == model::RegionLevel::county) {
          county = info->region_code;
          city = info->region_code.substr(0, 4) + "00";
        } else if (*lvl == model::RegionLevel::city) {
          city = info->region_code;
        }
      }
      tx.exec("INSERT INTO warning_event (id, event_no, source, company_code, hazard_code, county_code, city_code, level, "
              "initial_level, rule_id, category, content, status, first_ts, last_ts) "
              "VALUES ($1, $2, 'sensor', $3, $4, $5, $6, $7, $7, $8, $9, $10, 'pending', $11, $12)",
              {std::to_string(event_id), event_no(first, event_id), d.company_code, d.hazard_code, county, city,
               rules::to_string(d.level),
               d.rule_id > 0 ? storage::Param(std::to_string(d.rule_id)) : storage::Param(), rules::to_string(d.category),
               content_of(d, *info, point_name), ts(first), ts(d.at)});
      link_alarms(tx, event_id, d.alarms, now);
      rules::EventState created;
      created.state = DisposalState::pending;
      created.level = d.level;
      record(tx, event_id, now, nullptr, rules::ActorKind::system, DisposalAction::create, created, created, std::nullopt,
             {}, content_of(d, *info, point_name));
      push(tx, event_id, created, now);
      push_reason = "created";
    });
    if (event_id == 0) return;
    if (push_reason && *push_reason == "created") {
      open_ids[key] = event_id;
      ++n_created;
      if (m_created) m_created->Increment();
      log->info("warning event {} created: company={} hazard={} level={} rule={}", event_id, d.company_code, d.hazard_code,
                rules::to_string(d.level), d.rule_id);
    } else if (new_level) {
      open_ids[key] = event_id;
      ++n_raised;
      engine.event_level(d.company_code, d.hazard_code, *new_level);
      log->info("warning event {} raised to {} by rule {}", event_id, rules::to_string(*new_level), d.rule_id);
    }
    if (push_reason) notify(event_id, *push_reason);
  }

  void notify(long long id, const std::string& reason) {
    std::vector<std::function<void(const json&)>> hooks;
    {
      std::lock_guard lock(hook_mu);
      hooks = push_hooks;
    }
    if (hooks.empty()) return;
    try {
      auto ev = db.in_tx([&](storage::Tx& tx) {
        return tx.exec_one(std::string("SELECT ") + kEventColumns + kEventFrom + " WHERE w.id = $1", {std::to_string(id)});
      });
      if (ev.is_null()) return;
      auto st = state_of(ev);
      ev["recipients"] = names_of(rules::recipients(st.level, st.escalations));
      ev["push_reason"] = reason;
      // Each listener on its own: a failing one (say, the SMS gateway) must not starve the others.
      for (auto& hook : hooks) {
        try {
          hook(ev);
        } catch (const std::exception& e) {
          log->warn("on_push listener for warning event {} failed: {}", id, e.what());
        }
      }
    } catch (const std::exception& e) {
      log->warn("on_push for warning event {} failed: {}", id, e.what());
    }
  }

  // Missed deadlines: overdue, escalation, a fresh deadline, a new push.
  void check_deadlines(core::SysTime now) {
    auto due = db.in_tx([&](storage::Tx& tx) {
      return tx.exec(
          "SELECT id FROM warning_event WHERE status IN ('pushed','fed_back','checked') AND "
          "CASE status WHEN 'pushed' THEN feedback_deadline_ts WHEN 'fed_back' THEN check_deadline_ts "
          "ELSE close_deadline_ts END <= $1 AND NOT (overdue AND escalation_count >= $2) ORDER BY id LIMIT 1000",
          {ts(now), std::to_string(s.disposal.max_escalations)});
    });
    for (const auto& r : due) {
      auto id = r["id"].get<long long>();
      try {
        escalate(id, now);
      } catch (const std::exception& e) {
        ++n_failures;
        log->warn("deadline check of warning event {} failed: {}", id, e.what());
      }
    }
  }

  void escalate(long long id, core::SysTime now) {
    std::optional<rules::EventState> changed;
    std::string company, hazard;
    db.in_tx([&](storage::Tx& tx) {
      auto row = tx.exec_one(
          "SELECT id, company_code, coalesce(hazard_code, '') AS hazard_code, status, level, overdue, escalation_count, "
          "feedback_deadline_ts, check_deadline_ts, close_deadline_ts FROM warning_event WHERE id = $1 FOR UPDATE",
          {std::to_string(id)});
      if (row.is_null()) return;
      auto before = state_of(row);
      auto after = rules::on_deadline(before, now, s.disposal);
      if (!after) return;
      save_state(tx, id, *after);
      std::string text = std::string(stage_name(before.state)) + "期限" + (before.deadline ? ts(*before.deadline) : "") +
                         "已过，标记逾期";
      if (after->level != before.level)
        text += std::string("；预警级别由") + rules::chinese_name(before.level) + "升为" + rules::chinese_name(after->level);
      if (after->escalations != before.escalations) {
        std::string who;
        for (auto k : rules::recipients(after->level, after->escalations))
          who += std::string(who.empty() ? "" : "、") + actor_name_zh(k);
        text += "；第" + std::to_string(after->escalations) + "次升级，通知范围：" + who;
      }
      record(tx, id, now, nullptr, rules::ActorKind::system, DisposalAction::escalate, before, *after, std::nullopt, {}, text);
      changed = after;
      company = row["company_code"];
      hazard = row["hazard_code"];
    });
    if (!changed) return;
    ++n_escalated;
    if (m_escalated) m_escalated->Increment();
    log->info("warning event {} overdue: level={} escalations={}", id, rules::to_string(changed->level), changed->escalations);
    if (!hazard.empty()) engine.event_level(company, hazard, changed->level);
    notify(id, "escalated");
  }

  void handle_tick() {
    auto now = clock.now();
    std::deque<Pending> again;
    again.swap(retry);
    for (auto& p : again) apply_or_retry(std::move(p.decision), p.attempts);
    for (auto& d : engine.on_tick(now)) apply_or_retry(std::move(d));
    try {
      check_deadlines(now);
    } catch (const std::exception& e) {
      ++n_failures;
      log->warn("deadline check skipped: {}", e.what());
    }
  }

  void handle(Work& w) {
    switch (w.kind) {
      case Work::Kind::alarm:
        handle_alarm(w.alarm);
        break;
      case Work::Kind::tick:
        handle_tick();
        break;
      case Work::Kind::closed: {
        auto key = w.company_code + "|" + w.hazard_code;
        auto it = open_ids.find(key);
        // A newer event may already be open (created while the close was queued).
        if (it == open_ids.end() || it->second == w.event_id) {
          if (it != open_ids.end()) open_ids.erase(it);
          engine.event_closed(w.company_code, w.hazard_code);
        }
        break;
      }
      case Work::Kind::reload:
        reload_rules();
        break;
    }
  }

  void worker_loop() {
    for (;;) {
      std::unique_ptr<Work> w;
      {
        std::unique_lock lock(qmu);
        qcv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;
        w = std::move(queue.front());
        queue.pop_front();
      }
      try {
        handle(*w);
      } catch (const std::exception& e) {
        ++n_failures;
        log->warn("warning work item failed: {}", e.what());
      }
      if (w->waited) w->done.set_value();
    }
  }

  void enqueue(std::unique_ptr<Work> w) {
    {
      std::lock_guard lock(qmu);
      queue.push_back(std::move(w));
    }
    qcv.notify_one();
  }

  void ticker_loop() {
    for (;;) {
      {
        std::unique_lock lock(tick_mu);
        if (tick_cv.wait_for(lock, s.check_interval, [&] { return stopping_ticker; })) return;
      }
      auto w = std::make_unique<Work>();
      w->kind = Work::Kind::tick;
      enqueue(std::move(w));
    }
  }

  // ---- queries (caller's thread) ----

  json event_in_scope(storage::Tx& tx, const model::Principal& who, long long id, bool for_update) {
    storage::Params params{std::to_string(id)};
    auto where = scope_sql(who, params);
    auto row = tx.exec_one(std::string("SELECT ") + kEventColumns + kEventFrom + " WHERE w.id = $1 AND " + where +
                               (for_update ? " FOR UPDATE OF w" : ""),
                           params);
    if (row.is_null()) throw Error(Errc::not_found, "no such warning event");
    return row;
  }
};

WarningService::WarningService(storage::Database& db, WarningSettings s, const core::Clock& clock, core::Metrics* metrics)
    : impl_(std::make_unique<Impl>(db, std::move(s), clock)) {
  if (metrics) {
    auto& c = prometheus::BuildCounter()
                  .Name("hazmon_warning_events_total")
                  .Help("Warning events created and escalated, alarm changes dropped")
                  .Register(metrics->registry());
    impl_->m_created = &c.Add({{"kind", "created"}});
    impl_->m_escalated = &c.Add({{"kind", "escalated"}});
    impl_->m_dropped = &c.Add({{"kind", "alarm_dropped"}});
  }
}

WarningService::~WarningService() { stop(); }

void WarningService::subscribe(IngestService& ingest) {
  ingest.on_alarm([this](const storage::AlarmWrite& a) { on_alarm(a); });
}

void WarningService::on_push(std::function<void(const json& event)> hook) {
  std::lock_guard lock(impl_->hook_mu);
  impl_->push_hooks.push_back(std::move(hook));
}

void WarningService::start() {
  auto& i = *impl_;
  try {
    i.reload_rules();
    i.restore();
  } catch (const std::exception& e) {
    i.log->warn("warning rules or state not loaded ({}); using the built-in defaults until a reload", e.what());
  }
  i.worker = std::thread([this] { impl_->worker_loop(); });
  if (i.s.check_interval > seconds(0)) i.ticker = std::thread([this] { impl_->ticker_loop(); });
}

void WarningService::stop() {
  auto& i = *impl_;
  if (i.ticker.joinable()) {
    {
      std::lock_guard lock(i.tick_mu);
      i.stopping_ticker = true;
    }
    i.tick_cv.notify_all();
    i.ticker.join();
  }
  if (i.worker.joinable()) {
    {
      std::lock_guard lock(i.qmu);
      i.stopping = true;
    }
    i.qcv.notify_all();
    i.worker.join();
  }
}

void WarningService::on_alarm(const storage::AlarmWrite& a) {
  auto& i = *impl_;
  ++i.n_seen;
  if (a.data_fault || !rules::is_process_alarm_type(a.type)) return;  // never an event; not worth a queue slot
  {
    std::lock_guard lock(i.qmu);
    if (i.stopping || i.queue.size() >= i.s.max_queued_alarms) {
      ++i.n_dropped;
      if (i.m_dropped) i.m_dropped->Increment();
      if (i.n_dropped % 1000 == 1)
        i.log->error("warning queue full: {} alarm changes dropped so far (they are re-read at the next restart)",
                     i.n_dropped.load());
      return;
    }
    auto w = std::make_unique<Work>();
    w->alarm = a;
    i.queue.push_back(std::move(w));
  }
  i.qcv.notify_one();
}

void WarningService::tick() {
  auto w = std::make_unique<Work>();
  w->kind = Work::Kind::tick;
  w->waited = true;
  auto fut = w->done.get_future();
  impl_->enqueue(std::move(w));
  fut.wait_for(seconds(30));
}

json WarningService::list(const model::Principal& who, const std::map<std::string, std::string>& filters, int limit,
                          long long offset) {
  storage::Params params;
  std::string where = scope_sql(who, params);
  for (const auto& [k, v] : filters) {
    if (k == "status") {
      if (!rules::disposal_state_from_string(v)) throw Error(Errc::bad_request, "status must be one of the disposal states");
      where += " AND w.status = " + ph(params, v);
    } else if (k == "level") {
      if (!rules::warning_level_from_string(v)) throw Error(Errc::bad_request, "level must be red, orange, yellow or blue");
      where += " AND w.level = " + ph(params, v);
    } else if (k == "company_code") {
      where += " AND w.company_code = " + ph(params, v);
    } else if (k == "overdue") {
      if (v != "true" && v != "false") throw Error(Errc::bad_request, "overdue must be true or false");
      where += std::string(" AND w.overdue = ") + (v == "true" ? "true" : "false");
    } else if (k == "from" || k == "to") {
      auto t = core::parse_time(v);
      if (!t) throw Error(Errc::bad_request, k + " must be RFC 3339 or yyyy-MM-dd HH:mm:ss");
      where += std::string(" AND w.first_ts ") + (k == "from" ? ">= " : "< ") + ph(params, ts(*t));
    }
  }
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto tx = impl_->db.begin();
  auto rows = tx.exec(std::string("SELECT ") + kEventColumns + ", count(*) OVER () AS total_count_" + kEventFrom + " WHERE " +
                          where + " ORDER BY w.first_ts DESC, w.id DESC LIMIT " + lim + " OFFSET " + ofs,
                      params);
  long long total = rows.empty() ? 0 : rows[0]["total_count_"].get<long long>();
  for (auto& r : rows) r.erase("total_count_");
  return {{"items", rows}, {"total", total}, {"limit", limit}, {"offset", offset}};
}

json WarningService::get(const model::Principal& who, long long id) {
  auto tx = impl_->db.begin();
  auto ev = impl_->event_in_scope(tx, who, id, false);
  ev["alarms"] = tx.exec(
      "SELECT l.alarm_id, l.quota_code, l.alarm_type, l.start_ts, l.value, l.threshold, l.linked_at, a.end_ts, a.peak_value, "
      "a.suppressed FROM warning_event_alarm l LEFT JOIN alarm a ON a.id = l.alarm_id WHERE l.event_id = $1 "
      "ORDER BY l.linked_at, l.start_ts, l.point_id",
      {std::to_string(id)});
  ev["records"] = tx.exec(
      "SELECT id, at, actor_id, actor_name, actor_role, user_role, action, from_status, to_status, level_before, level_after, "
      "cause, measures, text, deadline_ts, overdue FROM disposal_record WHERE event_id = $1 ORDER BY at, id",
      {std::to_string(id)});
  auto st = state_of(ev);
  ev["recipients"] = names_of(rules::recipients(st.level, st.escalations));
  json actions = json::array();
  if (auto kind = rules::actor_kind_of(who))
    for (auto a : rules::allowed_actions(st, *kind)) actions.push_back(rules::to_string(a));
  ev["allowed_actions"] = actions;
  return ev;
}

json WarningService::transition(const model::Principal& who, long long id, const json& body) {
  auto& i = *impl_;
  if (!body.is_object()) throw Error(Errc::validation_failed, "the body must be an object", {{"", "expected an object"}});
  for (auto& [k, v] : body.items()) {
    if (k != "action" && k != "cause" && k != "measures" && k != "text")
      throw Error(Errc::validation_failed, "unknown field", {{"/" + k, "is not a field of a transition"}});
    if (!v.is_string() || v.get<std::string>().size() > 2000)
      throw Error(Errc::validation_failed, "bad field", {{"/" + k, "a string of at most 2000 bytes"}});
  }
  if (!body.contains("action")) throw Error(Errc::validation_failed, "action is required", {{"/action", "required"}});
  auto action = rules::disposal_action_from_string(body["action"].get<std::string>());
  if (!action)
    throw Error(Errc::validation_failed, "unknown action",
                {{"/action", "confirm, dismiss, feedback, reject, check, close or supervise"}});
  rules::TransitionRequest req;
  req.action = *action;
  if (body.contains("cause")) {
    req.cause = rules::feedback_cause_from_string(body["cause"].get<std::string>());
    if (!req.cause)
      throw Error(Errc::validation_failed, "unknown cause",
                  {{"/cause", "process_fluctuation, instrument_fault, false_alarm, maintenance or real_hazard"}});
  }
  if (body.contains("measures")) req.measures = body["measures"].get<std::string>();
  if (body.contains("text")) req.text = body["text"].get<std::string>();

  auto now = i.clock.now();
  bool pushed = false, closed = false;
  std::string company, hazard;
  i.db.in_tx([&](storage::Tx& tx) {
    auto row = i.event_in_scope(tx, who, id, true);
    auto kind = rules::actor_kind_of(who);
    if (!kind) throw Error(Errc::forbidden, "this role takes no part in the disposal of warning events");
    auto before = state_of(row);
    auto o = rules::apply_transition(before, req, *kind, now, i.s.disposal);
    if (o.refused) {
      switch (*o.refused) {
        case rules::Refusal::forbidden: throw Error(Errc::forbidden, o.message);
        case rules::Refusal::wrong_state: throw Error(Errc::conflict, o.message);
        case rules::Refusal::invalid: throw Error(Errc::validation_failed, o.message, {{"/" + o.field, o.message}});
      }
    }
    Impl::save_state(tx, id, o.next);
    if (req.action == DisposalAction::feedback)
      tx.exec("UPDATE warning_event SET feedback_cause = $2, feedback_measures = $3 WHERE id = $1",
              {std::to_string(id), rules::to_string(*req.cause), req.measures});
    if (o.next.state == DisposalState::closed) {
      tx.exec("UPDATE warning_event SET closed_ts = $2 WHERE id = $1", {std::to_string(id), ts(now)});
      closed = true;
    }
    Impl::record(tx, id, now, &who, *kind, req.action, before, o.next, req.action == DisposalAction::feedback ? req.cause : std::nullopt,
                 req.measures, req.text);
    if (o.next.state == DisposalState::pending) {
      i.push(tx, id, o.next, now);
      pushed = true;
    }
    company = row["company_code"];
    hazard = row["hazard_code"].is_string() ? row["hazard_code"].get<std::string>() : "";
  });
  if (closed && !hazard.empty()) {
    auto w = std::make_unique<Work>();
    w->kind = Work::Kind::closed;
    w->company_code = company;
    w->hazard_code = hazard;
    w->event_id = id;
    i.enqueue(std::move(w));
  }
  if (pushed) i.notify(id, "created");
  return get(who, id);
}

json WarningService::list_rules(const model::Principal& who) {
  if (!who.is_person()) throw Error(Errc::forbidden, "warning rules are for people");
  auto tx = impl_->db.begin();
  json items = json::array();
  for (const auto& row : tx.exec("SELECT * FROM warning_rule ORDER BY id")) items.push_back(rule_json(row));
  return {{"items", items}};
}

namespace {
void require_rule_admin(const model::Principal& who) {
  if (who.role != model::Role::province_admin) throw Error(Errc::forbidden, "only a province administrator edits warning rules");
}

const std::set<std::string>& rule_fields() {
  static const std::set<std::string> kFields = {"name",        "category",   "enabled",      "scope",
                                                "alarm_types", "hazard_ranks", "min_duration_s", "min_points",
                                                "window_s",    "level_by_rank", "level_step",  "description"};
  return kFields;
}

void check_rule_body(const json& body) {
  if (!body.is_object()) throw Error(Errc::validation_failed, "the body must be an object", {{"", "expected an object"}});
  for (auto& [k, v] : body.items())
    if (!rule_fields().count(k)) throw Error(Errc::validation_failed, "unknown field", {{"/" + k, "is not a field of a warning rule"}});
}

void check_scope_exists(storage::Tx& tx, const rules::WarningRule& r) {
  if (r.scope.kind == model::ScopeKind::region &&
      tx.exec_one("SELECT 1 AS x FROM region WHERE code = $1", {r.scope.region_code}).is_null())
    throw Error(Errc::validation_failed, "unknown region", {{"/scope/code", "no such region"}});
  if (r.scope.kind == model::ScopeKind::enterprise &&
      tx.exec_one("SELECT 1 AS x FROM enterprise WHERE company_code = $1", {r.scope.company_code}).is_null())
    throw Error(Errc::validation_failed, "unknown enterprise", {{"/scope/code", "no such enterprise"}});
}

storage::Params rule_params(const json& j, const model::Principal& who) {
  std::string kind = j["scope"]["kind"], code = j["scope"].value("code", "");
  return {j["name"].get<std::string>(),     j["category"].get<std::string>(), j["enabled"].get<bool>() ? "true" : "false",
          kind,                             code,                             j["alarm_types"].dump(),
          j["hazard_ranks"].dump(),         std::to_string(j["min_duration_s"].get<long long>()),
          std::to_string(j["min_points"].get<long long>()), std::to_string(j["window_s"].get<long long>()),
          j["level_by_rank"].dump(),        std::to_string(j["level_step"].get<long long>()),
          j["description"].get<std::string>(), std::to_string(who.id)};
}
}  // namespace

json WarningService::create_rule(const model::Principal& who, const json& body) {
  require_rule_admin(who);
  check_rule_body(body);
  json j = {{"enabled", true},     {"scope", {{"kind", "province"}}}, {"hazard_ranks", json::array()},
            {"min_duration_s", 0}, {"min_points", 1},                  {"window_s", 600},
            {"level_by_rank", json::object()}, {"level_step", 0},      {"description", ""}};
  for (auto& [k, v] : body.items()) j[k] = v;
  for (auto* k : {"name", "category", "alarm_types"})
    if (!j.contains(k)) throw Error(Errc::validation_failed, std::string(k) + " is required", {{std::string("/") + k, "required"}});
  auto r = rule_from(j);
  auto row = impl_->db.in_tx([&](storage::Tx& tx) {
    check_scope_exists(tx, r);
    return tx.exec_one(
        "INSERT INTO warning_rule (name, category, enabled, scope_kind, scope_code, alarm_types, hazard_ranks, min_duration_s, "
        "min_points, window_s, level_by_rank, level_step, description, updated_by) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *",
        rule_params(j, who));
  });
  auto w = std::make_unique<Work>();
  w->kind = Work::Kind::reload;
  impl_->enqueue(std::move(w));
  return rule_json(row);
}

json WarningService::update_rule(const model::Principal& who, long long id, const json& body) {
  if (!who.is_person()) throw Error(Errc::forbidden, "warning rules are for people");
  check_rule_body(body);
  auto row = impl_->db.in_tx([&](storage::Tx& tx) {
    auto cur = tx.exec_one("SELECT * FROM warning_rule WHERE id = $1 FOR UPDATE", {std::to_string(id)});
    if (cur.is_null()) throw Error(Errc::not_found, "no such warning rule");
    require_rule_admin(who);
    auto j = rule_json(cur);
    for (auto& [k, v] : body.items()) j[k] = v;
    auto r = rule_from(j);
    check_scope_exists(tx, r);
    auto p = rule_params(j, who);
    p.push_back(std::to_string(id));
    return tx.exec_one(
        "UPDATE warning_rule SET name = $1, category = $2, enabled = $3, scope_kind = $4, scope_code = $5, alarm_types = $6, "
        "hazard_ranks = $7, min_duration_s = $8, min_points = $9, window_s = $10, level_by_rank = $11, level_step = $12, "
        "description = $13, updated_by = $14, updated_at = now() WHERE id = $15 RETURNING *",
        p);
  });
  auto w = std::make_unique<Work>();
  w->kind = Work::Kind::reload;
  impl_->enqueue(std::move(w));
  return rule_json(row);
}

long long WarningService::raise_video_event(storage::Tx& tx, const model::Principal& reviewer, const VideoWarning& w) {
  auto& i = *impl_;
  auto kind = rules::actor_kind_of(reviewer);
  if (!kind || *kind == rules::ActorKind::enterprise || *kind == rules::ActorKind::system)
    throw Error(Errc::forbidden, "only county, city or province officers confirm video events");
  auto ent = tx.exec_one("SELECT region_code FROM enterprise WHERE company_code = $1", {w.company_code});
  if (ent.is_null()) throw Error(Errc::not_found, "no such enterprise");
  std::string region = ent["region_code"];
  std::optional<std::string> county, city;
  if (auto lvl = model::region_level(region)) {
    if (*lvl == model::RegionLevel::county) {
      county = region;
      city = region.substr(0, 4) + "00";
    } else if (*lvl == model::RegionLevel::city) {
      city = region;
    }
  }
  auto now = i.clock.now();
  auto id = tx.exec_one("SELECT nextval(pg_get_serial_sequence('warning_event', 'id')) AS id")["id"].get<long long>();
  tx.exec("INSERT INTO warning_event (id, event_no, source, company_code, hazard_code, county_code, city_code, level, "
          "initial_level, rule_id, category, content, status, first_ts, last_ts) "
          "VALUES ($1, $2, 'video_ai', $3, $4, $5, $6, $7, $7, NULL, 'video_ai', $8, 'pending_review', $9, $10)",
          {std::to_string(id), event_no(w.first, id), w.company_code,
           w.hazard_code.empty() ? storage::Param() : storage::Param(w.hazard_code), county, city,
           rules::to_string(w.level), w.content, ts(w.first), ts(now)});
  // The same records a pending_review event gets through the disposal flow: created by the
  // system, confirmed by the reviewer, pushed by the system.
  rules::EventState created;
  created.state = DisposalState::pending_review;
  created.level = w.level;
  Impl::record(tx, id, now, nullptr, rules::ActorKind::system, DisposalAction::create, created, created, std::nullopt, {},
               w.content);
  rules::TransitionRequest req{DisposalAction::confirm, std::nullopt, {}, w.review_text};
  auto o = rules::apply_transition(created, req, *kind, now, i.s.disposal);
  if (o.refused) throw Error(Errc::forbidden, o.message);
  Impl::save_state(tx, id, o.next);
  Impl::record(tx, id, now, &reviewer, *kind, DisposalAction::confirm, created, o.next, std::nullopt, {}, w.review_text);
  i.push(tx, id, o.next, now);
  ++i.n_created;
  if (i.m_created) i.m_created->Increment();
  return id;
}

void WarningService::announce(long long id) { impl_->notify(id, "created"); }

WarningStats WarningService::stats() const {
  const auto& i = *impl_;
  return {i.n_seen, i.n_dropped, i.n_created, i.n_raised, i.n_escalated, i.n_failures};
}

}  // namespace hazmon::service
