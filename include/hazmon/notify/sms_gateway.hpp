#pragma once
// SMS through a third-party gateway. HttpSmsGateway posts JSON to a configured URL with an API key
// header; RecordingSmsGateway keeps messages in memory (the one fake the test rules allow: a
// third-party SMS gateway cannot run in the test suite).
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <hazmon/notify/message.hpp>

namespace hazmon::notify {

class SmsGateway {
 public:
  virtual ~SmsGateway() = default;
  // Throws SendError.
  virtual void send(const Message& m) = 0;
};

struct HttpSmsSettings {
  std::string url;      // https://sms.example.org/v1/send
  std::string api_key;  // sent in api_key_header
  std::string api_key_header = "X-Api-Key";
  std::string sign_name;  // 短信签名, added to the request as "sign" when set
  std::string ca_file;    // extra CA bundle; empty: the system's
  bool verify_peer = true;
  std::chrono::milliseconds timeout{10000};
};
// The config's `notify.sms` section, all but the API key (app reads it from api_key_env or
// api_key_file, config::read_secret).
void from_json(const nlohmann::json& j, HttpSmsSettings& s);

// POST {"phone": "...", "content": "...", "sign": "..."} as application/json. 2xx is delivered;
// 4xx other than 408/429 is permanent (the gateway refuses this message); anything else,
// including timeouts and connection failures, is retried.
class HttpSmsGateway final : public SmsGateway {
 public:
  explicit HttpSmsGateway(HttpSmsSettings s);
  void send(const Message& m) override;

 private:
  HttpSmsSettings s_;
};

class RecordingSmsGateway final : public SmsGateway {
 public:
  void send(const Message& m) override;
  std::vector<Message> sent() const;
  // While set, send() throws a retryable SendError (a gateway outage).
  void set_failing(bool failing);

 private:
  mutable std::mutex mu_;
  std::vector<Message> sent_;
  bool failing_ = false;
};

}  // namespace hazmon::notify
