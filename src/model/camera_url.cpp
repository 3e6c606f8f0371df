#include <hazmon/model/camera_url.hpp>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace hazmon::model {

namespace {

constexpr std::size_t kMaxUrl = 500;

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Four decimal parts of 1-3 digits, each ≤ 255, no leading zeros (inet_aton would read "010" as
// octal and "127.1" as 127.0.0.1: such spellings are refused instead of guessed).
std::optional<IpAddress> parse_v4(std::string_view s) {
  IpAddress a;
  a.v4 = true;
  int part = 0;
  std::size_t i = 0;
  while (part < 4) {
    std::size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    auto digits = s.substr(i, j - i);
    if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0'))
      return std::nullopt;
    int v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    if (v > 255) return std::nullopt;
    a.bytes[part] = static_cast<std::uint8_t>(v);
    ++part;
    if (part < 4) {
      if (j >= s.size() || s[j] != '.') return std::nullopt;
      i = j + 1;
    } else if (j != s.size()) {
      return std::nullopt;
    }
  }
  return a;
}

bool in_v4(const IpAddress& a, std::uint8_t b0, std::uint8_t b1, int prefix) {
  Cidr c;
  c.base.v4 = true;
  c.base.bytes[0] = b0;
  c.base.bytes[1] = b1;
  c.prefix = prefix;
  return c.contains(a);
}

// The special ranges, as CIDRs (an allowed network wholly inside one of them allows it).
const std::vector<Cidr>& special_ranges() {
  static const std::vector<Cidr> k = [] {
    std::vector<Cidr> v;
    for (const char* s :
         {"0.0.0.0/8", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4",
          "240.0.0.0/4" /* and broadcast */, "::/128", "::1/128", "fe80::/10", "ff00::/8"})
      v.push_back(*Cidr::parse(s));
    return v;
  }();
  return k;
}

bool within(const Cidr& inner, const Cidr& outer) {
  return inner.base.v4 == outer.base.v4 && inner.prefix >= outer.prefix &&
         outer.contains(inner.base);
}

bool is_loopback_or_any(const IpAddress& a) {
  if (a.v4) return in_v4(a, 127, 0, 8) || in_v4(a, 0, 0, 8);
  static const auto lo = *IpAddress::parse("::1");
  static const auto any = *IpAddress::parse("::");
  return a == lo || a == any;
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  if (text.find(':') == std::string_view::npos) return parse_v4(text);
  if (text.find('%') != std::string_view::npos) return std::nullopt;  // no zone ids
  std::string s(text);
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) != 1) return std::nullopt;
  IpAddress a;
  std::memcpy(a.bytes.data(), &a6, 16);
  static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), mapped, 12) == 0) {
    IpAddress v4;
    v4.v4 = true;
    std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
    return v4;
  }
  return a;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  Cidr c;
  c.base = *addr;
  const int max = addr->v4 ? 32 : 128;
  c.prefix = max;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    if (!all_digits(p) || p.size() > 3) return std::nullopt;
    c.prefix = std::stoi(std::string(p));
    if (c.prefix > max) return std::nullopt;
  }
  return c;
}

