// GB/T 28181 live video (docs/gb28181.md "Live video", ADR 0034) end to end: a simulated device
// (tests/support/gb_device_sim.hpp) registers and reports a channel; an enterprise user makes the
// channel a camera over HTTPS; the real pipeline asks the SIP server to INVITE it, the device
// (tests/support/gb_media_sim.hpp) answers and streams H.264 in MPEG-PS over RTP/UDP, and the
// camera goes online with decoded 320x240 frames; removing the camera sends BYE. Attacks: RTP
// from another address is dropped and counted (13.35); another enterprise cannot make the
// channel a camera, not even through its own row of the same device id (13.36).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

#include <hazmon/app/platform.hpp>

#include "gb_media_sim.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

constexpr const char* kCounty = "140581";  // 高平市, as in gb28181_test.cpp
const std::string kA = "14058100011";
const std::string kB = "14058100012";
const std::string kDomain = "1400000000";

struct VideoWorld {
  std::unique_ptr<TestServer> srv;
  std::string admin, county, user_a, user_b, gateway_a, city_other;
  HttpsClient c() const { return srv->client(); }
  unsigned short sip() { return srv->platform().gb28181_port(); }
};

VideoWorld& vworld() {
  static VideoWorld* w = [] {
    auto w = new VideoWorld;
    TestServerOptions o;
    o.gb28181 = true;
    o.video = true;
    o.video_pipeline = true;
    w->srv = std::make_unique<TestServer>(shared_db(), o);
    w->admin = w->srv->make_user("gbv_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409) throw std::runtime_error("gbv set-up: " + r.body);
      return r.json();
    };
    ok(c.post_json(
        "/api/v1/regions",
        {{"code", kCounty}, {"name", "高平市"}, {"level", "county"}, {"parent_code", "140500"}},
        w->admin));
    for (const auto& code : {kA, kB})
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "国标视频" + code + "化工有限公司"},
                      {"region_code", kCounty}},
                     w->admin));
    w->user_a = w->srv->make_user("gbv_user_a", "enterprise_user", kA);
    w->user_b = w->srv->make_user("gbv_user_b", "enterprise_user", kB);
    w->city_other = w->srv->make_user("gbv_city_other", "city_officer", "140400");
    w->county = w->srv->make_user("gbv_county", "county_officer", kCounty);
    auto cred = ok(c.post_json(
        "/api/v1/credentials",
        {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}}, w->admin));
    w->gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
    return w;
  }();
  return *w;
}

const std::vector<AccessUnit>& pictures() {
  static const auto aus = make_h264_access_units(6);
  return aus;
}

template <class F>
bool eventually(F f, seconds limit = seconds(90)) {
  const auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    if (f()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return f();
}

double metric(VideoWorld& w, const std::string& series) {
  auto body = w.c().get("/metrics", "").body;
  auto at = body.find(series + " ");
  return at == std::string::npos ? 0 : std::stod(body.substr(at + series.size() + 1));
}

std::string catalog_xml(long long sn, const std::string& device, const std::string& channel) {
  return "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Response>\r\n<CmdType>Catalog</CmdType>"
         "\r\n<SN>" +
         std::to_string(sn) + "</SN>\r\n<DeviceID>" + device +
         "</DeviceID>\r\n<SumNum>1</SumNum>\r\n<DeviceList Num=\"1\">\r\n<Item>\r\n<DeviceID>" +
         channel + "</DeviceID>\r\n<Name>Tank farm east</Name>\r\n<ParentID>" + device +
         "</ParentID>\r\n<Status>ON</Status>\r\n</Item>\r\n</DeviceList>\r\n</Response>\r\n";
}

// A device of A filed, registered and its one-channel catalog taken; the device row's id.
long long register_with_channel(VideoWorld& w, GbDeviceSim& dev, const std::string& channel,
                                const std::string& password) {
  auto r = w.c().post_json(
      "/api/v1/gb28181/devices",
      {{"device_id", dev.id()}, {"name", "视频NVR"}, {"kind", "nvr"}, {"password", password}},
      w.user_a);
  if (r.status != 201) throw std::runtime_error("file device: " + r.body);
  auto id = r.json()["id"].get<long long>();
  if (dev.register_with(password) != 200) throw std::runtime_error("register refused");
  auto query = dev.next_request();
  if (!query) throw std::runtime_error("no catalog query");
  auto qbody = GbDeviceSim::body(*query);
  auto sn = std::stoll(qbody.substr(qbody.find("<SN>") + 4));
  dev.answer_ok(*query);
  dev.send_raw(dev.message_text(catalog_xml(sn, dev.id(), channel)));
  if (GbDeviceSim::status(dev.response()) != 200) throw std::runtime_error("catalog refused");
  return id;
}

std::string camera_path(long long id, const std::string& channel) {
  return "/api/v1/gb28181/devices/" + std::to_string(id) + "/channels/" + channel + "/camera";
}

json camera_status(VideoWorld& w, const std::string& video_id) {
  return w.c().get("/api/v1/cameras/" + video_id + "/status", w.admin).json();
}

}  // namespace

