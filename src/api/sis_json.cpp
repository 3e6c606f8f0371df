#include "sis_json.hpp"

#include <algorithm>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

#include "body_reader.hpp"
#include "json_values.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using core::FieldError;
using json_values::or_null;
using json_values::time_or_null;
using nlohmann::json;

namespace {
// Null and "" of an optional member read as absent.
struct Reader : BodyReader {
  explicit Reader(const json& b)
      : BodyReader(b, {.null_is_absent = true, .empty_is_absent = true}) {}

  std::vector<std::string> codes(const std::string& key) {
    std::vector<std::string> out;
    if (!body.contains(key)) return out;
    if (!body[key].is_array()) {
      errors.push_back({"/" + key, "must be an array of point codes"});
      return out;
    }
    for (std::size_t i = 0; i < body[key].size(); ++i) {
      const auto& v = body[key][i];
      if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 32 ||
          v.get<std::string>().find(',') != std::string::npos)
        errors.push_back({"/" + key + "/" + std::to_string(i), "must be a point code"});
      else
        out.push_back(v.get<std::string>());
    }
    return out;
  }
  void known(std::vector<std::string> keys, bool upload, const char* what) {
    if (upload) {
      keys.emplace_back("kind");
      keys.emplace_back("company_code");
      keys.emplace_back("loop");
    }
    BodyReader::known(keys, what);
  }
};

void object(const json& body, const char* what) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, std::string(what) + " must be an object",
                {{"", "expected an object"}});
}
}  // namespace

model::SisLoop sis_loop_from_json(const json& body, bool upload) {
  object(body, "the SIS loop");
  Reader r{body};
  r.known({"company_code", "tag", "name", "hazard_code", "prodcell_id", "process_code",
           "trip_point", "protected_points", "is_active"},
          upload, "is not a field of a SIS loop");
  model::SisLoop l;
  l.company_code = r.text("company_code", 11, false).value_or("");
  l.tag = r.text("tag", 64, true).value_or("");
  l.name = r.text("name", 200, true).value_or("");
  l.hazard_code = r.text("hazard_code", 14, false);
  l.prodcell_id = r.text("prodcell_id", 32, false);
  l.process_code = r.text("process_code", 6, false);
  l.trip_point = r.text("trip_point", 32, false);
  l.protected_points = r.codes("protected_points");
  if (body.contains("is_active")) {
    if (!body["is_active"].is_boolean())
      r.errors.push_back({"/is_active", "must be true or false"});
    else
      l.active = body["is_active"].get<bool>();
  }
  r.done("the SIS loop is not valid");
  return l;
}

model::SisBypass sis_bypass_from_json(const json& body, bool upload) {
  object(body, "the bypass");
  Reader r{body};
  r.known({"applicant", "approver", "reason", "begin_at", "expiry_at"}, upload,
          "is not a field of a bypass");
  model::SisBypass b;
  b.applicant = r.text("applicant", model::kMaxSisName, true).value_or("");
  b.approver = r.text("approver", model::kMaxSisName, true).value_or("");
  b.reason = r.text("reason", model::kMaxSisText, true).value_or("");
  if (auto t = r.time("begin_at", false)) b.begin_at = *t;
  if (auto t = r.time("expiry_at", true)) b.expiry_at = *t;
  r.done("the bypass is not valid");
  return b;
}

model::SisTrip sis_trip_from_json(const json& body, bool upload) {
  object(body, "the trip");
  Reader r{body};
  r.known({"tripped_at", "cause"}, upload, "is not a field of a trip");
  model::SisTrip t;
  if (auto at = r.time("tripped_at", false)) t.tripped_at = *at;
  t.cause = r.text("cause", model::kMaxSisText, false).value_or("");
  r.done("the trip is not valid");
  return t;
}

SisReset sis_reset_from_json(const json& body) {
  object(body, "the reset");
  Reader r{body};
  r.known({"reset_by", "note", "cause"}, false, "is not a field of a reset");
  SisReset out;
  out.by = r.text("reset_by", model::kMaxSisName, true).value_or("");
  out.note = r.text("note", model::kMaxSisText, false).value_or("");
  out.cause = r.text("cause", model::kMaxSisText, false);
  r.done("the reset is not valid");
  return out;
}

std::string sis_note_from_json(const json& body) {
  if (body.is_null()) return {};
  object(body, "the request");
  Reader r{body};
  r.known({"note"}, false, "note only");
  auto note = r.text("note", model::kMaxSisText, false).value_or("");
  r.done("the request is not valid");
  return note;
}

