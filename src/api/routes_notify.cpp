// Notifications of warning events (the SMS and e-mail outbox) and the duty contacts who get them.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/notification_service.hpp>

#include "request_helpers.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using http::Response;
using model::Principal;
using nlohmann::json;

namespace {
long long contact_id(Request& req) {
  const auto& id = req.params["id"];
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
    throw Error(Errc::not_found, "no such contact");
  return std::stoll(id);
}

std::map<std::string, std::string> filters_of(const Request& req, std::initializer_list<const char*> keys) {
  std::map<std::string, std::string> out;
  for (auto* k : keys)
    if (auto it = req.query.find(k); it != req.query.end()) out[k] = it->second;
  return out;
}
}  // namespace

void add_notify_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.notifications) return;
  auto& n = *ctx.notifications;
  r.add("GET", "/api/v1/notifications", authed(ctx, "", [&n](Request& req, const Principal& who) {
          check_query(req, {"warning_event_id", "status", "channel", "company_code", "from", "to", "limit", "offset"});
          return json_response(200, n.list(who, filters_of(req, {"warning_event_id", "status", "channel", "company_code", "from", "to"}),
                                           query_int(req, "limit", 50, 1, 500), query_int(req, "offset", 0, 0, 1 << 30)));
        }));
  r.add("GET", "/api/v1/notify-contacts", authed(ctx, "", [&n](Request& req, const Principal& who) {
          check_query(req, {"level", "company_code", "region_code", "limit", "offset"});
          return json_response(200, n.list_contacts(who, filters_of(req, {"level", "company_code", "region_code"}),
                                                    query_int(req, "limit", 50, 1, 500),
                                                    query_int(req, "offset", 0, 0, 1 << 30)));
        }));
  r.add("POST", "/api/v1/notify-contacts", authed(ctx, "notify_contact.create", [&n](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(201, n.create_contact(who, parse_json_body(req)));
        }));
  r.add("PUT", "/api/v1/notify-contacts/{id}", authed(ctx, "notify_contact.update", [&n](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = contact_id(req);
          return json_response(200, n.replace_contact(who, id, parse_json_body(req)));
        }));
  r.add("DELETE", "/api/v1/notify-contacts/{id}", authed(ctx, "notify_contact.delete", [&n](Request& req, const Principal& who) {
          check_query(req, {});
          n.delete_contact(who, contact_id(req));
          return Response::no_content();
        }));
}

}  // namespace hazmon::api
