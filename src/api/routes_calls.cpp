// Video calls between duty rooms (可视化调度, ADR 0031, docs/calls.md): the call records
// (/api/v1/calls) and the Janus HTTP API proxied from the dashboard's origin (/api/v1/janus).
// People of a duty room only.
#include <hazmon/api/api.hpp>
#include <hazmon/api/call_event.hpp>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/http/event_stream.hpp>
#include <hazmon/http/problem.hpp>
#include <hazmon/service/call_service.hpp>

#include "route_names.hpp"

namespace hazmon::api {

namespace {
using json_values::opt;

json room_json(const model::DutyRoom& r) {
  return {{"kind", r.kind}, {"code", r.code}, {"name", r.name}};
}

// `reader`: the person reading it (null: the called room's people, on the live stream).
json call_json(const model::DutyCall& c, const Principal* reader) {
  json parts = json::array();
  for (const auto& p : c.participants)
    parts.push_back({{"user_name", p.user_name},
                     {"side", p.side},
                     {"joined_at", opt(std::optional(p.joined_at))},
                     {"left_at", opt(p.left_at)}});
  // Placed by the reader himself (the dashboard offers to join and hang up).
  bool mine = reader && c.caller_user_id && *c.caller_user_id == reader->id;
  return {{"id", c.id},
          {"caller", room_json(c.caller)},
          {"caller_name", c.caller_name},
          {"mine", mine},
          {"callee", room_json(c.callee)},
          // Placed to the reader's duty room (the dashboard rings for it).
          {"incoming", reader ? c.incoming : true},
          {"state", c.state},
          {"started_at", opt(std::optional(c.started_at))},
          {"answered_at", opt(c.answered_at)},
          {"ended_at", opt(c.ended_at)},
          {"ended_by", opt(c.ended_by)},
          {"end_reason", opt(c.end_reason)},
          {"participants", parts}};
}

json ice_json(const service::CallSettings& s) {
  json out = json::array();
  for (const auto& url : s.ice_servers) {
    json one = {{"urls", url}};
    if (url.rfind("turn", 0) == 0 && !s.turn_username.empty()) {
      one["username"] = s.turn_username;
      one["credential"] = s.turn_credential;
    }
    out.push_back(one);
  }
  return out;
}

std::string text_member(const json& body, const char* key) {
  if (!body.contains(key))
    throw Error(Errc::validation_failed, "the request is not valid",
                {{std::string("/") + key, "is required"}});
  if (!body[key].is_string())
    throw Error(Errc::validation_failed, "the request is not valid",
                {{std::string("/") + key, "must be a string"}});
  return body[key].get<std::string>();
}

// The proxy's own wrapper: authenticated like every route, not audited (signalling is not a
// state change of hazmond; the call's join, leave and end are), Janus's answers passed on.
http::Handler proxied(ApiContext& ctx,
                      std::function<service::ProxyAnswer(Request&, const Principal&)> h) {
  return [&ctx, h = std::move(h)](Request& req) -> http::Response {
    auto token = req.bearer_token();
    auto who = token.empty() ? std::nullopt : ctx.auth.authenticate(token);
    if (!who)
      return http::problem(Errc::unauthenticated, core::Reason::none,
                           "log in first: send Authorization: Bearer <token>", req.request_id);
    try {
      auto a = h(req, *who);
      return http::Response::json(a.status, std::move(a.body));
    } catch (const Error& e) {
      return http::problem(e, req.request_id);
    }
  };
}

void add_call_record_routes(http::Router& r, ApiContext& ctx, service::CallService& cs) {
  r.add("POST", "/api/v1/calls",
        authed(ctx, "call.create", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          if (!body.is_object())
            throw Error(Errc::validation_failed, "the body must be an object",
                        {{"", "expected an object"}});
          for (auto& [k, v] : body.items())
            if (k != "callee_kind" && k != "callee_code")
              throw Error(Errc::validation_failed, "the request is not valid",
                          {{"/" + k, "unknown member"}});
          auto kind = text_member(body, "callee_kind");
          auto code = text_member(body, "callee_code");
          return json_response(201, call_json(cs.create(who, kind, code), &who));
        }));
  r.add("GET", "/api/v1/calls", authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {"state", "limit", "offset"});
          auto [limit, offset] = query_page(req);
          auto page = cs.list(who, query_opt(req, "state"), limit, offset);
          return json_response(
              200, page_json(
                       page, [&who](const auto& c) { return call_json(c, &who); }, limit, offset));
        }));
  r.add("GET", "/api/v1/calls/{id}", authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, call_json(cs.get(who, id_param(req, "call")), &who));
        }));
  r.add("POST", "/api/v1/calls/{id}/join",
        authed(ctx, "call.join", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "call");
          auto j = cs.join(who, id);
          return json_response(200, {{"call", call_json(j.call, &who)},
                                     {"room", j.call.janus_room},
                                     {"token", j.token},
                                     {"display", j.display},
                                     {"janus_path", "/api/v1/janus"},
                                     {"ice_servers", ice_json(cs.settings())}});
        }));
  r.add("POST", "/api/v1/calls/{id}/leave",
        authed(ctx, "call.leave", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, call_json(cs.leave(who, id_param(req, "call")), &who));
        }));
  r.add("POST", "/api/v1/calls/{id}/end",
        authed(ctx, "call.end", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, call_json(cs.end(who, id_param(req, "call")), &who));
        }));
}

