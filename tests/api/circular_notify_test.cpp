// Circulars reach the named enterprises by SMS and e-mail (docs/circulars.md, docs/notify.md):
// publishing queues one outbox row per person and channel of each named enterprise (its duty
// contacts and the responsible persons of its hazard sources), mailed through a real SMTP server
// (tests/support/smtp_sink.py, as Python's email package decodes it) and texted to the recording
// SMS gateway; an enterprise nobody can be told of is listed as not reachable; enterprises not
// named hear nothing; a withdrawal tells those already told; once the deadline has passed, those
// that have not acknowledged get one reminder. The issuer sees every message's delivery state in
// GET /api/v1/circulars/{id}/notifications; nobody else does.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hazmon/core/random.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/notify/sms_gateway.hpp>
#include <hazmon/service/circular_service.hpp>
#include <hazmon/service/notification_service.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "test_server.hpp"

extern char** environ;

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {
unsigned short free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

bool accepts(unsigned short port) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

// tests/support/smtp_sink.py for one test: every message received, as JSON files.
struct SmtpSink {
  unsigned short port = free_port();
  fs::path dir = fs::temp_directory_path() / ("hazmon-csink-" + core::random_hex(6));
  pid_t pid = -1;
  SmtpSink() {
    fs::create_directories(dir);
    std::string script = std::string(HAZMON_SOURCE_DIR) + "/tests/support/smtp_sink.py";
    std::string p = std::to_string(port), d = dir.string();
    const char* argv[] = {"/usr/bin/python3", script.c_str(), "--port", p.c_str(), "--dir",
                          d.c_str(),          nullptr};
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
      throw std::runtime_error("smtp_sink.py did not start");
    auto until = steady_clock::now() + seconds(15);
    while (!accepts(port)) {
      if (steady_clock::now() > until) throw std::runtime_error("smtp_sink.py is not listening");
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  ~SmtpSink() {
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::vector<json> messages() const {
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<json> out;
    for (auto& f : files) out.push_back(json::parse(std::ifstream(f)));
    return out;
  }
};

// 忻州 (140900): 繁峙县 (140924) and 宁武县 (140925), as in circular_test.cpp, with enterprises of
// their own here: A has a duty contact (SMS and e-mail) and a responsible person with a mobile
// number, B nobody, C (never named) a contact, D an e-mail-only contact.
constexpr const char* kCity = "140900";
const std::string kA = "14092400031", kB = "14092400032", kC = "14092400033", kD = "14092500031";
const std::string kPhoneA = "13800000311", kMobileA = "13700000312", kPhoneC = "13800000331";
const std::string kMailA = "duty-a@circular.test", kMailC = "duty-c@circular.test",
                  kMailD = "duty-d@circular.test";
const std::set<std::string> kOurPhones = {kPhoneA, kMobileA, kPhoneC};
const std::set<std::string> kOurMails = {kMailA, kMailC, kMailD};

const std::string kPdf =
    std::string("%PDF-1.4\n1 0 obj<<>>endobj\n") + std::string(500, 'x') + "\n%%EOF\n";

// UTC+8 "yyyy-MM-dd HH:mm" of an API time, computed here independently of the templates.
std::string local_minute(const json& v) {
  auto t = core::parse_time(v.get<std::string>());
  if (!t) return "?";
  auto s = core::format_rfc3339(floor<minutes>(*t) + hours(8));
  return s.substr(0, 10) + " " + s.substr(11, 5);
}

std::size_t utf8_chars(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char ch) { return (ch & 0xC0) != 0x80; }));
}

struct Fixture {
  SmtpSink smtp;
  TestServer srv{shared_db(), [this] {
                   TestServerOptions o;
                   o.notify_smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp.port);
                   return o;
                 }()};
  HttpsClient c = srv.client();
  std::string tag = core::random_hex(3);
  std::string admin, city, city_other, county, user_a, user_d;

  Fixture() {
    admin = srv.make_user("cn_admin" + tag, "province_admin");
    for (auto [code, name] : {std::pair{"140924", "繁峙县"}, std::pair{"140925", "宁武县"}})
      ok(c.post_json("/api/v1/regions",
                     {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", kCity}},
                     admin));
    for (const auto& [code, region] : {std::pair{kA, "140924"}, std::pair{kB, "140924"},
                                       std::pair{kC, "140924"}, std::pair{kD, "140925"}})
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "通报送达" + code + "化工有限公司"},
                      {"region_code", region}},
                     admin));
    city = srv.make_user("cn_city" + tag, "city_officer", kCity);
    city_other = srv.make_user("cn_city_o" + tag, "city_officer", "140800");
    county = srv.make_user("cn_county" + tag, "county_officer", "140924");
    user_a = srv.make_user("cn_user_a" + tag, "enterprise_user", kA);
    user_d = srv.make_user("cn_user_d" + tag, "enterprise_user", kD);
    ok(c.post_json(
        "/api/v1/hazard-sources",
        {{"hazard_code", kA + "001"}, {"company_code", kA}, {"name", "液氨罐区"}, {"rank", 2}},
        admin));
    shared_db().exec("DELETE FROM responsible_person WHERE hazard_code = '" + kA + "001'");
    ok(c.post_json("/api/v1/responsible-persons",
                   {{"company_code", kA},
                    {"hazard_code", kA + "001"},
                    {"role", "principal"},
                    {"name", "王厂长"},
                    {"mobile", kMobileA}},
                   admin));
    // The notify tests empty notify_contact; these are this test's own.
    shared_db().exec("DELETE FROM notify_contact WHERE company_code IN ('" + kA + "','" + kB +
                     "','" + kC + "','" + kD + "')");
    contact({{"level", "enterprise"},
             {"company_code", kA},
             {"name", "甲企业值班员"},
             {"phone", kPhoneA},
             {"email", kMailA},
             {"channels", {"sms", "email"}},
             {"min_level", "red"}});  // a warning threshold; a circular has no level
    contact({{"level", "enterprise"},
             {"company_code", kC},
             {"name", "丙企业值班员"},
             {"phone", kPhoneC},
             {"email", kMailC},
             {"channels", {"sms", "email"}}});
    contact({{"level", "enterprise"},
             {"company_code", kD},
             {"name", "丁企业值班员"},
             {"email", kMailD},
             {"channels", {"email"}}});
  }
  ~Fixture() {
    drain();
    shared_db().exec("DELETE FROM notify_contact WHERE company_code IN ('" + kA + "','" + kB +
                     "','" + kC + "','" + kD + "')");
    srv.stop();
  }

  static void ok(const HttpResult& r) {
    if (r.status != 201 && r.status != 409) throw std::runtime_error(r.body);
  }
  void contact(const json& body) {
    auto r = c.post_json("/api/v1/notify-contacts", body, admin);
    if (r.status != 201) throw std::runtime_error(r.body);
  }
  // Sends everything due (other tests' leftovers too), so that no later test finds our rows.
  void drain() {
    while (srv.notifications().deliver_due() > 0) {
    }
  }
  long long draft(const std::string& title, const std::vector<std::string>& codes,
                  const json& extra = json::object()) {
    json body = {{"title", title},
                 {"body", "请各企业于本周内完成液氨罐区泄漏报警器校验，并上传校验记录。"},
                 {"kind", "patrol_result"},
                 {"company_codes", codes}};
    body.update(extra);
    auto r = c.post_json("/api/v1/circulars", body, city);
    if (r.status != 201) throw std::runtime_error(r.body);
    return r.json()["id"].get<long long>();
  }
  std::string path(long long id, const std::string& tail = "") {
    return "/api/v1/circulars/" + std::to_string(id) + tail;
  }
  json deliveries(long long id) {
    auto r = c.get(path(id, "/notifications"), city);
    if (r.status != 200) throw std::runtime_error(r.body);
    return r.json();
  }
  // Our addresses' messages only (a drain may deliver other tests' leftovers).
  std::vector<notify::Message> sms() {
    std::vector<notify::Message> out;
    for (auto& m : srv.sms().sent())
      if (kOurPhones.count(m.recipient)) out.push_back(m);
    return out;
  }
  std::vector<json> mails() {
    std::vector<json> out;
    for (auto& m : smtp.messages())
      if (kOurMails.count(m["rcpt_tos"][0].get<std::string>())) out.push_back(m);
    return out;
  }
};

