#include <hazmon/api/api.hpp>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/http/problem.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/registry_service.hpp>
#include <hazmon/service/roster.hpp>
#include <hazmon/service/user_admin.hpp>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "read_cached.hpp"
#include "request_helpers.hpp"

namespace hazmon::api {
void add_ingest_routes(http::Router& r, ApiContext& ctx);        // routes_ingest.cpp
void add_upload_table_routes(http::Router& r, ApiContext& ctx);  // routes_upload_tables.cpp
void add_commitment_routes(http::Router& r, ApiContext& ctx);    // routes_commitment.cpp
void add_permit_routes(http::Router& r, ApiContext& ctx);        // routes_permit.cpp
void add_sis_routes(http::Router& r, ApiContext& ctx);           // routes_sis.cpp
void add_unit_status_routes(http::Router& r, ApiContext& ctx);   // routes_unit_status.cpp
void add_circular_routes(http::Router& r, ApiContext& ctx);      // routes_circular.cpp
void add_process_routes(http::Router& r, ApiContext& ctx);       // routes_process.cpp
void add_patrol_routes(http::Router& r, ApiContext& ctx);        // routes_patrol.cpp
void add_gb28181_routes(http::Router& r, ApiContext& ctx);       // routes_gb28181.cpp
void add_call_routes(http::Router& r, ApiContext& ctx);          // routes_calls.cpp
void add_plant_model_routes(http::Router& r, ApiContext& ctx);   // routes_plant_model.cpp
void add_federation_routes(http::Router& r, ApiContext& ctx);    // routes_federation.cpp
void add_warning_routes(http::Router& r, ApiContext& ctx);       // routes_warning.cpp
void add_node_routes(http::Router& r, ApiContext& ctx);          // routes_nodes.cpp
void add_stream_routes(http::Router& r, ApiContext& ctx);        // routes_stream.cpp
void add_video_routes(http::Router& r, ApiContext& ctx);         // routes_video.cpp
void add_notify_routes(http::Router& r, ApiContext& ctx);        // routes_notify.cpp
void add_statistics_routes(http::Router& r, ApiContext& ctx);    // routes_statistics.cpp
void add_connection_routes(http::Router& r, ApiContext& ctx);    // routes_deployment.cpp
void add_quality_routes(http::Router& r,
                        ApiContext& ctx);  // routes_quality.cpp (data quality, reports)
using core::Errc;
using core::Error;
using http::Exec;
using http::Request;
using http::Response;
using model::Principal;
using nlohmann::json;

namespace {

json principal_json(const Principal& p) {
  json scope = {{"kind", p.scope.kind == model::ScopeKind::province ? "province"
                         : p.scope.kind == model::ScopeKind::region ? "region"
                                                                    : "enterprise"}};
  if (p.scope.kind == model::ScopeKind::region) scope["code"] = p.scope.region_code;
  if (p.scope.kind == model::ScopeKind::enterprise) scope["code"] = p.scope.company_code;
  return {{"id", p.id}, {"name", p.name}, {"role", model::to_string(p.role)}, {"scope", scope}};
}

// The caller as the dashboard keeps it (login's user, /auth/me): with the parts of this server
// that may be off and that the dashboard polls, since asking a part that is off would only meet
// 404s (calls.enabled, docs/calls.md).
json person_json(const ApiContext& ctx, const Principal& p) {
  auto j = principal_json(p);
  j["features"] = {{"calls", ctx.calls != nullptr}};
  return j;
}

std::string required_string(const json& body, const char* key, std::size_t max_len = 256) {
  if (!body.is_object() || !body.contains(key) || !body[key].is_string())
    throw Error(Errc::validation_failed, std::string(key) + " is required",
                {{std::string("/") + key, "expected a string"}});
  auto v = body[key].get<std::string>();
  if (v.empty() || v.size() > max_len)
    throw Error(Errc::validation_failed, std::string(key) + " has the wrong length",
                {{std::string("/") + key, "1 to " + std::to_string(max_len) + " bytes"}});
  return v;
}

void only_fields(const json& body, std::initializer_list<const char*> allowed) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be a JSON object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items()) {
    bool ok = false;
    for (auto* a : allowed) ok = ok || k == a;
    if (!ok)
      throw Error(Errc::validation_failed, "unknown field", {{"/" + k, "is not allowed here"}});
  }
}

