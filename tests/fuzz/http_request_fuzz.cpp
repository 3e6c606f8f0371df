// libFuzzer target: the HTTP request path without a socket. Raw bytes go through Beast's
// request_parser with the server's limits (src/http/server.cpp, session()), become an
// http::Request as session() builds it, then http::parse_target (percent-decoding, query map),
// then Router::match over every route pattern of src/api/*.cpp (extracted at configure time into
// fuzz_routes.inc), and the 404/405 problem answers dispatch() would give.
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <hazmon/http/message.hpp>
#include <hazmon/http/problem.hpp>
#include <hazmon/http/router.hpp>
#include <hazmon/http/server.hpp>

namespace bhttp = boost::beast::http;
using namespace hazmon;

namespace {
const http::Router& router() {
  static const http::Router r = [] {
    http::Router out;
    struct R {
      const char* method;
      const char* pattern;
    };
    static constexpr R kRoutes[] = {
#include "fuzz_routes.inc"
    };
    for (const auto& x : kRoutes)
      out.add(x.method, x.pattern, [](http::Request&) { return http::Response::no_content(); });
    out.set_fallback([](http::Request&) { return http::Response::no_content(); });
    return out;
  }();
  return r;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const http::ServerSettings limits;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(limits.max_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.eager(true);
  boost::beast::error_code ec;
  auto buf = boost::asio::buffer(data, size);
  while (buf.size() > 0 && !parser.is_done()) {
    auto used = parser.put(buf, ec);
    if (ec) break;
    if (used == 0) break;
    buf += used;
  }
  if ((ec == bhttp::error::need_more || !ec) && !parser.is_done()) {
    // The connection ends here: Beast's read hands the parser an EOF only after some bytes (else
    // the read itself fails with end_of_stream, which session() treats as a closed connection).
    if (!parser.got_some()) return 0;
    ec = {};
    parser.put_eof(ec);
  }
  if (ec || !parser.is_done()) return 0;

  auto breq = parser.release();
  http::Request req;
  req.method = std::string(breq.method_string());
  req.target = std::string(breq.target());
  req.client_addr = "192.0.2.1";
  for (const auto& f : breq) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  req.request_id = "fuzz";
  req.body = std::move(breq.body());
  (void)breq.keep_alive();
  (void)req.bearer_token();
  (void)req.header("content-type");

  if (!http::parse_target(req.target, req)) {
    (void)http::problem(400, "bad_target", "the request target is malformed", req.request_id);
    return 0;
  }
  if (req.path.empty() || req.path[0] != '/') std::abort();
  auto m = router().match(req);
  if (m.route) {
    if (m.route->method != req.method && !(req.method == "HEAD" && m.route->method == "GET"))
      std::abort();
    for (const auto& [k, v] : req.params)
      if (v.empty() || v.find('/') != std::string::npos) std::abort();
    (void)m.route->handler(req);
  } else if (m.path_known) {
    if (m.allow.empty()) std::abort();
    auto r = http::problem(405, "method_not_allowed", "this path does not accept " + req.method,
                           req.request_id);
    r.headers.emplace_back("Allow", m.allow);
  } else {
    (void)http::problem(404, "route_not_found", "no such endpoint", req.request_id);
  }
  return 0;
}
