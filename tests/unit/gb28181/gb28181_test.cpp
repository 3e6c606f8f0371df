// The GB/T 28181 module without a database: SIP parsing (libosip2) and responses, RFC 2617
// digest, MANSCDP bodies in GB2312, and the UDP server against a DeviceBook in memory with the
// test device simulator (register 401 -> digest -> 200, keepalive, a catalog in two parts,
// refusals, garbage and oversized datagrams).
#include <gtest/gtest.h>

#include <iconv.h>

#include <future>
#include <map>
#include <mutex>
#include <optional>

#include <hazmon/core/clock.hpp>
#include <hazmon/gb28181/digest.hpp>
#include <hazmon/gb28181/manscdp.hpp>
#include <hazmon/gb28181/server.hpp>
#include <hazmon/gb28181/sip_message.hpp>

#include "gb_device_sim.hpp"

using namespace hazmon;
using namespace hazmon::gb28181;
using hazmon::test::GbDeviceSim;

namespace {
const std::string kDevice = "14010500001180000001";  // type 118: an NVR
const std::string kDomain = "1400000000";

std::string to_gb(const std::string& utf8) {
  iconv_t cd = iconv_open("GB2312", "UTF-8");
  std::string out(utf8.size() * 2, '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size(), out_left = out.size();
  char* o = out.data();
  iconv(cd, &in, &in_left, &o, &out_left);
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

std::string catalog_xml(long long sn, const std::string& device, int sum,
                        const std::vector<std::pair<std::string, std::string>>& items) {
  std::string x =
      "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Response>\r\n"
      "<CmdType>Catalog</CmdType>\r\n<SN>" +
      std::to_string(sn) + "</SN>\r\n<DeviceID>" + device + "</DeviceID>\r\n<SumNum>" +
      std::to_string(sum) + "</SumNum>\r\n<DeviceList Num=\"" + std::to_string(items.size()) +
      "\">\r\n";
  for (const auto& [id, name] : items)
    x += "<Item>\r\n<DeviceID>" + id + "</DeviceID>\r\n<Name>" + to_gb(name) +
         "</Name>\r\n<Manufacturer>Hikvision</Manufacturer>\r\n<Status>ON</Status>\r\n"
         "<Longitude>112.55</Longitude>\r\n<Latitude>37.87</Latitude>\r\n</Item>\r\n";
  return x + "</DeviceList>\r\n</Response>\r\n";
}

struct MemoryBook : DeviceBook {
  std::mutex mu;
  std::vector<DeviceCredential> rows;  // device id kept in `ids`
  std::map<long long, std::string> ids;
  std::vector<Registration> registrations;
  std::vector<std::pair<long long, std::string>> keepalives;
  std::map<long long, std::vector<CatalogItem>> catalogs;
  std::vector<DeviceCredential> credentials(const std::string& device_id) override {
    std::lock_guard l(mu);
    std::vector<DeviceCredential> out;
    for (const auto& r : rows)
      if (ids[r.row_id] == device_id) out.push_back(r);
    return out;
  }
  bool registered(const Registration& r) override {
    std::lock_guard l(mu);
    registrations.push_back(r);
    return true;
  }
  bool keepalive(long long row, const std::string& address, core::SysTime) override {
    std::lock_guard l(mu);
    keepalives.emplace_back(row, address);
    return true;
  }
  bool catalog(long long row, const std::vector<CatalogItem>& items, core::SysTime) override {
    std::lock_guard l(mu);
    catalogs[row] = items;
    return true;
  }
};

struct Fixture {
  MemoryBook book;
  core::FakeClock clock{std::chrono::system_clock::now()};
  std::unique_ptr<Server> server;
  unsigned short port = 0;
  explicit Fixture(ServerSettings s = {}) {
    book.rows = {{1, "14010500001", "Secret-8x"}};
    book.ids[1] = kDevice;
    s.listen_address = "127.0.0.1";
    s.port = 0;
    s.domain = kDomain;
    server = std::make_unique<Server>(s, book, clock);
    port = server->start();
  }
};
}  // namespace

TEST(GbDigest, Rfc2617Example) {
  DigestCredentials c{"Mufasa",
                      "testrealm@host.com",
                      "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                      "/dir/index.html",
                      "6629fae49393a05397450978507c4ef1",
                      "MD5",
                      "auth",
                      "00000001",
                      "0a4f113b"};
  EXPECT_EQ(digest_response(c, "GET", "Circle Of Life"), "6629fae49393a05397450978507c4ef1");
  EXPECT_TRUE(digest_matches(c, "GET", "Circle Of Life"));
  EXPECT_FALSE(digest_matches(c, "GET", "Circle of Life"));
  c.algorithm = "SHA-256";
  EXPECT_FALSE(digest_matches(c, "GET", "Circle Of Life"));
}

TEST(GbSip, ParsesARegisterAndAnswersIt) {
  GbDeviceSim sim(kDevice, kDomain, 1);
  auto text = sim.register_text(3600, "Digest username=\"" + kDevice +
                                          "\", realm=\"1400000000\", nonce=\"abc\", "
                                          "uri=\"sip:1400000000\", response=\"00\"");
  auto m = parse_sip(text);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is_request);
  EXPECT_EQ(m->method, "REGISTER");
  EXPECT_EQ(m->from_user, kDevice);
  EXPECT_EQ(m->to_user, kDevice);
  EXPECT_EQ(m->expires, 3600);
  ASSERT_TRUE(m->authorization);
  EXPECT_EQ(m->authorization->nonce, "abc");
  EXPECT_EQ(m->authorization->username, kDevice);
  auto r = sip_response(*m, 200, "OK", "t1", {"Expires: 3600"});
  EXPECT_EQ(r.rfind("SIP/2.0 200 OK\r\n", 0), 0u);
  EXPECT_NE(r.find("CSeq: 1 REGISTER\r\n"), std::string::npos);
  EXPECT_NE(r.find(";tag=t1\r\n"), std::string::npos);
  EXPECT_NE(r.find("Via: SIP/2.0/UDP 127.0.0.1"), std::string::npos);
  EXPECT_EQ(sip_uri_user("sip:" + kDevice + "@1400000000"), kDevice);
}

TEST(GbSip, RefusesGarbage) {
  std::string why;
  EXPECT_FALSE(parse_sip("hello", &why));
  EXPECT_FALSE(parse_sip(""));
  EXPECT_FALSE(parse_sip("REGISTER sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n", &why));
  EXPECT_FALSE(why.empty());
}

TEST(GbManscdp, CatalogInGb2312BecomesUtf8) {
  auto xml = catalog_xml(7, kDevice, 2, {{"14010500001310000001", "罐区东北角"}});
  auto utf8 = manscdp_to_utf8(xml);
  ASSERT_TRUE(utf8);
  auto m = parse_manscdp(*utf8, 10);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->root, "Response");
  EXPECT_EQ(m->cmd_type, "Catalog");
  EXPECT_EQ(m->sn, 7);
  EXPECT_EQ(m->sum_num, 2);
  ASSERT_EQ(m->items.size(), 1u);
  EXPECT_EQ(m->items[0].name, "罐区东北角");
  EXPECT_EQ(m->items[0].status, "ON");
  ASSERT_TRUE(m->items[0].longitude);
  EXPECT_DOUBLE_EQ(*m->items[0].longitude, 112.55);
}

