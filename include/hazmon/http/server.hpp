#pragma once
// The HTTPS listener: Beast over OpenSSL (TLS 1.2+), one io_context on N threads, a strand per
// connection, C++20 coroutines, a worker pool for blocking handlers, limits on every size.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include <hazmon/http/router.hpp>

namespace hazmon::core {
class Metrics;
}

namespace hazmon::http {

struct ServerSettings {
  std::string listen_address = "0.0.0.0";
  unsigned short port = 8443;
  int io_threads = 2;
  int worker_threads = 8;
  int max_connections = 2048;
  // Open connections from one address (IPv6: one /64) above this are closed at once. Gateways
  // behind one NAT share an address: raise it for such a VPN.
  int max_connections_per_address = 256;
  // The TLS handshake must finish within this (a slow handshake holds a connection slot).
  std::chrono::milliseconds handshake_timeout{5000};
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  // Bodies outside the upload routes are small (registry rows, workflow actions); they are
  // limited to this before anything, authentication included, looks at them.
  std::size_t max_small_body_bytes = 64 * 1024;
  std::vector<std::string> large_body_prefixes{"/api/v1/upload/"};
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds read_timeout{15000};
  std::chrono::milliseconds idle_timeout{60000};
  std::chrono::milliseconds shutdown_grace{10000};
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  // Blocking work waiting for a worker above this answers 503 with Retry-After.
  int max_queued_work = 1024;
};
// The config's `http` section (schema defaults applied); tls.cert_file and tls.key_file as given
// (empty: the caller makes a development certificate).
void from_json(const nlohmann::json& j, ServerSettings& s);

// Called after every request, on the thread that produced the response (audit, logging).
using AfterRequest = std::function<void(const Request&, const Response&)>;

class Server {
 public:
  Server(ServerSettings s, const Router& router, core::Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;

  // Binds and starts the I/O and worker threads; returns the bound port.
  unsigned short start();
  // Stop accepting, let in-flight requests finish within the grace period, then close.
  void stop();
  void set_after_request(AfterRequest f);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A self-signed certificate (ECDSA P-256, SAN localhost and 127.0.0.1) for development, made
// once under `dir`; returns {cert, key}.
std::pair<std::filesystem::path, std::filesystem::path> ensure_dev_certificate(
    const std::filesystem::path& dir);

}  // namespace hazmon::http
