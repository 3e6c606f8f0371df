#pragma once
// Parsing and authentication shared by the handlers.
#include <nlohmann/json.hpp>

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <hazmon/api/api.hpp>
#include <hazmon/http/message.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/service/audit_log.hpp>

namespace hazmon::api {

// The body as JSON: Content-Type must be application/json (415), nesting at most 32 deep and
// the text valid JSON (400). An empty body is an error unless `allow_empty`.
nlohmann::json parse_json_body(const http::Request& req, bool allow_empty = false);

// Query parameters must all be known (400 names the unknown one).
void check_query(const http::Request& req, const std::set<std::string>& allowed);
int query_int(const http::Request& req, const std::string& key, int def, int min, int max);
// A query parameter, or `def` when absent.
std::string query_or(const http::Request& req, const char* key, const char* def);
// The query parameters among `keys` that are present (filters for list endpoints).
std::map<std::string, std::string> query_subset(const http::Request& req,
                                                std::initializer_list<const char*> keys);
// ?limit (1 to 1000, default 100) and ?offset (0 to 2^30, default 0) of a list.
struct PageParams {
  int limit = 100;
  int offset = 0;
};
PageParams query_page(const http::Request& req);
// A query parameter, or nullopt when absent (an optional filter).
std::optional<std::string> query_opt(const http::Request& req, const char* key);
// A true/false query parameter, nullopt when absent; anything else is 400 "<key> must be true
// or false".
std::optional<bool> query_flag(const http::Request& req, const char* key);
// The `{id}` path parameter as a positive number; anything else (including "../..") is a 404
// "no such <what>", as an absent row would be.
long long id_param(http::Request& req, const char* what);

http::Response json_response(int status, const nlohmann::json& body);

// The audit entry of a request: who, from where, what and its outcome. The caller adds `detail`
// and records it (ctx.audit.record).
service::AuditEntry audit_entry(const http::Request& req, const model::Principal& who, int status,
                                std::string action, std::string target);

using AuthedHandler = std::function<http::Response(http::Request&, const model::Principal&)>;

// Authenticates the bearer token (401 otherwise) and, for methods that change state, writes
// an audit entry for people with the outcome.
http::Handler authed(ApiContext& ctx, std::string action, AuthedHandler h);

}  // namespace hazmon::api
