// The only translation unit with Beast: a blocking HTTPS client, the upload connection pool, and
// the trivial HTTPS sink.
#include "sim.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <thread>

namespace hazmon::sim {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using namespace std::chrono_literals;

Url parse_url(const std::string& url) {
  const std::string scheme = "https://";
  if (url.compare(0, scheme.size(), scheme) != 0)
    throw UsageError("the URL must start with https:// (got " + url + ")");
  Url u;
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  if (slash != std::string::npos) {
    if (rest.find_first_not_of('/', slash) != std::string::npos)
      throw UsageError("the URL is the server's root, https://HOST[:PORT] (got " + url + ")");
    rest.resize(slash);
  }
  if (!rest.empty() && rest[0] == '[') {  // [v6]:port
    auto close = rest.find(']');
    if (close == std::string::npos) throw UsageError("bad URL " + url);
    u.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':') u.port = rest.substr(close + 2);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    u.host = rest.substr(0, colon);
    u.port = rest.substr(colon + 1);
  } else {
    u.host = rest;
  }
  if (u.host.empty() || u.port.empty() ||
      u.port.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError("bad URL " + url);
  u.text = scheme + rest;
  return u;
}

namespace {
void configure_client(ssl::context& ctx, const TlsOptions& tls) {
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (tls.ca_file.empty()) {
    ctx.set_verify_mode(ssl::verify_none);
  } else {
    ctx.load_verify_file(tls.ca_file);
    ctx.set_verify_mode(ssl::verify_peer);
  }
}

void prepare_stream(Stream& s, const Url& url, const TlsOptions& tls) {
  if (!SSL_set_tlsext_host_name(s.native_handle(), url.host.c_str())) {
    // An IP address has no SNI; that is fine.
  }
  if (!tls.ca_file.empty()) s.set_verify_callback(ssl::host_name_verification(url.host));
}

std::string header_of(const http::response<http::string_body>& res, http::field f) {
  auto it = res.find(f);
  return it == res.end() ? std::string() : std::string(it->value());
}
}  // namespace

// ---------------------------------------------------------------- SyncClient

struct SyncClient::Impl {
  Url url;
  TlsOptions tls;
  ssl::context ctx{ssl::context::tls_client};
  asio::io_context ioc;
  tcp::resolver::results_type endpoints;
  std::unique_ptr<Stream> stream;
  beast::flat_buffer buf;

  void connect() {
    if (endpoints.empty()) endpoints = tcp::resolver(ioc).resolve(url.host, url.port);
    auto s = std::make_unique<Stream>(ioc, ctx);
    prepare_stream(*s, url, tls);
    beast::get_lowest_layer(*s).expires_after(30s);
    beast::get_lowest_layer(*s).connect(endpoints);
    beast::get_lowest_layer(*s).socket().set_option(tcp::no_delay(true));
    s->handshake(ssl::stream_base::client);
    stream = std::move(s);
    buf.clear();
  }
};

SyncClient::SyncClient(Url url, TlsOptions tls) : impl_(std::make_unique<Impl>()) {
  impl_->url = std::move(url);
  impl_->tls = std::move(tls);
  configure_client(impl_->ctx, impl_->tls);
}

SyncClient::~SyncClient() = default;

HttpReply SyncClient::request(std::string_view method, const std::string& target,
                              const std::string& body, const std::string& bearer) {
  auto& m = *impl_;
  HttpReply reply;
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = m.stream != nullptr;
    try {
      if (!m.stream) m.connect();
      http::request<http::string_body> req{http::string_to_verb(method), target, 11};
      req.set(http::field::host, m.url.host);
      req.set(http::field::user_agent, "hazmon-sim");
      if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
      if (!body.empty()) req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.keep_alive(true);
      req.prepare_payload();
      beast::get_lowest_layer(*m.stream).expires_after(60s);
      http::write(*m.stream, req);
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      http::read(*m.stream, m.buf, parser);
      auto& res = parser.get();
      reply.status = static_cast<int>(res.result_int());
      reply.body = std::move(res.body());
      reply.retry_after = header_of(res, http::field::retry_after);
      reply.error.clear();
      if (!res.keep_alive()) m.stream.reset();
      return reply;
    } catch (const std::exception& e) {
      m.stream.reset();
      reply.status = 0;
      reply.error = e.what();
      if (!reused) break;  // a fresh connection failed: do not insist
    }
  }
  return reply;
}

