#pragma once
// A small blocking HTTPS client for API tests: one TLS connection per request (or raw bytes),
// certificate not verified (the server uses a throw-away development certificate).
#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hazmon::test {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json json() const;
  std::string header(const std::string& lower) const;
};

class HttpsClient {
 public:
  explicit HttpsClient(unsigned short port) : port_(port) {}
  // Connect from this local address (e.g. "127.0.0.2": any of 127/8 reaches the server on
  // Linux), so that tests can act as several clients; empty: the system's choice.
  HttpsClient& from(std::string source_address) {
    source_ = std::move(source_address);
    return *this;
  }
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {});
  HttpResult get(const std::string& target, const std::string& token = {});
  HttpResult post_json(const std::string& target, const nlohmann::json& body,
                       const std::string& token = {});
  HttpResult patch_json(const std::string& target, const nlohmann::json& body,
                        const std::string& token = {});
  HttpResult del(const std::string& target, const std::string& token = {});
  // Status 0 when nothing listens or the connection fails before a response.
  // Writes `bytes` as they are over TLS and parses whatever response comes back (status 0
  // when the server just closes the connection).
  HttpResult raw(const std::string& bytes);
  // Opens a long-lived GET (server-sent events), calls `on_open` once the stream has started,
  // and returns everything received until `needle` appears or `timeout` passes.
  std::string read_stream(const std::string& target, const std::string& token,
                          const std::string& needle, std::chrono::milliseconds timeout,
                          const std::function<void()>& on_open);
  // Several requests over one kept-alive connection; returns each result.
  std::vector<HttpResult> keep_alive(const std::vector<std::string>& targets,
                                     const std::string& token = {});

 private:
  unsigned short port_;
  std::string source_;
};

}  // namespace hazmon::test
