// GET /api/v1/stream: server-sent events of alarm and warning changes within the caller's scope.
#include <hazmon/api/api.hpp>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/http/event_stream.hpp>
#include <hazmon/service/event_hub.hpp>

#include "request_helpers.hpp"
#include "stream_sessions.hpp"

namespace hazmon::api {

void add_stream_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.events) return;
  // Lives as long as the router's handler that holds it; the auth service's listener holds a
  // weak reference so that it never calls into a destroyed registry.
  auto sessions = std::make_shared<StreamSessions>(ctx.max_streams_per_principal);
  std::weak_ptr<StreamSessions> weak_sessions = sessions;
  ctx.auth.on_session_end([weak_sessions](long long user_id, const std::string& token_hash) {
    if (auto s = weak_sessions.lock()) s->close(user_id, token_hash);
  });
  r.add("GET", "/api/v1/stream",
        authed(ctx, "", [&ctx, sessions](http::Request& req, const model::Principal& who) {
          check_query(req, {});
          if (!who.is_person())
            throw core::Error(core::Errc::forbidden, "the live stream is for people");
          auto stream = std::make_shared<http::EventStream>();
          std::weak_ptr<http::EventStream> weak = stream;
          auto* hub = ctx.events;
          auto id = hub->subscribe(who, [weak](const service::LiveEvent& e) {
            if (auto s = weak.lock()) s->push(e.kind, e.json);
          });
          stream->on_close = [hub, id] { hub->unsubscribe(id); };
          // Re-checked while open: a session ended elsewhere (another node, an expiry, SQL by
          // hand) closes the stream within this interval; ends through this node close it at once.
          auto* auth = &ctx.auth;
          auto token = req.bearer_token();
          auto user_id = who.id;
          stream->still_authorised = [auth, token, user_id] {
            auto p = auth->authenticate(token);
            return p && p->id == user_id;
          };
          stream->recheck_every = ctx.stream_recheck;
          sessions->add(who.id, core::sha256_hex(token), stream);
          http::Response resp;
          resp.stream = stream;
          return resp;
        }));
}

}  // namespace hazmon::api
