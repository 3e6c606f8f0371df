#pragma once
// Immutable map from quotaCode to point, published as shared_ptr<const> and swapped whole
// when the registry changes, so the upload path reads it without locks.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <hazmon/model/point.hpp>

namespace hazmon::ingest {

class RegistrySnapshot {
 public:
  // `enterprise_regions`: each enterprise's stored region_code (what a city platform's uploads are
  // checked against: the region the regulator set, not the prefix of the company code).
  // `gateway_companies`: each registered gateway's enterprise (an upload's gatewayCode moves that
  // gateway's last contact only when it is the upload's own enterprise's).
  explicit RegistrySnapshot(std::vector<model::PointDef> points,
                            std::unordered_map<std::string, std::string> enterprise_regions = {},
                            std::unordered_map<std::string, std::string> gateway_companies = {});
  const model::PointDef* find(std::string_view quota_code) const;
  // The enterprise's region_code, or nullptr for an enterprise the registry does not hold.
  const std::string* region_of(const std::string& company_code) const;
  // The gateway's enterprise, or nullptr for a gateway the registry does not hold.
  const std::string* company_of_gateway(const std::string& gateway_code) const;
  const model::PointDef* by_id(std::int32_t point_id) const;
  std::size_t size() const { return points_.size(); }
  const std::vector<model::PointDef>& points() const { return points_; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<model::PointDef> points_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> by_code_;
  std::unordered_map<std::int32_t, std::size_t> by_id_;
  std::unordered_map<std::string, std::string> regions_;
  std::unordered_map<std::string, std::string> gateways_;
};

using SnapshotPtr = std::shared_ptr<const RegistrySnapshot>;

}  // namespace hazmon::ingest
