// Notifications of warning events (the SMS and e-mail outbox) and the duty contacts who get them.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/notification_service.hpp>

#include "request_helpers.hpp"
#include "routes_notify_json.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using http::Response;
using model::Principal;
using nlohmann::json;

void add_notify_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.notifications) return;
  auto& n = *ctx.notifications;
  r.add("GET", "/api/v1/notifications", authed(ctx, "", [&n](Request& req, const Principal& who) {
          check_query(req, {"warning_event_id", "status", "channel", "company_code", "from", "to",
                            "limit", "offset"});
          int limit = query_int(req, "limit", 50, 1, 500);
          long long offset = query_int(req, "offset", 0, 0, 1 << 30);
          auto page = n.list(who,
                             query_subset(req, {"warning_event_id", "status", "channel",
                                                "company_code", "from", "to"}),
                             limit, offset);
          return json_response(200, page_json(page, notification_json, limit, offset));
        }));
  r.add("GET", "/api/v1/notify-contacts", authed(ctx, "", [&n](Request& req, const Principal& who) {
          check_query(req, {"level", "company_code", "region_code", "limit", "offset"});
          int limit = query_int(req, "limit", 50, 1, 500);
          long long offset = query_int(req, "offset", 0, 0, 1 << 30);
          auto page = n.list_contacts(
              who, query_subset(req, {"level", "company_code", "region_code"}), limit, offset);
          return json_response(200, page_json(page, contact_json, limit, offset));
        }));
  r.add("POST", "/api/v1/notify-contacts",
        authed(ctx, "notify_contact.create", [&n](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(201, contact_json(n.create_contact(who, parse_json_body(req))));
        }));
  r.add("PUT", "/api/v1/notify-contacts/{id}",
        authed(ctx, "notify_contact.update", [&n](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "contact");
          return json_response(200, contact_json(n.replace_contact(who, id, parse_json_body(req))));
        }));
  r.add("DELETE", "/api/v1/notify-contacts/{id}",
        authed(ctx, "notify_contact.delete", [&n](Request& req, const Principal& who) {
          check_query(req, {});
          n.delete_contact(who, id_param(req, "contact"));
          return Response::no_content();
        }));
}

}  // namespace hazmon::api
