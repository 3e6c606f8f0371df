#include "responsible_roles.hpp"

#include <hazmon/core/error.hpp>
#include <hazmon/storage/registry_store.hpp>

#include <vector>

#include "row_fields.hpp"

namespace hazmon::service::responsible_roles {
using core::Errc;
using core::Error;
using core::FieldError;
using nlohmann::json;

namespace {
const storage::RegistryStore kStore;

// As the SMS (NotificationStore::responsible_persons) and the bypass approval (SisStore) read it:
// active, and `today` within valid_from..valid_to where they are set.
bool in_effect(const json& row, const std::string& today) {
  if (row.contains("is_active") && row["is_active"] == false) return false;
  auto from = string_field(row, "valid_from"), to = string_field(row, "valid_to");
  return (from.empty() || from <= today) && (to.empty() || to >= today);
}

// Someone else in effect in the same role at the same hazard source.
bool role_filled_by_another(storage::Tx& tx, const json& existing, const std::string& today) {
  storage::ListQuery q;
  q.filters["hazard_code"] = string_field(existing, "hazard_code");
  q.filters["role"] = string_field(existing, "role");
  q.limit = 50;
  const auto list =
      kStore.list(tx, *storage::find_entity("responsible-persons"), model::Scope::province(), q);
  for (const auto& item : list["items"])
    if (item["id"] != existing["id"] && in_effect(item, today)) return true;
  return false;
}

bool hazard_source_active(storage::Tx& tx, const std::string& hazard_code) {
  auto hs = kStore.get(tx, *storage::find_entity("hazard-sources"), model::Scope::province(),
                       hazard_code);
  return !hs.is_null() && hs.value("is_active", false) == true;
}

// A valid_to set or brought forward: with one active person per role (migration 0002) nobody
// can be waiting to take over, so the role falls empty on that day (set today, tomorrow).
bool ends_earlier(const json& existing, const json& after) {
  auto to = string_field(after, "valid_to"), before = string_field(existing, "valid_to");
  return !to.empty() && (before.empty() || to < before);
}

// Which field of the change vacates the role.
std::string vacating_field(const json& existing, const json& after) {
  if (string_field(after, "role") != string_field(existing, "role")) return "/role";
  if (ends_earlier(existing, after)) return "/valid_to";
  return "/valid_from";
}
}  // namespace

void check_kept(storage::Tx& tx, const model::Principal& who, const json& existing,
                const json* after, const std::string& today) {
  if (who.role != model::Role::enterprise_user || !in_effect(existing, today)) return;
  std::vector<FieldError> problems;
  if (after && !string_field(existing, "mobile").empty() && string_field(*after, "mobile").empty())
    problems.push_back({"/mobile",
                        "the mobile number of a 包保责任人 may be changed but not removed: the "
                        "warnings' SMS goes to it"});
  bool vacates = !after || !in_effect(*after, today) ||
                 string_field(*after, "role") != string_field(existing, "role") ||
                 ends_earlier(existing, *after);
  if (vacates && hazard_source_active(tx, string_field(existing, "hazard_code")) &&
      !role_filled_by_another(tx, existing, today))
    problems.push_back(
        {after ? vacating_field(existing, *after) : std::string("/is_active"),
         "hazard source " + string_field(existing, "hazard_code") + " would have no " +
             string_field(existing, "role") +
             " 包保责任人 in effect (包保责任制): replace the person (change name and mobile, or "
             "upload the new one under the same role) instead; the regulator may retire a role"});
  if (!problems.empty())
    throw Error(Errc::validation_failed, "a 包保责任人's role would be left empty", problems);
}

}  // namespace hazmon::service::responsible_roles
