// Notifications end to end: readings raise a warning event, the outbox gets one row per duty
// contact and channel, e-mail goes through a real SMTP server (tests/support/smtp_sink.py,
// aiosmtpd) and is checked as Python's email package decodes it, SMS goes to the recording
// gateway (the one fake allowed). Escalation reaches the next tier; an SMTP outage is retried
// with back-off on the FakeClock; duplicate pushes send nothing twice; the list API is scoped
// and the contacts API refuses bad input with problem+json.
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
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/notification_service.hpp>
#include <hazmon/service/warning_service.hpp>

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

// A tests/support/ script (smtp_sink.py, sms_sink.py) on a port, storing what it receives as
// JSON files under a temporary directory.
class Sink {
 public:
  Sink(unsigned short port, std::string script = "smtp_sink.py")
      : port_(port),
        script_(std::move(script)),
        dir_(fs::temp_directory_path() / ("hazmon-sink-" + core::random_hex(6))) {}
  ~Sink() {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void start() {
    fs::create_directories(dir_);
    std::string script = std::string(HAZMON_SOURCE_DIR) + "/tests/support/" + script_;
    std::string port = std::to_string(port_), dir = dir_.string();
    const char* argv[] = {"/usr/bin/python3", script.c_str(), "--port", port.c_str(), "--dir",
                          dir.c_str(),        nullptr};
    ASSERT_EQ(posix_spawn(&pid_, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ), 0);
    auto until = steady_clock::now() + seconds(15);
    while (!accepts(port_)) {
      ASSERT_LT(steady_clock::now(), until) << script_ << " did not start on port " << port_;
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
  }
  // Every message received so far, in order, as the script decoded it.
  std::vector<json> messages() const {
    std::vector<fs::path> files;
    if (fs::exists(dir_))
      for (auto& e : fs::directory_iterator(dir_))
        if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<json> out;
    for (auto& f : files) out.push_back(json::parse(std::ifstream(f)));
    return out;
  }
  unsigned short port() const { return port_; }
  const fs::path& dir() const { return dir_; }

 private:
  unsigned short port_;
  std::string script_;
  fs::path dir_;
  pid_t pid_ = -1;
};

int next_fixture() {
  static int n = 7000;
  return n++;
}

// UTC+8 "yyyy-MM-dd HH:mm" of an API time, computed here independently of the templates.
std::string local_minute(const json& v) {
  auto t = core::parse_time(v.get<std::string>());
  if (!t) return "?";
  auto s = core::format_rfc3339(floor<minutes>(*t) + hours(8));  // 2026-11-30T07:55:00.000Z
  return s.substr(0, 10) + " " + s.substr(11, 5);
}

std::set<std::string> field_set(const std::vector<json>& v, const std::string& key) {
  std::set<std::string> out;
  for (const auto& m : v)
    out.insert(m[key].is_array() ? m[key][0].get<std::string>() : m[key].get<std::string>());
  return out;
}

// One enterprise in 晋中市榆次区 with a hazard source of the given rank and an analog level
// point (H 15, HH 18), a gateway, and a server whose notifications mail through `smtp`.
struct Fixture {
  int n = next_fixture();
  std::string kN = std::to_string(n);
  std::string kCompany = "1407020" + kN;
  std::string kName = "通知测试化工有限公司" + kN;
  std::string kHazard = kCompany + "001";
  std::string kGateway = "GW14072" + kN;
  std::string kPoint = "NLA" + kN;
  Sink smtp{free_port()};
  TestServer srv;
  HttpsClient c = srv.client();
  std::string admin, gateway;

  explicit Fixture(int rank)
      : srv(shared_db(), [&] {
          TestServerOptions o;
          o.offline_after_s = 3600;
          o.session_ttl_minutes = 7 * 24 * 60;
          o.notify_smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp.port());
          return o;
        }()) {
    // Contacts of earlier tests would be told too, and their open events (other binaries' tests
    // included) would escalate when this test moves the clock and reach this test's contacts.
    shared_db().exec("DELETE FROM notify_contact");
    shared_db().exec(
        "UPDATE warning_event SET status = 'closed', closed_ts = now() WHERE status <> 'closed'");
    admin = srv.make_user("ntf_admin" + kN, "province_admin");
    for (auto [code, name] : {std::pair{"140702", "榆次区"}, std::pair{"140703", "太谷区"}}) {
      auto r = c.post_json(
          "/api/v1/regions",
          {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", "140700"}}, admin);
      if (r.status != 201 && r.status != 409) throw std::runtime_error(r.body);
    }
    ok(c.post_json("/api/v1/enterprises",
                   {{"company_code", kCompany}, {"name", kName}, {"region_code", "140702"}},
                   admin));
    ok(c.post_json("/api/v1/hazard-sources",
                   {{"hazard_code", kHazard},
                    {"company_code", kCompany},
                    {"name", "液氯罐区"},
                    {"rank", rank}},
                   admin));
    ok(c.post_json("/api/v1/gateways",
                   {{"gateway_code", kGateway}, {"company_code", kCompany}, {"name", "网关"}},
                   admin));
    ok(c.post_json("/api/v1/monitoring-points",
                   {{"quota_code", kPoint},
                    {"company_code", kCompany},
                    {"hazard_code", kHazard},
                    {"gateway_code", kGateway},
                    {"name", "1#储罐液位"},
                    {"indicator_type", "level"},
                    {"value_kind", "analog"},
                    {"unit", "m"},
                    {"range_low", 0},
                    {"range_high", 20},
                    {"l", 2},
                    {"h", 15},
                    {"hh", 18},
                    {"debounce_s", 30},
                    {"deadband", 0.5}},
                   admin));
    auto cred = c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kCompany}}}}, admin);
    ok(cred);
    gateway =
        cred.json()["app_id"].get<std::string>() + "." + cred.json()["secret"].get<std::string>();
  }
  ~Fixture() {
    srv.stop();
    shared_db().exec("DELETE FROM notify_contact");
  }

  static void ok(const HttpResult& r) {
    if (r.status != 201) throw std::runtime_error(r.body);
  }
  long long contact(json body) {
    auto r = c.post_json("/api/v1/notify-contacts", body, admin);
    if (r.status != 201) throw std::runtime_error(r.body);
    return r.json()["id"].get<long long>();
  }
  // The duty contacts of every tier: the enterprise (SMS and e-mail), the county (e-mail), the
  // city (SMS), the province (e-mail, red only), and a 包保责任人 with a mobile number.
  void all_contacts() {
    contact({{"level", "enterprise"},
             {"company_code", kCompany},
             {"name", "企业值班员"},
             {"phone", "13800000001"},
             {"email", "duty@ent.test"},
             {"channels", {"sms", "email"}}});
    contact({{"level", "county"},
             {"region_code", "140702"},
             {"name", "榆次区应急局值班室"},
             {"email", "county@yuci.test"},
             {"channels", {"email"}}});
    contact({{"level", "city"},
             {"region_code", "140700"},
             {"name", "晋中市应急局值班室"},
             {"phone", "13900000002"}});
    contact({{"level", "province"},
             {"region_code", "140000"},
             {"name", "省应急厅值班室"},
             {"email", "duty@shanxi.test"},
             {"channels", {"email"}},
             {"min_level", "red"}});
    ok(c.post_json("/api/v1/responsible-persons",
                   {{"company_code", kCompany},
                    {"hazard_code", kHazard},
                    {"role", "principal"},
                    {"name", "张主任"},
                    {"mobile", "13700000003"}},
                   admin));
  }

  std::string at(int seconds_ago) {
    return core::format_rfc3339(srv.clock().now() - seconds(seconds_ago));
  }
  json item(int seconds_ago, double v) {
    return {{"quotaCode", kPoint}, {"collectTime", at(seconds_ago)}, {"value", v}};
  }
  // 40 s above HH: the 30 s debounce raises the alarm, the rules make an event, it is pushed.
  void raise_hh(const std::string& data_id) {
    json body = {
        {"companyCode", kCompany}, {"gatewayCode", kGateway},
        {"dataId", data_id},       {"reportType", "realtime"},
        {"sendTime", at(0)},       {"datas", json::array({item(100, 19), item(60, 19.2)})}};
    auto r = c.post_json("/api/v1/upload/realtime", body, gateway);
    if (r.status != 200) throw std::runtime_error(r.body);
    settle();
  }
  void settle() {
    srv.ingest().tick();
    srv.warnings().tick();  // on_push listeners (the outbox) have run when this returns
  }
  json event() {
    auto r = c.get("/api/v1/warning-events?company_code=" + kCompany, admin);
    if (r.status != 200 || r.json()["items"].size() != 1)
      throw std::runtime_error("expected one event: " + r.body);
    return r.json()["items"][0];
  }
  json notifications(long long event_id, const std::string& token = {},
                     const std::string& extra = {}) {
    auto r = c.get("/api/v1/notifications?warning_event_id=" + std::to_string(event_id) + extra,
                   token.empty() ? admin : token);
    if (r.status != 200) throw std::runtime_error(r.body);
    return r.json();
  }
  // Messages about this fixture's enterprise only.
  std::vector<notify::Message> sms() {
    std::vector<notify::Message> out;
    for (auto& m : srv.sms().sent())
      if (m.body.find(kName) != std::string::npos) out.push_back(m);
    return out;
  }
  std::vector<notify::Message> sms_to(const std::string& phone) {
    std::vector<notify::Message> out;
    for (auto& m : sms())
      if (m.recipient == phone) out.push_back(m);
    return out;
  }
  std::vector<json> mails() {
    std::vector<json> out;
    for (auto& m : smtp.messages())
      if (m["subject"].get<std::string>().find(kName) != std::string::npos) out.push_back(m);
    return out;
  }
  std::string metric(const std::string& channel, const std::string& result) {
    auto body = c.get("/metrics").body;
    std::string key =
        "hazmon_notifications_total{channel=\"" + channel + "\",result=\"" + result + "\"} ";
    auto p = body.find(key);
    if (p == std::string::npos) return "absent";
    return body.substr(p + key.size(), body.find('\n', p) - p - key.size());
  }
};