model::Scope scope_from_json(const json& body) {
  if (!body.contains("scope")) return model::Scope::province();
  const auto& s = body["scope"];
  if (!s.is_object() || !s.contains("kind") || !s["kind"].is_string())
    throw Error(Errc::validation_failed, "bad scope", {{"/scope", "expected {kind, code}"}});
  auto kind = s["kind"].get<std::string>();
  std::string code =
      s.contains("code") && s["code"].is_string() ? s["code"].get<std::string>() : "";
  if (kind == "province") return model::Scope::province();
  if (kind == "region") {
    if (!model::is_region_code(code))
      throw Error(Errc::validation_failed, "bad region code", {{"/scope/code", "six digits"}});
    return model::Scope::region(code);
  }
  if (kind == "enterprise") {
    if (code.size() != 11)
      throw Error(Errc::validation_failed, "bad enterprise code",
                  {{"/scope/code", "eleven characters"}});
    return model::Scope::enterprise(code);
  }
  throw Error(Errc::validation_failed, "bad scope kind",
              {{"/scope/kind", "province, region or enterprise"}});
}

void add_auth_routes(http::Router& r, ApiContext& ctx) {
  // Throttled attempts are counted here rather than audited one by one: a guesser must not be
  // able to flood the audit log (the lockout itself is logged once).
  auto& throttled = prometheus::BuildCounter()
                        .Name("hazmon_auth_throttled_total")
                        .Help("Login and password-change attempts refused while throttled")
                        .Register(ctx.metrics.registry())
                        .Add({});
  r.add("POST", "/api/v1/auth/login", [&ctx, &throttled](Request& req) -> Response {
    service::AuditEntry a;
    a.request_id = req.request_id;
    a.client_addr = req.client_addr;
    a.method = req.method;
    a.path = req.path;
    a.action = "auth.login";
    a.actor_role = "anonymous";
    Response resp;
    try {
      auto body = parse_json_body(req);
      only_fields(body, {"username", "password"});
      auto username = required_string(body, "username", 64);
      a.actor_name = username;
      auto password = required_string(body, "password", 256);
      auto result = ctx.auth.login(username, password, req.client_addr);
      a.actor_id = result.principal.id;
      a.actor_role = std::string(model::to_string(result.principal.role));
      resp = json_response(200, {{"token", result.token},
                                 {"expires_at", core::format_rfc3339(result.expires_at)},
                                 {"user", person_json(ctx, result.principal)}});
    } catch (const Error& e) {
      bool locked = e.code() == Errc::throttled;
      resp = http::problem(e, req.request_id,
                           locked ? ctx.auth.retry_after_s(a.actor_name, req.client_addr) : 0);
      if (locked) {
        throttled.Increment();
        return resp;
      }
    }
    a.status = resp.status;
    ctx.audit.record(a);
    return resp;
  });
  r.add("POST", "/api/v1/auth/logout",
        authed(ctx, "auth.logout", [&ctx](Request& req, const Principal&) {
          ctx.auth.logout(req.bearer_token());
          return Response::no_content();
        }));
  r.add("GET", "/api/v1/auth/me", authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, person_json(ctx, who));
        }));
  r.add("POST", "/api/v1/auth/password",
        authed(ctx, "auth.password", [&ctx, &throttled](Request& req, const Principal& who) {
          auto body = parse_json_body(req);
          only_fields(body, {"old_password", "new_password"});
          try {
            ctx.auth.change_password(who, required_string(body, "old_password"),
                                     required_string(body, "new_password"), req.client_addr);
          } catch (const Error& e) {
            if (e.code() != Errc::throttled) throw;
            throttled.Increment();
            return http::problem(e, req.request_id,
                                 ctx.auth.retry_after_s(who.name, req.client_addr));
          }
          return Response::no_content();
        }));
}

// The body of POST /users, checked.
auth::NewUser new_user_from(const json& body) {
  only_fields(body, {"username", "display_name", "role", "scope", "password", "mobile", "email"});
  auth::NewUser u;
  u.username = required_string(body, "username", 64);
  u.password = required_string(body, "password", 256);
  auto role = model::role_from_string(required_string(body, "role", 32));
  if (!role)
    throw Error(Errc::validation_failed, "unknown role",
                {{"/role", "see the API document for roles"}});
  u.role = *role;
  u.scope = scope_from_json(body);
  for (auto [key, field] :
       {std::pair{"display_name", &u.display_name}, {"mobile", &u.mobile}, {"email", &u.email}}) {
    if (body.contains(key)) {
      if (!body[key].is_string() || body[key].get<std::string>().size() > 200)
        throw Error(Errc::validation_failed, "bad field",
                    {{std::string("/") + key, "a string of at most 200 bytes"}});
      *field = body[key].get<std::string>();
    }
  }
  return u;
}

