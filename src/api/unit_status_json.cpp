#include "unit_status_json.hpp"

#include <algorithm>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

#include "body_reader.hpp"
#include "json_values.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using core::FieldError;
using json_values::opt;
using nlohmann::json;

namespace {
// A null optional member reads as absent.
using Reader = BodyReader;
}  // namespace

model::UnitStatus unit_status_from_json(const json& body, core::SysTime now) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the unit status must be an object",
                {{"", "expected an object"}});
  Reader r{body};
  r.known({"company_code", "equip_code", "prodcell_id", "status", "begin_at", "planned_end",
           "reason", "content", "unit_head", "responsible_person", "responsible_phone"},
          "is not a field of a unit status");
  model::UnitStatus s;
  s.company_code = r.text("company_code", 11, false).value_or("");
  // One of the two is required; model::check_unit_status says which is missing or doubled.
  s.equip_code = r.text("equip_code", 19, false).value_or("");
  s.prodcell_id = r.text("prodcell_id", 32, false).value_or("");
  s.status = r.text("status", 16, true).value_or("");
  auto begin = r.time("begin_at");
  s.planned_end = r.time("planned_end");
  s.reason = r.text("reason", model::kMaxUnitStatusReason, false).value_or("");
  s.content = r.text("content", model::kMaxOverhaulContent, false);
  s.unit_head = r.text("unit_head", model::kMaxOverhaulPerson, false);
  s.responsible_person = r.text("responsible_person", model::kMaxOverhaulPerson, false);
  s.responsible_phone = r.text("responsible_phone", 20, false);
  r.done("the unit status is not valid");
  s.begin_at = begin.value_or(now);
  return s;
}

std::pair<std::optional<core::SysTime>, std::string> unit_status_end_from_json(const json& body) {
  if (body.is_null()) return {std::nullopt, {}};
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the end must be an object",
                {{"", "expected {end_at, reason}"}});
  Reader r{body};
  r.known({"end_at", "reason"}, "end_at and reason only");
  auto at = r.time("end_at");
  auto reason = r.text("reason", model::kMaxUnitStatusReason, false).value_or("");
  r.done("the end is not valid");
  return {at, reason};
}

json unit_status_json(const model::UnitStatus& s) {
  json filing = nullptr;
  if (s.filing_id)
    filing = {{"id", *s.filing_id},
              {"type", model::unit_status_filing_type(s.status)},
              {"status", opt(s.filing_status)},
              {"starts_at", opt(s.filing_starts_at)},
              {"ends_at", opt(s.filing_ends_at)}};
  return {{"id", s.id},
          {"company_code", s.company_code},
          {"company_name", s.company_name},
          {"equip_code", s.equip_code.empty() ? json(nullptr) : json(s.equip_code)},
          {"prodcell_id", s.prodcell_id.empty() ? json(nullptr) : json(s.prodcell_id)},
          {"unit_name", s.unit_name},
          {"hazard_code", s.hazard_code.empty() ? json(nullptr) : json(s.hazard_code)},
          {"status", s.status},
          {"status_name", model::unit_status_name(s.status)},
          {"begin_at", core::format_rfc3339(s.begin_at)},
          {"end_at", opt(s.end_at)},
          {"current", !s.end_at.has_value()},
          {"planned_end", opt(s.planned_end)},
          {"reason", s.reason},
          {"content", opt(s.content)},
          {"unit_head", opt(s.unit_head)},
          {"responsible_person", opt(s.responsible_person)},
          {"responsible_phone", opt(s.responsible_phone)},
          {"end_reason", opt(s.end_reason)},
          {"source", s.source},
          {"filed_by", s.filed_by},
          {"ended_by", opt(s.ended_by)},
          {"filing", filing},
          {"created_at", core::format_rfc3339(s.created_at)},
          {"updated_at", core::format_rfc3339(s.updated_at)}};
}

json unit_status_answer_json(const service::UnitStatusAnswer& a) {
  auto j = unit_status_json(a.status);
  j["pending_reason"] = opt(a.pending_reason);
  return j;
}

json unit_check_json(const service::UnitCommitmentCheck& c) {
  json lines = json::array();
  for (const auto& l : c.lines)
    lines.push_back({{"key", l.key},
                     {"name", l.name},
                     {"committed", l.committed},
                     {"statuses", l.statuses},
                     {"difference", l.statuses - l.committed}});
  return {{"company_code", c.company_code},
          {"day", c.day},
          {"at", core::format_rfc3339(c.at)},
          {"units", c.units},
          {"committed", c.committed},
          {"matches", c.committed && c.matches},
          {"lines", lines}};
}

}  // namespace hazmon::api
