#pragma once
// The Chinese texts of a circular's (信息通报, docs/circulars.md) SMS and e-mail to the named
// enterprises: its publication, its withdrawal, and the reminder once the acknowledgement deadline
// has passed. SMS is short (issuer, title, deadline; no attachment); the e-mail carries the body
// text, the deadline and the dashboard link, and says how many attachments wait in the system
// (they are not mailed: docs/circulars.md).
#include <optional>
#include <string>

#include <hazmon/core/clock.hpp>
#include <hazmon/notify/message.hpp>
#include <hazmon/notify/templates.hpp>

namespace hazmon::notify {

struct CircularNotice {
  long long id = 0;
  std::string step;  // "published", "withdrawn" or "reminder"
  std::string issuer, kind_name, title, body, withdraw_reason;
  std::optional<core::SysTime> ack_deadline;
  int attachments = 0;
};

Rendered render_circular(const CircularNotice& n, Channel channel, const TemplateSettings& s);

// At most `max_chars` UTF-8 characters of `s`, with "…" when cut.
std::string clip_utf8(const std::string& s, std::size_t max_chars);

}  // namespace hazmon::notify
