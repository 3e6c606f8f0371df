#pragma once
// hazmond (or any program) as a real child process for tests: spawn with extra environment,
// read what it prints, wait for its exit with a limit. Used by the process and reliability tests.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hazmon/core/random.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace hazmon::test {

namespace child_detail {
namespace fs = std::filesystem;
using namespace std::chrono;

inline std::string hazmond_path() {
  const char* p = std::getenv("HAZMON_HAZMOND");
  return p ? p : "hazmond";
}

inline fs::path temp_dir(const std::string& prefix) {
  auto d = fs::temp_directory_path() / (prefix + core::random_token(6));
  fs::create_directories(d);
  return d;
}

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  std::string output;
  void drain() {
    if (out_fd < 0) return;  // closed once the child was reaped
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(out_fd, buf, sizeof buf);
      if (n <= 0) break;
      output.append(buf, static_cast<std::size_t>(n));
    }
  }
};

inline Child spawn(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  int pipefd[2];
  if (::pipe(pipefd) != 0) throw std::runtime_error("pipe failed");
  Child c;
  c.pid = ::fork();
  if (c.pid == 0) {
    ::dup2(pipefd[1], 1);
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(pipefd[1]);
  c.out_fd = pipefd[0];
  ::fcntl(c.out_fd, F_SETFL, O_NONBLOCK);
  return c;
}

// Exit code, 128 + signal, or -1 after SIGKILL when `limit` passes.
inline int wait_exit(Child& c, seconds limit) {
  auto deadline = steady_clock::now() + limit;
  while (steady_clock::now() < deadline) {
    int status = 0;
    c.drain();
    if (::waitpid(c.pid, &status, WNOHANG) == c.pid) {
      c.drain();
      ::close(c.out_fd);
      c.out_fd = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  ::kill(c.pid, SIGKILL);
  ::waitpid(c.pid, nullptr, 0);
  c.drain();
  ::close(c.out_fd);
  c.out_fd = -1;
  return -1;
}
}  // namespace child_detail

using child_detail::Child;
using child_detail::hazmond_path;
using child_detail::spawn;
using child_detail::temp_dir;
using child_detail::wait_exit;

}  // namespace hazmon::test