TEST(GbManscdp, RefusesWhatItShouldNotRead) {
  std::string why;
  EXPECT_FALSE(
      parse_manscdp("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><Notify>"
                    "<CmdType>Keepalive</CmdType><SN>1</SN></Notify>",
                    10, &why));
  EXPECT_FALSE(parse_manscdp("<Notify><CmdType>Keepalive</CmdType><SN>1</SN>", 10, &why));
  EXPECT_FALSE(parse_manscdp("<Notify><CmdType>K</CmdType><SN>1</SN></Response>", 10, &why));
  std::string deep = "<a><a><a><a><a><a><a><a><a><a></a></a></a></a></a></a></a></a></a></a>";
  EXPECT_FALSE(parse_manscdp(deep, 10, &why));
  EXPECT_FALSE(parse_manscdp(catalog_xml(1, kDevice, 3,
                                         {{"14010500001310000001", "a"},
                                          {"14010500001310000002", "b"},
                                          {"14010500001310000003", "c"}}),
                             2, &why));
  EXPECT_EQ(why, "too many catalog items");
  EXPECT_FALSE(manscdp_to_utf8("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\xff\xfe"));
  auto ok = parse_manscdp(
      "<Notify><CmdType>Keepalive</CmdType><SN>3</SN><DeviceID>a&amp;b"
      "</DeviceID></Notify>",
      10);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->device_id, "a&b");
  std::string type;
  EXPECT_TRUE(is_gb_id(kDevice, &type));
  EXPECT_EQ(type, "118");
  EXPECT_FALSE(is_gb_id("1401050000118000000"));
  EXPECT_FALSE(is_gb_id("1401050000118000000x"));
}

