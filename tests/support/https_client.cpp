#include "https_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <memory>

namespace hazmon::test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

nlohmann::json HttpResult::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string HttpResult::header(const std::string& lower) const {
  auto it = headers.find(lower);
  return it == headers.end() ? std::string() : it->second;
}

namespace {
struct Conn {
  asio::io_context ioc;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  beast::ssl_stream<beast::tcp_stream> stream{ioc, ctx};
  explicit Conn(unsigned short port, const std::string& source = {}) {
    ctx.set_verify_mode(asio::ssl::verify_none);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    if (!source.empty()) {
      auto& sock = beast::get_lowest_layer(stream).socket();
      sock.open(tcp::v4());
      sock.bind(tcp::endpoint(asio::ip::make_address(source), 0));
    }
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream.handshake(asio::ssl::stream_base::client);
  }
};

HttpResult to_result(bhttp::response<bhttp::string_body>& res) {
  HttpResult r;
  r.status = static_cast<int>(res.result_int());
  r.body = res.body();
  for (const auto& f : res) {
    std::string n(f.name_string());
    for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[n] = std::string(f.value());
  }
  return r;
}

std::vector<std::pair<std::string, std::string>> auth(const std::string& token) {
  if (token.empty()) return {};
  return {{"Authorization", "Bearer " + token}};
}
}  // namespace

HttpResult HttpsClient::request(const std::string& method, const std::string& target,
                                const std::string& body,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
  std::unique_ptr<Conn> conn;
  try {
    conn = std::make_unique<Conn>(port_, source_);
  } catch (const boost::system::system_error&) {
    return HttpResult{};  // status 0: nothing listens (or the handshake failed)
  }
  Conn& c = *conn;
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  if (req.method() == bhttp::verb::unknown) req.method_string(method);
  req.set(bhttp::field::host, "localhost");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  // A server may answer (413) and close before taking the whole body: read its answer anyway.
  beast::error_code wec;
  bhttp::write(c.stream, req, wec);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code ec;
  bhttp::read(c.stream, buf, parser, ec);
  if (ec) return HttpResult{};
  auto res = parser.release();
  return to_result(res);
}

HttpResult HttpsClient::get(const std::string& target, const std::string& token) {
  return request("GET", target, {}, auth(token));
}

HttpResult HttpsClient::post_json(const std::string& target, const nlohmann::json& body,
                                  const std::string& token) {
  auto h = auth(token);
  h.emplace_back("Content-Type", "application/json");
  return request("POST", target, body.dump(), h);
}

HttpResult HttpsClient::patch_json(const std::string& target, const nlohmann::json& body,
                                   const std::string& token) {
  auto h = auth(token);
  h.emplace_back("Content-Type", "application/json");
  return request("PATCH", target, body.dump(), h);
}

HttpResult HttpsClient::del(const std::string& target, const std::string& token) {
  return request("DELETE", target, {}, auth(token));
}

HttpResult HttpsClient::raw(const std::string& bytes) {
  Conn c(port_, source_);
  beast::error_code ec;
  asio::write(c.stream, asio::buffer(bytes), ec);
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  bhttp::read(c.stream, buf, parser, ec);
  if (ec && !parser.is_done()) return HttpResult{};
  auto res = parser.release();
  return to_result(res);
}

std::vector<HttpResult> HttpsClient::keep_alive(const std::vector<std::string>& targets,
                                                const std::string& token) {
  Conn c(port_, source_);
  std::vector<HttpResult> out;
  beast::flat_buffer buf;
  for (const auto& t : targets) {
    bhttp::request<bhttp::string_body> req{bhttp::verb::get, t, 11};
    req.set(bhttp::field::host, "localhost");
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    req.keep_alive(true);
    bhttp::write(c.stream, req);
    bhttp::response<bhttp::string_body> res;
    bhttp::read(c.stream, buf, res);
    out.push_back(to_result(res));
  }
  return out;
}

std::string HttpsClient::read_stream(const std::string& target, const std::string& token,
                                     const std::string& needle, std::chrono::milliseconds timeout,
                                     const std::function<void()>& on_open) {
  Conn c(port_, source_);
  std::string req =
      "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  req += "\r\n";
  asio::write(c.stream, asio::buffer(req));
  std::string got;
  bool opened = false;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  // Synchronous reads would wait for the server's next keep-alive; run each read as an async
  // operation with a deadline instead.
  while (std::chrono::steady_clock::now() < deadline) {
    beast::error_code ec;
    std::size_t n = 0;
    bool done = false;
    c.stream.async_read_some(asio::buffer(buf), [&](beast::error_code e, std::size_t k) {
      ec = e;
      n = k;
      done = true;
    });
    c.ioc.restart();
    c.ioc.run_for(deadline - std::chrono::steady_clock::now());
    if (!done) {
      beast::get_lowest_layer(c.stream).cancel();
      c.ioc.restart();
      c.ioc.run();
      break;
    }
    if (ec) break;
    got.append(buf, n);
    if (!opened && got.find(": connected") != std::string::npos) {
      opened = true;
      if (on_open) on_open();
    }
    if (!needle.empty() && got.find(needle) != std::string::npos) break;
  }
  return got;
}

}  // namespace hazmon::test
