#include <hazmon/gb28181/server.hpp>

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>
#include <boost/asio.hpp>

#include <atomic>
#include <cstdio>
#include <ctime>
#include <deque>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/gb28181/digest.hpp>
#include <hazmon/gb28181/sip_message.hpp>

#include "invite.hpp"

namespace hazmon::gb28181 {

namespace asio = boost::asio;
using asio::ip::udp;
using namespace std::chrono;

namespace {
// GB/T 28181 §9.10: the REGISTER 200 carries the platform's time (local, here Beijing, UTC+8).
std::string gb_date(core::SysTime t) {
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count() + 8LL * 3600 * 1000;
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03d", buf, static_cast<int>(ms % 1000));
  return out;
}

std::string address_of(const udp::endpoint& ep) {
  auto a = ep.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" + std::to_string(ep.port());
}

// A catalog being received in parts: what came so far, by channel id.
struct CatalogRound {
  long long sum = 0;
  std::set<std::string> seen;
  std::vector<CatalogItem> items;
};

struct Reg {
  long long row_id = 0;
  std::string company_code;
  udp::endpoint ep;
  core::SysTime expires_at{};
  long long catalog_sn = 0;
  core::SysTime catalog_sent{};
  bool catalog_done = false;
  int catalog_tries = 0;
  core::SysTime keepalive_stored{};  // the last keepalive written to the book
  CatalogRound round;
};

// One live-video call (ADR 0034), by Call-ID, on the server's thread.
struct Call {
  Dialog dialog;
  udp::endpoint ep;  // the device's registration address: answers count only from there
  std::string invite, invite_branch;
  bool provisional = false;  // a 1xx came: no more retransmissions
  bool answered = false;     // a 2xx came and was ACKed: ending it takes a BYE
  long long next_cseq = 2;
  std::shared_ptr<std::promise<InviteResult>> waiting;  // until the final answer
  InviteResult result;
  std::unique_ptr<asio::steady_timer> timer;  // INVITE retransmission (RFC 3261 timer A)
  milliseconds resend{500};
};
}  // namespace

struct Server::Impl {
  ServerSettings s;
  DeviceBook& book;
  const core::Clock& clock;
  prometheus::Family<prometheus::Counter>* counters = nullptr;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::video);
  asio::io_context io;
  udp::socket sock{io};
  std::thread thread;
  std::vector<char> buf;
  udp::endpoint from;
  std::map<std::string, core::SysTime> nonces;  // issued, until used or expired
  std::deque<std::string> nonce_order;
  std::map<std::string, Reg> regs;  // by device id
  long long second = 0;             // the current second of the REGISTER rate limit
  int registers_this_second = 0;
  long long next_sn = 1;
  std::string tag = core::random_token(6);
  std::atomic<bool> running{false};   // read by invite() and bye() on other threads
  std::map<std::string, Call> calls;  // live video, by Call-ID
  unsigned next_ssrc = 1;

  Impl(ServerSettings settings, DeviceBook& b, const core::Clock& c)
      : s(std::move(settings)), book(b), clock(c) {}

  void count(const char* outcome) {
    if (counters) counters->Add({{"outcome", outcome}}).Increment();
  }

  void send(const std::string& text, const udp::endpoint& to) {
    boost::system::error_code ec;
    sock.send_to(asio::buffer(text), to, 0, ec);
    if (ec) log->debug("gb28181: send to {}: {}", address_of(to), ec.message());
  }

  void receive() {
    sock.async_receive_from(
        asio::buffer(buf), from, [this](boost::system::error_code ec, std::size_t n) {
          if (ec == asio::error::operation_aborted || !sock.is_open()) return;
          if (!ec) {
            try {
              handle(std::string_view(buf.data(), n), from);
            } catch (const std::exception& e) {
              count("error");
              log->error("gb28181: datagram from {}: {}", address_of(from), e.what());
            }
          }
          receive();
        });
  }

