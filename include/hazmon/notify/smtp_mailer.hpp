#pragma once
// E-mail through an SMTP relay with libcurl: smtp:// (optionally upgraded with STARTTLS) or
// smtps://, optional AUTH, connect and total timeouts. One connection per message: the volume is
// a few messages per warning event, and a fresh connection recovers from a relay restart.
#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include <hazmon/core/clock.hpp>
#include <hazmon/notify/message.hpp>

namespace hazmon::notify {

// What the outbox needs from an e-mail sender; tests use the real SmtpMailer against a local
// SMTP server.
class Mailer {
 public:
  virtual ~Mailer() = default;
  // Throws SendError.
  virtual void send(const Message& m) = 0;
};

struct SmtpSettings {
  std::string url;       // smtp://host:25, smtp://host:587 (with starttls), smtps://host:465
  std::string username;  // empty: no AUTH
  std::string password;
  std::string from;       // "危化品风险监测平台 <noreply@example.org>"
  bool starttls = false;  // require STARTTLS on smtp:// (fails when the server does not offer it)
  bool verify_peer = true;
  std::string ca_file;  // extra CA bundle for the relay's certificate; empty: the system's
  std::chrono::milliseconds timeout{15000};
};
// The config's `notify.smtp` section, all but the password (app reads it from password_env or
// password_file, config::read_secret).
void from_json(const nlohmann::json& j, SmtpSettings& s);

class SmtpMailer final : public Mailer {
 public:
  SmtpMailer(SmtpSettings s, const core::Clock& clock);
  void send(const Message& m) override;

 private:
  SmtpSettings s_;
  const core::Clock& clock_;
};

}  // namespace hazmon::notify
