// hazmond as a process: check-config exit codes, serve against the test database with a DSN
// from the environment, READY over a real NOTIFY_SOCKET, /readyz, and a clean SIGTERM drain.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hazmon/core/random.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "child_process.hpp"
#include "https_client.hpp"
#include "test_database.hpp"

namespace fs = std::filesystem;
using namespace hazmon::test;

namespace {
std::string hazmond() { return hazmond_path(); }
}  // namespace

TEST(Process, CheckConfigNamesThePointerAndFails) {
  auto dir = fs::temp_directory_path() / ("hazmon-cc-" + hazmon::core::random_token(6));
  fs::create_directories(dir);
  std::ofstream(dir / "bad.json") << R"({"http": {"port": "eighty"}, "colour": 1})";
  std::ofstream(dir / "good.json") << R"({"http": {"port": 9443}})";
  auto bad = spawn({hazmond(), "check-config", (dir / "bad.json").string()}, {});
  EXPECT_EQ(wait_exit(bad, std::chrono::seconds(20)), 1);
  bad.drain();
  EXPECT_NE(bad.output.find("/http/port"), std::string::npos) << bad.output;
  auto good = spawn({hazmond(), "check-config", (dir / "good.json").string()}, {});
  EXPECT_EQ(wait_exit(good, std::chrono::seconds(20)), 0);
  fs::remove_all(dir);
}

TEST(Process, ServesNotifiesReadyAndDrainsOnSigterm) {
  TestDatabase db;  // migrated already; serve must find nothing pending
  auto dir = fs::temp_directory_path() / ("hazmon-proc-" + hazmon::core::random_token(6));
  fs::create_directories(dir);
  std::ofstream(dir / "hazmond.json")
      << R"({"state_dir": ")" << (dir / "var").string()
      << R"(", "http": {"port": 0, "listen_address": "127.0.0.1", "shutdown_grace_ms": 3000}})";
  // A real notify socket, as systemd would pass it.
  std::string sock_path = (dir / "notify.sock").string();
  int sock = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock_path.c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);

  // An administrator made with the CLI, as an operator would.
  const std::string admin = "proc-admin-" + hazmon::core::random_token(6),
                    password = "Proc-Admin-Pass-42";
  auto add = spawn(
      {hazmond(), "user", "add", "--config", (dir / "hazmond.json").string(), "--username", admin},
      {"HAZMON_DB_DSN=" + db.dsn(), "HAZMON_PASSWORD=" + password});
  ASSERT_EQ(wait_exit(add, std::chrono::seconds(30)), 0);

  auto child = spawn({hazmond(), "serve", "--config", (dir / "hazmond.json").string()},
                     {"HAZMON_DB_DSN=" + db.dsn(), "NOTIFY_SOCKET=" + sock_path});
  unsigned short port = 0;
  std::string notified;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  static const std::regex kServing(R"(serving https://localhost:(\d+)/)");
  while (std::chrono::steady_clock::now() < deadline &&
         (port == 0 || notified.find("READY=1") == std::string::npos)) {
    child.drain();
    std::smatch m;
    if (port == 0 && std::regex_search(child.output, m, kServing))
      port = static_cast<unsigned short>(std::stoi(m[1]));
    char buf[512];
    ssize_t n = ::recv(sock, buf, sizeof buf, 0);
    if (n > 0) notified.append(buf, static_cast<std::size_t>(n));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(port, 0) << child.output;
  EXPECT_NE(notified.find("READY=1"), std::string::npos) << notified;

  HttpsClient c(port);
  EXPECT_EQ(c.get("/healthz").status, 200);
  auto ready = c.get("/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(c.get("/api/v1/enterprises").status, 401);

  // Camera analyser settings are checked by the video module when the row is written (wired in
  // `serve`): a bad one is a 422 naming the analyser, not a camera that silently analyses nothing.
  auto login = c.post_json("/api/v1/auth/login", {{"username", admin}, {"password", password}});
  ASSERT_EQ(login.status, 200) << login.body;
  auto token = login.json()["token"].get<std::string>();
  nlohmann::json camera = {{"video_id", "PROCCAM1"},
                           {"company_code", "99999999999"},
                           {"name", "中控室"},
                           {"scene_type", "control_room"},
                           {"analysers", {{{"type", "leave_post"}, {"absent_minutes", -3}}}}};
  auto bad = c.post_json("/api/v1/cameras", camera, token);
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(bad.body.find("/analysers/0"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("absent_minutes"), std::string::npos) << bad.body;
  camera["analysers"][0]["absent_minutes"] =
      5;  // now valid: the next complaint is the unknown enterprise
  auto next = c.post_json("/api/v1/cameras", camera, token);
  EXPECT_EQ(next.body.find("/analysers/0"), std::string::npos) << next.body;
  EXPECT_NE(next.status, 201) << next.body;

  ASSERT_EQ(::kill(child.pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(child, std::chrono::seconds(15)), 0);
  child.drain();
  EXPECT_NE(child.output.find("draining"), std::string::npos) << child.output;
  char buf[512];
  ssize_t n = ::recv(sock, buf, sizeof buf, 0);
  if (n > 0) notified.append(buf, static_cast<std::size_t>(n));
  EXPECT_NE(notified.find("STOPPING=1"), std::string::npos) << notified;
  // The port is closed after exit.
  EXPECT_EQ(c.get("/healthz").status, 0);
  ::close(sock);
  fs::remove_all(dir);
}
