#include <hazmon/http/server.hpp>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <hazmon/core/encoding.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/random.hpp>
#include <hazmon/http/event_stream.hpp>
#include <hazmon/http/problem.hpp>

#include "beast_message.hpp"
#include "server_metrics.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace hazmon::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using core::Errc;
using core::Reason;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {
// Asks the stream's owner whether its session still holds. An answer that cannot be had now
// (the database away) keeps the stream; it is asked again at the next interval.
bool still_authorised(EventStream& ev) {
  try {
    return ev.still_authorised();
  } catch (const std::exception&) {
    return true;
  }
}

}  // namespace

struct Server::Impl {
  ServerSettings s;
  const Router& router;
  // What a session's guards (ConnectionGuard, Unregister) touch when its coroutine frame is
  // destroyed: declared before the io_context, so destroyed after it. A session still suspended
  // when stop() gives up (a handler that outlasts shutdown_grace) is destroyed with the
  // io_context's pending handlers, in ~io_context; before, its guards then ran against a `live`
  // set and a `per_address` map already destroyed (ASan: heap-use-after-free).
  std::atomic<int> connections{0};
  std::mutex connections_mutex;  // with connections_cv: stop() waits for the last one to close
  std::condition_variable connections_cv;
  std::mutex per_address_mutex;
  std::unordered_map<std::string, int> per_address;  // open connections by address group
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::http);
  ServerMetrics metrics;
  // Every open session, with the cancellation signal its coroutine was spawned with (Beast's
  // advanced_server_flex_awaitable). stop() emits on each session's strand: `terminal` to a
  // session that is idle (handshaking, waiting for its next request, or an event stream waiting
  // for events), which aborts that wait at once; `total` to one busy with a request, which marks
  // it cancelled without aborting anything: the response goes out, with Connection: close, and
  // the session ends instead of reading another request.
  struct Live {
    asio::any_io_executor ex;
    asio::cancellation_signal cancel;  // emitted only on `ex`
    bool idle = false;                 // touched only on `ex`
    bool ended = false;                // touched only on `ex`: the coroutine is done with `cancel`
  };
  std::mutex live_mutex;
  std::set<std::shared_ptr<Live>> live;

  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tls_server};
  asio::thread_pool workers;
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> io_threads;
  std::atomic<int> queued_work{0};
  std::atomic<bool> stopping{false};
  AfterRequest after_request;
  // Accepting ends by the same means: terminal cancellation of the accept loop, on its strand.
  asio::strand<asio::io_context::executor_type> accept_strand{asio::make_strand(ioc)};
  asio::cancellation_signal accept_cancel;

  Impl(ServerSettings settings, const Router& r, core::Metrics& m)
      : s(std::move(settings)),
        router(r),
        metrics(m),
        workers(static_cast<std::size_t>(s.worker_threads)) {}
  // The sessions' strands must not outlive the io_context's services: a Live left in the list (its
  // coroutine never ended) goes now, or with its frame inside ~io_context, not after it.
  ~Impl() {
    std::lock_guard lock(live_mutex);
    live.clear();
  }

  // A route's early step, awaited without holding a thread (router.hpp): its answer, or nullopt
  // to go on to the handler. A step that throws goes on to the handler too. Not a coroutine: GCC
  // 12 destroyed the by-value captures of a lambda built inside a co_await expression twice.
  static auto run_early(const Early& early, Request& req, asio::any_io_executor ex) {
    return asio::async_initiate<decltype(use_awaitable), void(std::optional<Response>)>(
        [&early, &req, ex](auto handler) {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          auto resume = [h, ex](std::optional<Response> r) {
            asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
          };
          try {
            early(req, resume);
          } catch (const std::exception& e) {
            core::logger(core::LogModule::http)
                ->error("request_id={} early step failed: {}", req.request_id, e.what());
            resume(std::nullopt);
          }
        },
        use_awaitable);
  }

  awaitable<Response> dispatch(Request& req) {
    if (!parse_target(req.target, req)) {
      co_return problem(Errc::bad_request, Reason::bad_target, "the request target is malformed",
                        req.request_id);
    }
    auto m = router.match(req);
    const Handler* handler = nullptr;
    Exec exec = Exec::worker;
    if (m.route) {
      handler = &m.route->handler;
      exec = m.route->exec;
      if (m.route->early) {
        auto ex = co_await asio::this_coro::executor;
        std::optional<Response> early = co_await run_early(m.route->early, req, ex);
        if (early) co_return std::move(*early);
      }
    } else if (m.path_known) {
      auto r = problem(Errc::bad_request, Reason::method_not_allowed,
                       "this path does not accept " + req.method, req.request_id);
      r.headers.emplace_back("Allow", m.allow);
      co_return r;
    } else if ((req.method == "GET" || req.method == "HEAD") && router.fallback() &&
               req.path.rfind("/api/", 0) != 0) {
      handler = &router.fallback();
    } else {
      co_return problem(Errc::not_found, Reason::route_not_found, "no such endpoint",
                        req.request_id);
    }
    auto call = [this, handler, &req]() -> Response {
      try {
        return (*handler)(req);
      } catch (const core::Error& e) {
        if (e.code() == core::Errc::internal)
          log->error("request_id={} {} {}: {}", req.request_id, req.method, req.path, e.what());
        return problem(e, req.request_id);
      } catch (const std::exception& e) {
        log->error("request_id={} {} {}: unexpected: {}", req.request_id, req.method, req.path,
                   e.what());
        return problem(Errc::internal, Reason::none, "unexpected exception", req.request_id);
      }
    };
    if (exec == Exec::inline_) co_return call();
    if (queued_work.load() >= s.max_queued_work) {
      metrics.rejected_busy.Increment();
      co_return problem(core::Error(core::Errc::unavailable, core::Reason::server_busy,
                                    "the server is busy; retry shortly"),
                        req.request_id);
    }
    ++queued_work;
    // co_spawn onto the pool; the awaiting coroutine resumes on its own strand afterwards.
    auto r = co_await asio::co_spawn(
        workers, [&]() -> awaitable<Response> { co_return call(); }, use_awaitable);
    --queued_work;
    co_return r;
  }

  // A problem written before there is a request to answer (the connection closes after it).
  awaitable<void> write_problem(TlsStream& stream, Errc code, Reason reason, const char* detail) {
    auto id = core::new_request_id();
    auto p = problem(code, reason, detail, id);
    auto res = to_beast(p, 11, false, id, false);
    stream.next_layer().expires_after(s.read_timeout);
    co_await bhttp::async_write(stream, res, kTuple);
    metrics.count("?", p.status);
  }

  // Server-sent events: a chunked text/event-stream that lasts until the client goes, the
  // producer closes it or the server stops. A comment line every 15 s keeps proxies from
  // timing it out. Between writes it sleeps until the next keep-alive or authorisation check,
  // woken early by a pushed event (the stream's waker) or by stop()'s cancellation.
  awaitable<void> serve_events(TlsStream& stream, const Response& resp,
                               const std::string& request_id, Live& me) {
    auto events = resp.stream;
    struct Closer {
      std::shared_ptr<EventStream> ev;
      ~Closer() {
        ev->close();
        // The waker holds this session's timer and strand: the stream may outlive the server
        // (its producer keeps it), and a timer destroyed after the io_context is a
        // use-after-free (ASan, ServerShutdown tests).
        ev->set_waker(nullptr);
        if (ev->on_close) ev->on_close();
      }
    } closer{events};
    bhttp::response<bhttp::empty_body> head{bhttp::status::ok, 11};
    head.set(bhttp::field::server, "hazmond");
    head.set(bhttp::field::content_type, "text/event-stream; charset=utf-8");
    head.set(bhttp::field::cache_control, "no-store");
    head.set("X-Request-Id", request_id);
    head.set("X-Accel-Buffering", "no");
    head.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> sr{head};
    stream.next_layer().expires_after(s.read_timeout);
    auto [hec, hn] = co_await bhttp::async_write_header(stream, sr, kTuple);
    if (hec) co_return;
    auto timer = std::make_shared<asio::steady_timer>(stream.get_executor());
    auto ex = stream.get_executor();
    events->set_waker([timer, ex] { asio::post(ex, [timer] { timer->cancel(); }); });
    auto last_write = std::chrono::steady_clock::now();
    std::string first = ": connected\n\n";
    auto [fec, fn] =
        co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(first)), kTuple);
    if (fec) co_return;
    auto last_check = std::chrono::steady_clock::now();
    auto cs = co_await asio::this_coro::cancellation_state;
    while (cs.cancelled() == asio::cancellation_type::none && !events->closed()) {
      if (events->still_authorised &&
          std::chrono::steady_clock::now() - last_check >= events->recheck_every) {
        // The check may ask the database: run it on a worker, never on this I/O thread.
        // Only a raw pointer crosses into the coroutine (`events` keeps the stream alive): GCC 12
        // destroyed a by-value std::function capture of a coroutine lambda twice here.
        EventStream* ev = events.get();
        bool ok = co_await asio::co_spawn(
            workers, [ev]() -> awaitable<bool> { co_return still_authorised(*ev); }, use_awaitable);
        last_check = std::chrono::steady_clock::now();
        if (!ok) break;
        continue;
      }
      auto batch = events->take();
      std::string out;
      for (auto& e : batch) out += e;
      if (out.empty() && std::chrono::steady_clock::now() - last_write >= std::chrono::seconds(15))
        out = ": keep-alive\n\n";
      if (!out.empty()) {
        stream.next_layer().expires_after(s.read_timeout);
        auto [wec, wn] =
            co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(out)), kTuple);
        if (wec) co_return;
        last_write = std::chrono::steady_clock::now();
        continue;
      }
      auto wake = last_write + std::chrono::seconds(15);
      if (events->still_authorised) wake = std::min(wake, last_check + events->recheck_every);
      timer->expires_at(wake);
      me.idle = true;
      co_await timer->async_wait(kTuple);  // aborted by the waker or by stop()'s terminal cancel
      me.idle = false;
    }
    stream.next_layer().expires_after(std::chrono::seconds(2));
    co_await asio::async_write(stream, bhttp::make_chunk_last(), kTuple);
  }

  // Ends a connection's bookkeeping: the connection counts and its address's share.
  struct ConnectionGuard {
    Impl* self;
    std::string group;
    ~ConnectionGuard() {
      if (--self->connections == 0) {
        std::lock_guard lock(self->connections_mutex);
        self->connections_cv.notify_all();
      }
      self->metrics.active_connections.Decrement();
      std::lock_guard lock(self->per_address_mutex);
      if (auto it = self->per_address.find(group);
          it != self->per_address.end() && --it->second <= 0)
        self->per_address.erase(it);
    }
  };
  // Takes a session off the list stop() cancels.
  struct Unregister {
    Impl* self;
    std::shared_ptr<Live> me;
    ~Unregister() {
      me->ended = true;
      std::lock_guard lock(self->live_mutex);
      self->live.erase(me);
    }
  };
  using Parser = bhttp::request_parser<bhttp::string_body>;

  static bool connection_gone(beast::error_code ec) {
    return ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
           ec == asio::ssl::error::stream_truncated || ec == asio::error::operation_aborted ||
           ec == asio::error::connection_reset || ec == asio::error::eof;
  }

  // Reads the next request (header, then the body within the limit for its path) into `parser`;
  // false when the connection ends, after a problem answer where the client deserves one.
  // `started` is set when the header is in.
  awaitable<bool> read_request(TlsStream& stream, beast::flat_buffer& buffer, Parser& parser,
                               bool first, Live& me, const asio::cancellation_state& cs,
                               std::chrono::steady_clock::time_point& started) {
    parser.body_limit(s.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(s.max_header_bytes));
    // Waiting for the next request on a kept-alive connection is idle time.
    stream.next_layer().expires_after(first ? s.read_timeout : s.idle_timeout);
    if (stopping.load() || cs.cancelled() != asio::cancellation_type::none) co_return false;
    me.idle = true;
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    me.idle = false;
    constexpr const char* kTooLarge = "the request body exceeds the configured limit";
    constexpr const char* kMalformed = "the request is not valid HTTP/1.1";
    if (ec == bhttp::error::header_limit) {
      co_await write_problem(stream, Errc::too_large, Reason::header_too_large,
                             "the request headers are too large");
      co_return false;
    }
    // The parser already compares a declared Content-Length with the body limit.
    if (ec == bhttp::error::body_limit) {
      co_await write_problem(stream, Errc::too_large, Reason::body_too_large, kTooLarge);
      co_return false;
    }
    if (connection_gone(ec)) co_return false;
    if (ec) {
      co_await write_problem(stream, Errc::bad_request, Reason::malformed_request, kMalformed);
      co_return false;
    }
    started = std::chrono::steady_clock::now();
    stream.next_layer().expires_after(s.read_timeout);
    std::size_t body_limit = std::min(s.max_body_bytes, s.max_small_body_bytes);
    {
      auto target = parser.get().target();
      for (const auto& prefix : s.large_body_prefixes)
        if (target.starts_with(prefix)) body_limit = s.max_body_bytes;
    }
    parser.body_limit(body_limit);
    if (auto cl = parser.content_length(); cl && *cl > body_limit) {
      co_await write_problem(stream, Errc::too_large, Reason::body_too_large, kTooLarge);
      co_return false;
    }
    // A request without a body (every GET) is complete with its header: no read to start.
    if (parser.is_done()) co_return true;
    std::tie(ec, n) = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (ec == bhttp::error::body_limit) {
      co_await write_problem(stream, Errc::too_large, Reason::body_too_large, kTooLarge);
      co_return false;
    }
    if (ec == beast::error::timeout) {
      co_await write_problem(stream, Errc::bad_request, Reason::request_timeout,
                             "the request was not received in time");
      co_return false;
    }
    if (ec) {
      if (ec != bhttp::error::end_of_stream && ec != asio::ssl::error::stream_truncated)
        co_await write_problem(stream, Errc::bad_request, Reason::malformed_request, kMalformed);
      co_return false;
    }
    co_return true;
  }

  // Dispatches one request and writes its answer (or serves its event stream); false when the
  // connection ends after it.
  awaitable<bool> respond(TlsStream& stream, Request& req, unsigned version, bool keep_alive,
                          Live& me, const asio::cancellation_state& cs,
                          std::chrono::steady_clock::time_point started) {
    Response resp = co_await dispatch(req);
    // stop() may have come while the handler ran: this response is the connection's last.
    keep_alive = keep_alive && !stopping.load() && cs.cancelled() == asio::cancellation_type::none;
    if (after_request) {
      try {
        after_request(req, resp);
      } catch (const std::exception& e) {
        log->error("request_id={} after-request hook failed: {}", req.request_id, e.what());
      }
    }
    if (resp.stream && resp.status == 200) {
      metrics.count(req.method, resp.status);
      co_await serve_events(stream, resp, req.request_id, me);
      co_return false;
    }
    stream.next_layer().expires_after(s.read_timeout);
    beast::error_code wec;
    std::size_t wn = 0;
    if (resp.shared_body) {
      // A cached answer: head and body in one buffer (one copy of the cache's bytes), so that
      // TLS sends full records, one segment fewer than Beast's writer for a body over 16 KB.
      const auto out = serialize(
          to_beast_shared(resp, version, keep_alive, req.request_id, req.method == "HEAD"));
      std::tie(wec, wn) = co_await asio::async_write(stream, asio::buffer(out), kTuple);
    } else {
      auto res = to_beast(resp, version, keep_alive, req.request_id, req.method == "HEAD");
      std::tie(wec, wn) = co_await bhttp::async_write(stream, res, kTuple);
    }
    metrics.count(req.method, resp.status);
    metrics.latency.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    log->debug("request_id={} {} {} status={} bytes={}", req.request_id, req.method, req.path,
               resp.status, wn);
    co_return !wec && keep_alive;
  }

  awaitable<void> session(tcp::socket socket, std::string client_addr, std::string addr_group,
                          std::shared_ptr<Live> me) {
    // Total cancellation (stop() while a request is in hand) only marks this coroutine;
    // terminal cancellation (stop() while idle) also aborts the operation it waits on.
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation(),
                                                       asio::enable_terminal_cancellation());
    co_await asio::this_coro::throw_if_cancelled(
        false);  // cancelled operations answer with an error code
    auto cs = co_await asio::this_coro::cancellation_state;
    ConnectionGuard guard{this, std::move(addr_group)};
    TlsStream stream(beast::tcp_stream(std::move(socket)), tls);
    Unregister unregister{this, me};
    stream.next_layer().expires_after(s.handshake_timeout);
    me->idle = true;
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple);
    me->idle = false;
    if (hec || cs.cancelled() != asio::cancellation_type::none) co_return;

    beast::flat_buffer buffer;
    for (bool first = true;; first = false) {
      Parser parser;
      auto started = std::chrono::steady_clock::now();
      if (!co_await read_request(stream, buffer, parser, first, *me, cs, started)) break;
      auto breq = parser.release();
      Request req = to_request(breq, client_addr);
      bool keep_alive =
          breq.keep_alive() && !stopping.load() && cs.cancelled() == asio::cancellation_type::none;
      if (!co_await respond(stream, req, breq.version(), keep_alive, *me, cs, started)) break;
    }
    stream.next_layer().expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(kTuple);
  }

  awaitable<void> accept_loop() {
    co_await asio::this_coro::throw_if_cancelled(false);
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || stopping.load()) co_return;
        log->warn("accept failed: {}", ec.message());
        continue;
      }
      if (connections.load() >= s.max_connections) {
        metrics.rejected_connections.Increment();
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      std::string client_addr, group;
      {
        boost::system::error_code aec;
        auto ep = socket.remote_endpoint(aec);
        if (!aec) {
          client_addr = ep.address().to_string();
          group = core::address_group(client_addr);
        }
      }
      {
        std::lock_guard lock(per_address_mutex);
        auto& n = per_address[group];
        if (n >= s.max_connections_per_address) {
          if (n == 0) per_address.erase(group);
          metrics.rejected_per_address.Increment();
          boost::system::error_code ignored;
          socket.close(ignored);
          continue;
        }
        ++n;
      }
      // Responses go out in several TLS records; without this the last small segment waits
      // for the peer's delayed ACK (40 ms on Linux).
      boost::system::error_code nodelay_ec;
      socket.set_option(tcp::no_delay(true), nodelay_ec);
      ++connections;
      metrics.active_connections.Increment();
      auto me = std::make_shared<Live>();
      me->ex = socket.get_executor();
      {
        std::lock_guard lock(live_mutex);
        live.insert(me);
      }
      // The completion handler holds `me` too: co_spawn keeps its cancellation handler (and the
      // coroutine's cancellation state) inside the signal's storage until it calls the handler.
      auto slot = me->cancel.slot();
      asio::co_spawn(me->ex,
                     session(std::move(socket), std::move(client_addr), std::move(group), me),
                     asio::bind_cancellation_slot(slot, [this, keep = me](std::exception_ptr e) {
                       if (!e) return;
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& ex) {
                         log->error("connection ended by exception: {}", ex.what());
                       }
                     }));
    }
  }
};

