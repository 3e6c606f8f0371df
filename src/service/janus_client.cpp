#include "janus_client.hpp"

#include <curl/curl.h>

#include <memory>

#include <hazmon/core/error.hpp>
#include <hazmon/core/random.hpp>

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;

namespace {
std::size_t body_cb(char* p, std::size_t size, std::size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  constexpr std::size_t kMaxBody = 1 << 20;  // Janus's answers are small; a bound all the same
  if (s->size() + size * n > kMaxBody) return 0;
  s->append(p, size * n);
  return size * n;
}

// libcurl calls it about once a second even while nothing arrives (a long poll).
int progress_cb(void* abort, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(abort)->load() ? 1 : 0;
}

void unavailable(const std::string& what) {
  throw Error(Errc::unavailable, "the video call server (Janus) does not answer: " + what);
}

long long id_of(const JanusReply& r, const char* step) {
  if (r.status != 200) unavailable(step);
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded() || j.value("janus", "") != "success" || !j.contains("data") ||
      !j["data"].contains("id") || !j["data"]["id"].is_number_integer())
    unavailable(step);
  return j["data"]["id"].get<long long>();
}
}  // namespace

JanusClient::JanusClient(std::string url, std::string api_secret, std::chrono::milliseconds timeout,
                         const std::atomic<bool>* abort)
    : url_(std::move(url)), api_secret_(std::move(api_secret)), timeout_(timeout), abort_(abort) {
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
}

JanusReply JanusClient::request(const std::string& url, const std::string* body,
                                std::chrono::milliseconds timeout) const {
  JanusReply out;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), curl_easy_cleanup);
  if (!h) return out;
  auto* c = h.get();
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  if (abort_) {
    if (abort_->load()) return out;
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(abort_));
  }
  if (curl_easy_perform(c) != CURLE_OK) return {};
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

JanusReply JanusClient::post(const std::string& path, json body) const {
  body["apisecret"] = api_secret_;
  if (!body.contains("transaction")) body["transaction"] = core::random_token(9);
  auto text = body.dump();
  return request(url_ + path, &text, timeout_);
}

JanusReply JanusClient::get(const std::string& path_and_query,
                            std::chrono::milliseconds timeout) const {
  auto sep = path_and_query.find('?') == std::string::npos ? "?" : "&";
  // The secret is a URL-safe token (docs/calls.md), so it needs no escaping.
  return request(url_ + path_and_query + sep + "apisecret=" + api_secret_, nullptr, timeout);
}

json JanusClient::videoroom(const json& body) const {
  auto session = id_of(post("", {{"janus", "create"}}), "create session");
  auto path = "/" + std::to_string(session);
  json answer;
  try {
    auto handle =
        id_of(post(path, {{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}}), "attach");
    // Room requests (create, destroy, allowed) are synchronous: the answer is in the reply.
    auto r = post(path + "/" + std::to_string(handle), {{"janus", "message"}, {"body", body}});
    if (r.status != 200) unavailable("videoroom request");
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.contains("plugindata") || !j["plugindata"].contains("data"))
      unavailable("videoroom request");
    answer = j["plugindata"]["data"];
  } catch (...) {
    post(path, {{"janus", "destroy"}});
    throw;
  }
  post(path, {{"janus", "destroy"}});
  if (answer.contains("error_code"))
    throw Error(Errc::unavailable, "the video call server refused the request: " +
                                       answer.value("error", std::string("error")));
  return answer;
}

}  // namespace hazmon::service
