#pragma once
// The daily safety commitment as the API and base-table uploads carry it (docs/duties.md):
// strict parsing with JSON pointers for every complaint, and the stored row back as JSON.
#include <nlohmann/json.hpp>

#include <hazmon/model/commitment.hpp>
#include <hazmon/service/commitment_service.hpp>

namespace hazmon::api {

// Throws core::Error(validation_failed) listing every field that is missing, unknown or of the
// wrong type (the figures themselves are checked by the service).
model::Commitment commitment_from_json(const nlohmann::json& body);
nlohmann::json commitment_json(const model::Commitment& c);
nlohmann::json summary_json(const service::CommitmentSummary& s);

}  // namespace hazmon::api
