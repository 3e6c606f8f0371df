#include <nlohmann/json.hpp>

#include <hazmon/http/server.hpp>

namespace hazmon::http {

void from_json(const nlohmann::json& j, ServerSettings& s) {
  s.listen_address = j.at("listen_address").get<std::string>();
  s.port = static_cast<unsigned short>(j.at("port").get<int>());
  s.io_threads = j.at("io_threads").get<int>();
  s.worker_threads = j.at("worker_threads").get<int>();
  s.max_connections = j.at("max_connections").get<int>();
  s.max_body_bytes = j.at("max_body_bytes").get<std::size_t>();
  s.max_small_body_bytes = j.at("max_small_body_bytes").get<std::size_t>();
  s.max_connections_per_address = j.at("max_connections_per_address").get<int>();
  s.handshake_timeout = std::chrono::milliseconds(j.at("handshake_timeout_ms").get<int>());
  s.max_header_bytes = j.at("max_header_bytes").get<std::size_t>();
  s.read_timeout = std::chrono::milliseconds(j.at("read_timeout_ms").get<int>());
  s.idle_timeout = std::chrono::milliseconds(j.at("idle_timeout_ms").get<int>());
  s.shutdown_grace = std::chrono::milliseconds(j.at("shutdown_grace_ms").get<int>());
  s.cert_file = j.at("tls").at("cert_file").get<std::string>();
  s.key_file = j.at("tls").at("key_file").get<std::string>();
}

}  // namespace hazmon::http
