#include <hazmon/http/message.hpp>

namespace hazmon::http {

std::string_view Request::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

std::string Request::bearer_token() const {
  auto h = header("authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (h.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char a = h[i], b = kScheme[i];
    if ((a | 0x20) != (b | 0x20)) return {};
  }
  auto t = h.substr(kScheme.size());
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  return std::string(t);
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(in.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '\0') return false;
      out += d;
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '\0') {
      return false;
    } else {
      out += c;
    }
  }
  return true;
}

bool parse_target(std::string_view target, Request& req) {
  auto q = target.find('?');
  if (!percent_decode(target.substr(0, q), req.path, false)) return false;
  if (req.path.empty() || req.path[0] != '/') return false;
  if (q == std::string_view::npos) return true;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto part = rest.substr(0, amp);
    if (!part.empty()) {
      auto eq = part.find('=');
      std::string k, v;
      if (!percent_decode(part.substr(0, eq), k, true)) return false;
      if (eq != std::string_view::npos && !percent_decode(part.substr(eq + 1), v, true))
        return false;
      req.query[k] = v;
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return true;
}

}  // namespace hazmon::http