std::vector<std::string> pointers(const HttpResult& r) {
  std::vector<std::string> out;
  auto j = r.json();
  if (j.contains("errors"))
    for (auto& e : j["errors"]) out.push_back(e["pointer"].get<std::string>());
  return out;
}
}  // namespace

TEST(Notify, RedEventIsMailedAndTextedToEveryTierWithDecodedChineseText) {
  Fixture f(1);
  f.smtp.start();
  f.all_contacts();
  f.raise_hh("ntf-red-1");
  auto ev = f.event();
  ASSERT_EQ(ev["level"], "red");
  auto id = ev["id"].get<long long>();
  EXPECT_EQ(f.srv.notifications().deliver_due(), 6);

  // E-mail: enterprise, county and province (red reaches the province's red-only contact).
  auto mails = f.mails();
  ASSERT_EQ(mails.size(), 3u);
  EXPECT_EQ(field_set(mails, "rcpt_tos"),
            (std::set<std::string>{"duty@ent.test", "county@yuci.test", "duty@shanxi.test"}));
  auto link = "https://hazmon.test/warning-events/" + std::to_string(id);
  for (const auto& m : mails) {
    SCOPED_TRACE(m.dump());
    auto subject = m["subject"].get<std::string>();
    auto body = m["body"].get<std::string>();
    EXPECT_EQ(subject, "【红色预警】" + f.kName + "液氯罐区");
    EXPECT_EQ(m["defects"], json::array());
    EXPECT_EQ(m["charset"], "utf-8");
    EXPECT_EQ(m["content_type"], "text/plain");
    EXPECT_EQ(m["mail_from"], "noreply@hazmon.test");
    EXPECT_EQ(m["from"], "危化品风险监测平台 <noreply@hazmon.test>");
    EXPECT_LE(m["max_line"].get<int>(), 78);
    EXPECT_NE(m["date"], "None");
    EXPECT_NE(m["message_id"].get<std::string>().find("@hazmon.test>"), std::string::npos);
    for (const std::string& part : {f.kName, std::string("液氯罐区"), std::string("一级"),
                                    std::string("红色预警"), ev["event_no"].get<std::string>(),
                                    link, local_minute(ev["deadline_ts"]), std::string("高高报警")})
      EXPECT_NE(body.find(part), std::string::npos) << part;
  }
  auto to_county = std::find_if(mails.begin(), mails.end(),
                                [](auto& m) { return m["rcpt_tos"][0] == "county@yuci.test"; });
  EXPECT_NE((*to_county)["to"].get<std::string>().find("榆次区应急局值班室"), std::string::npos);

  // SMS: the enterprise contact, the city (SMS only) and the 包保责任人 from the registry.
  auto sms = f.sms();
  ASSERT_EQ(sms.size(), 3u);
  std::set<std::string> phones;
  for (const auto& m : sms) {
    phones.insert(m.recipient);
    EXPECT_EQ(m.body.rfind("【危化品风险监测】", 0), 0u) << m.body;
    for (const std::string& part :
         {f.kName, std::string("红色预警"), link, local_minute(ev["deadline_ts"])})
      EXPECT_NE(m.body.find(part), std::string::npos) << part << " in " << m.body;
  }
  EXPECT_EQ(phones, (std::set<std::string>{"13800000001", "13900000002", "13700000003"}));
  EXPECT_NE(f.sms_to("13700000003").at(0).recipient_name.find("张主任"), std::string::npos);

  auto list = f.notifications(id);
  EXPECT_EQ(list["total"], 6);
  std::set<std::string> tiers;
  for (const auto& r : list["items"]) {
    EXPECT_EQ(r["status"], "sent") << r.dump();
    EXPECT_EQ(r["attempts"], 1);
    EXPECT_EQ(r["push_reason"], "created");
    EXPECT_TRUE(r["sent_at"].is_string());
    tiers.insert(r["recipient_level"].get<std::string>());
  }
  EXPECT_EQ(tiers, (std::set<std::string>{"enterprise", "county", "city", "province"}));
  EXPECT_EQ(f.metric("email", "sent"), "3");
  EXPECT_EQ(f.metric("sms", "sent"), "3");

  // The same push again (a listener called twice, a restart replaying it): nothing new.
  auto again = f.srv.warnings().push_of(id, "created");
  ASSERT_TRUE(again);
  EXPECT_EQ(f.srv.notifications().enqueue(*again), 0);
  // More readings above HH join the open event: no new push, no new message.
  json more = {{"companyCode", f.kCompany}, {"gatewayCode", f.kGateway},
               {"dataId", "ntf-red-2"},     {"reportType", "realtime"},
               {"sendTime", f.at(0)},       {"datas", json::array({f.item(10, 19.5)})}};
  ASSERT_EQ(f.c.post_json("/api/v1/upload/realtime", more, f.gateway).status, 200);
  f.settle();
  EXPECT_EQ(f.srv.notifications().deliver_due(), 0);
  EXPECT_EQ(f.mails().size(), 3u);
  EXPECT_EQ(f.sms().size(), 3u);
  EXPECT_EQ(f.notifications(id)["total"], 6);
}

