// SIS loops (安全仪表系统 联锁回路, docs/sis.md): registered by the registry's writers or the
// gateway; bypasses (旁路) filed, approved and ended and trips (联锁动作) filed and reset by the
// enterprise's users (POST /api/v1/sis-loops/{id}/bypasses, /sis-bypasses/{id}/approve|end,
// /sis-loops/{id}/trips, /sis-trips/{id}/reset) or uploaded by its gateway
// (POST /api/v1/upload/sis); listed with their state and history by people under their scope.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/sis_service.hpp>

#include "filed_routes.hpp"
#include "sis_json.hpp"

namespace hazmon::api {

namespace {
const UploadRowsRules kUploadRules = filed_upload_rules(200, "SIS rows");

void users_of_the_enterprise(const Principal& who) {
  require_enterprise_user(who,
                          "bypasses and trips are filed by the enterprise's own users (gateways "
                          "upload them to /api/v1/upload/sis)");
}

http::Response upload_sis(ApiContext& ctx, service::SisService& ss, Request& req,
                          const Principal& who) {
  static const RowUpload kUpload{"SIS rows are uploaded by an enterprise's gateway", "upload.sis",
                                 "sis", "updated", kUploadRules};
  return upload_each(ctx, req, who, kUpload, [&](const json& row, const Principal& as) {
    return ss.upload(as, sis_upload_row_from_json(row));
  });
}
}  // namespace

void add_sis_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.sis) return;
  auto& ss = *ctx.sis;
  r.add("GET", "/api/v1/sis-loops", authed(ctx, "", [&ss](Request& req, const Principal& who) {
          check_query(req, {"company_code", "state"});
          storage::SisLoopFilter f;
          auto company = query_or(req, "company_code", "");
          auto state = query_or(req, "state", "");
          if (!company.empty()) f.company_code = company;
          if (!state.empty()) f.state = state;
          auto now = ss.now();
          json items = json::array();
          for (const auto& l : ss.list(who, f)) items.push_back(sis_loop_json(l, now));
          return json_response(200, {{"items", items}, {"total", items.size()}});
        }));
  r.add("POST", "/api/v1/sis-loops",
        authed(ctx, "sis.loop", [&ss](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          if (!who.is_person())
            throw Error(Errc::forbidden, "gateways upload loops to /api/v1/upload/sis");
          bool created = false;
          auto saved = ss.save_loop(who, sis_loop_from_json(body, false), created);
          return json_response(created ? 201 : 200, sis_loop_json(saved, ss.now()));
        }));
  r.add("GET", "/api/v1/sis-loops/{id}", authed(ctx, "", [&ss](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "SIS loop");
          return json_response(200, sis_loop_detail_json(ss.get(who, id), ss.now()));
        }));
  r.add("POST", "/api/v1/sis-loops/{id}/bypasses",
        authed(ctx, "sis.bypass", [&ss](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "SIS loop");
          auto body = parse_json_body(req);
          users_of_the_enterprise(who);
          auto saved = ss.file_bypass(who, id, sis_bypass_from_json(body, false));
          return json_response(201, sis_bypass_json(saved, ss.now()));
        }));
  r.add("POST", "/api/v1/sis-bypasses/{id}/approve",
        authed(ctx, "sis.approve", [&ss](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "bypass");
          // Another user of the enterprise, or an officer (four eyes: SisService).
          return json_response(200, sis_bypass_json(ss.approve_bypass(who, id), ss.now()));
        }));
  r.add("POST", "/api/v1/sis-bypasses/{id}/end",
        authed(ctx, "sis.end", [&ss](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "bypass");
          auto note = sis_note_from_json(parse_json_body(req, true));
          users_of_the_enterprise(who);
          return json_response(200, sis_bypass_json(ss.end_bypass(who, id, note), ss.now()));
        }));
  r.add("POST", "/api/v1/sis-loops/{id}/trips",
        authed(ctx, "sis.trip", [&ss](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "SIS loop");
          auto body = parse_json_body(req, true);
          users_of_the_enterprise(who);
          auto trip = sis_trip_from_json(body.is_null() ? json::object() : body, false);
          return json_response(201, sis_trip_json(ss.file_trip(who, id, trip)));
        }));
  r.add("POST", "/api/v1/sis-trips/{id}/reset",
        authed(ctx, "sis.reset", [&ss](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "trip");
          auto reset = sis_reset_from_json(parse_json_body(req));
          users_of_the_enterprise(who);
          return json_response(
              200, sis_trip_json(ss.reset_trip(who, id, reset.by, reset.note, reset.cause)));
        }));
  // Before /api/v1/upload/{table}, which would take it for a registry table.
  r.add("POST", "/api/v1/upload/sis",
        authed(ctx, "upload.sis", [&ctx, &ss](Request& req, const Principal& who) {
          return upload_sis(ctx, ss, req, who);
        }));
}

}  // namespace hazmon::api
