// Cameras for people: the registry's check on a camera row, camera credentials (ADR 0014),
// stream states (live, else stored), and HLS playback over the recording segment index.
#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/model/camera_url.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/storage/database.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

#include "video_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;
using namespace video_detail;

namespace {

// Roles that see a stream's own error text; everyone else reads "unreachable".
bool sees_stream_errors(model::Role r) {
  return r == model::Role::operator_ || r == model::Role::province_admin;
}

bool plain_text(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

model::StreamStatus live_of(const video::CameraStatus& l) {
  model::StreamStatus s;
  s.source = model::StatusSource::live;
  s.state = state_of(l.state);
  s.last_frame_at = l.last_frame_at;
  s.last_error = l.last_error;
  s.width = l.width;
  s.height = l.height;
  s.frames_decoded = static_cast<long long>(l.frames_decoded);
  s.frames_analysed = static_cast<long long>(l.frames_analysed);
  s.frames_dropped = static_cast<long long>(l.frames_dropped);
  s.reconnects = static_cast<long long>(l.reconnects);
  return s;
}

// Issue 9: "connection refused", "invalid data" and "unauthorized" tell an address probe what
// lives at an address. Only operators and province admins read the stream's own words.
void generic_errors(const model::Principal& who, model::StreamStatus& s) {
  if (!sees_stream_errors(who.role) && !s.last_error.empty()) s.last_error = "unreachable";
}

void require_camera_writer(const model::Principal& who) {
  if (!model::can_write_registry(who.role))
    throw Error(Errc::forbidden, std::string("the role ") +
                                     std::string(model::to_string(who.role)) +
                                     " may not change cameras");
}

// The validated {username, password} of a credential body, or 422 listing the problems.
std::pair<std::string, std::string> credential_body(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be a JSON object",
                {{"", "expected an object"}});
  std::vector<core::FieldError> problems;
  for (auto& [k, v] : body.items())
    if (k != "username" && k != "password") problems.push_back({"/" + k, "unknown field"});
  auto text = [&](const char* k, std::size_t max) -> std::string {
    if (!body.contains(k) || !body[k].is_string()) {
      problems.push_back({std::string("/") + k, "must be a string"});
      return {};
    }
    auto v = body[k].get<std::string>();
    if (v.empty() || v.size() > max)
      problems.push_back({std::string("/") + k, "must be 1 to " + std::to_string(max) + " bytes"});
    else if (!plain_text(v))
      problems.push_back({std::string("/") + k, "must not contain control characters"});
    return v;
  };
  auto user = text("username", 128);
  auto pass = text("password", 256);
  if (!problems.empty())
    throw Error(Errc::validation_failed, "the credential is not valid", problems);
  return {user, pass};
}

// An HLS media playlist's head and one segment's lines.
std::string playlist_head(const std::vector<storage::SegmentRow>& rows, bool vod) {
  long long max_ms = 1000;
  for (const auto& r : rows) max_ms = std::max(max_ms, r.duration_ms);
  return std::string("#EXTM3U\n#EXT-X-VERSION:3\n") + (vod ? "#EXT-X-PLAYLIST-TYPE:VOD\n" : "") +
         "#EXT-X-TARGETDURATION:" + std::to_string((max_ms + 999) / 1000) +
         "\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(rows[0].seq) + "\n";
}
std::string playlist_entry(const std::string& start, long long duration_ms, long long id) {
  char inf[48];
  std::snprintf(inf, sizeof inf, "#EXTINF:%.3f,\n", static_cast<double>(duration_ms) / 1000.0);
  return "#EXT-X-PROGRAM-DATE-TIME:" + start + "\n" + inf + "/api/v1/video/segments/" +
         std::to_string(id) + "\n";
}

}  // namespace

model::CameraInfo VideoService::Impl::camera_in_scope(storage::Tx& tx, const model::Principal& who,
                                                      const std::string& video_id) const {
  if (video_id.empty() || video_id.size() > 32) throw Error(Errc::not_found, "no such camera");
  auto cam = store.camera(tx, who.scope, video_id);
  if (!cam) throw Error(Errc::not_found, "no such camera");
  return std::move(*cam);
}

std::vector<core::FieldError> VideoService::check_camera_row(const json& row) const {
  std::vector<core::FieldError> out;
  auto& i = *impl_;
  const std::string company = row.contains("company_code") && row["company_code"].is_string()
                                  ? row["company_code"].get<std::string>()
                                  : "";
  std::optional<std::vector<model::Cidr>> allowed;
  const auto local = model::local_interface_addresses();
  for (const char* k : {"rtsp_url", "rtsp_sub_url"}) {
    if (!row.contains(k) || !row[k].is_string()) continue;
    if (!allowed) {
      auto gateways =
          i.db.in_tx([&](storage::Tx& tx) { return i.store.video_gateways(tx, company); });
      allowed = model::networks_for(i.s.allowed_networks, company, gateways);
    }
    if (auto why =
            model::check_camera_url(row[k].get<std::string>(), *allowed, i.s.own_ports, local);
        !why.empty())
      out.push_back({std::string("/") + k, "the URL " + why});
  }
  return out;
}

