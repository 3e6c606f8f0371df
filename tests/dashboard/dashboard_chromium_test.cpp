// The dashboard in a real browser (ctest dashboard_chromium, label dashboard): a real hazmond
// process on a fresh database in the suite's PostgreSQL, serving the built app (web/dist), with a
// camera on a real RTSP relay (gst-rtsp-server) playing the FURG fire clip, analysed and recorded.
// Once the fire event is pending and a few segments are recorded, tests/dashboard/drive.mjs
// drives Debian's Chromium headless (playwright-core from web/node_modules): login through the
// form; the overview's map; a gateway's HH upload made while the overview and the alarm list are
// open appears on both within 2 s, with the red warning's banner and tone; the warning's detail
// with the point's trend, thresholds and the disposal timeline with actor names, supervised
// through the form; the video event confirmed into a red warning; the warning list; playback of
// the recorded range and the live view with hls.js; the filing approved by a regulator; and a
// screenshot of every page at 1920×1080 and 1366×768. Any console error or CSP violation fails it.
// Chromium, Node.js and the npm packages come from scripts/setup.sh: a missing one is a failure.
// Screenshots, the browser's log and hazmond's log are in <build>/tests/dashboard-chromium/.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/random.hpp>
#include <hazmon/core/time_format.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>
#include <thread>

#include "child_process.hpp"
#include "https_client.hpp"
#include "test_database.hpp"
#include "video_harness.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = HAZMON_SOURCE_DIR;

// hazmond serve as a child process with video on and the dashboard's static files.
class Server {
 public:
  Server(const fs::path& dir, std::string dsn) : dir_(dir), dsn_(std::move(dsn)) {
    fs::create_directories(dir_);
    // The built app is served from a copy: others rebuilding web/dist in a shared tree during the
    // walk (a few minutes) would otherwise pull its files away (404 file_not_found mid-walk).
    fs::copy(kSource / "web/dist", dir_ / "dist", fs::copy_options::recursive);
    config_ = dir_ / "hazmond.json";
    std::ofstream(config_)
        << json{{"state_dir", (dir_ / "var").string()},
                {"http",
                 {{"port", 0},
                  {"listen_address", "127.0.0.1"},
                  {"shutdown_grace_ms", 2000},
                  {"static_dir", (dir_ / "dist").string()}}},
                {"log", {{"level", "info"}}},
                {"video",
                 {{"enabled", true},
                  {"models_dir", (kSource / "models").string()},
                  {"segment_s", 2},
                  {"clip_before_s", 2},
                  {"clip_after_s", 2},
                  {"live_segments", 5},
                  {"housekeeping_interval_s", 1},
                  // The relay runs on 127.0.0.1: loopback allowed by name (issue 9).
                  {"allowed_networks", {{"*", {"127.0.0.1/32"}}}}}}}
               .dump();
  }
  ~Server() {
    if (child_.pid > 0) {
      ::kill(child_.pid, SIGTERM);
      wait_exit(child_, seconds(20));
    }
    std::ofstream(dir_ / "hazmond.log") << child_.output;
  }
  std::vector<std::string> env() const { return {"HAZMON_DB_DSN=" + dsn_}; }
  const fs::path& config() const { return config_; }

