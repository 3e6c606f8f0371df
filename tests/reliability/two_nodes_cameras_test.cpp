// Camera leases with two real hazmond nodes (node.cluster, ADR 0028) and a real RTSP server
// (gst-rtsp-server relaying the FURG clip, tests/support/gst_rtsp_relay.py): two cameras, one
// per node, each pulled by exactly one of them (its TCP connections to the server and its
// pipeline's online cameras); node a killed with SIGKILL, its camera moves to node b once its
// lease has expired, not before. Leases renewed every second with a 4-s TTL to keep it short.
// Built with the video pipeline only (HAZMON_WITH_VIDEO; tests/CMakeLists.txt).
#ifdef HAZMON_RELIABILITY_VIDEO
#include <gtest/gtest.h>

#include <hazmon/storage/database.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "hazmond_process.hpp"
#include "test_server.hpp"
#include "video_harness.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace hazmon::test::rel;

namespace {
constexpr const char* kCompany = "14110000038";  // 吕梁: no other test of this binary uses it

// Established TCP connections of process `pid` to 127.0.0.1:`port` (its sockets' inodes matched
// against /proc/net/tcp): how many streams it pulls from the RTSP server.
int connections_to(pid_t pid, int port) {
  std::set<std::string> inodes;
  std::error_code ec;
  for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    auto target = fs::read_symlink(fd.path(), ec);
    if (ec) continue;
    auto t = target.string();
    if (t.rfind("socket:[", 0) == 0) inodes.insert(t.substr(8, t.size() - 9));
  }
  char want[16];
  std::snprintf(want, sizeof want, "0100007F:%04X", port);
  std::ifstream in("/proc/net/tcp");
  std::string line;
  std::getline(in, line);  // header
  int n = 0;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string sl, local, remote, st, queues, timer, retr, uid, timeout, inode;
    f >> sl >> local >> remote >> st >> queues >> timer >> retr >> uid >> timeout >> inode;
    if (remote == want && st == "01" && inodes.count(inode)) ++n;
  }
  return n;
}

// hazmon_video_cameras{state="online"} on a node's /metrics.
int online_cameras(unsigned short port) {
  auto m = HttpsClient(port).get("/metrics");
  std::smatch hit;
  static const std::regex line(R"(hazmon_video_cameras\{state="online"\} ([0-9.e+]+))");
  return std::regex_search(m.body, hit, line) ? static_cast<int>(std::stod(hit[1])) : -1;
}

std::map<std::string, std::string> leases(storage::Database& db) {
  std::map<std::string, std::string> out;
  db.in_tx([&](storage::Tx& tx) {
    for (const auto& r : tx.exec("SELECT video_id, node_id FROM camera_lease"))
      out[r["video_id"].get<std::string>()] = r["node_id"].get<std::string>();
  });
  return out;
}

bool eventually(const std::function<bool()>& pred, seconds limit) {
  auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(250));
  }
  return pred();
}
}  // namespace

