// The hazmond nodes that share this PostgreSQL (ADR 0028, docs/scaling.md): each one's start,
// last heartbeat, whether it is alive (seen within node.lease_ttl_s), its version and how many
// cameras it runs. For province_admin and operator (运维): deployment data, not a region's.
#include <hazmon/api/api.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/service/node_service.hpp>

#include "route_names.hpp"

namespace hazmon::api {

void add_node_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.nodes) return;
  r.add("GET", "/api/v1/nodes", authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          if (who.role != model::Role::province_admin && who.role != model::Role::operator_)
            throw Error(Errc::forbidden, "the node list is for the admin and the operator");
          check_query(req, {});
          auto& n = *ctx.nodes;
          auto alive_since = n.now() - n.ttl();
          json items = json::array();
          for (const auto& row : n.nodes())
            items.push_back({{"node_id", row.node_id},
                             {"started_at", core::format_rfc3339(row.started_at)},
                             {"last_seen", core::format_rfc3339(row.last_seen)},
                             {"alive", row.last_seen >= alive_since},
                             {"version", row.version},
                             {"cameras_held", row.cameras_held},
                             {"this_node", row.node_id == n.id()}});
          return json_response(200, {{"this_node", n.id()},
                                     {"cluster", n.cluster()},
                                     {"lease_ttl_s", n.ttl().count()},
                                     {"items", items}});
        }));
}

}  // namespace hazmon::api