bool Cidr::contains(const IpAddress& a) const {
  if (a.v4 != base.v4) return false;
  int bits = prefix;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::to_string() const { return base.to_string() + "/" + std::to_string(prefix); }

bool is_special_address(const IpAddress& a) {
  for (const auto& r : special_ranges())
    if (r.contains(a)) return true;
  return false;
}

std::string CameraUrl::with_host(const std::string& h) const {
  const bool v6 = h.find(':') != std::string::npos;
  return scheme + "://" + (v6 ? "[" + h + "]" : h) + ":" + std::to_string(port) + rest;
}

CameraUrlResult parse_camera_url(std::string_view text) {
  auto fail = [](std::string e) { return CameraUrlResult{std::nullopt, std::move(e)}; };
  if (text.size() > kMaxUrl) return fail("is longer than 500 characters");
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '\\' || c == '"' || c == '<' || c == '>' || c == '`' ||
        c == '{' || c == '}' || c == '|' || c == '^')
      return fail("contains a space, a control character or a character not allowed in a URL");
    if (u >= 0x80) return fail("contains a character not allowed in a URL (percent-encode it)");
  }
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return fail("must start with rtsp:// or rtsps://");
  CameraUrl u;
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "rtsp" && u.scheme != "rtsps") return fail("must start with rtsp:// or rtsps://");
  u.port = u.scheme == "rtsp" ? 554 : 322;
  auto after = text.substr(sep + 3);
  auto end = after.find_first_of("/?#");
  auto authority = after.substr(0, end);
  u.rest = end == std::string_view::npos ? std::string() : std::string(after.substr(end));
  if (u.rest.find('#') != std::string::npos) return fail("must not have a fragment (#)");
  if (authority.find('@') != std::string_view::npos)
    return fail("must not contain a user name or password; set the camera's credential instead");
  if (authority.empty()) return fail("has no host");
  std::string_view host, port;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("has an invalid host");
    host = authority.substr(1, close - 1);
    auto tail = authority.substr(close + 1);
    if (!tail.empty()) {
      if (tail.front() != ':') return fail("has an invalid host");
      port = tail.substr(1);
      if (port.empty()) return fail("has an invalid port");
    }
    auto a = IpAddress::parse(host);
    if (!a || host.find(':') == std::string_view::npos) return fail("has an invalid host");
    u.address = a;
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return fail("has an invalid port");
    }
    if (host.empty()) return fail("has no host");
    if (host.size() > 253 || !std::all_of(host.begin(), host.end(), host_char))
      return fail("has an invalid host");
    if (host.front() == '.' || host.front() == '-' || host.find("..") != std::string_view::npos)
      return fail("has an invalid host");
    u.address = parse_v4(host);
    if (!u.address) {
      // A name whose last label starts with a digit is an address in a spelling the resolver
      // would still accept ("127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1"): refused.
      auto trimmed = host.back() == '.' ? host.substr(0, host.size() - 1) : host;
      auto dot = trimmed.rfind('.');
      auto last = dot == std::string_view::npos ? trimmed : trimmed.substr(dot + 1);
      if (last.empty() || std::isdigit(static_cast<unsigned char>(last.front())))
        return fail("has an invalid host (write an address as four decimal numbers)");
    }
  }
  if (!port.empty()) {
    if (!all_digits(port) || port.size() > 5) return fail("has an invalid port");
    u.port = std::stoi(std::string(port));
    if (u.port < 1 || u.port > 65535) return fail("has an invalid port");
  }
  u.host = u.address ? u.address->to_string() : lower(host);
  if (!u.host.empty() && u.host.back() == '.') u.host.pop_back();
  return {std::move(u), {}};
}

std::vector<Cidr> networks_for(const std::map<std::string, std::vector<std::string>>& networks,
                               const std::string& company_code,
                               const std::vector<std::string>& extra) {
  const std::vector<std::string>* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& [key, list] : networks) {
    const std::string k = key == "*" ? std::string() : key;
    if (company_code.rfind(k, 0) != 0) continue;
    if (!best || k.size() > best_len) {
      best = &list;
      best_len = k.size();
    }
  }
  std::vector<Cidr> out;
  if (best)
    for (const auto& s : *best)
      if (auto c = Cidr::parse(s)) out.push_back(*c);
  for (const auto& s : extra)
    if (auto c = Cidr::parse(s)) out.push_back(*c);
  return out;
}

std::string check_camera_address(const IpAddress& a, int port, const std::vector<Cidr>& allowed,
                                 const std::vector<int>& own_ports,
                                 const std::vector<IpAddress>& local) {
  const bool own_host =
      is_loopback_or_any(a) || std::find(local.begin(), local.end(), a) != local.end();
  if (own_host && std::find(own_ports.begin(), own_ports.end(), port) != own_ports.end())
    return "points at one of this server's own ports";
  bool ok = false;
  if (is_special_address(a)) {
    // Only an allowed network lying wholly inside the special range allows it: "0.0.0.0/0"
    // does not open loopback, "127.0.0.1/32" does.
    for (const auto& c : allowed) {
      if (!c.contains(a)) continue;
      for (const auto& r : special_ranges())
        if (r.contains(a) && within(c, r)) ok = true;
    }
    if (!ok) return "points at a loopback, link-local or other special address that is not allowed";
    return "";
  }
  for (const auto& c : allowed)
    if (c.contains(a)) ok = true;
  if (!ok) return "points at an address outside the networks allowed for this enterprise";
  return "";
}

std::string check_camera_url(std::string_view text, const std::vector<Cidr>& allowed,
                             const std::vector<int>& own_ports,
                             const std::vector<IpAddress>& local) {
  auto p = parse_camera_url(text);
  if (!p.url) return p.error;
  const auto& u = *p.url;
  if (u.address) return check_camera_address(*u.address, u.port, allowed, own_ports, local);
  if (u.host == "localhost" || (u.host.size() > 10 && u.host.ends_with(".localhost"))) {
    auto v4 = *IpAddress::parse("127.0.0.1");
    auto v6 = *IpAddress::parse("::1");
    auto e = check_camera_address(v4, u.port, allowed, own_ports, local);
    if (e.empty()) return "";
    auto e6 = check_camera_address(v6, u.port, allowed, own_ports, local);
    return e6.empty() ? "" : e;
  }
  return "";  // a host name: checked on every address it resolves to when the worker connects
}

std::vector<IpAddress> local_interface_addresses() {
  std::vector<IpAddress> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    IpAddress a;
    if (i->ifa_addr->sa_family == AF_INET) {
      a.v4 = true;
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, 4);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      std::memcpy(a.bytes.data(), &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(a);
  }
  freeifaddrs(list);
  return out;
}

}  // namespace hazmon::model