void add_janus_routes(http::Router& r, ApiContext& ctx, service::CallService& cs) {
  r.add("POST", "/api/v1/janus", proxied(ctx, [&cs](Request& req, const Principal& who) {
          return cs.proxy_post(who, "", req.body);
        }));
  r.add("POST", "/api/v1/janus/{session}", proxied(ctx, [&cs](Request& req, const Principal& who) {
          return cs.proxy_post(who, "/" + req.params["session"], req.body);
        }));
  r.add("POST", "/api/v1/janus/{session}/{handle}",
        proxied(ctx, [&cs](Request& req, const Principal& who) {
          return cs.proxy_post(who, "/" + req.params["session"] + "/" + req.params["handle"],
                               req.body);
        }));
  r.add("GET", "/api/v1/janus/{session}", proxied(ctx, [&cs](Request& req, const Principal& who) {
          return cs.proxy_get(who, req.params["session"], query_or(req, "maxev", ""));
        }));
  // The same events pushed as server-sent events (`event: janus`, one Janus event each): hazmond
  // long-polls Janus on a thread of its own, so no HTTP worker waits (docs/calls.md).
  r.add("GET", "/api/v1/janus/{session}/events",
        authed(ctx, "", [&ctx, &cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto stream = std::make_shared<http::EventStream>(200);
          std::weak_ptr<http::EventStream> weak = stream;
          cs.watch_events(
              who, req.params["session"],
              [weak](const std::string& e) {
                if (auto s = weak.lock()) s->push("janus", e);
              },
              [weak] {
                auto s = weak.lock();
                return s && !s->closed();
              },
              [weak] {
                if (auto s = weak.lock()) s->close();
              });
          // A session (hazmond's login) ended elsewhere closes it within this interval.
          auto* auth = &ctx.auth;
          stream->still_authorised = [auth, token = req.bearer_token(), user_id = who.id] {
            auto p = auth->authenticate(token);
            return p && p->id == user_id;
          };
          stream->recheck_every = ctx.stream_recheck;
          http::Response resp;
          resp.stream = stream;
          return resp;
        }));
}
}  // namespace

nlohmann::json call_event_json(const model::DutyCall& c) { return call_json(c, nullptr); }

void add_call_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.calls) return;
  add_call_record_routes(r, ctx, *ctx.calls);
  add_janus_routes(r, ctx, *ctx.calls);
}

}  // namespace hazmon::api