TEST(Reliability, TwoNodesPullEachCameraOnceAndTakeOverAKilledNodesCameras) {
  fs::path clip = fs::path(HAZMON_SOURCE_DIR) / "tests/data/video-eval/furg_house6.mp4";
  ASSERT_TRUE(fs::exists(clip)) << clip << " is missing";
  ASSERT_EQ(std::system("/usr/bin/python3 -c 'import gi; gi.require_version(\"GstRtspServer\", "
                        "\"1.0\")' 2>/dev/null"),
            0)
      << "gst-rtsp-server for Python is not installed (scripts/setup.sh)";
  video::test::RtspCamera relay(clip);
  const int rtsp_port = std::stoi(relay.url().substr(relay.url().rfind(':') + 1));

  TestDatabase db;
  std::string admin;
  const std::vector<std::string> cams = {"TNCAM0001", "TNCAM0002"};
  {
    TestServer setup(db, [] {
      TestServerOptions o;
      o.video = true;
      return o;
    }());
    admin = setup.make_user("tc_admin", "province_admin");
    auto c = setup.client();
    auto r = c.post_json(
        "/api/v1/enterprises",
        {{"company_code", kCompany}, {"name", "吕梁双节点视频公司"}, {"region_code", "141100"}},
        admin);
    ASSERT_EQ(r.status, 201) << r.body;
    for (const auto& id : cams) {
      r = c.post_json("/api/v1/cameras",
                      {{"video_id", id},
                       {"company_code", kCompany},
                       {"name", "罐区球机" + id.substr(id.size() - 1)},
                       {"scene_type", "tank_farm"},
                       {"rtsp_url", relay.url()},
                       {"record", false},
                       {"analysers", json::array()}},
                      admin);
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }

  auto dir = temp_dir("hazmon-2nc-");
  auto node = [&](const char* id) {
    return json{{"node", {{"id", id}, {"cluster", true}, {"renew_s", 1}, {"lease_ttl_s", 4}}},
                {"video",
                 {{"allowed_networks", {{"*", {video::test::kLoopbackRelays}}}},
                  {"models_dir", (fs::path(HAZMON_SOURCE_DIR) / "models").string()}}}};
  };
  Hazmond a(dir / "a", db.dsn(), node("node-a"));
  Hazmond b(dir / "b", db.dsn(), node("node-b"));
  unsigned short pa = a.start(), pb = b.start();
  auto& pg = db.db();

  // One camera each (the fair share of two cameras on two live nodes): each leases one, pulls
  // one stream from the server, and has it online.
  bool shared = eventually(
      [&] {
        auto l = leases(pg);
        std::map<std::string, int> per_node;
        for (auto& [cam, n] : l) ++per_node[n];
        return l.size() == 2 && per_node["node-a"] == 1 && per_node["node-b"] == 1 &&
               connections_to(a.pid(), rtsp_port) == 1 && connections_to(b.pid(), rtsp_port) == 1 &&
               online_cameras(pa) == 1 && online_cameras(pb) == 1;
      },
      seconds(90));
  ASSERT_TRUE(shared) << "leases " << json(leases(pg)).dump() << ", connections a "
                      << connections_to(a.pid(), rtsp_port) << " b "
                      << connections_to(b.pid(), rtsp_port) << ", online a " << online_cameras(pa)
                      << " b " << online_cameras(pb) << a.problems() << b.problems();

  // Node a dies without giving its lease back: its camera is free once the lease has expired.
  a.kill9();
  auto held_by_a = pg.in_tx([&](storage::Tx& tx) {
    return tx.exec_one(
        "SELECT video_id, extract(epoch FROM expires_at)::float8 AS expires FROM camera_lease "
        "WHERE node_id = 'node-a'");
  });
  const auto moved = held_by_a["video_id"].get<std::string>();
  const double expired_at = held_by_a["expires"].get<double>();

  bool taken = eventually(
      [&] {
        auto l = leases(pg);
        return l.size() == 2 && l[cams[0]] == "node-b" && l[cams[1]] == "node-b" &&
               connections_to(b.pid(), rtsp_port) == 2 && online_cameras(pb) == 2;
      },
      seconds(90));
  ASSERT_TRUE(taken) << "leases " << json(leases(pg)).dump() << ", connections b "
                     << connections_to(b.pid(), rtsp_port) << ", online b " << online_cameras(pb)
                     << b.problems();
  // Taken after node a's lease ran out, not while it may still have been pulling.
  auto acquired = pg.in_tx([&](storage::Tx& tx) {
    return tx.exec_one(
        "SELECT extract(epoch FROM acquired_at)::float8 AS acquired FROM camera_lease WHERE "
        "video_id = $1",
        {moved});
  });
  EXPECT_GE(acquired["acquired"].get<double>(), expired_at);

  EXPECT_EQ(b.terminate(), 0);
  fs::remove_all(dir);
}
#endif
