#pragma once
// Helpers for the reliability tests: hazmond (and `hazmond pg`) as real child processes, and
// gateway clients that upload from several threads and remember what each dataId was answered.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hazmon/core/random.hpp>
#include <hazmon/core/time_format.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "https_client.hpp"

namespace hazmon::test::rel {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono;

using test::Child;
using test::hazmond_path;
using test::spawn;
using test::temp_dir;
using test::wait_exit;

// Runs a short command to completion and returns its output; throws when it fails.
inline std::string run_command(const std::vector<std::string>& args, seconds limit) {
  auto c = spawn(args, {});
  int rc = wait_exit(c, limit);
  if (rc != 0)
    throw std::runtime_error(args[0] + " " + args[1] + " exited with " + std::to_string(rc) + ": " +
                             c.output);
  return c.output;
}

// A private PostgreSQL cluster for a test that needs to stop and start it.
struct PrivateCluster {
  fs::path dir;
  std::string admin_dsn;
  explicit PrivateCluster(fs::path d) : dir(std::move(d)) {}
  void start() {
    auto out = run_command({hazmond_path(), "pg", "start", "--dir", dir.string()}, seconds(120));
    // The last line printed is the DSN.
    std::string last;
    std::size_t pos = 0;
    while (pos < out.size()) {
      auto nl = out.find('\n', pos);
      std::string line = out.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      if (line.find("host=") != std::string::npos) last = line;
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    if (last.empty()) throw std::runtime_error("hazmond pg start printed no DSN: " + out);
    admin_dsn = last;
  }
  void stop() { run_command({hazmond_path(), "pg", "stop", "--dir", dir.string()}, seconds(120)); }
};

// `hazmond serve` on an ephemeral port against `dsn`, its state under `state_dir`.
class Hazmond {
 public:
  // `extra`: merged into the config (RFC 7396), e.g. {"node": {"id": "a", "cluster": true}};
  // `env`: more environment, e.g. a secret the config names by variable.
  Hazmond(fs::path state_dir, std::string dsn, const json& extra = json::object(),
          std::vector<std::string> env = {})
      : dir_(std::move(state_dir)), env_(std::move(env)) {
    env_.push_back("HAZMON_DB_DSN=" + dsn);
    fs::create_directories(dir_);
    json cfg{{"state_dir", (dir_ / "var").string()},
             {"http", {{"port", 0}, {"listen_address", "127.0.0.1"}, {"shutdown_grace_ms", 3000}}},
             {"log", {{"level", "info"}}},
             {"ingest", {{"spool_file", "spool/readings.spool"}}}};
    cfg.merge_patch(extra);
    std::ofstream(dir_ / "hazmond.json") << cfg.dump();
  }
  ~Hazmond() {
    if (running()) kill9();
  }

  // Starts and waits until it serves; returns the port.
  unsigned short start() {
    child_ = spawn({hazmond_path(), "serve", "--config", (dir_ / "hazmond.json").string()}, env_);
    static const std::regex kServing(R"(serving https://localhost:(\d+)/)");
    auto deadline = steady_clock::now() + seconds(60);
    port_ = 0;
    while (steady_clock::now() < deadline && port_ == 0) {
      child_.drain();
      std::smatch m;
      if (std::regex_search(child_.output, m, kServing))
        port_ = static_cast<unsigned short>(std::stoi(m[1]));
      int status = 0;
      if (port_ == 0 && ::waitpid(child_.pid, &status, WNOHANG) == child_.pid) {
        child_.pid = -1;
        throw std::runtime_error("hazmond exited before serving: " + child_.output);
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    if (port_ == 0) throw std::runtime_error("hazmond did not serve within 60 s: " + child_.output);
    return port_;
  }
  void kill9() {
    ::kill(child_.pid, SIGKILL);
    ::waitpid(child_.pid, nullptr, 0);
    child_.drain();
    ::close(child_.out_fd);
    child_.out_fd = -1;
    child_.pid = -1;
  }
  int terminate() {
    ::kill(child_.pid, SIGTERM);
    int rc = wait_exit(child_, seconds(30));
    child_.pid = -1;
    return rc;
  }
  bool running() const { return child_.pid > 0; }
  pid_t pid() const { return child_.pid; }
  unsigned short port() const { return port_; }
  std::string output() {
    if (running()) child_.drain();
    return child_.output;
  }
  fs::path dir() const { return dir_; }
  fs::path spool_dir() const { return dir_ / "var" / "spool"; }
  // The warning and error lines it logged (for failure messages).
  std::string problems() {
    auto all = output();
    std::string out;
    std::size_t pos = 0;
    while (pos < all.size()) {
      auto nl = all.find('\n', pos);
      auto line = all.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos + 1);
      if (line.find("warn") != std::string::npos || line.find("error") != std::string::npos)
        out += line;
      if (nl == std::string::npos) break;
      pos = nl + 1;
    }
    return out.size() > 8000 ? out.substr(out.size() - 8000) : out;
  }

 private:
  fs::path dir_;
  std::vector<std::string> env_;
  Child child_;
  unsigned short port_ = 0;
};

// What one upload was and what it was answered.
struct Sent {
  std::string data_id;
  json body;
  int status = 0;  // last answer's status (0: no answer)
  json reply;      // the 2xx reply
};

// Uploads sent by several threads; each thread owns its dataIds, in order.
class Gateways {
 public:
  // `make(thread, seq)` builds the upload (it must set dataId); null ends that thread.
  using Make = std::function<json(int thread, int seq)>;
  // `pause`: time between one answer and a thread's next upload.
  Gateways(std::string token, int threads, Make make, milliseconds pause = milliseconds(0))
      : token_(std::move(token)), threads_(threads), make_(std::move(make)), pause_(pause) {
    sent_.resize(static_cast<std::size_t>(threads));
  }
  // Uploads until stop() (each thread sends its next upload when the last one was answered).
  void start(std::atomic<unsigned short>& port) {
    stop_ = false;
    for (int t = 0; t < threads_; ++t) {
      workers_.emplace_back([this, t, &port] {
        for (int seq = 0; !stop_; ++seq) {
          json body = make_(t, seq);
          if (body.is_null()) break;
          Sent s;
          s.data_id = body["dataId"].get<std::string>();
          s.body = body;
          auto r = HttpsClient(port.load()).post_json("/api/v1/upload/realtime", body, token_);
          s.status = r.status;
          if (r.status >= 200 && r.status < 300) s.reply = r.json();
          {
            std::lock_guard lock(mu_);
            sent_[static_cast<std::size_t>(t)].push_back(std::move(s));
          }
          if (r.status == 0 || r.status >= 500) std::this_thread::sleep_for(milliseconds(20));
          if (pause_.count() > 0) std::this_thread::sleep_for(pause_);
        }
      });
    }
  }
  void stop() {
    stop_ = true;
    for (auto& w : workers_) w.join();
    workers_.clear();
  }
  std::vector<Sent> all() {
    std::lock_guard lock(mu_);
    std::vector<Sent> out;
    for (auto& v : sent_) out.insert(out.end(), v.begin(), v.end());
    return out;
  }
  const std::vector<std::vector<Sent>>& per_thread() const { return sent_; }

 private:
  std::string token_;
  int threads_;
  Make make_;
  milliseconds pause_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::vector<std::vector<Sent>> sent_;
};

}  // namespace hazmon::test::rel
