#include "permit_json.hpp"

#include <algorithm>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/model/commitment.hpp>

#include "body_reader.hpp"
#include "json_values.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using core::FieldError;
using json_values::opt;
using nlohmann::json;

namespace {
// A null member is "must be a string" unless read with nullable().
struct Reader : BodyReader {
  explicit Reader(const json& b) : BodyReader(b, {.null_is_absent = false}) {}

  // Absent: nullopt; null: a present nullopt (cleared); otherwise the string.
  std::optional<std::optional<std::string>> nullable(const std::string& key, std::size_t max) {
    if (!body.contains(key)) return std::nullopt;
    if (body[key].is_null()) return std::optional<std::string>();
    // A grade may come as a number (高处 2 = Ⅱ级).
    if (key == "grade" && body[key].is_number_integer())
      return std::optional<std::string>(std::to_string(body[key].get<long long>()));
    auto s = text(key, max, false);
    if (!s) return std::nullopt;
    if (s->empty()) return std::optional<std::string>();
    return s;
  }
};

json region_json(const storage::PermitRegionCount& r) {
  json kinds = json::object();
  for (const auto& k : model::special_work_kinds()) {
    auto it = r.by_kind.find(k.key);
    kinds[k.key] = it == r.by_kind.end() ? 0 : it->second;
  }
  json j = {{"in_progress", r.in_progress},
            {"hot_work", r.hot_work},
            {"confined_space", r.confined_space},
            {"overdue", r.overdue},
            {"by_kind", kinds}};
  if (!r.region_code.empty()) {
    j["region_code"] = r.region_code;
    j["region_name"] = r.region_name;
  }
  return j;
}
}  // namespace

model::WorkPermit permit_from_json(const json& body, bool allow_state) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the work permit must be an object",
                {{"", "expected an object"}});
  Reader r{body};
  std::vector<std::string> keys = {
      "company_code", "permit_no",   "work_type",          "grade",   "location",
      "hazard_code",  "equip_code",  "begin_at",           "end_at",  "contractor",
      "work_unit",    "responsible", "responsible_mobile", "content", "state"};
  // A new permit is planned or in progress from either side (13.26); an upload may also close a
  // known one.
  if (allow_state) keys.emplace_back("cancel_reason");
  r.known(keys, "is not a field of a work permit");
  model::WorkPermit p;
  p.company_code = r.text("company_code", 11, false).value_or("");
  p.permit_no = r.text("permit_no", 64, true).value_or("");
  p.work_type = r.text("work_type", 32, true).value_or("");
  p.grade = r.nullable("grade", 16).value_or(std::nullopt);
  p.location = r.text("location", model::kMaxPermitText, true).value_or("");
  p.hazard_code = r.nullable("hazard_code", 14).value_or(std::nullopt);
  p.equip_code = r.nullable("equip_code", 19).value_or(std::nullopt);
  auto begin = r.time("begin_at", true);
  auto end = r.time("end_at", true);
  p.contractor = r.flag("contractor").value_or(false);
  p.work_unit = r.text("work_unit", model::kMaxPermitText, false).value_or("");
  p.responsible = r.text("responsible", 50, true).value_or("");
  p.responsible_mobile = r.text("responsible_mobile", 20, true).value_or("");
  p.content = r.text("content", model::kMaxPermitContent, false).value_or("");
  p.state = r.text("state", 16, false).value_or("planned");
  if (allow_state)
    p.cancel_reason = r.nullable("cancel_reason", model::kMaxPermitText).value_or(std::nullopt);
  r.done("the work permit is not valid");
  p.begin_at = *begin;
  p.end_at = *end;
  return p;
}

