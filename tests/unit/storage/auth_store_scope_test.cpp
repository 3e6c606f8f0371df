// How AuthStore stores a scope beside a user or credential (scope_kind, scope_code) and reads
// it back; no database.
#include <gtest/gtest.h>

#include <hazmon/storage/auth_store.hpp>

namespace hazmon::storage {
namespace {
using model::Scope;
using model::ScopeKind;

TEST(AuthStoreScope, EachKindRoundTrips) {
  for (const auto& s :
       {Scope::province(), Scope::region("140100"), Scope::enterprise("14010090001")}) {
    auto back = scope_from(scope_kind_name(s.kind), scope_code(s));
    EXPECT_EQ(back.kind, s.kind);
    EXPECT_EQ(back.region_code, s.region_code);
    EXPECT_EQ(back.company_code, s.company_code);
  }
}

TEST(AuthStoreScope, StoredForms) {
  EXPECT_STREQ(scope_kind_name(ScopeKind::province), "province");
  EXPECT_STREQ(scope_kind_name(ScopeKind::region), "region");
  EXPECT_STREQ(scope_kind_name(ScopeKind::enterprise), "enterprise");
  EXPECT_EQ(scope_code(Scope::province()), "");
  EXPECT_EQ(scope_code(Scope::region("140105")), "140105");
  EXPECT_EQ(scope_code(Scope::enterprise("14010090001")), "14010090001");
  // An unknown kind in the table reads as the province (the CHECK constraint allows none).
  EXPECT_EQ(scope_from("galaxy", "x").kind, ScopeKind::province);
}

}  // namespace
}  // namespace hazmon::storage
