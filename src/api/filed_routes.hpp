#pragma once
// What the routes of records an enterprise files itself share (work permits, unit statuses,
// commitments, SIS bypasses and trips), beside the names of route_names.hpp: the upload rules of a
// gateway that files rows as its enterprise's, and the check that a person filing is one of the
// enterprise's own users.
#include <cstddef>

#include "route_names.hpp"
#include "upload_rows.hpp"

namespace hazmon::api {
// At most `max_rows` rows of `rows_name` a request; a credential files for its own enterprise.
constexpr UploadRowsRules filed_upload_rules(std::size_t max_rows, const char* rows_name) {
  return {max_rows, rows_name, "this credential may not file for another enterprise"};
}

// 403 `why` unless `who` is a user of an enterprise (not a gateway, not a regulator).
inline void require_enterprise_user(const Principal& who, const char* why) {
  if (who.scope.kind != model::ScopeKind::enterprise || who.role != model::Role::enterprise_user)
    throw Error(Errc::forbidden, why);
}

}  // namespace hazmon::api
