#include "request_helpers.hpp"

#include <spdlog/spdlog.h>
#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/json_text.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/http/problem.hpp>
#include <hazmon/service/audit_log.hpp>

namespace hazmon::api {
using core::Errc;
using core::Error;

namespace {
bool is_mutation(const std::string& m) {
  return m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE";
}
}  // namespace

nlohmann::json parse_json_body(const http::Request& req, bool allow_empty) {
  if (req.body.empty()) {
    if (allow_empty) return nlohmann::json::object();
    throw Error(Errc::bad_request, "a JSON body is required");
  }
  auto ct = req.header("content-type");
  auto semi = ct.find(';');
  std::string media(ct.substr(0, semi));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media)
    c = static_cast<char>(
        std::tolower(static_cast<unsigned char>(c)));  // media types are case-insensitive
  if (media != "application/json")
    throw Error(Errc::unsupported_media, "send the body as application/json");
  // nlohmann's parser recurses per nesting level; refuse deep documents before parsing.
  if (!core::json_nesting_within(req.body))
    throw Error(Errc::bad_request, core::Reason::json_too_deep,
                "the JSON body is nested too deeply");
  try {
    return nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(Errc::bad_request,
                "the body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception&) {
    // out_of_range: a number too large for a double (1e400).
    throw Error(Errc::bad_request, "the body holds a number out of range");
  }
}

void check_query(const http::Request& req, const std::set<std::string>& allowed) {
  for (const auto& [k, v] : req.query) {
    if (!allowed.count(k)) throw Error(Errc::bad_request, "unknown query parameter '" + k + "'");
    if (v.size() > 200) throw Error(Errc::bad_request, "query parameter '" + k + "' is too long");
  }
}

std::string query_or(const http::Request& req, const char* key, const char* def) {
  auto it = req.query.find(key);
  return it == req.query.end() ? def : it->second;
}

int query_int(const http::Request& req, const std::string& key, int def, int min, int max) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return def;
  const auto& s = it->second;
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos)
    throw Error(Errc::bad_request, key + " must be a whole number");
  long long v = std::stoll(s);
  if (v < min || v > max)
    throw Error(Errc::bad_request,
                key + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  return static_cast<int>(v);
}

http::Response json_response(int status, const nlohmann::json& body) {
  return http::Response::json(status,
                              body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

http::Handler authed(ApiContext& ctx, std::string action, AuthedHandler h) {
  return
      [&ctx, action = std::move(action), h = std::move(h)](http::Request& req) -> http::Response {
        auto token = req.bearer_token();
        auto who = token.empty() ? std::nullopt : ctx.auth.authenticate(token);
        if (!who) {
          return http::problem(core::Errc::unauthenticated, core::Reason::none,
                               token.empty() ? "log in first: send Authorization: Bearer <token>"
                                             : "the token is invalid or has expired",
                               req.request_id);
        }
        http::Response resp;
        try {
          resp = h(req, *who);
        } catch (const Error& e) {
          if (e.code() == Errc::internal)
            core::logger(core::LogModule::api)
                ->error("request_id={} {} {}: {}", req.request_id, req.method, req.path, e.what());
          resp = http::problem(e, req.request_id);
        }
        // Every state change is audited, by people and machine credentials alike, except uploads,
        // which keep their own trail (reading uploads their upload records, base-table uploads one
        // audit entry with what they changed: routes_upload_tables.cpp), and throttled attempts
        // (counted in hazmon_auth_throttled_total).
        if (is_mutation(req.method) && resp.status != 429 &&
            req.path.rfind("/api/v1/upload/", 0) != 0) {
          std::string target;
          for (const auto& [k, v] : req.params) target += (target.empty() ? "" : "/") + v;
          ctx.audit.record(audit_entry(req, *who, resp.status, action, std::move(target)));
        }
        return resp;
      };
}

service::AuditEntry audit_entry(const http::Request& req, const model::Principal& who, int status,
                                std::string action, std::string target) {
  service::AuditEntry a;
  a.request_id = req.request_id;
  a.actor_id = who.id;
  a.actor_name = who.name;
  a.actor_role = std::string(model::to_string(who.role));
  a.client_addr = req.client_addr;
  a.method = req.method;
  a.path = req.path;
  a.status = status;
  a.action = std::move(action);
  a.target = std::move(target);
  return a;
}

std::map<std::string, std::string> query_subset(const http::Request& req,
                                                std::initializer_list<const char*> keys) {
  std::map<std::string, std::string> out;
  for (auto* k : keys)
    if (auto it = req.query.find(k); it != req.query.end()) out[k] = it->second;
  return out;
}

PageParams query_page(const http::Request& req) {
  return {query_int(req, "limit", 100, 1, 1000), query_int(req, "offset", 0, 0, 1 << 30)};
}

std::optional<std::string> query_opt(const http::Request& req, const char* key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return std::nullopt;
  return it->second;
}

std::optional<bool> query_flag(const http::Request& req, const char* key) {
  auto v = query_opt(req, key);
  if (!v) return std::nullopt;
  if (*v != "true" && *v != "false")
    throw core::Error(core::Errc::bad_request, std::string(key) + " must be true or false");
  return *v == "true";
}

long long id_param(http::Request& req, const char* what) {
  const auto& id = req.params["id"];
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
    throw core::Error(core::Errc::not_found, std::string("no such ") + what);
  return std::stoll(id);
}

}  // namespace hazmon::api
