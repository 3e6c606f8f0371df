// GET /api/v1/stream: server-sent events of alarm and warning changes within the caller's scope.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/http/event_stream.hpp>
#include <hazmon/service/event_hub.hpp>

#include "request_helpers.hpp"

namespace hazmon::api {

void add_stream_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.events) return;
  r.add("GET", "/api/v1/stream", authed(ctx, "", [&ctx](http::Request& req, const model::Principal& who) {
          check_query(req, {});
          if (!who.is_person()) throw core::Error(core::Errc::forbidden, "the live stream is for people");
          auto stream = std::make_shared<http::EventStream>();
          std::weak_ptr<http::EventStream> weak = stream;
          auto* hub = ctx.events;
          auto id = hub->subscribe(who, [weak](const service::LiveEvent& e) {
            if (auto s = weak.lock()) s->push(e.kind, e.json);
          });
          stream->on_close = [hub, id] { hub->unsubscribe(id); };
          http::Response resp;
          resp.stream = stream;
          return resp;
        }));
}

}  // namespace hazmon::api
