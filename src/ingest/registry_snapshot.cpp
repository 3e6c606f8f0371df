#include <hazmon/ingest/registry_snapshot.hpp>

namespace hazmon::ingest {

RegistrySnapshot::RegistrySnapshot(std::vector<model::PointDef> points,
                                   std::unordered_map<std::string, std::string> enterprise_regions,
                                   std::unordered_map<std::string, std::string> gateway_companies)
    : points_(std::move(points)),
      regions_(std::move(enterprise_regions)),
      gateways_(std::move(gateway_companies)) {
  by_code_.reserve(points_.size());
  by_id_.reserve(points_.size());
  for (std::size_t i = 0; i < points_.size(); ++i) {
    by_code_.emplace(points_[i].quota_code, i);
    by_id_.emplace(points_[i].point_id, i);
  }
}

const model::PointDef* RegistrySnapshot::find(std::string_view quota_code) const {
  auto it = by_code_.find(quota_code);
  return it == by_code_.end() ? nullptr : &points_[it->second];
}

const model::PointDef* RegistrySnapshot::by_id(std::int32_t point_id) const {
  auto it = by_id_.find(point_id);
  return it == by_id_.end() ? nullptr : &points_[it->second];
}

const std::string* RegistrySnapshot::region_of(const std::string& company_code) const {
  auto it = regions_.find(company_code);
  return it == regions_.end() ? nullptr : &it->second;
}

const std::string* RegistrySnapshot::company_of_gateway(const std::string& gateway_code) const {
  auto it = gateways_.find(gateway_code);
  return it == gateways_.end() ? nullptr : &it->second;
}

}  // namespace hazmon::ingest
