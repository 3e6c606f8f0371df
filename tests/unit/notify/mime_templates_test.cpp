// MIME pieces (RFC 2047 words, base64 body, Date) and the Chinese templates, without a network.
// Encoded words are decoded here by a small independent base64 decoder and compared with the
// input; the end-to-end check with a real mail parser is tests/api/notify_test.cpp.
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/notify/mime.hpp>
#include <hazmon/notify/templates.hpp>

#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

using namespace hazmon;
using namespace hazmon::notify;
using nlohmann::json;

namespace {
std::string b64_decode(const std::string& in) {
  static const std::string kAlpha =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    auto p = kAlpha.find(c);
    if (p == std::string::npos) continue;
    buf = (buf << 6) | static_cast<unsigned>(p);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

// Decodes a header value made of "=?UTF-8?B?...?=" words separated by folding whitespace.
std::string decode_words(const std::string& v, std::vector<std::string>* words = nullptr) {
  static const std::regex kWord(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)");
  std::string out;
  for (std::sregex_iterator it(v.begin(), v.end(), kWord), end; it != end; ++it) {
    if (words) words->push_back(it->str());
    out += b64_decode((*it)[1]);
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto e = text.find("\r\n", pos);
    if (e == std::string::npos) {
      if (pos < text.size()) out.push_back(text.substr(pos));
      break;
    }
    out.push_back(text.substr(pos, e - pos));
    pos = e + 2;
  }
  return out;
}

model::WarningPush red_event() {
  model::WarningPush p;
  auto& e = p.event;
  e.id = 42;
  e.event_no = "YJ20261130000042";
  e.source = model::WarningSource::sensor;
  e.company_code = "14070200001";
  e.company_name = "晋中示例化工有限公司";
  e.hazard_code = "14070200001001";
  e.hazard_name = "液氯罐区";
  e.hazard_rank = 1;
  e.level = model::WarningLevel::red;
  e.status = model::DisposalState::pushed;
  e.content = "1#储罐液位高高报警，当前值19";
  e.first_ts = *core::parse_time("2026-11-29T16:05:00.000Z");
  e.deadline_ts = *core::parse_time("2026-11-29T16:35:00.000Z");
  e.overdue = false;
  e.escalation_count = 0;
  using model::ActorKind;
  p.recipients = {ActorKind::enterprise, ActorKind::county, ActorKind::city, ActorKind::province};
  p.push_reason = "created";
  return p;
}
}  // namespace

TEST(Mime, Base64MatchesRfc4648Vectors) {
  // RFC 4648 §10 test vectors.
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(b64_decode(base64_encode(all)), all);
}

TEST(Mime, PlainAsciiHeaderIsLeftAlone) {
  EXPECT_EQ(encode_header_words("Tank farm alarm"), "Tank farm alarm");
  // A line break in a header value would start a new header: it becomes a space.
  EXPECT_EQ(encode_header_words("a\r\nBcc: x@y"), "a  Bcc: x@y");
}

TEST(Mime, ChineseSubjectIsSplitIntoWholeCharacterWordsThatDecodeBack) {
  std::string subject =
      "【红色预警】晋中示例化工有限公司液氯罐区一级重大危险源高高报警，请立即处置并反馈处置情况";
  std::vector<std::string> words;
  auto enc = encode_header_words(subject);
  EXPECT_EQ(decode_words(enc, &words), subject);
  ASSERT_GT(words.size(), 1u);
  for (const auto& w : words) {
    EXPECT_LE(w.size(), 75u) << w;  // RFC 2047 §2
    auto chunk = b64_decode(w.substr(10, w.size() - 12));
    // Every word holds whole UTF-8 characters: it does not start with a continuation byte.
    EXPECT_NE(static_cast<unsigned char>(chunk[0]) & 0xc0, 0x80u) << w;
  }
  for (const auto& line : lines_of("Subject: " + enc)) EXPECT_LE(line.size(), 78u) << line;
  // Mixed ASCII and Chinese survives too.
  EXPECT_EQ(decode_words(encode_header_words("ABC 红色 def")), "ABC 红色 def");
}

TEST(Mime, DateIsRfc5322InChinaStandardTime) {
  // 2026-11-29 23:55:01 UTC is Monday 30 November, 07:55:01 in UTC+8.
  core::SysTime t = std::chrono::sys_days{std::chrono::year{2026} / 11 / 29} +
                    std::chrono::hours(23) + std::chrono::minutes(55) + std::chrono::seconds(1);
  EXPECT_EQ(rfc5322_date(t), "Mon, 30 Nov 2026 07:55:01 +0800");
  core::SysTime leap =
      std::chrono::sys_days{std::chrono::year{2028} / 2 / 28} + std::chrono::hours(17);
  EXPECT_EQ(rfc5322_date(leap), "Tue, 29 Feb 2028 01:00:00 +0800");
}

TEST(Mime, AddressesQuoteOrEncodeTheDisplayName) {
  EXPECT_EQ(format_address("", "a@b.cn"), "a@b.cn");
  EXPECT_EQ(format_address("Duty \"Room\"", "a@b.cn"), "\"Duty \\\"Room\\\"\" <a@b.cn>");
  auto zh = format_address("榆次区应急局", "a@b.cn");
  EXPECT_EQ(decode_words(zh), "榆次区应急局");
  EXPECT_NE(zh.find(" <a@b.cn>"), std::string::npos);
  EXPECT_EQ(address_of("平台 <noreply@x.cn>"), "noreply@x.cn");
  EXPECT_EQ(address_of(" noreply@x.cn "), "noreply@x.cn");
}

TEST(Mime, WholeMessageIsSevenBitWithCrlfAndAB64Body) {
  MimeMessage m;
  m.from = "危化品风险监测平台 <noreply@hazmon.test>";
  m.to_name = "值班员";
  m.to_address = "duty@ent.test";
  m.subject = "【红色预警】液氯罐区";
  m.body = "第一行\n第二行：高高报警\n" + std::string(200, 'x');
  m.message_id = "hazmon.notification.7@hazmon.test";
  m.date = core::SysTime{} + std::chrono::hours(24 * 365 * 50);
  auto text = build_mime(m);
  for (unsigned char c : text) EXPECT_LT(c, 0x80u);
  auto sep = text.find("\r\n\r\n");
  ASSERT_NE(sep, std::string::npos);
  auto headers = text.substr(0, sep + 2);
  for (const char* h :
       {"From: ", "To: ", "Subject: ", "Date: ",
        "Message-ID: <hazmon.notification.7@hazmon.test>\r\n", "MIME-Version: 1.0\r\n",
        "Content-Type: text/plain; charset=UTF-8\r\n", "Content-Transfer-Encoding: base64\r\n"})
    EXPECT_NE(headers.find(h), std::string::npos) << h;
  // No bare LF anywhere, lines within 78 characters.
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') EXPECT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
  for (const auto& line : lines_of(text)) EXPECT_LE(line.size(), 78u) << line;
  // The body decodes to the input with CRLF line ends.
  std::string b64;
  for (const auto& line : lines_of(text.substr(sep + 4))) b64 += line;
  EXPECT_EQ(b64_decode(b64), "第一行\r\n第二行：高高报警\r\n" + std::string(200, 'x'));
  // The subject decodes back.
  auto s = headers.find("Subject: ");
  auto e = headers.find("\r\nDate: ");
  EXPECT_EQ(decode_words(headers.substr(s, e - s)), m.subject);
}

TEST(Mime, AttachmentsMakeAMultipartMixedMessage) {
  MimeMessage m;
  m.from = "noreply@hazmon.test";
  m.to_address = "duty@ent.test";
  m.subject = "晋危化监测日报〔2026〕第1期";
  m.body = "摘要";
  m.message_id = "hazmon.report.1@hazmon.test";
  m.date = core::SysTime{} + std::chrono::hours(24 * 365 * 50);
  std::string binary;
  for (int i = 0; i < 600; ++i) binary += static_cast<char>(i % 256);
  m.attachments.push_back({"report.html", "text/html; charset=UTF-8", "<h1>日报</h1>"});
  m.attachments.push_back({"report\r\n\"x.xlsx", "application/octet-stream", binary});
  auto text = build_mime(m);
  for (unsigned char c : text) EXPECT_LT(c, 0x80u);
  auto ct = text.find("Content-Type: multipart/mixed; boundary=\"");
  ASSERT_NE(ct, std::string::npos);
  auto b0 = ct + std::string("Content-Type: multipart/mixed; boundary=\"").size();
  auto boundary = text.substr(b0, text.find('"', b0) - b0);
  ASSERT_FALSE(boundary.empty());
  // Three parts and the closing delimiter.
  std::vector<std::string> parts;
  std::size_t pos = text.find("--" + boundary + "\r\n");
  while (pos != std::string::npos) {
    auto start = pos + boundary.size() + 4;
    auto next = text.find("\r\n--" + boundary, start);
    ASSERT_NE(next, std::string::npos);
    parts.push_back(text.substr(start, next + 2 - start));
    pos = text.find("--" + boundary + "\r\n", next + 2);
  }
  EXPECT_NE(text.find("--" + boundary + "--\r\n"), std::string::npos);
  ASSERT_EQ(parts.size(), 3u);
  auto body_of = [&](const std::string& part) {
    std::string b64;
    for (const auto& line : lines_of(part.substr(part.find("\r\n\r\n") + 4))) b64 += line;
    return b64_decode(b64);
  };
  EXPECT_EQ(body_of(parts[0]), "摘要");
  EXPECT_NE(parts[1].find("filename=\"report.html\""), std::string::npos);
  EXPECT_EQ(body_of(parts[1]), "<h1>日报</h1>");
  // A name with CR, LF and a quote cannot break out of its header.
  EXPECT_NE(parts[2].find("filename=\"report___x.xlsx\""), std::string::npos)
      << parts[2].substr(0, 200);
  EXPECT_EQ(body_of(parts[2]), binary);
}

TEST(Templates, LevelNames) {
  EXPECT_EQ(level_name_zh("red"), "红色预警");
  EXPECT_EQ(level_name_zh("orange"), "橙色预警");
  EXPECT_EQ(level_name_zh("yellow"), "黄色预警");
  EXPECT_EQ(level_name_zh("blue"), "蓝色预警");
  EXPECT_EQ(level_name_zh("green"), "预警");
  EXPECT_EQ(local_minute("2026-11-29T16:35:00.000Z"), "2026-11-30 00:35");
  EXPECT_EQ(local_minute("not a time"), "not a time");
}

TEST(Templates, NewEventNamesEnterpriseLevelContentDeadlineAndLink) {
  TemplateSettings s;
  s.dashboard_url = "https://hazmon.example.org/";
  auto ev = red_event();
  auto sms = render_warning(ev, Channel::sms, s);
  auto mail = render_warning(ev, Channel::email, s);
  for (const auto* r : {&sms, &mail}) {
    for (const char* part :
         {"晋中示例化工有限公司", "液氯罐区", "红色预警", "1#储罐液位高高报警，当前值19",
          "2026-11-30 00:35", "https://hazmon.example.org/warning-events/42", "YJ20261130000042"})
      EXPECT_NE(r->body.find(part), std::string::npos) << part << " in " << r->body;
  }
  EXPECT_EQ(sms.body.rfind("【危化品风险监测】", 0), 0u);
  EXPECT_EQ(mail.subject, "【红色预警】晋中示例化工有限公司液氯罐区");
  const std::string footer = "\n本邮件由危险化学品安全风险监测预警系统自动发送，请勿直接回复。\n";
  ASSERT_GE(mail.body.size(), footer.size());
  EXPECT_EQ(mail.body.substr(mail.body.size() - footer.size()), footer);
  for (const char* part :
       {"一级", "企业、县区、市、省", "在线监测数据", "待企业反馈", "2026-11-30 00:05"})
    EXPECT_NE(mail.body.find(part), std::string::npos) << part;
  // Without a dashboard URL there is no link.
  EXPECT_EQ(render_warning(ev, Channel::sms, {}).body.find("http"), std::string::npos);
}

TEST(Templates, RaisedAndEscalatedSayWhatChanged) {
  auto ev = red_event();
  ev.push_reason = "level_raised";
  auto raised = render_warning(ev, Channel::email, {});
  EXPECT_EQ(raised.subject, "【预警升级·红色预警】晋中示例化工有限公司液氯罐区");
  EXPECT_NE(raised.body.find("已升级为红色预警"), std::string::npos) << raised.body;

  ev.event.level = model::WarningLevel::orange;
  ev.push_reason = "escalated";
  ev.event.escalation_count = 2;
  ev.event.overdue = true;
  auto esc = render_warning(ev, Channel::sms, {});
  EXPECT_NE(esc.body.find("橙色预警"), std::string::npos) << esc.body;
  EXPECT_NE(esc.body.find("逾期未处置，已第2次升级"), std::string::npos) << esc.body;
  EXPECT_NE(esc.body.find("督促"), std::string::npos) << esc.body;
  auto esc_mail = render_warning(ev, Channel::email, {});
  EXPECT_EQ(esc_mail.subject, "【逾期升级·橙色预警】晋中示例化工有限公司液氯罐区");
  EXPECT_NE(esc_mail.body.find("（已逾期）"), std::string::npos);
}

TEST(Templates, ConfirmedVideoEventSaysSo) {
  auto ev = red_event();
  ev.event.source = model::WarningSource::video_ai;
  ev.event.hazard_name.reset();
  ev.event.hazard_rank.reset();
  auto mail = render_warning(ev, Channel::email, {});
  EXPECT_NE(mail.body.find("视频智能分析（经人工审核确认）"), std::string::npos);
  EXPECT_EQ(mail.body.find("重大危险源："), std::string::npos);
  EXPECT_EQ(mail.subject, "【红色预警】晋中示例化工有限公司");
}

TEST(Templates, NonMajorUnitAndEnterpriseLevelEventsSayWhereTheyAre) {
  auto ev = red_event();
  ev.event.level = model::WarningLevel::blue;
  ev.event.hazard_code.reset();
  ev.event.hazard_name.reset();
  ev.event.hazard_rank.reset();
  ev.event.prodcell_id = "NH4NO3";
  ev.event.prodcell_name = "硝酸铵仓库";
  auto mail = render_warning(ev, Channel::email, {});
  EXPECT_EQ(mail.subject, "【蓝色预警】晋中示例化工有限公司硝酸铵仓库");
  EXPECT_NE(mail.body.find("非重大危险源单元：硝酸铵仓库"), std::string::npos) << mail.body;
  EXPECT_EQ(mail.body.find("重大危险源："), std::string::npos) << mail.body;
  EXPECT_EQ(mail.body.find("四级"), std::string::npos) << mail.body;

  ev.event.prodcell_id.reset();
  ev.event.prodcell_name.reset();
  auto plant = render_warning(ev, Channel::email, {});
  EXPECT_EQ(plant.subject, "【蓝色预警】晋中示例化工有限公司");
  EXPECT_NE(plant.body.find("企业级监测点（非重大危险源）"), std::string::npos) << plant.body;
}
