// video::Supervisor: owns the inference pool and one Camera per configured camera, applies
// camera changes without a restart, and exports status, costs and Prometheus metrics.
#include <hazmon/video/supervisor.hpp>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <map>
#include <mutex>

#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/serial_worker.hpp>

#include "inference_pool.hpp"
#include "segment_recorder.hpp"
#include "stream_worker.hpp"

namespace hazmon::video {

namespace {
ModelPaths model_paths(const std::filesystem::path& dir) {
  ModelPaths m;
  m.person_cfg = (dir / "yolo-fastest-1.1-body/yolo-fastest-1.1_body.cfg").string();
  m.person_weights = (dir / "yolo-fastest-1.1-body/yolo-fastest-1.1_body.weights").string();
  m.fire_prototxt = (dir / "shufflenetv2-onfire/shufflenetv2_onfire_ff.prototxt").string();
  m.fire_caffemodel = (dir / "shufflenetv2-onfire/shufflenetv2_onfire_ff.caffemodel").string();
  return m;
}

// Prometheus counters only go up; the cumulative figures are published as deltas once a second.
struct MetricSet {
  prometheus::Gauge *connecting, *online, *offline;
  prometheus::Counter *packets, *decoded, *analysed, *dropped, *reconnects;
  prometheus::Counter *demux, *decode, *scale, *inference, *analyse;
  prometheus::Counter *rtp_accepted, *rtp_foreign, *rtp_late, *rtp_malformed;
  PipelineCosts last;
  std::uint64_t last_reconnects = 0;

  explicit MetricSet(prometheus::Registry& r) {
    auto& cams = prometheus::BuildGauge()
                     .Name("hazmon_video_cameras")
                     .Help("Cameras by stream state")
                     .Register(r);
    connecting = &cams.Add({{"state", "connecting"}});
    online = &cams.Add({{"state", "online"}});
    offline = &cams.Add({{"state", "offline"}});
    auto& frames =
        prometheus::BuildCounter()
            .Name("hazmon_video_frames_total")
            .Help("Video packets demuxed and frames decoded, analysed and dropped (queue full)")
            .Register(r);
    packets = &frames.Add({{"kind", "packet"}});
    decoded = &frames.Add({{"kind", "decoded"}});
    analysed = &frames.Add({{"kind", "analysed"}});
    dropped = &frames.Add({{"kind", "dropped"}});
    reconnects = &prometheus::BuildCounter()
                      .Name("hazmon_video_reconnects_total")
                      .Help("Stream reconnect attempts")
                      .Register(r)
                      .Add({});
    auto& stage = prometheus::BuildCounter()
                      .Name("hazmon_video_stage_seconds_total")
                      .Help("Time spent per pipeline stage")
                      .Register(r);
    demux = &stage.Add({{"stage", "demux"}});
    decode = &stage.Add({{"stage", "decode"}});
    scale = &stage.Add({{"stage", "scale"}});
    inference = &stage.Add({{"stage", "inference"}});
    analyse = &stage.Add({{"stage", "analyse"}});
    auto& rtp = prometheus::BuildCounter()
                    .Name("hazmon_video_rtp_datagrams_total")
                    .Help(
                        "GB/T 28181 RTP datagrams: accepted, foreign (not from the device's "
                        "address), late (behind the reorder window or duplicated), malformed")
                    .Register(r);
    rtp_accepted = &rtp.Add({{"outcome", "accepted"}});
    rtp_foreign = &rtp.Add({{"outcome", "foreign"}});
    rtp_late = &rtp.Add({{"outcome", "late"}});
    rtp_malformed = &rtp.Add({{"outcome", "malformed"}});
  }

  void publish(const PipelineCosts& c, const std::vector<CameraStatus>& st) {
    auto inc = [](prometheus::Counter* k, double now, double before) {
      if (now > before) k->Increment(now - before);
    };
    inc(packets, double(c.packets), double(last.packets));
    inc(decoded, double(c.frames_decoded), double(last.frames_decoded));
    inc(analysed, double(c.frames_analysed), double(last.frames_analysed));
    inc(dropped, double(c.frames_dropped), double(last.frames_dropped));
    inc(demux, c.demux_ms / 1000, last.demux_ms / 1000);
    inc(decode, c.decode_ms / 1000, last.decode_ms / 1000);
    inc(scale, c.scale_ms / 1000, last.scale_ms / 1000);
    inc(inference, c.inference_ms / 1000, last.inference_ms / 1000);
    inc(analyse, c.analyse_ms / 1000, last.analyse_ms / 1000);
    inc(rtp_accepted, double(c.rtp_accepted), double(last.rtp_accepted));
    inc(rtp_foreign, double(c.rtp_foreign), double(last.rtp_foreign));
    inc(rtp_late, double(c.rtp_late), double(last.rtp_late));
    inc(rtp_malformed, double(c.rtp_malformed), double(last.rtp_malformed));
    last = c;
    std::uint64_t rec = 0;
    int n[3] = {0, 0, 0};
    for (const auto& s : st) {
      rec += s.reconnects;
      if (s.state == StreamState::connecting) ++n[0];
      if (s.state == StreamState::online) ++n[1];
      if (s.state == StreamState::offline) ++n[2];
    }
    if (rec > last_reconnects) reconnects->Increment(double(rec - last_reconnects));
    last_reconnects = rec;
    connecting->Set(n[0]);
    online->Set(n[1]);
    offline->Set(n[2]);
  }
};
}  // namespace

struct Supervisor::Impl {
  VideoSettings settings;
  EventSink& sink;
  const core::Clock& clock;
  InferencePool pool;
  mutable std::mutex mu;  // cameras, retired costs
  std::map<std::string, std::unique_ptr<Camera>> cameras;
  PipelineCosts retired;  // costs of cameras already stopped, so totals never go down
  std::mutex hook_mu;
  std::function<void(const Segment&)> segment_hook;
  std::unique_ptr<MetricSet> metrics;
  std::unique_ptr<core::SerialWorker> metrics_worker;  // with metrics only: publishes every second
  std::atomic<GbSignalling*> gb{nullptr};              // GB/T 28181 cameras' INVITEs

