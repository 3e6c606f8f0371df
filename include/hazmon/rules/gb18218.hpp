#pragma once
// GB 18218-2018 grading of a major hazard source: R = α · Σ βᵢ qᵢ / Qᵢ.
#include <optional>
#include <string>
#include <vector>

namespace hazmon::rules {

struct ChemicalQuantity {
  std::string cas;
  double quantity_t = 0;           // qᵢ, actual quantity present
  double critical_quantity_t = 0;  // Qᵢ, critical quantity from table 1/2
  double beta = 1;                 // βᵢ, correction factor from table 3/4
};

struct Grading {
  double s = 0;      // Σ qᵢ/Qᵢ; ≥ 1 makes the unit a major hazard source
  double alpha = 0;  // from people exposed outside the plant
  double r = 0;      // α · Σ βᵢ qᵢ / Qᵢ
  bool is_major_hazard = false;
  std::optional<int> level;  // 1..4 when it is a major hazard source
};

// Table 5: α by number of people exposed within 500 m outside the plant.
double alpha_for_people_exposed(int people);
// Level by R: ≥100 → 1, [50,100) → 2, [10,50) → 3, < 10 → 4.
int level_for_r(double r);
// Throws std::invalid_argument for a non-positive Qᵢ or β, or a negative qᵢ.
Grading grade(const std::vector<ChemicalQuantity>& chemicals, int people_exposed);

}  // namespace hazmon::rules