TEST(GbServer, RegisterKeepaliveAndACatalogInTwoParts) {
  Fixture f;
  GbDeviceSim dev(kDevice, kDomain, f.port);
  dev.send_raw(dev.register_text(3600));
  auto challenge = dev.response();
  ASSERT_EQ(GbDeviceSim::status(challenge), 401);
  auto www = GbDeviceSim::header(*challenge, "WWW-Authenticate");
  EXPECT_EQ(GbDeviceSim::param(www, "realm"), kDomain);
  dev.send_raw(dev.register_text(3600, dev.authorization(www, "Secret-8x")));
  auto ok = dev.response();
  ASSERT_EQ(GbDeviceSim::status(ok), 200);
  EXPECT_EQ(GbDeviceSim::header(*ok, "Expires"), "3600");
  EXPECT_FALSE(GbDeviceSim::header(*ok, "Date").empty());
  // The nonce is used up: the same REGISTER again is challenged (stale), not accepted.
  dev.send_raw(dev.register_text(3600, dev.authorization(www, "Secret-8x")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 401);

  auto query = dev.next_request();
  ASSERT_TRUE(query);
  EXPECT_EQ(query->rfind("MESSAGE sip:" + kDevice + "@127.0.0.1:", 0), 0u);
  auto qbody = GbDeviceSim::body(*query);
  EXPECT_NE(qbody.find("<CmdType>Catalog</CmdType>"), std::string::npos);
  auto sn = std::stoll(qbody.substr(qbody.find("<SN>") + 4));
  dev.answer_ok(*query);

  EXPECT_EQ(dev.keepalive(), 200);
  dev.send_raw(dev.message_text(catalog_xml(sn, kDevice, 2, {{"14010500001310000001", "一号罐"}})));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 200);
  dev.send_raw(dev.message_text(catalog_xml(sn, kDevice, 2, {{"14010500001310000002", "二号罐"}})));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 200);
  std::lock_guard l(f.book.mu);
  ASSERT_EQ(f.book.registrations.size(), 1u);
  EXPECT_EQ(f.book.registrations[0].row_id, 1);
  EXPECT_EQ(f.book.registrations[0].expires_s, 3600);
  EXPECT_EQ(f.book.registrations[0].address, "127.0.0.1:" + std::to_string(dev.port()));
  ASSERT_EQ(f.book.keepalives.size(), 1u);
  ASSERT_EQ(f.book.catalogs[1].size(), 2u);
  EXPECT_EQ(f.book.catalogs[1][1].name, "二号罐");
}