  Impl(VideoSettings s, EventSink& k, const core::Clock& c)
      : settings(std::move(s)),
        sink(k),
        clock(c),
        pool(settings.inference_threads, model_paths(settings.models_dir)) {}

  void retire(Camera& cam) {
    cam.stop();
    cam.add_costs(retired);
  }
};

Supervisor::Supervisor(VideoSettings s, EventSink& sink, const core::Clock& clock,
                       core::Metrics* metrics, core::Liveness* liveness)
    : impl_(std::make_unique<Impl>(std::move(s), sink, clock)) {
  if (metrics) {
    impl_->metrics = std::make_unique<MetricSet>(metrics->registry());
    impl_->metrics_worker = std::make_unique<core::SerialWorker>(
        core::SerialWorkerOptions{.name = "video-metrics",
                                  .allowance = std::chrono::seconds(60),
                                  .liveness = liveness,
                                  .log = core::LogModule::video});
    impl_->metrics_worker->every("publish", std::chrono::seconds(1),
                                 [this] { impl_->metrics->publish(costs(), status()); });
    impl_->metrics_worker->start();
  }
}

Supervisor::~Supervisor() { stop(); }

void Supervisor::set_cameras(const std::vector<CameraConfig>& cameras) {
  auto& i = *impl_;
  std::lock_guard lock(i.mu);
  std::map<std::string, const CameraConfig*> wanted;
  for (const auto& c : cameras) wanted[c.video_id] = &c;
  for (auto it = i.cameras.begin(); it != i.cameras.end();) {
    auto w = wanted.find(it->first);
    if (w == wanted.end() || !(*w->second == it->second->config())) {
      core::logger(core::LogModule::video)
          ->info("camera {}: {}", it->first, w == wanted.end() ? "removed" : "changed, restarting");
      i.retire(*it->second);
      it = i.cameras.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, cfg] : wanted) {
    if (i.cameras.contains(id)) continue;
    auto cam = std::make_unique<Camera>(*cfg, i.settings, i.sink, i.clock, i.pool,
                                        [this](const Segment& s) {
                                          std::function<void(const Segment&)> hook;
                                          {
                                            std::lock_guard l(impl_->hook_mu);
                                            hook = impl_->segment_hook;
                                          }
                                          if (hook) hook(s);
                                        });
    cam->set_gb(&i.gb);
    cam->start();
    i.cameras.emplace(id, std::move(cam));
  }
}

void Supervisor::set_gb_signalling(GbSignalling* s) { impl_->gb = s; }

void Supervisor::on_segment(std::function<void(const Segment&)> hook) {
  std::lock_guard lock(impl_->hook_mu);
  impl_->segment_hook = std::move(hook);
}

std::vector<Segment> Supervisor::enforce_retention() {
  if (impl_->settings.recording_dir.empty()) return {};
  return video::enforce_retention(impl_->settings.recording_dir,
                                  impl_->settings.recording_retention_days,
                                  impl_->settings.recording_max_bytes, impl_->clock.now());
}

std::vector<CameraStatus> Supervisor::status() const {
  std::lock_guard lock(impl_->mu);
  std::vector<CameraStatus> out;
  for (const auto& [id, cam] : impl_->cameras) out.push_back(cam->status());
  return out;
}

PipelineCosts Supervisor::costs() const {
  std::lock_guard lock(impl_->mu);
  PipelineCosts c = impl_->retired;
  for (const auto& [id, cam] : impl_->cameras) cam->add_costs(c);
  return c;
}

void Supervisor::stop() {
  auto& i = *impl_;
  if (i.metrics_worker)
    i.metrics_worker->stop(core::SerialWorker::OnStop::drop, std::chrono::seconds(5));
  {
    std::lock_guard lock(i.mu);
    for (auto& [id, cam] : i.cameras) i.retire(*cam);
    i.cameras.clear();
  }
  i.pool.stop();
}

const char* to_string(StreamState s) {
  switch (s) {
    case StreamState::connecting:
      return "connecting";
    case StreamState::online:
      return "online";
    case StreamState::offline:
      return "offline";
    case StreamState::stopped:
      return "stopped";
  }
  return "unknown";
}

const char* to_string(EventPhase p) {
  switch (p) {
    case EventPhase::start:
      return "start";
    case EventPhase::update:
      return "update";
    case EventPhase::end:
      return "end";
  }
  return "unknown";
}

}  // namespace hazmon::video