// The body of POST /credentials, checked.
auth::NewCredential new_credential_from(const json& body) {
  only_fields(body, {"kind", "scope", "description", "envelope_cipher"});
  auth::NewCredential c;
  auto kind = required_string(body, "kind", 32);
  if (kind == "gateway")
    c.kind = model::Role::gateway;
  else if (kind == "city_platform")
    c.kind = model::Role::city_platform;
  else
    throw Error(Errc::validation_failed, "unknown kind", {{"/kind", "gateway or city_platform"}});
  c.scope = scope_from_json(body);
  if (body.contains("envelope_cipher")) {
    if (!body["envelope_cipher"].is_string())
      throw Error(Errc::validation_failed, "bad envelope_cipher",
                  {{"/envelope_cipher", "aes-256-gcm, sm4-cbc, aes-128-cbc or aes-256-cbc"}});
    c.envelope_cipher = body["envelope_cipher"].get<std::string>();
  }
  if (body.contains("description")) {
    if (!body["description"].is_string() || body["description"].get<std::string>().size() > 200)
      throw Error(Errc::validation_failed, "bad description",
                  {{"/description", "a string of at most 200 bytes"}});
    c.description = body["description"].get<std::string>();
  }
  return c;
}

json user_page_json(const service::UserPage& page, int limit, long long offset) {
  json items = json::array();
  for (const auto& u : page.items)
    items.push_back({{"id", u.id},
                     {"username", u.username},
                     {"display_name", u.display_name},
                     {"role", u.role},
                     {"scope_kind", u.scope_kind},
                     {"scope_code", u.scope_code},
                     {"is_active", u.is_active},
                     {"created_at", core::format_rfc3339_pg(u.created_at)}});
  return {{"items", items}, {"total", page.total}, {"limit", limit}, {"offset", offset}};
}

json issued_credential_json(const auth::IssuedCredential& issued) {
  json out = {{"id", issued.id},
              {"app_id", issued.app_id},
              {"secret", issued.secret},
              {"authorization", "Bearer " + issued.app_id + "." + issued.secret}};
  if (issued.envelope)
    out["envelope"] = {{"cipher", issued.envelope->cipher},
                       {"key_hex", issued.envelope->key_hex},
                       {"iv_hex", issued.envelope->iv_hex.empty() ? json(nullptr)
                                                                  : json(issued.envelope->iv_hex)}};
  return out;
}

json credential_json(const auth::CredentialInfo& c) {
  json scope = {{"kind", c.scope.kind == model::ScopeKind::region ? "region" : "enterprise"},
                {"code", c.scope.kind == model::ScopeKind::region ? c.scope.region_code
                                                                  : c.scope.company_code}};
  auto opt = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  return {{"id", c.id},
          {"app_id", c.app_id},
          {"kind", model::to_string(c.kind)},
          {"scope", scope},
          {"description", c.description},
          {"envelope_cipher", opt(c.envelope_cipher)},
          {"is_active", c.active},
          {"created_at", c.created_at},
          {"last_used_at", opt(c.last_used_at)},
          {"revoked_at", opt(c.revoked_at)}};
}

void add_user_routes(http::Router& r, ApiContext& ctx) {
  r.add("GET", "/api/v1/users", authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"limit", "offset"});
          if (!model::can_manage_users(who.role))
            throw Error(Errc::forbidden, "only a province admin may list users");
          int limit = query_int(req, "limit", 50, 1, 500);
          long long offset = query_int(req, "offset", 0, 0, 1 << 30);
          return json_response(200, user_page_json(ctx.users.list(limit, offset), limit, offset));
        }));
  r.add("POST", "/api/v1/users",
        authed(ctx, "user.create", [&ctx](Request& req, const Principal& who) {
          if (!model::can_manage_users(who.role))
            throw Error(Errc::forbidden, "only a province admin may create users");
          auto u = new_user_from(parse_json_body(req));
          try {
            auto id = ctx.auth.create_user(u);
            return json_response(
                201, {{"id", id}, {"username", u.username}, {"role", model::to_string(u.role)}});
          } catch (const Error& e) {
            if (e.code() == Errc::conflict) throw Error(Errc::conflict, "the user name is taken");
            throw;
          }
        }));
  r.add("PATCH", "/api/v1/users/{id}",
        authed(ctx, "user.update", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "user");
          if (!model::can_manage_users(who.role))
            throw Error(Errc::forbidden, "only a province admin may change users");
          auto body = parse_json_body(req);
          only_fields(body, {"is_active"});
          if (!body.contains("is_active") || !body["is_active"].is_boolean())
            throw Error(Errc::validation_failed, "is_active is required",
                        {{"/is_active", "true or false"}});
          if (id == who.id && !body["is_active"].get<bool>())
            throw Error(Errc::validation_failed, "you cannot deactivate yourself",
                        {{"/is_active", "ask another province admin"}});
          ctx.auth.set_active(id, body["is_active"].get<bool>());
          return json_response(200, {{"id", id}, {"is_active", body["is_active"]}});
        }));
}

