// Two of the five systems' records (docs/five-systems.md): patrols and spot checks (分级巡查抽查)
// with their findings, answered by the enterprise and closed by an officer; duty check-ins
// (值班签到) and routine use (企业端日常使用) per enterprise and Beijing day. People only, under
// their scope.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/patrol_service.hpp>

#include "patrol_json.hpp"
#include "route_names.hpp"

namespace hazmon::api {

namespace {
storage::PatrolFilter patrol_filter(const Request& req) {
  storage::PatrolFilter f;
  f.company_code = query_opt(req, "company_code");
  f.kind = query_opt(req, "kind");
  f.officer = query_opt(req, "officer");
  f.in_progress = query_flag(req, "in_progress");
  if (auto from = query_opt(req, "from")) f.from = service::beijing_day_bound(*from, "from", false);
  if (auto to = query_opt(req, "to")) f.to = service::beijing_day_bound(*to, "to", true);
  return f;
}

storage::FindingFilter finding_filter(const Request& req) {
  storage::FindingFilter f;
  f.company_code = query_opt(req, "company_code");
  f.state = query_opt(req, "state");
  f.overdue = query_flag(req, "overdue");
  return f;
}

std::string optional_text(const json& body, const char* key, std::size_t max, bool required) {
  if (!body.contains(key)) {
    if (required)
      throw Error(Errc::validation_failed, "the request is not valid",
                  {{std::string("/") + key, "is required"}});
    return {};
  }
  if (!body[key].is_string())
    throw Error(Errc::validation_failed, "the request is not valid",
                {{std::string("/") + key, "must be a string"}});
  auto s = body[key].get<std::string>();
  if (s.size() > max)
    throw Error(Errc::validation_failed, "the request is not valid",
                {{std::string("/") + key, "at most " + std::to_string(max) + " bytes"}});
  return s;
}

void only_members(const json& body, std::initializer_list<const char*> known) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items()) {
    bool ok = false;
    for (const char* n : known) ok = ok || k == n;
    if (!ok)
      throw Error(Errc::validation_failed, "the request is not valid",
                  {{"/" + k, "unknown member"}});
  }
}

// Patrols and spot checks: started (or recorded after the fact), listed, read, given findings
// and ended by their officer.
void add_patrol_record_routes(http::Router& r, ApiContext& ctx, service::PatrolService& ps) {
  r.add("POST", "/api/v1/patrols",
        authed(ctx, "patrol.start", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          return json_response(201, patrol_json(ps.start(who, patrol_start_from_json(body)), true));
        }));
  r.add("GET", "/api/v1/patrols", authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"company_code", "kind", "officer", "in_progress", "from", "to", "limit",
                            "offset"});
          auto [limit, offset] = query_page(req);
          auto page = ps.list(who, patrol_filter(req), limit, offset);
          return json_response(
              200, page_json(
                       page, [](const auto& p) { return patrol_json(p, false); }, limit, offset));
        }));
  r.add("GET", "/api/v1/patrols/{id}", authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, patrol_json(ps.get(who, id_param(req, "patrol")), true));
        }));
  r.add("POST", "/api/v1/patrols/{id}/findings",
        authed(ctx, "patrol.finding", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "patrol");
          auto body = parse_json_body(req);
          return json_response(201, finding_json(ps.add_finding(who, id, finding_from_json(body))));
        }));
  r.add("POST", "/api/v1/patrols/{id}/end",
        authed(ctx, "patrol.end", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "patrol");
          auto body = parse_json_body(req, true);
          if (body.is_null()) body = json::object();
          only_members(body, {"summary"});
          std::optional<std::string> summary;
          if (body.contains("summary")) summary = optional_text(body, "summary", 4000, true);
          return json_response(200, patrol_json(ps.end(who, id, summary), true));
        }));
}

// Findings across patrols: listed, answered by the enterprise, closed or sent back by an officer.
void add_finding_routes(http::Router& r, ApiContext& ctx, service::PatrolService& ps) {
  r.add("GET", "/api/v1/patrol-findings",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"company_code", "state", "overdue", "limit", "offset"});
          auto [limit, offset] = query_page(req);
          auto page = ps.findings(who, finding_filter(req), limit, offset);
          return json_response(200, page_json(page, finding_json, limit, offset));
        }));
  r.add("POST", "/api/v1/patrol-findings/{id}/reply",
        authed(ctx, "patrol.reply", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "finding");
          auto body = parse_json_body(req);
          only_members(body, {"reply"});
          auto text = optional_text(body, "reply", 4000, true);
          if (text.find_first_not_of(" \t\r\n") == std::string::npos)
            throw Error(Errc::validation_failed, "the reply is empty",
                        {{"/reply", "must not be empty"}});
          return json_response(200, finding_json(ps.reply(who, id, text)));
        }));
  r.add("POST", "/api/v1/patrol-findings/{id}/confirm",
        authed(ctx, "patrol.confirm", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "finding");
          auto body = parse_json_body(req);
          only_members(body, {"accept", "note"});
          if (!body.contains("accept") || !body["accept"].is_boolean())
            throw Error(Errc::validation_failed, "the request is not valid",
                        {{"/accept", "must be true or false"}});
          auto note = optional_text(body, "note", 2000, false);
          return json_response(200,
                               finding_json(ps.confirm(who, id, body["accept"].get<bool>(), note)));
        }));
}

// The enterprise's side of the five systems: duty check-ins and routine use per Beijing day.
void add_duty_routes(http::Router& r, ApiContext& ctx, service::PatrolService& ps) {
  r.add("POST", "/api/v1/duty-checkins",
        authed(ctx, "duty.checkin", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          only_members(body, {"duty_person", "note"});
          auto person = optional_text(body, "duty_person", 50, true);
          if (person.find_first_not_of(" \t\r\n") == std::string::npos)
            throw Error(Errc::validation_failed, "who is on duty?",
                        {{"/duty_person", "must not be empty"}});
          auto note = optional_text(body, "note", 1000, false);
          return json_response(201, checkin_json(ps.check_in(who, person, note)));
        }));
  r.add("GET", "/api/v1/duty-checkins", authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"day", "company_code"});
          auto company = query_opt(req, "company_code");
          json items = json::array();
          for (const auto& c : ps.checkins(who, query_or(req, "day", ""), company))
            items.push_back(checkin_json(c));
          return json_response(200, {{"items", items}});
        }));
  r.add("GET", "/api/v1/routine-use", authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"from", "to", "company_code", "limit", "offset"});
          auto [limit, offset] = query_page(req);
          auto company = query_opt(req, "company_code");
          auto page = ps.routine_use(who, query_or(req, "from", ""), query_or(req, "to", ""),
                                     company, limit, offset);
          return json_response(200, page_json(page, routine_use_json, limit, offset));
        }));
}
}  // namespace

void add_patrol_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.patrols) return;
  auto& ps = *ctx.patrols;
  add_patrol_record_routes(r, ctx, ps);
  add_finding_routes(r, ctx, ps);
  add_duty_routes(r, ctx, ps);
}

}  // namespace hazmon::api
