#pragma once
// 包保责任人 (2021 MEM 包保责任制办法: a principal, a technical and an operations person for each
// major hazard source; issue 12, attack 12.21). They get the SMS of their hazard source's warnings
// and may commit the day's safety commitment or approve an SIS bypass. An enterprise may add and
// replace its people, but no change of its own (PATCH, DELETE, base-table upload) may leave an
// active hazard source without a person in effect in a role that had one; the regulator may.
#include <nlohmann/json.hpp>

#include <string>

#include <hazmon/model/scope.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::service::responsible_roles {

// Throws a 422 (validation_failed, one pointer: /is_active for a deactivation, /role, /valid_to,
// /valid_from or /mobile for a change) when `who`, an enterprise user or gateway, would vacate
// the role of `existing` at its active hazard source on `today` (a Beijing date, YYYY-MM-DD) or
// remove the mobile number its SMS goes to. `after` is the row as it would be stored; nullptr for
// a deactivation. Nothing for regulators.
void check_kept(storage::Tx& tx, const model::Principal& who, const nlohmann::json& existing,
                const nlohmann::json* after, const std::string& today);

}  // namespace hazmon::service::responsible_roles