// ---------------------------------------------------------------- UploadPool

struct UploadPool::Impl {
  Url url;
  TlsOptions tls;
  std::string path;
  ReplyHandler handler;
  ssl::context ctx{ssl::context::tls_client};
  // Touched by the I/O thread only.
  std::deque<UploadPtr> queue;
  std::vector<asio::steady_timer*> idle;
  bool stopping = false;
  std::atomic<std::size_t> outstanding{0};
  tcp::resolver::results_type endpoints;
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;

  void wake_one() {
    if (idle.empty()) return;
    auto* t = idle.back();
    idle.pop_back();
    t->cancel();
  }

  void finish_attempt(const UploadPtr& up, const HttpReply& reply, double ms) {
    auto again = handler(*up, reply, ms);
    if (!again) {
      outstanding.fetch_sub(1);
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(ioc, *again);
    timer->async_wait([this, timer, up](const boost::system::error_code&) {
      if (stopping) return;
      queue.push_back(up);
      wake_one();
    });
  }

  asio::awaitable<void> connection() {
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer wake(ex);
    asio::steady_timer pause(ex);
    std::unique_ptr<Stream> s;
    beast::flat_buffer buf;
    auto connect_backoff = 50ms;
    for (;;) {
      while (queue.empty() && !stopping) {
        wake.expires_at(asio::steady_timer::time_point::max());
        idle.push_back(&wake);
        boost::system::error_code ec;
        co_await wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        std::erase(idle, &wake);
      }
      if (stopping) co_return;
      UploadPtr up = std::move(queue.front());
      queue.pop_front();
      HttpReply reply;
      auto t0 = std::chrono::steady_clock::now();
      if (up->attempts++ == 0) up->first_sent = t0;
      boost::system::error_code ec;
      bool connect_failed = false;
      if (!s) {
        auto fresh = std::make_unique<Stream>(ex, ctx);
        prepare_stream(*fresh, url, tls);
        beast::get_lowest_layer(*fresh).expires_after(30s);
        co_await beast::get_lowest_layer(*fresh).async_connect(
            endpoints, asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) beast::get_lowest_layer(*fresh).socket().set_option(tcp::no_delay(true), ec);
        if (!ec)
          co_await fresh->async_handshake(ssl::stream_base::client,
                                          asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          reply.error = "connect: " + ec.message();
          connect_failed = true;
        } else {
          s = std::move(fresh);
          buf.clear();
          connect_backoff = 50ms;
        }
      }
      if (s) {
        http::request<http::span_body<const char>> req{http::verb::post, path, 11};
        req.set(http::field::host, url.host);
        req.set(http::field::user_agent, "hazmon-sim");
        req.set(http::field::authorization, "Bearer " + up->bearer);
        req.set(http::field::content_type, "application/json");
        req.body() = boost::span<const char>(up->body.data(), up->body.size());
        req.keep_alive(true);
        req.prepare_payload();
        beast::get_lowest_layer(*s).expires_after(120s);
        co_await http::async_write(*s, req, asio::redirect_error(asio::use_awaitable, ec));
        http::response_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        if (!ec)
          co_await http::async_read(*s, buf, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
          reply.error = ec.message();
          s.reset();
          buf.clear();
        } else {
          auto& res = parser.get();
          reply.status = static_cast<int>(res.result_int());
          reply.retry_after = header_of(res, http::field::retry_after);
          reply.body = std::move(res.body());
          if (!res.keep_alive()) s.reset();
        }
      }
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      finish_attempt(up, reply, ms);
      if (connect_failed) {
        // Do not spin on a server that is away: this connection rests before its next try.
        pause.expires_after(connect_backoff);
        co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        connect_backoff = std::min<std::chrono::milliseconds>(connect_backoff * 2, 2000ms);
      }
    }
  }
};

UploadPool::UploadPool(Url url, TlsOptions tls, int connections, std::string path,
                       ReplyHandler handler)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.url = std::move(url);
  m.tls = std::move(tls);
  m.path = std::move(path);
  m.handler = std::move(handler);
  configure_client(m.ctx, m.tls);
  m.endpoints = tcp::resolver(m.ioc).resolve(m.url.host, m.url.port);
  m.work.emplace(m.ioc.get_executor());
  for (int i = 0; i < connections; ++i) asio::co_spawn(m.ioc, m.connection(), asio::detached);
  m.thread = std::thread([&m] { m.ioc.run(); });
}

