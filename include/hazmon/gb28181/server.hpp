#pragma once
// hazmond's GB/T 28181-2016 SIP server (the platform side, "SIP 服务器"), over UDP with Boost
// Asio (docs/gb28181.md, ADR 0029): REGISTER with digest authentication against the device's
// password, MESSAGE Keepalive, and a Catalog query after each new registration whose answer (in
// one or several MESSAGEs) becomes the device's channels. What it hears goes to a DeviceBook
// (service::Gb28181Service, over PostgreSQL); online and offline are derived there from what was
// received and when. The server runs on its own thread and io_context; the DeviceBook's calls
// block that thread only.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/gb28181/manscdp.hpp>

namespace hazmon::core {
class Metrics;
}

namespace hazmon::gb28181 {

struct ServerSettings {
  std::string listen_address = "0.0.0.0";
  unsigned short port = 5060;                   // 0: an ephemeral port (tests)
  std::string sip_id = "14000000002000000001";  // the platform's 20-digit id
  std::string domain = "1400000000";            // the SIP domain and digest realm
  int nonce_ttl_s = 300;                        // an issued nonce is good this long
  int register_expires_min_s = 60;              // a shorter Expires is answered 423
  int register_expires_max_s = 7200;            // a longer Expires is cut to this
  std::size_t max_datagram_bytes = 16384;       // longer datagrams are dropped, counted
  std::size_t max_body_bytes = 12288;           // a longer MESSAGE body is answered 413
  std::size_t max_channels_per_device = 1024;   // catalog items beyond are not stored
  int max_registers_per_s = 50;                 // REGISTERs beyond are dropped, counted
  std::size_t max_nonces = 4096;                // outstanding nonces; the oldest go first
  int catalog_retry_s = 30;  // a Catalog query not answered is sent again at a keepalive after this
};

// A device row that may register with this id: its enterprise and its password (opened from
// the sealed column). Several enterprises may have filed the same id (ADR 0029).
struct DeviceCredential {
  long long row_id = 0;
  std::string company_code;
  std::string password;
};

struct Registration {
  long long row_id = 0;
  std::string device_id, company_code;
  std::string address;  // ip:port the REGISTER came from
  int expires_s = 0;    // 0: unregistered
  core::SysTime at{};
};

// Where the server reports; implemented by the service over storage (the module map: this
// module uses neither). Each call returns false when the row is gone (deleted meanwhile).
class DeviceBook {
 public:
  virtual ~DeviceBook() = default;
  // The rows with this device id that have a password, oldest first.
  virtual std::vector<DeviceCredential> credentials(const std::string& device_id) = 0;
  virtual bool registered(const Registration& r) = 0;
  virtual bool keepalive(long long row_id, const std::string& address, core::SysTime at) = 0;
  // A complete catalog: the device's channels become exactly these.
  virtual bool catalog(long long row_id, const std::vector<CatalogItem>& items,
                       core::SysTime at) = 0;
};

// Live video (ADR 0034): the INVITE of one channel of a registered device, asking it to send
// MPEG-PS over RTP/UDP (payload 96, PS/90000) to media_address:media_port.
struct InviteRequest {
  long long row_id = 0;  // the device row the camera names: another row's registration is not it
  std::string device_id, channel_id;
  std::string media_address;  // the SDP's c= address; empty: our address on the way to the device
  unsigned short media_port = 0;
};

struct InviteResult {
  bool ok = false;
  std::string error;      // when not ok; stable words first ("not registered", "refused: 486")
  std::string call_id;    // for bye()
  std::string device_ip;  // the address the device registered from: RTP is taken from it only
  std::string ssrc;       // the SDP's y= (10 digits)
};

class Server {
 public:
  Server(ServerSettings s, DeviceBook& book, const core::Clock& clock,
         core::Metrics* metrics = nullptr);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts the thread; returns the UDP port bound. Throws if it cannot bind.
  unsigned short start();
  void stop();

  // INVITE (SDP offer), wait for the final answer up to `timeout`, ACK a 200. Any thread; the
  // dialog lives on the server's thread. Not ok when the device row has no current
  // registration, the device refuses or does not answer in time (the INVITE is retransmitted
  // meanwhile, RFC 3261 timer A).
  InviteResult invite(const InviteRequest& r, std::chrono::milliseconds timeout);
  // Ends the call (BYE when it was answered); unknown ids are ignored. Any thread.
  void bye(const std::string& call_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::gb28181
