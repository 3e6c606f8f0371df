#pragma once
// The Chinese texts of warning notifications. Input is the warning event as
// WarningService::on_push gives it (GET /warning-events/{id} fields plus push_reason and
// recipients); output is a subject and body per channel. SMS stays short (one or two
// segments of 70 characters where the content allows); e-mail carries every detail.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

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
Rendered render_warning(const nlohmann::json& event, Channel channel, const TemplateSettings& s);

// UTC+8 "yyyy-MM-dd HH:mm" of an RFC 3339 time; the input unchanged when it does not parse.
std::string local_minute(const std::string& rfc3339);

}  // namespace hazmon::notify