UploadPool::~UploadPool() { stop(); }

void UploadPool::submit(UploadPtr up) {
  auto& m = *impl_;
  m.outstanding.fetch_add(1);
  asio::post(m.ioc, [&m, up = std::move(up)]() mutable {
    if (m.stopping) return;
    m.queue.push_back(std::move(up));
    m.wake_one();
  });
}

std::size_t UploadPool::outstanding() const { return impl_->outstanding.load(); }

void UploadPool::stop() {
  auto& m = *impl_;
  if (!m.thread.joinable()) return;
  asio::post(m.ioc, [&m] {
    m.stopping = true;
    for (auto* t : m.idle) t->cancel();
    m.idle.clear();
  });
  m.work.reset();
  // In-flight requests are not waited for: the caller decided they are abandoned.
  m.ioc.stop();
  m.thread.join();
}

// ---------------------------------------------------------------- sink

namespace {
void self_signed(ssl::context& ctx) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  if (!key || !x) throw std::runtime_error("cannot make a key for the sink's certificate");
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  if (!X509_sign(x, key, EVP_sha256()))
    throw std::runtime_error("cannot sign the sink's certificate");
  SSL_CTX_use_certificate(ctx.native_handle(), x);
  SSL_CTX_use_PrivateKey(ctx.native_handle(), key);
  X509_free(x);
  EVP_PKEY_free(key);
}

struct SinkStats {
  std::atomic<std::uint64_t> requests{0}, items{0}, bytes{0};
};

std::size_t count_of(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = hay.find(needle); pos != std::string_view::npos;
       pos = hay.find(needle, pos + needle.size()))
    ++n;
  return n;
}

std::string data_id_of(std::string_view body) {
  constexpr std::string_view key = "\"dataId\":\"";
  auto p = body.find(key);
  if (p == std::string_view::npos) return {};
  p += key.size();
  auto e = body.find('"', p);
  return e == std::string_view::npos ? std::string() : std::string(body.substr(p, e - p));
}

asio::awaitable<void> sink_session(tcp::socket sock, ssl::context& ctx, SinkStats& st) {
  Stream s(std::move(sock), ctx);
  boost::system::error_code ec;
  beast::get_lowest_layer(s).expires_after(30s);
  co_await s.async_handshake(ssl::stream_base::server,
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  beast::flat_buffer buf;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    beast::get_lowest_layer(s).expires_after(120s);
    co_await http::async_read(s, buf, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    auto& req = parser.get();
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::content_type, "application/json");
    if (req.method() == http::verb::post) {
      auto items = count_of(req.body(), "\"quotaCode\"");
      st.requests++;
      st.items += items;
      st.bytes += req.body().size();
      res.body() = "{\"code\":0,\"message\":\"ok\",\"dataId\":\"" + data_id_of(req.body()) +
                   "\",\"accepted\":" + std::to_string(items) + ",\"rejected\":[]}";
    } else {
      res.body() = "{\"status\":\"ok\"}";
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await http::async_write(s, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !req.keep_alive()) break;
  }
  beast::get_lowest_layer(s).expires_after(2s);
  co_await s.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> sink_accept(tcp::acceptor& acc, ssl::context& ctx, SinkStats& st) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket sock = co_await acc.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acc.get_executor(), sink_session(std::move(sock), ctx, st), asio::detached);
  }
}
}  // namespace

int run_sink(const std::string& address, unsigned short port, int threads) {
  ssl::context ctx(ssl::context::tls_server);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  self_signed(ctx);
  SinkStats st;
  asio::io_context ioc(threads);
  tcp::acceptor acc(ioc, tcp::endpoint(asio::ip::make_address(address), port));
  std::printf("hazmon-sim sink serving https://localhost:%u/\n",
              static_cast<unsigned>(acc.local_endpoint().port()));
  std::fflush(stdout);
  asio::co_spawn(ioc, sink_accept(acc, ctx, st), asio::detached);
  asio::signal_set sigs(ioc, SIGINT, SIGTERM);
  sigs.async_wait([&](const boost::system::error_code&, int) { ioc.stop(); });
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("sink: %llu uploads, %llu items, %.1f MB in %.1f s\n",
              static_cast<unsigned long long>(st.requests.load()),
              static_cast<unsigned long long>(st.items.load()), st.bytes.load() / 1e6, secs);
  return 0;
}

}  // namespace hazmon::sim