service::SisUploadRow sis_upload_row_from_json(const json& row) {
  object(row, "the row");
  service::SisUploadRow out;
  if (!row.contains("kind") || !row["kind"].is_string())
    throw Error(Errc::validation_failed, "the row is not valid",
                {{"/kind", "loop, bypass, bypass_end, trip or trip_reset is required"}});
  out.kind = row["kind"].get<std::string>();
  if (row.contains("company_code")) {
    if (!row["company_code"].is_string())
      throw Error(Errc::validation_failed, "the row is not valid",
                  {{"/company_code", "must be a string"}});
    out.company_code = row["company_code"].get<std::string>();
  }
  if (out.kind == "loop") {
    out.loop = sis_loop_from_json(row, true);
    return out;
  }
  if (!row.contains("loop") || !row["loop"].is_string() || row["loop"].get<std::string>().empty())
    throw Error(Errc::validation_failed, "the row is not valid",
                {{"/loop", "the loop's tag is required"}});
  out.loop.tag = row["loop"].get<std::string>();
  if (out.kind == "bypass") {
    out.bypass = sis_bypass_from_json(row, true);
  } else if (out.kind == "trip") {
    out.trip = sis_trip_from_json(row, true);
  } else if (out.kind == "bypass_end" || out.kind == "trip_reset") {
    Reader r{row};
    r.known({"by", "note", "cause"}, true, "is not a field of this row");
    out.by = r.text("by", model::kMaxSisName, out.kind == "trip_reset").value_or("");
    out.note = r.text("note", model::kMaxSisText, false).value_or("");
    out.cause = r.text("cause", model::kMaxSisText, false);
    r.done("the row is not valid");
  } else {
    throw Error(Errc::validation_failed, "the row is not valid",
                {{"/kind", "loop, bypass, bypass_end, trip or trip_reset"}});
  }
  return out;
}

json sis_loop_json(const model::SisLoop& l, core::SysTime now) {
  return {{"id", l.id},
          {"company_code", l.company_code},
          {"company_name", l.company_name},
          {"tag", l.tag},
          {"name", l.name},
          {"hazard_code", or_null(l.hazard_code)},
          {"prodcell_id", or_null(l.prodcell_id)},
          {"process_code", or_null(l.process_code)},
          {"trip_point", or_null(l.trip_point)},
          {"protected_points", l.protected_points},
          {"is_active", l.active},
          {"state", model::to_string(l.state)},
          {"state_name", model::chinese_name(l.state)},
          {"open_bypass_id", or_null(l.open_bypass_id)},
          {"open_trip_id", or_null(l.open_trip_id)},
          {"bypass_expiry_at", time_or_null(l.bypass_expiry_at)},
          {"bypass_expired", l.bypass_expiry_at.has_value() && now >= *l.bypass_expiry_at},
          {"source", l.source},
          {"created_by", l.created_by},
          {"created_at", core::format_rfc3339_pg(l.created_at)},
          {"updated_at", core::format_rfc3339_pg(l.updated_at)}};
}

json sis_bypass_json(const model::SisBypass& b, core::SysTime now) {
  return {{"id", b.id},
          {"loop_id", b.loop_id},
          {"loop_tag", b.loop_tag},
          {"company_code", b.company_code},
          {"applicant", b.applicant},
          {"approver", b.approver},
          {"reason", b.reason},
          {"begin_at", core::format_rfc3339_pg(b.begin_at)},
          {"expiry_at", core::format_rfc3339_pg(b.expiry_at)},
          {"state", b.state},
          {"expired", model::sis_bypass_expired(b, now)},
          {"approved_at", time_or_null(b.approved_at)},
          {"approved_by", or_null(b.approved_by)},
          {"ended_at", time_or_null(b.ended_at)},
          {"ended_by", or_null(b.ended_by)},
          {"end_note", or_null(b.end_note)},
          {"source", b.source},
          {"filed_by", b.filed_by},
          {"created_at", core::format_rfc3339_pg(b.created_at)},
          {"warning_event_id", or_null(b.warning_event_id)}};
}

json sis_trip_json(const model::SisTrip& t) {
  return {{"id", t.id},
          {"loop_id", t.loop_id},
          {"loop_tag", t.loop_tag},
          {"company_code", t.company_code},
          {"tripped_at", core::format_rfc3339_pg(t.tripped_at)},
          {"cause", t.cause},
          {"source", t.source},
          {"reported_by", t.reported_by},
          {"reset_at", time_or_null(t.reset_at)},
          {"reset_by", or_null(t.reset_by)},
          {"reset_note", or_null(t.reset_note)},
          {"created_at", core::format_rfc3339_pg(t.created_at)},
          {"warning_event_id", or_null(t.warning_event_id)}};
}

json sis_loop_detail_json(const service::SisLoopDetail& d, core::SysTime now) {
  auto j = sis_loop_json(d.loop, now);
  j["bypasses"] = json::array();
  for (const auto& b : d.bypasses) j["bypasses"].push_back(sis_bypass_json(b, now));
  j["trips"] = json::array();
  for (const auto& t : d.trips) j["trips"].push_back(sis_trip_json(t));
  return j;
}

}  // namespace hazmon::api