TEST(Notify, EscalationAfterAMissedDeadlineReachesTheNextTier) {
  Fixture f(3);  // HH on a rank-3 hazard source: yellow, told to the enterprise and county
  f.smtp.start();
  f.all_contacts();
  f.raise_hh("ntf-esc-1");
  auto ev = f.event();
  ASSERT_EQ(ev["level"], "yellow");
  auto id = ev["id"].get<long long>();
  f.srv.notifications().deliver_due();
  EXPECT_EQ(field_set(f.mails(), "rcpt_tos"),
            (std::set<std::string>{"duty@ent.test", "county@yuci.test"}));
  EXPECT_EQ(f.sms_to("13800000001").size(), 1u);
  EXPECT_EQ(f.sms_to("13700000003").size(), 1u);
  EXPECT_TRUE(f.sms_to("13900000002").empty()) << "the city is not told of a yellow event";

  // The reading returns to normal (so rule 4, "HH for 30 minutes", cannot raise the level on
  // its own), but nobody feeds back: past the deadline the event escalates (orange, one
  // escalation: every tier).
  json normal = {{"companyCode", f.kCompany}, {"gatewayCode", f.kGateway},
                 {"dataId", "ntf-esc-2"},     {"reportType", "realtime"},
                 {"sendTime", f.at(0)},       {"datas", json::array({f.item(0, 10)})}};
  ASSERT_EQ(f.c.post_json("/api/v1/upload/realtime", normal, f.gateway).status, 200);
  f.settle();
  EXPECT_EQ(f.srv.notifications().deliver_due(), 0);
  auto deadline = core::parse_time(ev["deadline_ts"].get<std::string>());
  ASSERT_TRUE(deadline);
  f.srv.clock().advance(*deadline - f.srv.clock().now() + seconds(1));
  f.settle();
  auto after = f.c.get("/api/v1/warning-events/" + std::to_string(id), f.admin).json();
  ASSERT_EQ(after["escalation_count"], 1) << after.dump();
  ASSERT_EQ(after["level"], "orange") << after.dump();
  f.srv.notifications().deliver_due();

  auto city = f.sms_to("13900000002");
  ASSERT_EQ(city.size(), 1u) << "the city is told once the event escalates";
  EXPECT_NE(city[0].body.find("逾期"), std::string::npos) << city[0].body;
  EXPECT_NE(city[0].body.find("升级"), std::string::npos) << city[0].body;
  EXPECT_NE(city[0].body.find(f.kName), std::string::npos) << city[0].body;
  EXPECT_EQ(f.sms_to("13800000001").size(), 2u) << "the enterprise is reminded";
  auto mails = f.mails();
  ASSERT_EQ(mails.size(), 4u);  // enterprise and county, twice; the province wants red only
  EXPECT_EQ(field_set(mails, "rcpt_tos").count("duty@shanxi.test"), 0u);
  std::string escalated_subject = mails[2]["subject"];
  EXPECT_NE(escalated_subject.find("逾期升级"), std::string::npos) << escalated_subject;
  EXPECT_NE(escalated_subject.find(after["level"] == "orange" ? "橙色预警" : "?"),
            std::string::npos)
      << escalated_subject;

  auto list = f.notifications(id, {}, "&status=sent");
  long long escalated = 0;
  for (const auto& r : list["items"])
    if (r["push_reason"] == "escalated") ++escalated;
  EXPECT_EQ(escalated, 5);  // enterprise SMS + e-mail, 包保 SMS, county e-mail, city SMS
  // A later tick with nothing new sends nothing.
  f.settle();
  EXPECT_EQ(f.srv.notifications().deliver_due(), 0);
}

