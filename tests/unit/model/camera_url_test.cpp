// Camera URLs and the network allow-list (issue 9, attack 2): what the registry refuses on
// write and the stream worker refuses before it connects.
#include <gtest/gtest.h>

#include <hazmon/model/camera_url.hpp>

using namespace hazmon::model;

namespace {

std::vector<Cidr> cidrs(std::initializer_list<const char*> l) {
  std::vector<Cidr> out;
  for (auto* s : l) out.push_back(*Cidr::parse(s));
  return out;
}

const std::vector<Cidr> kAnywhere = cidrs({"0.0.0.0/0", "::/0"});

TEST(CameraUrl, ParsesRtspAndRtspsWithDefaultPorts) {
  auto p = parse_camera_url("rtsp://10.1.2.3/Streaming/Channels/101?transportmode=unicast");
  ASSERT_TRUE(p.url) << p.error;
  EXPECT_EQ(p.url->scheme, "rtsp");
  EXPECT_EQ(p.url->host, "10.1.2.3");
  ASSERT_TRUE(p.url->address);
  EXPECT_EQ(p.url->port, 554);
  EXPECT_EQ(p.url->rest, "/Streaming/Channels/101?transportmode=unicast");
  EXPECT_EQ(p.url->with_host("10.9.9.9"),
            "rtsp://10.9.9.9:554/Streaming/Channels/101?transportmode=unicast");

  p = parse_camera_url("RTSPS://Cam-1.Plant.example:8322/live");
  ASSERT_TRUE(p.url) << p.error;
  EXPECT_EQ(p.url->scheme, "rtsps");
  EXPECT_EQ(p.url->host, "cam-1.plant.example");
  EXPECT_FALSE(p.url->address);
  EXPECT_EQ(p.url->port, 8322);
  EXPECT_EQ(parse_camera_url("rtsps://cam.example").url->port, 322);

  p = parse_camera_url("rtsp://[fd00::12]:8554/main");
  ASSERT_TRUE(p.url) << p.error;
  EXPECT_EQ(p.url->host, "fd00::12");
  EXPECT_EQ(p.url->with_host("fd00::13"), "rtsp://[fd00::13]:8554/main");
}

TEST(CameraUrl, RefusesOtherSchemesUserinfoAndMalformedHosts) {
  struct Case {
    const char* url;
    const char* words;
  };
  const Case cases[] = {
      {"http://10.1.2.3/", "rtsp:// or rtsps://"},
      {"file:///etc/passwd", "rtsp:// or rtsps://"},
      {"rtmp://10.1.2.3/live", "rtsp:// or rtsps://"},
      {"concat:rtsp://10.1.2.3/a|rtsp://10.1.2.4/b", "not allowed"},
      {"10.1.2.3:554/live", "rtsp:// or rtsps://"},
      {"rtsp://admin:12345@10.1.2.3/live", "user name or password"},
      {"rtsp://admin@10.1.2.3/live", "user name or password"},
      {"rtsp://10.1.2.3/a@b", nullptr},  // '@' in the path is not userinfo: accepted
      {"rtsp:///live", "no host"},
      {"rtsp://:554/live", "no host"},
      {"rtsp://10.1.2.3:0/", "invalid port"},
      {"rtsp://10.1.2.3:65536/", "invalid port"},
      {"rtsp://10.1.2.3:/", "invalid port"},
      {"rtsp://10.1.2.3:55a/", "invalid port"},
      {"rtsp://127.1/", "invalid host"},
      {"rtsp://2130706433/", "invalid host"},
      {"rtsp://0x7f.0.0.1/", "invalid host"},
      {"rtsp://0177.0.0.1/", "invalid host"},
      {"rtsp://10.01.2.3/", "invalid host"},
      {"rtsp://256.1.2.3/", "invalid host"},
      {"rtsp://[fe80::1%25eth0]/", "invalid host"},
      {"rtsp://[10.1.2.3]/", "invalid host"},
      {"rtsp://cam_1.example/", "invalid host"},
      {"rtsp://cam..example/", "invalid host"},
      {"rtsp://cam.example/ live", "space"},
      {"rtsp://cam.example/\r\nAuthorization: x", "control character"},
      {"rtsp://cam.example/#x", "fragment"},
      {"rtsp://摄像头.example/", "percent-encode"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    auto p = parse_camera_url(c.url);
    if (!c.words) {
      EXPECT_TRUE(p.url) << p.error;
      continue;
    }
    EXPECT_FALSE(p.url);
    EXPECT_NE(p.error.find(c.words), std::string::npos) << p.error;
  }
  EXPECT_FALSE(parse_camera_url("rtsp://" + std::string(500, 'a')).url);
}

TEST(CameraNetworks, CidrsContainTheirAddressesOnly) {
  auto c = *Cidr::parse("10.20.0.0/16");
  EXPECT_TRUE(c.contains(*IpAddress::parse("10.20.255.1")));
  EXPECT_FALSE(c.contains(*IpAddress::parse("10.21.0.1")));
  EXPECT_FALSE(c.contains(*IpAddress::parse("fd00::1")));
  auto one = *Cidr::parse("192.168.1.7");
  EXPECT_EQ(one.prefix, 32);
  EXPECT_TRUE(one.contains(*IpAddress::parse("192.168.1.7")));
  EXPECT_FALSE(one.contains(*IpAddress::parse("192.168.1.8")));
  EXPECT_TRUE(Cidr::parse("fd00::/8")->contains(*IpAddress::parse("fdab::1")));
  EXPECT_TRUE(Cidr::parse("10.0.0.0/9")->contains(*IpAddress::parse("10.127.0.1")));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/9")->contains(*IpAddress::parse("10.128.0.1")));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33"));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/"));
  EXPECT_FALSE(Cidr::parse("10.0.0/8"));
  // IPv4-mapped IPv6 is IPv4: it cannot dodge an IPv4 rule.
  auto mapped = IpAddress::parse("::ffff:127.0.0.1");
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->v4);
  EXPECT_TRUE(is_special_address(*mapped));
}