void VideoService::set_credential(const model::Principal& who, const std::string& video_id,
                                  const json& body) {
  auto& i = *impl_;
  require_person(who, "camera credentials are set by people, not machine credentials");
  auto [user, pass] = credential_body(body);
  i.db.in_tx([&](storage::Tx& tx) {
    auto cam = i.camera_in_scope(tx, who, video_id);
    require_camera_writer(who);
    if (!i.s.secret_box)
      throw Error(Errc::unavailable, core::Reason::feature_disabled,
                  "no server key is configured: camera credentials cannot be stored");
    auto sealed = i.s.secret_box->seal(json{{"u", user}, {"p", pass}}.dump(),
                                       credential_context(cam.company_code, video_id));
    i.store.set_credential(tx, video_id, sealed);
  });
  reload_cameras();
}

void VideoService::delete_credential(const model::Principal& who, const std::string& video_id) {
  auto& i = *impl_;
  require_person(who, "camera credentials are set by people, not machine credentials");
  i.db.in_tx([&](storage::Tx& tx) {
    i.camera_in_scope(tx, who, video_id);
    require_camera_writer(who);
    i.store.clear_credential(tx, video_id);
  });
  reload_cameras();
}

model::CameraState VideoService::camera_status(const model::Principal& who,
                                               const std::string& video_id) {
  require_person(who, "camera status is for people, not machine credentials");
  auto& i = *impl_;
  model::CameraState out;
  std::optional<model::StreamStatus> stored;
  {
    auto tx = i.db.begin();
    out.camera = i.camera_in_scope(tx, who, video_id);
    stored = i.store.stored_status(tx, video_id);
    out.recording = i.store.recording(tx, video_id);
  }
  std::optional<video::CameraStatus> live;
  for (auto& st : i.live_status())
    if (st.video_id == video_id) live = std::move(st);
  if (live)
    out.status = live_of(*live);
  else if (stored)
    out.status = std::move(*stored);
  generic_errors(who, out.status);
  return out;
}

model::CameraStatePage VideoService::camera_states(const model::Principal& who,
                                                   const std::string& company_code,
                                                   const std::string& q, int limit,
                                                   long long offset) {
  require_person(who, "camera status is for people, not machine credentials");
  auto& i = *impl_;
  model::CameraStatePage page;
  {
    auto tx = i.db.begin();
    page = i.store.camera_states(tx, who.scope, company_code, q, limit, offset);
  }
  std::map<std::string, video::CameraStatus> live;
  for (auto& st : i.live_status()) live.emplace(st.video_id, std::move(st));
  for (auto& c : page.items) {
    // The stream worker's own state when this process runs the camera, else the stored one.
    if (auto l = live.find(c.camera.video_id); l != live.end()) c.status = live_of(l->second);
    generic_errors(who, c.status);
  }
  return page;
}

std::string VideoService::playback_playlist(const model::Principal& who,
                                            const std::string& video_id, core::SysTime from,
                                            core::SysTime to) {
  require_person(who, "playback is for people, not machine credentials");
  auto& i = *impl_;
  if (to <= from) throw Error(Errc::bad_request, "to must be after from");
  if (to - from > i.s.max_playback_span)
    throw Error(Errc::bad_request, "a playback range is at most " +
                                       std::to_string(i.s.max_playback_span.count()) + " hours");
  auto tx = i.db.begin();
  i.camera_in_scope(tx, who, video_id);
  // Segments overlapping the range (one may start before `from`).
  auto rows = i.store.segments(tx, video_id, from, to);
  if (rows.empty()) throw Error(Errc::not_found, "no recording in this range");
  std::string out = playlist_head(rows, true);
  std::optional<core::SysTime> expected;
  for (const auto& r : rows) {
    auto dur = milliseconds(r.duration_ms);
    // A gap (camera offline, server restarted) is a discontinuity for the player.
    if (expected && (r.start_at - *expected > seconds(1) || *expected - r.start_at > seconds(1)))
      out += "#EXT-X-DISCONTINUITY\n";
    expected = r.start_at + dur;
    out += playlist_entry(core::format_rfc3339(r.start_at), r.duration_ms, r.id);
  }
  out += "#EXT-X-ENDLIST\n";
  return out;
}

std::string VideoService::live_playlist(const model::Principal& who, const std::string& video_id) {
  require_person(who, "live view is for people, not machine credentials");
  auto& i = *impl_;
  auto tx = i.db.begin();
  i.camera_in_scope(tx, who, video_id);
  auto rows = i.store.latest_segments(tx, video_id, std::max(1, i.s.live_segments));
  if (rows.empty())
    throw Error(Errc::not_found, "this camera has no recent segments (is recording on?)");
  std::string out = playlist_head(rows, false);
  for (const auto& r : rows) out += playlist_entry(video_time(r.start_at), r.duration_ms, r.id);
  return out;  // no ENDLIST: the player reloads it
}

MediaFile VideoService::segment(const model::Principal& who, long long id) {
  require_person(who, "playback is for people, not machine credentials");
  auto tx = impl_->db.begin();
  auto rel = impl_->store.segment_path(tx, who.scope, id);
  if (!rel) throw Error(Errc::not_found, "no such segment");
  auto path = inside(impl_->s.recording_dir, *rel, "segment");
  auto ext = path.extension().string();
  return {path, ext == ".ts"                     ? "video/mp2t"
                : ext == ".mp4" || ext == ".m4s" ? "video/mp4"
                                                 : "application/octet-stream"};
}

}  // namespace hazmon::service
