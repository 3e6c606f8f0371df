#include "video_json.hpp"

#include <hazmon/core/time_format.hpp>
#include <hazmon/service/video_service.hpp>

namespace hazmon::api::video_json {
using nlohmann::json;

namespace {

json time_or_null(const std::optional<core::SysTime>& t) {
  return t ? json(service::video_time(*t)) : json(nullptr);
}

template <typename T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json counts(const model::VideoReviewCounts& c) {
  return {{"events", c.events},
          {"pending", c.pending},
          {"confirmed", c.confirmed},
          {"rejected", c.rejected},
          {"false_alarm_rate", or_null(c.false_alarm_rate)}};
}

using Line = model::VideoStatLine;

// One line of a grouping: its own fields and the counts.
template <typename Fill>
json lines(const std::vector<Line>& ls, Fill fill) {
  json out = json::array();
  for (const auto& l : ls) {
    auto j = counts(l.counts);
    fill(l, j);
    out.push_back(std::move(j));
  }
  return out;
}

void put_status(json& out, const model::StreamStatus& s) {
  out["source"] = "none";
  out["state"] = "unknown";
  if (s.source == model::StatusSource::none) return;
  bool live = s.source == model::StatusSource::live;
  out["source"] = live ? "live" : "stored";
  out["state"] = model::to_string(s.state);
  // The worker's own time is written at millisecond precision, the stored one as PostgreSQL has it.
  out["last_frame_at"] = !s.last_frame_at ? json(nullptr)
                         : live           ? json(core::format_rfc3339(*s.last_frame_at))
                                          : json(service::video_time(*s.last_frame_at));
  out["last_error"] = s.last_error;
  out["width"] = s.width;
  out["height"] = s.height;
  if (live) out["frames_decoded"] = s.frames_decoded;
  out["frames_analysed"] = s.frames_analysed;
  out["frames_dropped"] = s.frames_dropped;
  out["reconnects"] = s.reconnects;
  if (!live) out["updated_at"] = time_or_null(s.updated_at);
}

}  // namespace

json event(const model::VideoEventRecord& e) {
  auto id = std::to_string(e.id);
  return {
      {"id", e.id},
      {"video_id", e.video_id},
      {"camera_name", e.camera_name},
      {"camera_location", or_null(e.camera_location)},
      {"lon", or_null(e.lon)},
      {"lat", or_null(e.lat)},
      {"scene_type", e.scene_type},
      {"company_code", e.company_code},
      {"company_name", e.company_name},
      {"region_code", e.region_code},
      {"analyser", model::to_string(e.analyser)},
      {"kind", e.kind},
      {"episode_id", e.episode_id},
      {"phase", model::to_string(e.phase)},
      {"confidence", e.confidence},
      {"boxes", json::parse(e.boxes)},
      {"roi_name", e.roi_name},
      {"roi", json::parse(e.roi)},
      {"started_at", service::video_time(e.started_at)},
      {"ended_at", time_or_null(e.ended_at)},
      {"detail", e.detail},
      {"review_state", model::to_string(e.review_state)},
      {"reviewed_by", or_null(e.reviewed_by)},
      {"reviewed_name", or_null(e.reviewed_name)},
      {"reviewed_role", or_null(e.reviewed_role)},
      {"reviewed_at", time_or_null(e.reviewed_at)},
      {"review_reason", or_null(e.review_reason)},
      {"warning_event_id", or_null(e.warning_event_id)},
      {"has_snapshot", e.has_snapshot},
      {"has_clip", e.has_clip},
      {"created_at", service::video_time(e.created_at)},
      {"updated_at", service::video_time(e.updated_at)},
      {"snapshot_url", e.has_snapshot ? json("/api/v1/video/events/" + id + "/snapshot") : json()},
      {"clip_url", e.has_clip ? json("/api/v1/video/events/" + id + "/clip") : json()},
  };
}

json event_view(const model::VideoEventView& v) {
  auto out = event(v.event);
  out["allowed_decisions"] = v.may_review ? json::array({"confirm", "reject"}) : json::array();
  out["warning_level"] = v.warning_level;
  return out;
}

json event_page(const model::VideoEventPage& p, int limit, long long offset) {
  json items = json::array();
  for (const auto& e : p.items) items.push_back(event(e));
  return {{"items", std::move(items)}, {"total", p.total}, {"limit", limit}, {"offset", offset}};
}

json statistics(const model::VideoStatistics& s) {
  json filters = json::object();
  for (const auto& [k, v] : s.filters) filters[k] = v;
  filters["period"] = s.period;
  filters["group_by"] = s.group_by;
  json out = {{"filters", std::move(filters)}, {"totals", counts(s.totals)}};
  auto analyser = [](const Line& l, json& j) { j["analyser"] = model::to_string(l.analyser); };
  out["by_analyser"] = lines(s.by_analyser, analyser);
  out["by_kind"] = lines(s.by_kind, [&](const Line& l, json& j) {
    analyser(l, j);
    j["kind"] = l.kind;
  });
  out["by_enterprise"] = lines(s.by_enterprise, [](const Line& l, json& j) {
    j["rank"] = l.rank;
    j["company_code"] = l.company_code;
    j["company_name"] = l.company_name;
    j["region_code"] = l.region_code;
  });
  out["by_city"] = lines(s.by_city, [](const Line& l, json& j) {
    j["rank"] = l.rank;
    j["city_code"] = l.city_code;
    j["city_name"] = or_null(l.city_name);
  });
  out["by_camera"] = lines(s.by_camera, [](const Line& l, json& j) {
    j["video_id"] = l.video_id;
    j["camera_name"] = l.camera_name;
    j["company_code"] = l.company_code;
    j["company_name"] = l.company_name;
  });
  out["by_period"] = lines(s.by_period, [](const Line& l, json& j) { j["period"] = l.period; });
  // `ranking`: the list chosen by group_by, each row with a display `name` (the dashboard's table).
  const auto& chosen = s.group_by == "city"       ? s.by_city
                       : s.group_by == "camera"   ? s.by_camera
                       : s.group_by == "analyser" ? s.by_analyser
                                                  : s.by_enterprise;
  json ranking = out["by_" + s.group_by];
  for (std::size_t k = 0; k < ranking.size(); ++k) {
    const auto& l = chosen[k];
    ranking[k]["name"] = s.group_by == "city"       ? or_null(l.city_name)
                         : s.group_by == "camera"   ? json(l.camera_name)
                         : s.group_by == "analyser" ? json(model::chinese_name(l.analyser))
                                                    : json(l.company_name);
  }
  out["ranking"] = std::move(ranking);
  return out;
}

json camera_state(const model::CameraState& c) {
  const auto& cam = c.camera;
  json out = {{"video_id", cam.video_id},
              {"name", cam.name},
              {"company_code", cam.company_code},
              {"company_name", cam.company_name},
              {"location", or_null(cam.location)},
              {"scene_type", cam.scene_type},
              {"record", cam.record},
              {"is_active", cam.is_active},
              {"has_stream", cam.has_stream},
              {"recording",
               {{"segments", c.recording.segments},
                {"first_segment_at", time_or_null(c.recording.first_segment_at)},
                {"last_segment_at", time_or_null(c.recording.last_segment_at)},
                {"bytes", c.recording.bytes}}}};
  put_status(out, c.status);
  return out;
}

json camera_page(const model::CameraStatePage& p, int limit, long long offset) {
  json items = json::array();
  for (const auto& c : p.items) items.push_back(camera_state(c));
  return {{"items", std::move(items)}, {"total", p.total}, {"limit", limit}, {"offset", offset}};
}

}  // namespace hazmon::api::video_json
