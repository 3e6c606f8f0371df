// Issue 9, attacks 1 and 2, as a tenant would try them: over HTTPS against the full API, with the
// real pipeline (video::Supervisor, FFmpeg) connecting to a plain TCP listener that this test
// runs in place of a camera. The listener answers every RTSP request with a Basic-auth challenge,
// which is what makes an RTSP client send the credentials it has, and records every byte.
//
// Before the fix: enterprise A's PATCH with B's credential_ref answered 200 and the listener got
// "Authorization: Basic <bob:B's password>" within a second, once per reconnect.
#include <gtest/gtest.h>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/video/supervisor.hpp>

#include <cstdlib>
#include <thread>

#include "test_server.hpp"
#include "video_harness.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;
using video::test::RtspListener;

namespace {

std::string base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += {k[(v >> 18) & 63], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += {k[(v >> 18) & 63], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned v =
        (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    out += {k[(v >> 18) & 63], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

bool eventually(const std::function<bool()>& pred, milliseconds timeout) {
  const auto until = steady_clock::now() + timeout;
  while (steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return pred();
}

// The API server, a real pipeline fed by its camera rows, and two enterprises.
struct Rig {
  std::string tag = core::random_hex(3);
  std::string kA, kB, camA, camB;
  TestServer srv;
  video::test::TempDir dir;
  core::SystemClock clock;
  std::unique_ptr<video::Supervisor> pipeline;
  HttpsClient c = srv.client();
  std::string admin, ent_a, operator_;

  Rig()
      : srv(shared_db(), [] {
          TestServerOptions o;
          o.video = true;
          // The listeners of this test run on 127.0.0.1: allowed here by name, as the suite does.
          o.camera_networks = {{"*", {"10.0.0.0/8", "127.0.0.1/32"}}};
          return o;
        }()) {
    auto settings = video::test::fast_settings(dir.path, seconds(30));
    settings.open_timeout = milliseconds(2000);
    pipeline = std::make_unique<video::Supervisor>(settings, srv.video(), clock);
    srv.video().on_cameras([p = pipeline.get()](const std::vector<video::CameraConfig>& cams) {
      p->set_cameras(cams);
    });
    srv.video().status_source([p = pipeline.get()] { return p->status(); });
    const auto serial = std::to_string(60000 + std::stoul(tag, nullptr, 16) % 10000);
    kA = "140300" + serial;
    kB = "140400" + serial;
    camA = "E2EA" + tag;
    camB = "E2EB" + tag;
    admin = srv.make_user("cse_admin" + tag, "province_admin");
    ok(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kA}, {"name", "阳泉端到端安全" + tag}, {"region_code", "140300"}},
        admin));
    ok(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kB}, {"name", "长治端到端安全" + tag}, {"region_code", "140400"}},
        admin));
    ok(c.post_json(
        "/api/v1/cameras",
        {{"video_id", camA}, {"company_code", kA}, {"name", "大门"}, {"scene_type", "gate"}},
        admin));
    ok(c.post_json(
        "/api/v1/cameras",
        {{"video_id", camB}, {"company_code", kB}, {"name", "罐区"}, {"scene_type", "tank_farm"}},
        admin));
    ent_a = srv.make_user("cse_ea" + tag, "enterprise_user", kA);
    operator_ = srv.make_user("cse_op" + tag, "operator");
  }
  ~Rig() {
    srv.video().status_source({});
    srv.video().on_cameras({});
    pipeline->stop();
  }
  static void ok(const HttpResult& r) {
    if (r.status != 201 && r.status != 200 && r.status != 204)
      throw std::runtime_error("setup: " + r.body);
  }
  HttpResult put_credential(const std::string& cam, const json& body, const std::string& token) {
    return c.request("PUT", "/api/v1/cameras/" + cam + "/credential", body.dump(),
                     {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }
};

TEST(CameraSecurityEndToEnd, AnotherEnterprisesCredentialNeverReachesAListenerOfOurs) {
  Rig rig;
  const std::string b_secret = "B-secret-" + rig.tag;
  // B's camera: a legacy ref in B's namespace and (as before the fix) in the province-wide one,
  // and a password sealed on B's camera row.
  ::setenv(("HAZMON_CAMERA_SECRET_" + rig.kB + "_GATE").c_str(), ("bob:" + b_secret).c_str(), 1);
  ::setenv("HAZMON_CAMERA_SECRET_GATE", ("bob:" + b_secret).c_str(), 1);
  ASSERT_EQ(rig.c
                .patch_json("/api/v1/cameras/" + rig.camB,
                            {{"rtsp_url", "rtsp://10.77.0.1/main"}, {"credential_ref", "gate"}},
                            rig.admin)
                .status,
            200);
  ASSERT_EQ(
      rig.put_credential(rig.camB, {{"username", "bob"}, {"password", b_secret}}, rig.admin).status,
      204);

  // The attack: A's user points A's camera at A's own listener with B's ref.
  RtspListener mine;
  auto r = rig.c.patch_json("/api/v1/cameras/" + rig.camA,
                            {{"rtsp_url", mine.url()}, {"credential_ref", "gate"}}, rig.ent_a);
  ASSERT_TRUE(r.status == 200 || r.status == 422) << r.body;
  if (r.status == 200) {
    // The worker connects (the listener is allowed for this test), gets challenged, reconnects.
    ASSERT_TRUE(eventually([&] { return mine.connections() >= 3; }, seconds(30)))
        << "the pipeline never connected";
  }
  // And the sealed credential copied from B's row onto A's does not open there either.
  shared_db().db().in_tx([&](storage::Tx& tx) {
    tx.exec(
        "UPDATE camera SET credential_sealed = (SELECT credential_sealed FROM camera WHERE "
        "video_id = $1) WHERE video_id = $2",
        {rig.camB, rig.camA});
  });
  rig.srv.video().reload_cameras();
  const int seen = mine.connections();
  EXPECT_TRUE(eventually([&] { return mine.connections() >= seen + 2; }, seconds(30)));
  auto bytes = mine.received();
  EXPECT_NE(bytes.find("OPTIONS rtsp://"), std::string::npos)
      << "the listener got no RTSP request at all";
  EXPECT_EQ(bytes.find("Authorization"), std::string::npos) << bytes.substr(0, 2000);
  EXPECT_EQ(bytes.find(base64("bob:" + b_secret)), std::string::npos)
      << "B's credential reached A's listener";
  EXPECT_EQ(bytes.find(b_secret), std::string::npos);
  ::unsetenv("HAZMON_CAMERA_SECRET_GATE");
  ::unsetenv(("HAZMON_CAMERA_SECRET_" + rig.kB + "_GATE").c_str());

  // Control: with a credential of its own, A's listener does receive it, so the silence above
  // is the fix and not a listener that cannot hear.
  ASSERT_EQ(rig.put_credential(rig.camA, {{"username", "alice"}, {"password", "A-pw-" + rig.tag}},
                               rig.ent_a)
                .status,
            204);
  const std::string alice = "Authorization: Basic " + base64("alice:A-pw-" + rig.tag);
  EXPECT_TRUE(
      eventually([&] { return mine.received().find(alice) != std::string::npos; }, seconds(30)))
      << mine.received().substr(0, 2000);

  // Pointing the camera elsewhere drops that credential: the new listener hears no password.
  RtspListener elsewhere;
  ASSERT_EQ(
      rig.c.patch_json("/api/v1/cameras/" + rig.camA, {{"rtsp_url", elsewhere.url()}}, rig.ent_a)
          .status,
      200);
  ASSERT_TRUE(eventually([&] { return elsewhere.connections() >= 3; }, seconds(30)));
  EXPECT_EQ(elsewhere.received().find("Authorization"), std::string::npos)
      << elsewhere.received().substr(0, 2000);
  EXPECT_EQ(rig.c.get("/api/v1/cameras/" + rig.camA, rig.ent_a).json()["has_credential"], false);
}

TEST(CameraSecurityEndToEnd, ProbesAreRefusedAndStreamErrorsAreGenericForTenants) {
  Rig rig;
  // SSRF attempts on write: special addresses, other schemes, userinfo, outside the networks.
  // (This rig allows 127.0.0.1/32 for its listeners, so other loopback addresses are the probe.)
  for (std::string url : {"rtsp://127.0.0.2:5432/", "rtsp://169.254.169.254/latest",
                          "rtsp://127.1:6379/", "rtsp://[::1]/", "rtsp://192.168.1.1/",
                          "rtsp://0177.0.0.1/", "http://10.0.0.5/", "rtsp://u:p@10.0.0.5/"}) {
    SCOPED_TRACE(url);
    auto r = rig.c.patch_json("/api/v1/cameras/" + rig.camA, {{"rtsp_url", url}}, rig.ent_a);
    EXPECT_EQ(r.status, 422) << r.body;
    EXPECT_NE(r.body.find("/rtsp_url"), std::string::npos) << r.body;
  }
  // An allowed address where nothing listens: the pipeline fails with "connection refused",
  // which the operator reads and the tenant does not.
  const int closed = video::test::free_tcp_port();
  ASSERT_EQ(rig.c
                .patch_json("/api/v1/cameras/" + rig.camA,
                            {{"rtsp_url", "rtsp://127.0.0.1:" + std::to_string(closed) + "/x"}},
                            rig.ent_a)
                .status,
            200);
  std::string op_error;
  ASSERT_TRUE(eventually(
      [&] {
        op_error = rig.c.get("/api/v1/cameras/" + rig.camA + "/status", rig.operator_)
                       .json()
                       .value("last_error", "");
        return !op_error.empty();
      },
      seconds(30)));
  EXPECT_NE(op_error.find("refused"), std::string::npos) << op_error;
  auto tenant = rig.c.get("/api/v1/cameras/" + rig.camA + "/status", rig.ent_a);
  ASSERT_EQ(tenant.status, 200);
  EXPECT_EQ(tenant.json()["last_error"], "unreachable");
  EXPECT_EQ(tenant.body.find("refused"), std::string::npos) << tenant.body;
}

}  // namespace
