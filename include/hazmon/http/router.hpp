#pragma once
// Method + path pattern → handler. Patterns are literal segments and {name} placeholders.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/http/message.hpp>

namespace hazmon::http {

using Handler = std::function<Response(Request&)>;

// Where a handler runs: `inline_` on the I/O thread (cheap, never blocks), `worker` on the
// worker pool (database, password hashing, files).
enum class Exec { inline_, worker };

// A route's early step: runs on the I/O thread before the handler and may answer there, without
// the hop to the worker pool (api::read_cached: a cache hit for a session known in memory). It
// must not block; it calls `resume` exactly once, from any thread: with a response to send it,
// with nullopt to run the handler as usual.
using Resume = std::function<void(std::optional<Response>)>;
using Early = std::function<void(Request&, Resume)>;

struct Route {
  std::string method;
  std::vector<std::string> segments;
  Handler handler;
  Exec exec = Exec::worker;
  Early early;  // optional
};

class Router {
 public:
  void add(std::string method, const std::string& pattern, Handler h, Exec exec = Exec::worker,
           Early early = {});
  // A fallback for GET requests no route matched (static files).
  void set_fallback(Handler h) { fallback_ = std::move(h); }

  struct Match {
    const Route* route = nullptr;
    bool path_known = false;  // some route has this path with another method → 405
    std::string allow;        // those methods, for the Allow header
  };
  Match match(Request& req) const;
  const Handler& fallback() const { return fallback_; }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace hazmon::http