  void handle(std::string_view text, const udp::endpoint& ep) {
    if (text.size() > s.max_datagram_bytes) {
      count("oversized");
      return;
    }
    std::string why;
    auto m = parse_sip(text, &why);
    if (!m) {
      count("malformed");
      return;
    }
    if (!m->is_request) {
      if (m->cseq_method == "INVITE") return on_invite_answer(*m, ep);
      count("response");  // the devices' 200 to our Catalog queries and BYEs
      return;
    }
    if (m->method == "REGISTER") return on_register(*m, ep);
    if (m->method == "MESSAGE") return on_message(*m, ep);
    if (m->method == "BYE") return on_bye(*m, ep);
    if (m->method == "ACK") {
      count("ack");  // never answered (RFC 3261)
      return;
    }
    count("unsupported");
    send(sip_response(*m, 501, "Not Implemented", tag), ep);
  }

  std::string new_nonce(core::SysTime now) {
    // Nonces are issued in time order: the oldest, the expired and the used ones (already out of
    // the map) leave from the front, so neither the map nor the queue grows past max_nonces.
    while (!nonce_order.empty()) {
      auto it = nonces.find(nonce_order.front());
      bool stale = it == nonces.end() || now - it->second > seconds(s.nonce_ttl_s);
      if (!stale && nonce_order.size() < s.max_nonces) break;
      if (it != nonces.end()) nonces.erase(it);
      nonce_order.pop_front();
    }
    auto n = core::random_token(16);
    nonces[n] = now;
    nonce_order.push_back(n);
    return n;
  }

  void challenge(const SipMessage& m, const udp::endpoint& ep, core::SysTime now, bool stale) {
    count("challenged");
    std::string h = "WWW-Authenticate: Digest realm=\"" + s.domain + "\", nonce=\"" +
                    new_nonce(now) + "\", algorithm=MD5";
    if (stale) h += ", stale=TRUE";
    send(sip_response(m, 401, "Unauthorized", tag, {h}), ep);
  }

  void refuse(const SipMessage& m, const udp::endpoint& ep, const char* outcome, const char* why) {
    count(outcome);
    log->warn("gb28181: REGISTER of {} from {} refused: {}", m.from_user.substr(0, 32),
              address_of(ep), why);
    send(sip_response(m, 403, "Forbidden", tag), ep);
  }

  void on_register(const SipMessage& m, const udp::endpoint& ep) {
    auto now = clock.now();
    auto sec = duration_cast<seconds>(now.time_since_epoch()).count();
    if (sec != second) {
      second = sec;
      registers_this_second = 0;
    }
    if (++registers_this_second > s.max_registers_per_s) {
      count("rate_limited");
      return;
    }
    if (!is_gb_id(m.from_user) || m.to_user != m.from_user) {
      count("bad_request");
      send(sip_response(m, 400, "Bad Request", tag), ep);
      return;
    }
    // Every device id, known or not, is challenged: the 401 tells nothing about which exist.
    if (!m.authorization) return challenge(m, ep, now, false);
    const auto& a = *m.authorization;
    if (a.username != m.from_user)
      return refuse(m, ep, "identity_mismatch", "digest user is not the From user");
    auto n = nonces.find(a.nonce);
    if (n == nonces.end() || now - n->second > seconds(s.nonce_ttl_s)) {
      if (n != nonces.end()) nonces.erase(n);
      return challenge(m, ep, now, true);
    }
    if (a.realm != s.domain) return refuse(m, ep, "refused", "another realm");
    std::optional<DeviceCredential> match;
    for (auto& c : book.credentials(m.from_user))
      if (digest_matches(a, "REGISTER", c.password)) {
        match = std::move(c);  // the oldest row whose password answers (ADR 0029)
        break;
      }
    if (!match) return refuse(m, ep, "refused", "unknown device or wrong password");
    nonces.erase(n);  // one use: a REGISTER seen on the wire cannot be replayed from elsewhere
    int expires = m.expires.value_or(3600);
    if (expires > 0 && expires < s.register_expires_min_s) {
      count("interval_too_brief");
      send(sip_response(m, 423, "Interval Too Brief", tag,
                        {"Min-Expires: " + std::to_string(s.register_expires_min_s)}),
           ep);
      return;
    }
    expires = std::min(expires, s.register_expires_max_s);
    Registration r{match->row_id, m.from_user, match->company_code, address_of(ep), expires, now};
    if (!book.registered(r)) return refuse(m, ep, "refused", "the device row is gone");
    if (expires == 0) {
      regs.erase(m.from_user);
      count("unregistered");
      send(sip_response(m, 200, "OK", tag, {"Expires: 0"}), ep);
      return;
    }
    auto it = regs.find(m.from_user);
    bool fresh = it == regs.end() || it->second.row_id != match->row_id || it->second.ep != ep ||
                 it->second.expires_at <= now;
    auto& reg = regs[m.from_user];
    if (fresh) reg = Reg{};
    reg.row_id = match->row_id;
    reg.company_code = match->company_code;
    reg.ep = ep;
    reg.expires_at = now + seconds(expires);
    count("registered");
    send(sip_response(m, 200, "OK", tag,
                      {"Date: " + gb_date(now), "Expires: " + std::to_string(expires)}),
         ep);
    if (fresh) query_catalog(m.from_user, reg, now);
  }

