#pragma once
// Special work permits (特殊作业票, docs/duties.md) as the API and base-table uploads carry them:
// strict parsing with JSON pointers for every complaint, and the stored rows back as JSON.
#include <nlohmann/json.hpp>

#include <hazmon/model/work_permit.hpp>
#include <hazmon/service/permit_service.hpp>

namespace hazmon::api {

// A filing (POST /api/v1/work-permits, an upload row): throws core::Error(validation_failed)
// listing every field that is missing, unknown or of the wrong type. Both may carry state (a new
// permit planned or in progress, PermitService checks); `allow_state`: uploads also
// cancel_reason.
model::WorkPermit permit_from_json(const nlohmann::json& body, bool allow_state);
// An edit (PATCH /api/v1/work-permits/{id}): the fields to change and the reason.
service::PermitEdit permit_edit_from_json(const nlohmann::json& body);
nlohmann::json permit_json(const model::WorkPermit& p, core::SysTime now);
nlohmann::json permit_detail_json(const service::PermitDetail& d, core::SysTime now);
nlohmann::json permit_summary_json(const service::PermitSummary& s);
nlohmann::json permit_check_json(const service::PermitCommitmentCheck& c);

}  // namespace hazmon::api
