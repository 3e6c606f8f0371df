#pragma once
// The pieces of an RFC 5322 / MIME message that SMTP needs and that are easy to get wrong with
// Chinese text: encoded words (RFC 2047) for headers, base64 bodies in UTF-8, the Date format.
// Pure functions, unit-tested in tests/unit/notify/.
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/notify/message.hpp>

namespace hazmon::notify {

std::string base64_encode(std::string_view data);

// A header value: returned unchanged when it is printable ASCII, otherwise as one or more
// "=?UTF-8?B?...?=" encoded words of at most 75 characters each, never splitting a UTF-8
// character, separated by CRLF + space (folding) so that no header line exceeds 78 characters.
std::string encode_header_words(std::string_view text);

// "Sun, 29 Nov 2026 23:55:01 +0800": RFC 5322 date-time in China Standard Time.
std::string rfc5322_date(core::SysTime t);

// `name <addr>` with the display name encoded when needed; just the address when name is empty.
std::string format_address(std::string_view name, std::string_view address);

// The address part of "name <addr>" (or the whole string when there are no angle brackets).
std::string address_of(std::string_view mailbox);

struct MimeMessage {
  std::string from;  // "平台 <noreply@example.org>" or "noreply@example.org"
  std::string to_name;
  std::string to_address;
  std::string subject;     // UTF-8
  std::string body;        // UTF-8 plain text; "\n" line ends are sent as CRLF
  std::string message_id;  // without angle brackets
  core::SysTime date;
  std::vector<Attachment> attachments;  // none: a single text/plain part
};

// The whole message, CRLF line ends, 7-bit clean: headers, a blank line, base64 body lines of
// 76 characters. With attachments: multipart/mixed, the text first, then each file in base64
// with Content-Disposition: attachment.
std::string build_mime(const MimeMessage& m);

}  // namespace hazmon::notify
