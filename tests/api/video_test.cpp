// Video AI events over HTTPS: the review queue per role and scope, confirm → a pushed warning
// event, reject → false-alarm statistics, evidence downloads that ffprobe reads, HLS playlists
// over indexed segments, and hostile inputs (traversal, bad decisions, reviewing twice). Events
// are fed to the VideoService (the pipeline's EventSink) directly with evidence files made by
// ffmpeg here, so these tests need no camera and no RTSP server.
#include <gtest/gtest.h>

#include <hazmon/api/warning_push.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/service/warning_service.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;
namespace fs = std::filesystem;

namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What ffprobe finds in these bytes: "codec_name,width,height" of the first video stream.
std::string probe(const std::string& bytes, const std::string& ext) {
  auto tmp = fs::temp_directory_path() / ("hazmon-probe-" + core::random_token(6) + ext);
  std::ofstream(tmp, std::ios::binary) << bytes;
  auto out =
      run("ffprobe -v error -select_streams v:0 -show_entries stream=codec_name,width,height -of "
          "csv=p=0 '" +
          tmp.string() + "' 2>&1");
  fs::remove(tmp);
  // The first non-empty line (MPEG-TS adds a program section with the stream repeated).
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line != "\r") return line;
  return {};
}

// Evidence made once per binary: a JPEG snapshot, an H.264 MP4 clip and an MPEG-TS segment.
struct Media {
  fs::path dir = fs::temp_directory_path() / ("hazmon-video-media-" + core::random_token(6));
  fs::path jpeg = dir / "snap.jpg", mp4 = dir / "clip.mp4", ts = dir / "seg.ts";
  Media() {
    fs::create_directories(dir);
    std::string ff = "ffmpeg -nostdin -v error -y -f lavfi -i testsrc2=size=320x240:rate=10 ";
    run(ff + "-frames:v 1 '" + jpeg.string() + "' 2>&1");
    run(ff + "-t 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -movflags +faststart '" +
        mp4.string() + "' 2>&1");
    run(ff + "-t 2 -c:v libx264 -preset ultrafast -pix_fmt yuv420p -f mpegts '" + ts.string() +
        "' 2>&1");
  }
  ~Media() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};
Media& media() {
  static Media m;
  return m;
}

std::vector<std::string> segment_uris(const std::string& playlist) {
  std::vector<std::string> uris;
  std::istringstream lines(playlist);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("/api/v1/video/segments/", 0) == 0) uris.push_back(line);
  return uris;
}

int next_fixture() {
  static int n = 2000;
  return n++;
}

// Two enterprises: A in 晋中市榆次区 with a fire camera and a control-room camera, B in
// 太原市小店区 with one camera. Users: province officer, city officers of 晋中 (A in scope) and
// 太原 (A out of scope), an enterprise user of A.
struct Fixture {
  int n = next_fixture();
  std::string kN = std::to_string(n);
  std::string kA = "1407020" + kN.substr(0, 4), kB = "1401050" + kN.substr(0, 4);
  std::string kHazardA = kA + "001";
  std::string camFire = "CF" + kN, camRoom = "CR" + kN, camB = "CB" + kN;
  TestServer srv;
  HttpsClient c = srv.client();
  std::string admin, province, city_in, city_out, ent;
  int episode = 0;

