#pragma once
// hazmon-sim: gateway simulator and load generator. It speaks to hazmond only over HTTPS, as an
// enterprise gateway does; it links no server module. See docs/simulator.md.
//
// Translation units: main.cpp (command line), net.cpp (the only one with Beast: a synchronous
// client, the upload connection pool and a trivial HTTPS sink), setup.cpp (registry set-up),
// run.cpp (signal models, batching, pacing, statistics, replay).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hazmon::sim {

// A usage or configuration error: printed as is, exit status 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Url {
  std::string host = "127.0.0.1";
  std::string port = "443";
  std::string text;  // as given, without a trailing slash
};
Url parse_url(const std::string& url);

struct TlsOptions {
  std::string ca_file;  // empty: the server's certificate is not verified (development certificate)
};

struct HttpReply {
  int status = 0;  // 0: no HTTP answer (connect, TLS, write or read failed)
  std::string body;
  std::string retry_after;  // the Retry-After header, if any
  std::string error;        // transport error text when status == 0
};

// Blocking HTTPS client with one kept-alive connection; reconnects once when a reused connection
// turns out to be closed. Used by setup and by small checks.
class SyncClient {
 public:
  SyncClient(Url url, TlsOptions tls);
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;
  HttpReply request(std::string_view method, const std::string& target,
                    const std::string& body = {}, const std::string& bearer = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One upload: the body is sent unchanged on every attempt (same dataId).
struct Upload {
  std::string body;
  std::string bearer;  // "appId.secret"
  std::string data_id;
  int items = 0;
  int attempts = 0;
  std::chrono::steady_clock::time_point first_sent{};
};
using UploadPtr = std::shared_ptr<Upload>;

// What to do after an attempt: nullopt when done, else resend after the delay.
using ReplyHandler = std::function<std::optional<std::chrono::milliseconds>(
    Upload&, const HttpReply&, double latency_ms)>;

// A pool of kept-alive HTTPS connections run by one I/O thread. submit() is thread-safe; the
// handler runs on the I/O thread.
class UploadPool {
 public:
  UploadPool(Url url, TlsOptions tls, int connections, std::string path, ReplyHandler handler);
  ~UploadPool();
  UploadPool(const UploadPool&) = delete;
  UploadPool& operator=(const UploadPool&) = delete;
  void submit(UploadPtr up);
  // Uploads submitted and not yet finished (queued, in flight or waiting to be resent).
  std::size_t outstanding() const;
  // Stops the connections; uploads still outstanding are abandoned.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `hazmon-sim sink`: answers every upload with code 0 and accepted = the number of items, without
// storing anything; for measuring the simulator alone. Blocks until SIGINT/SIGTERM.
int run_sink(const std::string& address, unsigned short port, int threads);

// ---- shared helpers (run.cpp) ----
std::int64_t now_ms();
// "yyyy-MM-dd HH:mm:ss" in UTC+8 (whole seconds), or with milliseconds as RFC 3339 "+08:00".
std::string format_local(std::int64_t ms, bool with_ms);
// The inverse: either form (and "Z"); nullopt when it is not a time.
std::optional<std::int64_t> parse_local_ms(const std::string& s);

// ---- subcommands ----
int cmd_setup(const std::vector<std::string>& args);
int cmd_run(const std::vector<std::string>& args);
int cmd_replay(const std::vector<std::string>& args);
int cmd_sink(const std::vector<std::string>& args);

// Command-line helpers (main.cpp).
class Options {
 public:
  Options(const std::vector<std::string>& args, std::vector<std::string> flags,
          std::vector<std::string> valued);
  bool flag(const std::string& name) const;
  std::optional<std::string> get(const std::string& name) const;
  std::string str(const std::string& name, const std::string& def) const;
  std::string required(const std::string& name) const;
  double number(const std::string& name, double def, double min, double max) const;
  long long integer(const std::string& name, long long def, long long min, long long max) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
  std::vector<std::string> flags_;
};

}  // namespace hazmon::sim
