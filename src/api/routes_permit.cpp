// Special work permits (特殊作业票, GB 30871-2022; docs/duties.md): filed, edited and moved by
// the enterprise's users (POST/PATCH /api/v1/work-permits, /{id}/transitions) or uploaded by its
// gateway like a base table (POST /api/v1/upload/work-permits); listed, counted per region and
// compared with the day's safety commitment by people under their scope.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/permit_service.hpp>

#include "filed_routes.hpp"
#include "permit_json.hpp"
#include "upload_envelope.hpp"

namespace hazmon::api {

namespace {
const UploadRowsRules kUploadRules = filed_upload_rules(200, "work permits");

storage::PermitFilter filter_of(const Request& req) {
  storage::PermitFilter f;
  f.state = query_opt(req, "state");
  f.work_type = query_opt(req, "type");
  f.day = query_opt(req, "day");
  f.company_code = query_opt(req, "company_code");
  f.in_progress_now = query_flag(req, "in_progress").value_or(false);
  f.overdue = query_flag(req, "overdue").value_or(false);
  return f;
}

void people_of_the_enterprise(const Principal& who) {
  require_enterprise_user(who,
                          "work permits are filed and moved by the enterprise's own users "
                          "(gateways upload them to /api/v1/upload/work-permits)");
}
// {action, reason} of POST /api/v1/work-permits/{id}/transitions.
std::pair<std::string, std::string> transition_of(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the transition must be an object",
                {{"", "expected {action, reason}"}});
  std::vector<core::FieldError> errors;
  for (auto& [k, v] : body.items())
    if (k != "action" && k != "reason") errors.push_back({"/" + k, "action and reason only"});
  if (!body.contains("action") || !body["action"].is_string())
    errors.push_back({"/action", "start, finish or cancel is required"});
  if (body.contains("reason") && !body["reason"].is_string())
    errors.push_back({"/reason", "must be a string"});
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the transition is not valid", std::move(errors));
  auto reason = body.value("reason", std::string());
  if (reason.size() > model::kMaxPermitText)
    throw Error(Errc::validation_failed, "the reason is too long",
                {{"/reason", "at most 200 bytes"}});
  return {body["action"].get<std::string>(), reason};
}

// POST /api/v1/upload/work-permits: each row filed as its gateway's; bad rows listed by index.
http::Response upload_permits(ApiContext& ctx, service::PermitService& ps, Request& req,
                              const Principal& who) {
  static const RowUpload kUpload{"work permits are uploaded by an enterprise's gateway",
                                 "upload.work_permits", "work-permits", "updated", kUploadRules};
  return upload_each(ctx, req, who, kUpload, [&](const json& row, const Principal& as) {
    bool made = false;
    ps.file(as, permit_from_json(row, true), made);
    return made;
  });
}

}  // namespace

void add_permit_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.permits) return;
  auto& ps = *ctx.permits;
  r.add("POST", "/api/v1/work-permits",
        authed(ctx, "permit.file", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          people_of_the_enterprise(who);
          bool created = false;
          auto saved = ps.file(who, permit_from_json(body, false), created);
          return json_response(201, permit_json(saved, ps.now()));
        }));
  r.add("GET", "/api/v1/work-permits", authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"state", "type", "day", "company_code", "in_progress", "overdue",
                            "limit", "offset"});
          auto [limit, offset] = query_page(req);
          auto page = ps.list(who, filter_of(req), limit, offset);
          auto now = ps.now();
          return json_response(
              200, page_json(
                       page, [&](const auto& p) { return permit_json(p, now); }, limit, offset));
        }));
  r.add("GET", "/api/v1/work-permits/summary",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"group_by"});
          auto group = query_or(req, "group_by", "county");
          if (group != "county" && group != "city")
            throw Error(Errc::bad_request, "group_by must be county or city");
          return json_response(200, permit_summary_json(ps.summary(who, group == "city")));
        }));
  r.add("GET", "/api/v1/work-permits/commitment-check",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"day", "company_code"});
          return json_response(
              200, permit_check_json(ps.commitment_check(who, query_or(req, "company_code", ""),
                                                         query_or(req, "day", ""))));
        }));
  r.add("GET", "/api/v1/work-permits/{id}",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "work permit");
          return json_response(200, permit_detail_json(ps.get(who, id), ps.now()));
        }));
  r.add("PATCH", "/api/v1/work-permits/{id}",
        authed(ctx, "permit.update", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "work permit");
          auto body = parse_json_body(req);
          people_of_the_enterprise(who);
          return json_response(
              200, permit_json(ps.edit(who, id, permit_edit_from_json(body)), ps.now()));
        }));
  r.add("POST", "/api/v1/work-permits/{id}/transitions",
        authed(ctx, "permit.transition", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "work permit");
          auto body = parse_json_body(req);
          people_of_the_enterprise(who);
          auto [action, reason] = transition_of(body);
          return json_response(200, permit_json(ps.transition(who, id, action, reason), ps.now()));
        }));
  // Before /api/v1/upload/{table}, which would take it for a registry table.
  r.add("POST", "/api/v1/upload/work-permits",
        authed(ctx, "upload.work_permits", [&ctx, &ps](Request& req, const Principal& who) {
          return upload_permits(ctx, ps, req, who);
        }));
}

}  // namespace hazmon::api
