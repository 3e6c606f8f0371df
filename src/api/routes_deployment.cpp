// The notice's connection duties (issue 12): the connection status of the expected enterprises
// per region, the cities' own deployment duties (市级部署任务) and the resolution of unmatched
// roster rows (ADR 0008). Service: RosterService (roster_connection.cpp).
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/roster.hpp>

#include "request_helpers.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using model::Principal;
using nlohmann::json;

namespace {
// attachment (2-4) and seq from the path; anything else is an absent row.
int path_int(Request& req, const char* key, int min, int max) {
  const auto& s = req.params[key];
  if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
    throw Error(Errc::not_found, "no such roster row");
  int v = std::stoi(s);
  if (v < min || v > max) throw Error(Errc::not_found, "no such roster row");
  return v;
}
}  // namespace

void add_connection_routes(http::Router& r, ApiContext& ctx) {
  r.add("GET", "/api/v1/deployment/connection",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"region", "state", "silent_hours", "limit", "offset"});
          service::ConnectionRequest q;
          q.region_code = query_or(req, "region", "");
          q.state = query_opt(req, "state");
          // Bounded by the service (connection.max_silent_hours); absent: the configured default.
          if (query_opt(req, "silent_hours"))
            q.silent_hours = query_int(req, "silent_hours", 0, 0, 1 << 30);
          q.limit = query_int(req, "limit", 100, 1, 1000);
          q.offset = query_int(req, "offset", 0, 0, 1 << 30);
          return json_response(200, ctx.roster.connection_status(who, q));
        }));
  // The province's view of the city platforms forwarding to it (docs/federation.md "Province
  // side"): the province all, a city officer its own; bounded like silent_hours.
  r.add("GET", "/api/v1/city-platforms",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"silent_minutes"});
          std::optional<int> minutes;
          if (query_opt(req, "silent_minutes"))
            minutes = query_int(req, "silent_minutes", 0, 0, 1 << 30);
          return json_response(200, ctx.roster.city_platforms(who, minutes));
        }));
  r.add("GET", "/api/v1/deployment/city-duties",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"city", "overdue"});
          auto overdue = query_flag(req, "overdue").value_or(false);
          return json_response(200, ctx.roster.city_duties(who, query_opt(req, "city"), overdue));
        }));
  r.add("PATCH", "/api/v1/deployment/city-duties/{city}/{duty}",
        authed(ctx, "deployment.city_duty.update", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(
              200, ctx.roster.update_city_duty(who, req.params["city"], req.params["duty"],
                                               parse_json_body(req)));
        }));
  r.add("GET", "/api/v1/deployment/roster-rows",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"match_kind"});
          return json_response(200, ctx.roster.roster_rows(who, query_opt(req, "match_kind")));
        }));
  r.add("POST", "/api/v1/deployment/roster-rows/{attachment}/{seq}/resolve",
        authed(ctx, "deployment.roster.resolve", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          int attachment = path_int(req, "attachment", 2, 4);
          int seq = path_int(req, "seq", 1, 999999);
          return json_response(200,
                               ctx.roster.resolve_row(who, attachment, seq, parse_json_body(req)));
        }));
}

}  // namespace hazmon::api