TEST(Notify, SmtpOutageIsRetriedWithBackOffAndDeliveredOnceItIsUp) {
  Fixture f(1);  // the SMTP sink is not started yet: connections are refused
  f.contact({{"level", "enterprise"},
             {"company_code", f.kCompany},
             {"name", "企业值班员"},
             {"phone", "13800000001"},
             {"email", "duty@ent.test"},
             {"channels", {"sms", "email"}}});
  f.srv.sms().set_failing(true);  // and the SMS gateway is down for good
  f.raise_hh("ntf-down-1");
  auto id = f.event()["id"].get<long long>();
  auto row = [&](const std::string& channel) {
    auto l = f.notifications(id, {}, "&channel=" + channel);
    if (l["items"].size() != 1) throw std::runtime_error(l.dump());
    return l["items"][0];
  };
  auto expect_next = [&](const json& r, seconds after) {
    auto t = core::parse_time(r["next_attempt_at"].get<std::string>());
    ASSERT_TRUE(t);
    EXPECT_EQ(floor<milliseconds>(*t), floor<milliseconds>(f.srv.clock().now() + after))
        << r.dump();
  };

  EXPECT_EQ(f.srv.notifications().deliver_due(), 2);
  auto mail = row("email");
  EXPECT_EQ(mail["status"], "pending");
  EXPECT_EQ(mail["attempts"], 1);
  EXPECT_NE(mail["last_error"].get<std::string>().find("smtp"), std::string::npos) << mail.dump();
  expect_next(mail, seconds(30));
  EXPECT_EQ(f.srv.notifications().deliver_due(), 0) << "nothing is due before the back-off ends";

  f.srv.clock().advance(seconds(31));
  EXPECT_EQ(f.srv.notifications().deliver_due(), 2);
  mail = row("email");
  EXPECT_EQ(mail["attempts"], 2);
  expect_next(mail, seconds(60));  // doubled

  f.smtp.start();
  f.srv.clock().advance(seconds(30));
  EXPECT_EQ(f.srv.notifications().deliver_due(), 0) << "still inside the 60 s back-off";
  EXPECT_TRUE(f.mails().empty());
  f.srv.clock().advance(seconds(31));
  EXPECT_EQ(f.srv.notifications().deliver_due(), 2);
  mail = row("email");
  EXPECT_EQ(mail["status"], "sent");
  EXPECT_EQ(mail["attempts"], 3);
  EXPECT_TRUE(mail["last_error"].is_null());
  auto got = f.mails();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["rcpt_tos"], json::array({"duty@ent.test"}));
  EXPECT_EQ(got[0]["subject"], "【红色预警】" + f.kName + "液氯罐区");

  // The SMS gateway stays down: 120 s, 240 s, then the fifth attempt gives up.
  expect_next(row("sms"), seconds(120));
  f.srv.clock().advance(seconds(121));
  EXPECT_EQ(f.srv.notifications().deliver_due(), 1);
  expect_next(row("sms"), seconds(240));
  f.srv.clock().advance(seconds(241));
  EXPECT_EQ(f.srv.notifications().deliver_due(), 1);
  auto sms = row("sms");
  EXPECT_EQ(sms["status"], "failed");
  EXPECT_EQ(sms["attempts"], 5);
  EXPECT_NE(sms["last_error"].get<std::string>().find("failing"), std::string::npos) << sms.dump();
  f.srv.clock().advance(hours(1));
  EXPECT_EQ(f.srv.notifications().deliver_due(), 0);
  EXPECT_TRUE(f.sms().empty());
  EXPECT_EQ(f.mails().size(), 1u) << "delivered once";
  EXPECT_EQ(f.metric("email", "retried"), "2");
  EXPECT_EQ(f.metric("email", "sent"), "1");
  EXPECT_EQ(f.metric("sms", "retried"), "4");
  EXPECT_EQ(f.metric("sms", "failed"), "1");
  EXPECT_EQ(
      f.c.get("/api/v1/notifications?status=failed&warning_event_id=" + std::to_string(id), f.admin)
          .json()["total"],
      1);
}

