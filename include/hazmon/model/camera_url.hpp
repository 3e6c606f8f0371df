#pragma once
// Where a camera may point (issue 9, attack 2): its stream URL is RTSP or RTSPS with no user
// name or password in it (credentials are the camera's sealed credential), and the address it
// reaches must lie in the networks allowed for its enterprise. The same checks run when a camera
// row is written (literal addresses, `localhost`) and again right before the stream worker
// connects, on every address the host name resolves to at that moment (so DNS rebinding cannot
// slip past the check made on write). Pure functions apart from local_interface_addresses().
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hazmon::model {

// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are kept as IPv4, so
// that they meet the same rules.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first four
  bool v4 = false;

  // Strict forms only: dotted-quad IPv4 of four decimal parts, or IPv6 without a zone.
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

// "10.20.0.0/16", "192.168.1.7" (a single address), "fd00::/8".
struct Cidr {
  IpAddress base;
  int prefix = 0;

  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  std::string to_string() const;
};

// Loopback, unspecified, link-local, multicast, broadcast and IPv4 "this network" addresses:
// never a camera, unless an allowed network lies wholly inside such a range (e.g. "127.0.0.1/32"
// for the test suite's RTSP relays).
bool is_special_address(const IpAddress& a);

struct CameraUrl {
  std::string scheme;                // "rtsp" or "rtsps"
  std::string host;                  // a host name or an address (IPv6 without brackets)
  std::optional<IpAddress> address;  // set when host is a literal address
  int port = 554;                    // default 554 for rtsp, 322 for rtsps
  std::string rest;                  // path and query, "" or starting with '/' or '?'

  // The URL with another host (an address the name resolved to), so that FFmpeg connects to
  // exactly the address that was checked and does not resolve the name again.
  std::string with_host(const std::string& host_or_address) const;
};

// The reason a URL is refused: stable English words (the API's field errors carry them).
struct CameraUrlResult {
  std::optional<CameraUrl> url;
  std::string error;  // empty when url is set
};
CameraUrlResult parse_camera_url(std::string_view text);

// The networks a camera of `company_code` may reach: the entry of `networks` with the longest
// key that prefixes the code ("*" or "" for every enterprise; a region prefix such as "1403" for
// a city; a full enterprise code), plus `extra` (the addresses of the enterprise's video
// gateways). Entries that do not parse are skipped (the config schema rejects them first).
std::vector<Cidr> networks_for(const std::map<std::string, std::vector<std::string>>& networks,
                               const std::string& company_code,
                               const std::vector<std::string>& extra = {});

// "" when the camera may connect to `a`:`port`; otherwise why not (stable words). Refused:
// special addresses not explicitly allowed, addresses outside `allowed`, and `own_ports` (the
// server's listening ports) on a loopback, unspecified or `local` address.
std::string check_camera_address(const IpAddress& a, int port, const std::vector<Cidr>& allowed,
                                 const std::vector<int>& own_ports,
                                 const std::vector<IpAddress>& local = {});

// The URL as written to a camera row: syntax, scheme, no userinfo, and the address checks for a
// literal address or `localhost`. Host names are checked when the worker connects. "" when fine.
std::string check_camera_url(std::string_view text, const std::vector<Cidr>& allowed,
                             const std::vector<int>& own_ports,
                             const std::vector<IpAddress>& local = {});

// This machine's interface addresses (getifaddrs); empty when they cannot be read.
std::vector<IpAddress> local_interface_addresses();

}  // namespace hazmon::model
