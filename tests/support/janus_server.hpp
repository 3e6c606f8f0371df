#pragma once
// A real Janus (Debian's janus 1.1.2) for the duty-call tests (docs/calls.md): its own config in a
// temp dir (HTTP transport on a free loopback port, the VideoRoom plugin only, ICE on loopback),
// started with `janus -F <dir>` and stopped by the PID it started. `available()` is false only
// where the janus binary is absent; CI installs it (scripts/setup.sh).
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hazmon/core/random.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace hazmon::test {

class JanusServer {
 public:
  static constexpr const char* kBinary = "/usr/bin/janus";
  static bool available() { return std::filesystem::exists(kBinary); }

  JanusServer() {
    namespace fs = std::filesystem;
    dir_ = fs::temp_directory_path() / ("hazmon-janus-" + core::random_token(6));
    fs::create_directories(dir_ / "plugins");
    fs::create_directories(dir_ / "transports");
    fs::create_directories(dir_ / "empty");
    const fs::path lib = "/usr/lib/x86_64-linux-gnu/janus";
    fs::create_symlink(lib / "plugins/libjanus_videoroom.so",
                       dir_ / "plugins/libjanus_videoroom.so");
    fs::create_symlink(lib / "transports/libjanus_http.so", dir_ / "transports/libjanus_http.so");
    api_secret_ = core::random_token(18);
    admin_key_ = core::random_token(18);
    port_ = free_port();
    int rtp = 40000 + static_cast<int>(port_ % 100) * 200;
    std::ofstream(dir_ / "janus.jcfg")
        << "general: {\n  configs_folder = \"" << dir_.string() << "\"\n  plugins_folder = \""
        << (dir_ / "plugins").string() << "\"\n  transports_folder = \""
        << (dir_ / "transports").string() << "\"\n  events_folder = \"" << (dir_ / "empty").string()
        << "\"\n  loggers_folder = \"" << (dir_ / "empty").string()
        << "\"\n  debug_level = 3\n  log_to_stdout = false\n  log_to_file = \""
        << (dir_ / "janus.log").string() << "\"\n  api_secret = \"" << api_secret_
        << "\"\n  session_timeout = 60\n}\n"
        << "media: {\n  rtp_port_range = \"" << rtp << "-" << rtp + 199 << "\"\n}\n"
        << "nat: {\n  ice_enforce_list = \"lo\"\n  ignore_mdns = true\n  full_trickle = false\n}\n"
        << "plugins: {\n  disable = \"\"\n}\ntransports: {\n}\nevents: {\n}\nloggers: {\n}\n";
    std::ofstream(dir_ / "janus.transport.http.jcfg")
        << "general: {\n  json = \"plain\"\n  base_path = \"/janus\"\n  http = true\n  port = "
        << port_
        << "\n  ip = \"127.0.0.1\"\n  https = false\n}\nadmin: {\n  admin_http = false\n}\n";
    std::ofstream(dir_ / "janus.plugin.videoroom.jcfg")
        << "general: {\n  admin_key = \"" << admin_key_ << "\"\n  lock_rtp_forward = true\n}\n";
    // The secrets as hazmond reads them: files only its user may read.
    write_secret("api_secret", api_secret_);
    write_secret("admin_key", admin_key_);

    // Everything the child needs is made before fork: the tests fork while servers run threads,
    // and only async-signal-safe calls are safe in the child then.
    const auto cfg = (dir_ / "janus.jcfg").string();
    const auto folder = dir_.string();
    pid_ = ::fork();
    if (pid_ == 0) {
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(kBinary, kBinary, "-F", folder.c_str(), "-C", cfg.c_str(),
              static_cast<char*>(nullptr));
      _exit(127);
    }
    // Ready once its HTTP transport accepts connections.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!listening()) {
      if (std::chrono::steady_clock::now() > deadline) {
        stop();
        throw std::runtime_error("janus did not start; see " + (dir_ / "janus.log").string());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~JanusServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  JanusServer(const JanusServer&) = delete;
  JanusServer& operator=(const JanusServer&) = delete;

  unsigned short port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/janus"; }
  const std::string& api_secret() const { return api_secret_; }
  const std::string& admin_key() const { return admin_key_; }
  std::string api_secret_file() const { return (dir_ / "api_secret").string(); }
  std::string admin_key_file() const { return (dir_ / "admin_key").string(); }
  // hazmond's `calls` section for this Janus.
  template <typename Json>
  Json calls_config() const {
    return Json{{"enabled", true},
                {"janus_url", url()},
                {"api_secret_env", "HAZMON_TEST_UNSET_JANUS_SECRET"},
                {"api_secret_file", api_secret_file()},
                {"room_admin_key_env", "HAZMON_TEST_UNSET_JANUS_KEY"},
                {"room_admin_key_file", admin_key_file()}};
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  static unsigned short free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ::close(fd);
      throw std::runtime_error("no free port");
    }
    ::close(fd);
    return ntohs(a.sin_port);
  }
  bool listening() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port_);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }
  void write_secret(const char* name, const std::string& value) const {
    auto p = dir_ / name;
    std::ofstream(p) << value;
    ::chmod(p.c_str(), 0600);
  }

  std::filesystem::path dir_;
  std::string api_secret_, admin_key_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace hazmon::test
