// Camera credentials and camera URLs over HTTPS (issue 9, attacks 1 and 2; ADR 0014): a
// credential is sealed for one camera and never answered, a credential_ref resolves only in the
// camera's enterprise, changing the URL drops the credential, URLs go only to RTSP(S) in the
// allowed networks, and stream errors are generic outside the operator and province-admin roles.
// The same attack against the real pipeline and a listening socket is in
// tests/video_e2e/camera_security_e2e_test.cpp.
#include <gtest/gtest.h>

#include <hazmon/core/random.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/video/supervisor.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;

namespace {

int next_world() {
  static int n = 0;
  return ++n;
}

// Two enterprises (A in 阳泉 1403, B in 长治 1404) with one camera each, under codes unique to
// this process so that the tests share the database without meeting.
struct World {
  std::string tag = core::random_hex(3);
  std::string kA, kB, camA, camB;
  TestServer srv;
  HttpsClient c = srv.client();
  std::string admin, ent_a, ent_b, officer, operator_, city;

  explicit World(TestServerOptions o =
                     [] {
                       TestServerOptions d;
                       d.video = true;
                       return d;
                     }())
      : srv(shared_db(), o) {
    const int n = next_world();
    const std::string serial =
        std::to_string(80000 + (static_cast<int>(std::stoul(tag, nullptr, 16)) + n * 131) % 10000);
    kA = "140300" + serial;
    kB = "140400" + serial;
    camA = "SECA" + tag + std::to_string(n);
    camB = "SECB" + tag + std::to_string(n);
    admin = srv.make_user("sec_admin" + tag + std::to_string(n), "province_admin");
    ok(c.post_json("/api/v1/enterprises",
                   {{"company_code", kA},
                    {"name", "阳泉摄像安全" + tag + std::to_string(n)},
                    {"region_code", "140300"}},
                   admin));
    ok(c.post_json("/api/v1/enterprises",
                   {{"company_code", kB},
                    {"name", "长治摄像安全" + tag + std::to_string(n)},
                    {"region_code", "140400"}},
                   admin));
    ok(c.post_json(
        "/api/v1/cameras",
        {{"video_id", camA}, {"company_code", kA}, {"name", "大门"}, {"scene_type", "gate"}},
        admin));
    ok(c.post_json(
        "/api/v1/cameras",
        {{"video_id", camB}, {"company_code", kB}, {"name", "罐区"}, {"scene_type", "tank_farm"}},
        admin));
    ent_a = srv.make_user("sec_ea" + tag + std::to_string(n), "enterprise_user", kA);
    ent_b = srv.make_user("sec_eb" + tag + std::to_string(n), "enterprise_user", kB);
    officer = srv.make_user("sec_po" + tag + std::to_string(n), "province_officer");
    operator_ = srv.make_user("sec_op" + tag + std::to_string(n), "operator");
    city = srv.make_user("sec_city" + tag + std::to_string(n), "city_officer", "140300");
  }
  static void ok(const HttpResult& r) {
    if (r.status != 201 && r.status != 200) throw std::runtime_error("setup: " + r.body);
  }
  HttpResult put_credential(const std::string& cam, const json& body, const std::string& token) {
    return c.request("PUT", "/api/v1/cameras/" + cam + "/credential", body.dump(),
                     {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }
  HttpResult patch(const std::string& cam, const json& body, const std::string& token) {
    return c.patch_json("/api/v1/cameras/" + cam, body, token);
  }
  json row(const std::string& cam) { return c.get("/api/v1/cameras/" + cam, admin).json(); }
  json db_row(const std::string& cam) {
    return shared_db().db().in_tx([&](storage::Tx& tx) {
      return tx.exec_one(
          "SELECT credential_sealed, credential_ref, has_credential FROM camera WHERE video_id = "
          "$1",
          {cam});
    });
  }
  // The camera as the pipeline would get it (credentials opened).
  video::CameraConfig pipeline_config(const std::string& cam) {
    for (auto& c : srv.video().load_cameras())
      if (c.video_id == cam) return c;
    throw std::runtime_error("camera " + cam + " not handed to the pipeline");
  }
};

TEST(CameraCredential, IsSealedForItsCameraAndNeverAnswered) {
  World w;
  ASSERT_EQ(w.patch(w.camA, {{"rtsp_url", "rtsp://10.20.30.40/main"}}, w.ent_a).status, 200);
  EXPECT_EQ(w.row(w.camA)["has_credential"], false);

  auto r = w.put_credential(w.camA, {{"username", "alice"}, {"password", "A-pass-9f3!"}}, w.ent_a);
  ASSERT_EQ(r.status, 204) << r.body;
  auto row = w.c.get("/api/v1/cameras/" + w.camA, w.ent_a);
  ASSERT_EQ(row.status, 200);
  EXPECT_EQ(row.json()["has_credential"], true);
  EXPECT_FALSE(row.json().contains("credential_sealed"));
  EXPECT_EQ(row.body.find("A-pass-9f3!"), std::string::npos);
  auto list = w.c.get("/api/v1/cameras?company_code=" + w.kA, w.ent_a);
  EXPECT_EQ(list.body.find("A-pass-9f3!"), std::string::npos);
  EXPECT_EQ(list.body.find("v1:"), std::string::npos) << "the sealed value is not answered either";
  auto stored = w.db_row(w.camA);
  ASSERT_TRUE(stored["credential_sealed"].is_string());
  EXPECT_TRUE(core::SecretBox::is_sealed(stored["credential_sealed"].get<std::string>()));
  EXPECT_EQ(stored["credential_sealed"].get<std::string>().find("alice"), std::string::npos)
      << "stored in clear";
  auto cfg = w.pipeline_config(w.camA);
  EXPECT_EQ(cfg.username, "alice");
  EXPECT_EQ(cfg.password, "A-pass-9f3!");

  // Scope and roles: another enterprise's camera does not exist; read-only roles may not.
  EXPECT_EQ(w.put_credential(w.camB, {{"username", "x"}, {"password", "y"}}, w.ent_a).status, 404);
  EXPECT_EQ(w.c.del("/api/v1/cameras/" + w.camB + "/credential", w.ent_a).status, 404);
  EXPECT_EQ(w.put_credential(w.camA, {{"username", "x"}, {"password", "y"}}, w.officer).status,
            403);
  EXPECT_EQ(w.put_credential(w.camA, {{"username", "x"}, {"password", "y"}}, w.operator_).status,
            403);
  EXPECT_EQ(w.put_credential(w.camA, {{"username", "x"}, {"password", "y"}}, w.city).status, 204)
      << "the camera's city may";
  EXPECT_EQ(w.pipeline_config(w.camA).username, "x");

  // A sealed value copied onto another enterprise's camera row does not open there.
  ASSERT_EQ(w.patch(w.camB, {{"rtsp_url", "rtsp://10.20.30.41/main"}}, w.admin).status, 200);
  shared_db().db().in_tx([&](storage::Tx& tx) {
    tx.exec(
        "UPDATE camera SET credential_sealed = (SELECT credential_sealed FROM camera WHERE "
        "video_id = $1) WHERE video_id = $2",
        {w.camA, w.camB});
  });
  EXPECT_EQ(w.db_row(w.camB)["credential_sealed"], w.db_row(w.camA)["credential_sealed"]);
  auto b = w.pipeline_config(w.camB);
  EXPECT_TRUE(b.username.empty());
  EXPECT_TRUE(b.password.empty());

  // DELETE drops it.
  EXPECT_EQ(w.c.del("/api/v1/cameras/" + w.camA + "/credential", w.ent_a).status, 204);
  EXPECT_EQ(w.row(w.camA)["has_credential"], false);
  EXPECT_TRUE(w.pipeline_config(w.camA).username.empty());
}

TEST(CameraCredential, ARefResolvesOnlyInTheCamerasEnterprise) {
  World w;
  // B's secret, in B's namespace and (as before this change) in the province-wide one.
  ::setenv(("HAZMON_CAMERA_SECRET_" + w.kB + "_GATE").c_str(), "bob:B-secret-71", 1);
  ::setenv("HAZMON_CAMERA_SECRET_GATE", "bob:B-secret-71", 1);
  ASSERT_EQ(
      w.patch(w.camB, {{"rtsp_url", "rtsp://10.40.0.2/main"}, {"credential_ref", "gate"}}, w.ent_b)
          .status,
      200);
  EXPECT_EQ(w.pipeline_config(w.camB).password, "B-secret-71");
  EXPECT_EQ(w.row(w.camB)["has_credential"], true);

  // The attack: A points its own camera at its own host with B's ref.
  auto r = w.patch(w.camA, {{"rtsp_url", "rtsp://10.99.0.1:8554/x"}, {"credential_ref", "gate"}},
                   w.ent_a);
  ASSERT_TRUE(r.status == 200 || r.status == 422) << r.body;
  auto a = w.pipeline_config(w.camA);
  EXPECT_TRUE(a.username.empty()) << "B's user reached A's camera";
  EXPECT_TRUE(a.password.empty()) << "B's password reached A's camera";
  ::unsetenv("HAZMON_CAMERA_SECRET_GATE");
  ::unsetenv(("HAZMON_CAMERA_SECRET_" + w.kB + "_GATE").c_str());

  EXPECT_EQ(service::camera_credentials(w.kB, "gate", {}).first, "");
  ::setenv(("HAZMON_CAMERA_SECRET_" + w.kA + "_OWN_1").c_str(), "amy:pw:with:colons", 1);
  auto own = service::camera_credentials(w.kA, "own.1", {});
  EXPECT_EQ(own.first, "amy");
  EXPECT_EQ(own.second, "pw:with:colons");
  EXPECT_EQ(service::camera_credentials(w.kA, "../" + w.kB + "/gate", "/tmp").first, "");
  ::unsetenv(("HAZMON_CAMERA_SECRET_" + w.kA + "_OWN_1").c_str());

  // Files: <secrets_dir>/<company_code>/<ref>; the old flat <secrets_dir>/<ref> is not read.
  const auto dir = std::filesystem::temp_directory_path() / ("hazmon-camsec-" + w.tag);
  std::filesystem::create_directories(dir / w.kB);
  auto write_secret = [](const std::filesystem::path& f, const std::string& text) {
    std::ofstream(f) << text;
    std::filesystem::permissions(
        f, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  };
  write_secret(dir / w.kB / "gate", "bob:B-file-secret");
  write_secret(dir / "gate", "bob:flat-file-secret");
  EXPECT_EQ(service::camera_credentials(w.kB, "gate", dir).second, "B-file-secret");
  EXPECT_EQ(service::camera_credentials(w.kA, "gate", dir).second, "") << "A read B's file";
  EXPECT_EQ(service::camera_credentials(w.kA, "../" + w.kB + "/gate", dir).second, "");
  std::filesystem::remove_all(dir);
}

TEST(CameraCredential, ChangingTheUrlDropsItUnlessARefIsSentAgain) {
  World w;
  ASSERT_EQ(w.patch(w.camA,
                    {{"rtsp_url", "rtsp://10.1.0.1/main"}, {"rtsp_sub_url", "rtsp://10.1.0.1/sub"}},
                    w.ent_a)
                .status,
            200);
  ASSERT_EQ(w.put_credential(w.camA, {{"username", "alice"}, {"password", "pw-1"}}, w.ent_a).status,
            204);
  // Other fields, or the same URL again, keep it.
  ASSERT_EQ(
      w.patch(w.camA, {{"name", "东大门"}, {"rtsp_url", "rtsp://10.1.0.1/main"}}, w.ent_a).status,
      200);
  EXPECT_EQ(w.row(w.camA)["has_credential"], true);
  EXPECT_EQ(w.pipeline_config(w.camA).password, "pw-1");
  // Another main URL drops it.
  auto r = w.patch(w.camA, {{"rtsp_url", "rtsp://10.1.0.2/main"}}, w.ent_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["has_credential"], false);
  EXPECT_TRUE(w.db_row(w.camA)["credential_sealed"].is_null());
  EXPECT_TRUE(w.pipeline_config(w.camA).username.empty());
  // A sub-stream URL too, and the legacy ref with it.
  ASSERT_EQ(w.patch(w.camA, {{"credential_ref", "cam1"}}, w.ent_a).status, 200);
  ASSERT_EQ(w.put_credential(w.camA, {{"username", "alice"}, {"password", "pw-2"}}, w.ent_a).status,
            204);
  r = w.patch(w.camA, {{"rtsp_sub_url", "rtsp://10.1.0.2/sub"}}, w.ent_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["has_credential"], false);
  EXPECT_TRUE(r.json()["credential_ref"].is_null());
  // Sent again in the same PATCH, the ref stays (the sealed one is still dropped).
  ASSERT_EQ(w.put_credential(w.camA, {{"username", "alice"}, {"password", "pw-3"}}, w.ent_a).status,
            204);
  r = w.patch(w.camA, {{"rtsp_url", "rtsp://10.1.0.3/main"}, {"credential_ref", "cam1"}}, w.ent_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["credential_ref"], "cam1");
  EXPECT_TRUE(w.db_row(w.camA)["credential_sealed"].is_null());
}

TEST(CameraUrls, DisallowedHostsPortsAndSchemesAreRefusedOnWrite) {
  TestServerOptions o;
  o.video = true;
  o.camera_networks = {{"*", {"10.0.0.0/8"}}, {"1404", {"192.168.7.0/24"}}};
  World w(o);
  // B's video gateway adds its address to B's networks.
  auto gw = w.c.post_json("/api/v1/gateways",
                          {{"gateway_code", "GV" + w.tag + "000"},
                           {"company_code", w.kB},
                           {"name", "视频网关"},
                           {"gateway_type", "video"},
                           {"ip", "172.16.1.10"}},
                          w.admin);
  ASSERT_EQ(gw.status, 201) << gw.body;
  struct Case {
    std::string cam, field, url;
    bool ok;
  };
  const std::vector<Case> cases = {
      {w.camA, "rtsp_url", "rtsp://10.3.0.8/Streaming/Channels/101", true},
      {w.camA, "rtsp_url", "rtsps://10.3.0.8:322/live", true},
      {w.camA, "rtsp_url", "rtsp://cam.plant.example/live", true},  // names: checked on connect
      {w.camA, "rtsp_url", "rtsp://127.0.0.1:5432/", false},
      {w.camA, "rtsp_url", "rtsp://localhost:22/", false},
      {w.camA, "rtsp_url", "rtsp://[::1]:554/", false},
      {w.camA, "rtsp_url", "rtsp://169.254.169.254/latest/meta-data", false},
      {w.camA, "rtsp_url", "rtsp://0.0.0.0:554/", false},
      {w.camA, "rtsp_url", "rtsp://192.168.7.5/live", false},  // B's network, not A's
      {w.camA, "rtsp_url", "rtsp://8.8.8.8/live", false},
      {w.camA, "rtsp_url", "rtsp://2130706433/live", false},
      {w.camA, "rtsp_url", "http://10.3.0.8/live", false},
      {w.camA, "rtsp_url", "rtsp://admin:12345@10.3.0.8/live", false},
      {w.camA, "rtsp_sub_url", "rtsp://127.0.0.1:8554/sub", false},
      {w.camB, "rtsp_url", "rtsp://192.168.7.5/live", true},
      {w.camB, "rtsp_url", "rtsp://172.16.1.10:554/live", true},  // its video gateway
      {w.camB, "rtsp_url", "rtsp://172.16.1.11:554/live", false},
      {w.camB, "rtsp_url", "rtsp://10.3.0.8/live", false},  // B's own entry replaces "*"
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.cam + " " + c.field + " " + c.url);
    auto before = w.row(c.cam);
    auto r = w.patch(c.cam, {{c.field, c.url}}, w.admin);
    if (c.ok) {
      EXPECT_EQ(r.status, 200) << r.body;
      continue;
    }
    ASSERT_EQ(r.status, 422) << r.body;
    EXPECT_EQ(r.json()["code"], "validation_failed");
    bool named = false;
    const auto problem = r.json();
    for (const auto& e : problem["errors"])
      if (e.value("pointer", "") == "/" + c.field) named = true;
    EXPECT_TRUE(named) << r.body;
    EXPECT_EQ(w.row(c.cam)[c.field], before[c.field]) << "stored anyway";
  }
  // The same on create (an enterprise's own video_id starts with its code, ADR 0015).
  auto r = w.c.post_json("/api/v1/cameras",
                         {{"video_id", w.kA + "N1"},
                          {"company_code", w.kA},
                          {"name", "探测"},
                          {"scene_type", "gate"},
                          {"rtsp_url", "rtsp://127.0.0.1:6379/"}},
                         w.ent_a);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["errors"].size(), 1u) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/rtsp_url") << r.body;
  r = w.c.post_json("/api/v1/cameras",
                    {{"video_id", w.kA + "N2"},
                     {"company_code", w.kA},
                     {"name", "正常"},
                     {"scene_type", "gate"},
                     {"rtsp_url", "rtsp://10.3.0.9/live"}},
                    w.ent_a);
  EXPECT_EQ(r.status, 201) << r.body;
}

TEST(CameraStatus, ErrorsAreGenericOutsideOperatorsAndProvinceAdmins) {
  World w;
  ASSERT_EQ(w.patch(w.camA, {{"rtsp_url", "rtsp://10.5.0.1/main"}}, w.admin).status, 200);
  video::CameraStatus cs;
  cs.video_id = w.camA;
  cs.state = video::StreamState::offline;
  cs.last_error = "connection refused";
  w.srv.video().status_source([cs] { return std::vector<video::CameraStatus>{cs}; });
  auto error_for = [&](const std::string& token) {
    auto r = w.c.get("/api/v1/cameras/" + w.camA + "/status", token);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json().value("last_error", std::string("<none>"));
  };
  EXPECT_EQ(error_for(w.ent_a), "unreachable");
  EXPECT_EQ(error_for(w.city), "unreachable");
  EXPECT_EQ(error_for(w.officer), "unreachable");
  EXPECT_EQ(error_for(w.operator_), "connection refused");
  EXPECT_EQ(error_for(w.admin), "connection refused");
  // Stored states (no live source) the same.
  cs.last_error = "unauthorized: wrong or missing credentials";
  w.srv.video().status_source([cs] { return std::vector<video::CameraStatus>{cs}; });
  w.srv.video().housekeeping();
  w.srv.video().status_source({});
  EXPECT_EQ(error_for(w.ent_a), "unreachable");
  EXPECT_EQ(error_for(w.admin), "unauthorized: wrong or missing credentials");
  auto body = w.c.get("/api/v1/cameras/" + w.camA + "/status", w.ent_a).body;
  EXPECT_EQ(body.find("unauthorized"), std::string::npos);
}

}  // namespace
