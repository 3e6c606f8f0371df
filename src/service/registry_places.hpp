#pragma once
// The registry's rules for warehouses, their chemicals and loading platforms, and for where a
// point, camera or piece of equipment is (migration 0021, ADR 0020); registry_service.cpp calls
// them with the other domain rules.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include <hazmon/core/error.hpp>

namespace hazmon::storage {
class Tx;
}

namespace hazmon::service::registry_places {

// Checks the schema cannot express on the row as it would be stored: the fire-class item of a
// warehouse (GB 50016-2014), the enterprise and hazard source of a warehouse's or platform's
// equipment, and at most one place of a point, camera or piece of equipment.
std::vector<core::FieldError> problems(const std::string& entity, const nlohmann::json& row);

// What an enterprise's change of a loading platform (`merged`: the row as it would be stored)
// drops of the detection 附件5 §3 asks of it (model::cell_requirements): adding a classified
// medium to a platform whose media were unclassified ends its leak requirement (attack 13.25).
// One FieldError on /media naming what would fall away; empty when nothing does.
std::vector<core::FieldError> narrowed_detection(storage::Tx& tx, const nlohmann::json& existing,
                                                 const nlohmann::json& merged);

// A loading platform's media that are not in the chemicals catalogue, one per entry.
std::vector<core::FieldError> unknown_media(storage::Tx& tx, const std::string& entity,
                                            const nlohmann::json& row);

}  // namespace hazmon::service::registry_places
