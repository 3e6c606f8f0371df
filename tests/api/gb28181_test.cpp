// GB/T 28181 devices (docs/gb28181.md) end to end: people file devices over HTTPS, a simulated
// device (tests/support/gb_device_sim.hpp: real SIP text over UDP) registers with hazmond's SIP
// server (401 -> digest -> 200), keeps alive and answers the catalog query with two channels in
// two MESSAGEs; the database and GET /api/v1/gb28181/devices show it online with its channels,
// and offline once three keepalive periods pass on the server's clock. A wrong password, an id
// nobody filed, an id filed by another enterprise (its password does not open this one) and
// garbage datagrams store nothing; scope and roles hold on the API.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <iconv.h>

#include <hazmon/app/platform.hpp>
#include <hazmon/core/clock.hpp>

#include "gb_device_sim.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

// 晋城 (140500): county 140581 (高平市), which no other API test uses.
constexpr const char* kCounty = "140581";
const std::string kA = "14058100001";
const std::string kB = "14058100002";
const std::string kOther = "14040000081";  // 长治: another city
const std::string kNvr = "14058100001180000001";
const std::string kCam = "14058100001310000009";
const std::string kDomain = "1400000000";

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, county, city_other, user_a, user_b, gateway_a, officer;
  HttpsClient c() const { return srv->client(); }
  unsigned short sip() { return srv->platform().gb28181_port(); }
  json device(long long id, const std::string& token) {
    auto r = c().get("/api/v1/gb28181/devices/" + std::to_string(id), token);
    if (r.status != 200) throw std::runtime_error("device: " + r.body);
    return r.json();
  }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    TestServerOptions o;
    o.gb28181 = true;
    w->srv = std::make_unique<TestServer>(shared_db(), o);
    w->admin = w->srv->make_user("gb_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409) throw std::runtime_error("gb set-up: " + r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/regions",
        {{"code", kCounty}, {"name", "高平市"}, {"level", "county"}, {"parent_code", "140500"}},
        w->admin));
    for (const auto& [code, region] :
         {std::pair{kA, std::string(kCounty)}, std::pair{kB, std::string(kCounty)},
          std::pair{kOther, std::string("140400")}})
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "国标接入" + code + "化工有限公司"},
                      {"region_code", region}},
                     w->admin));
    w->county = w->srv->make_user("gb_county", "county_officer", kCounty);
    w->city_other = w->srv->make_user("gb_city_other", "city_officer", "140400");
    w->officer = w->srv->make_user("gb_province_officer", "province_officer");
    w->user_a = w->srv->make_user("gb_user_a", "enterprise_user", kA);
    w->user_b = w->srv->make_user("gb_user_b", "enterprise_user", kB);
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}}, w->admin));
    w->gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    return w;
  }();
  return *w;
}

long long file_device(World& w, const std::string& token, json body, int expect = 201) {
  auto r = w.c().post_json("/api/v1/gb28181/devices", body, token);
  EXPECT_EQ(r.status, expect) << r.body;
  if (r.status != 201) return 0;
  return r.json()["id"].get<long long>();
}

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

std::string catalog_part(long long sn, const std::string& device, const std::string& channel,
                         const std::string& name) {
  return "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Response>\r\n<CmdType>Catalog</CmdType>"
         "\r\n<SN>" +
         std::to_string(sn) + "</SN>\r\n<DeviceID>" + device +
         "</DeviceID>\r\n<SumNum>2</SumNum>\r\n<DeviceList Num=\"1\">\r\n<Item>\r\n<DeviceID>" +
         channel + "</DeviceID>\r\n<Name>" + to_gb(name) +
         "</Name>\r\n<Manufacturer>Hikvision</Manufacturer>\r\n<Model>DS-2CD</Model>\r\n"
         "<ParentID>" +
         device +
         "</ParentID>\r\n<Status>ON</Status>\r\n<Longitude>112.92</Longitude>\r\n<Latitude>35.79"
         "</Latitude>\r\n</Item>\r\n</DeviceList>\r\n</Response>\r\n";
}

}  // namespace

