#include <hazmon/notify/message.hpp>

namespace hazmon::notify {

std::string_view to_string(Channel c) { return c == Channel::sms ? "sms" : "email"; }

std::optional<Channel> channel_from_string(std::string_view s) {
  if (s == "sms") return Channel::sms;
  if (s == "email") return Channel::email;
  return std::nullopt;
}

}  // namespace hazmon::notify