  Fixture()
      : srv(shared_db(), [] {
          TestServerOptions o;
          o.video = true;
          o.session_ttl_minutes = 24 * 60;
          return o;
        }()) {
    admin = srv.make_user("vid_admin" + kN, "province_admin");
    ensure_region("140702", "榆次区", "140700");
    ensure_region("140105", "小店区", "140100");
    created(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kA}, {"name", "视频测试化工有限公司" + kN}, {"region_code", "140702"}},
        admin));
    created(c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kB}, {"name", "太原视频测试公司" + kN}, {"region_code", "140105"}},
        admin));
    created(c.post_json(
        "/api/v1/hazard-sources",
        {{"hazard_code", kHazardA}, {"company_code", kA}, {"name", "甲醇罐区"}, {"rank", 2}},
        admin));
    created(c.post_json("/api/v1/cameras",
                        {{"video_id", camFire},
                         {"company_code", kA},
                         {"hazard_code", kHazardA},
                         {"name", "罐区东侧球机"},
                         {"scene_type", "tank_farm"},
                         {"location", "甲醇罐区东北角"},
                         {"lon", 112.75},
                         {"lat", 37.68},
                         {"rtsp_url", "rtsp://127.0.0.1:8554/fire" + kN},
                         {"credential_ref", "cam-" + kN},
                         {"record", true},
                         {"analysers", json::array({{{"type", "fire_smoke"}}})}},
                        admin));
    created(c.post_json("/api/v1/cameras",
                        {{"video_id", camRoom},
                         {"company_code", kA},
                         {"name", "中控室"},
                         {"scene_type", "control_room"},
                         {"location", "综合楼二层中控室"},
                         {"rtsp_url", "rtsp://127.0.0.1:8554/room" + kN},
                         {"analysers", json::array({{{"type", "leave_post"}}})}},
                        admin));
    created(c.post_json(
        "/api/v1/cameras",
        {{"video_id", camB}, {"company_code", kB}, {"name", "大门"}, {"scene_type", "gate"}},
        admin));
    province = srv.make_user("vid_prov" + kN, "province_officer");
    city_in = srv.make_user("vid_jz" + kN, "city_officer", "140700");
    city_out = srv.make_user("vid_ty" + kN, "city_officer", "140100");
    ent = srv.make_user("vid_ent" + kN, "enterprise_user", kA);
  }

  static void created(const HttpResult& r) {
    if (r.status != 201) throw std::runtime_error(r.body);
  }
  void ensure_region(const std::string& code, const std::string& name, const std::string& parent) {
    auto r = c.post_json(
        "/api/v1/regions",
        {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", parent}}, admin);
    if (r.status != 201 && r.status != 409) throw std::runtime_error(r.body);
  }

  // Copies a media file into the evidence directory under a fresh relative name.
  std::string evidence(const fs::path& src, const std::string& ext) {
    auto rel = "2026/" + kN + "/" + core::random_token(6) + ext;
    fs::create_directories((fs::path(srv.evidence_dir()) / rel).parent_path());
    fs::copy_file(src, fs::path(srv.evidence_dir()) / rel);
    return rel;
  }

  // Reports an episode start (with snapshot) and its end (with clip); returns the event id.
  long long feed(const std::string& cam, const std::string& company, const std::string& analyser,
                 const std::string& kind, double confidence = 0.87, bool with_evidence = true) {
    video::VideoEvent e;
    e.video_id = cam;
    e.company_code = company;
    e.analyser = analyser;
    e.kind = kind;
    e.episode_id = cam + "-" + std::to_string(++episode);
    e.confidence = confidence;
    e.boxes.push_back({0.1, 0.2, 0.3, 0.4, confidence, kind});
    e.roi_name = "罐区";
    e.roi = {{0, 0}, {1, 0}, {1, 1}};
    e.started_at = srv.clock().now() - seconds(30);
    e.detail = analyser == "fire" ? "画面右上方疑似明火" : "";
    if (with_evidence) e.snapshot_path = evidence(media().jpeg, ".jpg");
    srv.video().on_video_event(e);
    e.phase = video::EventPhase::end;
    e.ended_at = srv.clock().now();
    e.boxes.clear();
    if (with_evidence) e.clip_path = evidence(media().mp4, ".mp4");
    srv.video().on_video_event(e);
    srv.video().flush();
    auto r = c.get("/api/v1/video/events?video_id=" + cam + "&limit=1", admin);
    if (r.status != 200 || r.json()["items"].empty())
      throw std::runtime_error("event not stored: " + r.body);
    return r.json()["items"][0]["id"].get<long long>();
  }

  std::string ev(long long id) { return "/api/v1/video/events/" + std::to_string(id); }
  HttpResult review(long long id, const std::string& token, json body) {
    return c.post_json(ev(id) + "/review", body, token);
  }
  json list(const std::string& token, const std::string& query = "") {
    auto r = c.get("/api/v1/video/events?limit=500" + query, token);
    if (r.status != 200) throw std::runtime_error(r.body);
    return r.json();
  }
  std::set<long long> ids(const json& l) {
    std::set<long long> out;
    for (const auto& i : l["items"]) out.insert(i["id"].get<long long>());
    return out;
  }
};

TEST(Video, EpisodeIsOneRowWithEvidenceFilledInAsItArrives) {
  Fixture f;
  auto id = f.feed(f.camFire, f.kA, "fire", "fire", 0.6);
  auto r = f.c.get(f.ev(id), f.province);
  ASSERT_EQ(r.status, 200) << r.body;
  auto e = r.json();
  EXPECT_EQ(e["review_state"], "pending");
  EXPECT_EQ(e["phase"], "end");
  EXPECT_EQ(e["camera_name"], "罐区东侧球机");
  EXPECT_EQ(e["company_code"], f.kA);
  EXPECT_TRUE(e["ended_at"].is_string());
  // The start carried the boxes, the end none: the start's boxes stay.
  ASSERT_EQ(e["boxes"].size(), 1u);
  EXPECT_EQ(e["boxes"][0]["label"], "fire");
  EXPECT_EQ(e["snapshot_url"], f.ev(id) + "/snapshot");
  EXPECT_EQ(e["clip_url"], f.ev(id) + "/clip");
  EXPECT_EQ(e["warning_level"], "red");
  EXPECT_EQ(e["allowed_decisions"], json::array({"confirm", "reject"}));
  EXPECT_FALSE(e.contains("snapshot_path"));  // internal paths never leave the server
  EXPECT_EQ(f.list(f.admin, "&video_id=" + f.camFire)["total"], 1);

  // An event for a camera that does not exist is dropped, not stored under someone else.
  auto before = f.srv.video().stats();
  video::VideoEvent ghost;
  ghost.video_id = "NOSUCHCAM" + f.kN;
  ghost.analyser = "fire";
  ghost.kind = "fire";
  ghost.episode_id = "x";
  ghost.started_at = f.srv.clock().now();
  f.srv.video().on_video_event(ghost);
  ghost.analyser = "telepathy";  // not an analyser: refused at the door
  f.srv.video().on_video_event(ghost);
  f.srv.video().flush();
  EXPECT_EQ(f.srv.video().stats().events_dropped, before.events_dropped + 2);
}

TEST(Video, ReviewQueueIsScopedPerRole) {
  Fixture f;
  auto a = f.feed(f.camFire, f.kA, "fire", "fire");
  auto b = f.feed(f.camB, f.kB, "smoke", "smoke");
  auto health = f.feed(f.camRoom, f.kA, "camera_health", "frozen", 0.9, false);

  auto all = f.ids(f.list(f.province));
  EXPECT_TRUE(all.count(a) && all.count(b) && all.count(health));
  auto jz = f.ids(f.list(f.city_in));
  EXPECT_TRUE(jz.count(a));
  EXPECT_FALSE(jz.count(b));
  auto ty = f.ids(f.list(f.city_out));
  EXPECT_TRUE(ty.count(b));
  EXPECT_FALSE(ty.count(a));
  auto mine = f.ids(f.list(f.ent));
  EXPECT_TRUE(mine.count(a));
  EXPECT_FALSE(mine.count(b));

  // Pending filter: the camera-health event is not for review.
  auto pending = f.ids(f.list(f.province, "&state=pending"));
  EXPECT_TRUE(pending.count(a));
  EXPECT_FALSE(pending.count(health));
  EXPECT_EQ(f.c.get(f.ev(health), f.province).json()["review_state"], "not_required");

  // Outside the scope: absent, whatever the action.
  EXPECT_EQ(f.c.get(f.ev(a), f.city_out).status, 404);
  EXPECT_EQ(f.c.get(f.ev(a) + "/snapshot", f.city_out).status, 404);
  EXPECT_EQ(f.review(a, f.city_out, {{"decision", "confirm"}}).status, 404);
  EXPECT_EQ(f.review(b, f.ent, {{"decision", "reject"}, {"reason", "误报"}}).status, 404);

  // The enterprise reads its own events but does not review them.
  auto own = f.c.get(f.ev(a), f.ent);
  ASSERT_EQ(own.status, 200);
  EXPECT_EQ(own.json()["allowed_decisions"], json::array());
  EXPECT_EQ(f.review(a, f.ent, {{"decision", "confirm"}}).status, 403);
  EXPECT_EQ(f.review(a, f.ent, {{"decision", "reject"}, {"reason", "误报"}}).status, 403);
  EXPECT_EQ(f.c.get(f.ev(a), f.ent).json()["review_state"], "pending");

  // Technical events are shown, never reviewed.
  EXPECT_EQ(f.review(health, f.province, {{"decision", "confirm"}}).status, 409);

  // The city in scope reviews.
  auto r = f.review(a, f.city_in, {{"decision", "reject"}, {"reason", "阳光反射，误报"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["review_state"], "rejected");
  EXPECT_EQ(r.json()["reviewed_role"], "city_officer");
  EXPECT_EQ(r.json()["review_reason"], "阳光反射，误报");
  EXPECT_TRUE(r.json()["warning_event_id"].is_null());
}

TEST(Video, ConfirmRaisesAndPushesAWarningEvent) {
  Fixture f;
  std::mutex mu;
  std::vector<json> pushed;
  f.srv.warnings().on_push([&](const model::WarningPush& e) {
    std::lock_guard lock(mu);
    pushed.push_back(api::warning_push_json(e));  // as the live stream carries it
  });
  auto fire = f.feed(f.camFire, f.kA, "fire", "fire", 0.91);
  auto absent = f.feed(f.camRoom, f.kA, "leave_post", "absent", 0.8, false);
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(pushed.empty()) << "nothing is pushed before a person confirms";
  }
  auto before = f.c.get("/api/v1/warning-events?company_code=" + f.kA, f.admin)
                    .json()["total"]
                    .get<long long>();
  EXPECT_EQ(before, 0);

  auto r =
      f.review(fire, f.province, {{"decision", "confirm"}, {"reason", "现场确认罐区东侧起火"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["review_state"], "confirmed");
  EXPECT_EQ(r.json()["allowed_decisions"], json::array());
  auto wid = r.json()["warning_event_id"].get<long long>();

  auto w = f.c.get("/api/v1/warning-events/" + std::to_string(wid), f.city_in);
  ASSERT_EQ(w.status, 200) << w.body;
  auto we = w.json();
  EXPECT_EQ(we["source"], "video_ai");
  EXPECT_EQ(we["category"], "video_ai");
  EXPECT_EQ(we["level"], "red");
  EXPECT_EQ(we["status"], "pushed");
  EXPECT_EQ(we["company_code"], f.kA);
  EXPECT_EQ(we["hazard_code"], f.kHazardA);
  EXPECT_EQ(we["city_code"], "140700");
  EXPECT_EQ(we["county_code"], "140702");
  auto content = we["content"].get<std::string>();
  EXPECT_NE(content.find("视频测试化工有限公司"), std::string::npos) << content;
  EXPECT_NE(content.find("罐区东侧球机"), std::string::npos) << content;
  EXPECT_NE(content.find("甲醇罐区东北角"), std::string::npos) << content;
  EXPECT_NE(content.find("火焰"), std::string::npos) << content;
  EXPECT_NE(content.find("画面右上方疑似明火"), std::string::npos) << content;
  EXPECT_NE(content.find("91%"), std::string::npos) << content;
  std::vector<std::string> actions;
  for (const auto& rec : we["records"]) actions.push_back(rec["action"]);
  EXPECT_EQ(actions, (std::vector<std::string>{"create", "confirm", "push"}));
  EXPECT_EQ(we["records"][1]["actor_role"], "province");
  EXPECT_EQ(we["records"][1]["text"], "现场确认罐区东侧起火");
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(pushed.size(), 1u);
    EXPECT_EQ(pushed[0]["id"], wid);
    EXPECT_EQ(pushed[0]["push_reason"], "created");
    EXPECT_EQ(pushed[0]["level"], "red");
  }

  // Leave-post: yellow, by the county... here the city in scope; no reason needed to confirm.
  auto r2 = f.review(absent, f.city_in, {{"decision", "confirm"}});
  ASSERT_EQ(r2.status, 200) << r2.body;
  auto w2 = f.c.get("/api/v1/warning-events/" +
                        std::to_string(r2.json()["warning_event_id"].get<long long>()),
                    f.admin)
                .json();
  EXPECT_EQ(w2["level"], "yellow");
  EXPECT_NE(w2["content"].get<std::string>().find("人员脱岗"), std::string::npos);
  EXPECT_TRUE(w2["hazard_code"].is_null());  // the control-room camera has no hazard source

  // Twice: conflict, and still one warning event for it.
  EXPECT_EQ(f.review(fire, f.province, {{"decision", "confirm"}}).status, 409);
  EXPECT_EQ(f.review(fire, f.city_in, {{"decision", "reject"}, {"reason", "改判"}}).status, 409);
  EXPECT_EQ(f.c.get("/api/v1/warning-events?company_code=" + f.kA, f.admin).json()["total"], 2);
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(pushed.size(), 2u);
  }
}

TEST(Video, BadReviewRequestsChangeNothing) {
  Fixture f;
  auto id = f.feed(f.camFire, f.kA, "smoke", "smoke", 0.5, false);
  EXPECT_EQ(f.review(id, f.province, {{"decision", "maybe"}}).status, 422);
  EXPECT_EQ(f.review(id, f.province, {{"decision", "reject"}}).status, 422);
  EXPECT_EQ(f.review(id, f.province, {{"decision", "reject"}, {"reason", "   "}}).status, 422);
  EXPECT_EQ(f.review(id, f.province, json::object()).status, 422);
  EXPECT_EQ(f.review(id, f.province, {{"decision", "confirm"}, {"level", "red"}}).status, 422);
  EXPECT_EQ(f.review(id, f.province, {{"decision", 1}}).status, 422);
  EXPECT_EQ(f.review(id, f.province, json::array({"confirm"})).status, 422);
  EXPECT_EQ(f.c.request("POST", f.ev(id) + "/review", "decision=confirm",
                        {{"authorization", "Bearer " + f.province},
                         {"content-type", "application/x-www-form-urlencoded"}})
                .status,
            415);
  EXPECT_EQ(f.review(id, "", {{"decision", "confirm"}}).status, 401);
  EXPECT_EQ(f.review(999999999, f.province, {{"decision", "confirm"}}).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/video/events?state=maybe", f.province).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/video/events?analyser=telepathy", f.province).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/video/events?from=yesterday", f.province).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/video/events?colour=red", f.province).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/video/statistics?period=fortnight", f.province).status, 400);
  EXPECT_EQ(f.c.get(f.ev(id), f.province).json()["review_state"], "pending");
}

TEST(Video, RejectionsCountInFalseAlarmStatistics) {
  Fixture f;
  auto x1 = f.feed(f.camFire, f.kA, "fire", "fire", 0.7, false);
  auto x2 = f.feed(f.camFire, f.kA, "fire", "fire", 0.7, false);
  auto x3 = f.feed(f.camFire, f.kA, "fire", "fire", 0.7, false);
  auto y1 = f.feed(f.camRoom, f.kA, "leave_post", "absent", 0.7, false);
  auto z1 = f.feed(f.camB, f.kB, "smoke", "smoke", 0.7, false);
  f.feed(f.camB, f.kB, "smoke", "smoke", 0.7, false);  // stays pending
  ASSERT_EQ(f.review(x1, f.province, {{"decision", "reject"}, {"reason", "夕阳反光"}}).status, 200);
  ASSERT_EQ(f.review(x2, f.province, {{"decision", "reject"}, {"reason", "焊接作业"}}).status, 200);
  ASSERT_EQ(f.review(x3, f.province, {{"decision", "confirm"}}).status, 200);
  ASSERT_EQ(f.review(y1, f.province, {{"decision", "confirm"}}).status, 200);
  ASSERT_EQ(f.review(z1, f.province, {{"decision", "confirm"}}).status, 200);

  auto q = "/api/v1/video/statistics?company_code=";
  auto r = f.c.get(std::string(q) + f.kA, f.province);
  ASSERT_EQ(r.status, 200) << r.body;
  auto s = r.json();
  EXPECT_EQ(s["totals"]["events"], 4);
  EXPECT_EQ(s["totals"]["confirmed"], 2);
  EXPECT_EQ(s["totals"]["rejected"], 2);
  EXPECT_DOUBLE_EQ(s["totals"]["false_alarm_rate"].get<double>(), 0.5);
  json fire_row, cam_row;
  for (const auto& a : s["by_analyser"])
    if (a["analyser"] == "fire") fire_row = a;
  for (const auto& cr : s["by_camera"])
    if (cr["video_id"] == f.camFire) cam_row = cr;
  ASSERT_FALSE(fire_row.is_null());
  EXPECT_EQ(fire_row["rejected"], 2);
  EXPECT_EQ(fire_row["confirmed"], 1);
  EXPECT_NEAR(fire_row["false_alarm_rate"].get<double>(), 2.0 / 3.0, 1e-3);
  ASSERT_FALSE(cam_row.is_null());
  EXPECT_EQ(cam_row["rejected"], 2);
  EXPECT_EQ(s["by_camera"][0]["video_id"], f.camFire);  // most false alarms first
  ASSERT_EQ(s["by_city"].size(), 1u);
  EXPECT_EQ(s["by_city"][0]["city_code"], "140700");
  EXPECT_EQ(s["by_city"][0]["city_name"], "晋中市");
  ASSERT_FALSE(s["by_period"].empty());
  ASSERT_EQ(s["ranking"].size(), 1u);  // group_by defaults to enterprise
  EXPECT_EQ(s["ranking"][0]["name"], "视频测试化工有限公司" + f.kN);
  auto by_city = f.c.get(std::string(q) + f.kA + "&group_by=city", f.province).json();
  EXPECT_EQ(by_city["ranking"][0]["name"], "晋中市");
  EXPECT_EQ(f.c.get(std::string(q) + f.kA + "&group_by=colour", f.province).status, 400);

  // Both enterprises over the province: A (2 confirmed) ranks above B (1 confirmed).
  auto all = f.c.get("/api/v1/video/statistics?from=" +
                         core::format_rfc3339(f.srv.clock().now() - hours(1)),
                     f.province)
                 .json();
  long long rank_a = 0, rank_b = 0;
  for (const auto& e : all["by_enterprise"]) {
    if (e["company_code"] == f.kA) rank_a = e["rank"].get<long long>();
    if (e["company_code"] == f.kB) {
      rank_b = e["rank"].get<long long>();
      EXPECT_EQ(e["pending"], 1);
      EXPECT_DOUBLE_EQ(e["false_alarm_rate"].get<double>(), 0.0);
    }
  }
  ASSERT_GT(rank_a, 0);
  ASSERT_GT(rank_b, 0);
  EXPECT_LT(rank_a, rank_b);

  // The city of 太原 sees only B in its statistics.
  auto ty = f.c.get("/api/v1/video/statistics", f.city_out).json();
  for (const auto& e : ty["by_enterprise"]) EXPECT_NE(e["company_code"], f.kA);
  EXPECT_EQ(f.c.get(std::string(q) + f.kA, f.city_out).json()["totals"]["events"], 0);
}

TEST(Video, EvidenceDownloadsAreRealMediaAndStayInsideTheirDirectory) {
  Fixture f;
  auto id = f.feed(f.camFire, f.kA, "fire", "fire");
  auto snap = f.c.get(f.ev(id) + "/snapshot", f.ent);
  ASSERT_EQ(snap.status, 200) << snap.body;
  EXPECT_EQ(snap.header("content-type"), "image/jpeg");
  ASSERT_GE(snap.body.size(), 3u);
  EXPECT_EQ(static_cast<unsigned char>(snap.body[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(snap.body[1]), 0xD8);
  EXPECT_EQ(snap.body, read_file(media().jpeg));
  EXPECT_EQ(probe(snap.body, ".jpg"), "mjpeg,320,240");
  auto clip = f.c.get(f.ev(id) + "/clip", f.city_in);
  ASSERT_EQ(clip.status, 200) << clip.body;
  EXPECT_EQ(clip.header("content-type"), "video/mp4");
  EXPECT_EQ(probe(clip.body, ".mp4"), "h264,320,240");

  // Without evidence (yet): 404, not an empty 200.
  auto bare = f.feed(f.camRoom, f.kA, "leave_post", "absent", 0.8, false);
  EXPECT_EQ(f.c.get(f.ev(bare) + "/snapshot", f.province).status, 404);
  EXPECT_EQ(f.c.get(f.ev(bare) + "/clip", f.province).status, 404);

  // A pipeline reporting a path out of the directory: refused when stored.
  video::VideoEvent e;
  e.video_id = f.camFire;
  e.analyser = "fire";
  e.kind = "fire";
  e.episode_id = "traversal-" + f.kN;
  e.started_at = f.srv.clock().now();
  e.snapshot_path = "../secret.txt";
  e.clip_path = "/etc/passwd";
  f.srv.video().on_video_event(e);
  f.srv.video().flush();
  auto t = f.list(f.province, "&video_id=" + f.camFire)["items"][0];
  ASSERT_EQ(t["episode_id"], e.episode_id);
  EXPECT_TRUE(t["snapshot_url"].is_null());
  EXPECT_TRUE(t["clip_url"].is_null());
  auto tid = std::to_string(t["id"].get<long long>());
  // A row written behind the service's back, and a link leading out: still 404 when served.
  shared_db().exec(
      "UPDATE video_event SET snapshot_path = '../secret.txt', clip_path = 'link.mp4' WHERE id = " +
      tid);
  fs::create_symlink("/etc/passwd", fs::path(f.srv.evidence_dir()) / "link.mp4");
  auto leak1 = f.c.get("/api/v1/video/events/" + tid + "/snapshot", f.province);
  EXPECT_EQ(leak1.status, 404);
  EXPECT_EQ(leak1.body.find("outside the static root"), std::string::npos);
  auto leak2 = f.c.get("/api/v1/video/events/" + tid + "/clip", f.province);
  EXPECT_EQ(leak2.status, 404);
  EXPECT_EQ(leak2.body.find("root:"), std::string::npos);
  // Traversal in the URL itself never reaches a file: the dot segments match no route (the
  // static fallback refuses them with 400), and ids that are not ids are no such thing (404).
  for (const std::string& target : std::vector<std::string>{
           "/api/v1/video/events/..%2F..%2Fsecret.txt/snapshot",
           "/api/v1/video/events/" + std::to_string(id) + "%2F..%2F1/clip",
           "/api/v1/video/segments/..%2Fsecret.txt", "/api/v1/video/segments/%2e%2e",
           "/api/v1/cameras/..%2F" + f.camFire + "/status",
           "/api/v1/cameras/" + f.camFire + "%2F..%2F..%2Fx/live.m3u8"}) {
    auto r = f.c.get(target, f.province);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << " " << r.status;
    EXPECT_EQ(r.body.find("outside the static root"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("\xFF\xD8"), std::string::npos) << target;
  }
  for (const std::string target :
       {"/api/v1/video/events/1a/snapshot", "/api/v1/video/events/-1/clip",
        "/api/v1/video/segments/0x10", "/api/v1/cameras/bad%20id/status",
        "/api/v1/cameras/..%5C..%5Cx/live.m3u8"}) {
    auto r = f.c.get(target, f.province);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << target << " " << r.status;
    EXPECT_EQ(r.header("content-type").find("image"), std::string::npos) << target;
  }
}

TEST(Video, PlaylistsOverIndexedSegments) {
  Fixture f;
  auto t0 = f.srv.clock().now() - minutes(10);
  auto rec = fs::path(f.srv.recording_dir());
  fs::create_directories(rec / f.camFire);
  for (int k = 0; k < 4; ++k) {
    auto rel = f.camFire + "/seg" + std::to_string(k) + ".ts";
    fs::copy_file(media().ts, rec / rel);
    video::Segment g;
    g.video_id = f.camFire;
    g.path = rel;
    // The fourth starts after a gap (the camera was offline a while).
    g.start = t0 + seconds(2 * k) + (k == 3 ? seconds(60) : seconds(0));
    g.duration = milliseconds(2000);
    g.bytes = fs::file_size(rec / rel);
    f.srv.video().add_segment(g);
  }
  f.srv.video().flush();
  auto from = core::format_rfc3339(t0 - seconds(1)), to = core::format_rfc3339(t0 + minutes(5));
  auto url = "/api/v1/cameras/" + f.camFire + "/playback.m3u8?from=" + from + "&to=" + to;
  auto r = f.c.get(url, f.city_in);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/vnd.apple.mpegurl");
  const auto& pl = r.body;
  EXPECT_EQ(pl.rfind("#EXTM3U\n", 0), 0u);
  EXPECT_NE(pl.find("#EXT-X-TARGETDURATION:2\n"), std::string::npos) << pl;
  EXPECT_NE(pl.find("#EXT-X-MEDIA-SEQUENCE:1\n"), std::string::npos) << pl;
  EXPECT_NE(pl.find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_NE(pl.find("#EXT-X-DISCONTINUITY"), std::string::npos) << pl;
  auto uris = segment_uris(pl);
  ASSERT_EQ(uris.size(), 4u) << pl;
  // A narrower range: only the segments overlapping it.
  auto narrow = f.c.get("/api/v1/cameras/" + f.camFire +
                            "/playback.m3u8?from=" + core::format_rfc3339(t0 + seconds(3)) +
                            "&to=" + core::format_rfc3339(t0 + seconds(5)),
                        f.province);
  ASSERT_EQ(narrow.status, 200);
  EXPECT_EQ(segment_uris(narrow.body), (std::vector<std::string>{uris[1], uris[2]})) << narrow.body;

  // The segment itself: MPEG-TS that ffprobe reads, byte for byte the file.
  auto seg = f.c.get(uris[0], f.ent);
  ASSERT_EQ(seg.status, 200) << seg.body;
  EXPECT_EQ(seg.header("content-type"), "video/mp2t");
  EXPECT_EQ(seg.body, read_file(media().ts));
  EXPECT_EQ(probe(seg.body, ".ts"), "h264,320,240");

  // Live: the latest segments, no end.
  auto live = f.c.get("/api/v1/cameras/" + f.camFire + "/live.m3u8", f.province);
  ASSERT_EQ(live.status, 200) << live.body;
  EXPECT_EQ(live.body.find("#EXT-X-ENDLIST"), std::string::npos);
  EXPECT_NE(live.body.find(uris[3]), std::string::npos);

  // Scope, and requests that make no sense.
  EXPECT_EQ(f.c.get(url, f.city_out).status, 404);
  EXPECT_EQ(f.c.get(uris[0], f.city_out).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/cameras/" + f.camFire + "/live.m3u8", f.city_out).status, 404);
  EXPECT_EQ(f.c.get("/api/v1/cameras/" + f.camRoom + "/live.m3u8", f.province).status,
            404);  // not recording
  EXPECT_EQ(
      f.c.get("/api/v1/cameras/" + f.camFire + "/playback.m3u8?from=" + from, f.province).status,
      400);
  EXPECT_EQ(f.c.get("/api/v1/cameras/" + f.camFire + "/playback.m3u8?from=" + to + "&to=" + from,
                    f.province)
                .status,
            400);
  EXPECT_EQ(f.c.get("/api/v1/cameras/" + f.camFire +
                        "/playback.m3u8?from=" + core::format_rfc3339(t0 - hours(48)) + "&to=" + to,
                    f.province)
                .status,
            400);

  // Status: recording figures from the index; the stream state once the pipeline reported one.
  auto st = f.c.get("/api/v1/cameras/" + f.camFire + "/status", f.city_in);
  ASSERT_EQ(st.status, 200) << st.body;
  EXPECT_EQ(st.json()["recording"]["segments"], 4);
  EXPECT_EQ(st.json()["state"], "unknown");
  EXPECT_EQ(f.c.get("/api/v1/cameras/" + f.camFire + "/status", f.city_out).status, 404);
  video::CameraStatus cs;
  cs.video_id = f.camFire;
  cs.state = video::StreamState::online;
  cs.width = 1920;
  cs.height = 1080;
  cs.last_frame_at = f.srv.clock().now();
  f.srv.video().status_source([cs] { return std::vector<video::CameraStatus>{cs}; });
  auto live_st = f.c.get("/api/v1/cameras/" + f.camFire + "/status", f.province).json();
  EXPECT_EQ(live_st["state"], "online");
  EXPECT_EQ(live_st["source"], "live");
  EXPECT_EQ(live_st["width"], 1920);

  // Retention: the pipeline deleted the two oldest; housekeeping drops them from the index
  // and stores the state.
  f.srv.video().retention([&] {
    video::Segment a, b;
    a.video_id = b.video_id = f.camFire;
    a.path = f.camFire + "/seg0.ts";
    b.path = f.camFire + "/seg1.ts";
    return std::vector<video::Segment>{a, b};
  });
  f.srv.video().housekeeping();
  f.srv.video().status_source({});
  auto after = f.c.get("/api/v1/cameras/" + f.camFire + "/status", f.province).json();
  EXPECT_EQ(after["recording"]["segments"], 2);
  EXPECT_EQ(after["source"], "stored");
  EXPECT_EQ(after["state"], "online");
  EXPECT_EQ(f.c.get(uris[0], f.province).status, 404);

  // The list of cameras with their states answers what each camera's status answers, in scope.
  auto states = [&](const std::string& token, const std::string& query) {
    auto r = f.c.get("/api/v1/video/cameras" + query, token);
    if (r.status != 200) throw std::runtime_error(r.body);
    json items = r.json()["items"];
    std::map<std::string, json> by_id;
    for (auto& i : items) by_id[i["video_id"].get<std::string>()] = i;
    return std::make_pair(r.json()["total"].get<long long>(), by_id);
  };
  auto [total_a, of_a] = states(f.province, "?company_code=" + f.kA);
  EXPECT_EQ(total_a, 2);
  ASSERT_EQ(of_a.size(), 2u);
  for (const auto& cam : {f.camFire, f.camRoom}) {
    auto one = f.c.get("/api/v1/cameras/" + cam + "/status", f.province).json();
    ASSERT_TRUE(of_a.count(cam)) << cam;
    for (const char* k :
         {"state", "source", "company_name", "name", "last_frame_at", "width", "reconnects"})
      EXPECT_EQ(of_a[cam].value(k, json()), one.value(k, json())) << cam << " " << k;
    EXPECT_EQ(of_a[cam]["recording"]["segments"], one["recording"]["segments"]) << cam;
  }
  EXPECT_EQ(of_a[f.camFire]["state"], "online");
  EXPECT_EQ(of_a[f.camFire]["recording"]["segments"], 2);
  EXPECT_EQ(of_a[f.camRoom]["state"], "unknown");
  auto [total_q, by_name] = states(f.province, "?q=" + std::string("%E4%B8%AD%E6%8E%A7"));  // 中控
  EXPECT_TRUE(by_name.count(f.camRoom));
  EXPECT_FALSE(by_name.count(f.camFire));
  (void)total_q;
  auto [total_out, of_out] = states(f.city_out, "");  // Taiyuan: B's camera, none of A's
  EXPECT_TRUE(of_out.count(f.camB));
  EXPECT_FALSE(of_out.count(f.camFire) || of_out.count(f.camRoom));
  (void)total_out;
  EXPECT_EQ(states(f.city_out, "?company_code=" + f.kA).first, 0);
  EXPECT_EQ(states(f.ent, "").second.size(), 2u);
  EXPECT_EQ(f.c.get("/api/v1/video/cameras?company_code=14", f.province).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/video/cameras?limit=0", f.province).status, 400);
  EXPECT_EQ(f.c.get("/api/v1/video/cameras?video_id=" + f.camFire, f.province).status, 400);
}

TEST(Video, CameraRowsBecomePipelineConfigAndChangesAreHandedOn) {
  Fixture f;
  // credential_ref resolves inside the camera's enterprise namespace only (issue 9).
  ::setenv(("HAZMON_CAMERA_SECRET_" + f.kA + "_CAM_" + f.kN).c_str(), "viewer:s3cret:with-colon",
           1);
  std::mutex mu;
  std::vector<std::vector<video::CameraConfig>> seen;
  f.srv.video().on_cameras([&](const std::vector<video::CameraConfig>& cams) {
    std::lock_guard lock(mu);
    seen.push_back(cams);
  });
  auto find = [&](const std::vector<video::CameraConfig>& cams,
                  const std::string& id) -> const video::CameraConfig* {
    for (const auto& c : cams)
      if (c.video_id == id) return &c;
    return nullptr;
  };
  auto cams = f.srv.video().load_cameras();
  auto* fire = find(cams, f.camFire);
  ASSERT_NE(fire, nullptr);
  EXPECT_EQ(fire->company_code, f.kA);
  EXPECT_EQ(fire->username, "viewer");
  EXPECT_EQ(fire->password, "s3cret:with-colon");
  EXPECT_TRUE(fire->record);
  EXPECT_EQ(fire->analysers[0]["type"], "fire_smoke");
  auto* room = find(cams, f.camRoom);
  ASSERT_NE(room, nullptr);
  EXPECT_TRUE(room->username.empty());
  EXPECT_FALSE(room->record);
  EXPECT_EQ(find(cams, f.camB), nullptr);  // no RTSP URL: nothing to run

  // A change through the API reaches the pipeline hook without a restart.
  auto r = f.c.patch_json("/api/v1/cameras/" + f.camRoom,
                          {{"record", true}, {"rtsp_url", "rtsp://127.0.0.1:8554/new"}}, f.admin);
  ASSERT_EQ(r.status, 200) << r.body;
  f.srv.video().flush();
  std::lock_guard lock(mu);
  ASSERT_FALSE(seen.empty());
  auto* changed = find(seen.back(), f.camRoom);
  ASSERT_NE(changed, nullptr);
  EXPECT_TRUE(changed->record);
  EXPECT_EQ(changed->rtsp_url, "rtsp://127.0.0.1:8554/new");
  EXPECT_EQ(f.c.get("/api/v1/cameras/" + f.camRoom, f.admin)
                .json()
                .value("credential_ref", json())
                .is_null(),
            true);
}

}  // namespace
