#pragma once
// Patrols, findings, duty check-ins and routine use as the API carries them
// (docs/five-systems.md): strict parsing with a JSON pointer per complaint (the service checks
// the meaning), and the stored rows back as JSON.
#include <nlohmann/json.hpp>

#include <hazmon/model/patrol.hpp>
#include <hazmon/service/patrol_service.hpp>

namespace hazmon::api {

// Throw core::Error(validation_failed) naming every member that is missing, unknown or of the
// wrong type.
service::PatrolStart patrol_start_from_json(const nlohmann::json& body);
service::FindingInput finding_from_json(const nlohmann::json& body);

// with_findings: the patrol's findings in full (one patrol), otherwise only their counts.
nlohmann::json patrol_json(const model::Patrol& p, bool with_findings);
nlohmann::json finding_json(const model::PatrolFinding& f);
nlohmann::json checkin_json(const model::DutyCheckin& c);
nlohmann::json routine_use_json(const model::RoutineUseDay& u);

}  // namespace hazmon::api
