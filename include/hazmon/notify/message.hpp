#pragma once
// One notification to one person on one channel, as the outbox stores it and the senders take it.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hazmon::notify {

enum class Channel { sms, email };

std::string_view to_string(Channel c);
std::optional<Channel> channel_from_string(std::string_view s);

// A file sent with an e-mail (multipart/mixed); `filename` is plain ASCII.
struct Attachment {
  std::string filename;
  std::string content_type;  // "application/pdf", "text/html; charset=UTF-8"
  std::string data;
};

struct Message {
  Channel channel = Channel::sms;
  std::string recipient;       // mobile number (sms) or e-mail address (email)
  std::string recipient_name;  // shown in the To: header; may be empty
  std::string subject;         // e-mail only; SMS carries the body alone
  std::string body;            // UTF-8 text
  std::string message_id;      // e-mail only: Message-ID; without "@" the sender's domain is added;
                               // empty: random
  std::vector<Attachment> attachments;  // e-mail only (the daily and weekly reports)
};

// A sender could not deliver. `permanent` means retrying cannot help (the recipient was rejected,
// the gateway refused the request as malformed); anything else is worth another attempt.
class SendError : public std::runtime_error {
 public:
  SendError(const std::string& what, bool permanent)
      : std::runtime_error(what), permanent_(permanent) {}
  bool permanent() const noexcept { return permanent_; }

 private:
  bool permanent_;
};

}  // namespace hazmon::notify
