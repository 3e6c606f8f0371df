#pragma once
// Plain request and response values; Beast stays inside src/http.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hazmon::http {

// Base of what a route's early step leaves on a request for its handler.
struct EarlyState {
  virtual ~EarlyState() = default;
};

struct Request {
  std::string method;                         // "GET", "POST", ...
  std::string target;                         // raw request target
  std::string path;                           // percent-decoded path without the query
  std::map<std::string, std::string> query;   // decoded; a repeated key keeps the last value
  std::map<std::string, std::string> params;  // from {placeholders} in the route
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string client_addr;
  std::string request_id;
  // What a route's early step (router.hpp) leaves for its handler (api::read_cached: the
  // registry version it read).
  std::shared_ptr<const EarlyState> early_state;

  std::string_view header(std::string_view lower_name) const;
  // "Authorization: Bearer X" → X; empty when absent or another scheme.
  std::string bearer_token() const;
};

class EventStream;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Set: the body, shared with whoever else holds it (the response cache), sent without a copy;
  // `body` is then empty.
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<EventStream> stream;  // set: a text/event-stream that stays open

  static Response json(int status, std::string body);
  static Response no_content();
};

// Decodes %XX and, in query strings, '+'. Returns false on a malformed escape or a NUL byte.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space);
// Splits a request target into req.path (decoded, starting with '/') and req.query; false on a
// malformed escape or a path that does not start with '/'.
bool parse_target(std::string_view target, Request& req);

}  // namespace hazmon::http