TEST(Notify, ListIsScopedAndContactsAreCheckedAndKeptInScope) {
  Fixture f(1);
  f.smtp.start();
  auto ent_contact = f.contact({{"level", "enterprise"},
                                {"company_code", f.kCompany},
                                {"name", "企业值班员"},
                                {"phone", "13800000001"}});
  f.raise_hh("ntf-scope-1");
  auto id = f.event()["id"].get<long long>();
  EXPECT_EQ(f.srv.notifications().deliver_due(), 1);

  // Who sees the notification: the province, the county and the enterprise, phone masked for
  // those who do not keep the contact list; not another city, not a gateway.
  auto county = f.srv.make_user("ntf_county" + f.kN, "county_officer", "140702");
  auto taiyuan = f.srv.make_user("ntf_taiyuan" + f.kN, "city_officer", "140100");
  auto jinzhong = f.srv.make_user("ntf_jinzhong" + f.kN, "city_officer", "140700");
  auto ent = f.srv.make_user("ntf_ent" + f.kN, "enterprise_user", f.kCompany);
  EXPECT_EQ(f.notifications(id)["items"][0]["recipient"], "13800000001");
  EXPECT_EQ(f.notifications(id, jinzhong)["items"][0]["recipient"], "13800000001");
  EXPECT_EQ(f.notifications(id, county)["items"][0]["recipient"], "138****0001");
  EXPECT_EQ(f.notifications(id, ent)["items"][0]["recipient"], "138****0001");
  EXPECT_EQ(f.notifications(id, taiyuan)["total"], 0);
  EXPECT_EQ(f.c.get("/api/v1/notifications", f.gateway).status, 403);
  EXPECT_EQ(f.c.get("/api/v1/notifications").status, 401);
  EXPECT_EQ(f.c.get("/api/v1/notifications?status=lost", f.admin).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/notifications?channel=fax", f.admin).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/notifications?colour=red", f.admin).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/notifications?warning_event_id=x", f.admin).status, 400);

  // Contacts: a city officer keeps those of its city only; outside it they do not exist.
  auto r = f.c.post_json("/api/v1/notify-contacts",
                         {{"level", "enterprise"},
                          {"company_code", f.kCompany},
                          {"name", "x"},
                          {"phone", "13800000009"}},
                         taiyuan);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(pointers(r), std::vector<std::string>{"/company_code"});
  r = f.c.post_json(
      "/api/v1/notify-contacts",
      {{"level", "county"}, {"region_code", "140702"}, {"name", "x"}, {"phone", "13800000009"}},
      taiyuan);
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(pointers(r), std::vector<std::string>{"/region_code"});
  r = f.c.post_json("/api/v1/notify-contacts",
                    {{"level", "city"},
                     {"region_code", "140100"},
                     {"name", "太原市应急局"},
                     {"phone", "13800000009"}},
                    taiyuan);
  ASSERT_EQ(r.status, 201) << r.body;
  auto own = r.json()["id"].get<long long>();
  auto mine = f.c.get("/api/v1/notify-contacts", taiyuan).json();
  ASSERT_EQ(mine["total"], 1) << mine.dump();
  EXPECT_EQ(mine["items"][0]["id"], own);
  EXPECT_EQ(f.c.get("/api/v1/notify-contacts", jinzhong).json()["total"],
            1);  // the enterprise contact
  EXPECT_EQ(f.c.get("/api/v1/notify-contacts", f.admin).json()["total"], 2);
  auto put = [&](long long cid, const json& body, const std::string& token) {
    return f.c.request(
        "PUT", "/api/v1/notify-contacts/" + std::to_string(cid), body.dump(),
        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  };
  json renamed = {{"level", "enterprise"},     {"company_code", f.kCompany},
                  {"name", "夜班值班员"},      {"phone", "13800000001"},
                  {"email", "night@ent.test"}, {"channels", {"sms", "email"}},
                  {"min_level", "orange"}};
  EXPECT_EQ(put(ent_contact, renamed, taiyuan).status, 404);
  EXPECT_EQ(f.c.del("/api/v1/notify-contacts/" + std::to_string(ent_contact), taiyuan).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/notify-contacts", county).status, 403);
  EXPECT_EQ(f.c.post_json("/api/v1/notify-contacts",
                          {{"level", "county"},
                           {"region_code", "140702"},
                           {"name", "x"},
                           {"phone", "13800000009"}},
                          county)
                .status,
            403);
  EXPECT_EQ(f.c.get("/api/v1/notify-contacts", ent).status, 403);
  r = put(ent_contact, renamed, jinzhong);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["name"], "夜班值班员");
  EXPECT_EQ(r.json()["channels"], json::array({"sms", "email"}));
  EXPECT_EQ(r.json()["min_level"], "orange");
  EXPECT_EQ(r.json()["company_name"], f.kName);

  // Bad input: 422 validation_failed naming each field.
  struct Case {
    json body;
    std::vector<std::string> pointers;
  };
  std::vector<Case> cases = {
      {json::object(), {"/level", "/name", "/phone"}},
      {{{"level", "enterprise"}, {"name", "x"}, {"phone", "12345"}}, {"/company_code", "/phone"}},
      {{{"level", "county"}, {"region_code", "140700"}, {"name", "x"}, {"phone", "13800000009"}},
       {"/region_code"}},
      {{{"level", "province"}, {"region_code", "140700"}, {"name", "x"}, {"phone", "13800000009"}},
       {"/region_code"}},
      {{{"level", "city"},
        {"region_code", "140700"},
        {"company_code", f.kCompany},
        {"name", "x"},
        {"phone", "13800000009"}},
       {"/company_code"}},
      {{{"level", "city"},
        {"region_code", "140700"},
        {"name", "x"},
        {"phone", "13800000009"},
        {"channels", {"fax"}}},
       {"/channels/0"}},
      {{{"level", "city"},
        {"region_code", "140700"},
        {"name", "x"},
        {"phone", "13800000009"},
        {"channels", {"sms", "sms"}}},
       {"/channels/1"}},
      {{{"level", "city"}, {"region_code", "140700"}, {"name", "x"}, {"channels", {"email"}}},
       {"/email"}},
      {{{"level", "city"},
        {"region_code", "140700"},
        {"name", "x"},
        {"channels", {"email"}},
        {"email", "not-an-address"}},
       {"/email"}},
      {{{"level", "city"},
        {"region_code", "140700"},
        {"name", "x"},
        {"phone", "13800000009"},
        {"colour", "red"}},
       {"/colour"}},
      {{{"level", "city"},
        {"region_code", "140700"},
        {"name", "x"},
        {"phone", "13800000009"},
        {"min_level", "purple"}},
       {"/min_level"}},
      {{{"level", "city"}, {"region_code", "140700"}, {"name", ""}, {"phone", "13800000009"}},
       {"/name"}},
      {{{"level", "city"},
        {"region_code", "140700"},
        {"name", 7},
        {"phone", "13800000009"},
        {"is_active", "yes"}},
       {"/name", "/is_active"}},
      {{{"level", "district"}, {"name", "x"}, {"phone", "13800000009"}}, {"/level"}},
      {{{"level", "enterprise"},
        {"company_code", "99999999999"},
        {"name", "x"},
        {"phone", "13800000009"}},
       {"/company_code"}},
      {json::array({1}), {""}},
  };
  auto before = f.c.get("/api/v1/notify-contacts", f.admin).json()["total"];
  for (const auto& k : cases) {
    SCOPED_TRACE(k.body.dump());
    auto res = f.c.post_json("/api/v1/notify-contacts", k.body, f.admin);
    EXPECT_EQ(res.status, 422) << res.body;
    EXPECT_EQ(res.json()["code"], "validation_failed");
    EXPECT_EQ(res.header("content-type"), "application/problem+json");
    auto got = pointers(res);
    std::sort(got.begin(), got.end());
    auto want = k.pointers;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
  }
  EXPECT_EQ(
      f.c.request("POST", "/api/v1/notify-contacts", "{not json",
                  {{"Authorization", "Bearer " + f.admin}, {"Content-Type", "application/json"}})
          .status,
      400);
  EXPECT_EQ(f.c.request("POST", "/api/v1/notify-contacts", "level=city",
                        {{"Authorization", "Bearer " + f.admin}, {"Content-Type", "text/plain"}})
                .status,
            415);
  EXPECT_EQ(put(999999999, renamed, f.admin).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/notify-contacts?level=district", f.admin).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/notify-contacts", f.admin).json()["total"], before)
      << "nothing stored by bad input";

  EXPECT_EQ(f.c.del("/api/v1/notify-contacts/" + std::to_string(own), taiyuan).status, 204);
  EXPECT_EQ(f.c.del("/api/v1/notify-contacts/" + std::to_string(own), taiyuan).status, 404);
  // The notification that went to the enterprise contact keeps its row after the contact goes.
  EXPECT_EQ(f.c.del("/api/v1/notify-contacts/" + std::to_string(ent_contact), f.admin).status, 204);
  EXPECT_EQ(f.notifications(id)["total"], 1);
}

