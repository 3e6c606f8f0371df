// Warning rules (预警规则) for people: their API form, the checks, create and update. The
// worker reloads them after each change (Work::Kind::reload).
#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>

#include <set>

#include "warning_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;

namespace warning_detail {

json rule_json(const storage::WarningRuleRow& row) {
  json out = {{"id", row.id},
              {"name", row.name},
              {"category", rules::to_string(row.category)},
              {"enabled", row.enabled},
              {"scope", {{"kind", row.scope_kind}}},
              {"alarm_types", json::parse(row.alarm_types)},
              {"hazard_ranks", json::parse(row.hazard_ranks)},
              {"min_duration_s", row.min_duration_s},
              {"min_points", row.min_points},
              {"window_s", row.window_s},
              {"level_by_rank", json::parse(row.level_by_rank)},
              {"level_step", row.level_step},
              {"description", row.description},
              {"updated_at", storage::format_timestamptz(row.updated_at)}};
  if (row.scope_kind != "province")
    out["scope"]["code"] = row.scope_code ? json(*row.scope_code) : json(nullptr);
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
  if (!sc.is_object() || !sc.contains("kind") || !sc["kind"].is_string())
    throw bad("scope", "{kind, code}");
  auto kind = sc["kind"].get<std::string>();
  std::string code =
      sc.contains("code") && sc["code"].is_string() ? sc["code"].get<std::string>() : "";
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
    if (k.size() != 1 || k[0] < '1' || k[0] > '4')
      throw bad("level_by_rank/" + k, "keys are the ranks 1 to 4");
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

}  // namespace warning_detail

using warning_detail::rule_from;
using warning_detail::rule_json;
using warning_detail::Work;

json WarningService::list_rules(const model::Principal& who) {
  if (!who.is_person()) throw Error(Errc::forbidden, "warning rules are for people");
  auto tx = impl_->db.begin();
  json items = json::array();
  for (const auto& row : impl_->rule_store.all(tx)) items.push_back(rule_json(row));
  return {{"items", items}};
}

namespace {
void require_rule_admin(const model::Principal& who) {
  if (who.role != model::Role::province_admin)
    throw Error(Errc::forbidden, "only a province administrator edits warning rules");
}

const std::set<std::string>& rule_fields() {
  static const std::set<std::string> kFields = {
      "name",           "category",   "enabled",  "scope",         "alarm_types", "hazard_ranks",
      "min_duration_s", "min_points", "window_s", "level_by_rank", "level_step",  "description"};
  return kFields;
}

void check_rule_body(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items())
    if (!rule_fields().count(k))
      throw Error(Errc::validation_failed, "unknown field",
                  {{"/" + k, "is not a field of a warning rule"}});
}

void check_scope_exists(const storage::WarningRuleStore& store, storage::Tx& tx,
                        const rules::WarningRule& r) {
  if (r.scope.kind == model::ScopeKind::region && !store.region_exists(tx, r.scope.region_code))
    throw Error(Errc::validation_failed, "unknown region", {{"/scope/code", "no such region"}});
  if (r.scope.kind == model::ScopeKind::enterprise &&
      !store.enterprise_exists(tx, r.scope.company_code))
    throw Error(Errc::validation_failed, "unknown enterprise",
                {{"/scope/code", "no such enterprise"}});
}

// The row to store for a rule in its API form (checked by rule_from first).
storage::WarningRuleRow row_of(const json& j, long long id) {
  storage::WarningRuleRow r;
  r.id = id;
  r.name = j["name"].get<std::string>();
  r.category = rules::warning_category_from_string(j["category"].get<std::string>())
                   .value_or(rules::WarningCategory::threshold);
  r.enabled = j["enabled"].get<bool>();
  r.scope_kind = j["scope"]["kind"].get<std::string>();
  r.scope_code = j["scope"].value("code", "");
  r.alarm_types = j["alarm_types"].dump();
  r.hazard_ranks = j["hazard_ranks"].dump();
  r.min_duration_s = j["min_duration_s"].get<long long>();
  r.min_points = j["min_points"].get<long long>();
  r.window_s = j["window_s"].get<long long>();
  r.level_by_rank = j["level_by_rank"].dump();
  r.level_step = static_cast<int>(j["level_step"].get<long long>());
  r.description = j["description"].get<std::string>();
  return r;
}
}  // namespace

json WarningService::create_rule(const model::Principal& who, const json& body) {
  require_rule_admin(who);
  check_rule_body(body);
  json j = {{"enabled", true},
            {"scope", {{"kind", "province"}}},
            {"hazard_ranks", json::array()},
            {"min_duration_s", 0},
            {"min_points", 1},
            {"window_s", 600},
            {"level_by_rank", json::object()},
            {"level_step", 0},
            {"description", ""}};
  for (auto& [k, v] : body.items()) j[k] = v;
  for (auto* k : {"name", "category", "alarm_types"})
    if (!j.contains(k))
      throw Error(Errc::validation_failed, std::string(k) + " is required",
                  {{std::string("/") + k, "required"}});
  auto r = rule_from(j);
  auto row = impl_->db.in_tx([&](storage::Tx& tx) {
    check_scope_exists(impl_->rule_store, tx, r);
    return impl_->rule_store.insert(tx, row_of(j, 0), who.id);
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
    auto cur = impl_->rule_store.lock(tx, id);
    if (!cur) throw Error(Errc::not_found, "no such warning rule");
    require_rule_admin(who);
    auto j = rule_json(*cur);
    for (auto& [k, v] : body.items()) j[k] = v;
    auto r = rule_from(j);
    check_scope_exists(impl_->rule_store, tx, r);
    return impl_->rule_store.update(tx, row_of(j, id), who.id);
  });
  auto w = std::make_unique<Work>();
  w->kind = Work::Kind::reload;
  impl_->enqueue(std::move(w));
  return rule_json(row);
}

void WarningService::Impl::reload_rules() {
  auto rows = db.in_tx([&](storage::Tx& tx) { return rule_store.all(tx); });
  std::vector<rules::WarningRule> rs;
  for (const auto& row : rows) {
    try {
      rs.push_back(rule_from(rule_json(row)));
    } catch (const Error&) {
      // A row the checks would refuse (edited by hand) is skipped rather than half-applied.
      log->warn("warning rule {} is invalid and ignored", row.id);
    }
  }
  engine.set_rules(std::move(rs));
}

}  // namespace hazmon::service
