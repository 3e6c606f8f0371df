#pragma once
// A monitoring point as ingestion and the alarm rules need it: identity, ownership, kind and
// limits. Loaded from the registry into an immutable snapshot.
#include <cstdint>
#include <optional>
#include <string>

namespace hazmon::model {

struct PointDef {
  std::int32_t point_id = 0;
  std::string quota_code;
  std::string company_code;
  std::string hazard_code;  // "" for a point outside any major hazard source (ADR 0019)
  std::string prodcell_id;  // its production unit, "" when it hangs on the enterprise itself
  std::string equip_code;
  std::string gateway_code;
  std::string indicator_type;
  bool analog = true;
  bool in_use = true;
  std::optional<double> range_low, range_high, ll, l, h, hh;
  int debounce_s = 30;
  double deadband = 0;
};

// A reading accepted for storage (value is the analog value or the switch state 0/1).
struct Reading {
  std::int32_t point_id = 0;
  std::int64_t collect_ms = 0;  // Unix epoch milliseconds
  std::int64_t received_ms = 0;
  double value = 0;
  std::int16_t quality = 0;
};

}  // namespace hazmon::model