json item_of(const json& d, const std::string& code) {
  for (const auto& i : d["items"])
    if (i["company_code"] == code) return i;
  return json();
}

std::multiset<std::string> addresses(const json& messages, const std::string& step) {
  std::multiset<std::string> out;
  for (const auto& m : messages)
    if (m["step"] == step)
      out.insert(m["channel"].get<std::string>() + ":" + m["recipient"].get<std::string>());
  return out;
}
}  // namespace

TEST(CircularNotify, PublishingTextsAndMailsTheNamedEnterprisesAndListsTheUnreachable) {
  Fixture f;
  const std::string title = "关于液氨罐区泄漏报警器校验情况的通报" + f.tag;
  auto id = f.draft(title, {kA, kB, kD});
  auto up = f.c.request(
      "POST", "/api/v1/upload/circulars/" + std::to_string(id) + "/attachments?name=report.pdf",
      kPdf, {{"Authorization", "Bearer " + f.city}, {"Content-Type", "application/pdf"}});
  ASSERT_EQ(up.status, 201) << up.body;
  // A draft tells nobody yet.
  auto d0 = f.deliveries(id);
  EXPECT_EQ(d0["state"], "draft");
  EXPECT_TRUE(d0["notify_enabled"].get<bool>());
  EXPECT_TRUE(item_of(d0, kA)["reachable"].is_null());
  EXPECT_TRUE(item_of(d0, kA)["messages"].empty());

  auto pub = f.c.post_json(f.path(id, "/publish"), json::object(), f.city);
  ASSERT_EQ(pub.status, 200) << pub.body;
  auto deadline = local_minute(pub.json()["ack_deadline"]);

  // Queued with the publication: A's contact by SMS and e-mail (its min_level does not apply)
  // and its responsible person by SMS; D's contact by e-mail; B has nobody.
  auto d1 = f.deliveries(id);
  EXPECT_EQ(addresses(item_of(d1, kA)["messages"], "published"),
            (std::multiset<std::string>{"sms:" + kPhoneA, "email:" + kMailA, "sms:" + kMobileA}));
  EXPECT_EQ(addresses(item_of(d1, kD)["messages"], "published"),
            (std::multiset<std::string>{"email:" + kMailD}));
  EXPECT_TRUE(item_of(d1, kB)["messages"].empty());
  EXPECT_EQ(item_of(d1, kA)["reachable"], true);
  EXPECT_EQ(item_of(d1, kD)["reachable"], true);
  EXPECT_EQ(item_of(d1, kB)["reachable"], false);
  EXPECT_EQ(d1["unreachable_codes"], json::array({kB}));
  EXPECT_EQ(d1["totals"]["pending"], 4);
  EXPECT_EQ(d1["totals"]["sent"], 0);
  EXPECT_TRUE(item_of(d1, kC).is_null());  // not named: not listed

  f.drain();
  auto d2 = f.deliveries(id);
  EXPECT_EQ(d2["totals"]["sent"], 4);
  EXPECT_EQ(d2["totals"]["pending"], 0);
  for (const auto& code : {kA, kD}) {
    // A named copy: a range-for over item_of(...)["messages"] iterated the messages of a
    // temporary destroyed before the loop began (valgrind: invalid read of a freed block).
    const auto item = item_of(d2, code);
    ASSERT_FALSE(item.is_null()) << code;
    // A: its contact's text and mail and its responsible person's text; D: its contact's mail.
    ASSERT_EQ(item.at("messages").size(), code == kA ? 3u : 1u) << item.dump();
    for (const auto& m : item.at("messages")) {
      EXPECT_EQ(m["status"], "sent") << m.dump();
      EXPECT_EQ(m["attempts"], 1);
      EXPECT_TRUE(m["sent_at"].is_string());
    }
  }

  // E-mail: A's and D's contacts, with the Chinese subject, the body, the deadline and the link;
  // the PDF is not mailed, the mail says it waits in the system.
  auto mails = f.mails();
  ASSERT_EQ(mails.size(), 2u);
  std::set<std::string> to;
  for (const auto& m : mails) {
    SCOPED_TRACE(m.dump());
    to.insert(m["rcpt_tos"][0].get<std::string>());
    EXPECT_EQ(m["subject"], "【信息通报】" + title);
    EXPECT_EQ(m["defects"], json::array());
    EXPECT_EQ(m["content_type"], "text/plain");
    EXPECT_EQ(m["attachments"], json::array());
    auto body = m["body"].get<std::string>();
    for (const std::string& part :
         {title, std::string("忻州市应急管理局"), std::string("泄漏报警器校验"), deadline,
          "https://hazmon.test/circulars/" + std::to_string(id), std::string("1个附件"),
          std::string("巡查抽查结果")})
      EXPECT_NE(body.find(part), std::string::npos) << part;
  }
  EXPECT_EQ(to, (std::set<std::string>{kMailA, kMailD}));

  // SMS: A's contact and its responsible person; short, without the attachment.
  auto sms = f.sms();
  ASSERT_EQ(sms.size(), 2u);
  std::set<std::string> phones;
  for (const auto& m : sms) {
    SCOPED_TRACE(m.body);
    phones.insert(m.recipient);
    EXPECT_EQ(m.body.rfind("【危化品风险监测】", 0), 0u);
    for (const std::string& part : {std::string("忻州市应急管理局"), deadline, std::string("签收")})
      EXPECT_NE(m.body.find(part), std::string::npos) << part;
    EXPECT_NE(m.body.find("关于液氨罐区泄漏报警器校验"), std::string::npos);
    EXPECT_EQ(m.body.find("附件"), std::string::npos);
    EXPECT_EQ(m.body.find("report.pdf"), std::string::npos);
    EXPECT_LE(utf8_chars(m.body), 140u);
  }
  EXPECT_EQ(phones, (std::set<std::string>{kPhoneA, kMobileA}));
  // C was not named: nothing reached its contact.
  for (const auto& m : f.srv.sms().sent()) EXPECT_NE(m.recipient, kPhoneC);
  for (const auto& m : f.smtp.messages()) EXPECT_NE(m["rcpt_tos"][0], kMailC);

  // The delivery state is the issuer's: the province reads it, a county, an enterprise and
  // another city do not.
  EXPECT_EQ(f.c.get(f.path(id, "/notifications"), f.admin).status, 200);
  EXPECT_EQ(f.c.get(f.path(id, "/notifications"), f.county).status, 403);
  EXPECT_EQ(f.c.get(f.path(id, "/notifications"), f.user_a).status, 403);
  EXPECT_EQ(f.c.get(f.path(id, "/notifications"), f.city_other).status, 404);
  EXPECT_EQ(f.c.get(f.path(id, "/notifications?x=1"), f.city).status, 400);
}

