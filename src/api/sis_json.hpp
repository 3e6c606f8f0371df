#pragma once
// SIS loops, bypasses and trips (安全仪表系统, docs/sis.md) as the API and the gateway's upload
// carry them: strict parsing with a JSON pointer per complaint, and the stored rows as JSON.
#include <nlohmann/json.hpp>

#include <hazmon/model/sis.hpp>
#include <hazmon/service/sis_service.hpp>

namespace hazmon::api {

// POST /api/v1/sis-loops, an upload row of kind loop (`upload`: the `kind` key is allowed).
model::SisLoop sis_loop_from_json(const nlohmann::json& body, bool upload);
// POST /api/v1/sis-loops/{id}/bypasses; an upload row of kind bypass.
model::SisBypass sis_bypass_from_json(const nlohmann::json& body, bool upload);
// POST /api/v1/sis-loops/{id}/trips; an upload row of kind trip.
model::SisTrip sis_trip_from_json(const nlohmann::json& body, bool upload);
// POST /api/v1/sis-trips/{id}/reset: {reset_by, note?, cause?}.
struct SisReset {
  std::string by, note;
  std::optional<std::string> cause;
};
SisReset sis_reset_from_json(const nlohmann::json& body);
// POST /api/v1/sis-bypasses/{id}/end: {note?}.
std::string sis_note_from_json(const nlohmann::json& body);
// One row of POST /api/v1/upload/sis: {kind, loop (the tag; `tag` for kind loop), ...}.
service::SisUploadRow sis_upload_row_from_json(const nlohmann::json& row);

nlohmann::json sis_loop_json(const model::SisLoop& l, core::SysTime now);
nlohmann::json sis_bypass_json(const model::SisBypass& b, core::SysTime now);
nlohmann::json sis_trip_json(const model::SisTrip& t);
nlohmann::json sis_loop_detail_json(const service::SisLoopDetail& d, core::SysTime now);

}  // namespace hazmon::api
