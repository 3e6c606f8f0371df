#include <hazmon/notify/mime.hpp>

#include <hazmon/core/random.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>

namespace hazmon::notify {
namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Raw bytes per encoded word: 42 bytes → 56 base64 characters → a 68-character word, so that
// even the first line ("Subject: " + word) stays within 78 characters. A multiple of 3 keeps
// each word's base64 free of padding except the last.
constexpr std::size_t kWordBytes = 42;

bool plain_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// Length of the UTF-8 sequence that starts with byte c (1 for a stray continuation byte, so
// that malformed input still makes progress).
std::size_t utf8_len(unsigned char c) {
  if (c >= 0xf0) return 4;
  if (c >= 0xe0) return 3;
  if (c >= 0xc0) return 2;
  return 1;
}

// Header text never carries a line break: a CR or LF in a name would start a new header.
std::string one_line(std::string_view s) {
  std::string out;
  for (char c : s) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}
}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < data.size()) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < data.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string encode_header_words(std::string_view text) {
  std::string clean = one_line(text);
  if (plain_ascii(clean) && clean.size() <= 68) return clean;
  std::string out;
  std::size_t pos = 0;
  while (pos < clean.size()) {
    std::size_t end = pos;
    while (end < clean.size()) {
      std::size_t n = utf8_len(static_cast<unsigned char>(clean[end]));
      if (end + n > clean.size()) n = clean.size() - end;
      if (end - pos + n > kWordBytes) break;
      end += n;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64_encode(std::string_view(clean).substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::string rfc5322_date(core::SysTime t) {
  using namespace std::chrono;
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto local = floor<seconds>(t) + hours(8);  // China Standard Time, no daylight saving
  auto day = floor<days>(local);
  year_month_day ymd{day};
  weekday wd{day};
  hh_mm_ss hms{local - day};
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "%s, %02u %s %04d %02lld:%02lld:%02lld +0800", kDays[wd.c_encoding()],
      static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
      static_cast<int>(ymd.year()), static_cast<long long>(hms.hours().count()),
      static_cast<long long>(hms.minutes().count()), static_cast<long long>(hms.seconds().count()));
  return buf;
}

std::string address_of(std::string_view mailbox) {
  auto open = mailbox.rfind('<');
  auto close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open)
    return std::string(mailbox.substr(open + 1, close - open - 1));
  auto b = mailbox.find_first_not_of(' ');
  auto e = mailbox.find_last_not_of(' ');
  return b == std::string_view::npos ? std::string() : std::string(mailbox.substr(b, e - b + 1));
}

std::string format_address(std::string_view name, std::string_view address) {
  std::string addr = one_line(address);
  std::string n = one_line(name);
  if (n.empty()) return addr;
  if (plain_ascii(n)) {
    std::string quoted = "\"";
    for (char c : n) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\" <" + addr + ">";
  }
  return encode_header_words(n) + " <" + addr + ">";
}

std::string build_mime(const MimeMessage& m) {
  // The display name of From, if any, is what comes before "<".
  std::string from_name;
  if (auto lt = m.from.find('<'); lt != std::string::npos) {
    from_name = m.from.substr(0, lt);
    while (!from_name.empty() && from_name.back() == ' ') from_name.pop_back();
    if (from_name.size() >= 2 && from_name.front() == '"' && from_name.back() == '"')
      from_name = from_name.substr(1, from_name.size() - 2);
  }
  std::string out;
  out += "From: " + format_address(from_name, address_of(m.from)) + "\r\n";
  out += "To: " + format_address(m.to_name, m.to_address) + "\r\n";
  out += "Subject: " + encode_header_words(m.subject) + "\r\n";
  out += "Date: " + rfc5322_date(m.date) + "\r\n";
  out += "Message-ID: <" + one_line(m.message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  std::string boundary;
  if (!m.attachments.empty()) {
    // Base64 never contains "=_", so the boundary cannot occur inside a part.
    boundary = "=_hazmon_" + core::random_hex(8);
    out += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
    out += "--" + boundary + "\r\n";
  }
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  out += "\r\n";
  std::string body;
  body.reserve(m.body.size() + m.body.size() / 16);
  for (std::size_t i = 0; i < m.body.size(); ++i) {
    char c = m.body[i];
    if (c == '\r') continue;  // normalised: every line ends in CRLF below
    if (c == '\n') body += '\r';
    body += c;
  }
  auto b64 = base64_encode(body);
  for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  for (const auto& a : m.attachments) {
    std::string name = one_line(a.filename);
    for (auto& ch : name)
      if (static_cast<unsigned char>(ch) <= 0x20 || static_cast<unsigned char>(ch) > 0x7e ||
          ch == '"' || ch == '\\')
        ch = '_';
    out += "--" + boundary + "\r\n";
    out += "Content-Type: " + one_line(a.content_type) + ";\r\n name=\"" + name + "\"\r\n";
    out += "Content-Transfer-Encoding: base64\r\n";
    out += "Content-Disposition: attachment;\r\n filename=\"" + name + "\"\r\n\r\n";
    auto data = base64_encode(a.data);
    for (std::size_t i = 0; i < data.size(); i += 76) out += data.substr(i, 76) + "\r\n";
  }
  if (!boundary.empty()) out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace hazmon::notify
