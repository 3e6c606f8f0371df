#pragma once
// hazmond's side of Janus's HTTP API (https://janus.conf.meetecho.com/docs/rest.html) with
// libcurl: plain requests for the VideoRoom rooms of duty calls, and the forwarding the dashboard's
// proxy needs. Every request carries Janus's api_secret; Janus is on loopback.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace hazmon::service {

struct JanusReply {
  long status = 0;   // HTTP status; 0 when Janus did not answer
  std::string body;  // as Janus sent it
};

class JanusClient {
 public:
  // `abort`: while true, every request in flight ends within about a second (shutdown).
  JanusClient(std::string url, std::string api_secret, std::chrono::milliseconds timeout,
              const std::atomic<bool>* abort = nullptr);

  // POST to url + path (a JSON body with `apisecret` set by the client).
  JanusReply post(const std::string& path, nlohmann::json body) const;
  // GET url + path + query (the session's event long poll); waits up to `timeout`.
  JanusReply get(const std::string& path_and_query, std::chrono::milliseconds timeout) const;

  // One VideoRoom request in a session of its own (create, attach, message, destroy); the
  // plugin's answer (`plugindata.data`). core::Error(unavailable) when Janus does not answer or
  // answers with an error.
  nlohmann::json videoroom(const nlohmann::json& body) const;

 private:
  JanusReply request(const std::string& url, const std::string* body,
                     std::chrono::milliseconds timeout) const;

  std::string url_, api_secret_;
  std::chrono::milliseconds timeout_;
  const std::atomic<bool>* abort_;
};

}  // namespace hazmon::service
