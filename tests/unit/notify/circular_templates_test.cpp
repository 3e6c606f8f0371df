// The Chinese texts of a circular's SMS and e-mail (notify/circular_templates.hpp,
// docs/circulars.md): what each step says, the deadline in UTC+8, the title clipped on whole
// UTF-8 characters in the SMS, no attachment in the SMS, the link only with a dashboard URL.
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/notify/circular_templates.hpp>

using namespace hazmon;
using namespace hazmon::notify;

namespace {
CircularNotice notice(const std::string& step) {
  CircularNotice n;
  n.id = 42;
  n.step = step;
  n.issuer = "忻州市应急管理局";
  n.kind_name = "数据质量";
  n.title = "关于11月数据质量的通报";
  n.body = "请核查离线测点。";
  n.withdraw_reason = "内容有误";
  n.ack_deadline = core::parse_time("2026-12-10T06:30:00Z");
  n.attachments = 2;
  return n;
}
const TemplateSettings kSettings{"https://hazmon.example.org/", "【危化品风险监测】"};
}  // namespace

TEST(CircularTemplates, PublicationSmsIsShortAndNamesIssuerTitleAndDeadline) {
  auto r = render_circular(notice("published"), Channel::sms, kSettings);
  EXPECT_EQ(
      r.body,
      "【危化品风险监测】忻州市应急管理局发布信息通报《关于11月数据质量的通报》，请于2026-12-10 "
      "14:30前登录系统查阅并签收。");
  EXPECT_EQ(r.body.find("附件"), std::string::npos);
}

TEST(CircularTemplates, PublicationMailCarriesBodyDeadlineLinkAndTheAttachmentCount) {
  auto r = render_circular(notice("published"), Channel::email, kSettings);
  EXPECT_EQ(r.subject, "【信息通报】关于11月数据质量的通报");
  for (const std::string& part :
       {std::string("发布单位：忻州市应急管理局"), std::string("通报类别：数据质量"),
        std::string("签收期限：2026-12-10 14:30"), std::string("请核查离线测点。"),
        std::string("本通报附有2个附件"), std::string("https://hazmon.example.org/circulars/42")})
    EXPECT_NE(r.body.find(part), std::string::npos) << part;
  auto bare = render_circular(notice("published"), Channel::email, TemplateSettings{});
  EXPECT_EQ(bare.body.find("http"), std::string::npos);
  auto none = notice("published");
  none.attachments = 0;
  EXPECT_EQ(render_circular(none, Channel::email, kSettings).body.find("附件"), std::string::npos);
}

TEST(CircularTemplates, WithdrawalAndReminderSayWhatHappened) {
  auto w = render_circular(notice("withdrawn"), Channel::sms, kSettings);
  EXPECT_NE(w.body.find("已撤回信息通报《关于11月数据质量的通报》，原因：内容有误"),
            std::string::npos)
      << w.body;
  EXPECT_EQ(render_circular(notice("withdrawn"), Channel::email, kSettings).subject,
            "【通报撤回】关于11月数据质量的通报");
  auto m = render_circular(notice("reminder"), Channel::sms, kSettings);
  EXPECT_NE(m.body.find("签收期限2026-12-10 14:30已过，贵单位尚未签收"), std::string::npos)
      << m.body;
  EXPECT_EQ(render_circular(notice("reminder"), Channel::email, kSettings).subject,
            "【签收提醒】关于11月数据质量的通报");
}

TEST(CircularTemplates, LongTitlesAreClippedOnWholeCharactersInTheSms) {
  EXPECT_EQ(clip_utf8("通报abc", 3), "通报a…");
  EXPECT_EQ(clip_utf8("通报", 2), "通报");
  EXPECT_EQ(clip_utf8("", 5), "");
  auto n = notice("published");
  n.title.clear();
  for (int i = 0; i < 40; ++i) n.title += "危";
  auto r = render_circular(n, Channel::sms, kSettings);
  std::string thirty;
  for (int i = 0; i < 30; ++i) thirty += "危";
  EXPECT_NE(r.body.find("《" + thirty + "…》"), std::string::npos) << r.body;
  // The e-mail keeps the whole title.
  EXPECT_EQ(render_circular(n, Channel::email, kSettings).subject, "【信息通报】" + n.title);
}

TEST(CircularTemplates, EveryMailEndsWithTheNoReplyLineAndSmsHasNone) {
  const std::string footer = "\n本邮件由危险化学品安全风险监测预警系统自动发送，请勿直接回复。\n";
  for (const char* step : {"published", "reminder", "withdrawn"}) {
    auto mail = render_circular(notice(step), Channel::email, kSettings).body;
    ASSERT_GE(mail.size(), footer.size()) << step;
    EXPECT_EQ(mail.substr(mail.size() - footer.size()), footer) << step;
    auto sms = render_circular(notice(step), Channel::sms, kSettings).body;
    EXPECT_EQ(sms.find("请勿直接回复"), std::string::npos) << step;
  }
}
