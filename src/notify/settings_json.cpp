#include <nlohmann/json.hpp>

#include <hazmon/notify/sms_gateway.hpp>
#include <hazmon/notify/smtp_mailer.hpp>

namespace hazmon::notify {

void from_json(const nlohmann::json& j, SmtpSettings& s) {
  s.url = j.at("url").get<std::string>();
  s.username = j.at("username").get<std::string>();
  s.from = j.at("from").get<std::string>();
  s.starttls = j.at("starttls").get<bool>();
  s.verify_peer = j.at("verify_peer").get<bool>();
  s.ca_file = j.at("ca_file").get<std::string>();
  s.timeout = std::chrono::milliseconds(j.at("timeout_ms").get<int>());
}

void from_json(const nlohmann::json& j, HttpSmsSettings& s) {
  s.url = j.at("url").get<std::string>();
  s.api_key_header = j.at("api_key_header").get<std::string>();
  s.sign_name = j.at("sign_name").get<std::string>();
  s.verify_peer = j.at("verify_peer").get<bool>();
  s.ca_file = j.at("ca_file").get<std::string>();
  s.timeout = std::chrono::milliseconds(j.at("timeout_ms").get<int>());
}

}  // namespace hazmon::notify
