// The daily safety commitment (安全承诺, docs/duties.md): filed by enterprise users
// (POST /api/v1/commitments) or uploaded by the enterprise's gateway like a base table
// (POST /api/v1/upload/commitments), read by people under their scope, and summed per region
// for the officers who follow who has not committed.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/commitment_service.hpp>

#include "commitment_json.hpp"
#include "filed_routes.hpp"
#include "upload_envelope.hpp"

namespace hazmon::api {

namespace {
const UploadRowsRules kUploadRules = filed_upload_rules(100, "commitments");

storage::CommitmentFilter filter_of(const Request& req) {
  storage::CommitmentFilter f;
  f.day = query_opt(req, "day");
  f.company_code = query_opt(req, "company_code");
  f.late = query_flag(req, "late");
  return f;
}
// POST /api/v1/upload/commitments: a gateway files its enterprise's commitments, row by row.
http::Response upload_commitments(ApiContext& ctx, service::CommitmentService& cs, Request& req,
                                  const Principal& who) {
  static const RowUpload kUpload{"commitments are uploaded by an enterprise's gateway",
                                 "upload.commitments", "commitments", "replaced", kUploadRules};
  return upload_each(ctx, req, who, kUpload, [&](const json& row, const Principal& as) {
    return cs.file(as, {commitment_from_json(row), "upload"}).revision == 1;
  });
}
}  // namespace

void add_commitment_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.commitments) return;
  auto& cs = *ctx.commitments;
  r.add("POST", "/api/v1/commitments",
        authed(ctx, "commitment.file", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          if (who.scope.kind != model::ScopeKind::enterprise ||
              who.role != model::Role::enterprise_user)
            throw Error(Errc::forbidden,
                        "the safety commitment is filed by the enterprise's own users (gateways "
                        "upload it to /api/v1/upload/commitments)");
          service::CommitmentFiling f{commitment_from_json(body), "dashboard"};
          auto saved = cs.file(who, std::move(f));
          auto j = commitment_json(saved);
          j["replaced"] = saved.revision > 1;
          return json_response(saved.revision > 1 ? 200 : 201, j);
        }));
  r.add("GET", "/api/v1/commitments", authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {"day", "company_code", "late", "limit", "offset"});
          auto [limit, offset] = query_page(req);
          auto page = cs.list(who, filter_of(req), limit, offset);
          return json_response(200, page_json(page, commitment_json, limit, offset));
        }));
  r.add("GET", "/api/v1/commitments/summary",
        authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {"day", "group_by"});
          auto group = query_or(req, "group_by", "county");
          if (group != "county" && group != "city")
            throw Error(Errc::bad_request, "group_by must be county or city");
          return json_response(
              200, summary_json(cs.summary(who, query_or(req, "day", ""), group == "city")));
        }));
  r.add("GET", "/api/v1/commitments/{id}/history",
        authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "commitment");
          json items = json::array();
          for (const auto& text : cs.history(who, id)) items.push_back(json::parse(text));
          return json_response(200, {{"items", items}});
        }));
  // Before /api/v1/upload/{table}, which would take it for a registry table.
  r.add("POST", "/api/v1/upload/commitments",
        authed(ctx, "upload.commitments", [&ctx, &cs](Request& req, const Principal& who) {
          return upload_commitments(ctx, cs, req, who);
        }));
}

}  // namespace hazmon::api