void add_credential_routes(http::Router& r, ApiContext& ctx) {
  r.add("POST", "/api/v1/credentials",
        authed(ctx, "credential.create", [&ctx](Request& req, const Principal& who) {
          auto c = new_credential_from(parse_json_body(req));
          // Regulators issue credentials for what they oversee; the enterprise must be visible.
          bool regulator = who.role == model::Role::province_admin ||
                           who.role == model::Role::city_officer ||
                           who.role == model::Role::county_officer;
          if (!regulator) throw Error(Errc::forbidden, "only regulators issue API credentials");
          if (c.kind == model::Role::gateway) {
            ctx.registry.get(who, "enterprises", c.scope.company_code);  // 404 outside the scope
          } else if (who.role != model::Role::province_admin) {
            throw Error(Errc::forbidden, "only a province admin issues city-platform credentials");
          }
          auto issued = ctx.auth.create_credential(c, who.id);
          return json_response(201, issued_credential_json(issued));
        }));
  r.add("GET", "/api/v1/credentials", authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          json items = json::array();
          for (const auto& c : ctx.auth.list_credentials(who)) items.push_back(credential_json(c));
          return json_response(200, {{"items", items}});
        }));
  r.add("DELETE", "/api/v1/credentials/{id}",
        authed(ctx, "credential.revoke", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          ctx.auth.revoke_credential(who, id_param(req, "credential"));
          return Response::no_content();
        }));
}

void add_admin_routes(http::Router& r, ApiContext& ctx) {
  add_user_routes(r, ctx);
  add_credential_routes(r, ctx);
  r.add("GET", "/api/v1/audit", authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"limit", "before_id"});
          if (who.role != model::Role::province_admin)
            throw Error(Errc::forbidden, "only a province admin reads the audit log");
          return json_response(
              200, {{"items",
                     ctx.audit.recent(query_int(req, "limit", 100, 1, 1000),
                                      query_int(req, "before_id", 2147483647, 1, 2147483647))}});
        }));
}

void add_registry_routes(http::Router& r, ApiContext& ctx) {
  r.add("GET", "/api/v1/hazard-sources/{code}/grading",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200,
                               ctx.registry.grade_hazard_source(who, req.params["code"], false));
        }));
  r.add("POST", "/api/v1/hazard-sources/{code}/grading",
        authed(ctx, "registry.grade", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          parse_json_body(req, true);
          return json_response(200,
                               ctx.registry.grade_hazard_source(who, req.params["code"], true));
        }));
  AuthedHandler list = [&ctx](Request& req, const Principal& who) {
    const auto& entity = req.params["entity"];
    if (!service::RegistryService::is_entity(entity))
      throw Error(Errc::not_found, "no such endpoint");
    auto filters = service::RegistryService::filters_of(entity);
    std::set<std::string> allowed(filters.begin(), filters.end());
    allowed.insert({"q", "limit", "offset", "include_inactive"});
    check_query(req, allowed);
    service::ListParams p;
    for (const auto& f : filters)
      if (auto it = req.query.find(f); it != req.query.end()) p.filters[f] = it->second;
    if (auto it = req.query.find("q"); it != req.query.end()) p.q = it->second;
    if (auto it = req.query.find("include_inactive"); it != req.query.end()) {
      if (it->second != "true" && it->second != "false")
        throw Error(Errc::bad_request, "include_inactive must be true or false");
      p.include_inactive = it->second == "true";
    }
    p.limit = query_int(req, "limit", 50, 1, 500);
    p.offset = query_int(req, "offset", 0, 0, 1 << 30);
    return http::Response::json(200, ctx.registry.list_text(who, entity, p));
  };
  // The lists every dashboard polls, from the response cache (ADR 0018); not the gateways', whose
  // last_seen_at moves with every upload without a registry write.
  r.add("GET", "/api/v1/{entity}",
        authed(ctx, "",
               [list, cached = read_cached(ctx, Freshness::registry, list)](Request& req,
                                                                            const Principal& who) {
                 return req.params["entity"] == "gateways" ? list(req, who) : cached(req, who);
               }),
        http::Exec::worker, read_cached_early(ctx, Freshness::registry, [](const Request& req) {
          auto it = req.params.find("entity");
          return it != req.params.end() && it->second != "gateways";
        }));
  r.add("POST", "/api/v1/{entity}",
        authed(ctx, "registry.create", [&ctx](Request& req, const Principal& who) {
          if (!service::RegistryService::is_entity(req.params["entity"]))
            throw Error(Errc::not_found, "no such endpoint");
          check_query(req, {});
          return json_response(
              201, ctx.registry.create(who, req.params["entity"], parse_json_body(req)));
        }));
  r.add("GET", "/api/v1/{entity}/{key}",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, ctx.registry.get(who, req.params["entity"], req.params["key"]));
        }));
  r.add("PATCH", "/api/v1/{entity}/{key}",
        authed(ctx, "registry.update", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, ctx.registry.update(who, req.params["entity"],
                                                        req.params["key"], parse_json_body(req)));
        }));
  r.add("DELETE", "/api/v1/{entity}/{key}",
        authed(ctx, "registry.deactivate", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          ctx.registry.deactivate(who, req.params["entity"], req.params["key"]);
          return Response::no_content();
        }));
}

