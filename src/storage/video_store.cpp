#include <hazmon/storage/video_store.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

#include <algorithm>
#include <map>
#include <utility>

namespace hazmon::storage {

template <>
struct RowDescription<model::VideoEventRecord> {
  using E = model::VideoEventRecord;
  static constexpr auto columns = std::make_tuple(
      column("id", &E::id), column("video_id", &E::video_id),
      column("camera_name", &E::camera_name), column("camera_location", &E::camera_location),
      column("lon", &E::lon), column("lat", &E::lat), column("scene_type", &E::scene_type),
      column("company_code", &E::company_code), column("company_name", &E::company_name),
      column("region_code", &E::region_code), column("analyser", &E::analyser),
      column("kind", &E::kind), column("episode_id", &E::episode_id), column("phase", &E::phase),
      column("confidence", &E::confidence), column("boxes", &E::boxes),
      column("roi_name", &E::roi_name), column("roi", &E::roi),
      column("started_at", &E::started_at), column("ended_at", &E::ended_at),
      column("detail", &E::detail), column("review_state", &E::review_state),
      column("reviewed_by", &E::reviewed_by), column("reviewed_name", &E::reviewed_name),
      column("reviewed_role", &E::reviewed_role), column("reviewed_at", &E::reviewed_at),
      column("review_reason", &E::review_reason), column("warning_event_id", &E::warning_event_id),
      column("has_snapshot", &E::has_snapshot), column("has_clip", &E::has_clip),
      column("created_at", &E::created_at), column("updated_at", &E::updated_at));
};

template <>
struct RowDescription<ActiveCameraRow> {
  using C = ActiveCameraRow;
  static constexpr auto columns = std::make_tuple(
      column("video_id", &C::video_id), column("company_code", &C::company_code),
      column("name", &C::name), column("scene_type", &C::scene_type),
      column("rtsp_url", &C::rtsp_url), column("rtsp_sub_url", &C::rtsp_sub_url),
      column("credential_ref", &C::credential_ref),
      column("credential_sealed", &C::credential_sealed), column("analysers", &C::analysers),
      column("rois", &C::rois), column("duty_schedule", &C::duty_schedule),
      column("record", &C::record), column("gb_device_row", &C::gb_device_row),
      column("gb_device_id", &C::gb_device_id), column("gb_channel_id", &C::gb_channel_id));
};

template <>
struct RowDescription<model::CameraInfo> {
  using C = model::CameraInfo;
  static constexpr auto columns =
      std::make_tuple(column("video_id", &C::video_id), column("name", &C::name),
                      column("company_code", &C::company_code),
                      column("company_name", &C::company_name), column("location", &C::location),
                      column("scene_type", &C::scene_type), column("record", &C::record),
                      column("is_active", &C::is_active), column("has_stream", &C::has_stream));
};

template <>
struct RowDescription<model::RecordingSummary> {
  using R = model::RecordingSummary;
  static constexpr auto columns = std::make_tuple(
      column("segments", &R::segments), column("first_segment_at", &R::first_segment_at),
      column("last_segment_at", &R::last_segment_at), column("bytes", &R::bytes));
};

template <>
struct RowDescription<SegmentRow> {
  using S = SegmentRow;
  static constexpr auto columns =
      std::make_tuple(column("id", &S::id), column("seq", &S::seq),
                      column("start_at", &S::start_at), column("duration_ms", &S::duration_ms));
};

namespace {

std::string ts(core::SysTime t) { return core::format_rfc3339(t); }
Param opt_ts(const std::optional<core::SysTime>& t) { return t ? Param(ts(*t)) : Param(); }

constexpr const char* kEventColumns =
    "v.id, v.video_id, c.name AS camera_name, c.location AS camera_location, c.lon, c.lat, "
    "c.scene_type, "
    "v.company_code, e.name AS company_name, e.region_code, v.analyser, v.kind, v.episode_id, "
    "v.phase, v.confidence, "
    "v.boxes, v.roi_name, v.roi, v.started_at, v.ended_at, v.detail, v.review_state, "
    "v.reviewed_by, v.reviewed_name, "
    "v.reviewed_role, v.reviewed_at, v.review_reason, v.warning_event_id, "
    "(v.snapshot_path IS NOT NULL) AS has_snapshot, (v.clip_path IS NOT NULL) AS has_clip, "
    "v.created_at, v.updated_at";
constexpr const char* kEventFrom =
    " FROM video_event v JOIN camera c ON c.video_id = v.video_id JOIN enterprise e ON "
    "e.company_code = v.company_code";

// The stored state's columns, prefixed s_ in camera_states; null state: never stored.
std::optional<model::StreamStatus> status_of(const Row& r, const std::string& prefix) {
  auto state = r.get<std::optional<model::StreamState>>(prefix + "state");
  if (!state) return std::nullopt;
  model::StreamStatus s;
  s.source = model::StatusSource::stored;
  s.state = *state;
  s.last_frame_at = r.get<std::optional<core::SysTime>>(prefix + "last_frame_at");
  s.last_error = r.get<std::string>(prefix + "last_error");
  s.width = r.get<int>(prefix + "width");
  s.height = r.get<int>(prefix + "height");
  s.frames_analysed = r.get<long long>(prefix + "frames_analysed");
  s.frames_dropped = r.get<long long>(prefix + "frames_dropped");
  s.reconnects = r.get<long long>(prefix + "reconnects");
  s.updated_at = r.get<core::SysTime>(prefix + "updated_at");
  return s;
}

}  // namespace

// ---- the writer ----

bool VideoStore::upsert_event(Tx& tx, const VideoEventWrite& e) const {
  auto opt = [](const std::optional<std::string>& v) { return v ? Param(*v) : Param(); };
  return tx.exec_count(
             "INSERT INTO video_event (video_id, company_code, analyser, kind, episode_id, phase, "
             "confidence, boxes, roi_name, "
             "roi, started_at, ended_at, snapshot_path, clip_path, detail, review_state) "
             "SELECT c.video_id, c.company_code, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, "
             "$13, $14, "
             "CASE WHEN $2 IN ('camera_health','offline') THEN 'not_required' ELSE 'pending' END "
             "FROM camera c WHERE c.video_id = $1 "
             "ON CONFLICT (video_id, episode_id) DO UPDATE SET "
             "phase = CASE WHEN video_event.phase = 'end' THEN 'end' ELSE EXCLUDED.phase END, "
             "confidence = greatest(video_event.confidence, EXCLUDED.confidence), "
             "boxes = CASE WHEN jsonb_array_length(EXCLUDED.boxes) > 0 THEN EXCLUDED.boxes ELSE "
             "video_event.boxes END, "
             "ended_at = coalesce(EXCLUDED.ended_at, video_event.ended_at), "
             // The first snapshot is the one the reviewer sees; a later clip replaces none.
             "snapshot_path = coalesce(video_event.snapshot_path, EXCLUDED.snapshot_path), "
             "clip_path = coalesce(video_event.clip_path, EXCLUDED.clip_path), "
             // The first description is what was detected; later ones ("人员已返岗") describe
             // its end.
             "detail = CASE WHEN video_event.detail = '' THEN EXCLUDED.detail ELSE "
             "video_event.detail END, "
             "updated_at = now()",
             {e.video_id, model::to_string(e.analyser), e.kind, e.episode_id,
              model::to_string(e.phase), std::to_string(e.confidence), e.boxes, e.roi_name, e.roi,
              ts(e.started_at), opt_ts(e.ended_at), opt(e.snapshot_path), opt(e.clip_path),
              e.detail}) > 0;
}

void VideoStore::add_segment(Tx& tx, const SegmentWrite& g) const {
  tx.exec_count(
      "INSERT INTO video_segment (video_id, company_code, seq, path, start_at, duration_ms, "
      "bytes) "
      "SELECT c.video_id, c.company_code, "
      "coalesce((SELECT max(seq) FROM video_segment WHERE video_id = $1), 0) + 1, $2, $3, $4, "
      "$5 "
      "FROM camera c WHERE c.video_id = $1 ON CONFLICT (path) DO NOTHING",
      {g.video_id, g.path, ts(g.start), std::to_string(g.duration_ms), std::to_string(g.bytes)});
}

void VideoStore::save_status(Tx& tx, const CameraStatusWrite& s) const {
  tx.exec_count(
      "INSERT INTO camera_status (video_id, state, last_frame_at, last_error, width, "
      "height, frames_analysed, "
      "frames_dropped, reconnects, updated_at) SELECT c.video_id, $2, $3, $4, $5, $6, $7, "
      "$8, $9, $10 "
      "FROM camera c WHERE c.video_id = $1 "
      "ON CONFLICT (video_id) DO UPDATE SET state = EXCLUDED.state, last_frame_at = "
      "EXCLUDED.last_frame_at, "
      "last_error = EXCLUDED.last_error, width = EXCLUDED.width, height = EXCLUDED.height, "
      "frames_analysed = EXCLUDED.frames_analysed, frames_dropped = "
      "EXCLUDED.frames_dropped, "
      "reconnects = EXCLUDED.reconnects, updated_at = EXCLUDED.updated_at",
      {s.video_id, model::to_string(s.state), opt_ts(s.last_frame_at), s.last_error,
       std::to_string(s.width), std::to_string(s.height), std::to_string(s.frames_analysed),
       std::to_string(s.frames_dropped), std::to_string(s.reconnects), ts(s.updated_at)});
}

void VideoStore::remove_segment(Tx& tx, const std::string& path) const {
  tx.exec_count("DELETE FROM video_segment WHERE path = $1", {path});
}

std::vector<ActiveCameraRow> VideoStore::active_cameras(Tx& tx) const {
  return tx.rows<ActiveCameraRow>(
      "SELECT c.video_id, c.company_code, c.name, c.scene_type, coalesce(c.rtsp_url, '') AS "
      "rtsp_url, coalesce(c.rtsp_sub_url, '') AS rtsp_sub_url, "
      "coalesce(c.credential_ref, '') AS credential_ref, c.credential_sealed, c.analysers, "
      "c.rois, c.duty_schedule, c.record, coalesce(c.gb_device_row, 0) AS gb_device_row, "
      "coalesce(d.device_id, '') AS gb_device_id, coalesce(c.gb_channel_id, '') AS gb_channel_id "
      // A GB/T 28181 camera runs while its device row is there and of the same enterprise.
      "FROM camera c LEFT JOIN gb_device d ON d.id = c.gb_device_row AND d.company_code = "
      "c.company_code WHERE c.is_active AND ((c.rtsp_url IS NOT NULL AND c.rtsp_url <> '') OR "
      "d.id IS NOT NULL) ORDER BY c.video_id");
}

std::vector<std::string> VideoStore::video_gateways(Tx& tx, const std::string& company_code) const {
  return tx.rows<std::string>(
      "SELECT host(ip) AS ip FROM gateway WHERE company_code = $1 AND "
      "is_active AND ip IS NOT NULL "
      "AND (lower(gateway_type) IN ('video', 'video_gateway') OR gateway_type "
      "LIKE '%视频%') ORDER BY ip",
      {company_code});
}

// ---- events ----

model::VideoEventPage VideoStore::list(Tx& tx, const model::Scope& scope, const VideoEventFilter& f,
                                       int limit, long long offset) const {
  Params params;
  std::string where = scope_predicate(scope, "v.company_code", "e.region_code", params);
  if (f.analyser) where += " AND v.analyser = " + ph(params, model::to_string(*f.analyser));
  if (f.company_code) where += " AND v.company_code = " + ph(params, *f.company_code);
  if (f.from) where += " AND v.started_at >= " + ph(params, ts(*f.from));
  if (f.state) where += " AND v.review_state = " + ph(params, model::to_string(*f.state));
  if (f.to) where += " AND v.started_at < " + ph(params, ts(*f.to));
  if (f.video_id) where += " AND v.video_id = " + ph(params, *f.video_id);
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto r = tx.query(std::string("SELECT ") + kEventColumns + ", count(*) OVER () AS total_count_" +
                        kEventFrom + " WHERE " + where +
                        " ORDER BY v.started_at DESC, v.id DESC LIMIT " + lim + " OFFSET " + ofs,
                    params);
  model::VideoEventPage page;
  page.items = r.as<model::VideoEventRecord>();
  page.total = r.empty() ? 0 : r[0].get<long long>("total_count_");
  return page;
}

std::optional<VideoEventDetail> VideoStore::find(Tx& tx, const model::Scope& scope, long long id,
                                                 bool for_update) const {
  Params params{std::to_string(id)};
  auto where = scope_predicate(scope, "v.company_code", "e.region_code", params);
  auto r = tx.query(std::string("SELECT ") + kEventColumns +
                        ", v.snapshot_path, v.clip_path, c.hazard_code" + kEventFrom +
                        " WHERE v.id = $1 AND " + where + (for_update ? " FOR UPDATE OF v" : ""),
                    params);
  if (r.empty()) return std::nullopt;
  VideoEventDetail d;
  d.event = std::move(r.as<model::VideoEventRecord>().front());
  d.snapshot_path = r[0].get<std::optional<std::string>>("snapshot_path");
  d.clip_path = r[0].get<std::optional<std::string>>("clip_path");
  d.hazard_code = r[0].get<std::optional<std::string>>("hazard_code");
  return d;
}

void VideoStore::save_review(Tx& tx, long long id, const VideoReviewWrite& r) const {
  Params p{std::to_string(id), std::to_string(r.reviewer_id),
           r.reviewer_name,    r.reviewer_role,
           ts(r.at),           r.reason ? Param(*r.reason) : Param()};
  if (r.state != model::VideoReviewState::confirmed) {
    tx.exec_count(
        "UPDATE video_event SET review_state = 'rejected', reviewed_by = $2, reviewed_name = $3, "
        "reviewed_role = $4, "
        "reviewed_at = $5, review_reason = $6, updated_at = now() WHERE id = $1",
        p);
    return;
  }
  p.push_back(r.warning_event_id ? Param(std::to_string(*r.warning_event_id)) : Param());
  tx.exec_count(
      "UPDATE video_event SET review_state = 'confirmed', reviewed_by = $2, reviewed_name = $3, "
      "reviewed_role = $4, "
      "reviewed_at = $5, review_reason = $6, warning_event_id = $7, updated_at = now() WHERE id "
      "= $1",
      p);
}

// ---- statistics ----

namespace {

model::VideoReviewCounts counts_of(const Row& r) {
  return {r.get<long long>("events"), r.get<long long>("pending"), r.get<long long>("confirmed"),
          r.get<long long>("rejected"), r.get<std::optional<double>>("false_alarm_rate")};
}

// false_alarm_rate: rejected over reviewed; null while nothing is reviewed.
constexpr const char* kCounts =
    "count(*) AS events, count(*) FILTER (WHERE v.review_state = 'pending') AS pending, "
    "count(*) FILTER (WHERE v.review_state = 'confirmed') AS confirmed, "
    "count(*) FILTER (WHERE v.review_state = 'rejected') AS rejected, "
    "round(count(*) FILTER (WHERE v.review_state = 'rejected')::numeric / "
    "nullif(count(*) FILTER (WHERE v.review_state IN ('confirmed','rejected')), 0), 4)::float8 "
    "AS false_alarm_rate";

// A grouping's line: the counts and whichever of the line's own columns the query selected.
model::VideoStatLine line_of(const Row& r) {
  model::VideoStatLine l;
  l.counts = counts_of(r);
  for (std::size_t c = 0; c < r.size(); ++c) {
    const auto n = r.name(c);
    if (n == "rank")
      l.rank = r.get<long long>(c);
    else if (n == "analyser")
      l.analyser = r.get<model::VideoAnalyser>(c);
    else if (n == "city_name")
      l.city_name = r.get<std::optional<std::string>>(c);
    else if (n == "kind" || n == "company_code" || n == "company_name" || n == "region_code" ||
             n == "city_code" || n == "video_id" || n == "camera_name" || n == "period") {
      auto& field = n == "kind"           ? l.kind
                    : n == "company_code" ? l.company_code
                    : n == "company_name" ? l.company_name
                    : n == "region_code"  ? l.region_code
                    : n == "city_code"    ? l.city_code
                    : n == "video_id"     ? l.video_id
                    : n == "camera_name"  ? l.camera_name
                                          : l.period;
      field = r.get<std::string>(c);
    }
  }
  return l;
}

std::vector<model::VideoStatLine> grouped(Tx& tx, const std::string& sql, const Params& params) {
  std::vector<model::VideoStatLine> out;
  for (auto r : tx.query(sql, params)) out.push_back(line_of(r));
  return out;
}

}  // namespace

model::VideoStatistics VideoStore::statistics(Tx& tx, const model::Scope& scope,
                                              const VideoStatsFilter& f) const {
  if (f.period != "day" && f.period != "week" && f.period != "month")
    throw core::Error(core::Errc::internal, "video statistics: bad period " + f.period);
  Params params;
  std::string where = scope_predicate(scope, "v.company_code", "e.region_code", params) +
                      " AND v.review_state <> 'not_required'";
  if (f.analyser) where += " AND v.analyser = " + ph(params, model::to_string(*f.analyser));
  if (f.company_code) where += " AND v.company_code = " + ph(params, *f.company_code);
  if (f.from) where += " AND v.started_at >= " + ph(params, ts(*f.from));
  if (f.to) where += " AND v.started_at < " + ph(params, ts(*f.to));
  const std::string counts = kCounts;
  const std::string base =
      " FROM video_event v JOIN enterprise e ON e.company_code = v.company_code "
      "JOIN camera c ON c.video_id = v.video_id "
      "LEFT JOIN region cr ON cr.code = substr(e.region_code, 1, 4) || '00' WHERE " +
      where;
  model::VideoStatistics out;
  out.period = f.period;
  out.totals = counts_of(tx.query("SELECT " + counts + base, params)[0]);
  out.by_analyser = grouped(tx,
                            "SELECT v.analyser, " + counts + base +
                                " GROUP BY v.analyser ORDER BY events DESC, v.analyser",
                            params);
  out.by_kind = grouped(tx,
                        "SELECT v.analyser, v.kind, " + counts + base +
                            " GROUP BY v.analyser, v.kind ORDER BY events DESC, v.analyser, v.kind",
                        params);
  // 排名: enterprises by confirmed events, then by all events; rank is dense over confirmed.
  const std::string rank =
      "SELECT dense_rank() OVER (ORDER BY count(*) FILTER (WHERE v.review_state = 'confirmed') "
      "DESC) AS rank, ";
  out.by_enterprise =
      grouped(tx,
              rank + "v.company_code, e.name AS company_name, e.region_code, " + counts + base +
                  " GROUP BY v.company_code, e.name, e.region_code ORDER BY rank, events DESC, "
                  "v.company_code LIMIT 500",
              params);
  out.by_city = grouped(
      tx,
      rank + "substr(e.region_code, 1, 4) || '00' AS city_code, cr.name AS city_name, " + counts +
          base +
          " GROUP BY substr(e.region_code, 1, 4), cr.name ORDER BY rank, events DESC, city_code",
      params);
  // False alarms per camera: the cameras whose analysers most need tuning come first.
  out.by_camera =
      grouped(tx,
              "SELECT v.video_id, c.name AS camera_name, v.company_code, e.name AS company_name, " +
                  counts + base +
                  " GROUP BY v.video_id, c.name, v.company_code, e.name "
                  "ORDER BY rejected DESC, events DESC, v.video_id LIMIT 500",
              params);
  out.by_period = grouped(
      tx,
      "SELECT to_char(date_trunc('" + f.period +
          "', (v.started_at AT TIME ZONE 'UTC') + interval '8 hours'), 'YYYY-MM-DD') AS period, " +
          counts + base + " GROUP BY 1 ORDER BY 1",
      params);
  return out;
}

// ---- cameras ----

std::optional<model::CameraInfo> VideoStore::camera(Tx& tx, const model::Scope& scope,
                                                    const std::string& video_id) const {
  Params params{video_id};
  auto where = scope_predicate(scope, "c.company_code", "e.region_code", params);
  return tx.one<model::CameraInfo>(
      "SELECT c.video_id, c.name, c.company_code, e.name AS company_name, c.location, "
      "c.scene_type, "
      "c.record, c.is_active, (c.rtsp_url IS NOT NULL AND c.rtsp_url <> '' OR "
      "c.gb_device_row IS NOT NULL) AS has_stream "
      "FROM camera c JOIN enterprise e ON e.company_code = c.company_code "
      "WHERE c.video_id = $1 AND " +
          where,
      params);
}

model::CameraStatePage VideoStore::camera_states(Tx& tx, const model::Scope& scope,
                                                 const std::string& company_code,
                                                 const std::string& q, int limit,
                                                 long long offset) const {
  Params params;
  auto where =
      scope_predicate(scope, "c.company_code", "e.region_code", params) + " AND c.is_active";
  if (!company_code.empty()) where += " AND c.company_code = " + ph(params, company_code);
  if (!q.empty()) {
    auto p = "'%' || " + ph(params, escape_like(q)) + " || '%'";
    where +=
        " AND (c.name ILIKE " + p + " OR c.video_id ILIKE " + p + " OR e.name ILIKE " + p + ")";
  }
  model::CameraStatePage page;
  page.total = tx.one<long long>(
                     "SELECT count(*) AS n FROM camera c JOIN enterprise e ON e.company_code = "
                     "c.company_code WHERE " +
                         where,
                     params)
                   .value_or(0);
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto rows = tx.query(
      "SELECT c.video_id, c.name, c.company_code, e.name AS company_name, c.location, "
      "c.scene_type, c.record, "
      "c.is_active, (c.rtsp_url IS NOT NULL AND c.rtsp_url <> '' OR "
      "c.gb_device_row IS NOT NULL) AS has_stream, s.state AS "
      "s_state, "
      "s.last_frame_at AS s_last_frame_at, s.last_error AS s_last_error, s.width AS s_width, "
      "s.height AS s_height, "
      "s.frames_analysed AS s_frames_analysed, s.frames_dropped AS s_frames_dropped, "
      "s.reconnects AS s_reconnects, s.updated_at AS s_updated_at"
      " FROM camera c JOIN enterprise e ON e.company_code = c.company_code "
      "LEFT JOIN camera_status s ON s.video_id = c.video_id WHERE " +
          where + " ORDER BY c.company_code, c.video_id LIMIT " + lim + " OFFSET " + ofs,
      params);
  auto cams = rows.as<model::CameraInfo>();
  std::string ids = "{";
  for (std::size_t k = 0; k < cams.size(); ++k) {
    ids += (k ? "," : "") + cams[k].video_id;  // [0-9A-Za-z] only
    model::CameraState st;
    st.camera = std::move(cams[k]);
    if (auto s = status_of(rows[k], "s_")) st.status = std::move(*s);
    page.items.push_back(std::move(st));
  }
  ids += "}";
  std::map<std::string, model::RecordingSummary> recording;
  for (auto r :
       tx.query("SELECT video_id, count(*) AS segments, min(start_at) AS first_segment_at, "
                "max(start_at) AS last_segment_at, "
                "coalesce(sum(bytes), 0)::bigint AS bytes FROM video_segment WHERE video_id = "
                "ANY($1::text[]) GROUP BY video_id",
                {ids}))
    recording[r.get<std::string>("video_id")] = {
        r.get<long long>("segments"), r.get<std::optional<core::SysTime>>("first_segment_at"),
        r.get<std::optional<core::SysTime>>("last_segment_at"), r.get<long long>("bytes")};
  for (auto& st : page.items)
    if (auto it = recording.find(st.camera.video_id); it != recording.end())
      st.recording = it->second;
  return page;
}

std::optional<model::StreamStatus> VideoStore::stored_status(Tx& tx,
                                                             const std::string& video_id) const {
  auto r = tx.query(
      "SELECT state, last_frame_at, last_error, width, height, frames_analysed, frames_dropped, "
      "reconnects, "
      "updated_at FROM camera_status WHERE video_id = $1",
      {video_id});
  if (r.empty()) return std::nullopt;
  return status_of(r[0], "");
}

model::RecordingSummary VideoStore::recording(Tx& tx, const std::string& video_id) const {
  return tx
      .one<model::RecordingSummary>(
          "SELECT count(*) AS segments, min(start_at) AS first_segment_at, max(start_at) AS "
          "last_segment_at, "
          "coalesce(sum(bytes), 0)::bigint AS bytes FROM video_segment WHERE video_id = $1",
          {video_id})
      .value_or(model::RecordingSummary{});
}

void VideoStore::set_credential(Tx& tx, const std::string& video_id,
                                const std::string& sealed) const {
  tx.exec_count(
      "UPDATE camera SET credential_sealed = $2, credential_set_at = now(), credential_ref = "
      "NULL, updated_at = now() "
      "WHERE video_id = $1",
      {video_id, sealed});
}

void VideoStore::clear_credential(Tx& tx, const std::string& video_id) const {
  tx.exec_count(
      "UPDATE camera SET credential_sealed = NULL, credential_set_at = NULL, credential_ref = "
      "NULL, updated_at = now() "
      "WHERE video_id = $1",
      {video_id});
}

// ---- recording segments ----

std::vector<SegmentRow> VideoStore::segments(Tx& tx, const std::string& video_id,
                                             core::SysTime from, core::SysTime to) const {
  return tx.rows<SegmentRow>(
      "SELECT id, seq, start_at, duration_ms FROM video_segment WHERE video_id = $1 AND start_at < "
      "$3 "
      "AND start_at + duration_ms * interval '1 millisecond' > $2 ORDER BY start_at, seq LIMIT "
      "20000",
      {video_id, ts(from), ts(to)});
}

std::vector<SegmentRow> VideoStore::latest_segments(Tx& tx, const std::string& video_id,
                                                    int n) const {
  return tx.rows<SegmentRow>(
      "SELECT * FROM (SELECT id, seq, start_at, duration_ms FROM video_segment WHERE video_id = $1 "
      "ORDER BY seq DESC LIMIT $2) s ORDER BY seq",
      {video_id, std::to_string(n)});
}

std::optional<std::string> VideoStore::segment_path(Tx& tx, const model::Scope& scope,
                                                    long long id) const {
  Params params{std::to_string(id)};
  auto where = scope_predicate(scope, "g.company_code", "e.region_code", params);
  return tx.one<std::string>(
      "SELECT g.path FROM video_segment g JOIN enterprise e ON e.company_code = g.company_code "
      "WHERE g.id = $1 AND " +
          where,
      params);
}

}  // namespace hazmon::storage