  void query_catalog(const std::string& device_id, Reg& reg, core::SysTime now) {
    reg.catalog_sn = next_sn++;
    reg.catalog_sent = now;
    reg.round = {};
    ++reg.catalog_tries;
    auto body = catalog_query(reg.catalog_sn, device_id);
    auto host = s.listen_address;
    auto local = sock.local_endpoint();
    std::string via_host = host == "0.0.0.0" || host == "::" ? s.domain : host;
    std::string uri = "sip:" + device_id + "@" + address_of(reg.ep);
    std::string msg = "MESSAGE " + uri + " SIP/2.0\r\n";
    msg += "Via: SIP/2.0/UDP " + via_host + ":" + std::to_string(local.port()) +
           ";rport;branch=z9hG4bK" + core::random_token(8) + "\r\n";
    msg += "From: <sip:" + s.sip_id + "@" + s.domain + ">;tag=" + tag + "\r\n";
    msg += "To: <sip:" + device_id + "@" + s.domain + ">\r\n";
    msg += "Call-ID: " + core::random_token(12) + "@" + via_host + "\r\n";
    msg += "CSeq: " + std::to_string(reg.catalog_sn) + " MESSAGE\r\n";
    msg += "Max-Forwards: 70\r\nUser-Agent: hazmond\r\n";
    msg += "Content-Type: Application/MANSCDP+xml\r\n";
    msg += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    count("catalog_query");
    send(msg, reg.ep);
  }

