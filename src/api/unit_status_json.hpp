#pragma once
// Unit run statuses (装置运行状态, docs/duties.md) as the API and base-table uploads carry them:
// strict parsing with JSON pointers for every complaint, and the stored rows back as JSON.
#include <nlohmann/json.hpp>

#include <hazmon/model/unit_status.hpp>
#include <hazmon/service/unit_status_service.hpp>

namespace hazmon::api {

// A filing (POST /api/v1/unit-statuses, an upload row): throws core::Error(validation_failed)
// listing every field that is missing, unknown or of the wrong type. begin_at defaults to `now`.
model::UnitStatus unit_status_from_json(const nlohmann::json& body, core::SysTime now);
// The end (POST /api/v1/unit-statuses/{id}/end): {end_at?, reason?}.
std::pair<std::optional<core::SysTime>, std::string> unit_status_end_from_json(
    const nlohmann::json& body);
nlohmann::json unit_status_json(const model::UnitStatus& s);
nlohmann::json unit_status_answer_json(const service::UnitStatusAnswer& a);
nlohmann::json unit_check_json(const service::UnitCommitmentCheck& c);

}  // namespace hazmon::api
