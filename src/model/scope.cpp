#include <hazmon/model/scope.hpp>

#include <array>
#include <utility>

namespace hazmon::model {
namespace {
constexpr std::array<std::pair<Role, std::string_view>, 8> kRoles = {{
    {Role::province_admin, "province_admin"},
    {Role::province_officer, "province_officer"},
    {Role::city_officer, "city_officer"},
    {Role::county_officer, "county_officer"},
    {Role::enterprise_user, "enterprise_user"},
    {Role::operator_, "operator"},
    {Role::gateway, "gateway"},
    {Role::city_platform, "city_platform"},
}};
}  // namespace

std::string_view to_string(Role r) {
  for (auto& [role, name] : kRoles)
    if (role == r) return name;
  return "unknown";
}

std::optional<Role> role_from_string(std::string_view s) {
  for (auto& [role, name] : kRoles)
    if (name == s) return role;
  return std::nullopt;
}

bool is_region_code(std::string_view s) {
  if (s.size() != 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return s.substr(0, 2) != "00";
}

std::optional<RegionLevel> region_level(std::string_view code) {
  if (!is_region_code(code)) return std::nullopt;
  if (code.substr(2) == "0000") return RegionLevel::province;
  if (code.substr(4) == "00") return RegionLevel::city;
  return RegionLevel::county;
}

std::string region_prefix(std::string_view code) {
  auto level = region_level(code);
  if (!level) return std::string(code);
  switch (*level) {
    case RegionLevel::province:
      return std::string(code.substr(0, 2));
    case RegionLevel::city:
      return std::string(code.substr(0, 4));
    case RegionLevel::county:
      return std::string(code);
  }
  return std::string(code);
}

std::string Scope::region_prefix() const { return model::region_prefix(region_code); }

bool Scope::covers_region(std::string_view code) const {
  switch (kind) {
    case ScopeKind::province:
      return true;
    case ScopeKind::region:
      return code.substr(0, region_prefix().size()) == region_prefix();
    case ScopeKind::enterprise:
      return false;
  }
  return false;
}

bool can_write_registry(Role r) {
  return r == Role::province_admin || r == Role::city_officer || r == Role::county_officer ||
         r == Role::enterprise_user;
}
bool can_manage_users(Role r) { return r == Role::province_admin; }
bool can_write_reference_data(Role r) { return r == Role::province_admin; }

}  // namespace hazmon::model