  void on_message(const SipMessage& m, const udp::endpoint& ep) {
    auto now = clock.now();
    auto it = regs.find(m.from_user);
    // Only what a registered device sends from where it registered counts (nothing else can
    // make a device look alive or fill its channels).
    if (it == regs.end() || it->second.ep != ep || it->second.expires_at <= now) {
      count("not_registered");
      send(sip_response(m, 403, "Forbidden", tag), ep);
      return;
    }
    auto& reg = it->second;
    if (m.content_type != "application/manscdp+xml") {
      count("bad_request");
      send(sip_response(m, 415, "Unsupported Media Type", tag), ep);
      return;
    }
    if (m.body.size() > s.max_body_bytes) {
      count("oversized");
      send(sip_response(m, 413, "Request Entity Too Large", tag), ep);
      return;
    }
    auto utf8 = manscdp_to_utf8(m.body);
    std::string why;
    auto body = utf8 ? parse_manscdp(*utf8, s.max_channels_per_device, &why) : std::nullopt;
    if (!body) {
      count("malformed");
      send(sip_response(m, 400, "Bad Request", tag), ep);
      return;
    }
    if (body->device_id != m.from_user) {
      count("identity_mismatch");
      send(sip_response(m, 403, "Forbidden", tag), ep);
      return;
    }
    if (body->root == "Notify" && body->cmd_type == "Keepalive") {
      // At most one write a second per device, however often it sends (answered all the same).
      bool store = now - reg.keepalive_stored >= seconds(1);
      if (store) reg.keepalive_stored = now;
      if (store && !book.keepalive(reg.row_id, address_of(ep), now)) {
        regs.erase(it);
        count("not_registered");
        send(sip_response(m, 403, "Forbidden", tag), ep);
        return;
      }
      count("keepalive");
      send(sip_response(m, 200, "OK", tag), ep);
      if (!reg.catalog_done && reg.catalog_tries < 5 &&
          now - reg.catalog_sent >= seconds(s.catalog_retry_s))
        query_catalog(m.from_user, reg, now);
      return;
    }
    // What the MESSAGE says is stored before the 200 goes back.
    take_catalog(m, *body, it);
    send(sip_response(m, 200, "OK", tag), ep);
  }

  // ---- live video (ADR 0034): INVITE, ACK, BYE

  // Our address as the device sees it: the listen address, or the one the kernel routes from.
  std::string local_towards(const udp::endpoint& ep) {
    if (s.listen_address != "0.0.0.0" && s.listen_address != "::") return s.listen_address;
    boost::system::error_code ec;
    udp::socket probe(io);
    probe.open(ep.protocol(), ec);
    if (!ec) probe.connect(ep, ec);
    if (!ec) {
      auto local = probe.local_endpoint(ec);
      if (!ec) return local.address().to_string();
    }
    return ep.address().is_loopback() ? ep.address().to_string() : s.listen_address;
  }

  // §9.2 / annex F: 0 (live), digits 4-8 of the domain, a 4-digit serial.
  std::string new_ssrc() {
    std::string mid = s.domain.size() >= 8 ? s.domain.substr(3, 5) : "00000";
    for (auto& c : mid)
      if (c < '0' || c > '9') c = '0';
    char serial[8];
    std::snprintf(serial, sizeof serial, "%04u", next_ssrc++ % 10000);
    return "0" + mid + serial;
  }

  void start_invite(const InviteRequest& r, std::shared_ptr<std::promise<InviteResult>> p,
                    const std::string& call_id) {
    auto it = regs.find(r.device_id);
    if (it == regs.end() || it->second.row_id != r.row_id || it->second.expires_at <= clock.now()) {
      count("invite_not_registered");
      InviteResult no;
      no.error = "not registered: the device has no current registration";
      p->set_value(no);
      return;
    }
    const auto& reg = it->second;
    const auto local = local_towards(reg.ep);
    const auto media_ip = r.media_address.empty() ? local : r.media_address;
    Call c;
    c.ep = reg.ep;
    c.result.call_id = call_id;
    c.result.device_ip = reg.ep.address().to_string();
    c.result.ssrc = new_ssrc();
    c.dialog.request_uri = "sip:" + r.channel_id + "@" + address_of(reg.ep);
    c.dialog.via_host = local + ":" + std::to_string(sock.local_endpoint().port());
    c.dialog.from = "<sip:" + s.sip_id + "@" + s.domain + ">;tag=" + core::random_token(6);
    c.dialog.to = "<sip:" + r.channel_id + "@" + s.domain + ">";
    c.dialog.call_id = call_id;
    c.invite_branch = core::random_token(8);
    c.invite = invite_text(c.dialog, c.invite_branch, s.sip_id, r.channel_id, c.result.ssrc,
                           sdp_offer(s.sip_id, media_ip, r.media_port, c.result.ssrc));
    c.waiting = std::move(p);
    c.timer = std::make_unique<asio::steady_timer>(io);
    auto& call = calls[call_id] = std::move(c);
    count("invite");
    send(call.invite, call.ep);
    arm_resend(call_id);
  }

