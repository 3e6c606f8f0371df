#include <hazmon/notify/circular_templates.hpp>

#include <hazmon/core/time_format.hpp>

namespace hazmon::notify {
namespace {
// The SMS names the circular by its title, clipped so that the text stays within two segments.
constexpr std::size_t kSmsTitleChars = 30;

std::string link_of(const CircularNotice& n, const TemplateSettings& s) {
  return dashboard_link(s, "/circulars/" + std::to_string(n.id));
}
}  // namespace

std::string clip_utf8(const std::string& s, std::size_t max_chars) {
  std::size_t chars = 0, i = 0;
  while (i < s.size()) {
    if (chars == max_chars) return s.substr(0, i) + "…";
    auto c = static_cast<unsigned char>(s[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    ++chars;
  }
  return s;
}

Rendered render_circular(const CircularNotice& n, Channel channel, const TemplateSettings& s) {
  const std::string deadline =
      n.ack_deadline ? local_minute(core::format_rfc3339(*n.ack_deadline)) : std::string();
  const std::string link = link_of(n, s);
  Rendered r;
  if (n.step == "withdrawn") {
    r.subject = "【通报撤回】" + n.title;
    if (channel == Channel::sms) {
      r.body = s.sms_prefix + n.issuer + "已撤回信息通报《" + clip_utf8(n.title, kSmsTitleChars) +
               "》，原因：" + clip_utf8(n.withdraw_reason, 30) + "。该通报无需再签收。";
      return r;
    }
    r.body = n.issuer + "已撤回信息通报《" + n.title + "》。\n\n撤回原因：" + n.withdraw_reason +
             "\n\n该通报无需再签收；如有重新下发的通报，将另行通知。\n";
    if (!link.empty()) r.body += "查看详情：" + link + "\n";
    r.body += kMailFooter;
    return r;
  }
  const bool reminder = n.step == "reminder";
  r.subject = std::string(reminder ? "【签收提醒】" : "【信息通报】") + n.title;
  if (channel == Channel::sms) {
    if (reminder)
      r.body = s.sms_prefix + n.issuer + "的信息通报《" + clip_utf8(n.title, kSmsTitleChars) +
               "》签收期限" + deadline + "已过，贵单位尚未签收，请立即登录系统签收。";
    else
      r.body = s.sms_prefix + n.issuer + "发布信息通报《" + clip_utf8(n.title, kSmsTitleChars) +
               "》，请于" + deadline + "前登录系统查阅并签收。";
    return r;
  }
  std::string b;
  if (reminder)
    b += n.issuer + "的信息通报《" + n.title +
         "》签收期限已过，贵单位尚未签收，请立即登录系统签收。\n\n";
  else
    b += n.issuer + "发布信息通报，请查阅并于期限前在系统中签收。\n\n";
  b += "通报标题：" + n.title + "\n";
  b += "发布单位：" + n.issuer + "\n";
  if (!n.kind_name.empty()) b += "通报类别：" + n.kind_name + "\n";
  if (!deadline.empty()) b += "签收期限：" + deadline + "\n";
  b += "\n" + n.body + "\n\n";
  if (n.attachments > 0)
    b += "本通报附有" + std::to_string(n.attachments) + "个附件，请登录系统查看下载。\n";
  b += "签收须登录系统办理，回复本邮件不视为签收。\n";
  if (!link.empty()) b += "查看并签收：" + link + "\n";
  b += kMailFooter;
  r.body = std::move(b);
  return r;
}

}  // namespace hazmon::notify