TEST(Gb28181Video, ChannelBecomesALiveCameraAndByeEndsIt) {
  auto& w = vworld();
  const std::string channel = "14058100011310000001";
  GbDeviceSim dev("14058100011180000001", kDomain, w.sip());
  auto id = register_with_channel(w, dev, channel, "Video-pass-01");

  auto made = w.c().post_json(camera_path(id, channel),
                              {{"scene_type", "tank_farm"}, {"record", false}}, w.user_a);
  ASSERT_EQ(made.status, 201) << made.body;
  auto cam = made.json();
  const auto video_id = cam["video_id"].get<std::string>();
  EXPECT_EQ(video_id, "gb" + std::to_string(id) + "c" + channel);
  EXPECT_EQ(cam["company_code"], kA);
  EXPECT_EQ(cam["name"], "Tank farm east");  // the channel's name from the catalog
  EXPECT_EQ(cam["source"], "gb28181");
  // Twice is a conflict; the device's channel list names the camera.
  EXPECT_EQ(w.c().post_json(camera_path(id, channel), {{"scene_type", "gate"}}, w.user_a).status,
            409);
  auto d = w.c().get("/api/v1/gb28181/devices/" + std::to_string(id), w.user_a).json();
  ASSERT_EQ(d["channels"].size(), 1u);
  EXPECT_EQ(d["channels"][0]["video_id"], video_id);

  // One source per camera: the registry's PATCH cannot add an RTSP URL to it (database check).
  auto url = w.c().patch_json("/api/v1/cameras/" + video_id,
                              {{"rtsp_url", "rtsp://127.0.0.1:8554/other"}}, w.user_a);
  EXPECT_EQ(url.status, 422) << url.body;

  GbMediaSim media(dev, pictures());
  json st;
  ASSERT_TRUE(eventually([&] {
    st = camera_status(w, video_id);
    return st["state"] == "online" && st.value("frames_decoded", 0) > 0;
  })) << st.dump()
      << "\nINVITEs " << media.invites() << ", RTP sent " << media.sent();
  EXPECT_EQ(st["width"], 320);
  EXPECT_EQ(st["height"], 240);
  EXPECT_EQ(st["has_stream"], true);
  EXPECT_GE(media.invites(), 1);
  EXPECT_GE(media.acks(), 1);  // the 200 was ACKed
  auto invite = media.last_invite();
  EXPECT_NE(invite.find("INVITE sip:" + channel + "@127.0.0.1:"), std::string::npos) << invite;
  EXPECT_NE(invite.find("a=rtpmap:96 PS/90000"), std::string::npos) << invite;
  EXPECT_NE(invite.find("m=video 31"), std::string::npos) << invite;  // the configured range
  EXPECT_NE(invite.find("a=recvonly"), std::string::npos) << invite;
  EXPECT_TRUE(eventually(  // published once a second
      [&] { return metric(w, "hazmon_video_rtp_datagrams_total{outcome=\"accepted\"}") > 0; }));
  // More frames keep coming (decoded count grows).
  const auto decoded = st["frames_decoded"].get<long long>();
  EXPECT_TRUE(eventually(
      [&] { return camera_status(w, video_id).value("frames_decoded", 0LL) > decoded; }));

  // Removing the camera is the regulator's (as in the registry), and ends the call.
  EXPECT_EQ(w.c().del(camera_path(id, channel), w.user_a).status, 403);
  EXPECT_EQ(w.c().del("/api/v1/gb28181/devices/" + std::to_string(id), w.user_a).status, 403);
  EXPECT_EQ(w.c().del(camera_path(id, channel), w.county).status, 204);
  EXPECT_TRUE(eventually([&] { return media.byes() >= 1; })) << "no BYE";
  EXPECT_EQ(w.c().del(camera_path(id, channel), w.county).status, 404);  // gone already
  auto after = w.c().get("/api/v1/gb28181/devices/" + std::to_string(id), w.user_a).json();
  EXPECT_TRUE(after["channels"][0]["video_id"].is_null());
}

