// A warning event as the on_push listeners see it (the live stream's wire format, the notify
// templates' input): the stored columns by name, NULL as null, times as PostgreSQL prints them.
// GET /warning-events builds the same fields at the API edge (src/api/warning_json.cpp).
#include <hazmon/storage/database.hpp>

#include "json_values.hpp"
#include "warning_impl.hpp"

namespace hazmon::service::warning_detail {
using nlohmann::json;

namespace {
using json_values::or_null;
using json_values::time_or_null;
template <typename E>
json name_or_null(const std::optional<E>& v) {
  return v ? json(model::to_string(*v)) : json(nullptr);
}
}  // namespace

json event_json(const model::WarningEvent& e) {
  return {{"id", e.id},
          {"event_no", e.event_no},
          {"source", model::to_string(e.source)},
          {"company_code", e.company_code},
          {"company_name", e.company_name},
          {"hazard_code", or_null(e.hazard_code)},
          {"hazard_name", or_null(e.hazard_name)},
          {"hazard_rank", or_null(e.hazard_rank)},
          {"county_code", or_null(e.county_code)},
          {"city_code", or_null(e.city_code)},
          {"level", model::to_string(e.level)},
          {"initial_level", model::to_string(e.initial_level)},
          {"rule_id", or_null(e.rule_id)},
          {"category", model::to_string(e.category)},
          {"content", e.content},
          {"status", model::to_string(e.status)},
          {"first_ts", storage::format_timestamptz(e.first_ts)},
          {"last_ts", storage::format_timestamptz(e.last_ts)},
          {"deadline_ts", time_or_null(e.deadline_ts)},
          {"feedback_deadline_ts", time_or_null(e.feedback_deadline_ts)},
          {"check_deadline_ts", time_or_null(e.check_deadline_ts)},
          {"close_deadline_ts", time_or_null(e.close_deadline_ts)},
          {"overdue", e.overdue},
          {"escalation_count", e.escalation_count},
          {"feedback_cause", name_or_null(e.feedback_cause)},
          {"feedback_measures", or_null(e.feedback_measures)},
          {"closed_ts", time_or_null(e.closed_ts)}};
}

json recipients_json(const std::vector<rules::ActorKind>& v) {
  json out = json::array();
  for (auto k : v) out.push_back(rules::to_string(k));
  return out;
}

}  // namespace hazmon::service::warning_detail
