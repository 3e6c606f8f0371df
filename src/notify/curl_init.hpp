#pragma once
// libcurl's global state is set up once per process, before the first handle, from whichever
// thread sends first.
#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace hazmon::notify {

inline void curl_global_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using CurlList = std::unique_ptr<curl_slist, SlistDeleter>;

}  // namespace hazmon::notify
