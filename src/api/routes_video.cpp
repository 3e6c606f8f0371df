// Video AI events (视频智能分析): the review queue (人工审核), evidence, statistics, camera
// status and HLS playback (视频调阅). Every route is scoped: outside the caller's scope → 404.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/video_service.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "request_helpers.hpp"
#include "video_json.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using http::Response;
using model::Principal;
using nlohmann::json;

namespace {
// Camera codes follow the registry's pattern ^[0-9A-Za-z]{1,32}$.
const std::string& video_id_param(Request& req) {
  const auto& v = req.params["video_id"];
  if (v.empty() || v.size() > 32 ||
      v.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") !=
          std::string::npos)
    throw Error(Errc::not_found, "no such camera");
  return v;
}

// Evidence and segments are a few MB at most; they are sent whole from the worker pool.
constexpr std::uintmax_t kMaxFileBytes = 256ull << 20;

Response file_response(const service::MediaFile& f) {
  std::error_code ec;
  auto size = std::filesystem::file_size(f.path, ec);
  if (ec) throw Error(Errc::not_found, "the file is gone");
  if (size > kMaxFileBytes) throw Error(Errc::internal, "file too large to send");
  std::ifstream in(f.path, std::ios::binary);
  if (!in) throw Error(Errc::not_found, "the file is gone");
  std::ostringstream ss;
  ss << in.rdbuf();
  Response r;
  r.status = 200;
  r.content_type = f.content_type;
  r.body = ss.str();
  r.headers.emplace_back("Cache-Control", "private, max-age=3600");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

Response playlist_response(std::string body) {
  Response r;
  r.status = 200;
  r.content_type = "application/vnd.apple.mpegurl";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

service::VideoService& video_of(const ApiContext& ctx) {
  if (!ctx.video)
    throw Error(Errc::not_found, core::Reason::video_disabled,
                "this server has no video: built without it (HAZMON_WITH_VIDEO=OFF) or serving "
                "without a video service");
  return *ctx.video;
}

core::SysTime required_time(Request& req, const char* key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) throw Error(Errc::bad_request, std::string(key) + " is required");
  auto t = core::parse_time(it->second);
  if (!t)
    throw Error(Errc::bad_request, std::string(key) + " must be RFC 3339 or yyyy-MM-dd HH:mm:ss");
  return *t;
}
// The review queue, its evidence and statistics, and the recording segments.
void add_event_routes(http::Router& r, ApiContext& ctx) {
  r.add("GET", "/api/v1/video/events", authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"state", "analyser", "company_code", "video_id", "from", "to", "limit",
                            "offset"});
          auto filters =
              query_subset(req, {"state", "analyser", "company_code", "video_id", "from", "to"});
          auto limit = query_int(req, "limit", 50, 1, 500);
          auto offset = query_int(req, "offset", 0, 0, 1 << 30);
          return json_response(
              200, video_json::event_page(video_of(ctx).list(who, filters, limit, offset), limit,
                                          offset));
        }));
  r.add("GET", "/api/v1/video/events/{id}",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(
              200, video_json::event_view(video_of(ctx).get(who, id_param(req, "video event"))));
        }));
  r.add("POST", "/api/v1/video/events/{id}/review",
        authed(ctx, "video.review", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "video event");
          return json_response(
              200, video_json::event_view(video_of(ctx).review(who, id, parse_json_body(req))));
        }));
  r.add(
      "GET", "/api/v1/video/events/{id}/snapshot",
      authed(ctx, "", [&ctx](Request& req, const Principal& who) {
        check_query(req, {});
        return file_response(video_of(ctx).evidence(who, id_param(req, "video event"), "snapshot"));
      }));
  r.add("GET", "/api/v1/video/events/{id}/clip",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return file_response(video_of(ctx).evidence(who, id_param(req, "video event"), "clip"));
        }));
  r.add("GET", "/api/v1/video/statistics",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"from", "to", "company_code", "analyser", "period", "group_by"});
          std::map<std::string, std::string> filters(req.query.begin(), req.query.end());
          return json_response(200, video_json::statistics(video_of(ctx).statistics(who, filters)));
        }));
  r.add("GET", "/api/v1/video/segments/{id}",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return file_response(video_of(ctx).segment(who, id_param(req, "segment")));
        }));
}

// Cameras: their states, credentials and HLS playlists.
void add_camera_routes(http::Router& r, ApiContext& ctx) {
  // Cameras in scope with their states in one answer (the camera list page asked for each
  // camera's status on its own: 500 requests per visit).
  r.add("GET", "/api/v1/video/cameras", authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"company_code", "q", "limit", "offset"});
          auto company = query_or(req, "company_code", "");
          if (!company.empty() && (company.size() != 11 ||
                                   company.find_first_not_of("0123456789") != std::string::npos))
            throw Error(Errc::bad_request, "company_code is 11 digits");
          auto q = query_or(req, "q", "");
          if (q.size() > 64) throw Error(Errc::bad_request, "q is at most 64 bytes");
          auto limit = query_int(req, "limit", 100, 1, 1000);
          auto offset = query_int(req, "offset", 0, 0, 1 << 30);
          return json_response(
              200, video_json::camera_page(
                       video_of(ctx).camera_states(who, company, q, limit, offset), limit, offset));
        }));
  r.add("GET", "/api/v1/cameras/{video_id}/status",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(
              200, video_json::camera_state(video_of(ctx).camera_status(who, video_id_param(req))));
        }));
  // Camera credentials (ADR 0014): sealed with the server key, never answered back.
  r.add("PUT", "/api/v1/cameras/{video_id}/credential",
        authed(ctx, "camera.credential.set", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          video_of(ctx).set_credential(who, video_id_param(req), parse_json_body(req));
          return Response::no_content();
        }));
  r.add("DELETE", "/api/v1/cameras/{video_id}/credential",
        authed(ctx, "camera.credential.delete", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          video_of(ctx).delete_credential(who, video_id_param(req));
          return Response::no_content();
        }));
  r.add("GET", "/api/v1/cameras/{video_id}/playback.m3u8",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {"from", "to"});
          return playlist_response(video_of(ctx).playback_playlist(
              who, video_id_param(req), required_time(req, "from"), required_time(req, "to")));
        }));
  r.add("GET", "/api/v1/cameras/{video_id}/live.m3u8",
        authed(ctx, "", [&ctx](Request& req, const Principal& who) {
          check_query(req, {});
          return playlist_response(video_of(ctx).live_playlist(who, video_id_param(req)));
        }));
}

}  // namespace

void add_video_routes(http::Router& r, ApiContext& ctx) {
  // Without a VideoService (a hazmond built with HAZMON_WITH_VIDEO=OFF) every route still
  // exists and answers 404 video_disabled, so that clients can tell it from a wrong path.
  add_event_routes(r, ctx);
  add_camera_routes(r, ctx);
}

}  // namespace hazmon::api
