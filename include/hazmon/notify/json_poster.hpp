#pragma once
// One HTTPS POST of a JSON body with a bearer credential, blocking, for a worker thread (the
// city federation's forwarder, docs/federation.md). libcurl stays inside notify, which owns
// hazmond's outgoing HTTP. The server's certificate is always verified (against ca_file when
// set, else the system's CAs); there is no switch to turn that off.
#include <chrono>
#include <optional>
#include <string>

namespace hazmon::notify {

struct JsonPosterSettings {
  std::string base_url;  // https://province.example:8443
  std::string ca_file;   // PEM: the CA (or the self-signed certificate) of that server
  std::chrono::milliseconds timeout{10000};
};

struct PostResult {
  bool transport_ok = false;  // false: no HTTP answer (connect, TLS, timeout); see error
  long status = 0;
  std::string body;  // the first 8 KiB of the answer
  std::optional<long> retry_after_s;
  std::string error;
};

class JsonPoster {
 public:
  explicit JsonPoster(JsonPosterSettings s);
  // POST base_url + path with `Authorization: Bearer <bearer>`; never throws for a failed
  // transfer (the result says so). The bearer is never logged nor put in `error`.
  PostResult post(const std::string& path, const std::string& json_body,
                  const std::string& bearer) const;

 private:
  JsonPosterSettings s_;
};

}  // namespace hazmon::notify