void add_deployment_routes(http::Router& r, ApiContext& ctx) {
  r.add("GET", "/api/v1/deployment/progress",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, ctx.roster.progress(who));
        }));
  r.add("GET", "/api/v1/deployment/tasks/{company}",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, ctx.roster.list_tasks(who, req.params["company"]));
        }));
  r.add("PATCH", "/api/v1/deployment/tasks/{company}/{task}",
        authed(ctx, "deployment.update", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(
              200, ctx.roster.update_task(who, req.params["company"], req.params["task"],
                                          parse_json_body(req)));
        }));
}

void add_ops_routes(http::Router& r, ApiContext& ctx) {
  r.add(
      "GET", "/healthz",
      [](Request&) {
        return json_response(200, {{"status", "ok"}});
      },
      Exec::inline_);
  r.add("GET", "/readyz", [&ctx](Request&) {
    auto rd = ctx.readiness();
    return json_response(rd.ready ? 200 : 503,
                         {{"status", rd.ready ? "ready" : "not_ready"}, {"detail", rd.detail}});
  });
  r.add(
      "GET", "/metrics",
      [&ctx](Request&) {
        Response resp;
        resp.content_type = "text/plain; version=0.0.4";
        resp.body = ctx.metrics.serialize();
        return resp;
      },
      Exec::inline_);
}

}  // namespace

void register_routes(http::Router& router, ApiContext& ctx) {
  add_ops_routes(router, ctx);
  add_auth_routes(router, ctx);
  add_admin_routes(router, ctx);
  add_deployment_routes(router, ctx);
  add_connection_routes(router, ctx);
  add_ingest_routes(router, ctx);
  add_commitment_routes(router, ctx);    // upload/commitments before upload/{table}
  add_permit_routes(router, ctx);        // upload/work-permits before upload/{table}
  add_sis_routes(router, ctx);           // upload/sis before upload/{table}
  add_unit_status_routes(router, ctx);   // upload/unit-status before upload/{table}
  add_circular_routes(router, ctx);      // upload/circulars/{id}/attachments likewise
  add_upload_table_routes(router, ctx);  // after upload/realtime, which its {table} would shadow
  add_warning_routes(router, ctx);
  add_stream_routes(router, ctx);
  add_video_routes(router, ctx);
  add_notify_routes(router, ctx);
  add_node_routes(router, ctx);
  add_statistics_routes(router, ctx);
  add_quality_routes(router, ctx);
  add_process_routes(router, ctx);
  add_patrol_routes(router, ctx);
  add_gb28181_routes(router, ctx);
  add_call_routes(router, ctx);
  add_plant_model_routes(router, ctx);
  add_federation_routes(router, ctx);
  add_registry_routes(router, ctx);  // last: its {entity} pattern would shadow the fixed paths
}

}  // namespace hazmon::api