  void arm_resend(const std::string& id) {
    auto it = calls.find(id);
    if (it == calls.end() || !it->second.waiting || it->second.provisional) return;
    auto& c = it->second;
    c.timer->expires_after(c.resend);
    c.timer->async_wait([this, id](boost::system::error_code ec) {
      if (ec) return;  // cancelled: answered or ended
      auto it = calls.find(id);
      if (it == calls.end() || !it->second.waiting || it->second.provisional) return;
      auto& c = it->second;
      send(c.invite, c.ep);
      c.resend = std::min<milliseconds>(c.resend * 2, milliseconds(4000));
      arm_resend(id);
    });
  }

  void finish(Call& c) {
    if (!c.waiting) return;
    c.waiting->set_value(c.result);
    c.waiting.reset();
    if (c.timer) c.timer->cancel();
  }

  void on_invite_answer(const SipMessage& m, const udp::endpoint& ep) {
    auto it = calls.find(m.call_id);
    if (it == calls.end() || it->second.ep != ep) {
      // A 200 for a call given up (timed out, ended) or from elsewhere: ACK and BYE, so that a
      // device does not stream to a port nobody reads.
      if (it == calls.end() && m.status >= 200 && m.status < 300) {
        Dialog d{"sip:" + m.to_user + "@" + address_of(ep),
                 local_towards(ep) + ":" + std::to_string(sock.local_endpoint().port()),
                 m.from_header, m.to_header, m.call_id};
        send(ack_text(d, core::random_token(8)), ep);
        send(bye_text(d, core::random_token(8), 2), ep);
      }
      count("invite_unmatched");
      return;
    }
    auto& c = it->second;
    if (m.status < 200) {
      c.provisional = true;  // the device is working on it: no more retransmissions
      return;
    }
    c.dialog.to = m.to_header;  // the device's tag
    if (m.status >= 300) {
      send(ack_text(c.dialog, c.invite_branch), c.ep);
      count("invite_refused");
      c.result.error = "refused: " + std::to_string(m.status);
      finish(c);
      calls.erase(it);
      return;
    }
    send(ack_text(c.dialog, core::random_token(8)), c.ep);  // a retransmitted 200 too
    if (c.answered) return;
    c.answered = true;
    if (sdp_video_port(m.body) == 0) {
      count("invite_refused");
      c.result.error = "refused: the answer has no video stream";
      send(bye_text(c.dialog, core::random_token(8), c.next_cseq++), c.ep);
      finish(c);
      calls.erase(it);
      return;
    }
    count("invite_ok");
    c.result.ok = true;
    finish(c);
  }

  void end_call(const std::string& id) {
    auto it = calls.find(id);
    if (it == calls.end()) return;
    auto& c = it->second;
    if (c.answered) {
      count("bye_sent");
      send(bye_text(c.dialog, core::random_token(8), c.next_cseq++), c.ep);
    }
    calls.erase(it);
  }

  // The device ends the stream: the media side notices the silence and INVITEs again.
  void on_bye(const SipMessage& m, const udp::endpoint& ep) {
    auto it = calls.find(m.call_id);
    if (it == calls.end() || it->second.ep != ep) {
      count("bye_unknown");
      send(sip_response(m, 481, "Call/Transaction Does Not Exist", tag), ep);
      return;
    }
    count("bye_received");
    send(sip_response(m, 200, "OK", tag), ep);
    calls.erase(it);
  }

