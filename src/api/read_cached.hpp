#pragma once
// GET handlers answered from the response cache (ADR 0018; include/hazmon/api/response_cache.hpp).
#include "request_helpers.hpp"

namespace hazmon::api {

enum class Freshness {
  registry,  // the answer depends on registry rows only: reused while the registry version holds
  live,      // it also holds live figures: reused for at most read_cache's live_max_age as well
};

// Wraps an authenticated GET handler: a 200 answer gets a strong ETag (If-None-Match → 304) and
// is kept under (role, scope, path, query) and the registry version read before the handler ran,
// so a write committed on any node before a request is always in its answer. Without
// ctx.response_cache the handler runs as it is.
AuthedHandler read_cached(ApiContext& ctx, Freshness f, AuthedHandler h);

// The same route's early step (http::Early, run on the I/O thread before the worker pool): for a
// token this process resolved within auth.principal_cache (AuthService::authenticate_cached), it
// awaits the registry version without holding a thread (ResponseCache::version_async) and sends
// a cached answer (or its 304) from there. Anything else (a miss, an unknown token, no version)
// goes on to the worker, which then reuses the version read here. `applies`: whether the
// request's answer is cached at all (unset: always).
http::Early read_cached_early(ApiContext& ctx, Freshness f,
                              std::function<bool(const http::Request&)> applies = {});

}  // namespace hazmon::api
