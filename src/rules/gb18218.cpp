#include <hazmon/rules/gb18218.hpp>

#include <stdexcept>

namespace hazmon::rules {

double alpha_for_people_exposed(int people) {
  if (people >= 100) return 2.0;
  if (people >= 50) return 1.5;
  if (people >= 30) return 1.2;
  if (people >= 1) return 1.0;
  return 0.5;
}

int level_for_r(double r) {
  if (r >= 100) return 1;
  if (r >= 50) return 2;
  if (r >= 10) return 3;
  return 4;
}

Grading grade(const std::vector<ChemicalQuantity>& chemicals, int people_exposed) {
  if (people_exposed < 0) throw std::invalid_argument("people exposed must not be negative");
  Grading g;
  g.alpha = alpha_for_people_exposed(people_exposed);
  double weighted = 0;
  for (const auto& c : chemicals) {
    if (!(c.critical_quantity_t > 0))
      throw std::invalid_argument("critical quantity of " + c.cas + " must be positive");
    if (!(c.beta > 0)) throw std::invalid_argument("beta of " + c.cas + " must be positive");
    if (c.quantity_t < 0)
      throw std::invalid_argument("quantity of " + c.cas + " must not be negative");
    g.s += c.quantity_t / c.critical_quantity_t;
    weighted += c.beta * c.quantity_t / c.critical_quantity_t;
  }
  g.r = g.alpha * weighted;
  g.is_major_hazard = g.s >= 1.0;
  if (g.is_major_hazard) g.level = level_for_r(g.r);
  return g;
}

}  // namespace hazmon::rules