  void take_catalog(const SipMessage& m, Manscdp& body, std::map<std::string, Reg>::iterator it) {
    auto& reg = it->second;
    if (body.root != "Response" || body.cmd_type != "Catalog") {
      count("ignored");
      return;
    }
    if (body.sn != reg.catalog_sn || reg.catalog_done) {
      count("catalog_unsolicited");
      return;
    }
    auto& round = reg.round;
    round.sum = std::min<long long>(body.sum_num, s.max_channels_per_device);
    for (auto& item : body.items) {
      if (!is_gb_id(item.channel_id)) {
        count("bad_channel");
        continue;
      }
      if (round.items.size() >= s.max_channels_per_device) break;
      if (round.seen.insert(item.channel_id).second) round.items.push_back(std::move(item));
    }
    count("catalog_part");
    if (static_cast<long long>(round.items.size()) < round.sum) return;
    if (!book.catalog(reg.row_id, round.items, clock.now())) {
      regs.erase(it);
      return;
    }
    count("catalog");
    reg.catalog_done = true;
    reg.round = {};
  }
};

Server::Server(ServerSettings s, DeviceBook& book, const core::Clock& clock, core::Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(s), book, clock)) {
  if (metrics)
    impl_->counters = &prometheus::BuildCounter()
                           .Name("hazmon_gb28181_datagrams_total")
                           .Help(
                               "GB/T 28181 SIP datagrams received, by what became of them "
                               "(catalog_query: Catalog queries sent)")
                           .Register(metrics->registry());
}

Server::~Server() { stop(); }

unsigned short Server::start() {
  auto& i = *impl_;
  udp::endpoint ep(asio::ip::make_address(i.s.listen_address), i.s.port);
  i.sock.open(ep.protocol());
  i.sock.set_option(udp::socket::reuse_address(true));
  i.sock.bind(ep);
  i.buf.resize(i.s.max_datagram_bytes + 1);  // a datagram that fills it was longer: dropped
  i.receive();
  i.running = true;
  i.thread = std::thread([&i] {
    for (;;) {
      try {
        i.io.run();
        return;
      } catch (const std::exception& e) {
        i.log->error("gb28181: {}", e.what());
      }
    }
  });
  auto port = i.sock.local_endpoint().port();
  i.log->info("gb28181: SIP server {} (realm {}) on UDP {}:{}", i.s.sip_id, i.s.domain,
              i.s.listen_address, port);
  return port;
}

InviteResult Server::invite(const InviteRequest& r, milliseconds timeout) {
  auto& i = *impl_;
  InviteResult out;
  if (!i.running) {
    out.error = "not running: the SIP server is not started";
    return out;
  }
  auto p = std::make_shared<std::promise<InviteResult>>();
  auto f = p->get_future();
  auto call_id = core::random_token(12) + "@hazmond";
  asio::post(i.io, [&i, r, p, call_id] { i.start_invite(r, p, call_id); });
  if (f.wait_for(timeout) != std::future_status::ready) {
    bye(call_id);  // a 200 that comes later is ACKed and BYEd (on_invite_answer)
    if (i.counters) i.counters->Add({{"outcome", "invite_timeout"}}).Increment();
    out.error = "timeout: the device did not answer the INVITE";
    return out;
  }
  return f.get();
}

void Server::bye(const std::string& call_id) {
  auto& i = *impl_;
  if (!i.running) return;
  asio::post(i.io, [&i, call_id] { i.end_call(call_id); });
}

void Server::stop() {
  auto& i = *impl_;
  if (!i.running) return;
  // Answered calls get their BYE before the socket closes (a second at most).
  auto done = std::make_shared<std::promise<void>>();
  auto f = done->get_future();
  asio::post(i.io, [&i, done] {
    std::vector<std::string> ids;
    for (const auto& [id, c] : i.calls) ids.push_back(id);
    for (const auto& id : ids) i.end_call(id);
    done->set_value();
  });
  f.wait_for(seconds(1));
  i.running = false;
  i.io.stop();
  if (i.thread.joinable()) i.thread.join();
  boost::system::error_code ec;
  i.sock.close(ec);
}

}  // namespace hazmon::gb28181