TEST(GbServer, RefusesWithoutTellingWhichIdsExist) {
  Fixture f;
  GbDeviceSim dev(kDevice, kDomain, f.port);
  EXPECT_EQ(dev.register_with("wrong-password"), 403);
  GbDeviceSim stranger("14010500001180000099", kDomain, f.port);
  EXPECT_EQ(stranger.register_with("wrong-password"), 403);  // same answers as a known id
  // Digest user other than the From user: 403 even with the right password of the From id.
  dev.send_raw(dev.register_text(3600));
  auto ch = dev.response();
  ASSERT_EQ(GbDeviceSim::status(ch), 401);
  dev.send_raw(
      dev.register_text(3600, dev.authorization(GbDeviceSim::header(*ch, "WWW-Authenticate"),
                                                "Secret-8x", "14010500001180000099")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 403);
  // Messages of a device that is not registered count for nothing.
  EXPECT_EQ(dev.keepalive(), 403);
  std::lock_guard l(f.book.mu);
  EXPECT_TRUE(f.book.registrations.empty());
  EXPECT_TRUE(f.book.keepalives.empty());
}

TEST(GbServer, OnlyTheRegisteredAddressSpeaksForTheDevice) {
  Fixture f;
  GbDeviceSim dev(kDevice, kDomain, f.port);
  ASSERT_EQ(dev.register_with("Secret-8x"), 200);
  GbDeviceSim spoof(kDevice, kDomain, f.port);  // same id, another port
  EXPECT_EQ(spoof.keepalive(), 403);
  // A keepalive whose body names another device than its From.
  dev.send_raw(dev.message_text(dev.keepalive_xml(2, "14010500001180000099")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 403);
  EXPECT_EQ(dev.keepalive(), 200);
  std::lock_guard l(f.book.mu);
  EXPECT_EQ(f.book.keepalives.size(), 1u);
}

TEST(GbServer, GarbageAndOversizedDatagramsAreDroppedAndTheServerGoesOn) {
  ServerSettings s;
  s.max_datagram_bytes = 2048;
  Fixture f(s);
  GbDeviceSim dev(kDevice, kDomain, f.port);
  dev.send_raw(std::string(4000, 'A'));
  dev.send_raw("REGISTER\r\n\r\n");
  dev.send_raw(std::string("\0\1\2\3", 4));
  dev.send_raw(dev.register_text(3600) + std::string(3000, 'x'));
  EXPECT_FALSE(dev.receive(std::chrono::milliseconds(300)));
  ASSERT_EQ(dev.register_with("Secret-8x"), 200);
  // A MESSAGE with a malformed body is 400; the next good one is taken.
  dev.send_raw(dev.message_text("<Notify><CmdType>Keepalive</CmdType>"));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 400);
  EXPECT_EQ(dev.keepalive(), 200);
}

TEST(GbServer, RegistrationsPerSecondAreBounded) {
  ServerSettings s;
  s.max_registers_per_s = 3;
  Fixture f(s);  // its clock stands still: one second
  GbDeviceSim dev(kDevice, kDomain, f.port);
  int answered = 0;
  for (int i = 0; i < 6; ++i) {
    dev.send_raw(dev.register_text(3600));
    if (dev.response(std::chrono::milliseconds(300))) ++answered;
  }
  EXPECT_EQ(answered, 3);
  f.clock.advance(std::chrono::seconds(1));
  dev.send_raw(dev.register_text(3600));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 401);
}

TEST(GbServer, KeepalivesAreStoredAtMostOnceASecond) {
  Fixture f;
  GbDeviceSim dev(kDevice, kDomain, f.port);
  ASSERT_EQ(dev.register_with("Secret-8x"), 200);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(dev.keepalive(i + 1), 200);
  {
    std::lock_guard l(f.book.mu);
    EXPECT_EQ(f.book.keepalives.size(), 1u);
  }
  f.clock.advance(std::chrono::seconds(1));
  EXPECT_EQ(dev.keepalive(9), 200);
  std::lock_guard l(f.book.mu);
  EXPECT_EQ(f.book.keepalives.size(), 2u);
}