Server::Server(ServerSettings s, const Router& router, core::Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(s), router, metrics)) {}

Server::~Server() {
  try {
    stop();
  } catch (...) {
    // Destruction must not throw; stop() already logged what went wrong.
  }
}

void Server::set_after_request(AfterRequest f) { impl_->after_request = std::move(f); }

unsigned short Server::start() {
  auto& i = *impl_;
  auto& ctx = i.tls;
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(ctx.native_handle(), "ECDHE+AESGCM:ECDHE+CHACHA20");
  try {
    ctx.use_certificate_chain_file(i.s.cert_file.string());
    ctx.use_private_key_file(i.s.key_file.string(), asio::ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw core::Error(core::Errc::unavailable, "cannot load TLS certificate or key (" +
                                                   i.s.cert_file.string() + ", " +
                                                   i.s.key_file.string() + "): " + e.what());
  }
  tcp::endpoint ep(asio::ip::make_address(i.s.listen_address), i.s.port);
  i.acceptor.open(ep.protocol());
  i.acceptor.set_option(asio::socket_base::reuse_address(true));
  i.acceptor.bind(ep);
  i.acceptor.listen(asio::socket_base::max_listen_connections);
  unsigned short port = i.acceptor.local_endpoint().port();
  asio::co_spawn(i.accept_strand, i.accept_loop(),
                 asio::bind_cancellation_slot(i.accept_cancel.slot(), asio::detached));
  for (int t = 0; t < i.s.io_threads; ++t) i.io_threads.emplace_back([&i] { i.ioc.run(); });
  i.log->info("listening on https://{}:{}", i.s.listen_address, port);
  return port;
}

void Server::stop() {
  auto& i = *impl_;
  if (i.io_threads.empty() || i.stopping.exchange(true)) return;
  asio::post(i.accept_strand, [&i] {
    i.accept_cancel.emit(asio::cancellation_type::terminal);
    boost::system::error_code ec;
    i.acceptor.close(ec);
  });
  {
    std::lock_guard lock(i.live_mutex);
    for (const auto& l : i.live) {
      asio::post(l->ex, [l] {
        if (!l->ended)
          l->cancel.emit(l->idle ? asio::cancellation_type::terminal
                                 : asio::cancellation_type::total);
      });
    }
  }
  // Drain: connections finish their current request and close (keep-alive is refused now).
  {
    std::unique_lock lock(i.connections_mutex);
    i.connections_cv.wait_for(lock, i.s.shutdown_grace, [&i] { return i.connections.load() == 0; });
  }
  if (i.connections.load() > 0)
    i.log->warn("{} connections still open after the grace period; closing", i.connections.load());
  i.ioc.stop();
  for (auto& t : i.io_threads) t.join();
  i.io_threads.clear();
  i.workers.join();
  i.log->info("HTTP server stopped");
}

}  // namespace hazmon::http
