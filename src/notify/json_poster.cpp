#include <hazmon/notify/json_poster.hpp>

#include <cctype>
#include <cstring>

#include "curl_init.hpp"

namespace hazmon::notify {
namespace {
constexpr std::size_t kAnswerCap = 8192;

std::size_t body_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  std::size_t len = size * n;
  if (out->size() < kAnswerCap) out->append(buf, std::min(len, kAnswerCap - out->size()));
  return len;
}

// Keeps Retry-After (seconds form) from the answer's headers.
std::size_t header_cb(char* buf, std::size_t size, std::size_t n, void* user) {
  auto* out = static_cast<std::optional<long>*>(user);
  std::size_t len = size * n;
  constexpr std::string_view kName = "retry-after:";
  if (len > kName.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kName.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(buf[i])) == kName[i];
    if (match) {
      std::string v(buf + kName.size(), len - kName.size());
      auto b = v.find_first_of("0123456789");
      if (b != std::string::npos) {
        long s = 0;
        for (auto i = b; i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])); ++i)
          s = std::min(s * 10 + (v[i] - '0'), 86400L);
        *out = s;
      }
    }
  }
  return len;
}
}  // namespace

JsonPoster::JsonPoster(JsonPosterSettings s) : s_(std::move(s)) { curl_global_once(); }

PostResult JsonPoster::post(const std::string& path, const std::string& json_body,
                            const std::string& bearer) const {
  PostResult out;
  CurlHandle h(curl_easy_init());
  if (!h) {
    out.error = "curl_easy_init failed";
    return out;
  }
  char err[CURL_ERROR_SIZE] = {0};
  CurlList headers(curl_slist_append(nullptr, "Content-Type: application/json"));
  headers.reset(curl_slist_append(headers.release(), ("Authorization: Bearer " + bearer).c_str()));
  std::string url = s_.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += path;
  auto* c = h.get();
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.timeout.count()));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!s_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, s_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(json_body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.retry_after_s);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    out.error = err[0] ? err : curl_easy_strerror(rc);
    return out;
  }
  out.transport_ok = true;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

}  // namespace hazmon::notify
