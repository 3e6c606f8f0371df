#pragma once
// Inside service only: who may file and read an enterprise's own records (safety commitments,
// work permits, SIS bypasses and trips, unit run statuses).
#include <hazmon/core/error.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::service {

// The enterprise's own users and its gateway file them; anyone else is refused (403, `why`).
inline void require_enterprise_filer(const model::Principal& who, const char* why) {
  if (who.scope.kind != model::ScopeKind::enterprise ||
      (who.role != model::Role::enterprise_user && who.role != model::Role::gateway))
    throw core::Error(core::Errc::forbidden, why);
}

// People read them; machine credentials are refused (403, `why`).
inline void require_person(const model::Principal& who, const char* why) {
  if (!who.is_person()) throw core::Error(core::Errc::forbidden, why);
}

}  // namespace hazmon::service
