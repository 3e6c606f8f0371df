#pragma once
// The video pipeline as the rest of hazmond sees it: give it the cameras (again whenever a
// camera row changes, no restart), it runs one stream worker per camera (RTSP over TCP with
// FFmpeg's libraries, reconnect with back-off), an inference pool (one cv::dnn::Net per thread),
// the analysers of each camera, evidence (snapshot JPEG, MP4 clip from a packet ring), optional
// continuous recording as segments, and reports events to an EventSink. No OpenCV or FFmpeg
// types here.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/video/video_event.hpp>

namespace hazmon::core {
class Metrics;
class Liveness;
}  // namespace hazmon::core

namespace hazmon::video {

// A GB/T 28181 channel as a camera's source (ADR 0034): the filed device row, its 20-digit id
// and the channel's.
struct GbSource {
  long long device_row = 0;
  std::string device_id, channel_id;
  bool operator==(const GbSource&) const = default;
};

// One camera row (DOMAIN §1.3, table `camera`) as the pipeline needs it.
struct CameraConfig {
  std::string video_id, company_code, name, scene_type;
  std::string rtsp_url;            // main stream (evidence, recording)
  std::string rtsp_sub_url;        // optional sub-stream (analysis); empty: analyse the main stream
  std::string username, password;  // the camera's credential, opened by the caller; never logged
  // Networks the stream may connect to (CIDR strings, model::networks_for): every address the
  // host resolves to is checked right before each connection. Empty: nothing is allowed.
  std::vector<std::string> allowed_networks;
  nlohmann::json analysers = nlohmann::json::array();      // camera.analysers
  nlohmann::json rois = nlohmann::json::array();           // camera.rois
  nlohmann::json duty_schedule = nlohmann::json::array();  // camera.duty_schedule
  bool record = false;                                     // continuous recording as segments
  // Instead of the RTSP URLs: the stream is INVITEd through the GbSignalling and arrives as
  // MPEG-PS over RTP/UDP (docs/gb28181.md).
  std::optional<GbSource> gb;
  bool operator==(const CameraConfig&) const = default;
};

struct VideoSettings {
  std::filesystem::path evidence_dir;   // snapshots, clips
  std::filesystem::path recording_dir;  // continuous segments
  std::filesystem::path models_dir;     // yolo-fastest body, ShuffleNetV2-OnFire
  int inference_threads = 1;
  int analysis_max_side = 640;  // frames are scaled once so the long side is at most this
  std::size_t frame_queue = 2;  // per camera; the oldest frame is dropped (and counted) when full
  std::chrono::seconds clip_before{10}, clip_after{10};
  std::chrono::seconds segment_length{6};
  std::chrono::milliseconds open_timeout{5000}, read_timeout{5000};
  std::chrono::milliseconds backoff_initial{500}, backoff_max{30000};
  std::chrono::seconds offline_after{30};  // no frame for this long: an `offline` event
  // No frame for this long: stop reconnecting (the offline event stays open, no more attempts)
  // until the camera's config changes. 0: never give up.
  std::chrono::seconds give_up_after{3600};
  std::vector<int> own_ports;  // the server's own listening ports: refused on local addresses
  int recording_retention_days = 7;
  std::uint64_t recording_max_bytes = 20ull << 30;  // disk budget; oldest segments go first
  // GB/T 28181 media (gb28181.media_*, ADR 0034): each INVITEd stream gets a UDP port of
  // [gb_port_min, gb_port_max] bound on gb_media_bind; the SDP offers gb_media_address (empty:
  // our address on the way to the device). RTP is reordered within gb_reorder_window packets.
  std::string gb_media_bind = "0.0.0.0", gb_media_address;
  int gb_port_min = 30000, gb_port_max = 30999;
  std::size_t gb_reorder_window = 32;
};
// The config's `video` section. Directories come as written (relative ones are under state_dir,
// an empty models_dir is HAZMON_HOME/models: app resolves both) and own_ports is app's.
void from_json(const nlohmann::json& j, VideoSettings& s);

enum class StreamState { connecting, online, offline, stopped };

struct CameraStatus {
  std::string video_id;
  StreamState state = StreamState::connecting;
  std::optional<core::SysTime> last_frame_at;
  std::string last_error;
  int width = 0, height = 0;
  std::uint64_t packets = 0, frames_decoded = 0, frames_analysed = 0, frames_dropped = 0,
                reconnects = 0;
};

// A finished recording segment, for the index in PostgreSQL (HLS playback).
struct Segment {
  std::string video_id;
  std::filesystem::path path;  // relative to recording_dir
  core::SysTime start;
  std::chrono::milliseconds duration{0};
  std::uint64_t bytes = 0;
};

struct PipelineCosts {  // cumulative, for the benchmark and /metrics
  double demux_ms = 0, decode_ms = 0, scale_ms = 0, inference_ms = 0, analyse_ms = 0;
  std::uint64_t packets = 0, frames_decoded = 0, frames_analysed = 0, frames_dropped = 0;
  // GB/T 28181 RTP datagrams: taken, from an address other than the device's, too late or
  // duplicated (behind the reorder window), not RTP with payload 96.
  std::uint64_t rtp_accepted = 0, rtp_foreign = 0, rtp_late = 0, rtp_malformed = 0;
};

// The answer to an INVITE (GbSignalling::invite).
struct GbCall {
  bool ok = false;
  std::string error;      // when not ok, stable words first
  std::string call_id;    // for bye()
  std::string device_ip;  // where the device registered from: RTP is taken from there only
};

// The SIP side of a GB/T 28181 camera, which app implements over gb28181::Server (video and
// gb28181 do not know each other, docs/architecture.md). Called on the camera's stream thread.
class GbSignalling {
 public:
  virtual ~GbSignalling() = default;
  // INVITE the channel to send PS over RTP to media_address (empty: ours) : port; blocks until
  // the device answers or `timeout`.
  virtual GbCall invite(const GbSource& src, const std::string& media_address, unsigned short port,
                        std::chrono::milliseconds timeout) = 0;
  virtual void bye(const std::string& call_id) = 0;
};

class Supervisor {
 public:
  // With `metrics`, a worker ("video-metrics", enrolled in `liveness`) publishes the pipeline's
  // costs and states every second.
  Supervisor(VideoSettings s, EventSink& sink, const core::Clock& clock,
             core::Metrics* metrics = nullptr, core::Liveness* liveness = nullptr);
  ~Supervisor();  // stops every worker
  Supervisor(const Supervisor&) = delete;

