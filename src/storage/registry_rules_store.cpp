#include <hazmon/storage/database.hpp>
#include <hazmon/storage/registry_rules_store.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<HazardChemicalRow> {
  using H = HazardChemicalRow;
  static constexpr auto columns = std::make_tuple(
      column("cas", &H::cas), column("quantity_t", &H::quantity_t),
      column("critical_quantity_t", &H::critical_quantity_t), column("beta", &H::beta));
};

std::vector<HazardChemicalRow> RegistryRulesStore::hazard_chemicals(
    Tx& tx, const std::string& hazard_code) const {
  return tx.rows<HazardChemicalRow>(
      "SELECT hc.cas, hc.quantity_t, c.critical_quantity_t, c.beta FROM hazard_chemical hc "
      "JOIN chemical c ON c.cas = hc.cas WHERE hc.hazard_code = $1 AND hc.is_active ORDER BY "
      "hc.cas",
      {hazard_code});
}

void RegistryRulesStore::store_grade(Tx& tx, const std::string& hazard_code,
                                     const std::string& company_code, double r, double alpha,
                                     int level) const {
  tx.query(
      "UPDATE hazard_source SET r_value = $1, alpha = $2, rank = $3, updated_at = now() WHERE "
      "hazard_code = $4",
      {std::to_string(r), std::to_string(alpha), std::to_string(level), hazard_code});
  tx.query(
      "UPDATE enterprise SET max_hazard_rank = (SELECT min(rank) FROM hazard_source WHERE "
      "company_code = $1 AND is_active), updated_at = now() WHERE company_code = $1",
      {company_code});
}

void RegistryRulesStore::drop_camera_credential(Tx& tx, const std::string& video_id) const {
  tx.query(
      "UPDATE camera SET credential_sealed = NULL, credential_set_at = NULL WHERE video_id = $1",
      {video_id});
}

}  // namespace hazmon::storage