TEST(Notify, HttpSmsGatewayPostsJsonWithTheKeyAndTellsPermanentFromPassingFailures) {
  Sink gw(free_port(), "sms_sink.py");
  gw.start();
  notify::HttpSmsSettings s;
  s.url = "http://127.0.0.1:" + std::to_string(gw.port()) + "/v1/send";
  s.api_key = "k-" + core::random_hex(8);
  s.sign_name = "危化品监测";
  s.timeout = milliseconds(1500);
  notify::HttpSmsGateway sms(s);
  notify::Message m{notify::Channel::sms,
                    "13800000001",
                    "值班员",
                    "",
                    "【危化品风险监测】红色预警：测试",
                    "",
                    {}};
  sms.send(m);
  auto got = gw.messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["path"], "/v1/send");
  EXPECT_EQ(got[0]["headers"]["x-api-key"], s.api_key);
  EXPECT_NE(got[0]["headers"]["content-type"].get<std::string>().find("application/json"),
            std::string::npos);
  EXPECT_EQ(got[0]["body"],
            (json{{"phone", "13800000001"}, {"content", m.body}, {"sign", "危化品监测"}}));

  auto failure = [&](const std::string& mode) -> std::optional<notify::SendError> {
    std::ofstream(gw.dir() / "mode") << mode;
    try {
      sms.send(m);
    } catch (const notify::SendError& e) {
      return e;
    }
    return std::nullopt;
  };
  auto reject = failure("reject");
  ASSERT_TRUE(reject);
  EXPECT_TRUE(reject->permanent()) << reject->what();
  EXPECT_NE(std::string(reject->what()).find("400"), std::string::npos) << reject->what();
  EXPECT_EQ(std::string(reject->what()).find(s.api_key), std::string::npos)
      << "the key never appears in errors";
  auto busy = failure("busy");
  ASSERT_TRUE(busy);
  EXPECT_FALSE(busy->permanent()) << busy->what();
  auto t0 = steady_clock::now();
  auto slow = failure("slow");
  ASSERT_TRUE(slow);
  EXPECT_FALSE(slow->permanent()) << slow->what();
  EXPECT_LT(steady_clock::now() - t0, seconds(4)) << "the timeout bounds a hanging gateway";
  auto bad_number = [&] {
    try {
      sms.send({notify::Channel::sms, "138-0000", "", "", "x", "", {}});
    } catch (const notify::SendError& e) {
      return e.permanent();
    }
    return false;
  };
  EXPECT_TRUE(bad_number());
  gw.stop();
  auto down = failure("ok");
  ASSERT_TRUE(down);
  EXPECT_FALSE(down->permanent()) << down->what();
}

