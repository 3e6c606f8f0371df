#pragma once
// Inside api only: warning rules (service::WarningRuleView) in and out of their JSON form for
// /api/v1/warning-rules. The shape checks of a body are here (422 with the field's pointer);
// rules::check_rule, the domain check, is the service's.
#include <nlohmann/json.hpp>

#include <vector>

#include <hazmon/service/warning_service.hpp>

namespace hazmon::api::warning_rule_json {

nlohmann::json rule(const service::WarningRuleView& v);
// {"items": [...]}
nlohmann::json list(const std::vector<service::WarningRuleView>& v);
// A POST or PATCH body: an object holding only fields of a warning rule.
void check_body(const nlohmann::json& body);
// A POST body with the defaults filled in; name, category and alarm_types are required.
nlohmann::json with_defaults(const nlohmann::json& body);
// A rule from its whole API form (rule()'s, or with_defaults()'s); shape errors are 422.
service::WarningRuleView parse(const nlohmann::json& j);

}  // namespace hazmon::api::warning_rule_json
