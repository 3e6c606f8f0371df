// Upload API for gateways and city platforms, reading and alarm queries, filings.
#include <hazmon/api/api.hpp>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/json_text.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/monitoring.hpp>

#include "request_helpers.hpp"
#include "routes_monitoring_json.hpp"
#include "upload_envelope.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using http::Response;
using model::Principal;
using nlohmann::json;

namespace {
// The checks of parse_json_body before parsing, in its order and with its answers, for the
// upload path that hands the text itself to the ingest service (simdjson).
void check_json_text(const Request& req) {
  if (req.body.empty()) throw Error(Errc::bad_request, "a JSON body is required");
  auto ct = req.header("content-type");
  std::string media(ct.substr(0, ct.find(';')));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (media != "application/json")
    throw Error(Errc::unsupported_media, "send the body as application/json");
  if (!core::json_nesting_within(req.body))
    throw Error(Errc::bad_request, core::Reason::json_too_deep,
                "the JSON body is nested too deeply");
}

// POST /api/v1/upload/realtime.
void add_upload_route(http::Router& r, ApiContext& ctx) {
  r.add("POST", "/api/v1/upload/realtime",
        authed(ctx, "upload.realtime", [&ctx](Request& req, const Principal& who) {
          if (who.is_person())
            throw Error(Errc::forbidden, "uploads come from gateway or city-platform credentials");
          check_query(req, {});
          // Plain uploads, nearly all of them, go as text to the ingest service's fast reader;
          // an envelope is an object with appId among its own keys (a reading's text may hold
          // the word: it is still a plain upload).
          if (!core::json_top_level_has_key(req.body, "appId")) {
            check_json_text(req);
            return json_response(200, ctx.ingest->upload_text(who, req.body));
          }
          auto body = parse_json_body(req);
          // The MEM-style envelope {appId, dataId, data}: data is the encrypted body.
          if (body.is_object() && body.contains("appId") && body.contains("data") &&
              !body.contains("datas"))
            body = open_upload_envelope(ctx, who, body);
          return json_response(200, ctx.ingest->upload(who, body));
        }));
}

// Latest values, a point's history and aggregates, alarm episodes.
void add_reading_routes(http::Router& r, ApiContext& ctx, service::MonitoringService& mon) {
  r.add("GET", "/api/v1/readings/latest",
        authed(ctx, "", [&ctx, &mon](Request& req, const Principal& who) {
          check_query(req, {"company_code", "hazard_code", "equip_code", "indicator_type", "limit",
                            "offset"});
          auto limit = query_int(req, "limit", 100, 1, 1000);
          auto offset = query_int(req, "offset", 0, 0, 1 << 30);
          auto page = mon.latest(
              who,
              query_subset(req, {"company_code", "hazard_code", "equip_code", "indicator_type"}),
              limit, offset, ctx.offline_after_s);
          return json_response(200, latest_json(page, limit, offset));
        }));
  r.add("GET", "/api/v1/points/{quota}/history",
        authed(ctx, "", [&mon](Request& req, const Principal& who) {
          check_query(req, {"from", "to", "limit"});
          service::TimeRange tr{query_or(req, "from", ""), query_or(req, "to", "")};
          return json_response(
              200, history_json(mon.history(who, req.params["quota"], tr,
                                            query_int(req, "limit", 10000, 1, 100000))));
        }));
  r.add("GET", "/api/v1/points/{quota}/aggregates",
        authed(ctx, "", [&mon](Request& req, const Principal& who) {
          check_query(req, {"from", "to", "interval", "limit"});
          service::TimeRange tr{query_or(req, "from", ""), query_or(req, "to", "")};
          return json_response(
              200, aggregates_json(mon.aggregated(who, req.params["quota"], tr,
                                                  query_or(req, "interval", "1h"),
                                                  query_int(req, "limit", 5000, 1, 100000))));
        }));
  r.add("GET", "/api/v1/alarms", authed(ctx, "", [&mon](Request& req, const Principal& who) {
          check_query(req, {"company_code", "hazard_code", "quota_code", "alarm_type", "active",
                            "suppressed", "from", "to", "limit", "offset"});
          for (auto* b : {"active", "suppressed"})
            if (auto it = req.query.find(b);
                it != req.query.end() && it->second != "true" && it->second != "false")
              throw Error(Errc::bad_request, std::string(b) + " must be true or false");
          auto limit = query_int(req, "limit", 100, 1, 1000);
          auto offset = query_int(req, "offset", 0, 0, 1 << 30);
          auto page =
              mon.alarms(who,
                         query_subset(req, {"company_code", "hazard_code", "quota_code",
                                            "alarm_type", "active", "suppressed", "from", "to"}),
                         limit, offset);
          return json_response(200, alarms_json(page, limit, offset));
        }));
}

// Filings (报备): list, file, approve or reject, cancel.
void add_filing_routes(http::Router& r, ApiContext& ctx, service::MonitoringService& mon) {
  r.add("GET", "/api/v1/filings", authed(ctx, "", [&mon](Request& req, const Principal& who) {
          check_query(req, {"company_code", "active", "status"});
          return json_response(
              200, filings_json(mon.list_filings(who, query_or(req, "company_code", ""),
                                                 query_or(req, "active", "false") == "true",
                                                 query_or(req, "status", ""))));
        }));
  // A pending filing (an enterprise's, longer than the configured maximum) is in force only
  // once a county, city or province officer approves it.
  r.add("POST", "/api/v1/filings/{id}/approve",
        authed(ctx, "filing.approve", [&mon](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "filing");
          return json_response(
              200, filing_json(mon.decide_filing(who, id, true, parse_json_body(req, true))));
        }));
  r.add("POST", "/api/v1/filings/{id}/reject",
        authed(ctx, "filing.reject", [&mon](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "filing");
          return json_response(
              200, filing_json(mon.decide_filing(who, id, false, parse_json_body(req, true))));
        }));
  r.add("POST", "/api/v1/filings",
        authed(ctx, "filing.create", [&mon](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(201, filing_json(mon.create_filing(who, parse_json_body(req))));
        }));
  r.add(
      "DELETE", "/api/v1/filings/{id}",
      authed(ctx, "filing.cancel", [&mon](Request& req, const Principal& who) {
        check_query(req, {});
        const auto& id = req.params["id"];
        if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
          throw Error(Errc::not_found, "no such filing");
        mon.cancel_filing(who, std::stoll(id));
        return Response::no_content();
      }));
}
}  // namespace