// Attack 13.35: RTP sent to the camera's port from an address other than the device's is
// dropped and counted before any demuxer sees it; the same stream from the device is taken.
TEST(Gb28181Video, RtpFromAnotherAddressIsIgnored) {
  auto& w = vworld();
  const std::string channel = "14058100011310000002";
  GbDeviceSim dev("14058100011180000002", kDomain, w.sip());
  auto id = register_with_channel(w, dev, channel, "Video-pass-02");
  const auto foreign_before = metric(w, "hazmon_video_rtp_datagrams_total{outcome=\"foreign\"}");
  auto made = w.c().post_json(camera_path(id, channel), {{"scene_type", "gate"}}, w.user_a);
  ASSERT_EQ(made.status, 201) << made.body;
  const auto video_id = made.json()["video_id"].get<std::string>();

  GbMediaSim media(dev, pictures(), "127.0.0.2");  // answers the INVITE, sends from elsewhere
  ASSERT_TRUE(eventually([&] {
    return metric(w, "hazmon_video_rtp_datagrams_total{outcome=\"foreign\"}") >=
           foreign_before + 30;
  })) << "sent "
      << media.sent();
  auto st = camera_status(w, video_id);
  EXPECT_NE(st["state"], "online") << st.dump();
  EXPECT_EQ(st.value("frames_decoded", 0), 0) << st.dump();

  media.from("127.0.0.1");  // now from the device's own address
  EXPECT_TRUE(eventually([&] { return camera_status(w, video_id)["state"] == "online"; }))
      << camera_status(w, video_id).dump();
  EXPECT_EQ(w.c().del(camera_path(id, channel), w.county).status, 204);
  EXPECT_TRUE(eventually([&] { return media.byes() >= 1; }));
}

// Attack 13.36: only the device's own writers make its channels cameras. Another enterprise
// gets 404 for A's device (and nothing is stored), a gateway of A 403, an officer of another city
// 404; B filing the same 20-digit id gets its own row, on which no catalog lands, so the channel
// is not there for B either (ADR 0029: the registration goes to A's older row).
TEST(Gb28181Video, AnotherEnterpriseCannotMakeTheChannelACamera) {
  auto& w = vworld();
  const std::string channel = "14058100011310000003";
  GbDeviceSim dev("14058100011180000003", kDomain, w.sip());
  auto id = register_with_channel(w, dev, channel, "Video-pass-03");
  const json body = {{"scene_type", "warehouse"}};
  EXPECT_EQ(w.c().post_json(camera_path(id, channel), body, w.user_b).status, 404);
  EXPECT_EQ(w.c().post_json(camera_path(id, channel), body, w.city_other).status, 404);
  EXPECT_EQ(w.c().post_json(camera_path(id, channel), body, w.gateway_a).status, 403);
  EXPECT_EQ(w.c().del(camera_path(id, channel), w.user_b).status, 404);
  auto b_row = w.c().post_json("/api/v1/gb28181/devices",
                               {{"device_id", dev.id()},
                                {"name", "B厂冒名NVR"},
                                {"kind", "nvr"},
                                {"password", "Video-pass-03"}},
                               w.user_b);
  ASSERT_EQ(b_row.status, 201) << b_row.body;
  auto b_id = b_row.json()["id"].get<long long>();
  EXPECT_EQ(w.c().post_json(camera_path(b_id, channel), body, w.user_b).status, 404);
  // Bad input: nothing stored either.
  EXPECT_EQ(w.c().post_json(camera_path(id, channel), {{"scene_type", "rooftop"}}, w.user_a).status,
            422);
  EXPECT_EQ(w.c().post_json(camera_path(id, "1234"), body, w.user_a).status, 404);
  auto d = w.c().get("/api/v1/gb28181/devices/" + std::to_string(id), w.user_a).json();
  ASSERT_EQ(d["channels"].size(), 1u);
  EXPECT_TRUE(d["channels"][0]["video_id"].is_null());
  EXPECT_EQ(
      w.c()
          .get("/api/v1/cameras/gb" + std::to_string(id) + "c" + channel + "/status", w.user_a)
          .status,
      404);
}