TEST(Gb28181, RegisterKeepaliveCatalogAndHonestStatus) {
  auto& w = world();
  auto id = file_device(
      w, w.user_a,
      {{"device_id", kNvr}, {"name", "罐区NVR"}, {"kind", "nvr"}, {"password", "Nvr-pass-01"}});
  ASSERT_GT(id, 0);
  auto before = w.device(id, w.user_a);
  EXPECT_EQ(before["status"], "offline");
  EXPECT_EQ(before["offline_reason"], "never_registered");
  EXPECT_EQ(before["has_password"], true);
  EXPECT_FALSE(before.contains("password"));
  EXPECT_FALSE(before.contains("password_sealed"));

  GbDeviceSim dev(kNvr, kDomain, w.sip());
  dev.send_raw(dev.register_text(3600));
  auto challenge = dev.response();
  ASSERT_EQ(GbDeviceSim::status(challenge), 401);
  dev.send_raw(dev.register_text(
      3600, dev.authorization(GbDeviceSim::header(*challenge, "WWW-Authenticate"), "Nvr-pass-01")));
  ASSERT_EQ(GbDeviceSim::status(dev.response()), 200);
  auto online = w.device(id, w.user_a);
  EXPECT_EQ(online["status"], "online");
  EXPECT_EQ(online["from_address"], "127.0.0.1:" + std::to_string(dev.port()));
  EXPECT_FALSE(online["registered_at"].is_null());

  // The server asks for the catalog; the device answers 200, then the catalog in two parts.
  auto query = dev.next_request();
  ASSERT_TRUE(query);
  auto qbody = GbDeviceSim::body(*query);
  ASSERT_NE(qbody.find("<CmdType>Catalog</CmdType>"), std::string::npos);
  auto sn = std::stoll(qbody.substr(qbody.find("<SN>") + 4));
  dev.answer_ok(*query);
  dev.send_raw(dev.message_text(catalog_part(sn, kNvr, "14058100001310000001", "一号罐区东")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 200);
  EXPECT_EQ(w.device(id, w.user_a)["channels"].size(), 0u);  // one part of two: not yet
  dev.send_raw(dev.message_text(catalog_part(sn, kNvr, "14058100001310000002", "装卸台西")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 200);

  w.srv->clock().advance(seconds(100));
  EXPECT_EQ(dev.keepalive(), 200);
  auto d = w.device(id, w.county);
  EXPECT_EQ(d["status"], "online");
  EXPECT_FALSE(d["last_keepalive_at"].is_null());
  EXPECT_FALSE(d["catalog_at"].is_null());
  ASSERT_EQ(d["channels"].size(), 2u);
  EXPECT_EQ(d["channels"][0]["channel_id"], "14058100001310000001");
  EXPECT_EQ(d["channels"][0]["name"], "一号罐区东");
  EXPECT_EQ(d["channels"][1]["name"], "装卸台西");
  EXPECT_EQ(d["channels"][1]["status"], "ON");
  EXPECT_DOUBLE_EQ(d["channels"][1]["longitude"].get<double>(), 112.92);

  // The list shows it too, for the county; not for another city.
  auto list = w.c().get("/api/v1/gb28181/devices?company_code=" + kA, w.county).json();
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["status"], "online");
  EXPECT_EQ(list["items"][0]["channels"].size(), 2u);
  EXPECT_EQ(w.c().get("/api/v1/gb28181/devices?company_code=" + kA, w.city_other).json()["total"],
            0);

  // Three keepalive periods (180 s) without a word: offline, from the timestamps alone.
  w.srv->clock().advance(seconds(181));
  auto silent = w.device(id, w.user_a);
  EXPECT_EQ(silent["status"], "offline");
  EXPECT_EQ(silent["offline_reason"], "keepalive_missed");
  EXPECT_EQ(silent["channels"].size(), 2u);  // the last catalog stays
  EXPECT_EQ(dev.keepalive(), 200);
  EXPECT_EQ(w.device(id, w.user_a)["status"], "online");

  // Unregister (Expires: 0): offline at once.
  dev.send_raw(dev.register_text(0));
  auto ch = dev.response();
  ASSERT_EQ(GbDeviceSim::status(ch), 401);
  dev.send_raw(dev.register_text(
      0, dev.authorization(GbDeviceSim::header(*ch, "WWW-Authenticate"), "Nvr-pass-01")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 200);
  auto gone = w.device(id, w.user_a);
  EXPECT_EQ(gone["status"], "offline");
  EXPECT_EQ(gone["offline_reason"], "registration_ended");
  EXPECT_EQ(dev.keepalive(), 403);  // nothing it says counts any more
}

TEST(Gb28181, RefusedRegistrationsStoreNothing) {
  auto& w = world();
  auto id = file_device(w, w.county,
                        {{"device_id", kCam},
                         {"company_code", kA},
                         {"name", "门卫球机"},
                         {"kind", "camera"},
                         {"password", "Cam-pass-02"}});
  ASSERT_GT(id, 0);
  GbDeviceSim dev(kCam, kDomain, w.sip());
  EXPECT_EQ(dev.register_with("Wrong-pass-9"), 403);
  GbDeviceSim unknown("14058100001310000777", kDomain, w.sip());
  EXPECT_EQ(unknown.register_with("Cam-pass-02"), 403);  // an id nobody filed: the same 403
  // A device whose From claims the camera's id but authenticates as another id.
  dev.send_raw(dev.register_text(3600));
  auto ch = dev.response();
  ASSERT_EQ(GbDeviceSim::status(ch), 401);
  dev.send_raw(
      dev.register_text(3600, dev.authorization(GbDeviceSim::header(*ch, "WWW-Authenticate"),
                                                "Cam-pass-02", "14058100001310000777")));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 403);
  // Garbage and oversized datagrams: dropped; the server still answers.
  dev.send_raw(std::string(20000, 'Z'));
  dev.send_raw("INVITE\r\n\r\n");
  dev.send_raw(dev.message_text("<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>" + kCam +
                                "</DeviceID></Notify>"));
  EXPECT_EQ(GbDeviceSim::status(dev.response()), 403);  // not registered
  auto d = w.device(id, w.county);
  EXPECT_TRUE(d["registered_at"].is_null());
  EXPECT_TRUE(d["last_keepalive_at"].is_null());
  EXPECT_TRUE(d["from_address"].is_null());
  EXPECT_EQ(d["status"], "offline");
  EXPECT_EQ(dev.register_with("Cam-pass-02"), 200);
  EXPECT_EQ(w.device(id, w.county)["status"], "online");
  auto metrics = w.c().get("/metrics", "");
  EXPECT_NE(metrics.body.find("hazmon_gb28181_datagrams_total{outcome=\"refused\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("hazmon_gb28181_datagrams_total{outcome=\"oversized\"}"),
            std::string::npos);
}

TEST(Gb28181, AnotherEnterprisesIdIsNeitherRevealedNorTaken) {
  auto& w = world();
  const std::string id_b = "14058100001180000003";
  auto b = file_device(
      w, w.user_b,
      {{"device_id", id_b}, {"name", "B厂NVR"}, {"kind", "nvr"}, {"password", "B-secret-77"}});
  ASSERT_GT(b, 0);
  // A files the same id: 201 as for any free id (no 409 telling that B holds it) ...
  auto a = file_device(w, w.user_a,
                       {{"device_id", id_b},
                        {
                            "name",
                            "冒用",
                        },
                        {"kind", "nvr"},
                        {"password", "A-guess-11"}});
  ASSERT_GT(a, 0);
  // ... and a second time within A is 409 (A's own row).
  file_device(w, w.user_a, {{"device_id", id_b}, {"name", "again"}, {"kind", "nvr"}}, 409);
  // B's device with B's password lands on B's row; A's row stays as it was.
  GbDeviceSim dev(id_b, kDomain, w.sip());
  ASSERT_EQ(dev.register_with("B-secret-77"), 200);
  EXPECT_EQ(w.device(b, w.user_b)["status"], "online");
  EXPECT_EQ(w.device(a, w.user_a)["status"], "offline");
  EXPECT_TRUE(w.device(a, w.user_a)["from_address"].is_null());
  // A cannot read, change or delete B's row (404, as absent).
  auto path = "/api/v1/gb28181/devices/" + std::to_string(b);
  EXPECT_EQ(w.c().get(path, w.user_a).status, 404);
  EXPECT_EQ(w.c().patch_json(path, {{"password", "A-takes-it-1"}}, w.user_a).status, 404);
  EXPECT_EQ(w.c().del(path, w.user_a).status, 404);
  // A may not file a device for B.
  file_device(
      w, w.user_a,
      {{"device_id", "14058100001180000004"}, {"company_code", kB}, {"name", "x"}, {"kind", "nvr"}},
      422);
}

TEST(Gb28181, RolesAndBadInput) {
  auto& w = world();
  auto body = json{{"device_id", "14058100001180000005"},
                   {"company_code", kA},
                   {"name", "NVR5"},
                   {"kind", "nvr"}};
  file_device(w, w.officer, body, 403);    // province officers read only
  file_device(w, w.gateway_a, body, 403);  // machines do not file devices
  EXPECT_EQ(w.c().get("/api/v1/gb28181/devices", w.gateway_a).status, 403);
  EXPECT_EQ(w.c().get("/api/v1/gb28181/devices", w.officer).status, 200);
  auto bad = [&](json b, const std::string& pointer) {
    auto r = w.c().post_json("/api/v1/gb28181/devices", b, w.user_a);
    EXPECT_EQ(r.status, 422) << b.dump() << " " << r.body;
    EXPECT_NE(r.body.find(pointer), std::string::npos) << r.body;
  };
  bad({{"device_id", "1405810000118000000"}, {"name", "n"}, {"kind", "nvr"}}, "/device_id");
  bad({{"device_id", "14058100001310000005"}, {"name", "n"}, {"kind", "nvr"}}, "/device_id");
  bad({{"device_id", "14058100001180000005"}, {"name", "n"}, {"kind", "ipc"}}, "/kind");
  bad({{"device_id", "14058100001180000005"}, {"name", ""}, {"kind", "nvr"}}, "/name");
  bad({{"device_id", "14058100001180000005"},
       {"name", "n"},
       {"kind", "nvr"},
       {"password", "short"}},
      "/password");
  bad({{"device_id", 14058100001180000005ULL}, {"name", "n"}, {"kind", "nvr"}}, "/device_id");
  bad({{"device_id", "14058100001180000005"}, {"name", "n"}, {"kind", "nvr"}, {"online", true}},
      "/online");
  // PATCH: the password may change or go; the id may not.
  auto id = file_device(w, w.user_a,
                        {{"device_id", "14058100001180000006"},
                         {"name", "NVR6"},
                         {"kind", "nvr"},
                         {"password", "First-pass-1"}});
  auto path = "/api/v1/gb28181/devices/" + std::to_string(id);
  auto r = w.c().patch_json(path, {{"password", ""}, {"name", "NVR6改"}}, w.user_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["has_password"], false);
  EXPECT_EQ(r.json()["name"], "NVR6改");
  EXPECT_EQ(w.c().patch_json(path, {{"device_id", "14058100001180000007"}}, w.user_a).status, 422);
  GbDeviceSim dev("14058100001180000006", kDomain, w.sip());
  EXPECT_EQ(dev.register_with("First-pass-1"), 403);  // no password: cannot register
  EXPECT_EQ(w.c().del(path, w.user_a).status, 204);
  EXPECT_EQ(w.c().get(path, w.user_a).status, 404);
}