TEST(CameraNetworks, SpecialAddressesNeedAnExplicitNetwork) {
  for (const char* a : {"127.0.0.1", "127.3.4.5", "0.0.0.0", "169.254.169.254", "224.0.0.1",
                        "255.255.255.255", "::1", "::", "fe80::1", "ff02::1"}) {
    SCOPED_TRACE(a);
    auto ip = *IpAddress::parse(a);
    EXPECT_TRUE(is_special_address(ip));
    EXPECT_NE(check_camera_address(ip, 554, kAnywhere, {}), "") << "0.0.0.0/0 must not open " << a;
  }
  auto lo = *IpAddress::parse("127.0.0.1");
  EXPECT_EQ(check_camera_address(lo, 8554, cidrs({"127.0.0.1/32"}), {}), "");
  EXPECT_EQ(check_camera_address(lo, 8554, cidrs({"127.0.0.0/8"}), {}), "");
  EXPECT_NE(check_camera_address(*IpAddress::parse("127.0.0.2"), 8554, cidrs({"127.0.0.1/32"}), {}),
            "");
  EXPECT_NE(
      check_camera_address(*IpAddress::parse("169.254.169.254"), 80, cidrs({"127.0.0.1/32"}), {}),
      "");
  EXPECT_FALSE(is_special_address(*IpAddress::parse("10.1.2.3")));
  EXPECT_FALSE(is_special_address(*IpAddress::parse("8.8.8.8")));
}

TEST(CameraNetworks, OwnPortsAreRefusedOnLocalAddressesEvenWhenLoopbackIsAllowed) {
  auto allowed = cidrs({"127.0.0.0/8", "10.0.0.0/8"});
  std::vector<int> own = {8443, 5432};
  EXPECT_EQ(check_camera_address(*IpAddress::parse("127.0.0.1"), 8443, allowed, own),
            "points at one of this server's own ports");
  EXPECT_EQ(check_camera_address(*IpAddress::parse("127.0.0.1"), 554, allowed, own), "");
  auto me = *IpAddress::parse("10.0.0.5");
  EXPECT_NE(check_camera_address(me, 5432, allowed, own, {me}), "");
  EXPECT_EQ(check_camera_address(*IpAddress::parse("10.0.0.6"), 5432, allowed, own, {me}), "");
}

TEST(CameraNetworks, TheMostSpecificEntryWinsAndGatewaysAreAdded) {
  std::map<std::string, std::vector<std::string>> nets = {{"*", {"10.0.0.0/8"}},
                                                          {"1403", {"10.3.0.0/16"}},
                                                          {"14030000001", {"192.168.1.0/24"}},
                                                          {"1404", {"bogus", "10.4.0.0/16"}}};
  auto in = [](const std::vector<Cidr>& l, const char* a) {
    for (const auto& c : l)
      if (c.contains(*IpAddress::parse(a))) return true;
    return false;
  };
  auto a = networks_for(nets, "14030000001");
  EXPECT_TRUE(in(a, "192.168.1.9"));
  EXPECT_FALSE(in(a, "10.3.0.1")) << "the enterprise's own entry replaces its city's";
  auto city = networks_for(nets, "14030000002");
  EXPECT_TRUE(in(city, "10.3.0.1"));
  EXPECT_FALSE(in(city, "10.5.0.1"));
  auto other = networks_for(nets, "14050000001", {"172.16.5.5"});
  EXPECT_TRUE(in(other, "10.5.0.1"));
  EXPECT_TRUE(in(other, "172.16.5.5"));
  EXPECT_FALSE(in(other, "172.16.5.6"));
  EXPECT_EQ(networks_for(nets, "14040000001").size(), 1u)
      << "an entry that does not parse is skipped";
  EXPECT_TRUE(networks_for({}, "14030000001").empty()) << "no entry: nothing is allowed";
}

TEST(CameraNetworks, UrlsOnWriteCheckLiteralAddressesAndLocalhost) {
  auto city = cidrs({"10.3.0.0/16"});
  EXPECT_EQ(check_camera_url("rtsp://10.3.1.2/live", city, {}), "");
  EXPECT_NE(check_camera_url("rtsp://10.4.1.2/live", city, {}), "");
  EXPECT_NE(check_camera_url("rtsp://127.0.0.1:22/", kAnywhere, {}), "");
  EXPECT_NE(check_camera_url("rtsp://localhost:5432/", kAnywhere, {}), "");
  EXPECT_NE(check_camera_url("rtsp://db.localhost/", kAnywhere, {}), "");
  EXPECT_NE(check_camera_url("rtsp://[::1]/", kAnywhere, {}), "");
  EXPECT_NE(check_camera_url("rtsp://[::ffff:169.254.169.254]/", kAnywhere, {}), "");
  EXPECT_EQ(check_camera_url("rtsp://localhost:8554/a", cidrs({"127.0.0.1/32"}), {}), "");
  EXPECT_NE(check_camera_url("rtsp://localhost:8443/a", cidrs({"127.0.0.1/32"}), {8443}), "");
  // A host name is accepted on write; the worker checks what it resolves to.
  EXPECT_EQ(check_camera_url("rtsp://cam.plant.example/live", city, {}), "");
  EXPECT_NE(check_camera_url("rtsp://u:p@10.3.1.2/live", city, {}), "");
}

}  // namespace
