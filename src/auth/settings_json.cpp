#include <nlohmann/json.hpp>

#include <hazmon/auth/auth_service.hpp>

namespace hazmon::auth {

void from_json(const nlohmann::json& j, AuthSettings& s) {
  s.session_ttl = std::chrono::minutes(j.at("session_ttl_minutes").get<int>());
  s.throttle.max_failures = j.at("login_max_failures").get<int>();
  s.throttle.window = std::chrono::seconds(j.at("login_window_seconds").get<int>());
  s.throttle.lockout = std::chrono::seconds(j.at("login_lockout_seconds").get<int>());
  s.throttle.user_free_failures = j.at("user_free_failures").get<int>();
  s.throttle.user_max_delay = std::chrono::seconds(j.at("user_max_delay_seconds").get<int>());
}

}  // namespace hazmon::auth