TEST(CircularNotify, AWithdrawalTellsThoseAlreadyToldAndADraftsWithdrawalNobody) {
  Fixture f;
  const std::string title = "关于开展危化品企业夜间值班抽查的通报" + f.tag;
  auto id = f.draft(title, {kA, kB});
  ASSERT_EQ(f.c.post_json(f.path(id, "/publish"), json::object(), f.city).status, 200);
  f.drain();
  ASSERT_EQ(f.sms().size(), 2u);
  ASSERT_EQ(f.mails().size(), 1u);

  auto wd = f.c.post_json(f.path(id, "/withdraw"), {{"reason", "抽查时间调整"}}, f.city);
  ASSERT_EQ(wd.status, 200) << wd.body;
  auto d = f.deliveries(id);
  EXPECT_EQ(d["state"], "withdrawn");
  EXPECT_EQ(addresses(item_of(d, kA)["messages"], "withdrawn"),
            (std::multiset<std::string>{"sms:" + kPhoneA, "email:" + kMailA, "sms:" + kMobileA}));
  EXPECT_TRUE(item_of(d, kB)["messages"].empty());
  f.drain();

  auto sms = f.sms();
  ASSERT_EQ(sms.size(), 4u);
  for (std::size_t i = 2; i < 4; ++i) {
    SCOPED_TRACE(sms[i].body);
    EXPECT_NE(sms[i].body.find("撤回"), std::string::npos);
    EXPECT_NE(sms[i].body.find("抽查时间调整"), std::string::npos);
  }
  auto mails = f.mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(mails[1]["subject"], "【通报撤回】" + title);
  EXPECT_EQ(mails[1]["rcpt_tos"][0], kMailA);
  EXPECT_NE(mails[1]["body"].get<std::string>().find("抽查时间调整"), std::string::npos);

  // A draft withdrawn told nobody and tells nobody.
  auto draft = f.draft("未发布即撤回的通报" + f.tag, {kA});
  ASSERT_EQ(f.c.post_json(f.path(draft, "/withdraw"), {{"reason", "重复"}}, f.city).status, 200);
  EXPECT_TRUE(item_of(f.deliveries(draft), kA)["messages"].empty());
  f.drain();
  EXPECT_EQ(f.sms().size(), 4u);
  EXPECT_EQ(f.mails().size(), 2u);
}

