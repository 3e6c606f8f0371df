#include "commitment_json.hpp"

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/commitment_service.hpp>

namespace hazmon::api {
using core::Errc;
using core::Error;
using core::FieldError;
using nlohmann::json;

namespace {
constexpr const char* kUnitKeys[] = {"total", "running", "stopped", "startup", "trial", "overhaul"};
constexpr const char* kFlagKeys[] = {"contractor",     "trial_production",    "start_stop",
                                     "pilot_scale_up", "major_hidden_danger", "baobao_in_place"};

struct Reader {
  std::vector<FieldError> errors;

  bool is_count(const json& v) { return v.is_number_integer() || v.is_number_unsigned(); }
  int count(const json& obj, const std::string& key, const std::string& pointer, bool required) {
    if (!obj.contains(key)) {
      if (required) errors.push_back({pointer, "is required"});
      return 0;
    }
    const auto& v = obj[key];
    if (!is_count(v)) {
      errors.push_back({pointer, "must be a whole number"});
      return 0;
    }
    auto n = v.get<long long>();
    if (n < 0 || n > model::kMaxCount) {
      errors.push_back({pointer, "must be a count from 0 to " + std::to_string(model::kMaxCount)});
      return 0;
    }
    return static_cast<int>(n);
  }
  std::string text(const json& obj, const std::string& key, std::size_t max, bool required) {
    if (!obj.contains(key)) {
      if (required) errors.push_back({"/" + key, "is required"});
      return {};
    }
    if (!obj[key].is_string()) {
      errors.push_back({"/" + key, "must be a string"});
      return {};
    }
    auto s = obj[key].get<std::string>();
    if (s.size() > max) errors.push_back({"/" + key, "at most " + std::to_string(max) + " bytes"});
    return s;
  }
  // The members of an object section; unknown ones are named.
  const json* section(const json& body, const std::string& key, bool required,
                      const std::vector<std::string>& known, const std::string& what) {
    if (!body.contains(key)) {
      if (required) errors.push_back({"/" + key, "is required"});
      return nullptr;
    }
    const auto& s = body[key];
    if (!s.is_object()) {
      errors.push_back({"/" + key, "must be an object"});
      return nullptr;
    }
    for (auto& [k, v] : s.items())
      if (std::find(known.begin(), known.end(), k) == known.end())
        errors.push_back({"/" + key + "/" + k, what});
    return &s;
  }
};
}  // namespace

model::Commitment commitment_from_json(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the commitment must be an object",
                {{"", "expected an object"}});
  Reader r;
  static const std::vector<std::string> kTop = {
      "company_code", "day",       "units",       "special_work", "flags",  "key_process_count",
      "risk_grade",   "committer", "duty_leader", "duty_phone",   "content"};
  for (auto& [k, v] : body.items())
    if (std::find(kTop.begin(), kTop.end(), k) == kTop.end())
      r.errors.push_back({"/" + k, "is not a field of a safety commitment"});
  model::Commitment c;
  c.company_code = r.text(body, "company_code", 11, false);
  c.day = r.text(body, "day", 10, false);
  std::vector<std::string> unit_keys(std::begin(kUnitKeys), std::end(kUnitKeys));
  if (const auto* u = r.section(body, "units", true, unit_keys, "is not a unit status")) {
    int* dst[] = {&c.units_total,   &c.units_running, &c.units_stopped,
                  &c.units_startup, &c.units_trial,   &c.units_overhaul};
    for (std::size_t i = 0; i < unit_keys.size(); ++i)
      *dst[i] = r.count(*u, unit_keys[i], "/units/" + unit_keys[i], true);
  }
  std::vector<std::string> work_keys;
  for (const auto& k : model::special_work_kinds()) work_keys.emplace_back(k.key);
  if (const auto* w = r.section(body, "special_work", false, work_keys,
                                "is not a GB 30871-2022 special work type and grade")) {
    for (std::size_t i = 0; i < work_keys.size(); ++i)
      c.work[i] = r.count(*w, work_keys[i], "/special_work/" + work_keys[i], false);
  }
  std::vector<std::string> flag_keys(std::begin(kFlagKeys), std::end(kFlagKeys));
  if (const auto* f = r.section(body, "flags", false, flag_keys, "is not a commitment flag")) {
    bool* dst[] = {&c.contractor,     &c.trial_production,    &c.start_stop,
                   &c.pilot_scale_up, &c.major_hidden_danger, &c.baobao_in_place};
    for (std::size_t i = 0; i < flag_keys.size(); ++i) {
      if (!f->contains(flag_keys[i])) continue;
      if (!(*f)[flag_keys[i]].is_boolean())
        r.errors.push_back({"/flags/" + flag_keys[i], "must be true or false"});
      else
        *dst[i] = (*f)[flag_keys[i]].get<bool>();
    }
  }
  c.key_process_count = r.count(body, "key_process_count", "/key_process_count", true);
  auto grade = r.text(body, "risk_grade", 16, true);
  if (body.contains("risk_grade") && body["risk_grade"].is_string()) {
    if (auto g = model::warning_level_from_string(grade))
      c.risk_grade = *g;
    else
      r.errors.push_back({"/risk_grade", "must be red, orange, yellow or blue (红橙黄蓝)"});
  }
  c.committer = r.text(body, "committer", 50, true);
  c.duty_leader = r.text(body, "duty_leader", 50, true);
  c.duty_phone = r.text(body, "duty_phone", 20, true);
  c.content = r.text(body, "content", 2000, false);
  if (!r.errors.empty())
    throw Error(Errc::validation_failed, "the commitment is not valid", std::move(r.errors));
  return c;
}

