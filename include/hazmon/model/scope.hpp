#pragma once
// Who a caller is and what part of the province they may see. Every query is filtered by a
// Scope; rows outside it are reported as absent (404), never as forbidden.
#include <optional>
#include <string>
#include <string_view>

namespace hazmon::model {

enum class Role {
  province_admin,
  province_officer,
  city_officer,
  county_officer,
  enterprise_user,
  operator_,      // 运维; trailing underscore because `operator` is a keyword
  gateway,        // machine credential of an enterprise gateway
  city_platform,  // machine credential of a city's own platform forwarding to the province
};

std::string_view to_string(Role r);
std::optional<Role> role_from_string(std::string_view s);

enum class ScopeKind { province, region, enterprise };

struct Scope {
  ScopeKind kind = ScopeKind::province;
  std::string region_code;   // 6-digit GB/T 2260 code when kind == region
  std::string company_code;  // 11-char enterprise code when kind == enterprise

  static Scope province() { return {}; }
  static Scope region(std::string code) { return {ScopeKind::region, std::move(code), {}}; }
  static Scope enterprise(std::string code) { return {ScopeKind::enterprise, {}, std::move(code)}; }

  // The leading digits shared by every region under this one: 140000 → "14", 140100 → "1401",
  // 140105 → "140105".
  std::string region_prefix() const;
  bool covers_region(std::string_view code) const;
};

// GB/T 2260 code syntax: six digits.
bool is_region_code(std::string_view s);
// Province-level code ("140000"), city ("140100") or county ("140105").
enum class RegionLevel { province, city, county };
std::optional<RegionLevel> region_level(std::string_view code);
std::string region_prefix(std::string_view code);

struct Principal {
  long long id = 0;  // user id or credential id
  std::string name;  // username or appId
  Role role = Role::province_officer;
  Scope scope;
  bool is_person() const { return role != Role::gateway && role != Role::city_platform; }
};

// Capabilities by role; scope limits them further.
bool can_write_registry(Role r);
bool can_manage_users(Role r);
bool can_write_reference_data(Role r);  // regions and the chemicals catalogue

}  // namespace hazmon::model