TEST(CircularNotify, OneReminderReachesThoseThatHaveNotAcknowledgedByTheDeadline) {
  Fixture f;
  const std::string title = "关于报送安全承诺整改情况的通报" + f.tag;
  auto now = f.srv.clock().now();
  auto id = f.draft(title, {kA, kD}, {{"ack_deadline", core::format_rfc3339(now + seconds(60))}});
  ASSERT_EQ(f.c.post_json(f.path(id, "/publish"), json::object(), f.city).status, 200);
  ASSERT_EQ(f.c.post_json(f.path(id, "/acknowledgement"), json::object(), f.user_a).status, 200);
  f.drain();
  auto sms_before = f.sms().size();
  auto mails_before = f.mails().size();
  ASSERT_EQ(mails_before, 2u);

  // The maintenance tick's call, on this server's clock and notifier.
  service::CircularService circulars(shared_db().db(), f.srv.clock());
  circulars.set_notifier(&f.srv.notifications());
  circulars.remind_overdue();  // other tests' circulars past their deadline included
  EXPECT_TRUE(addresses(item_of(f.deliveries(id), kD)["messages"], "reminder").empty());

  f.srv.clock().advance(seconds(120));
  EXPECT_GE(circulars.remind_overdue(), 1);
  auto d = f.deliveries(id);
  SCOPED_TRACE(d.dump());
  EXPECT_EQ(addresses(item_of(d, kD)["messages"], "reminder"),
            (std::multiset<std::string>{"email:" + kMailD}));
  EXPECT_TRUE(addresses(item_of(d, kA)["messages"], "reminder").empty());  // acknowledged
  // Once: the next tick adds nothing.
  EXPECT_EQ(circulars.remind_overdue(), 0);
  EXPECT_EQ(addresses(item_of(f.deliveries(id), kD)["messages"], "reminder").size(), 1u);
  f.drain();

  EXPECT_EQ(f.sms().size(), sms_before);  // A acknowledged: no reminder to its people
  auto mails = f.mails();
  ASSERT_EQ(mails.size(), mails_before + 1);
  EXPECT_EQ(mails.back()["rcpt_tos"][0], kMailD);
  EXPECT_EQ(mails.back()["subject"], "【签收提醒】" + title);
  EXPECT_NE(mails.back()["body"].get<std::string>().find("尚未签收"), std::string::npos);
}