service::PermitEdit permit_edit_from_json(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the change must be an object",
                {{"", "expected an object"}});
  Reader r{body};
  r.known({"work_type", "grade", "location", "hazard_code", "equip_code", "begin_at", "end_at",
           "contractor", "work_unit", "responsible", "responsible_mobile", "content", "reason"},
          "is not a field that may be changed (permit_no, state: not here)");
  service::PermitEdit e;
  e.work_type = r.text("work_type", 32, false);
  e.grade = r.nullable("grade", 16);
  e.location = r.text("location", model::kMaxPermitText, false);
  e.hazard_code = r.nullable("hazard_code", 14);
  e.equip_code = r.nullable("equip_code", 19);
  e.begin_at = r.time("begin_at", false);
  e.end_at = r.time("end_at", false);
  e.contractor = r.flag("contractor");
  e.work_unit = r.text("work_unit", model::kMaxPermitText, false);
  e.responsible = r.text("responsible", 50, false);
  e.responsible_mobile = r.text("responsible_mobile", 20, false);
  e.content = r.text("content", model::kMaxPermitContent, false);
  e.reason = r.text("reason", model::kMaxPermitText, true).value_or("");
  r.done("the change is not valid");
  return e;
}

json permit_json(const model::WorkPermit& p, core::SysTime now) {
  const auto* t = model::work_type(p.work_type);
  return {{"id", p.id},
          {"company_code", p.company_code},
          {"company_name", p.company_name},
          {"permit_no", p.permit_no},
          {"work_type", p.work_type},
          {"work_type_name", t ? t->name : ""},
          {"grade", opt(p.grade)},
          {"commitment_key", model::commitment_work_key(p.work_type, p.grade)},
          {"location", p.location},
          {"hazard_code", opt(p.hazard_code)},
          {"equip_code", opt(p.equip_code)},
          {"begin_at", core::format_rfc3339(p.begin_at)},
          {"end_at", core::format_rfc3339(p.end_at)},
          {"contractor", p.contractor},
          {"work_unit", p.work_unit},
          {"responsible", p.responsible},
          {"responsible_mobile", p.responsible_mobile},
          {"content", p.content},
          {"state", p.state},
          {"overdue", model::permit_overdue(p, now)},
          {"started_at", opt(p.started_at)},
          {"finished_at", opt(p.finished_at)},
          // Finished (or cancelled) after its window's end: it showed overdue until then.
          {"finished_late", p.finished_at.has_value() && *p.finished_at > p.end_at},
          {"cancel_reason", opt(p.cancel_reason)},
          {"revision", p.revision},
          {"source", p.source},
          {"created_by", p.created_by},
          {"created_at", core::format_rfc3339(p.created_at)},
          {"updated_at", core::format_rfc3339(p.updated_at)}};
}

json permit_detail_json(const service::PermitDetail& d, core::SysTime now) {
  auto j = permit_json(d.permit, now);
  json changes = json::array();
  for (const auto& c : d.changes)
    changes.push_back({{"at", core::format_rfc3339(c.at)},
                       {"actor", c.actor},
                       {"action", c.action},
                       {"from_state", opt(c.from_state)},
                       {"to_state", c.to_state},
                       {"reason", opt(c.reason)},
                       {"before", c.before ? json::parse(*c.before) : json(nullptr)}});
  j["changes"] = changes;
  return j;
}

json permit_summary_json(const service::PermitSummary& s) {
  json regions = json::array();
  for (const auto& r : s.regions) regions.push_back(region_json(r));
  return {{"at", core::format_rfc3339(s.at)},
          {"group_by", s.by_city ? "city" : "county"},
          {"total", region_json(s.total)},
          {"regions", regions}};
}

json permit_check_json(const service::PermitCommitmentCheck& c) {
  json lines = json::array();
  for (const auto& l : c.lines)
    lines.push_back({{"key", l.key},
                     {"name", l.name},
                     {"committed", l.committed},
                     {"permits", l.permits},
                     {"difference", l.permits - l.committed}});
  return {{"company_code", c.company_code},
          {"day", c.day},
          {"committed", c.committed},
          {"matches", c.committed && c.matches},
          {"lines", lines}};
}

}  // namespace hazmon::api