json open_upload_envelope(ApiContext& ctx, const Principal& who, const json& body) {
  for (auto& [k, v] : body.items())
    if (k != "appId" && k != "dataId" && k != "data")
      throw Error(Errc::validation_failed, "unknown envelope field",
                  {{"/" + k, "not part of the envelope"}});
  if (!body["appId"].is_string() || body["appId"].get<std::string>() != who.name)
    throw Error(Errc::forbidden, "the envelope's appId is not the authenticated credential");
  if (!body["data"].is_string())
    throw Error(Errc::validation_failed, "data must be a string", {{"/data", "ciphertext"}});
  auto key = ctx.auth.envelope_key(who.id);
  if (!key || !ctx.ingest)
    throw Error(Errc::validation_failed, "this credential has no envelope key",
                {{"/data", "send plain JSON"}});
  return ctx.ingest->open_envelope(body["data"].get<std::string>(), key->cipher, key->key_hex,
                                   key->iv_hex, who.name);
}

void add_ingest_routes(http::Router& r, ApiContext& ctx) {
  if (ctx.ingest) add_upload_route(r, ctx);
  if (!ctx.monitoring) return;
  add_reading_routes(r, ctx, *ctx.monitoring);
  add_filing_routes(r, ctx, *ctx.monitoring);
}

}  // namespace hazmon::api
