#include "patrol_json.hpp"

#include <cmath>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

#include "json_values.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using core::FieldError;
using json_values::opt;
using nlohmann::json;

namespace {
struct Reader {
  std::vector<FieldError> errors;

  void only(const json& obj, const std::string& at, std::initializer_list<const char*> known) {
    for (auto& [k, v] : obj.items()) {
      bool ok = false;
      for (const char* n : known) ok = ok || k == n;
      if (!ok) errors.push_back({at + "/" + k, "unknown member"});
    }
  }
  std::string text(const json& obj, const std::string& at, const char* key, std::size_t max,
                   bool required) {
    if (!obj.contains(key)) {
      if (required) errors.push_back({at + "/" + key, "is required"});
      return {};
    }
    if (!obj[key].is_string()) {
      errors.push_back({at + "/" + key, "must be a string"});
      return {};
    }
    auto s = obj[key].get<std::string>();
    if (required && s.find_first_not_of(" \t\r\n") == std::string::npos)
      errors.push_back({at + "/" + key, "must not be empty"});
    if (s.size() > max)
      errors.push_back({at + "/" + key, "at most " + std::to_string(max) + " bytes"});
    return s;
  }
  std::optional<core::SysTime> time(const json& obj, const std::string& at, const char* key,
                                    bool required) {
    if (!obj.contains(key)) {
      if (required) errors.push_back({at + "/" + key, "is required"});
      return std::nullopt;
    }
    if (!obj[key].is_string()) {
      errors.push_back({at + "/" + key, "must be an RFC 3339 time"});
      return std::nullopt;
    }
    auto t = core::parse_time(obj[key].get<std::string>());
    if (!t) errors.push_back({at + "/" + key, "must be an RFC 3339 time"});
    return t;
  }
  service::FindingInput finding(const json& obj, const std::string& at) {
    service::FindingInput f;
    if (!obj.is_object()) {
      errors.push_back({at.empty() ? "" : at, "must be an object"});
      return f;
    }
    only(obj, at, {"description", "severity", "follow_up", "deadline"});
    f.description = text(obj, at, "description", 2000, true);
    f.severity = text(obj, at, "severity", 20, true);
    f.follow_up = text(obj, at, "follow_up", 2000, true);
    if (auto t = time(obj, at, "deadline", true)) f.deadline = *t;
    return f;
  }
};
}  // namespace

service::PatrolStart patrol_start_from_json(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the patrol must be an object",
                {{"", "expected an object"}});
  Reader r;
  r.only(body, "",
         {"company_code", "kind", "subjects", "summary", "started_at", "ended_at", "findings"});
  service::PatrolStart s;
  s.company_code = r.text(body, "", "company_code", 11, true);
  s.kind = r.text(body, "", "kind", 20, true);
  s.summary = r.text(body, "", "summary", 4000, false);
  if (body.contains("subjects")) {
    const auto& a = body["subjects"];
    if (!a.is_array() || a.size() > 20) {
      r.errors.push_back({"/subjects", "must be an array of at most 20 strings"});
    } else {
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!a[i].is_string())
          r.errors.push_back({"/subjects/" + std::to_string(i), "must be a string"});
        else
          s.subjects.push_back(a[i].get<std::string>());
      }
    }
  }
  s.started_at = r.time(body, "", "started_at", false);
  s.ended_at = r.time(body, "", "ended_at", false);
  if (body.contains("findings")) {
    const auto& a = body["findings"];
    if (!a.is_array()) {
      r.errors.push_back({"/findings", "must be an array"});
    } else {
      for (std::size_t i = 0; i < a.size(); ++i)
        s.findings.push_back(r.finding(a[i], "/findings/" + std::to_string(i)));
    }
  }
  if (!r.errors.empty())
    throw Error(Errc::validation_failed, "the patrol record is not valid", std::move(r.errors));
  return s;
}

service::FindingInput finding_from_json(const json& body) {
  Reader r;
  auto f = r.finding(body, "");
  if (!r.errors.empty())
    throw Error(Errc::validation_failed, "the finding is not valid", std::move(r.errors));
  return f;
}

json finding_json(const model::PatrolFinding& f) {
  return {{"id", f.id},
          {"patrol_id", f.patrol_id},
          {"company_code", f.company_code},
          {"description", f.description},
          {"severity", f.severity},
          {"follow_up", f.follow_up},
          {"deadline", core::format_rfc3339(f.deadline)},
          {"state", f.state},
          {"overdue", f.overdue},
          {"created_at", core::format_rfc3339(f.created_at)},
          {"created_by", f.created_by},
          {"reply", opt(f.reply)},
          {"replied_at", opt(f.replied_at)},
          {"replied_by", opt(f.replied_by)},
          {"replied_late", f.replied_at ? json(*f.replied_at > f.deadline) : json(nullptr)},
          {"closed_at", opt(f.closed_at)},
          {"closed_by", opt(f.closed_by)},
          {"close_note", opt(f.close_note)},
          {"rejections", f.rejections}};
}

json patrol_json(const model::Patrol& p, bool with_findings) {
  json j = {{"id", p.id},
            {"company_code", p.company_code},
            {"company_name", p.company_name},
            {"region_code", p.region_code},
            {"kind", p.kind},
            {"officer", p.officer_name},
            {"officer_level", p.officer_level},
            {"officer_region", p.officer_region.empty() ? json(nullptr) : json(p.officer_region)},
            {"started_at", core::format_rfc3339(p.started_at)},
            {"ended_at", opt(p.ended_at)},
            {"in_progress", !p.ended_at.has_value()},
            {"subjects", p.subjects},
            {"summary", p.summary},
            {"findings_count", p.findings},
            {"findings_open", p.findings_open}};
  if (with_findings) {
    json items = json::array();
    for (const auto& f : p.finding_list) items.push_back(finding_json(f));
    j["findings"] = items;
  }
  return j;
}

json checkin_json(const model::DutyCheckin& c) {
  return {{"id", c.id},
          {"company_code", c.company_code},
          {"day", c.day},
          {"at", core::format_rfc3339(c.at)},
          {"username", c.username},
          {"duty_person", c.duty_person},
          {"note", c.note}};
}

json routine_use_json(const model::RoutineUseDay& u) {
  return {{"day", u.day},
          {"company_code", u.company_code},
          {"company_name", u.company_name},
          {"region_code", u.region_code},
          {"logins", u.logins},
          {"login_users", u.login_users},
          {"commitment",
           {{"filed", u.committed},
            {"late", u.committed ? json(u.commitment_late) : json(nullptr)},
            {"committed_at", opt(u.committed_at)}}},
          {"feedbacks", u.feedbacks},
          {"feedbacks_on_time", u.feedbacks_on_time},
          {"feedback_avg_minutes", u.feedback_avg_minutes
                                       ? json(std::round(*u.feedback_avg_minutes * 10) / 10)
                                       : json(nullptr)},
          {"checkins", u.checkins},
          {"first_checkin_at", opt(u.first_checkin_at)}};
}

}  // namespace hazmon::api