// A circular whose publication was never sent (published before migration 0028, or while neither
// SMS nor e-mail was configured) gets no reminder when the tick later finds it past its deadline:
// after an upgrade, months of old circulars would otherwise text every enterprise at once.
TEST(CircularNotify, NoReminderOfAPublicationNobodyWasSent) {
  Fixture f;
  auto now = f.srv.clock().now();
  auto id = f.draft("升级前发布的通报" + f.tag, {kD},
                    {{"ack_deadline", core::format_rfc3339(now + seconds(60))}});
  ASSERT_EQ(f.c.post_json(f.path(id, "/publish"), json::object(), f.city).status, 200);
  f.drain();
  shared_db().db().in_tx([&](storage::Tx& tx) {
    tx.exec_count("DELETE FROM notification WHERE circular_id = $1", {std::to_string(id)});
  });
  service::CircularService circulars(shared_db().db(), f.srv.clock());
  circulars.set_notifier(&f.srv.notifications());
  f.srv.clock().advance(seconds(120));
  circulars.remind_overdue();
  EXPECT_TRUE(item_of(f.deliveries(id), kD)["messages"].empty()) << f.deliveries(id).dump();
  // The control: the same circular with its publication sent is reminded.
  auto sent = f.draft("升级后发布的通报" + f.tag, {kD},
                      {{"ack_deadline", core::format_rfc3339(f.srv.clock().now() + seconds(60))}});
  ASSERT_EQ(f.c.post_json(f.path(sent, "/publish"), json::object(), f.city).status, 200);
  f.srv.clock().advance(seconds(120));
  EXPECT_GE(circulars.remind_overdue(), 1);
  EXPECT_EQ(addresses(item_of(f.deliveries(sent), kD)["messages"], "reminder"),
            (std::multiset<std::string>{"email:" + kMailD}));
  f.drain();
}
