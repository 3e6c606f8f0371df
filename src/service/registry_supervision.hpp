#pragma once
// What an enterprise may not change in its own registry rows (issue 9 attack 3, issue 12's duty
// attacks; docs/security.md "Supervision is the regulator's"), and the keys it may use (ADR
// 0015). registry_service.cpp applies them to PATCHes, creates and base-table uploads.
#include <nlohmann/json.hpp>

#include <vector>

#include <hazmon/core/error.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/registry_store.hpp>

namespace hazmon::service::registry_supervision {

// The changes `patch` makes to `existing` that only a regulator may make: supervision fields, a
// loosened alarm setting, a point taken out of use or moved; empty for regulators.
std::vector<core::FieldError> problems(const model::Principal& who, const storage::EntityDef& def,
                                       const nlohmann::json& existing, const nlohmann::json& patch);

// What an enterprise may not give a new row of its own: a gateway's acquisition interval longer
// than `default_interval_s` (data_quality.default_interval_s; attack 12.19).
// RegistryService::update applies it to a gateway that has no interval yet (read at the default).
std::vector<core::FieldError> new_row_problems(const model::Principal& who,
                                               const storage::EntityDef& def,
                                               const nlohmann::json& row, int default_interval_s);

// A new point's quota_code or camera's video_id that is not the caller's to use.
std::vector<core::FieldError> key_problems(const model::Principal& who,
                                           const storage::EntityDef& def,
                                           const nlohmann::json& row);

}  // namespace hazmon::service::registry_supervision
