#pragma once
// A GB/T 28181 device for the tests: a UDP socket on 127.0.0.1 speaking SIP text to hazmond's
// SIP server (REGISTER, digest MD5 computed here with OpenSSL, MESSAGE Keepalive, Catalog
// answers), as a camera or NVR would. Header-only; synchronous with timeouts.
#include <openssl/evp.h>

#include <strings.h>

#include <boost/asio.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hazmon::test {

class GbDeviceSim {
 public:
  GbDeviceSim(std::string device_id, std::string domain, unsigned short server_port)
      : id_(std::move(device_id)),
        domain_(std::move(domain)),
        server_(boost::asio::ip::make_address("127.0.0.1"), server_port),
        sock_(io_, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {}

  const std::string& id() const { return id_; }
  unsigned short port() const { return sock_.local_endpoint().port(); }

  static std::string md5(const std::string& s) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(s.data(), s.size(), md, &len, EVP_md5(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
      out += hex[md[i] >> 4];
      out += hex[md[i] & 0xf];
    }
    return out;
  }

  void send_raw(const std::string& text) { sock_.send_to(boost::asio::buffer(text), server_); }

  // The next datagram from the server, or nullopt after `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    if (!pending_.empty()) {
      auto m = pending_.front();
      pending_.erase(pending_.begin());
      return m;
    }
    return receive_wire(timeout);
  }

  // The next response (status line "SIP/2.0 ..."); requests the server sends meanwhile (Catalog
  // queries) are kept for next_request().
  std::optional<std::string> response(std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (auto it = pending_.begin(); it != pending_.end(); ++it)
        if (it->rfind("SIP/2.0 ", 0) == 0) {
          auto m = *it;
          pending_.erase(it);
          return m;
        }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto m = receive_wire(left);
      if (!m) return std::nullopt;
      pending_.push_back(*m);
    }
  }

  std::optional<std::string> next_request(
      std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      for (auto it = pending_.begin(); it != pending_.end(); ++it)
        if (it->rfind("SIP/2.0 ", 0) != 0) {
          auto m = *it;
          pending_.erase(it);
          return m;
        }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto m = receive_wire(left);
      if (!m) return std::nullopt;
      pending_.push_back(*m);
    }
  }

  static int status(const std::optional<std::string>& r) {
    if (!r || r->rfind("SIP/2.0 ", 0) != 0) return 0;
    return std::stoi(r->substr(8, 3));
  }
  // A header's value (first one, name case-insensitive), or empty.
  static std::string header(const std::string& msg, const std::string& name) {
    std::size_t pos = 0;
    while (pos < msg.size()) {
      auto eol = msg.find("\r\n", pos);
      if (eol == std::string::npos || eol == pos) break;
      auto line = msg.substr(pos, eol - pos);
      auto colon = line.find(':');
      if (colon != std::string::npos &&
          strcasecmp(line.substr(0, colon).c_str(), name.c_str()) == 0) {
        auto v = line.substr(colon + 1);
        return v.substr(v.find_first_not_of(' '));
      }
      pos = eol + 2;
    }
    return {};
  }
  // name="value" (or name=value) inside a header value.
  static std::string param(const std::string& value, const std::string& name) {
    auto at = value.find(name + "=");
    if (at == std::string::npos) return {};
    auto v = value.substr(at + name.size() + 1);
    if (!v.empty() && v[0] == '"') return v.substr(1, v.find('"', 1) - 1);
    return v.substr(0, v.find_first_of(", ;"));
  }
  static std::string body(const std::string& msg) {
    auto at = msg.find("\r\n\r\n");
    return at == std::string::npos ? std::string() : msg.substr(at + 4);
  }

  // REGISTER; `authorization` a whole header value, or empty for none. `from_id` overrides the
  // From/To user (a device claiming another id).
  std::string register_text(int expires, const std::string& authorization = {},
                            const std::string& from_id = {}) {
    auto user = from_id.empty() ? id_ : from_id;
    std::string m = "REGISTER sip:" + domain_ + " SIP/2.0\r\n";
    m += "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(port()) + ";rport;branch=z9hG4bK" +
         std::to_string(++branch_) + "\r\n";
    m += "From: <sip:" + user + "@" + domain_ + ">;tag=dev" + std::to_string(port()) + "\r\n";
    m += "To: <sip:" + user + "@" + domain_ + ">\r\n";
    m += "Call-ID: reg" + std::to_string(port()) + "@127.0.0.1\r\n";
    m += "CSeq: " + std::to_string(++cseq_) + " REGISTER\r\n";
    m += "Contact: <sip:" + user + "@127.0.0.1:" + std::to_string(port()) + ">\r\n";
    m += "Max-Forwards: 70\r\nUser-Agent: hazmon-test-device\r\n";
    m += "Expires: " + std::to_string(expires) + "\r\n";
    if (!authorization.empty()) m += "Authorization: " + authorization + "\r\n";
    m += "Content-Length: 0\r\n\r\n";
    return m;
  }

  // The digest answer to a 401's WWW-Authenticate with `password` (no qop), as user `user`.
  std::string authorization(const std::string& www_authenticate, const std::string& password,
                            const std::string& user = {}) {
    auto u = user.empty() ? id_ : user;
    auto realm = param(www_authenticate, "realm");
    auto nonce = param(www_authenticate, "nonce");
    std::string uri = "sip:" + domain_;
    auto response =
        md5(md5(u + ":" + realm + ":" + password) + ":" + nonce + ":" + md5("REGISTER:" + uri));
    return "Digest username=\"" + u + "\", realm=\"" + realm + "\", nonce=\"" + nonce +
           "\", uri=\"" + uri + "\", response=\"" + response + "\", algorithm=MD5";
  }

  // REGISTER without credentials, then with the digest of `password`; the final status.
  int register_with(const std::string& password, int expires = 3600) {
    send_raw(register_text(expires));
    auto r = response();
    if (status(r) != 401) return status(r);
    send_raw(register_text(expires, authorization(header(*r, "WWW-Authenticate"), password)));
    return status(response());
  }

  std::string message_text(const std::string& xml, const std::string& from_id = {}) {
    auto user = from_id.empty() ? id_ : from_id;
    std::string m = "MESSAGE sip:34020000002000000001@" + domain_ + " SIP/2.0\r\n";
    m += "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(port()) + ";rport;branch=z9hG4bK" +
         std::to_string(++branch_) + "\r\n";
    m += "From: <sip:" + user + "@" + domain_ + ">;tag=msg" + std::to_string(branch_) + "\r\n";
    m += "To: <sip:34020000002000000001@" + domain_ + ">\r\n";
    m += "Call-ID: msg" + std::to_string(branch_) + "@127.0.0.1\r\n";
    m += "CSeq: " + std::to_string(++cseq_) + " MESSAGE\r\n";
    m += "Content-Type: Application/MANSCDP+xml\r\nMax-Forwards: 70\r\n";
    m += "Content-Length: " + std::to_string(xml.size()) + "\r\n\r\n" + xml;
    return m;
  }

  std::string keepalive_xml(long long sn, const std::string& device_id = {}) {
    return "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>"
           "\r\n<SN>" +
           std::to_string(sn) + "</SN>\r\n<DeviceID>" + (device_id.empty() ? id_ : device_id) +
           "</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n";
  }

  int keepalive(long long sn = 1) {
    send_raw(message_text(keepalive_xml(sn)));
    return status(response());
  }

  // The 200 a device sends to a request of the server (a Catalog query).
  void answer_ok(const std::string& request) {
    std::string r = "SIP/2.0 200 OK\r\n";
    for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"})
      r += std::string(h) + ": " + header(request, h) + (std::string(h) == "To" ? ";tag=ok" : "") +
           "\r\n";
    r += "Content-Length: 0\r\n\r\n";
    send_raw(r);
  }

 private:
  std::optional<std::string> receive_wire(std::chrono::milliseconds timeout) {
    std::vector<char> buf(65536);
    std::optional<std::string> out;
    boost::asio::ip::udp::endpoint from;
    sock_.async_receive_from(boost::asio::buffer(buf), from,
                             [&](boost::system::error_code ec, std::size_t n) {
                               if (!ec) out = std::string(buf.data(), n);
                             });
    io_.restart();
    io_.run_for(timeout);
    if (!out) {
      sock_.cancel();
      io_.restart();
      io_.run();
    }
    return out;
  }

  std::string id_, domain_;
  boost::asio::io_context io_;
  boost::asio::ip::udp::endpoint server_;
  boost::asio::ip::udp::socket sock_;
  std::vector<std::string> pending_;
  long long branch_ = 0, cseq_ = 0;
};

}  // namespace hazmon::test