  unsigned short start() {
    child_ = spawn({hazmond_path(), "serve", "--config", config_.string()}, env());
    static const std::regex kServing(R"(serving https://localhost:(\d+)/)");
    auto deadline = steady_clock::now() + seconds(60);
    while (steady_clock::now() < deadline) {
      child_.drain();
      std::smatch m;
      if (std::regex_search(child_.output, m, kServing))
        return static_cast<unsigned short>(std::stoi(m[1]));
      int status = 0;
      if (::waitpid(child_.pid, &status, WNOHANG) == child_.pid) {
        child_.pid = -1;
        throw std::runtime_error("hazmond exited before serving: " + child_.output);
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    throw std::runtime_error("hazmond did not serve within 60 s: " + child_.output);
  }

 private:
  fs::path dir_, config_;
  std::string dsn_;
  Child child_;
};

void add_user(const Server& s, const std::string& name, const std::string& role,
              const std::string& display, const std::string& password) {
  auto env = s.env();
  env.push_back("HAZMON_PASSWORD=" + password);
  auto c = spawn({hazmond_path(), "user", "add", "--config", s.config().string(), "--username",
                  name, "--role", role, "--display-name", display},
                 env);
  ASSERT_EQ(wait_exit(c, seconds(60)), 0) << c.output;
}

std::string login(HttpsClient& c, const std::string& user, const std::string& password) {
  auto r = c.post_json("/api/v1/auth/login", {{"username", user}, {"password", password}});
  if (r.status != 200) throw std::runtime_error("login failed: " + r.body);
  return r.json()["token"].get<std::string>();
}

TEST(DashboardChromium, TabsShowApiContentAndRecordedVideoPlays) {
  // scripts/setup.sh installs all of these: a missing one is a failure, not a skip.
  const fs::path chromium = "/usr/bin/chromium";
  const fs::path clip = kSource / "tests/data/video-eval/furg_house6.mp4";
  ASSERT_TRUE(fs::exists(chromium))
      << chromium << " is missing (Debian package chromium; scripts/setup.sh)";
  // The browser runs in Chinese (date inputs 年/月/日 in the screenshots): its zh-CN resources.
  ASSERT_TRUE(fs::exists("/usr/lib/chromium/locales/zh-CN.pak"))
      << "Chromium's Chinese resources are missing (Debian package chromium-l10n; "
         "scripts/setup.sh)";
  ASSERT_TRUE(fs::exists(HAZMON_NODE))
      << "node is missing (Debian packages nodejs, npm; scripts/setup.sh)";
  ASSERT_TRUE(fs::exists(kSource / "web/node_modules/playwright-core/package.json"))
      << "web/node_modules is not installed (scripts/setup.sh runs npm ci in web/)";
  ASSERT_TRUE(fs::exists(kSource / "web/dist/index.html"))
      << "web/dist is not built (scripts/setup.sh runs npm run build in web/)";
  ASSERT_TRUE(fs::exists(clip)) << clip << " is missing";
  ASSERT_EQ(std::system("/usr/bin/python3 -c 'import gi; gi.require_version(\"GstRtspServer\", "
                        "\"1.0\")' 2>/dev/null"),
            0)
      << "gst-rtsp-server for Python is not installed (scripts/setup.sh)";

  const fs::path work = HAZMON_WORK_DIR;
  fs::remove_all(work);
  fs::create_directories(work);

  video::test::RtspCamera rtsp(clip);
  Server server(work / "server", shared_db().dsn());
  const std::string admin_pw = "Adm-" + core::random_token(10),
                    officer_pw = "Duty-" + core::random_token(10);
  add_user(server, "dash_admin", "province_admin", "省厅管理员", admin_pw);
  add_user(server, "dash_officer", "province_officer", "省厅值班员", officer_pw);
  if (HasFatalFailure()) return;
  auto port = server.start();
  HttpsClient c(port);
  auto admin = login(c, "dash_admin", admin_pw);
  auto officer = login(c, "dash_officer", officer_pw);

  const std::string company = "14070239101", company_name = "晋中市端到端化工有限公司",
                    cam = "DASHFIRE01", cam_name = "储罐区球机";
  auto r = c.post_json(
      "/api/v1/regions",
      {{"code", "140702"}, {"name", "榆次区"}, {"level", "county"}, {"parent_code", "140700"}},
      admin);
  ASSERT_TRUE(r.status == 201 || r.status == 409) << r.body;
  r = c.post_json("/api/v1/enterprises",
                  {{"company_code", company}, {"name", company_name}, {"region_code", "140702"}},
                  admin);
  ASSERT_EQ(r.status, 201) << r.body;
  r = c.post_json("/api/v1/cameras",
                  {{"video_id", cam},
                   {"company_code", company},
                   {"name", cam_name},
                   {"scene_type", "tank_farm"},
                   {"location", "罐区西南角"},
                   {"rtsp_url", rtsp.url()},
                   {"record", true},
                   {"analysers", json::array({{{"type", "fire_smoke"}}})}},
                  admin);
  ASSERT_EQ(r.status, 201) << r.body;

  // A level point whose gateway uploads 19 m, above HH = 18 (no debounce): an open 高高报 alarm.
  const std::string hazard = company + "001", gw = "GWDASH00001", quota = "LITDASH01";
  ASSERT_EQ(
      c.post_json(
           "/api/v1/hazard-sources",
           {{"hazard_code", hazard}, {"company_code", company}, {"name", "罐区"}, {"rank", 2}},
           admin)
          .status,
      201);
  r = c.post_json("/api/v1/gateways",
                  {{"gateway_code", gw}, {"company_code", company}, {"name", "网关1"}}, admin);
  ASSERT_EQ(r.status, 201) << r.body;
  r = c.post_json("/api/v1/monitoring-points",
                  {{"quota_code", quota},
                   {"company_code", company},
                   {"hazard_code", hazard},
                   {"gateway_code", gw},
                   {"name", "1#罐液位"},
                   {"indicator_type", "level"},
                   {"value_kind", "analog"},
                   {"unit", "m"},
                   {"range_low", 0},
                   {"range_high", 20},
                   {"l", 2},
                   {"h", 15},
                   {"hh", 18},
                   {"debounce_s", 0},
                   {"deadband", 0.5}},
                  admin);
  ASSERT_EQ(r.status, 201) << r.body;
  // A second point on a level-1 hazard source: the browser test uploads above its HH while the
  // overview is open (HH on level 1 is a red warning at once, rule 1).
  const std::string hazard1 = company + "002", live_quota = "LITDASH02";
  ASSERT_EQ(c.post_json("/api/v1/hazard-sources",
                        {{"hazard_code", hazard1},
                         {"company_code", company},
                         {"name", "液氯储罐区"},
                         {"rank", 1}},
                        admin)
                .status,
            201);
  r = c.post_json("/api/v1/monitoring-points",
                  {{"quota_code", live_quota},
                   {"company_code", company},
                   {"hazard_code", hazard1},
                   {"gateway_code", gw},
                   {"name", "2#液氯罐液位"},
                   {"indicator_type", "level"},
                   {"value_kind", "analog"},
                   {"unit", "m"},
                   {"range_low", 0},
                   {"range_high", 20},
                   {"l", 2},
                   {"h", 15},
                   {"hh", 18},
                   {"debounce_s", 0},
                   {"deadband", 0.5}},
                  admin);
  ASSERT_EQ(r.status, 201) << r.body;
  auto cred = c.post_json(
      "/api/v1/credentials",
      {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", company}}}}, admin);
  ASSERT_EQ(cred.status, 201) << cred.body;
  auto gateway =
      cred.json()["app_id"].get<std::string>() + "." + cred.json()["secret"].get<std::string>();
  auto ago = [](int s) { return core::format_rfc3339(system_clock::now() - seconds(s)); };
  r = c.post_json(
      "/api/v1/upload/realtime",
      {{"companyCode", company},
       {"gatewayCode", gw},
       {"dataId", "dash-1"},
       {"reportType", "realtime"},
       {"sendTime", ago(0)},
       {"datas", json::array({{{"quotaCode", quota}, {"collectTime", ago(10)}, {"value", 19.0}},
                              {{"quotaCode", quota}, {"collectTime", ago(5)}, {"value", 19.2}}})}},
      gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.json()["accepted"], 2) << r.body;

  // The pipeline in hazmond finds the flames (pending event with snapshot and clip) and records.
  bool event = false;
  json status;
  auto deadline = steady_clock::now() + seconds(60);
  while (steady_clock::now() < deadline) {
    if (!event) {
      auto l = c.get("/api/v1/video/events?analyser=fire&state=pending&video_id=" + cam, officer);
      ASSERT_EQ(l.status, 200) << l.body;
      event = !l.json()["items"].empty() && l.json()["items"][0]["clip_url"].is_string();
    }
    auto s = c.get("/api/v1/cameras/" + cam + "/status", officer);
    ASSERT_EQ(s.status, 200) << s.body;
    status = s.json();
    if (event && status["recording"]["segments"].get<long long>() >= 3 &&
        status["state"] == "online")
      break;
    std::this_thread::sleep_for(milliseconds(500));
  }
  ASSERT_TRUE(event) << "no pending fire event with a clip within 60 s";
  ASSERT_GE(status["recording"]["segments"].get<long long>(), 3) << status.dump();
  ASSERT_EQ(status["state"], "online") << status.dump();
  auto alarms = c.get("/api/v1/alarms?active=true&company_code=" + company, officer);
  ASSERT_EQ(alarms.status, 200) << alarms.body;
  ASSERT_EQ(alarms.json()["total"], 1) << alarms.body;
  ASSERT_EQ(alarms.json()["items"][0]["alarm_type"], "HH") << alarms.body;

  // An enterprise user's 30-day shutdown filing waits for a regulator's approval (issue 9).
  r = c.post_json("/api/v1/users",
                  {{"username", "dash_ent"},
                   {"password", officer_pw + "e"},
                   {"role", "enterprise_user"},
                   {"scope", {{"kind", "enterprise"}, {"code", company}}}},
                  admin);
  ASSERT_EQ(r.status, 201) << r.body;
  auto ent = login(c, "dash_ent", officer_pw + "e");
  r = c.post_json("/api/v1/filings",
                  {{"company_code", company},
                   {"target_kind", "hazard_source"},
                   {"target_code", hazard},
                   {"filing_type", "shutdown"},
                   {"starts_at", ago(0)},
                   {"ends_at", core::format_rfc3339(system_clock::now() + hours(24 * 30))}},
                  ent);
  ASSERT_EQ(r.status, 201) << r.body;
  ASSERT_EQ(r.json()["status"], "pending") << r.body;
  const auto filing = std::to_string(r.json()["id"].get<long long>());

  // The browser plays from the first recorded segment to a minute from now.
  auto first = core::parse_time(status["recording"]["first_segment_at"].get<std::string>());
  ASSERT_TRUE(first) << status.dump();
  auto to = system_clock::now() + minutes(1);
  auto node =
      spawn({HAZMON_NODE, (kSource / "tests/dashboard/drive.mjs").string()},
            {"HAZMON_URL=https://127.0.0.1:" + std::to_string(port), "HAZMON_USER=dash_officer",
             "HAZMON_PASSWORD=" + officer_pw, "HAZMON_CAMERA=" + cam,
             "HAZMON_CAMERA_NAME=" + cam_name, "HAZMON_COMPANY_NAME=" + company_name,
             "HAZMON_QUOTA=" + quota, "HAZMON_FROM=" + core::format_rfc3339(*first),
             "HAZMON_TO=" + core::format_rfc3339(to), "HAZMON_WORK_DIR=" + work.string(),
             "HAZMON_CHROMIUM=" + chromium.string(), "HAZMON_FILING=" + filing,
             "HAZMON_ADMIN_USER=dash_admin", "HAZMON_ADMIN_PASSWORD=" + admin_pw,
             "HAZMON_COMPANY=" + company, "HAZMON_GATEWAY=" + gw, "HAZMON_GATEWAY_TOKEN=" + gateway,
             "HAZMON_LIVE_QUOTA=" + live_quota, "HAZMON_LIVE_POINT_NAME=2#液氯罐液位"});
  int rc = wait_exit(node, seconds(400));
  std::ofstream(work / "drive.log") << node.output;
  EXPECT_EQ(rc, 0) << node.output << "\n(hazmond's log: " << (work / "server/hazmond.log").string()
                   << ")";
  std::cout << node.output;

  // The confirmation clicked in the browser reached the server.
  auto l = c.get("/api/v1/video/events?analyser=fire&state=confirmed&video_id=" + cam, officer);
  ASSERT_EQ(l.status, 200) << l.body;
  ASSERT_FALSE(l.json()["items"].empty())
      << "the review card's confirmation did not reach the server";
  EXPECT_EQ(l.json()["items"][0]["reviewed_name"], "dash_officer");
  // The approvals clicked in the browser reached the server: the hazard source's filing (by the
  // province admin) and the unit status's stop (by a city officer), and nothing else.
  auto f = c.get("/api/v1/filings?status=approved&company_code=" + company, admin);
  ASSERT_EQ(f.status, 200) << f.body;
  const json approved = f.json()["items"];
  ASSERT_EQ(approved.size(), 2u) << f.body;
  int hazard_filings = 0, unit_filings = 0;
  for (const auto& it : approved) {
    if (std::to_string(it["id"].get<long long>()) == filing) ++hazard_filings;
    if (it["target_kind"] == "equipment" && it["target_code"] == hazard + "S0901") ++unit_filings;
  }
  EXPECT_EQ(hazard_filings, 1) << f.body;
  EXPECT_EQ(unit_filings, 1) << f.body;
}

}  // namespace
