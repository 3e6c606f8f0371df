#include <hazmon/notify/sms_gateway.hpp>

#include <nlohmann/json.hpp>

#include "curl_init.hpp"

namespace hazmon::notify {
namespace {
std::size_t write_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  std::size_t len = size * n;
  if (out->size() < 4096)
    out->append(buf, std::min(len, 4096 - out->size()));  // enough for an error text
  return len;
}
}  // namespace

HttpSmsGateway::HttpSmsGateway(HttpSmsSettings s) : s_(std::move(s)) { curl_global_once(); }

void HttpSmsGateway::send(const Message& m) {
  if (m.recipient.empty() || m.recipient.find_first_not_of("+0123456789") != std::string::npos)
    throw SendError("not a phone number", true);
  nlohmann::json req = {{"phone", m.recipient}, {"content", m.body}};
  if (!s_.sign_name.empty()) req["sign"] = s_.sign_name;
  std::string body = req.dump();
  std::string answer;

  CurlHandle h(curl_easy_init());
  if (!h) throw SendError("curl_easy_init failed", false);
  char err[CURL_ERROR_SIZE] = {0};
  CurlList headers(curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8"));
  if (!s_.api_key.empty())
    headers.reset(
        curl_slist_append(headers.release(), (s_.api_key_header + ": " + s_.api_key).c_str()));
  auto* c = h.get();
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(c, CURLOPT_URL, s_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, s_.verify_peer ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, s_.verify_peer ? 2L : 0L);
  if (!s_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    throw SendError(std::string("sms gateway: ") + (err[0] ? err : curl_easy_strerror(rc)), false);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return;
  // The gateway's own words help the operator, but never echo the key (it is not in the reply).
  std::string what = "sms gateway answered HTTP " + std::to_string(status);
  if (!answer.empty()) what += ": " + answer.substr(0, 200);
  bool permanent = status >= 400 && status < 500 && status != 408 && status != 429;
  throw SendError(what, permanent);
}

void RecordingSmsGateway::send(const Message& m) {
  std::lock_guard lock(mu_);
  if (failing_) throw SendError("recording sms gateway is failing (test)", false);
  sent_.push_back(m);
}

std::vector<Message> RecordingSmsGateway::sent() const {
  std::lock_guard lock(mu_);
  return sent_;
}

void RecordingSmsGateway::set_failing(bool failing) {
  std::lock_guard lock(mu_);
  failing_ = failing;
}

}  // namespace hazmon::notify