TEST(GbServer, UsedAndExpiredNoncesDoNotPileUp) {
  ServerSettings s;
  s.max_nonces = 4;
  s.max_registers_per_s = 1000;
  Fixture f(s);
  GbDeviceSim dev(kDevice, kDomain, f.port);
  // Eight challenges with room for four: the first ones are gone, the last one still answers.
  std::string last;
  for (int i = 0; i < 8; ++i) {
    dev.send_raw(dev.register_text(3600));
    auto r = dev.response();
    ASSERT_EQ(GbDeviceSim::status(r), 401);
    if (i == 0) last = GbDeviceSim::header(*r, "WWW-Authenticate");
    if (i == 7) {
      dev.send_raw(dev.register_text(
          3600, dev.authorization(GbDeviceSim::header(*r, "WWW-Authenticate"), "Secret-8x")));
      EXPECT_EQ(GbDeviceSim::status(dev.response()), 200);
    }
  }
  // The first nonce was evicted: answering it is a fresh (stale) challenge, not a registration.
  dev.send_raw(dev.register_text(3600, dev.authorization(last, "Secret-8x")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 401);
  // An expired nonce likewise.
  dev.send_raw(dev.register_text(3600));
  auto r = dev.response();
  ASSERT_EQ(GbDeviceSim::status(r), 401);
  f.clock.advance(std::chrono::seconds(s.nonce_ttl_s + 1));
  dev.send_raw(dev.register_text(
      3600, dev.authorization(GbDeviceSim::header(*r, "WWW-Authenticate"), "Secret-8x")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 401);
}

// ---- live video (ADR 0034)

namespace {
// The device's 200 (or another final answer) to an INVITE, with an SDP answer on a 200.
std::string answer_invite(const std::string& invite, int status = 200) {
  std::string sdp =
      "v=0\r\no=dev 0 0 IN IP4 127.0.0.1\r\ns=Play\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=video 15060 RTP/AVP 96\r\na=sendonly\r\na=rtpmap:96 PS/90000\r\n";
  if (status != 200) sdp.clear();
  std::string r = "SIP/2.0 " + std::to_string(status) + (status == 200 ? " OK" : " Busy Here");
  r += "\r\n";
  for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"})
    r += std::string(h) + ": " + GbDeviceSim::header(invite, h) +
         (std::string(h) == "To" ? ";tag=dev1" : "") + "\r\n";
  if (!sdp.empty()) r += "Content-Type: application/sdp\r\n";
  r += "Content-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
  return r;
}
const std::string kChannel = "14010500001310000001";
}  // namespace

// INVITE with the SDP offer goes to the registered address; the 200 is ACKed; bye() sends BYE in
// the dialog. Attack 13.37: a 200 with the call's Call-ID from another address is not the
// device's answer.
TEST(GbServer, InviteAckAndByeWithTheRegisteredAddressOnly) {
  Fixture f;
  GbDeviceSim dev(kDevice, kDomain, f.port);
  ASSERT_EQ(dev.register_with("Secret-8x"), 200);
  ASSERT_TRUE(dev.next_request());  // the catalog query
  InviteRequest r{1, kDevice, kChannel, "", 31234};
  auto answer =
      std::async(std::launch::async, [&] { return f.server->invite(r, std::chrono::seconds(60)); });
  auto invite = dev.next_request(std::chrono::seconds(30));
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->rfind("INVITE sip:" + kChannel + "@127.0.0.1:" + std::to_string(dev.port()) +
                              " SIP/2.0\r\n",
                          0),
            0u)
      << *invite;
  auto sdp = GbDeviceSim::body(*invite);
  EXPECT_NE(sdp.find("c=IN IP4 127.0.0.1\r\n"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("m=video 31234 RTP/AVP 96\r\n"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("a=rtpmap:96 PS/90000\r\n"), std::string::npos) << sdp;
  EXPECT_NE(sdp.find("a=recvonly\r\n"), std::string::npos) << sdp;
  auto y = sdp.substr(sdp.find("y=") + 2, 10);
  EXPECT_EQ(y.find_first_not_of("0123456789"), std::string::npos) << y;
  EXPECT_EQ(y[0], '0');  // live
  EXPECT_EQ(GbDeviceSim::header(*invite, "Subject"),
            kChannel + ":" + y + ",14000000002000000001:0");

  GbDeviceSim forger(kDevice, kDomain, f.port);  // another port: not the registration
  forger.send_raw(answer_invite(*invite));
  EXPECT_FALSE(forger.next_request(std::chrono::milliseconds(300)));  // no ACK for it
  EXPECT_NE(answer.wait_for(std::chrono::milliseconds(0)), std::future_status::ready);

  dev.send_raw(answer_invite(*invite));
  auto res = answer.get();
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(res.device_ip, "127.0.0.1");
  EXPECT_EQ(res.ssrc, y);
  std::optional<std::string> ack;
  while ((ack = dev.next_request()) && ack->rfind("INVITE ", 0) == 0) {
  }  // retransmissions of the INVITE sent before the answer
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->rfind("ACK sip:" + kChannel + "@", 0), 0u) << *ack;
  EXPECT_EQ(GbDeviceSim::header(*ack, "Call-ID"), GbDeviceSim::header(*invite, "Call-ID"));
  EXPECT_NE(GbDeviceSim::header(*ack, "To").find("tag=dev1"), std::string::npos);

  f.server->bye(res.call_id);
  auto bye = dev.next_request();
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->rfind("BYE sip:" + kChannel + "@", 0), 0u) << *bye;
  EXPECT_EQ(GbDeviceSim::header(*bye, "Call-ID"), GbDeviceSim::header(*invite, "Call-ID"));
  EXPECT_EQ(GbDeviceSim::header(*bye, "CSeq"), "2 BYE");
}

// No INVITE without a current registration of the camera's own device row (another row with the
// same id is not it); a refusal is ACKed and reported with its status.
TEST(GbServer, InviteNeedsTheRowsRegistrationAndReportsARefusal) {
  Fixture f;
  InviteRequest r{1, kDevice, kChannel, "", 31234};
  auto res = f.server->invite(r, std::chrono::seconds(30));
  EXPECT_FALSE(res.ok);
  EXPECT_EQ(res.error.rfind("not registered", 0), 0u) << res.error;
  GbDeviceSim dev(kDevice, kDomain, f.port);
  ASSERT_EQ(dev.register_with("Secret-8x"), 200);
  ASSERT_TRUE(dev.next_request());  // the catalog query
  r.row_id = 2;
  res = f.server->invite(r, std::chrono::seconds(30));
  EXPECT_FALSE(res.ok);
  EXPECT_EQ(res.error.rfind("not registered", 0), 0u) << res.error;
  EXPECT_FALSE(dev.next_request(std::chrono::milliseconds(200)));  // nothing was sent

  r.row_id = 1;
  auto answer =
      std::async(std::launch::async, [&] { return f.server->invite(r, std::chrono::seconds(60)); });
  auto invite = dev.next_request(std::chrono::seconds(30));
  ASSERT_TRUE(invite);
  dev.send_raw(answer_invite(*invite, 486));
  res = answer.get();
  EXPECT_FALSE(res.ok);
  EXPECT_EQ(res.error, "refused: 486");
  std::optional<std::string> ack;
  while ((ack = dev.next_request()) && ack->rfind("INVITE ", 0) == 0) {
  }
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->rfind("ACK ", 0), 0u) << *ack;
}
