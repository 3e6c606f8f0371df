#pragma once
// The Chinese texts of warning notifications. Input is the push as WarningService::on_push gives
// it (model::WarningPush: the event, its recipients and push_reason); output is a subject and
// body per channel. SMS stays short (one or two
// segments of 70 characters where the content allows); e-mail carries every detail.
#include <string>
#include <string_view>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/warning_view.hpp>
#include <hazmon/notify/message.hpp>

namespace hazmon::notify {

struct TemplateSettings {
  std::string dashboard_url;  // "https://hazmon.example.org"; empty: no link
  std::string sms_prefix = "【危化品风险监测】";
};

struct Rendered {
  std::string subject;
  std::string body;
};

// "红色预警" for "red", and so on; "预警" for anything unknown.
std::string level_name_zh(std::string_view level);

// push_reason "created" (a new event), "level_raised" or "escalated" (a deadline passed and the
// recipients widened); an unknown reason renders as "created".
Rendered render_warning(const model::WarningPush& push, Channel channel, const TemplateSettings& s);

// UTC+8 "yyyy-MM-dd HH:mm" of an RFC 3339 time; the input unchanged when it does not parse.
std::string local_minute(const std::string& rfc3339);

// The dashboard page `path` ("/warning-events/12") under s.dashboard_url (trailing slashes
// dropped); "" when no dashboard URL is set.
std::string dashboard_link(const TemplateSettings& s, const std::string& path);

// The last line of every notification e-mail.
inline constexpr std::string_view kMailFooter =
    "\n本邮件由危险化学品安全风险监测预警系统自动发送，请勿直接回复。\n";

}  // namespace hazmon::notify