  // Starts, restarts (config changed) or stops workers so that exactly these cameras run.
  void set_cameras(const std::vector<CameraConfig>& cameras);
  // Called for each finished segment (off the caller's thread).
  void on_segment(std::function<void(const Segment&)> hook);
  // Where GB/T 28181 cameras INVITE their streams (null: they stay offline, "gb28181 off").
  // Must outlive the pipeline's cameras (stop() first).
  void set_gb_signalling(GbSignalling* s);
  // Segments older than retention or beyond the disk budget are deleted; returns them so the
  // caller removes them from its index.
  std::vector<Segment> enforce_retention();

  std::vector<CameraStatus> status() const;
  PipelineCosts costs() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A camera row's analyser settings checked exactly as the pipeline will build them (registry
// writes call this so a bad setting is a 422, not a camera that silently analyses nothing).
// Returns (JSON pointer into the row, message) pairs; empty when every analyser can be built.
std::vector<std::pair<std::string, std::string>> check_camera_settings(
    const nlohmann::json& analysers, const nlohmann::json& rois,
    const nlohmann::json& duty_schedule);

// False in a hazmond built with HAZMON_WITH_VIDEO=OFF (no FFmpeg, no OpenCV): a Supervisor
// cannot be constructed (it throws video_disabled) and check_camera_settings refuses every row.
bool pipeline_built() noexcept;

const char* to_string(StreamState s);
const char* to_string(EventPhase p);

}  // namespace hazmon::video
