#include <hazmon/notify/smtp_mailer.hpp>

#include <hazmon/core/random.hpp>
#include <hazmon/notify/mime.hpp>

#include <cstring>

#include "curl_init.hpp"

namespace hazmon::notify {
namespace {
struct Reader {
  const std::string* data;
  std::size_t pos = 0;
};

std::size_t read_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* r = static_cast<Reader*>(user);
  std::size_t want = size * n;
  std::size_t left = r->data->size() - r->pos;
  std::size_t take = want < left ? want : left;
  std::memcpy(buf, r->data->data() + r->pos, take);
  r->pos += take;
  return take;
}

bool bad_address(const std::string& a) {
  return a.empty() || a.find_first_of("\r\n<> ,") != std::string::npos ||
         a.find('@') == std::string::npos;
}
}  // namespace

SmtpMailer::SmtpMailer(SmtpSettings s, const core::Clock& clock) : s_(std::move(s)), clock_(clock) {
  curl_global_once();
}

void SmtpMailer::send(const Message& m) {
  if (bad_address(m.recipient)) throw SendError("not an e-mail address", true);
  std::string from_addr = address_of(s_.from);
  if (bad_address(from_addr)) throw SendError("notify.smtp.from is not an e-mail address", true);
  MimeMessage mime;
  mime.from = s_.from;
  mime.to_name = m.recipient_name;
  mime.to_address = m.recipient;
  mime.subject = m.subject;
  mime.body = m.body;
  mime.date = clock_.now();
  mime.attachments = m.attachments;
  // A stable id per outbox row lets the receiving side recognise a resend after a crash.
  mime.message_id = m.message_id.empty() ? "hazmon." + core::random_hex(8) : m.message_id;
  if (mime.message_id.find('@') == std::string::npos)
    mime.message_id += from_addr.substr(from_addr.find('@'));
  std::string text = build_mime(mime);

  CurlHandle h(curl_easy_init());
  if (!h) throw SendError("curl_easy_init failed", false);
  char err[CURL_ERROR_SIZE] = {0};
  Reader reader{&text};
  CurlList rcpt(curl_slist_append(nullptr, ("<" + m.recipient + ">").c_str()));
  std::string mail_from = "<" + from_addr + ">";
  auto* c = h.get();
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(c, CURLOPT_URL, s_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.timeout.count()));
  if (s_.starttls) curl_easy_setopt(c, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, s_.verify_peer ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, s_.verify_peer ? 2L : 0L);
  if (!s_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s_.ca_file.c_str());
  if (!s_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, s_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, s_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(c, CURLOPT_READDATA, &reader);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return;
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  std::string what = std::string("smtp: ") + (err[0] ? err : curl_easy_strerror(rc));
  if (code > 0) what += " (server replied " + std::to_string(code) + ")";
  // 5xx: the relay refused this message or recipient for good; 4xx and transport failures pass.
  throw SendError(what, code >= 500 && code < 600);
}

}  // namespace hazmon::notify
