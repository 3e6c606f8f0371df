#include "beast_message.hpp"

#include <boost/beast/core.hpp>

#include <cctype>

#include <hazmon/core/random.hpp>

namespace hazmon::http {
namespace beast = boost::beast;

namespace {
bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  return true;
}

template <class Body>
void set_head(bhttp::response<Body>& res, const Response& r, bool keep_alive,
              const std::string& request_id) {
  res.set(bhttp::field::server, "hazmond");
  if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  res.set("X-Request-Id", request_id);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Strict-Transport-Security", "max-age=31536000");
  // The dashboard loads only its own files; hls.js plays through blob: media and may run a
  // blob: worker. Nothing may frame it (click-jacking) or learn where a link came from. The 3-D
  // plant models' viewer (CesiumJS, ADR 0030) compiles WebAssembly (its mesh, Draco and KTX2
  // decoders: 'wasm-unsafe-eval' allows WebAssembly only, never JavaScript eval) and applies
  // three fixed inline styles of its own, allowed by their hashes alone: its credit display's
  // stylesheet, a logo's "vertical-align: -7px" and a canvas's "image-rendering" probe.
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' "
          "'unsafe-hashes' 'sha256-vKq8bYZ0kw9VqER2bf6X1VFrA6APiXd8/CQCJKPDq14=' "
          "'sha256-GU5zilGWFiRrmr4xJeDjQZKuKRcLO8ZT+o0Avfni8Sw=' "
          "'sha256-BVJq0J0CcoIBO7ikkmisQ5kYoOnqxRUC37ihQ3YWZQQ='; img-src 'self' data: blob:; "
          "media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  bool has_cache = false;
  for (const auto& [k, v] : r.headers) {
    res.insert(k, v);
    if (beast::iequals(k, "cache-control")) has_cache = true;
  }
  if (!has_cache) res.set(bhttp::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
}

}  // namespace

bhttp::response<bhttp::string_body> to_beast(const Response& r, unsigned version, bool keep_alive,
                                             const std::string& request_id, bool head) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  set_head(res, r, keep_alive, request_id);
  res.body() = r.shared_body ? *r.shared_body : r.body;
  res.prepare_payload();
  if (head) res.body().clear();
  return res;
}

bhttp::response<bhttp::span_body<const char>> to_beast_shared(const Response& r, unsigned version,
                                                              bool keep_alive,
                                                              const std::string& request_id,
                                                              bool head) {
  bhttp::response<bhttp::span_body<const char>> res{static_cast<bhttp::status>(r.status), version};
  set_head(res, r, keep_alive, request_id);
  if (r.shared_body) res.body() = {r.shared_body->data(), r.shared_body->size()};
  res.prepare_payload();
  if (head) res.body() = {};
  return res;
}

std::string serialize(const bhttp::response<bhttp::span_body<const char>>& res) {
  const auto& body = res.body();
  std::string out;
  out.reserve(1024 + body.size());
  out += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(res.result_int());
  out += ' ';
  out += res.reason();
  out += "\r\n";
  for (const auto& f : res) {
    out += f.name_string();
    out += ": ";
    out += f.value();
    out += "\r\n";
  }
  out += "\r\n";
  out.append(body.data(), body.size());
  return out;
}

Request to_request(bhttp::request<bhttp::string_body>& breq, const std::string& client_addr) {
  Request req;
  req.method = std::string(breq.method_string());
  req.target = std::string(breq.target());
  req.client_addr = client_addr;
  for (const auto& f : breq) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(std::move(name), std::string(f.value()));
  }
  auto incoming_id = req.header("x-request-id");
  req.request_id = sane_request_id(incoming_id) ? std::string(incoming_id) : core::new_request_id();
  req.body = std::move(breq.body());
  return req;
}

}  // namespace hazmon::http
