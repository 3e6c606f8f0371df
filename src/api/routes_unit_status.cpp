// Unit run statuses (装置运行状态, docs/duties.md): filed and ended by the enterprise's users
// (POST /api/v1/unit-statuses, /{id}/end) or uploaded by its gateway like a base table
// (POST /api/v1/upload/unit-status); read under the scope and compared with the day's safety
// commitment by people. A stop or an overhaul suppresses the unit's process alarms through a
// filing (报备) with the filings' limits and approvals.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/unit_status_service.hpp>

#include "filed_routes.hpp"
#include "unit_status_json.hpp"

namespace hazmon::api {

namespace {
const UploadRowsRules kUploadRules = filed_upload_rules(200, "unit statuses");

storage::UnitStatusFilter filter_of(const Request& req) {
  storage::UnitStatusFilter f;
  f.company_code = query_opt(req, "company_code");
  f.equip_code = query_opt(req, "equip_code");
  f.prodcell_id = query_opt(req, "prodcell_id");
  f.status = query_opt(req, "status");
  f.current_only = query_flag(req, "current").value_or(false);
  return f;
}

void people_of_the_enterprise(const Principal& who) {
  require_enterprise_user(who,
                          "unit run statuses are filed by the enterprise's own users (gateways "
                          "upload them to /api/v1/upload/unit-status)");
}

// POST /api/v1/upload/unit-status: each row filed as its gateway's; bad rows listed by index.
http::Response upload_statuses(ApiContext& ctx, service::UnitStatusService& us, Request& req,
                               const Principal& who) {
  static const RowUpload kUpload{"unit run statuses are uploaded by an enterprise's gateway",
                                 "upload.unit_status", "unit-status", "unchanged", kUploadRules};
  return upload_each(ctx, req, who, kUpload, [&](const json& row, const Principal& as) {
    return us.file(as, unit_status_from_json(row, us.now())).created;
  });
}
}  // namespace

void add_unit_status_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.unit_statuses) return;
  auto& us = *ctx.unit_statuses;
  r.add("POST", "/api/v1/unit-statuses",
        authed(ctx, "unit_status.file", [&us](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          people_of_the_enterprise(who);
          auto a = us.file(who, unit_status_from_json(body, us.now()));
          return json_response(201, unit_status_answer_json(a));
        }));
  r.add("GET", "/api/v1/unit-statuses", authed(ctx, "", [&us](Request& req, const Principal& who) {
          check_query(req, {"company_code", "equip_code", "prodcell_id", "status", "current",
                            "limit", "offset"});
          auto [limit, offset] = query_page(req);
          auto page = us.list(who, filter_of(req), limit, offset);
          return json_response(200, page_json(page, unit_status_json, limit, offset));
        }));
  r.add("GET", "/api/v1/unit-statuses/commitment-check",
        authed(ctx, "", [&us](Request& req, const Principal& who) {
          check_query(req, {"day", "company_code"});
          return json_response(
              200, unit_check_json(us.commitment_check(who, query_or(req, "company_code", ""),
                                                       query_or(req, "day", ""))));
        }));
  r.add("GET", "/api/v1/unit-statuses/{id}",
        authed(ctx, "", [&us](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "unit status");
          return json_response(200, unit_status_json(us.get(who, id)));
        }));
  r.add("POST", "/api/v1/unit-statuses/{id}/end",
        authed(ctx, "unit_status.end", [&us](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "unit status");
          auto body = parse_json_body(req, true);
          people_of_the_enterprise(who);
          auto [at, reason] = unit_status_end_from_json(body);
          return json_response(200, unit_status_json(us.end(who, id, at, reason)));
        }));
  // Before /api/v1/upload/{table}, which would take it for a registry table.
  r.add("POST", "/api/v1/upload/unit-status",
        authed(ctx, "upload.unit_status", [&ctx, &us](Request& req, const Principal& who) {
          return upload_statuses(ctx, us, req, who);
        }));
}

}  // namespace hazmon::api
