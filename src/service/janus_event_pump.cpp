#include "janus_event_pump.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>

namespace hazmon::service {
using nlohmann::json;
namespace chr = std::chrono;

namespace {
constexpr auto kLongPoll = chr::seconds(35);  // Janus answers a long poll within 30 s
constexpr std::size_t kMaxBody = 1 << 20;

std::size_t body_cb(char* p, std::size_t size, std::size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  if (s->size() + size * n > kMaxBody) return 0;
  s->append(p, size * n);
  return size * n;
}
}  // namespace

// A watch with its transfer: one easy handle, restarted for each long poll.
struct JanusEventPump::Active {
  JanusWatch w;
  CURL* easy = nullptr;
  std::string body;
  ~Active() {
    if (easy) curl_easy_cleanup(easy);
  }
};

JanusEventPump::JanusEventPump(std::string url, std::string api_secret, std::size_t max_watches)
    : url_(std::move(url)), secret_(std::move(api_secret)), max_(max_watches) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

JanusEventPump::~JanusEventPump() { stop(); }

bool JanusEventPump::watch(JanusWatch w) {
  std::lock_guard lock(m_);
  if (stop_.load() || count_.load() >= max_) return false;
  if (!multi_) {
    multi_ = curl_multi_init();
    if (!multi_) return false;
    thread_ = std::thread([this] { run(); });
  }
  ++count_;
  incoming_.push_back(std::move(w));
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  return true;
}

void JanusEventPump::stop() {
  {
    std::lock_guard lock(m_);
    if (stop_.exchange(true)) return;
    if (multi_) curl_multi_wakeup(static_cast<CURLM*>(multi_));
  }
  if (thread_.joinable()) thread_.join();
  std::vector<JanusWatch> never_started;
  {
    std::lock_guard lock(m_);
    never_started.swap(incoming_);
  }
  for (auto& w : never_started) w.ended();
  if (multi_) curl_multi_cleanup(static_cast<CURLM*>(multi_));
  multi_ = nullptr;
}

namespace {
// The long poll of a watch, (re)started on its easy handle.
void start_poll(CURLM* multi, CURL* easy, std::string& body) {
  body.clear();
  curl_multi_add_handle(multi, easy);
}
}  // namespace

void JanusEventPump::run() {
  auto last_check = chr::steady_clock::now();
  while (!stop_.load()) {
    adopt_new();
    int running = 0;
    curl_multi_perform(static_cast<CURLM*>(multi_), &running);
    read_finished();
    // A client gone, a session no longer the person's: ended within about a second.
    if (chr::steady_clock::now() - last_check >= chr::seconds(1)) {
      last_check = chr::steady_clock::now();
      drop_dead();
    }
    curl_multi_poll(static_cast<CURLM*>(multi_), nullptr, 0, 1000, nullptr);
  }
  while (!active_.empty()) end(active_.begin());
}

void JanusEventPump::end(ActiveMap::iterator it) {
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), static_cast<CURL*>(it->first));
  auto a = std::move(it->second);
  active_.erase(it);
  --count_;
  a->w.ended();
}

void JanusEventPump::adopt_new() {
  std::vector<JanusWatch> fresh;
  {
    std::lock_guard lock(m_);
    fresh.swap(incoming_);
  }
  for (auto& w : fresh) {
    auto a = std::make_unique<Active>();
    a->w = std::move(w);
    a->easy = curl_easy_init();
    if (!a->easy) {
      --count_;
      a->w.ended();
      continue;
    }
    // The secret is URL-safe (docs/calls.md): no escaping.
    auto url = url_ + "/" + std::to_string(a->w.session) + "?maxev=10&apisecret=" + secret_;
    curl_easy_setopt(a->easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(a->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(a->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(a->easy, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(chr::milliseconds(kLongPoll).count()));
    curl_easy_setopt(a->easy, CURLOPT_WRITEFUNCTION, body_cb);
    curl_easy_setopt(a->easy, CURLOPT_WRITEDATA, &a->body);
    start_poll(static_cast<CURLM*>(multi_), a->easy, a->body);
    auto* easy = a->easy;
    active_.emplace(easy, std::move(a));
  }
}

void JanusEventPump::read_finished() {
  auto* multi = static_cast<CURLM*>(multi_);
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    auto it = active_.find(msg->easy_handle);
    if (it == active_.end()) continue;
    long status = 0;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
    auto& a = *it->second;
    bool go_on = msg->data.result == CURLE_OK && status == 200;
    // Janus's events, or its error (the session is gone: 458), which ends the watch.
    auto j = json::parse(a.body, nullptr, false);
    if (msg->data.result != CURLE_OK || j.is_discarded()) {
      go_on = false;
    } else {
      if (!j.is_array()) j = json::array({j});
      for (const auto& e : j) {
        if (!e.is_object()) continue;
        auto kind = e.value("janus", "");
        if (kind == "keepalive") continue;
        a.w.deliver(e.dump());
        if (kind == "error") go_on = false;
      }
    }
    if (go_on && a.w.alive()) {
      curl_multi_remove_handle(multi, a.easy);
      start_poll(multi, a.easy, a.body);
    } else {
      end(it);
    }
  }
}

void JanusEventPump::drop_dead() {
  for (auto it = active_.begin(); it != active_.end();) {
    if (it->second->w.alive()) {
      ++it;
      continue;
    }
    auto next = std::next(it);
    end(it);
    it = next;
  }
}

}  // namespace hazmon::service