json commitment_json(const model::Commitment& c) {
  json units = {{"total", c.units_total},     {"running", c.units_running},
                {"stopped", c.units_stopped}, {"startup", c.units_startup},
                {"trial", c.units_trial},     {"overhaul", c.units_overhaul}};
  json work = json::object();
  const auto& kinds = model::special_work_kinds();
  for (std::size_t i = 0; i < kinds.size() && i < c.work.size(); ++i)
    work[kinds[i].key] = c.work[i];
  json flags = {{"contractor", c.contractor},
                {"trial_production", c.trial_production},
                {"start_stop", c.start_stop},
                {"pilot_scale_up", c.pilot_scale_up},
                {"major_hidden_danger", c.major_hidden_danger},
                {"baobao_in_place", c.baobao_in_place}};
  return {{"id", c.id},
          {"company_code", c.company_code},
          {"company_name", c.company_name},
          {"day", c.day},
          {"units", units},
          {"special_work", work},
          {"flags", flags},
          {"key_process_count", c.key_process_count},
          {"risk_grade", model::to_string(c.risk_grade)},
          {"committer", c.committer},
          {"committer_role", model::to_string(c.committer_role)},
          {"duty_leader", c.duty_leader},
          {"duty_phone", c.duty_phone},
          {"content", c.content},
          {"committed_at", core::format_rfc3339(c.committed_at)},
          {"late", c.late},
          // The committer's name was entered shortly before (docs/duties.md, attack 13.30).
          {"committer_recent", c.committer_recent},
          {"revision", c.revision},
          {"source", c.source},
          {"filed_by", c.filed_by}};
}

namespace {
json region_json(const storage::CommitmentSummaryRow& r) {
  json j = {{"expected", r.expected},
            {"committed", r.committed},
            {"missing", r.expected - r.committed},
            {"late", r.late},
            {"recent_committer", r.recent_committer},
            {"by_risk_grade",
             {{"red", r.red}, {"orange", r.orange}, {"yellow", r.yellow}, {"blue", r.blue}}}};
  if (!r.region_code.empty()) {
    j["region_code"] = r.region_code;
    j["region_name"] = r.region_name;
  }
  return j;
}
}  // namespace

json summary_json(const service::CommitmentSummary& s) {
  json regions = json::array(), missing = json::array();
  for (const auto& r : s.regions) regions.push_back(region_json(r));
  for (const auto& m : s.missing) {
    json j = {{"company_code", m.company_code},
              {"company_name", m.company_name},
              {"region_code", m.region_code},
              {"region_name", m.region_name}};
    j["warning_event_id"] = m.warning_event_id ? json(*m.warning_event_id) : json(nullptr);
    missing.push_back(j);
  }
  return {{"day", s.day},
          {"group_by", s.by_city ? "city" : "county"},
          {"deadline_hour", s.deadline_hour},
          {"total", region_json(s.total)},
          {"regions", regions},
          {"missing", missing},
          {"missing_truncated", s.missing_truncated}};
}

}  // namespace hazmon::api
