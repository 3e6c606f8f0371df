// Warning events (预警事件), their disposal transitions, and the warning rules.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/warning_service.hpp>

#include "request_helpers.hpp"
#include "warning_json.hpp"
#include "warning_rule_json.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using model::Principal;
using nlohmann::json;

namespace {
// Warning events are for people; machine credentials (gateways, city platforms) push data only.
void people_only(const Principal& who) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "warning events are for people, not machine credentials");
}

// Before the body's fields are checked (the service checks again).
void rule_admin_only(const Principal& who) {
  if (who.role != model::Role::province_admin)
    throw Error(Errc::forbidden, "only a province administrator edits warning rules");
}

}  // namespace

void add_warning_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.warnings) return;
  auto& w = *ctx.warnings;
  r.add("GET", "/api/v1/warning-events", authed(ctx, "", [&w](Request& req, const Principal& who) {
          people_only(who);
          check_query(
              req, {"status", "level", "company_code", "overdue", "from", "to", "limit", "offset"});
          auto filters =
              query_subset(req, {"status", "level", "company_code", "overdue", "from", "to"});
          auto limit = query_int(req, "limit", 50, 1, 500);
          auto offset = query_int(req, "offset", 0, 0, 1 << 30);
          return json_response(
              200, warning_json::page(w.list(who, filters, limit, offset), limit, offset));
        }));
  r.add("GET", "/api/v1/warning-events/{id}",
        authed(ctx, "", [&w](Request& req, const Principal& who) {
          people_only(who);
          check_query(req, {});
          return json_response(200,
                               warning_json::detail(w.get(who, id_param(req, "warning event"))));
        }));
  r.add("POST", "/api/v1/warning-events/{id}/transitions",
        authed(ctx, "warning.transition", [&w](Request& req, const Principal& who) {
          people_only(who);
          check_query(req, {});
          auto id = id_param(req, "warning event");
          return json_response(200,
                               warning_json::detail(w.transition(who, id, parse_json_body(req))));
        }));
  r.add("GET", "/api/v1/warning-rules", authed(ctx, "", [&w](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, warning_rule_json::list(w.list_rules(who)));
        }));
  r.add("POST", "/api/v1/warning-rules",
        authed(ctx, "warning_rule.create", [&w](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          rule_admin_only(who);
          warning_rule_json::check_body(body);
          auto in = warning_rule_json::parse(warning_rule_json::with_defaults(body));
          return json_response(201, warning_rule_json::rule(w.create_rule(who, in)));
        }));
  r.add("PATCH", "/api/v1/warning-rules/{id}",
        authed(ctx, "warning_rule.update", [&w](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "warning rule");
          auto body = parse_json_body(req);
          if (!who.is_person()) throw Error(Errc::forbidden, "warning rules are for people");
          warning_rule_json::check_body(body);
          // The body merged onto the rule as it stands, under its row lock (each field it names
          // replaced whole).
          auto merged = [&body](const service::WarningRuleView& current) {
            auto j = warning_rule_json::rule(current);
            for (auto& [k, v] : body.items()) j[k] = v;
            return warning_rule_json::parse(j);
          };
          return json_response(200, warning_rule_json::rule(w.update_rule(who, id, merged)));
        }));
}

}  // namespace hazmon::api
