#pragma once
// The registry SQL that goes with a rule rather than with the generic CRUD of RegistryStore:
// grading a hazard source (GB 18218) from its chemicals, and dropping a camera's stored
// credential when it is pointed at another address. All in the caller's transaction.
#include <optional>
#include <string>
#include <vector>

namespace hazmon::storage {

class Tx;

// An active chemical of a hazard source with its catalogue thresholds (null when the catalogue
// lacks them).
struct HazardChemicalRow {
  std::string cas;
  double quantity_t = 0;
  std::optional<double> critical_quantity_t, beta;
};

class RegistryRulesStore {
 public:
  // By CAS number.
  std::vector<HazardChemicalRow> hazard_chemicals(Tx& tx, const std::string& hazard_code) const;
  // Stores R, α and the level on the hazard source and the enterprise's best (lowest) level.
  void store_grade(Tx& tx, const std::string& hazard_code, const std::string& company_code,
                   double r, double alpha, int level) const;
  // Clears credential_sealed and credential_set_at (credential_ref is the caller's).
  void drop_camera_credential(Tx& tx, const std::string& video_id) const;
};

}  // namespace hazmon::storage
