// City federation (docs/federation.md, ADR 0026): what the forwarder to the province is doing,
// the uploads the province refused (parked) and their retry. For the city instance's
// province_admin and operator (运维): the backlog is operations data, not a region's. A province
// instance answers mode "province" and has nothing parked.
#include <hazmon/api/api.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/service/federation_forwarder.hpp>

#include "route_names.hpp"

namespace hazmon::api {

namespace {
void require_ops(const Principal& who) {
  if (who.role != model::Role::province_admin && who.role != model::Role::operator_)
    throw Error(Errc::forbidden, "the federation status is for the admin and the operator");
}

json status_json(const service::FederationStatus& s) {
  return {{"mode", "city"},
          {"forwarding", true},
          {"province_url", s.province_url},
          {"region_code", s.region_code},
          {"backlog", s.outbox.queued},
          {"parked_rows", s.outbox.parked},
          {"oldest_queued_at", json_values::opt(s.outbox.oldest_queued)},
          {"oldest_age_s", s.oldest_age_s},
          {"sent", s.sent},
          {"failed", s.failed},
          {"parked", s.parked},
          {"last_error", s.last_error},
          {"last_sent_at", json_values::opt(s.last_sent_at)},
          {"last_failure_at", json_values::opt(s.last_failure_at)},
          {"retry_in_ms", s.retry_in_ms}};
}

json parked_json(const storage::ParkedRow& p) {
  return {{"id", p.id},
          {"path", p.path},
          {"company_code", p.company_code},
          {"data_id", p.data_id},
          {"attempts", p.attempts},
          {"http_status", p.http_status ? json(*p.http_status) : json(nullptr)},
          {"problem_code", p.problem_code},
          {"last_error", p.last_error},
          {"queued_at", core::format_rfc3339(p.queued_at)},
          {"parked_at", core::format_rfc3339(p.parked_at)}};
}
}  // namespace

void add_federation_routes(http::Router& r, ApiContext& ctx) {
  r.add("GET", "/api/v1/federation/status",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          require_ops(who);
          check_query(req, {});
          if (!ctx.federation)
            return json_response(200, {{"mode", "province"}, {"forwarding", false}});
          return json_response(200, status_json(ctx.federation->status()));
        }));
  r.add("GET", "/api/v1/federation/parked",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          require_ops(who);
          check_query(req, {"limit", "after_id"});
          auto limit = query_int(req, "limit", 100, 1, 1000);
          auto after = query_int(req, "after_id", 0, 0, std::numeric_limits<int>::max());
          json items = json::array();
          if (ctx.federation)
            for (const auto& p : ctx.federation->parked(limit, after))
              items.push_back(parked_json(p));
          json next =
              items.size() == static_cast<std::size_t>(limit) ? items.back()["id"] : json(nullptr);
          return json_response(200, {{"items", items}, {"next_after_id", next}});
        }));
  // Retrying is an act: the admin's alone (the operator reads; docs/api.md roles).
  auto retry = [&ctx](const Principal& who, std::optional<long long> id) {
    if (who.role != model::Role::province_admin)
      throw Error(Errc::forbidden, "only the admin queues parked uploads again");
    long long n = ctx.federation ? ctx.federation->retry_parked(id) : 0;
    if (id && n == 0) throw Error(Errc::not_found, "no such parked upload");
    return json_response(200, {{"requeued", n}});
  };
  r.add("POST", "/api/v1/federation/parked/retry",
        authed(ctx, "federation.retry", [retry](Request& req, const Principal& who) {
          check_query(req, {});
          return retry(who, std::nullopt);
        }));
  r.add("POST", "/api/v1/federation/parked/{id}/retry",
        authed(ctx, "federation.retry", [retry](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "parked upload");
          return retry(who, id);
        }));
}

}  // namespace hazmon::api