TEST(Notify, SenderThreadDeliversNewRowsByItself) {
  Fixture f(1);
  f.contact({{"level", "enterprise"},
             {"company_code", f.kCompany},
             {"name", "企业值班员"},
             {"phone", "13800000001"}});
  f.raise_hh("ntf-thread-1");
  auto ev = f.srv.warnings().push_of(f.event()["id"].get<long long>(), "created");
  ASSERT_TRUE(ev);
  // A second service as hazmond runs it: real clock, its own sender thread, woken by enqueue.
  core::SystemClock clock;
  notify::RecordingSmsGateway sms;
  service::NotifySettings ns;
  ns.poll_interval = milliseconds(200);
  service::NotificationService svc(shared_db().db(), ns, clock, &sms, nullptr);
  svc.start();
  // Its own contact, so that this push is new for it (the fixture's rows exist already).
  f.contact({{"level", "enterprise"},
             {"company_code", f.kCompany},
             {"name", "线程测试"},
             {"phone", "13800000077"}});
  EXPECT_EQ(svc.enqueue(*ev), 1);
  auto until = steady_clock::now() + seconds(10);
  while (sms.sent().size() < 2 && steady_clock::now() < until)
    std::this_thread::sleep_for(milliseconds(20));
  svc.stop();
  // The outbox is one: the thread delivers every due row, the fixture's queued one included.
  ASSERT_EQ(sms.sent().size(), 2u);
  std::set<std::string> phones;
  for (const auto& m : sms.sent()) {
    phones.insert(m.recipient);
    EXPECT_NE(m.body.find(f.kName), std::string::npos);
  }
  EXPECT_EQ(phones, (std::set<std::string>{"13800000001", "13800000077"}));
  EXPECT_EQ(svc.stats().sent, 2u);
  EXPECT_EQ(f.notifications(ev->event.id, {}, "&status=sent")["total"], 2);
  EXPECT_EQ(f.srv.notifications().deliver_due(), 0) << "nothing left for anyone else";
}
