#include "warning_rule_json.hpp"

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

#include <algorithm>
#include <set>

namespace hazmon::api::warning_rule_json {
using core::Errc;
using core::Error;
using nlohmann::json;
using std::chrono::seconds;

json rule(const service::WarningRuleView& v) {
  const auto& r = v.rule;
  json levels = json::object();
  for (std::size_t i = 0; i < r.level_by_rank.size(); ++i)
    if (r.level_by_rank[i]) levels[std::to_string(i + 1)] = rules::to_string(*r.level_by_rank[i]);
  if (r.unranked_level) levels["unranked"] = rules::to_string(*r.unranked_level);
  json ranks = json::array();
  for (int rank : r.hazard_ranks)
    ranks.push_back(rank == rules::kUnranked ? json("unranked") : json(rank));
  json out = {{"id", r.id},
              {"name", r.name},
              {"category", rules::to_string(r.category)},
              {"enabled", r.enabled},
              {"scope", {{"kind", v.scope_kind}}},
              {"alarm_types", r.alarm_types},
              {"hazard_ranks", ranks},
              {"min_duration_s", static_cast<long long>(r.min_duration.count())},
              {"min_points", r.min_points},
              {"window_s", static_cast<long long>(r.window.count())},
              {"level_by_rank", levels},
              {"level_step", r.level_step},
              {"description", v.description},
              {"updated_at", core::format_rfc3339_pg(v.updated_at)}};
  if (v.scope_kind != "province")
    out["scope"]["code"] = v.scope_code ? json(*v.scope_code) : json(nullptr);
  return out;
}

json list(const std::vector<service::WarningRuleView>& v) {
  json items = json::array();
  for (const auto& r : v) items.push_back(rule(r));
  return {{"items", items}};
}

namespace {
const std::set<std::string>& rule_fields() {
  static const std::set<std::string> kFields = {
      "name",           "category",   "enabled",  "scope",         "alarm_types", "hazard_ranks",
      "min_duration_s", "min_points", "window_s", "level_by_rank", "level_step",  "description"};
  return kFields;
}
}  // namespace

void check_body(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items())
    if (!rule_fields().count(k))
      throw Error(Errc::validation_failed, "unknown field",
                  {{"/" + k, "is not a field of a warning rule"}});
}

json with_defaults(const json& body) {
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
  return j;
}

service::WarningRuleView parse(const json& j) {
  service::WarningRuleView v;
  auto& r = v.rule;
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
  for (auto& [k, val] : sc.items())
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
  v.scope_kind = kind;
  if (kind != "province") v.scope_code = code;
  if (!j["alarm_types"].is_array()) throw bad("alarm_types", "an array of HH, H, L, LL, SWITCH");
  for (const auto& t : j["alarm_types"]) {
    if (!t.is_string()) throw bad("alarm_types", "an array of HH, H, L, LL, SWITCH");
    r.alarm_types.push_back(t.get<std::string>());
  }
  const char* ranks_shape = "an array of ranks 1–4 and \"unranked\"";
  if (!j["hazard_ranks"].is_array()) throw bad("hazard_ranks", ranks_shape);
  for (const auto& t : j["hazard_ranks"]) {
    if (t == "unranked")
      r.hazard_ranks.push_back(rules::kUnranked);
    else if (t.is_number_integer() && t.get<long long>() != rules::kUnranked)
      r.hazard_ranks.push_back(static_cast<int>(std::clamp<long long>(t.get<long long>(), -1, 5)));
    else
      throw bad("hazard_ranks", ranks_shape);
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
  for (auto& [k, l] : j["level_by_rank"].items()) {
    bool unranked = k == "unranked";
    if (!unranked && (k.size() != 1 || k[0] < '1' || k[0] > '4'))
      throw bad("level_by_rank/" + k, "keys are the ranks 1 to 4 and \"unranked\"");
    auto level =
        l.is_string() ? rules::warning_level_from_string(l.get<std::string>()) : std::nullopt;
    if (!level) throw bad("level_by_rank/" + k, "red, orange, yellow or blue");
    if (unranked)
      r.unranked_level = level;
    else
      r.level_by_rank[static_cast<std::size_t>(k[0] - '1')] = level;
  }
  if (!j["description"].is_string() || j["description"].get<std::string>().size() > 2000)
    throw bad("description", "a string of at most 2000 bytes");
  v.description = j["description"].get<std::string>();
  return v;
}

}  // namespace hazmon::api::warning_rule_json
